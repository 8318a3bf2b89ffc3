/*
 * rfc5322.c - header fields with exact bytes and offsets (RFC 5322 §2.2).
 */
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "rfc5322.h"

/* RFC 5322 §3.6.8: ftext = %d33-57 / %d59-126 (printable except ':') */
static int
is_ftext(unsigned char c)
{
	return (c >= 33 && c <= 57) || (c >= 59 && c <= 126);
}

int
mx_rfc5322_valid_name(const char *p, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!is_ftext((unsigned char)p[i]))
			return 0;
	return 1;
}

/* End of the line starting at pos: index of its LF, or len. */
static size_t
line_end(const char *buf, size_t len, size_t pos)
{
	const char *lf = memchr(buf + pos, '\n', len - pos);
	return lf ? (size_t)(lf - buf) : len;
}

/* Content length of the line [pos, eol): without a CR before the LF. */
static size_t
line_content_end(const char *buf, size_t pos, size_t eol)
{
	if (eol > pos && buf[eol - 1] == '\r')
		return eol - 1;
	return eol;
}

/*
 * If the line [pos, cend) starts a field, return the length of the name
 * (without blanks before the colon) and set *colon; otherwise return 0.
 */
static size_t
field_name(const char *buf, size_t pos, size_t cend, size_t *colon, int *wsp_before)
{
	size_t i = pos;
	while (i < cend && is_ftext((unsigned char)buf[i]))
		i++;
	size_t name_end = i;
	if (name_end == pos)
		return 0;
	while (i < cend && is_wsp((unsigned char)buf[i]))
		i++;
	if (i >= cend || buf[i] != ':')
		return 0;
	*wsp_before = i != name_end;
	*colon = i;
	return name_end - pos;
}

static unsigned
scan_flags(const char *p, size_t len)
{
	unsigned f = 0;
	size_t linelen = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\n') {
			linelen = 0;
			continue;
		}
		if (++linelen > MX_RFC5322_MAX_LINE + 1)	/* +1: the CR */
			f |= MX_FIELD_F_LONG_LINE;
		if (c == 0)
			f |= MX_FIELD_F_NUL;
		else if (c >= 0x80)
			f |= MX_FIELD_F_8BIT;
		else if (c == '\r' && (i + 1 >= len || p[i + 1] != '\n'))
			f |= MX_FIELD_F_BARE_CR;
	}
	return f;
}

int
mx_rfc5322_split(const char *buf, size_t len, struct mx_header *out)
{
	memset(out, 0, sizeof *out);
	size_t cap = 0;
	size_t pos = 0;

	if (len > 0 && is_wsp((unsigned char)buf[0]))
		out->flags |= MX_HDR_F_LEADING_WSP;

	while (pos < len) {
		size_t eol = line_end(buf, len, pos);
		size_t cend = line_content_end(buf, pos, eol);
		if (cend == pos) {			/* blank line: end of header */
			out->has_separator = 1;
			out->body_offset = eol < len ? eol + 1 : len;
			return 0;
		}
		size_t colon;
		int wsp_before = 0;
		size_t nlen = field_name(buf, pos, cend, &colon, &wsp_before);
		if (nlen == 0) {
			if (is_wsp((unsigned char)buf[pos]) && out->nfields == 0 && pos == 0) {
				/* a continuation with nothing to continue: skip it, flagged */
				pos = eol < len ? eol + 1 : len;
				continue;
			}
			/* not a field: the header ends here (RFC 5322 has no other choice) */
			out->flags |= MX_HDR_F_JUNK_LINE | MX_HDR_F_NO_SEPARATOR;
			out->junk_offset = pos;
			out->body_offset = pos;
			return 0;
		}
		/* the field runs over every following line that starts with WSP */
		size_t fend = eol < len ? eol + 1 : len;
		unsigned fflags = 0;
		while (fend < len && is_wsp((unsigned char)buf[fend])) {
			size_t e2 = line_end(buf, len, fend);
			size_t c2 = line_content_end(buf, fend, e2);
			size_t k = fend;
			while (k < c2 && is_wsp((unsigned char)buf[k]))
				k++;
			if (k == c2)
				fflags |= MX_FIELD_F_EMPTY_CONTINUATION;
			fend = e2 < len ? e2 + 1 : len;
		}
		if (out->nfields >= MX_MAX_HEADER_FIELDS) {
			out->flags |= MX_HDR_F_TRUNCATED;
			out->dropped++;
			pos = fend;
			continue;
		}
		if (out->nfields == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct mx_field *nf = realloc(out->fields, ncap * sizeof *nf);
			if (nf == NULL) {
				mx_header_finish(out);
				return -1;
			}
			out->fields = nf;
			cap = ncap;
		}
		struct mx_field *f = &out->fields[out->nfields++];
		f->name = mx_span_make(buf + pos, nlen);
		f->raw = mx_span_make(buf + pos, fend - pos);
		f->offset = pos;
		/* value: after the colon, without the final line end */
		size_t vend = fend;
		if (vend > pos && buf[vend - 1] == '\n')
			vend--;
		if (vend > colon + 1 && buf[vend - 1] == '\r')
			vend--;
		f->value = mx_span_make(buf + colon + 1, vend - (colon + 1));
		f->flags = fflags | scan_flags(buf + pos, fend - pos);
		if (wsp_before)
			f->flags |= MX_FIELD_F_WSP_BEFORE_COLON;
		pos = fend;
	}
	/* end of input without a blank line: headers only */
	out->flags |= MX_HDR_F_NO_SEPARATOR;
	out->body_offset = len;
	return 0;
}

void
mx_header_finish(struct mx_header *h)
{
	free(h->fields);
	memset(h, 0, sizeof *h);
}

char *
mx_rfc5322_unfold(mx_span v, size_t *outlen)
{
	char *s = malloc(v.len + 1);
	if (s == NULL)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < v.len; i++) {
		char c = v.ptr[i];
		if (c == '\r' && i + 1 < v.len && v.ptr[i + 1] == '\n')
			continue;
		if (c == '\n' && i + 1 < v.len && is_wsp((unsigned char)v.ptr[i + 1]))
			continue;
		if (c == '\n' || c == '\r' || c == '\0')
			c = c == '\0' ? '?' : ' ';
		s[n++] = c;
	}
	s[n] = '\0';
	if (outlen)
		*outlen = n;
	return s;
}

long
mx_header_find(const struct mx_header *h, const char *name, size_t nth)
{
	for (size_t i = 0; i < h->nfields; i++)
		if (mx_span_ieq(h->fields[i].name, name) && nth-- == 0)
			return (long)i;
	return -1;
}

size_t
mx_header_count(const struct mx_header *h, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < h->nfields; i++)
		n += mx_span_ieq(h->fields[i].name, name);
	return n;
}
