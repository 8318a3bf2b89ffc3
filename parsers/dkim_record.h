/*
 * dkim_record.h - the DKIM-Signature field (RFC 6376 §3.5, RFC 8463) and the
 * DKIM key record (RFC 6376 §3.6.1), parsed and validated.  Syntax only: no
 * crypto (base64 is decoded here, keys are not loaded), no DNS.
 *
 * Every way a signature can be unusable is a permerror with a reason a
 * person can read ("i= is not within d=", "h= does not include From").
 */
#ifndef MX_DKIM_RECORD_H
#define MX_DKIM_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* h= names beyond this are hostile (rspamd caps at 1000). */
#define MX_DKIM_MAX_H 1000
/* A p= longer than this (base64 chars) is a key over 16 384 bits: refused before decoding (rspamd: 4096 chars). */
#define MX_DKIM_MAX_P_CHARS 4096
/*
 * b= and bh= longer than this (base64 chars) are refused before decoding:
 * 2800 holds the signature of a 16 384-bit key (2732 chars), so such a key
 * is refused by its size with a clear reason rather than here.
 */
#define MX_DKIM_MAX_B_CHARS 2800

enum mx_dkim_alg {
	MX_DKIM_ALG_UNKNOWN = 0,
	MX_DKIM_RSA_SHA1,	/* RFC 8301 §3.1: MUST NOT be used for verifying; we verify and judge */
	MX_DKIM_RSA_SHA256,
	MX_DKIM_ED25519_SHA256,	/* RFC 8463 */
};

enum mx_dkim_canon { MX_CANON_SIMPLE = 0, MX_CANON_RELAXED };

struct mx_dkim_sig {
	int ok;			/* 1: usable; 0: permerror, see error */
	const char *error;	/* static reason when !ok, NULL otherwise */
	char *error_detail;	/* owned, e.g. the offending value; may be NULL */
	char *a;		/* a= as written */
	enum mx_dkim_alg alg;
	enum mx_dkim_canon hcanon, bcanon;	/* c= (default simple/simple) */
	char *c;		/* c= as written, or NULL */
	char *d;		/* SDID, lower-cased */
	char *s;		/* selector, lower-cased */
	char *i;		/* AUID as written (default "@" d) */
	char **h;		/* h= names, lower-cased, in order, duplicates kept (over-signing) */
	size_t nh;
	unsigned char *b;	/* decoded signature */
	size_t blen;
	unsigned char *bh;	/* decoded body hash */
	size_t bhlen;
	int has_l;
	uint64_t l;		/* l= body length (RFC 6376 §3.5: at most 76 digits; we cap at 2^63) */
	int has_t, has_x;
	int64_t t, x;		/* t= and x= (seconds since the epoch) */
	char *q;		/* q= as written, or NULL */
	char *z;		/* z= as written (copied headers, quoted-printable), or NULL */
	int instance;		/* ARC sets: i= (1-50) */
	char *cv;		/* ARC-Seal: cv= lower-cased ("none", "fail", "pass") */
	size_t b_value_offset;	/* where the b= value starts in the field value */
	size_t b_value_len;	/* and its length (with any FWS inside): blanked for the header hash */
};

/*
 * Parse a DKIM-Signature field value (after the colon).  Always fills *out;
 * returns 0, or -1 when out of memory.  Checks (each a permerror): tag-list
 * syntax, duplicate tags, required tags (v a b bh d h s), v=1, known a=,
 * known c=, q= dns/txt, bh/b valid base64, h= includes "from", i= within d=
 * (i's domain equals d or is a subdomain), d= and s= syntactically valid
 * domain name / selector (LDH labels; no NUL, "(", quote: Composition Kills
 * A3/A4), t and x numeric, x >= t, l numeric, at most MX_DKIM_MAX_H names.
 */
int mx_dkim_sig_parse(const char *value, size_t len, struct mx_dkim_sig *out);
void mx_dkim_sig_finish(struct mx_dkim_sig *s);

enum { MX_SIG_DKIM = 0, MX_SIG_ARC_AMS, MX_SIG_ARC_SEAL };

/*
 * The same for the signatures of ARC (RFC 8617 §4.1.2, §4.1.3):
 * ARC-Message-Signature (kind MX_SIG_ARC_AMS: tags a b bh c d h i s t, i= the
 * instance, no v=, h= without ARC-Seal) and ARC-Seal (MX_SIG_ARC_SEAL: a b cv
 * d i s t, no h= or bh=, relaxed header canonicalization).
 */
int mx_dkim_sig_parse_kind(const char *value, size_t len, int kind, struct mx_dkim_sig *out);

struct mx_dkim_key {
	int ok;			/* usable for verification */
	const char *error;	/* static reason when !ok */
	int revoked;		/* p= empty (RFC 6376 §3.6.1) */
	char *k;		/* key type, default "rsa" */
	char *h;		/* acceptable hashes (colon list) or NULL = all */
	unsigned char *p;	/* decoded public key data */
	size_t plen;
	int testing;		/* t=y */
	int strict;		/* t=s: i= domain must equal d= */
	char *s;		/* service types or NULL (= "*") */
};

/*
 * Parse a key record (the TXT answer, strings already concatenated).
 * Checks: tag-list syntax, v= (if present) exactly "DKIM1" and first, p=
 * present, p= valid base64 and at most MX_DKIM_MAX_P_CHARS, k= known (rsa,
 * ed25519; unknown → unusable), s= includes "*" or "email", unknown tags
 * ignored (g= of RFC 4871 is ignored, as RFC 6376 removed it).  Returns 0,
 * or -1 when out of memory.
 */
int mx_dkim_key_parse(const char *txt, size_t len, struct mx_dkim_key *out);
void mx_dkim_key_finish(struct mx_dkim_key *k);

/* Decode base64 ignoring whitespace; NULL (and *outlen 0) when not valid base64. Owned result. */
unsigned char *mx_base64_decode(const char *in, size_t len, size_t *outlen);

#endif
