/*
 * tagvalue.h - RFC 6376 §3.2 tag=value lists, shared by DKIM-Signature,
 * DKIM key records, ARC-Seal / ARC-Message-Signature and DMARC records.
 *
 *   tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  =  ALPHA *ALNUMPUNC          ; ALNUMPUNC = ALPHA / DIGIT / "_"
 *   tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
 *   tval      =  1*VALCHAR                 ; VALCHAR = %x21-3A / %x3C-7E
 *
 * Syntax only.  The whole list is validated; a repeated tag name is an
 * error (RFC 6376 §3.2: "Tags with duplicate names MUST NOT occur").
 */
#ifndef MX_TAGVALUE_H
#define MX_TAGVALUE_H

#include <stddef.h>
#include "span.h"

/* More tags than this in one list is hostile: DKIM defines 14, DMARC 11. */
#define MX_TAGLIST_MAX 64

struct mx_tag {
	mx_span name;		/* as written (tag names are case-sensitive, RFC 6376 §3.2) */
	mx_span value;		/* trimmed of leading/trailing FWS; inner FWS kept */
	size_t offset;		/* byte offset of the tag name in the parsed buffer */
	size_t value_offset;	/* byte offset of the value (where "b=" data starts) */
	/*
	 * The whole tag-value as written, with the FWS around it: from the
	 * first byte after "=" up to (not including) the terminating ";" or
	 * the end of the buffer.  RFC 6376 §3.7 deletes this span of b=
	 * ("including all surrounding whitespace") for the header hash.
	 */
	size_t raw_value_offset;
	size_t raw_value_len;
};

struct mx_taglist {
	struct mx_tag tags[MX_TAGLIST_MAX];
	size_t n;
	const char *error;	/* static text, NULL when the list is valid */
	size_t error_offset;
};

/*
 * Parse buf[0..len).  Returns 0 when the list is valid, -1 with error and
 * error_offset set otherwise (syntax, duplicate tag, too many tags).  The
 * spans borrow from buf.
 */
int mx_taglist_parse(const char *buf, size_t len, struct mx_taglist *out);

/* The tag named name (exact, case-sensitive), or NULL. */
const struct mx_tag *mx_taglist_get(const struct mx_taglist *l, const char *name);

/*
 * Copy v into dst without any whitespace (FWS inside base64 b=/bh=/p=
 * values, RFC 6376 §3.5 "b=" note), NUL-terminate it and return its length.
 * dst must hold v.len + 1 bytes.
 */
size_t mx_tag_strip_ws(mx_span v, char *dst);

#endif
