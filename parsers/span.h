/*
 * span.h - a counted byte range borrowed from a larger buffer.
 *
 * Mail may contain NUL bytes, so nothing in mxray's parsers depends on
 * NUL termination: every piece of input is a (pointer, length) pair.
 */
#ifndef MX_SPAN_H
#define MX_SPAN_H

#include <stddef.h>
#include <string.h>
#include <strings.h>

typedef struct mx_span {
	const char *ptr;	/* borrowed: valid as long as the buffer it points into */
	size_t len;
} mx_span;

static inline mx_span
mx_span_make(const char *p, size_t len)
{
	mx_span s = { p, len };
	return s;
}

/* Case-insensitive comparison of a span with a NUL-terminated ASCII literal. */
static inline int
mx_span_ieq(mx_span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && (n == 0 || strncasecmp(s.ptr, lit, n) == 0);
}

#endif
