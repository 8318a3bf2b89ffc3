/*
 * dkim_record.c - the DKIM-Signature field (RFC 6376 §3.5, RFC 8463) and the
 * DKIM key record (RFC 6376 §3.6.1), on top of the tag-list parser.
 *
 * Each record is read in three steps (house style): the whole tag-list is
 * validated (tagvalue.c), each known tag goes through a handler from a
 * table (unknown tags are ignored, RFC 6376 §3.2), then the required tags
 * and the checks that involve several tags are made.  The first problem
 * found is the one reported.
 */
#include <stdint.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "escape.h"
#include "dkim_record.h"
#include "tagvalue.h"

/* RFC 1035 §2.3.4: labels of 63 octets, names of 255 (253 as text without the root dot). */
#define DNS_MAX_LABEL 63
#define DNS_MAX_NAME 253
/* RFC 6376 §3.5 t= and x=: "at least 10^12 ... fits into 40 bits": 12 digits, no more. */
#define DKIM_MAX_TIME_DIGITS 12
/* RFC 6376 §3.5 l=: sig-l-tag = %x6c [FWS] "=" [FWS] 1*76DIGIT */
#define DKIM_MAX_L_DIGITS 76
/* l= beyond 2^63 cannot be a body length (and would not fit the signed arithmetic of callers). */
#define DKIM_MAX_L ((uint64_t)1 << 63)
/* How much of an offending value error_detail shows (escaped); the rest is cut with "...". */
#define DETAIL_MAX 80

/* ---- small helpers ---- */

static int
span_eq(mx_span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

static char *
dup_span(mx_span s, int lower)
{
	char *p = malloc(s.len + 1);
	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < s.len; i++)
		p[i] = lower ? (char)lc((unsigned char)s.ptr[i]) : s.ptr[i];
	p[s.len] = '\0';
	return p;
}

/* Trim SP, HTAB, CR, LF from both ends of s. */
static mx_span
trim(mx_span s)
{
	while (s.len && is_space((unsigned char)s.ptr[0])) {
		s.ptr++;
		s.len--;
	}
	while (s.len && is_space((unsigned char)s.ptr[s.len - 1]))
		s.len--;
	return s;
}

/*
 * The next element of a colon-separated list: *rest is advanced past it
 * and its ":".  Returns 0 when the list is exhausted.  Elements are trimmed.
 */
static int
next_colon_item(mx_span *rest, mx_span *item, int *more)
{
	if (rest->ptr == NULL)
		return 0;
	const char *colon = rest->len ? memchr(rest->ptr, ':', rest->len) : NULL;
	size_t n = colon ? (size_t)(colon - rest->ptr) : rest->len;
	*item = trim(mx_span_make(rest->ptr, n));
	if (colon) {
		rest->ptr = colon + 1;
		rest->len -= n + 1;
		*more = 1;
	} else {
		rest->ptr = NULL;
		rest->len = 0;
		*more = 0;
	}
	return 1;
}

/* Does the colon list v hold one of the two words (case-insensitive)? */
static int
colon_list_has(mx_span v, const char *w1, const char *w2)
{
	mx_span item;
	int more;
	while (next_colon_item(&v, &item, &more))
		if (mx_span_ieq(item, w1) || (w2 && mx_span_ieq(item, w2)))
			return 1;
	return 0;
}

/* ---- base64 (RFC 4648 §4, as RFC 6376 §2.4 uses it) ---- */

/* Each byte's value plus one ("A" 1 ... "/" 64); 0: not in the alphabet. */
static const unsigned char b64_plus1[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 63,  0,  0,  0, 64,
	53, 54, 55, 56, 57, 58, 59, 60, 61, 62,  0,  0,  0,  0,  0,  0,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,  0,  0,  0,  0,  0,
	 0, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
	42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
};

static int
b64_value(int ch)
{
	return (int)b64_plus1[ch & 0xff] - 1;
}

/*
 * Decode in[0..len), whitespace ignored.  Rules: alphabet only; "=" only
 * at the end, at most two; the data plus padding a multiple of 4 (RFC 4648
 * §3.2: padding is required; dkimpy and Python's b64decode agree).
 * Returns 0, 1 when not valid base64, -1 when out of memory.
 */
static int
b64_decode(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
	size_t data = 0, pad = 0;
	*out = NULL;
	*outlen = 0;
	for (size_t i = 0; i < len; i++) {
		int ch = (unsigned char)in[i];
		if (is_space(ch))
			continue;
		if (ch == '=') {
			pad++;
			continue;
		}
		if (b64_value(ch) < 0 || pad)
			return 1;	/* a foreign byte, or data after "=" */
		data++;
	}
	/* "=" pads a last group of 2 or 3 characters to 4 */
	if (pad > 2 || (data + pad) % 4 != 0 || data % 4 == 1)
		return 1;
	unsigned char *o = malloc(data / 4 * 3 + 3 + 1);
	if (o == NULL)
		return -1;
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)in[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[n++] = (unsigned char)(acc >> bits);
			acc &= ((uint32_t)1 << bits) - 1;
		}
	}
	*out = o;
	*outlen = n;
	return 0;
}

unsigned char *
mx_base64_decode(const char *in, size_t len, size_t *outlen)
{
	unsigned char *out;
	size_t n;
	if (b64_decode(in, len, &out, &n) != 0) {
		*outlen = 0;
		return NULL;
	}
	*outlen = n;
	return out;
}

/* ---- names: RFC 5321 §4.1.2 as RFC 6376 §3.5 (d=) and §3.1 (s=) use them ---- */

/*
 * domain-name = sub-domain 1*("." sub-domain)     (RFC 6376 §3.5 d=)
 * sub-domain  = Let-dig [Ldh-str]                 (RFC 5321 §4.1.2)
 * selector    = sub-domain *( "." sub-domain )    (RFC 6376 §3.1)
 * The selector also takes "_" (it is a DNS label, and real selectors have
 * one).  No empty label, none over 63, the name at most 253.  This refuses
 * the Composition Kills A3/A4 tricks ("legit.com(.attacker.com", a NUL).
 */
static int
valid_dns_name(mx_span v, int selector)
{
	if (v.len == 0 || v.len > DNS_MAX_NAME)
		return 0;
	size_t labels = 0, start = 0;
	for (size_t i = 0; i <= v.len; i++) {
		if (i < v.len && v.ptr[i] != '.') {
			int ch = (unsigned char)v.ptr[i];
			if (!is_alnum(ch) && ch != '-' && !(selector && ch == '_'))
				return 0;
			continue;
		}
		size_t n = i - start;
		if (n == 0 || n > DNS_MAX_LABEL)
			return 0;
		if (v.ptr[start] == '-' || v.ptr[i - 1] == '-')
			return 0;
		labels++;
		start = i + 1;
	}
	return selector || labels >= 2;
}

/* ---- the DKIM-Signature field, RFC 6376 §3.5 ---- */

struct sigctx {
	struct mx_dkim_sig *s;
	int nomem;
	int kind;		/* MX_SIG_DKIM, MX_SIG_ARC_AMS, MX_SIG_ARC_SEAL */
};

/* Record a permerror (the first one wins); detail is the offending value or NULL. */
static int
sig_err(struct sigctx *c, const char *why, const char *p, size_t n)
{
	if (c->s->error == NULL) {
		c->s->error = why;
		if (p) {
			c->s->error_detail = mx_escape_detail(p, n, DETAIL_MAX);
			if (c->s->error_detail == NULL)
				c->nomem = 1;
		}
	}
	return -1;
}

static int
sig_nomem(struct sigctx *c)
{
	c->nomem = 1;
	return -1;
}

/* sig-v-tag = %x76 [FWS] "=" [FWS] 1*DIGIT; only "1" is defined */
static int
tag_v(struct sigctx *c, const struct mx_tag *t)
{
	if (!span_eq(t->value, "1"))
		return sig_err(c, "v= is not 1", t->value.ptr, t->value.len);
	return 0;
}

/*
 * sig-a-tag = sig-a-tag-k "-" sig-a-tag-h: rsa-sha1, rsa-sha256 (§3.3),
 * ed25519-sha256 (RFC 8463)
 */
static int
tag_a(struct sigctx *c, const struct mx_tag *t)
{
	if ((c->s->a = dup_span(t->value, 0)) == NULL)
		return sig_nomem(c);
	if (mx_span_ieq(t->value, "rsa-sha256"))
		c->s->alg = MX_DKIM_RSA_SHA256;
	else if (mx_span_ieq(t->value, "rsa-sha1"))
		c->s->alg = MX_DKIM_RSA_SHA1;
	else if (mx_span_ieq(t->value, "ed25519-sha256"))
		c->s->alg = MX_DKIM_ED25519_SHA256;
	else
		return sig_err(c, "unknown algorithm", t->value.ptr, t->value.len);
	return 0;
}

/* Decode a base64 b= (bh = 0) or bh= (bh = 1) value, capped at MX_DKIM_MAX_B_CHARS characters. */
static int
base64_tag(struct sigctx *c, const struct mx_tag *t, int bh, unsigned char **out,
    size_t *outlen)
{
	size_t chars = 0;
	for (size_t i = 0; i < t->value.len; i++)
		chars += !is_space((unsigned char)t->value.ptr[i]);
	if (chars == 0)
		return sig_err(c, bh ? "bh= is empty" : "b= is empty", NULL, 0);
	if (chars > MX_DKIM_MAX_B_CHARS)
		return sig_err(c, bh ? "bh= is too long" : "b= is too long", NULL, 0);
	int rc = b64_decode(t->value.ptr, t->value.len, out, outlen);
	if (rc < 0)
		return sig_nomem(c);
	if (rc > 0)
		return sig_err(c, bh ? "bh= is not valid base64" : "b= is not valid base64",
		    t->value.ptr, t->value.len);
	return 0;
}

/* sig-b-tag = %x62 [FWS] "=" [FWS] sig-b-tag-data; base64string (§2.4) */
static int
tag_b(struct sigctx *c, const struct mx_tag *t)
{
	/* §3.7: the whole value with the FWS around it is what the header hash deletes */
	c->s->b_value_offset = t->raw_value_offset;
	c->s->b_value_len = t->raw_value_len;
	return base64_tag(c, t, 0, &c->s->b, &c->s->blen);
}

/* sig-bh-tag = %x62 %x68 [FWS] "=" [FWS] sig-bh-tag-data */
static int
tag_bh(struct sigctx *c, const struct mx_tag *t)
{
	return base64_tag(c, t, 1, &c->s->bh, &c->s->bhlen);
}

static int
canon_word(mx_span w, enum mx_dkim_canon *out)
{
	if (mx_span_ieq(w, "simple"))
		*out = MX_CANON_SIMPLE;
	else if (mx_span_ieq(w, "relaxed"))
		*out = MX_CANON_RELAXED;
	else
		return -1;
	return 0;
}

/*
 * sig-c-tag = %x63 [FWS] "=" [FWS] sig-c-tag-alg ["/" sig-c-tag-alg]
 * "If only one algorithm is named, that algorithm is used for the header
 * and "simple" is used for the body."
 */
static int
tag_c(struct sigctx *c, const struct mx_tag *t)
{
	if ((c->s->c = dup_span(t->value, 0)) == NULL)
		return sig_nomem(c);
	const char *slash = t->value.len ? memchr(t->value.ptr, '/', t->value.len) : NULL;
	mx_span h = t->value, b = mx_span_make("simple", 6);
	if (slash) {
		h.len = (size_t)(slash - t->value.ptr);
		b = mx_span_make(slash + 1, t->value.len - h.len - 1);
	}
	if (canon_word(trim(h), &c->s->hcanon) != 0 || canon_word(trim(b), &c->s->bcanon) != 0)
		return sig_err(c, "unknown canonicalization (c=)", t->value.ptr, t->value.len);
	return 0;
}

/* sig-d-tag = %x64 [FWS] "=" [FWS] domain-name */
static int
tag_d(struct sigctx *c, const struct mx_tag *t)
{
	if (!valid_dns_name(t->value, 0))
		return sig_err(c, "d= is not a domain name", t->value.ptr, t->value.len);
	if ((c->s->d = dup_span(t->value, 1)) == NULL)
		return sig_nomem(c);
	return 0;
}

/* RFC 5322 §3.6.8: ftext = %d33-57 / %d59-126 */
static int
valid_field_name(mx_span n)
{
	if (n.len == 0)
		return 0;
	for (size_t i = 0; i < n.len; i++) {
		int ch = (unsigned char)n.ptr[i];
		if (ch < 33 || ch > 126 || ch == ':')
			return 0;
	}
	return 1;
}

/* sig-h-tag = %x68 [FWS] "=" [FWS] hdr-name *( [FWS] ":" [FWS] hdr-name ) */
static int
tag_h(struct sigctx *c, const struct mx_tag *t)
{
	size_t n = 1;
	for (size_t i = 0; i < t->value.len; i++)
		n += t->value.ptr[i] == ':';
	if (n > MX_DKIM_MAX_H)
		return sig_err(c, "h= lists too many fields", NULL, 0);
	/* an ARC-Message-Signature may sign no other field; empty names are skipped (ValiMail's
	 * ams_fields_h_empty and ams_fields_h_mis_hdr verify that way) */
	int ams = c->kind == MX_SIG_ARC_AMS;
	if (t->value.len == 0 && !ams)
		return sig_err(c, "h= is empty", NULL, 0);
	if ((c->s->h = calloc(n, sizeof *c->s->h)) == NULL)
		return sig_nomem(c);
	mx_span rest = t->value, item;
	int more, from = 0;
	while (next_colon_item(&rest, &item, &more)) {
		if (ams && item.len == 0)
			continue;
		if (!valid_field_name(item))
			return sig_err(c, item.len ? "h= holds something that is not a field name" :
			    "h= has an empty field name", t->value.ptr, t->value.len);
		if ((c->s->h[c->s->nh++] = dup_span(item, 1)) == NULL)
			return sig_nomem(c);
		from |= mx_span_ieq(item, "from");
	}
	/* §5.4: "The From header field MUST be signed" */
	if (!from && c->kind == MX_SIG_DKIM)
		return sig_err(c, "h= does not include From", t->value.ptr, t->value.len);
	/* RFC 8617 §4.1.2: the AMS must not sign ARC-Seal fields */
	for (size_t k = 0; c->kind == MX_SIG_ARC_AMS && k < c->s->nh; k++)
		if (strcmp(c->s->h[k], "arc-seal") == 0)
			return sig_err(c, "an ARC-Message-Signature's h= includes ARC-Seal",
			    t->value.ptr, t->value.len);
	return 0;
}

/*
 * sig-i-tag = %x69 [FWS] "=" [FWS] [ Local-part ] "@" domain-name; checked
 * against d= later.  RFC 6376 §3.5: the value is dkim-quoted-printable
 * (§2.11), so "=40" is "@" and "=2E" is "."; decode before checking.
 */
static int
tag_i(struct sigctx *c, const struct mx_tag *t)
{
	char *v = dup_span(t->value, 0);
	if (v == NULL)
		return sig_nomem(c);
	size_t k = 0;
	for (size_t j = 0; v[j]; j++) {
		if (v[j] == '=' && isxdigit((unsigned char)v[j + 1]) &&
		    isxdigit((unsigned char)v[j + 2])) {
			char hx[3] = { v[j + 1], v[j + 2], 0 };
			unsigned long b = strtoul(hx, NULL, 16);
			v[k++] = b ? (char)b : '?';	/* an encoded NUL stays visible and invalid */
			j += 2;
		} else if (v[j] != ' ' && v[j] != '\t' && v[j] != '\r' && v[j] != '\n') {
			v[k++] = v[j];
		}
	}
	v[k] = '\0';
	c->s->i = v;
	return 0;
}

/* sig-l-tag = %x6c [FWS] "=" [FWS] 1*76DIGIT */
static int
tag_l(struct sigctx *c, const struct mx_tag *t)
{
	mx_span v = t->value;
	if (v.len == 0)
		return sig_err(c, "l= is not a number", NULL, 0);
	if (v.len > DKIM_MAX_L_DIGITS)
		return sig_err(c, "l= has more than 76 digits", v.ptr, v.len);
	uint64_t l = 0;
	int big = 0;
	for (size_t i = 0; i < v.len; i++) {
		int ch = (unsigned char)v.ptr[i];
		if (!is_digit(ch))
			return sig_err(c, "l= is not a number", v.ptr, v.len);
		if (!big && l > (DKIM_MAX_L - (uint64_t)(ch - '0')) / 10)
			big = 1;
		if (!big)
			l = l * 10 + (uint64_t)(ch - '0');
	}
	if (big)
		return sig_err(c, "l= is too large (over 2^63)", v.ptr, v.len);
	c->s->has_l = 1;
	c->s->l = l;
	return 0;
}

/*
 * sig-q-tag = %x71 [FWS] "=" [FWS] sig-q-tag-method *([FWS] ":" [FWS] sig-q-tag-method)
 * "dns/txt" is the only method defined; a list that offers it is usable.
 */
static int
tag_q(struct sigctx *c, const struct mx_tag *t)
{
	if ((c->s->q = dup_span(t->value, 0)) == NULL)
		return sig_nomem(c);
	if (!colon_list_has(t->value, "dns/txt", NULL))
		return sig_err(c, "unknown query method (q= is not dns/txt)", t->value.ptr,
		    t->value.len);
	return 0;
}

/* sig-s-tag = %x73 [FWS] "=" [FWS] selector */
static int
tag_s(struct sigctx *c, const struct mx_tag *t)
{
	if (!valid_dns_name(t->value, 1))
		return sig_err(c, "s= is not a selector", t->value.ptr, t->value.len);
	if ((c->s->s = dup_span(t->value, 1)) == NULL)
		return sig_nomem(c);
	return 0;
}

/* sig-t-tag / sig-x-tag = 1*12DIGIT */
static int
time_value(struct sigctx *c, const struct mx_tag *t, const char *not_num, const char *too_long,
    int64_t *out)
{
	mx_span v = t->value;
	if (v.len == 0)
		return sig_err(c, not_num, NULL, 0);
	int64_t x = 0;
	for (size_t i = 0; i < v.len; i++) {
		if (!is_digit((unsigned char)v.ptr[i]))
			return sig_err(c, not_num, v.ptr, v.len);
		if (i >= DKIM_MAX_TIME_DIGITS)
			return sig_err(c, too_long, v.ptr, v.len);
		x = x * 10 + (v.ptr[i] - '0');
	}
	*out = x;
	return 0;
}

static int
tag_t(struct sigctx *c, const struct mx_tag *t)
{
	c->s->has_t = 1;
	return time_value(c, t, "t= is not a number", "t= has more than 12 digits", &c->s->t);
}

static int
tag_x(struct sigctx *c, const struct mx_tag *t)
{
	c->s->has_x = 1;
	return time_value(c, t, "x= is not a number", "x= has more than 12 digits", &c->s->x);
}

/* sig-z-tag: copied header fields, dkim-quoted-printable; kept as written */
static int
tag_z(struct sigctx *c, const struct mx_tag *t)
{
	if ((c->s->z = dup_span(t->value, 0)) == NULL)
		return sig_nomem(c);
	return 0;
}

/* RFC 8617 §4.1.1: i= of an ARC set is its instance, 1 to 50 */
static int
tag_instance(struct sigctx *c, const struct mx_tag *t)
{
	long v = 0;
	if (t->value.len == 0 || t->value.len > 9)
		return sig_err(c, "i= is not an ARC instance (1-50)", t->value.ptr, t->value.len);
	for (size_t k = 0; k < t->value.len; k++) {
		if (!is_digit((unsigned char)t->value.ptr[k]))
			return sig_err(c, "i= is not an ARC instance (1-50)", t->value.ptr, t->value.len);
		v = v * 10 + (t->value.ptr[k] - '0');
	}
	/* kept even when out of range: "51 sets" is a different finding from "i=x" */
	c->s->instance = (int)v;
	if (v < 1 || v > 50)
		return sig_err(c, "i= is not an ARC instance (1-50)", t->value.ptr, t->value.len);
	return 0;
}

/* RFC 8617 §4.1.3: cv = "none" / "fail" / "pass" */
static int
tag_cv(struct sigctx *c, const struct mx_tag *t)
{
	if (!mx_span_ieq(t->value, "none") && !mx_span_ieq(t->value, "fail") && !mx_span_ieq(t->value, "pass"))
		return sig_err(c, "cv= is not none, fail or pass", t->value.ptr, t->value.len);
	if ((c->s->cv = dup_span(t->value, 1)) == NULL)
		return sig_nomem(c);
	return 0;
}

/* tags an ARC-Seal must not carry (RFC 8617 §4.1.3) */
static int
tag_forbidden(struct sigctx *c, const struct mx_tag *t)
{
	return sig_err(c, "an ARC-Seal carries a tag only signatures over messages have",
	    t->name.ptr, t->name.len);
}

static const struct {
	const char *name;
	int (*fn)(struct sigctx *, const struct mx_tag *);
} ams_tags[] = {
	{ "a", tag_a }, { "b", tag_b }, { "bh", tag_bh }, { "c", tag_c }, { "d", tag_d },
	{ "h", tag_h }, { "i", tag_instance }, { "s", tag_s }, { "t", tag_t },
}, seal_tags[] = {
	{ "a", tag_a }, { "b", tag_b }, { "cv", tag_cv }, { "d", tag_d }, { "i", tag_instance },
	{ "s", tag_s }, { "t", tag_t }, { "h", tag_forbidden }, { "bh", tag_forbidden },
};

static const struct {
	const char *name;
	int (*fn)(struct sigctx *, const struct mx_tag *);
} sig_tags[] = {
	{ "v", tag_v }, { "a", tag_a }, { "b", tag_b }, { "bh", tag_bh }, { "c", tag_c },
	{ "d", tag_d }, { "h", tag_h }, { "i", tag_i }, { "l", tag_l }, { "q", tag_q },
	{ "s", tag_s }, { "t", tag_t }, { "x", tag_x }, { "z", tag_z },
};

/* §3.5: "v=", "a=", "b=", "bh=", "d=", "h=", "s=" are REQUIRED */
static const struct {
	const char *name;
	const char *missing;
} sig_required[] = {
	{ "v", "v= is missing" }, { "a", "a= is missing" }, { "b", "b= is missing" },
	{ "bh", "bh= is missing" }, { "d", "d= is missing" }, { "h", "h= is missing" },
	{ "s", "s= is missing" },
};

/* i= "@" domain: the domain must be d= or a subdomain of it (§3.5 "i="). */
static int
check_i(struct sigctx *c)
{
	struct mx_dkim_sig *s = c->s;
	if (s->i == NULL) {
		size_t n = strlen(s->d);
		if ((s->i = malloc(n + 2)) == NULL)
			return sig_nomem(c);
		s->i[0] = '@';
		memcpy(s->i + 1, s->d, n + 1);
		return 0;
	}
	const char *at = strrchr(s->i, '@');
	if (at == NULL)
		return sig_err(c, "i= has no \"@\"", s->i, strlen(s->i));
	const char *dom = at + 1;
	size_t dn = strlen(dom), n = strlen(s->d);
	int within = dn == n ? 1 : dn > n && dom[dn - n - 1] == '.';
	if (within)
		for (size_t k = 0; k < n; k++)
			if (lc((unsigned char)dom[dn - n + k]) != (unsigned char)s->d[k])
				within = 0;
	if (!within)
		return sig_err(c, "i= is not within d=", s->i, strlen(s->i));
	return 0;
}

/* Checks across tags, once the required tags are known to be there. */
static int
sig_cross_checks(struct sigctx *c)
{
	struct mx_dkim_sig *s = c->s;
	if (check_i(c) != 0)
		return -1;
	if (s->has_t && s->has_x && s->x < s->t)
		return sig_err(c, "x= is before t=", NULL, 0);
	size_t want = s->alg == MX_DKIM_RSA_SHA1 ? 20 : 32;
	if (s->bhlen != want)
		return sig_err(c, s->alg == MX_DKIM_RSA_SHA1 ?
		    "bh= is not a SHA-1 digest (20 bytes)" :
		    "bh= is not a SHA-256 digest (32 bytes)", NULL, 0);
	return 0;
}

static void
sig_read(struct sigctx *c, const char *value, size_t len)
{
	struct mx_taglist *tl = malloc(sizeof *tl);
	if (tl == NULL) {
		c->nomem = 1;
		return;
	}
	if (mx_taglist_parse(value, len, tl) != 0) {
		size_t at = tl->error_offset < len ? tl->error_offset : len;
		sig_err(c, tl->error, value + at, len - at);
		goto done;
	}
	if (c->kind != MX_SIG_DKIM) {
		/* ARC (RFC 8617 §4.1.2, §4.1.3) */
		int seal = c->kind == MX_SIG_ARC_SEAL;
		size_t nt = seal ? sizeof seal_tags / sizeof seal_tags[0] :
		    sizeof ams_tags / sizeof ams_tags[0];
		for (size_t i = 0; i < tl->n; i++)
			for (size_t k = 0; k < nt; k++) {
				const char *nm = seal ? seal_tags[k].name : ams_tags[k].name;
				int (*fn)(struct sigctx *, const struct mx_tag *) = seal ? seal_tags[k].fn :
				    ams_tags[k].fn;
				if (span_eq(tl->tags[i].name, nm) && fn(c, &tl->tags[i]) != 0)
					goto done;
			}
		static const char *const ams_req[] = { "a", "b", "bh", "d", "h", "i", "s" };
		static const char *const seal_req[] = { "a", "b", "cv", "d", "i", "s" };
		const char *const *req = seal ? seal_req : ams_req;
		size_t nreq = seal ? 6 : 7;
		for (size_t k = 0; k < nreq; k++)
			if (mx_taglist_get(tl, req[k]) == NULL) {
				sig_err(c, seal ? "a required ARC-Seal tag is missing" :
				    "a required ARC-Message-Signature tag is missing", req[k], strlen(req[k]));
				goto done;
			}
		if (seal)
			c->s->hcanon = MX_CANON_RELAXED;	/* §5.1.1: seals are relaxed */
		else if (c->s->bhlen != (c->s->alg == MX_DKIM_RSA_SHA1 ? 20u : 32u))
			sig_err(c, "bh= is not a digest of the algorithm", NULL, 0);
		goto done;
	}
	for (size_t i = 0; i < tl->n; i++)
		for (size_t k = 0; k < sizeof sig_tags / sizeof sig_tags[0]; k++)
			if (span_eq(tl->tags[i].name, sig_tags[k].name) &&
			    sig_tags[k].fn(c, &tl->tags[i]) != 0)
				goto done;
	for (size_t k = 0; k < sizeof sig_required / sizeof sig_required[0]; k++)
		if (mx_taglist_get(tl, sig_required[k].name) == NULL) {
			sig_err(c, sig_required[k].missing, NULL, 0);
			goto done;
		}
	sig_cross_checks(c);
done:
	free(tl);
}

int
mx_dkim_sig_parse(const char *value, size_t len, struct mx_dkim_sig *out)
{
	return mx_dkim_sig_parse_kind(value, len, MX_SIG_DKIM, out);
}

int
mx_dkim_sig_parse_kind(const char *value, size_t len, int kind, struct mx_dkim_sig *out)
{
	struct sigctx c = { out, 0, kind };
	memset(out, 0, sizeof *out);
	sig_read(&c, value, len);
	if (c.nomem) {
		mx_dkim_sig_finish(out);
		return -1;
	}
	out->ok = out->error == NULL;
	return 0;
}

void
mx_dkim_sig_finish(struct mx_dkim_sig *s)
{
	if (s == NULL)
		return;
	free(s->cv);
	free(s->error_detail);
	free(s->a);
	free(s->c);
	free(s->d);
	free(s->s);
	free(s->i);
	for (size_t k = 0; k < s->nh; k++)
		free(s->h[k]);
	free(s->h);
	free(s->b);
	free(s->bh);
	free(s->q);
	free(s->z);
	memset(s, 0, sizeof *s);
}

/* ---- the key record, RFC 6376 §3.6.1 ---- */

struct keyctx {
	struct mx_dkim_key *k;
	int nomem;
};

static int
key_err(struct keyctx *c, const char *why)
{
	if (c->k->error == NULL)
		c->k->error = why;
	return -1;
}

/* key-h-tag = %x68 [FWS] "=" [FWS] key-h-tag-alg *( [FWS] ":" [FWS] key-h-tag-alg ) */
static int
key_htag(struct keyctx *c, const struct mx_tag *t)
{
	if ((c->k->h = dup_span(t->value, 0)) == NULL)
		c->nomem = 1;
	return c->nomem ? -1 : 0;
}

/* key-k-tag = %x76 [FWS] "=" [FWS] key-k-tag-type; "rsa" (§3.6.1), "ed25519" (RFC 8463) */
static int
key_ktag(struct keyctx *c, const struct mx_tag *t)
{
	free(c->k->k);
	if ((c->k->k = dup_span(t->value, 1)) == NULL) {
		c->nomem = 1;
		return -1;
	}
	if (strcmp(c->k->k, "rsa") != 0 && strcmp(c->k->k, "ed25519") != 0)
		return key_err(c, "unknown key type");
	return 0;
}

/* key-p-tag = %x70 [FWS] "=" [ [FWS] base64string]; empty: "the key has been revoked" */
static int
key_ptag(struct keyctx *c, const struct mx_tag *t)
{
	size_t chars = 0;
	for (size_t i = 0; i < t->value.len; i++)
		chars += !is_space((unsigned char)t->value.ptr[i]);
	if (chars == 0) {
		c->k->revoked = 1;
		return key_err(c, "the key is revoked (empty p=)");
	}
	if (chars > MX_DKIM_MAX_P_CHARS)
		return key_err(c, "p= is too long");
	int rc = b64_decode(t->value.ptr, t->value.len, &c->k->p, &c->k->plen);
	if (rc < 0) {
		c->nomem = 1;
		return -1;
	}
	if (rc > 0)
		return key_err(c, "p= is not valid base64");
	return 0;
}

/* key-s-tag = %x73 [FWS] "=" [FWS] key-s-tag-type *( [FWS] ":" [FWS] key-s-tag-type ) */
static int
key_stag(struct keyctx *c, const struct mx_tag *t)
{
	if ((c->k->s = dup_span(t->value, 0)) == NULL) {
		c->nomem = 1;
		return -1;
	}
	if (!colon_list_has(t->value, "*", "email"))
		return key_err(c, "the key is not for email (s=)");
	return 0;
}

/* key-t-tag = %x74 [FWS] "=" [FWS] key-t-tag-flag *( [FWS] ":" [FWS] key-t-tag-flag ) */
static int
key_ttag(struct keyctx *c, const struct mx_tag *t)
{
	mx_span rest = t->value, item;
	int more;
	while (next_colon_item(&rest, &item, &more)) {
		/* "Unrecognized flags MUST be ignored." */
		if (mx_span_ieq(item, "y"))
			c->k->testing = 1;
		else if (mx_span_ieq(item, "s"))
			c->k->strict = 1;
	}
	return 0;
}

/* key-v-tag = %x76 [FWS] "=" [FWS] %x44.4B.49.4D.31: "DKIM1", exactly, and first */
static int
key_vtag(struct keyctx *c, const struct mx_tag *t)
{
	/* being the first tag is checked by key_read() */
	if (!span_eq(t->value, "DKIM1"))
		return key_err(c, "v= is not DKIM1");
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct keyctx *, const struct mx_tag *);
} key_tags[] = {
	{ "v", key_vtag }, { "h", key_htag }, { "k", key_ktag }, { "p", key_ptag },
	{ "s", key_stag }, { "t", key_ttag },
	/* "n=" notes and RFC 4871's "g=" are ignored like any unknown tag */
};

static void
key_read(struct keyctx *c, const char *txt, size_t len)
{
	struct mx_taglist *tl = malloc(sizeof *tl);
	if (tl == NULL) {
		c->nomem = 1;
		return;
	}
	if (mx_taglist_parse(txt, len, tl) != 0) {
		key_err(c, tl->error);
		goto done;
	}
	/* §3.6.1 v=: "If specified, this tag MUST be set to "DKIM1" ... MUST be the first tag" */
	const struct mx_tag *v = mx_taglist_get(tl, "v");
	if (v != NULL && v != &tl->tags[0]) {
		key_err(c, "v= is not the first tag");
		goto done;
	}
	/*
	 * Every tag is read even after a problem (the first one is the error),
	 * so that an unusable key still reports its k=, s=, t= and revocation.
	 */
	for (size_t i = 0; i < tl->n && !c->nomem; i++)
		for (size_t k = 0; k < sizeof key_tags / sizeof key_tags[0]; k++)
			if (span_eq(tl->tags[i].name, key_tags[k].name))
				key_tags[k].fn(c, &tl->tags[i]);
	if (mx_taglist_get(tl, "p") == NULL)
		key_err(c, "p= is missing");
done:
	free(tl);
}

int
mx_dkim_key_parse(const char *txt, size_t len, struct mx_dkim_key *out)
{
	struct keyctx c = { out, 0 };
	memset(out, 0, sizeof *out);
	if ((out->k = malloc(4)) == NULL)
		return -1;
	memcpy(out->k, "rsa", 4);
	key_read(&c, txt, len);
	if (c.nomem) {
		mx_dkim_key_finish(out);
		return -1;
	}
	out->ok = out->error == NULL;
	return 0;
}

void
mx_dkim_key_finish(struct mx_dkim_key *k)
{
	if (k == NULL)
		return;
	free(k->k);
	free(k->h);
	free(k->p);
	free(k->s);
	memset(k, 0, sizeof *k);
}
