/*
 * dkim_canon.h - DKIM canonicalization (RFC 6376 §3.4): simple and relaxed,
 * for header fields and, streaming, for the body with an optional l= limit.
 * Bytes in, bytes out; hashing is the caller's (analyzer/crypto.c).
 */
#ifndef MX_DKIM_CANON_H
#define MX_DKIM_CANON_H

#include <stddef.h>
#include <stdint.h>
#include "dkim_record.h"

/*
 * Canonicalize one header field.  raw is the whole field as it appears in
 * the message (name, colon, value, folding, final CRLF).  simple: raw as is
 * (a missing final CRLF is added).  relaxed (§3.4.2): name lower-cased,
 * unfolded, WSP runs to one SP, WSP around the colon and at the end removed,
 * then CRLF.  Writes at most raw_len + 2 bytes to dst; returns the length.
 * skip_crlf: leave out the final CRLF (the DKIM-Signature field itself is
 * hashed without it, §3.7).
 */
size_t mx_canon_header(enum mx_dkim_canon c, const char *raw, size_t raw_len, int skip_crlf,
    char *dst);

/* Receives canonical body bytes. */
typedef void (*mx_canon_emit)(void *ctx, const char *p, size_t n);

/*
 * mx_canon_header() for hashing: the canonical bytes go to emit (in
 * batches, no buffer to size), and simple canonicalization also writes
 * every bare LF inside the field as CRLF, so a folded field of a message
 * saved with Unix line ends hashes as it was signed (dkimpy's rfc822_parse
 * does the same).  mx_canon_header() keeps those bare LFs, which is what
 * lets its output fit raw_len + 2; relaxed output is the same from both.
 * Returns the number of bytes emitted.
 */
size_t mx_canon_header_emit(enum mx_dkim_canon c, const char *raw, size_t raw_len,
    int skip_crlf, mx_canon_emit emit, void *ctx);

struct mx_canon_body {
	enum mx_dkim_canon c;
	mx_canon_emit emit;
	void *ctx;
	int has_limit;
	uint64_t limit;		/* l=: emit at most this many canonical bytes */
	uint64_t emitted;	/* canonical bytes passed to emit */
	uint64_t total;		/* canonical length of the whole body, emitted or not */
	/* private state */
	uint64_t pending_crlf;	/* empty lines held back: dropped if they end the body */
	int pending_wsp;	/* relaxed: a WSP run held back */
	int cr;			/* a CR seen, waiting for LF */
	int line_has_data;
};

void mx_canon_body_init(struct mx_canon_body *b, enum mx_dkim_canon c, int has_limit,
    uint64_t limit, mx_canon_emit emit, void *ctx);
/* Feed body bytes (CRLF line ends; a bare LF is treated as a line end too). */
void mx_canon_body_update(struct mx_canon_body *b, const char *p, size_t n);
/* The same, a byte at a time: the plain reading of §3.4.3/§3.4.4 (tests compare the two). */
void mx_canon_body_update_bytes(struct mx_canon_body *b, const char *p, size_t n);
/*
 * End of body: simple canonicalizes an empty body to CRLF (§3.4.3); relaxed
 * to nothing (§3.4.4 with erratum 3192 as implemented by every verifier).
 */
void mx_canon_body_final(struct mx_canon_body *b);

#endif
