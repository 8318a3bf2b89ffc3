/*
 * dkim.h - DKIM verification (RFC 6376, RFC 8301, RFC 8463) that explains
 * itself: two verdicts per signature (cryptographic and RFC 8301 policy,
 * each an RFC 8601 result), body hash and header signature both checked,
 * and a diagnosis of why a signature failed (dkim_diag.c).
 */
#ifndef MX_DKIM_H
#define MX_DKIM_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "dkim_record.h"
#include "dns.h"
#include "rfc5322.h"

/*
 * Signatures verified per message (RFC 6376 §6.1 lets a verifier limit
 * them): rspamd stops at 5, KumoMTA at 10, jDKIM at 32.  Each costs a DNS
 * lookup, so an attacker's 300 signatures must not mean 300 lookups.
 */
#define MX_DKIM_MAX_SIGS 10
/* RFC 8301 §3.2: RSA keys under 1024 bits MUST NOT be considered valid. */
#define MX_DKIM_MIN_RSA_BITS 1024
/* t= this far after the receipt time is a clock error, not a future signature. */
#define MX_DKIM_CLOCK_SKEW_S 300

enum mx_body_hash { MX_BH_NOT_CHECKED = 0, MX_BH_PASS, MX_BH_FAIL };

struct mx_dkim_result {
	size_t number;		/* 1 = the topmost DKIM-Signature */
	long field_index;
	long long offset;
	struct mx_dkim_sig sig;
	const char *result;	/* RFC 8601: pass fail neutral policy temperror permerror */
	const char *policy_result;
	char *reason;		/* why result is what it is, for a person */
	char *policy_reason;
	enum mx_body_hash body_hash;
	int header_sig;		/* -1 not checked, 0 did not verify, 1 verified */
	int key_found;
	int key_bits;
	char key_type[16];
	int key_testing;
	int key_pkcs1;		/* p= was a bare RSAPublicKey (read leniently) */
	int key_validated;	/* the key's DNS answer was DNSSEC-validated */
	enum mx_dns_status key_dns;
	char *key_name;		/* selector._domainkey.domain */
	char *diag_code;	/* diagnosis: docs/findings.md "DKIM diagnoses" */
	char *diag_detail;
	uint64_t body_canon_len;	/* canonical body length, whole body */
	unsigned char bh_computed[MX_DIGEST_MAX];
	size_t bh_computed_len;
	struct mx_pubkey *key;	/* kept for the diagnosis, freed with the result */
};

/* Free the contents of r. */
void mx_dkim_result_finish(struct mx_dkim_result *r);

/*
 * The body hash of body[0..len) under s's canonicalization, l= and
 * algorithm.  Returns the digest length (0 when out of memory); *canon_total
 * gets the canonical length of the whole body.
 */
size_t mx_dkim_body_digest(const struct mx_dkim_sig *s, const char *body, size_t len,
    unsigned char *out, uint64_t *canon_total);

/*
 * The header digest RFC 6376 §3.7 signs: the fields named in h= chosen
 * bottom-up (§5.4.2) from fields[0..n), then the signature field sig_field
 * with its b= value emptied.  Returns the digest length, 0 on failure.
 */
size_t mx_dkim_header_digest(const struct mx_dkim_sig *s, const struct mx_field *fields,
    size_t n, size_t sig_field, unsigned char *out);

/* 1 when the signature verifies over the given digest with r's key. */
int mx_dkim_check(const struct mx_dkim_result *r, const unsigned char *digest, size_t dlen);

enum mx_digest mx_dkim_digest_of(enum mx_dkim_alg a);

struct mx_analysis;
struct mx_options;

/*
 * Look up the key of r->sig (s=, d=) through the DNS layer, check that it
 * fits the signature, and load it into r->key; otherwise r->result and
 * r->reason say why.  Returns 0, or -1 when out of memory.
 */
int mx_dkim_load_key(struct mx_analysis *a, const struct mx_options *opt,
    struct mx_dkim_result *r);

#endif
