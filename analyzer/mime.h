/*
 * mime.h - the GMime adapter: MIME structure, GMime's parser warnings,
 * RFC 2047 decoding for display, address parsing, attached messages.
 * The only file that includes GMime.
 *
 * GMime is used for structure and display values only.  Header fields are
 * walked raw by parsers/rfc5322.c so that two From fields stay two.
 */
#ifndef MX_MIME_H
#define MX_MIME_H

#include <stddef.h>
#include "findings.h"

/* Attached messages examined per message (phish reports carry one or two). */
#define MX_MIME_MAX_ATTACHED 8
/* Parts walked per message: rspamd stops at 10 000. */
#define MX_MIME_MAX_PARTS 10000

struct mx_attached {
	size_t start, end;	/* byte range of the attached message in the analyzed buffer */
	char *copy;		/* set instead when GMime had to re-serialize it (encoded part) */
	size_t copy_len;
	char *filename;		/* the part's filename, or NULL */
};

struct mx_mime {
	int parsed;		/* GMime built a message */
	char *content_type;	/* top-level "type/subtype", lower-cased */
	size_t nparts;		/* leaf parts seen */
	size_t text_bytes;	/* bytes of inline text outside attached messages */
	struct mx_attached att[MX_MIME_MAX_ATTACHED];
	size_t natt;
	size_t att_dropped;	/* attached messages over MX_MIME_MAX_ATTACHED */
};

/*
 * Parse buf[0..len) with GMime; GMime's warnings become findings in fs
 * (headers_only: the input has no body, so "truncated" is not reported).
 * Returns 0, -1 when out of memory.
 */
int mx_mime_parse(const char *buf, size_t len, int headers_only, struct mx_mime *out,
    struct mx_findings *fs);
void mx_mime_finish(struct mx_mime *m);

/* Decode RFC 2047 encoded-words of an unstructured value for display.  Owned result. */
char *mx_mime_decode_text(const char *raw);

/*
 * Decode a body in Content-Transfer-Encoding cte ("base64",
 * "quoted-printable") to its bytes.  Returns an owned buffer (*outlen set),
 * or NULL when cte is another encoding or out of memory.
 */
char *mx_mime_decode_cte(const char *cte, const char *in, size_t len, size_t *outlen);

struct mx_mailbox {
	char *name;		/* decoded display name, or NULL */
	char *addr;		/* addr-spec as parsed */
	char *domain;		/* part after the last '@', lower-cased; "" when none */
};

/*
 * Parse one address-list field value (groups flattened).  Returns the number
 * of mailboxes (0 when none could be read) and sets *out (owned; free with
 * mx_mailboxes_free), or -1 when out of memory.
 */
long mx_mime_parse_mailboxes(const char *value, struct mx_mailbox **out);
void mx_mailboxes_free(struct mx_mailbox *v, size_t n);

#endif
