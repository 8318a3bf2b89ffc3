/*
 * rfc5322.h - the header section of a message (RFC 5322 §2.2, §3.5):
 * fields with their exact bytes and offsets, unfolding, and the blank line
 * that separates header from body.
 *
 * Raw fields are walked here, not through GMime: two From fields stay two
 * fields, "From :" keeps its blank, and DKIM later hashes these exact bytes.
 */
#ifndef MX_RFC5322_H
#define MX_RFC5322_H

#include <stddef.h>
#include "span.h"

/*
 * At most this many fields are kept; more is a finding.  Dovecot needed 12 s
 * of CPU for 100 000 address headers (CVE-2024-23184); no real message has
 * more than a few hundred fields.
 */
#define MX_MAX_HEADER_FIELDS 10000
/* RFC 5322 §2.1.1: a line MUST be at most 998 characters plus CRLF. */
#define MX_RFC5322_MAX_LINE 998

enum {	/* per-field anomalies */
	MX_FIELD_F_WSP_BEFORE_COLON = 1 << 0,	/* "From :" (Composition Kills A7b) */
	MX_FIELD_F_NUL              = 1 << 1,	/* NUL byte in the field */
	MX_FIELD_F_8BIT             = 1 << 2,	/* unencoded 8-bit bytes (RFC 6532 or junk) */
	MX_FIELD_F_LONG_LINE        = 1 << 3,	/* a line over MX_RFC5322_MAX_LINE */
	MX_FIELD_F_BARE_CR          = 1 << 4,	/* CR not followed by LF */
	MX_FIELD_F_EMPTY_CONTINUATION = 1 << 5,	/* a folded line with only whitespace */
};

enum {	/* header-section anomalies */
	MX_HDR_F_TRUNCATED     = 1 << 0,	/* over MX_MAX_HEADER_FIELDS */
	MX_HDR_F_NO_SEPARATOR  = 1 << 1,	/* no blank line: headers only, or ended by junk */
	MX_HDR_F_JUNK_LINE     = 1 << 2,	/* a line that is not a field ended the header */
	MX_HDR_F_LEADING_WSP   = 1 << 3,	/* first line begins with whitespace (A7a) */
};

struct mx_field {
	mx_span name;		/* the name as written, without blanks before the colon */
	mx_span value;		/* after the colon up to, not including, the final line end */
	mx_span raw;		/* the whole field including its final line end */
	size_t offset;		/* byte offset of the field in the message */
	unsigned flags;		/* MX_FIELD_F_* */
};

struct mx_header {
	struct mx_field *fields;	/* owned array; spans borrow from the message */
	size_t nfields;
	size_t body_offset;	/* first byte of the body; == message length when none */
	int has_separator;	/* 1 when a blank line ended the header */
	unsigned flags;		/* MX_HDR_F_* */
	size_t junk_offset;	/* where a non-field line ended the header, when flagged */
	size_t dropped;		/* fields not kept because of MX_MAX_HEADER_FIELDS */
};

/*
 * Split buf[0..len) into header fields and body.  Line ends may be CRLF or
 * bare LF.  Returns 0, or -1 when out of memory.  The spans in *out borrow
 * from buf; free with mx_header_finish().
 */
int mx_rfc5322_split(const char *buf, size_t len, struct mx_header *out);

void mx_header_finish(struct mx_header *h);

/* 1 when name is a syntactically valid field name (RFC 5322 §3.6.8 ftext). */
int mx_rfc5322_valid_name(const char *p, size_t len);

/*
 * Unfold value (RFC 5322 §2.2.3: remove CRLF/LF immediately followed by
 * WSP) into a new NUL-terminated string; NUL bytes in the value become
 * U+FFFD-free '?' so the result is safe as a C string.  *outlen, when
 * given, receives the length.  Returns NULL when out of memory.
 */
char *mx_rfc5322_unfold(mx_span value, size_t *outlen);

/* Find the index of the nth (0-based, from the top) field named name, or -1. */
long mx_header_find(const struct mx_header *h, const char *name, size_t nth);

/* Number of fields named name. */
size_t mx_header_count(const struct mx_header *h, const char *name);

#endif
