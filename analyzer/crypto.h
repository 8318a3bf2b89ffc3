/*
 * crypto.h - the OpenSSL adapter: digests and signature verification for
 * DKIM (RFC 6376 §3.3, RFC 8463) and ARC.  The only file that includes
 * OpenSSL.
 */
#ifndef MX_CRYPTO_H
#define MX_CRYPTO_H

#include <stddef.h>

#define MX_DIGEST_MAX 64
/* RSA keys above this many bits are refused: verifying is cheap, but no
 * signer uses them and rspamd found 16384-bit keys in abuse (8192 still verified). */
#define MX_RSA_MAX_BITS 8192

enum mx_digest { MX_DIGEST_SHA1, MX_DIGEST_SHA256 };

struct mx_digest_ctx;

/* A new running digest; NULL when out of memory. */
struct mx_digest_ctx *mx_digest_new(enum mx_digest d);
void mx_digest_update(struct mx_digest_ctx *c, const void *p, size_t n);
/* Finish into out (MX_DIGEST_MAX bytes), free c, return the length. */
size_t mx_digest_final(struct mx_digest_ctx *c, unsigned char *out);
/* Free a context that will not be finished. */
void mx_digest_free(struct mx_digest_ctx *c);
size_t mx_digest_len(enum mx_digest d);

struct mx_pubkey;

/*
 * Load a DKIM public key from its decoded p= data.  type "rsa":
 * SubjectPublicKeyInfo DER (RFC 6376 §3.6.1), or a bare PKCS#1
 * RSAPublicKey (which some publishers use; *lenient is set).  type
 * "ed25519": the raw 32-byte key (RFC 8463 §4.2).  Returns NULL with
 * *error set (static text) when the data is not such a key.  *bits gets the
 * key size.
 */
struct mx_pubkey *mx_pubkey_load(const char *type, const unsigned char *p, size_t len,
    int *bits, int *lenient, const char **error);
void mx_pubkey_free(struct mx_pubkey *k);

/*
 * Verify sig over the digest of the signed data.  RSA: PKCS#1 v1.5 with
 * DigestInfo(d, digest) (RFC 8017 §8.2).  Ed25519: the signature is over
 * the SHA-256 digest itself as the message (RFC 8463 §3).  Returns 1 when
 * it verifies, 0 when it does not, -1 when the key and algorithm do not fit.
 */
int mx_verify(const struct mx_pubkey *k, enum mx_digest d, const unsigned char *digest,
    size_t dlen, const unsigned char *sig, size_t siglen);

#endif
