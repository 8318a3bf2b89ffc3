/*
 * spf_record.c - SPF records (RFC 7208 §4.5, §4.6, §5, §6) and macro
 * strings (§7): syntax and expansion, no DNS.
 *
 * One static function per ABNF production over (buf, len); nothing reads
 * past len or relies on a NUL (the record comes from DNS and may hold one).
 * The first problem found is the one reported, with its offset.
 *
 * Choices, each where the RFC or the openspf suite (rfc7208-tests.yml) says so:
 *  - The whole record is checked before anything is evaluated (§4.6: "any
 *    syntax errors anywhere in the record MUST be detected"), including the
 *    macro syntax of unknown modifiers (suite: unknown-modifier-syntax).
 *  - Terms are separated by SP only: any other control byte, a NUL or a
 *    byte >= 0x80 inside a term is a permerror (§4.6.1, §3.1; suite:
 *    control-char-policy, non-ascii-*, badip4).  Runs of SP and trailing SP
 *    are fine (two-spaces, trailing-space).
 *  - A term is a modifier when it starts with a name (ALPHA *(ALPHA / DIGIT
 *    / "-" / "_" / ".")) directly followed by "=" (§4.6.1); anything else is
 *    a directive, and an unknown mechanism name is a permerror.  So
 *    "redirect:x" and "1up=foo" are permerrors, "moo.cow-far_out=x" is an
 *    unknown modifier (suite: modifier-charset-*, redirect-is-modifier).
 *  - "redirect" and "exp" are never unknown modifiers: a bad domain-spec
 *    after them is a permerror, not a fallback (suite: redirect-syntax-error,
 *    exp-syntax-error, exp-empty-domain).
 *  - The macro letters c, r and t are refused in every domain-spec,
 *    including exp= (§7.2; suite: exp-only-macro-char); unknown modifiers
 *    only need macro-string syntax, where they are legal letters.
 *  - dual-cidr-length is read from the end of a/mx terms, so "/" may occur
 *    inside the domain-spec ("a:foo:bar/baz.example.com" is valid).
 *  - CIDR lengths and ip4 octets take no leading zeros (§5.6 ABNF; suite:
 *    cidr4-032); /0 is valid.
 *  - A digit transformer of 0 is a syntax error (§7.3 "the value MUST be
 *    nonzero"); any larger value than the parts available means all of
 *    them, however many digits are written (§7.3), so "%{d2147483648}" is
 *    "%{d}".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "escape.h"
#include "spf_record.h"

/* How much of an offending term error_detail shows (escaped); the rest is cut with "...". */
#define DETAIL_MAX 80
/* RFC 7208 §5.6 ip6-cidr-length: at most 3 digits ("0" / %x31-39 0*2DIGIT) */
#define CIDR_MAX_DIGITS 3
/*
 * §7.3: a digit transformer larger than the parts available means all of
 * them.  Digits are read saturating at this value (above any part count an
 * expansion of MX_SPF_MAX_EXPANSION bytes can have), so no length overflows.
 */
#define DIGITS_SATURATE 100000
/*
 * Name expansions keep only their last bytes once they outgrow the work
 * buffer: the 253 that survive truncation (§7.3) plus the byte before them
 * (to see a label boundary) plus a trailing dot that is dropped.
 */
#define NAME_WINDOW (MX_SPF_MAX_NAME + 2)

/* ---- small helpers ---- */

static int
hex_value(int ch)
{
	return is_digit(ch) ? ch - '0' : lc(ch) - 'a' + 10;
}

/* ABNF literals are case-insensitive (RFC 5234 §2.3). */
static int
ieq(const char *p, size_t n, const char *lit)
{
	if (strlen(lit) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lc((unsigned char)p[i]) != lc((unsigned char)lit[i]))
			return 0;
	return 1;
}

static char *
dup_n(const char *p, size_t n, int lower)
{
	char *s = malloc(n + 1);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = lower ? (char)lc((unsigned char)p[i]) : p[i];
	s[n] = '\0';
	return s;
}

/* ---- RFC 7208 §7.1: macro strings ---- */

/* What a macro-string may hold where it appears. */
enum ms_mode {
	MS_DOMAIN,	/* domain-spec: no SP, no c/r/t (§7.2) */
	MS_MODIFIER,	/* unknown-modifier value: no SP, every macro-letter */
	MS_EXPLAIN,	/* explain-string = *( macro-string / SP ), every letter */
};

/* macro-literal = %x21-24 / %x26-7E  ; visible characters except "%" */
static int
is_macro_literal(int ch)
{
	return (ch >= 0x21 && ch <= 0x24) || (ch >= 0x26 && ch <= 0x7e);
}

/* delimiter = "." / "-" / "+" / "," / "/" / "_" / "=" */
static int
is_delimiter(int ch)
{
	return ch != 0 && strchr(".-+,/_=", ch) != NULL;
}

/* macro-letter = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v" */
static int
is_macro_letter(int ch)
{
	return ch != 0 && strchr("slodiphcrtv", lc(ch)) != NULL;
}

/* One parsed macro-expand of the "%{...}" form. */
struct macro {
	int letter;		/* lower case */
	int url;		/* the letter was upper case: URL-escape (§7.3) */
	size_t digits;		/* 0: none given */
	int reverse;
	const char *delims;	/* span of delimiter characters, may be empty */
	size_t ndelims;
};

/*
 * macro-expand = ( "%{" macro-letter transformers *delimiter "}" )
 *                / "%%" / "%_" / "%-"
 * transformers = *DIGIT [ "r" ]
 * At s[*pos] == '%'.  On success *pos is past the macro; kind is '{' for
 * the braced form (then *m is filled) or the escaped character.
 */
static const char *
macro_expand(const char *s, size_t len, size_t *pos, enum ms_mode mode, int *kind,
    struct macro *m)
{
	size_t i = *pos + 1;
	if (i >= len)
		return "\"%\" at the end of a macro-string";
	int ch = (unsigned char)s[i];
	if (ch == '%' || ch == '_' || ch == '-') {
		*kind = ch;
		*pos = i + 1;
		return NULL;
	}
	if (ch != '{')
		return "\"%\" not followed by \"{\", \"%\", \"_\" or \"-\"";
	i++;
	if (i >= len)
		return "unterminated macro (no \"}\")";
	ch = (unsigned char)s[i];
	if (!is_macro_letter(ch))
		return ch == '}' ? "empty macro \"%{}\"" : "unknown macro letter";
	memset(m, 0, sizeof *m);
	m->letter = lc(ch);
	m->url = ch >= 'A' && ch <= 'Z';
	if (mode == MS_DOMAIN && (m->letter == 'c' || m->letter == 'r' || m->letter == 't'))
		return "macro letters c, r and t are allowed only in explanations (RFC 7208 §7.2)";
	i++;
	int have_digits = 0;
	while (i < len && is_digit((unsigned char)s[i])) {
		have_digits = 1;
		m->digits = m->digits * 10 + (size_t)(s[i] - '0');
		if (m->digits > DIGITS_SATURATE)
			m->digits = DIGITS_SATURATE;
		i++;
	}
	if (have_digits && m->digits == 0)
		return "macro transformer of 0 parts (RFC 7208 §7.3: it MUST be nonzero)";
	if (i < len && lc((unsigned char)s[i]) == 'r') {
		m->reverse = 1;
		i++;
	}
	m->delims = s + i;
	while (i < len && is_delimiter((unsigned char)s[i]))
		i++;
	m->ndelims = (size_t)(s + i - m->delims);
	if (i >= len)
		return "unterminated macro (no \"}\")";
	if (s[i] != '}')
		return "bad character in a macro (after the letter: digits, \"r\", delimiters, \"}\")";
	*kind = '{';
	*pos = i + 1;
	return NULL;
}

/* ---- expansion output (§7.3) ---- */

struct out {
	char *b;
	size_t cap, len;
	int name;		/* keep a window of the end instead of failing when full */
	int dropped;		/* name: bytes before b[0] were dropped */
	int overflow;		/* not name: the result did not fit */
};

static void
put_byte(struct out *o, int ch)
{
	if (o->len == o->cap) {
		if (!o->name) {
			o->overflow = 1;
			return;
		}
		memmove(o->b, o->b + o->len - NAME_WINDOW, NAME_WINDOW);
		o->len = NAME_WINDOW;
		o->dropped = 1;
	}
	o->b[o->len++] = (char)ch;
}

/* unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"  (RFC 3986 §2.3) */
static int
is_unreserved(int ch)
{
	return is_alnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

static void
put_n(struct out *o, const char *p, size_t n, int url)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n && !o->overflow; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (url && !is_unreserved(ch)) {
			put_byte(o, '%');
			put_byte(o, hex[ch >> 4]);
			put_byte(o, hex[ch & 15]);
		} else {
			put_byte(o, ch);
		}
	}
}

/* The delimiters of one macro as a lookup table (every delimiter is ASCII). */
struct delims {
	unsigned char is[128];
};

static int
in_set(int ch, const struct delims *d)
{
	return ch < 128 && d->is[ch];
}

/*
 * §7.3: split v on the delimiters (default "."), reverse if asked, keep the
 * right-most "digits" parts (all when 0 or more than there are), join with
 * ".", then URL-escape for an upper-case letter.  Linear, no allocation.
 */
static void
transform(struct out *o, const char *v, size_t n, const struct macro *m)
{
	struct delims ds;
	memset(&ds, 0, sizeof ds);
	for (size_t i = 0; i < m->ndelims; i++)
		ds.is[(unsigned char)m->delims[i] & 127] = 1;
	if (m->ndelims == 0)
		ds.is['.'] = 1;
	size_t parts = 1;
	for (size_t i = 0; i < n; i++)
		parts += in_set((unsigned char)v[i], &ds);
	size_t keep = m->digits == 0 || m->digits > parts ? parts : m->digits;
	if (!m->reverse) {
		/* parts [parts - keep, parts) in order */
		size_t skip = parts - keep, i = 0;
		while (skip > 0) {
			skip -= in_set((unsigned char)v[i], &ds);
			i++;
		}
		for (size_t j = i; j < n; j++) {
			if (in_set((unsigned char)v[j], &ds))
				put_byte(o, '.');
			else
				put_n(o, v + j, 1, m->url);
		}
		return;
	}
	/* reversed list, right-most keep of it: parts keep-1 down to 0 */
	size_t end = 0, seen = 0;
	while (end < n) {
		if (in_set((unsigned char)v[end], &ds) && ++seen == keep)
			break;
		end++;
	}
	for (;;) {
		size_t start = end;
		while (start > 0 && !in_set((unsigned char)v[start - 1], &ds))
			start--;
		put_n(o, v + start, end - start, m->url);
		if (start == 0)
			break;
		put_byte(o, '.');
		end = start - 1;
	}
}

/*
 * RFC 7208 §7.3: "i" for IPv6 is 32 dot-separated nibbles.  The RFC does not
 * fix their case; they keep the case the address was written in (§7.4's
 * lower-case example, and OpenSPF's v-macro-ip6 for CAFE:BABE::1).
 */
static void
ip_dotted(const unsigned char *ip, int ipv6, int upper, char *buf, size_t n)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	if (ip == NULL) {
		buf[0] = '\0';
		return;
	}
	if (!ipv6) {
		snprintf(buf, n, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
		return;
	}
	size_t o = 0;
	for (int i = 0; i < 16 && o + 4 <= n; i++) {
		buf[o++] = hex[ip[i] >> 4];
		buf[o++] = '.';
		buf[o++] = hex[ip[i] & 15];
		buf[o++] = '.';
	}
	buf[o ? o - 1 : 0] = '\0';
}

/*
 * "c": the address in its readable form: dotted quad, or RFC 5952 for
 * IPv6 (lower case, the longest run of two or more zero groups, the first
 * on a tie, shown as "::"; IPv4-mapped as ::ffff:a.b.c.d, RFC 5952 §5).
 */
static void
ip_readable(const unsigned char *ip, int ipv6, char *buf, size_t n)
{
	if (ip == NULL || !ipv6) {
		ip_dotted(ip, 0, 0, buf, n);
		return;
	}
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(ip, mapped, 12) == 0) {
		snprintf(buf, n, "::ffff:%u.%u.%u.%u", ip[12], ip[13], ip[14], ip[15]);
		return;
	}
	unsigned w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)ip[2 * i] << 8 | ip[2 * i + 1];
	int best = -1, bestlen = 1;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < 8 && o < n; i++) {
		if (i == best) {
			o += (size_t)snprintf(buf + o, n - o, i == 0 ? "::" : ":");
			i += bestlen - 1;
			continue;
		}
		o += (size_t)snprintf(buf + o, n - o, "%x%s", w[i], i < 7 ? ":" : "");
	}
}

/*
 * The value a macro letter stands for (§7.2); small values are formatted
 * into tmp.  An absent context string is empty; r and p default to "unknown".
 */
static const char *
macro_value(int letter, const struct mx_spf_macro_ctx *ctx, char *tmp, size_t tmpn,
    size_t *n)
{
	static const struct mx_spf_macro_ctx none;
	const char *v = "";
	if (ctx == NULL)
		ctx = &none;
	const char *sender = ctx->sender ? ctx->sender : "";
	const char *at = strrchr(sender, '@');
	switch (letter) {
	case 's':
		v = sender;
		break;
	case 'l':
		/* §4.3: no local-part means "postmaster" */
		if (at == NULL || at == sender) {
			v = "postmaster";
			break;
		}
		*n = (size_t)(at - sender);
		return sender;
	case 'o':
		v = at ? at + 1 : sender;
		break;
	case 'd':
		v = ctx->domain ? ctx->domain : "";
		break;
	case 'i':
		ip_dotted(ctx->ip, ctx->ipv6, ctx->ip_upper, tmp, tmpn);
		v = tmp;
		break;
	case 'c':
		ip_readable(ctx->ip, ctx->ipv6, tmp, tmpn);
		v = tmp;
		break;
	case 'p':
		v = ctx->p ? ctx->p(ctx->p_arg) : NULL;
		if (v == NULL)
			v = "unknown";
		break;
	case 'h':
		v = ctx->helo ? ctx->helo : "";
		break;
	case 'r':
		v = ctx->receiver ? ctx->receiver : "unknown";
		break;
	case 't':
		snprintf(tmp, tmpn, "%lld", (long long)ctx->now);
		v = tmp;
		break;
	case 'v':
		v = ctx->ipv6 ? "ip6" : "in-addr";
		break;
	}
	*n = strlen(v);
	return v;
}

/*
 * macro-string = *( macro-expand / macro-literal )
 * explain-string = *( macro-string / SP )
 * Checks s[0..len) and, when o is not NULL, expands it into o.  *at gets
 * the offset of an error; *last_macro_end the offset just past the last
 * macro-expand (0 when none), for domain-end.
 */
static const char *
macro_string(const char *s, size_t len, enum ms_mode mode, const struct mx_spf_macro_ctx *ctx,
    struct out *o, size_t *at, size_t *last_macro_end)
{
	size_t pos = 0;
	if (last_macro_end)
		*last_macro_end = 0;
	while (pos < len) {
		int ch = (unsigned char)s[pos];
		if (ch == '%') {
			struct macro m;
			int kind;
			size_t start = pos;
			const char *err = macro_expand(s, len, &pos, mode, &kind, &m);
			if (err) {
				*at = start;
				return err;
			}
			if (last_macro_end)
				*last_macro_end = pos;
			if (o == NULL)
				continue;
			if (kind == '%')
				put_byte(o, '%');
			else if (kind == '_')
				put_byte(o, ' ');
			else if (kind == '-')
				put_n(o, "%20", 3, 0);
			else {
				char tmp[72];
				size_t n;
				const char *v = macro_value(m.letter, ctx, tmp, sizeof tmp, &n);
				transform(o, v, n, &m);
			}
			continue;
		}
		if (!is_macro_literal(ch) && !(mode == MS_EXPLAIN && ch == ' ')) {
			*at = pos;
			return ch == ' ' ? "space in a domain-spec" : ch == 0 ? "NUL byte" :
			    ch >= 0x80 ? "non-ASCII byte (RFC 7208 §3.1: records are 7-bit ASCII)" :
			    "control character";
		}
		if (o)
			put_byte(o, ch);
		pos++;
	}
	return NULL;
}

/*
 * Finish a name expansion (§7.3): drop one trailing dot (the openspf suite:
 * "trailing dot is ignored for domains"), then while longer than 253 remove
 * labels from the left.  When even the last label is too long nothing is
 * left: the result is "" (not a name; the caller treats it as no match).
 */
static void
finish_name(struct out *o)
{
	if (o->len > 0 && o->b[o->len - 1] == '.')
		o->len--;
	if (o->len <= MX_SPF_MAX_NAME && !o->dropped)
		return;
	size_t from = o->len;
	for (size_t p = 1; p <= o->len; p++)
		if (o->b[p - 1] == '.' && o->len - p <= MX_SPF_MAX_NAME) {
			from = p;
			break;
		}
	memmove(o->b, o->b + from, o->len - from);
	o->len -= from;
}

int
mx_spf_expand(const char *ms, const struct mx_spf_macro_ctx *ctx, int exp, int name,
    char *out, size_t outlen, const char **error)
{
	char work[MX_SPF_MAX_EXPANSION + 1];
	struct out o = { work, MX_SPF_MAX_EXPANSION, 0, name, 0, 0 };
	const char *err = NULL;
	size_t at = 0;
	if (out == NULL || outlen == 0) {
		if (error)
			*error = "no room for the expansion";
		return -1;
	}
	out[0] = '\0';
	if (ms == NULL)
		ms = "";
	err = macro_string(ms, strlen(ms), exp ? MS_EXPLAIN : MS_DOMAIN, ctx, &o, &at, NULL);
	if (err == NULL && o.overflow)
		err = "expansion longer than MX_SPF_MAX_EXPANSION bytes";
	if (err == NULL && name)
		finish_name(&o);
	if (err == NULL && o.len >= outlen)
		err = "expansion longer than the output buffer";
	if (err) {
		if (error)
			*error = err;
		return -1;
	}
	memcpy(out, work, o.len);
	out[o.len] = '\0';
	if (error)
		*error = NULL;
	return 0;
}

void
mx_spf_macro_letters(const char *ms, char *letters, size_t n)
{
	size_t k = 0;
	if (letters == NULL || n == 0)
		return;
	for (size_t i = 0; ms && ms[i]; i++) {
		if (ms[i] != '%')
			continue;
		if (ms[i + 1] == '{' && ms[i + 2] != '\0') {
			int ch = lc((unsigned char)ms[i + 2]);
			if (strchr("lsohip", ch) && !memchr(letters, ch, k) && k + 1 < n)
				letters[k++] = (char)ch;
		}
		if (ms[i + 1] == '\0')
			break;
		i++;	/* "%%" is one literal "%" */
	}
	letters[k] = '\0';
}

/* ---- RFC 7208 §4.6: records ---- */

struct cur {
	const char *b;
	size_t len;
	struct mx_spf_record *out;
	int oom;
};

static int
fail(struct cur *c, size_t at, const char *msg, const char *term, size_t tlen)
{
	if (c->out->error == NULL) {
		c->out->ok = 0;
		c->out->error = msg;
		c->out->error_offset = at;
		if (term) {
			c->out->error_detail = mx_escape_detail(term, tlen, DETAIL_MAX);
			if (c->out->error_detail == NULL)
				c->oom = 1;
		}
	}
	return -1;
}

static int
nomem(struct cur *c)
{
	c->oom = 1;
	return -1;
}

/*
 * toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
 */
static int
toplabel(const char *s, size_t n)
{
	int alpha = 0, dash = 0;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)s[i];
		if (ch == '-')
			dash = 1;
		else if (is_alpha(ch))
			alpha = 1;
		else if (!is_digit(ch))
			return 0;
	}
	if (!dash)
		return alpha;
	return is_alnum((unsigned char)s[0]) && is_alnum((unsigned char)s[n - 1]);
}

/*
 * domain-spec = macro-string domain-end
 * domain-end  = ( "." toplabel [ "." ] ) / macro-expand
 * Returns the error or NULL; *at is relative to s.
 */
static const char *
domain_spec(const char *s, size_t n, size_t *at)
{
	size_t mend;
	if (n == 0) {
		*at = 0;
		return "empty domain-spec";
	}
	const char *err = macro_string(s, n, MS_DOMAIN, NULL, NULL, at, &mend);
	if (err)
		return err;
	if (mend == n)
		return NULL;	/* ends in a macro-expand */
	size_t e = n;
	if (s[e - 1] == '.')
		e--;
	size_t d = e;
	while (d > mend && s[d - 1] != '.')
		d--;
	*at = d;
	if (d == mend)
		return "domain-spec does not end in \".\" toplabel or a macro (RFC 7208 §7.1)";
	if (!toplabel(s + d, e - d))
		return "bad top-level label in a domain-spec (RFC 7208 §7.1: letters, digits, "
		    "inner \"-\", not all digits)";
	return NULL;
}

/*
 * ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT) ; value range 0-32
 * ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT) ; value range 0-128
 * s holds the digits after "/".  Returns the value or -1.
 */
static int
cidr_length(const char *s, size_t n, int max)
{
	int v = 0;
	if (n == 0 || n > CIDR_MAX_DIGITS || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/*
 * qnum = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT / "25" %x30-35
 * ip4-network = qnum "." qnum "." qnum "." qnum
 */
static int
ip4_network(const char *s, size_t n, unsigned char out[4])
{
	size_t i = 0;
	for (int k = 0; k < 4; k++) {
		if (k > 0) {
			if (i >= n || s[i] != '.')
				return -1;
			i++;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < n && is_digit((unsigned char)s[i]) && i - start < 3) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
		}
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return -1;
		out[k] = (unsigned char)v;
	}
	return i == n ? 0 : -1;
}

/*
 * ip6-network = <as per RFC 4291 §2.2>: eight groups of 1-4 hex digits,
 * one "::" for one or more zero groups, the last 32 bits optionally as a
 * dotted quad (strict, as ip4-network).
 */
static int
ip6_network(const char *s, size_t n, unsigned char out[16])
{
	unsigned w[8] = { 0 };
	int nw = 0, gap = -1;
	size_t i = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n == 0 || s[0] == ':') {
		return -1;
	}
	while (i < n) {
		size_t t = i;
		int dot = 0;
		while (t < n && s[t] != ':') {
			dot |= s[t] == '.';
			t++;
		}
		if (dot) {
			unsigned char q[4];
			if (t != n || nw > 6 || ip4_network(s + i, t - i, q) != 0)
				return -1;
			w[nw++] = (unsigned)q[0] << 8 | q[1];
			w[nw++] = (unsigned)q[2] << 8 | q[3];
			break;
		}
		if (t == i || t - i > 4 || nw >= 8)
			return -1;
		unsigned v = 0;
		for (size_t k = i; k < t; k++) {
			if (!is_hex((unsigned char)s[k]))
				return -1;
			v = v << 4 | (unsigned)hex_value((unsigned char)s[k]);
		}
		w[nw++] = v;
		if (t == n)
			break;
		i = t + 1;
		if (i < n && s[i] == ':') {
			if (gap >= 0)
				return -1;
			gap = nw;
			i++;
		} else if (i == n) {
			return -1;	/* a single trailing ":" */
		}
	}
	if (gap < 0 ? nw != 8 : nw > 7)
		return -1;
	unsigned full[8] = { 0 };
	int tail = gap < 0 ? 0 : nw - gap;
	for (int k = 0; k < (gap < 0 ? nw : gap); k++)
		full[k] = w[k];
	for (int k = 0; k < tail; k++)
		full[8 - tail + k] = w[gap + k];
	for (int k = 0; k < 8; k++) {
		out[2 * k] = (unsigned char)(full[k] >> 8);
		out[2 * k + 1] = (unsigned char)full[k];
	}
	return 0;
}

static int
add_term(struct cur *c, struct mx_spf_term *t, size_t *cap)
{
	struct mx_spf_record *r = c->out;
	if (r->nterms == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct mx_spf_term *nt = realloc(r->terms, ncap * sizeof *nt);
		if (nt == NULL)
			return nomem(c);
		r->terms = nt;
		*cap = ncap;
	}
	r->terms[r->nterms++] = *t;
	return 0;
}

/* The domain-spec of a mechanism, copied; s[0..n) at offset base of the record. */
static int
mech_domain(struct cur *c, struct mx_spf_term *t, const char *s, size_t n, size_t base,
    const char *term, size_t tlen)
{
	size_t at = 0;
	const char *err = domain_spec(s, n, &at);
	if (err)
		return fail(c, base + at, err, term, tlen);
	t->domain_spec = dup_n(s, n, 0);
	return t->domain_spec ? 0 : nomem(c);
}

/*
 * dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
 * Taken off the end of s[0..*n): *n shrinks to what is left before it.
 */
static const char *
dual_cidr(const char *s, size_t *n, struct mx_spf_term *t)
{
	size_t e = *n, d = e;
	while (d > 0 && is_digit((unsigned char)s[d - 1]))
		d--;
	if (d < e && d >= 2 && s[d - 1] == '/' && s[d - 2] == '/') {
		t->cidr6 = cidr_length(s + d, e - d, 128);
		*n = d - 2;
		if (t->cidr6 < 0)
			return "bad ip6-cidr-length (RFC 7208 §5.6: 0-128, no leading zeros)";
		e = d - 2;
		d = e;
		while (d > 0 && is_digit((unsigned char)s[d - 1]))
			d--;
	}
	if (d < e && d >= 1 && s[d - 1] == '/') {
		t->cidr4 = cidr_length(s + d, e - d, 32);
		*n = d - 1;
		if (t->cidr4 < 0)
			return "bad ip4-cidr-length (RFC 7208 §5.6: 0-32, no leading zeros)";
		e = d - 1;
	}
	*n = e;
	return NULL;
}

/*
 * directive = [ qualifier ] mechanism
 * mechanism = ( all / include / a / mx / ptr / ip4 / ip6 / exists )   (§5)
 */
static int
directive(struct cur *c, size_t off, size_t tlen, size_t *cap)
{
	const char *term = c->b + off, *p = term;
	size_t n = tlen;
	struct mx_spf_term t;
	memset(&t, 0, sizeof t);
	t.qualifier = MX_SPF_Q_PASS;
	t.cidr4 = t.cidr6 = -1;
	t.offset = off;
	if (n > 0 && strchr("+-?~", *p) != NULL) {
		t.qualifier = (enum mx_spf_qualifier)*p;
		p++;
		n--;
	}
	size_t nl = 0;
	while (nl < n && is_alnum((unsigned char)p[nl]))
		nl++;
	const char *arg = p + nl;
	size_t alen = n - nl, abase = (size_t)(arg - c->b);
	int colon = alen > 0 && arg[0] == ':';
	const char *err = NULL;
	if (ieq(p, nl, "all")) {
		t.mech = MX_SPF_ALL;
		if (alen)	/* all = "all" (§5.1) */
			return fail(c, abase, "\"all\" takes no argument", term, tlen);
	} else if (ieq(p, nl, "include") || ieq(p, nl, "exists")) {
		/* include = "include" ":" domain-spec (§5.2); exists = "exists" ":" domain-spec (§5.7) */
		t.mech = lc(*p) == 'i' ? MX_SPF_INCLUDE : MX_SPF_EXISTS;
		if (!colon)
			return fail(c, abase, t.mech == MX_SPF_INCLUDE ? "include needs \":\" domain-spec" :
			    "exists needs \":\" domain-spec", term, tlen);
		if (mech_domain(c, &t, arg + 1, alen - 1, abase + 1, term, tlen) != 0)
			return -1;
	} else if (ieq(p, nl, "a") || ieq(p, nl, "mx")) {
		/* A = "a" [ ":" domain-spec ] [ dual-cidr-length ] (§5.3), MX alike (§5.4) */
		t.mech = nl == 1 ? MX_SPF_A : MX_SPF_MX;
		size_t rest = alen;
		if ((err = dual_cidr(arg, &rest, &t)) != NULL)
			return fail(c, abase + rest, err, term, tlen);
		if (colon) {
			if (mech_domain(c, &t, arg + 1, rest - 1, abase + 1, term, tlen) != 0)
				return -1;
		} else if (rest != 0) {
			return fail(c, abase, "bad argument (a and mx take \":\" domain-spec and "
			    "/cidr)", term, tlen);
		}
	} else if (ieq(p, nl, "ptr")) {
		/* PTR = "ptr" [ ":" domain-spec ] (§5.5) */
		t.mech = MX_SPF_PTR;
		if (colon) {
			if (mech_domain(c, &t, arg + 1, alen - 1, abase + 1, term, tlen) != 0)
				return -1;
		} else if (alen) {
			return fail(c, abase, "ptr takes only \":\" domain-spec", term, tlen);
		}
	} else if (ieq(p, nl, "ip4") || ieq(p, nl, "ip6")) {
		/* IP4 = "ip4" ":" ip4-network [ ip4-cidr-length ] (§5.6), IP6 alike */
		int v6 = p[2] == '6';
		t.mech = v6 ? MX_SPF_IP6 : MX_SPF_IP4;
		if (!colon)
			return fail(c, abase, v6 ? "ip6 needs \":\" ip6-network" :
			    "ip4 needs \":\" ip4-network", term, tlen);
		const char *net = arg + 1;
		size_t nn = alen - 1;
		const char *slash = memchr(net, '/', nn);
		size_t alen_net = slash ? (size_t)(slash - net) : nn;
		if ((v6 ? ip6_network(net, alen_net, t.addr) : ip4_network(net, alen_net, t.addr)) != 0)
			return fail(c, abase + 1, v6 ? "bad ip6-network (RFC 4291 §2.2)" :
			    "bad ip4-network (RFC 7208 §5.6: dotted quad, no leading zeros)", term, tlen);
		int len = v6 ? 128 : 32;
		if (slash) {
			len = cidr_length(slash + 1, nn - alen_net - 1, v6 ? 128 : 32);
			if (len < 0)
				return fail(c, (size_t)(slash - c->b), v6 ?
				    "bad ip6-cidr-length (RFC 7208 §5.6: 0-128, no leading zeros)" :
				    "bad ip4-cidr-length (RFC 7208 §5.6: 0-32, no leading zeros)", term, tlen);
		}
		if (v6)
			t.cidr6 = len;
		else
			t.cidr4 = len;
	} else {
		return fail(c, off, nl ? "unknown mechanism" : "a term must be a mechanism or "
		    "name=value", term, tlen);
	}
	t.text = dup_n(term, tlen, 0);
	if (t.text == NULL) {
		free(t.domain_spec);
		return nomem(c);
	}
	if (add_term(c, &t, cap) != 0) {
		free(t.text);
		free(t.domain_spec);
		return -1;
	}
	return 0;
}

/*
 * modifier         = redirect / explanation / unknown-modifier
 * redirect         = "redirect" "=" domain-spec        (§6.1)
 * explanation      = "exp" "=" domain-spec             (§6.2)
 * unknown-modifier = name "=" macro-string
 */
static int
modifier(struct cur *c, size_t off, size_t nlen, size_t tlen)
{
	struct mx_spf_record *r = c->out;
	const char *term = c->b + off, *v = term + nlen + 1;
	size_t vlen = tlen - nlen - 1, voff = off + nlen + 1, at = 0;
	const char *err;
	if (ieq(term, nlen, "redirect") || ieq(term, nlen, "exp")) {
		int redir = nlen == 8;
		char **slot = redir ? &r->redirect : &r->exp;
		/* §6: "MUST NOT appear in a record more than once each" */
		if (*slot)
			return fail(c, off, redir ? "redirect= given twice" : "exp= given twice",
			    term, tlen);
		if ((err = domain_spec(v, vlen, &at)) != NULL)
			return fail(c, voff + at, err, term, tlen);
		*slot = dup_n(v, vlen, 0);
		return *slot ? 0 : nomem(c);
	}
	if ((err = macro_string(v, vlen, MS_MODIFIER, NULL, NULL, &at, NULL)) != NULL)
		return fail(c, voff + at, err, term, tlen);
	struct mx_spf_modifier *nu = realloc(r->unknown, (r->nunknown + 1) * sizeof *nu);
	if (nu == NULL)
		return nomem(c);
	r->unknown = nu;
	struct mx_spf_modifier *m = &r->unknown[r->nunknown];
	m->name = dup_n(term, nlen, 1);
	m->value = dup_n(v, vlen, 0);
	m->offset = off;
	if (m->name == NULL || m->value == NULL) {
		free(m->name);
		free(m->value);
		return nomem(c);
	}
	r->nunknown++;
	return 0;
}

/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ); returns its length, 0 when none. */
static size_t
name(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	while (i < n && (is_alnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' ||
	    s[i] == '.'))
		i++;
	return i;
}

/* One term (§4.6.1): a modifier when a name is followed directly by "=". */
static int
term(struct cur *c, size_t off, size_t tlen, size_t *cap)
{
	const char *s = c->b + off;
	for (size_t i = 0; i < tlen; i++) {
		int ch = (unsigned char)s[i];
		if (ch < 0x21 || ch > 0x7e)
			return fail(c, off + i, ch == 0 ? "NUL byte in a term" : ch >= 0x80 ?
			    "non-ASCII byte in a term (RFC 7208 §3.1: records are 7-bit ASCII)" :
			    "control character in a term (RFC 7208 §4.6.1: only SP separates terms)",
			    s, tlen);
	}
	if (c->out->nterms + c->out->nunknown + (c->out->redirect != NULL) +
	    (c->out->exp != NULL) >= MX_SPF_MAX_TERMS)
		return fail(c, off, "more terms than mxray reads (MX_SPF_MAX_TERMS)", s, tlen);
	size_t nl = name(s, tlen);
	if (nl > 0 && nl < tlen && s[nl] == '=')
		return modifier(c, off, nl, tlen);
	return directive(c, off, tlen, cap);
}

int
mx_spf_is_record(const char *txt, size_t len)
{
	/* version = "v=spf1", then SP or the end (§4.5) */
	return txt != NULL && len >= 6 && ieq(txt, 6, "v=spf1") && (len == 6 || txt[6] == ' ');
}

/* record = version terms *SP ; terms = *( 1*SP ( directive / modifier ) ) */
int
mx_spf_record_parse(const char *txt, size_t len, struct mx_spf_record *out)
{
	struct cur c = { txt, len, out, 0 };
	size_t cap = 0, pos = 6;
	memset(out, 0, sizeof *out);
	out->ok = 1;
	out->length = len;
	if (!mx_spf_is_record(txt, len)) {
		fail(&c, 0, "not an SPF record (RFC 7208 §4.5: \"v=spf1\" then SP or the end)",
		    txt, txt ? len : 0);
		return c.oom ? -1 : 0;
	}
	while (pos < len && !c.oom && out->error == NULL) {
		while (pos < len && txt[pos] == ' ')
			pos++;
		size_t start = pos;
		while (pos < len && txt[pos] != ' ')
			pos++;
		if (pos > start)
			term(&c, start, pos - start, &cap);
	}
	if (c.oom) {
		out->ok = 0;
		if (out->error == NULL)
			out->error = "out of memory";
		return -1;
	}
	return 0;
}

void
mx_spf_record_finish(struct mx_spf_record *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nterms; i++) {
		free(r->terms[i].domain_spec);
		free(r->terms[i].text);
	}
	free(r->terms);
	for (size_t i = 0; i < r->nunknown; i++) {
		free(r->unknown[i].name);
		free(r->unknown[i].value);
	}
	free(r->unknown);
	free(r->redirect);
	free(r->exp);
	free(r->error_detail);
	memset(r, 0, sizeof *r);
}
