/*
 * dkim_diag.c - why a DKIM signature failed, found by trying the known
 * transformations relays apply and naming the one that makes it verify.
 *
 * Every hypothesis is tested, never guessed: a diagnosis is reported only
 * when the altered message reproduces the signed hash.  The one exception
 * is "body_modified"/"header_modified", which says that none did.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "mime.h"

/* Line boundaries tried when looking for a signed prefix: footers are short. */
#define MX_DIAG_MAX_CUTS 400
/* Fields removed one at a time when looking for one added after signing. */
#define MX_DIAG_MAX_REMOVALS 40

static void
set_diag(struct mx_dkim_result *r, const char *code, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_diag(struct mx_dkim_result *r, const char *code, const char *f, ...)
{
	free(r->diag_code);
	free(r->diag_detail);
	r->diag_code = strdup(code);
	va_list ap;
	va_start(ap, f);
	if (vasprintf(&r->diag_detail, f, ap) < 0)
		r->diag_detail = NULL;
	va_end(ap);
}

/* A short, printable excerpt of p[0..n) for a person. */
static void
excerpt(const char *p, size_t n, char *dst, size_t dstlen)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 4 < dstlen; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\r')
			continue;
		if (c == '\n') {
			if (k && dst[k - 1] != ' ')
				dst[k++] = ' ';
			continue;
		}
		dst[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (k + 4 < dstlen && n > 0 && k >= dstlen - 8) {
		dst[k++] = '.';
		dst[k++] = '.';
		dst[k++] = '.';
	}
	dst[k] = '\0';
}

static int
body_matches(const struct mx_dkim_result *r, const char *body, size_t len)
{
	unsigned char d[MX_DIGEST_MAX];
	size_t n = mx_dkim_body_digest(&r->sig, body, len, d, NULL);
	return n == r->sig.bhlen && memcmp(d, r->sig.bh, n) == 0;
}

/* Apply a line-by-line rewrite to the body; returns an owned copy. */
typedef size_t (*line_fn)(const char *line, size_t len, char *out, void *ctx);

static char *
rewrite_lines(const char *body, size_t len, size_t extra, line_fn fn, void *ctx, size_t *outlen)
{
	char *out = malloc(len * 2 + extra + 16);
	if (out == NULL)
		return NULL;
	size_t n = 0, pos = 0;
	while (pos < len) {
		const char *lf = memchr(body + pos, '\n', len - pos);
		size_t end = lf ? (size_t)(lf - body) : len;
		size_t cend = end > pos && body[end - 1] == '\r' ? end - 1 : end;
		n += fn(body + pos, cend - pos, out + n, ctx);
		if (lf) {
			memcpy(out + n, body + cend, end + 1 - cend);
			n += end + 1 - cend;
		}
		pos = lf ? end + 1 : len;
	}
	*outlen = n;
	return out;
}

static size_t
strip_trailing_ws(const char *l, size_t n, char *out, void *ctx)
{
	(void)ctx;
	while (n && (l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	memcpy(out, l, n);
	return n;
}

static size_t
restore_sig_dashes(const char *l, size_t n, char *out, void *ctx)
{
	(void)ctx;
	memcpy(out, l, n);
	if (n == 2 && l[0] == '-' && l[1] == '-') {
		out[2] = ' ';
		return 3;
	}
	return n;
}

static size_t
unescape_from(const char *l, size_t n, char *out, void *ctx)
{
	/* mboxo/mboxrd: ">From " back to "From " (">>From " to ">From ") */
	size_t k = 0;
	while (k < n && l[k] == '>')
		k++;
	if (k > 0 && n - k >= 5 && memcmp(l + k, "From ", 5) == 0) {
		(*(int *)ctx)++;
		memcpy(out, l + 1, n - 1);
		return n - 1;
	}
	memcpy(out, l, n);
	return n;
}

static int
try_rewrite(const struct mx_dkim_result *r, const char *body, size_t len, line_fn fn, void *ctx)
{
	size_t n;
	char *b = rewrite_lines(body, len, len / 2, fn, ctx, &n);
	if (b == NULL)
		return 0;
	int ok = body_matches(r, b, n);
	free(b);
	return ok;
}

/* format=flowed (RFC 3676): soft line breaks are a space at the end of a line.
 * Put one back at the end of every line that another non-empty line follows. */
static int
try_flowed(const struct mx_dkim_result *r, const char *body, size_t len)
{
	char *b = malloc(len * 2 + 1);
	if (b == NULL)
		return 0;
	size_t n = 0, pos = 0;
	while (pos < len) {
		const char *lf = memchr(body + pos, '\n', len - pos);
		size_t end = lf ? (size_t)(lf - body) : len;
		size_t cend = end > pos && body[end - 1] == '\r' ? end - 1 : end;
		memcpy(b + n, body + pos, cend - pos);
		n += cend - pos;
		size_t next = lf ? end + 1 : len;
		int next_nonempty = next < len && body[next] != '\r' && body[next] != '\n';
		if (cend > pos && next_nonempty && body[cend - 1] != ' ')
			b[n++] = ' ';
		memcpy(b + n, body + cend, next - cend);
		n += next - cend;
		pos = next;
	}
	int ok = body_matches(r, b, n);
	free(b);
	return ok;
}

/* 1 when no body line ends in whitespace (what a stripping relay leaves). */
static int
no_trailing_ws(const char *body, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (body[i] == '\n' && i > 0) {
			size_t e = body[i - 1] == '\r' ? i - 1 : i;
			if (e > 0 && (body[e - 1] == ' ' || body[e - 1] == '\t'))
				return 0;
		}
	return 1;
}

/* The longest signed prefix ending at a line boundary: a footer was appended. */
static int
try_footer(struct mx_dkim_result *r, const char *body, size_t len)
{
	size_t cuts = 0;
	for (size_t end = len; end > 0 && cuts < MX_DIAG_MAX_CUTS; cuts++) {
		/* previous line boundary */
		size_t p = end - 1;
		while (p > 0 && body[p - 1] != '\n')
			p--;
		if (p == 0)
			break;
		if (body_matches(r, body, p)) {
			char tail[100];
			excerpt(body + p, len - p, tail, sizeof tail);
			set_diag(r, "footer_appended", "The first %zu bytes of the body still match "
			    "the signature; %zu bytes were added after signing, starting \"%s\". A "
			    "mailing list or gateway appended a footer: ARC from that intermediary, or "
			    "not modifying signed mail, keeps DKIM intact.", p, len - p, tail);
			return 1;
		}
		end = p;
	}
	/* a footer inserted before the closing MIME boundary (how lists add one to multipart) */
	const char *close = NULL;
	for (size_t i = len; i > 2 && close == NULL; i--) {
		if (body[i - 1] == '\n' && i + 1 < len && body[i] == '-' && body[i + 1] == '-')
			close = body + i;
		if (len - i > 4096)
			break;
	}
	if (close == NULL)
		return 0;
	size_t cpos = (size_t)(close - body);
	cuts = 0;
	for (size_t start = cpos; start > 0 && cuts < MX_DIAG_MAX_CUTS; cuts++) {
		size_t p = start - 1;
		while (p > 0 && body[p - 1] != '\n')
			p--;
		if (p == 0)
			break;
		char *b = malloc(len);
		if (b == NULL)
			return 0;
		memcpy(b, body, p);
		memcpy(b + p, body + cpos, len - cpos);
		int ok = body_matches(r, b, p + len - cpos);
		free(b);
		if (ok) {
			char ins[100];
			excerpt(body + p, cpos - p, ins, sizeof ins);
			set_diag(r, "footer_appended", "%zu bytes were inserted before the closing MIME "
			    "boundary after signing, starting \"%s\": a mailing list added a footer "
			    "part. Without it the body matches the signature.", cpos - p, ins);
			return 1;
		}
		start = p;
	}
	return 0;
}

/* The first NAME field's value, trimmed and lower-cased into buf (128 bytes), or NULL. */
#define HV_LEN 128
static const char *
header_value(const struct mx_analysis *a, const char *name, char buf[HV_LEN])
{
	long i = mx_header_find(&a->hdr, name, 0);
	if (i < 0)
		return NULL;
	mx_span v = a->hdr.fields[i].value;
	size_t k = 0;
	for (size_t j = 0; j < v.len && k + 1 < HV_LEN; j++)
		if (!isspace((unsigned char)v.ptr[j]) || k)
			buf[k++] = (char)tolower((unsigned char)v.ptr[j]);
	while (k && isspace((unsigned char)buf[k - 1]))
		k--;
	buf[k] = '\0';
	return buf;
}

static void
diagnose_body(struct mx_analysis *a, struct mx_dkim_result *r)
{
	const char *body = a->buf + a->hdr.body_offset;
	size_t len = a->len - a->hdr.body_offset;
	if (r->sig.has_l && r->sig.l > r->body_canon_len) {
		set_diag(r, "body_truncated", "l= says %llu body bytes were signed, but the body "
		    "now has %llu: it was cut after signing.", (unsigned long long)r->sig.l,
		    (unsigned long long)r->body_canon_len);
		return;
	}
	if (try_footer(r, body, len))
		return;
	int count = 0;
	if (try_rewrite(r, body, len, unescape_from, &count) && count) {
		set_diag(r, "mbox_from_escaped", "%d body line%s starting \"From \" became "
		    "\">From \" (mbox storage escaping); undone, the body matches.", count,
		    count == 1 ? "" : "s");
		return;
	}
	if (r->sig.bcanon == MX_CANON_SIMPLE) {
		if (try_rewrite(r, body, len, strip_trailing_ws, NULL)) {
			set_diag(r, "trailing_whitespace_added", "Whitespace was added at the end of "
			    "body lines after signing; without it the body matches. Signing with "
			    "c=relaxed/relaxed survives this.");
			return;
		}
		if (try_rewrite(r, body, len, restore_sig_dashes, NULL) ||
		    try_flowed(r, body, len)) {
			set_diag(r, "trailing_whitespace_stripped", "Trailing whitespace was stripped "
			    "from body lines (the signature separator \"-- \" became \"--\"); restored, "
			    "the body matches. Signing with c=relaxed/relaxed survives this.");
			return;
		}
	}
	/* CRLF turned into LF by the signer's or a relay's software */
	size_t n = 0;
	char *lfb = malloc(len + 1);
	if (lfb) {
		for (size_t i = 0; i < len; i++)
			if (!(body[i] == '\r' && i + 1 < len && body[i + 1] == '\n'))
				lfb[n++] = body[i];
		int ok = n != len && body_matches(r, lfb, n);
		free(lfb);
		if (ok) {
			set_diag(r, "line_endings_converted", "The signature was made over the body "
			    "with LF line endings, but it travelled with CRLF: the signing software "
			    "hashed the wrong line endings.");
			return;
		}
	}
	/* re-encoded by a relay: decode and hash what the signer may have signed */
	char cte_buf[HV_LEN], ct_buf[HV_LEN];
	const char *cte = header_value(a, "Content-Transfer-Encoding", cte_buf);
	if (cte && (strcmp(cte, "base64") == 0 || strcmp(cte, "quoted-printable") == 0)) {
		size_t dl;
		char *dec = mx_mime_decode_cte(cte, body, len, &dl);
		if (dec) {
			int ok = body_matches(r, dec, dl);
			free(dec);
			if (ok) {
				set_diag(r, "body_reencoded", "The body was re-encoded to %s after "
				    "signing (decoded, it matches the signature): a relay converted "
				    "8-bit content. Signers can send 7-bit-safe encodings to avoid this.",
				    cte);
				return;
			}
		}
	}
	const char *ct = header_value(a, "Content-Type", ct_buf);
	if (r->sig.bcanon == MX_CANON_SIMPLE && ct && strstr(ct, "format=flowed") &&
	    no_trailing_ws(body, len)) {
		set_diag(r, "trailing_whitespace_stripped", "Most likely trailing whitespace was "
		    "stripped: the text is format=flowed, whose soft line breaks are spaces at line "
		    "ends, yet no line ends in a space now, and the signature (c=simple body) "
		    "covered them. mxray could not restore the exact spaces to prove it. Signing "
		    "with c=relaxed/relaxed survives this.");
		return;
	}
	set_diag(r, "body_modified", "The body changed after signing in a way mxray cannot "
	    "reproduce (it tried an appended footer, mbox escaping, whitespace and line-ending "
	    "changes, and re-encoding).");
}

/* --- headers --- */

static int
fields_verify(const struct mx_dkim_result *r, const struct mx_dkim_sig *s,
    const struct mx_field *f, size_t n, size_t sig_field)
{
	unsigned char d[MX_DIGEST_MAX];
	size_t l = mx_dkim_header_digest(s, f, n, sig_field, d);
	return l && mx_dkim_check(r, d, l) == 1;
}

static const char *const subject_tags[] = {
	"EXTERNAL:", "[EXTERNAL]", "EXT:", "[EXT]", "*SPAM*", "***SPAM***", "[SPAM]", "[SUSPICIOUS]",
	"WARNING:", "[WARNING]", "CAUTION:",
};

/* The subject value without a tag a list or gateway put in front, or 0. */
static size_t
untag(const char *v, size_t len, size_t *cut)
{
	size_t i = 0;
	while (i < len && (v[i] == ' ' || v[i] == '\t'))
		i++;
	size_t start = i;
	if (i < len && v[i] == '[') {
		const char *close = memchr(v + i, ']', len - i);
		if (close && close - (v + i) < 64) {
			size_t e = (size_t)(close - v) + 1;
			while (e < len && v[e] == ' ')
				e++;
			*cut = e - start;
			return start;
		}
	}
	for (size_t k = 0; k < sizeof subject_tags / sizeof subject_tags[0]; k++) {
		size_t tl = strlen(subject_tags[k]);
		if (len - i >= tl && strncasecmp(v + i, subject_tags[k], tl) == 0) {
			size_t e = i + tl;
			while (e < len && v[e] == ' ')
				e++;
			*cut = e - start;
			return start;
		}
	}
	*cut = 0;
	return 0;
}

static int
try_subject(struct mx_analysis *a, struct mx_dkim_result *r)
{
	long si = -1;
	for (size_t i = a->hdr.nfields; i-- > 0;)
		if (mx_span_ieq(a->hdr.fields[i].name, "Subject")) {
			si = (long)i;
			break;
		}
	if (si < 0)
		return 0;
	const struct mx_field *sf = &a->hdr.fields[si];
	size_t cut;
	size_t at = untag(sf->value.ptr, sf->value.len, &cut);
	if (cut == 0)
		return 0;
	size_t voff = (size_t)(sf->value.ptr - sf->raw.ptr) + at;
	char *raw = malloc(sf->raw.len);
	struct mx_field *copy = malloc(a->hdr.nfields * sizeof *copy);
	if (raw == NULL || copy == NULL) {
		free(raw);
		free(copy);
		return 0;
	}
	memcpy(raw, sf->raw.ptr, voff);
	memcpy(raw + voff, sf->raw.ptr + voff + cut, sf->raw.len - voff - cut);
	memcpy(copy, a->hdr.fields, a->hdr.nfields * sizeof *copy);
	copy[si].raw = mx_span_make(raw, sf->raw.len - cut);
	int ok = fields_verify(r, &r->sig, copy, a->hdr.nfields, (size_t)r->field_index);
	if (ok) {
		char tag[80];
		excerpt(sf->value.ptr + at, cut, tag, sizeof tag);
		set_diag(r, "subject_tagged", "The Subject was tagged \"%s\" after signing (a mailing "
		    "list or a security gateway); without the tag the signature verifies. The list "
		    "or gateway should add ARC, or stop editing signed headers.", tag);
	}
	free(raw);
	free(copy);
	return ok;
}

/* Re-verifications tried when looking for the folding a field was signed with. */
#define MX_DIAG_MAX_REFOLDS 240

/*
 * c=simple headers hash the folding too.  For each signed field that is
 * folded or long, collapse its folds and try the foldings a signer writes:
 * none, or one CRLF before any space (", " SP or TAB continuation).
 */
static int
try_refold(struct mx_analysis *a, struct mx_dkim_result *r)
{
	if (r->sig.hcanon != MX_CANON_SIMPLE)
		return 0;
	size_t n = a->hdr.nfields, tries = 0;
	struct mx_field *copy = malloc(n * sizeof *copy);
	if (copy == NULL)
		return 0;
	int ok = 0;
	for (size_t i = 0; i < n && !ok && tries < MX_DIAG_MAX_REFOLDS; i++) {
		const struct mx_field *f = &a->hdr.fields[i];
		int named = 0;
		for (size_t k = 0; k < r->sig.nh && !named; k++)
			named = mx_span_ieq(f->name, r->sig.h[k]);
		if (!named || (long)i == r->field_index)
			continue;
		int folded = memchr(f->value.ptr, '\n', f->value.len) != NULL;
		if (!folded && f->raw.len < 78)
			continue;
		/* the field with every fold collapsed to one space */
		size_t head = (size_t)(f->value.ptr - f->raw.ptr);
		char *flat = malloc(f->raw.len + 8);
		char *cand = malloc(f->raw.len + 16);
		if (flat == NULL || cand == NULL) {
			free(flat);
			free(cand);
			break;
		}
		/* every fold (line end plus its whitespace) becomes one space */
		memcpy(flat, f->raw.ptr, head);
		size_t fl = head;
		for (size_t j = 0; j < f->value.len; j++) {
			char c = f->value.ptr[j];
			if (c == '\r' || c == '\n') {
				while (j + 1 < f->value.len && (f->value.ptr[j + 1] == '\r' ||
				    f->value.ptr[j + 1] == '\n' || f->value.ptr[j + 1] == ' ' ||
				    f->value.ptr[j + 1] == '\t'))
					j++;
				flat[fl++] = ' ';
				continue;
			}
			flat[fl++] = c;
		}
		memcpy(copy, a->hdr.fields, n * sizeof *copy);
		for (size_t p = head; p <= fl && !ok && tries < MX_DIAG_MAX_REFOLDS; p++) {
			for (int style = 0; style < 2 && !ok; style++) {
				size_t cl;
				if (p == fl) {
					if (style)
						break;
					memcpy(cand, flat, fl);	/* unfolded */
					cl = fl;
				} else if (flat[p] == ' ' && p > head + 1) {
					memcpy(cand, flat, p);
					memcpy(cand + p, style ? "\r\n\t" : "\r\n ", 3);
					memcpy(cand + p + 3, flat + p + 1, fl - p - 1);
					cl = fl + 2;
				} else {
					break;
				}
				memcpy(cand + cl, "\r\n", 2);
				copy[i].raw = mx_span_make(cand, cl + 2);
				tries++;
				ok = fields_verify(r, &r->sig, copy, n, (size_t)r->field_index);
			}
		}
		if (ok) {
			char name[64];
			excerpt(f->name.ptr, f->name.len, name, sizeof name);
			set_diag(r, "header_refolded", "The %s field was refolded after signing (its "
			    "words are unchanged; mxray restored the signed folding and the signature "
			    "verifies). c=simple headers do not survive refolding; c=relaxed/relaxed "
			    "does.", name);
		}
		free(flat);
		free(cand);
	}
	free(copy);
	return ok;
}

static int
try_removals(struct mx_analysis *a, struct mx_dkim_result *r)
{
	size_t tries = 0;
	struct mx_field *copy = malloc(a->hdr.nfields * sizeof *copy);
	if (copy == NULL)
		return 0;
	int ok = 0;
	for (size_t i = 0; i < a->hdr.nfields && tries < MX_DIAG_MAX_REMOVALS && !ok; i++) {
		if ((long)i == r->field_index)
			continue;
		int named = 0;
		for (size_t k = 0; k < r->sig.nh && !named; k++)
			named = mx_span_ieq(a->hdr.fields[i].name, r->sig.h[k]);
		if (!named)
			continue;
		tries++;
		size_t n = 0;
		for (size_t j = 0; j < a->hdr.nfields; j++)
			if (j != i)
				copy[n++] = a->hdr.fields[j];
		size_t sig = (size_t)r->field_index - ((long)i < r->field_index);
		if (fields_verify(r, &r->sig, copy, n, sig)) {
			ok = 1;
			char name[64];
			excerpt(a->hdr.fields[i].name.ptr, a->hdr.fields[i].name.len, name, sizeof name);
			set_diag(r, "signed_header_added", "A %s field was added after signing: the "
			    "signature lists %s in h=, so the new field is now hashed in. Without it the "
			    "signature verifies.", name, name);
		}
	}
	free(copy);
	return ok;
}

static void
diagnose_headers(struct mx_analysis *a, struct mx_dkim_result *r)
{
	if (try_subject(a, r) || try_refold(a, r) || try_removals(a, r))
		return;
	if (r->sig.z) {
		/* z= (RFC 6376 §3.5): the signer's copy of the headers, "|"-separated */
		char changed[256] = "";
		size_t cl = 0;
		const char *p = r->sig.z;
		while (*p) {
			const char *e = strchr(p, '|');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			const char *colon = memchr(p, ':', n);
			if (colon) {
				char name[64];
				size_t nl = (size_t)(colon - p) < sizeof name - 1 ? (size_t)(colon - p) :
				    sizeof name - 1;
				memcpy(name, p, nl);
				name[nl] = '\0';
				char now_buf[HV_LEN];
				const char *now = header_value(a, name, now_buf);
				/* compare loosely: DKIM quoted-printable, spaces as =20 */
				char was[256];
				size_t wl = 0;
				for (const char *q = colon + 1; q < p + n && wl + 1 < sizeof was; q++) {
					if (*q == '=' && q + 2 < p + n && isxdigit((unsigned char)q[1]) &&
					    isxdigit((unsigned char)q[2])) {
						char hx[3] = { q[1], q[2], 0 };
						was[wl++] = (char)tolower((int)strtol(hx, NULL, 16));
						q += 2;
					} else if (!isspace((unsigned char)*q) || wl) {
						was[wl++] = (char)tolower((unsigned char)*q);
					}
				}
				while (wl && isspace((unsigned char)was[wl - 1]))
					wl--;
				was[wl] = '\0';
				if (now == NULL || strcmp(now, was) != 0)
					cl += (size_t)snprintf(changed + cl, cl < sizeof changed ?
					    sizeof changed - cl : 0, "%s%s", cl ? ", " : "", name);
				if (cl >= sizeof changed)
					cl = sizeof changed - 1;
			}
			if (e == NULL)
				break;
			p = e + 1;
		}
		if (cl) {
			set_diag(r, "header_changed", "The signer's copy of the headers (z=) differs from "
			    "the message in: %s. These fields were changed after signing.", changed);
			return;
		}
	}
	set_diag(r, "header_modified", "A signed header field changed after signing in a way "
	    "mxray cannot reproduce (it tried a Subject tag, refolding, and a signed field "
	    "added).");
}

/* The receiver's recorded verdict for this signature, if trusted and present. */
static const struct mx_recorded *
recorded_pass(const struct mx_analysis *a, const struct mx_dkim_result *r)
{
	for (size_t i = 0; i < a->nrec; i++) {
		const struct mx_recorded *x = &a->rec[i];
		if (!x->trusted || strcmp(x->method, "dkim") != 0 || strcmp(x->result, "pass") != 0)
			continue;
		const char *d = NULL, *sel = NULL, *ident = NULL;
		for (size_t k = 0; k < x->nprops; k++) {
			if (strcmp(x->props[k].key, "header.d") == 0)
				d = x->props[k].value;
			else if (strcmp(x->props[k].key, "header.s") == 0)
				sel = x->props[k].value;
			else if (strcmp(x->props[k].key, "header.i") == 0)
				ident = x->props[k].value;
		}
		const char *at = ident ? strrchr(ident, '@') : NULL;
		if (d == NULL && at)
			d = at + 1;
		if (d && strcasecmp(d, r->sig.d) == 0 && (sel == NULL || strcasecmp(sel, r->sig.s) == 0))
			return x;
	}
	return NULL;
}

void
mx_dkim_diagnose(struct mx_analysis *a, struct mx_dkim_result *r)
{
	if (!r->sig.ok)
		return;
	int no_key = !r->key_found || r->key_dns == MX_DNS_NXDOMAIN || r->key_dns == MX_DNS_NODATA ||
	    (r->reason && strstr(r->reason, "revoked"));
	const struct mx_recorded *rec = recorded_pass(a, r);
	if (!a->dns_given && r->key_dns == MX_DNS_NOT_IN_SNAPSHOT && r->key == NULL) {
		set_diag(r, "key_not_in_snapshot", "No DNS data was given, so the key %s was not "
		    "looked up%s%s%s. To re-verify: pass a snapshot with --dns, or --online.%s",
		    r->key_name, rec ? "; the receiver (" : "", rec ? (rec->authserv_id ?
		    rec->authserv_id : "unnamed") : "", rec ? ") recorded dkim=pass at delivery, "
		    "and that result stands" : "", r->body_hash == MX_BH_PASS ? " The body hash "
		    "matches: the body is as signed." : r->body_hash == MX_BH_FAIL ? " The body "
		    "hash does NOT match: the body changed after signing." : "");
		return;
	}
	if (no_key && rec && r->key == NULL) {
		set_diag(r, "key_rotated", "The key %s is %s now, but the receiver (%s) recorded "
		    "dkim=pass for d=%s at delivery: the key has likely been rotated or removed "
		    "since. The receiver's recorded result stands for the delivery time.%s",
		    r->key_name, r->key_dns == MX_DNS_NOT_IN_SNAPSHOT ? "not in the snapshot" :
		    r->key_dns == MX_DNS_OK ? "revoked" : "gone", rec->authserv_id ?
		    rec->authserv_id : "unnamed", r->sig.d, r->body_hash == MX_BH_PASS ?
		    " The body hash still matches: the body is as signed." : "");
		return;
	}
	if (r->key_dns == MX_DNS_NOT_IN_SNAPSHOT && r->key == NULL) {
		set_diag(r, "key_not_in_snapshot", "The key %s is not in the DNS snapshot. Add it "
		    "(`dig +noall +answer %s TXT`) and pass --dns, or use --online.", r->key_name,
		    r->key_name);
		return;
	}
	if (r->key_dns == MX_DNS_NXDOMAIN || r->key_dns == MX_DNS_NODATA) {
		set_diag(r, "key_missing", "There is no key at %s (%s): the selector was never "
		    "published, or was removed.", r->key_name, mx_dns_status_name(r->key_dns));
		return;
	}
	if (r->key_found && r->reason && strstr(r->reason, "revoked")) {
		set_diag(r, "key_revoked", "The signer revoked the key (empty p=) at %s.", r->key_name);
		return;
	}
	if (strcmp(r->policy_result, "policy") == 0) {
		const char *code = r->sig.alg == MX_DKIM_RSA_SHA1 ? "rsa_sha1" :
		    strstr(r->policy_reason, "expired") ? "expired" :
		    strstr(r->policy_reason, "timestamped") ? "future_signature" : "key_too_short";
		set_diag(r, code, "%s.", r->policy_reason);
		return;
	}
	if (strcmp(r->result, "pass") == 0) {
		if (r->sig.has_l && r->body_canon_len > r->sig.l) {
			const char *body = a->buf + a->hdr.body_offset;
			size_t len = a->len - a->hdr.body_offset;
			size_t from = r->sig.l < len ? (size_t)r->sig.l : len;
			const char *t = body + from;
			size_t tl = len - from;
			int boundary = 0, html = 0, links = 0;
			for (size_t i = 0; i + 2 < tl; i++) {
				if ((i == 0 || t[i - 1] == '\n') && t[i] == '-' && t[i + 1] == '-')
					boundary = 1;
				if (t[i] == '<' && (isalpha((unsigned char)t[i + 1]) || t[i + 1] == '/'))
					html = 1;
				if (i + 8 < tl && (strncasecmp(t + i, "http://", 7) == 0 ||
				    strncasecmp(t + i, "https://", 8) == 0))
					links = 1;
			}
			char ex[100];
			excerpt(t, tl, ex, sizeof ex);
			set_diag(r, "unsigned_tail", "%llu more bytes follow unsigned%s%s%s%s, starting "
			    "\"%s\". Anything there could have been added by anyone (the 2024 l= attacks); "
			    "signers should not use l=.", (unsigned long long)(r->body_canon_len - r->sig.l),
			    boundary || html || links ? ", holding " : "", boundary ? "a MIME boundary " :
			    "", html ? "HTML " : "", links ? "links" : "", ex);
			return;
		}
		static const char *const shown[] = { "from", "subject", "to", "reply-to" };
		for (size_t k = 0; k < sizeof shown / sizeof shown[0]; k++) {
			size_t signed_n = 0;
			for (size_t i = 0; i < r->sig.nh; i++)
				signed_n += strcmp(r->sig.h[i], shown[k]) == 0;
			if (signed_n && mx_header_count(&a->hdr, shown[k]) > signed_n) {
				set_diag(r, "unsigned_duplicate_header", "The signature verifies, but the "
				    "message has more %s fields than it covers: the extra one was added "
				    "after signing and is not vouched for (Composition Kills A15/A18).",
				    shown[k]);
				return;
			}
		}
		if (r->sig.has_x && r->sig.x < a->clock)
			set_diag(r, "expired_since_delivery", "expired (x=) after it was delivered: it "
			    "was valid at receipt, which is what counts; it is not a failure.");
		return;
	}
	if (strcmp(r->result, "fail") != 0)
		return;
	if (r->body_hash == MX_BH_FAIL)
		diagnose_body(a, r);
	else if (r->header_sig == 0)
		diagnose_headers(a, r);
}
