/*
 * tagvalue.c - RFC 6376 §3.2 tag=value lists.
 *
 * One static function per ABNF production over a cursor that never reads
 * past len and never relies on a NUL.  The first error stops the parse and
 * stays set; error_offset says where it was seen.
 *
 * Choices, each where verifiers agree:
 *  - ";;" (an empty tag-spec) is a syntax error.  The ABNF requires a
 *    tag-spec between two ";", and dkimpy (util.parse_tag_value: an empty
 *    spec has no "=") and OpenDKIM (dkim_process_set: ";" where a tag name
 *    must start) both reject it.  One trailing ";" (with FWS after it) is
 *    allowed by the ABNF.
 *  - An empty list (nothing, or only FWS) is an error: tag-list needs one
 *    tag-spec.  Callers would fail on their required tags anyway.
 *  - FWS is read leniently as any run of SP, HTAB, CR and LF: values come
 *    unfolded or not, with CRLF or bare LF (mbox files), and from DNS TXT
 *    strings; every verifier strips such whitespace the same way.
 *  - Bytes >= 0x80 are accepted in values (RFC 8616 §4: UTF-8 in DKIM for
 *    internationalized mail); a NUL or other control byte is not.
 */
#include <string.h>

#include "ascii.h"
#include "tagvalue.h"

struct cur {
	const char *b;
	size_t len, pos;
	struct mx_taglist *out;
};

static int
at_end(const struct cur *c)
{
	return c->pos >= c->len;
}

static int
peek(const struct cur *c)
{
	return c->pos < c->len ? (unsigned char)c->b[c->pos] : -1;
}

static int
fail(struct cur *c, size_t at, const char *msg)
{
	if (c->out->error == NULL) {
		c->out->error = msg;
		c->out->error_offset = at;
	}
	return -1;
}

/* RFC 6376 §3.2: ALNUMPUNC = ALPHA / DIGIT / "_" */
static int
is_alnumpunc(int ch)
{
	return is_alpha(ch) || is_digit(ch) || ch == '_';
}

/* RFC 5234 WSP plus the CR and LF of FWS (read leniently, see the top). */
static int
is_fws_char(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/*
 * RFC 6376 §3.2: VALCHAR = %x21-3A / %x3C-7E  (printable ASCII except ";"),
 * plus UTF-8 bytes (RFC 8616 §4).
 */
static int
is_valchar(int ch)
{
	return (ch >= 0x21 && ch <= 0x3a) || (ch >= 0x3c && ch <= 0x7e) || ch >= 0x80;
}

/* ---- RFC 5322 §3.2.2 ---- */

/* FWS = ([*WSP CRLF] 1*WSP) */
static void
skip_fws(struct cur *c)
{
	while (!at_end(c) && is_fws_char(peek(c)))
		c->pos++;
}

/* ---- RFC 6376 §3.2 ---- */

/* tag-name = ALPHA *ALNUMPUNC */
static int
tag_name(struct cur *c, mx_span *name)
{
	size_t start = c->pos;
	if (peek(c) == ';')
		return fail(c, c->pos, "empty tag-spec (\";;\")");
	if (!is_alpha(peek(c)))
		return fail(c, c->pos, "a tag name must start with a letter");
	while (!at_end(c) && is_alnumpunc(peek(c)))
		c->pos++;
	*name = mx_span_make(c->b + start, c->pos - start);
	return 0;
}

/*
 * tag-value = [ tval *( 1*(WSP / FWS) tval ) ]
 * tval      = 1*VALCHAR
 * Reads the value and the FWS after it, up to ";" or the end.  The span
 * returned is trimmed of FWS on both sides.
 */
static int
tag_value(struct cur *c, mx_span *value)
{
	size_t first = c->pos, last = c->pos;
	int seen = 0;
	while (!at_end(c) && peek(c) != ';') {
		int ch = peek(c);
		if (is_fws_char(ch)) {
			c->pos++;
			continue;
		}
		if (!is_valchar(ch))
			return fail(c, c->pos, ch == 0 ? "NUL byte in a tag value" :
			    "control character in a tag value");
		if (!seen) {
			first = c->pos;
			seen = 1;
		}
		c->pos++;
		last = c->pos;
	}
	if (!seen)
		first = last = c->pos;
	*value = mx_span_make(c->b + first, last - first);
	return 0;
}

static int
is_duplicate(const struct mx_taglist *l, mx_span name)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->tags[i].name.len == name.len &&
		    memcmp(l->tags[i].name.ptr, name.ptr, name.len) == 0)
			return 1;
	return 0;
}

/* tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS] */
static int
tag_spec(struct cur *c)
{
	struct mx_tag t;
	memset(&t, 0, sizeof t);
	skip_fws(c);
	t.offset = c->pos;
	if (tag_name(c, &t.name) != 0)
		return -1;
	skip_fws(c);
	if (peek(c) != '=')
		return fail(c, c->pos, at_end(c) ? "tag without \"=\" at the end of the list" :
		    "a tag name must be followed by \"=\"");
	c->pos++;
	t.raw_value_offset = c->pos;
	if (tag_value(c, &t.value) != 0)
		return -1;
	t.raw_value_len = c->pos - t.raw_value_offset;
	t.value_offset = (size_t)(t.value.ptr - c->b);
	/* RFC 6376 §3.2: "Tags with duplicate names MUST NOT occur" */
	if (is_duplicate(c->out, t.name))
		return fail(c, t.offset, "duplicate tag");
	if (c->out->n >= MX_TAGLIST_MAX)
		return fail(c, t.offset, "too many tags");
	c->out->tags[c->out->n++] = t;
	return 0;
}

/* tag-list = tag-spec *( ";" tag-spec ) [ ";" ] */
static int
tag_list(struct cur *c)
{
	skip_fws(c);
	if (at_end(c))
		return fail(c, c->pos, "empty tag-list");
	for (;;) {
		if (tag_spec(c) != 0)
			return -1;
		if (at_end(c))
			return 0;
		/* tag_value() stops only at ";" or the end */
		c->pos++;
		skip_fws(c);
		if (at_end(c))
			return 0;	/* the optional trailing ";" */
	}
}

int
mx_taglist_parse(const char *buf, size_t len, struct mx_taglist *out)
{
	struct cur c = { buf, len, 0, out };
	out->n = 0;
	out->error = NULL;
	out->error_offset = 0;
	if (buf == NULL && len > 0)
		return fail(&c, 0, "no input");
	return tag_list(&c);
}

const struct mx_tag *
mx_taglist_get(const struct mx_taglist *l, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < l->n; i++)
		if (l->tags[i].name.len == n && memcmp(l->tags[i].name.ptr, name, n) == 0)
			return &l->tags[i];
	return NULL;
}

size_t
mx_tag_strip_ws(mx_span v, char *dst)
{
	size_t o = 0;
	for (size_t i = 0; i < v.len; i++)
		if (!is_fws_char((unsigned char)v.ptr[i]))
			dst[o++] = v.ptr[i];
	dst[o] = '\0';
	return o;
}
