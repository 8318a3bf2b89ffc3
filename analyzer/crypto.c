/*
 * crypto.c - OpenSSL 3 behind one door.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/decoder.h>

#include "crypto.h"
#include "hash.h"

struct mx_digest_ctx {
	EVP_MD_CTX *md;
};

struct mx_pubkey {
	EVP_PKEY *pkey;
	int ed25519;
};

static const EVP_MD *
md_of(enum mx_digest d)
{
	return d == MX_DIGEST_SHA1 ? EVP_sha1() : EVP_sha256();
}

size_t
mx_digest_len(enum mx_digest d)
{
	return d == MX_DIGEST_SHA1 ? 20 : 32;
}

struct mx_digest_ctx *
mx_digest_new(enum mx_digest d)
{
	struct mx_digest_ctx *c = malloc(sizeof *c);
	if (c == NULL)
		return NULL;
	c->md = EVP_MD_CTX_new();
	if (c->md == NULL || EVP_DigestInit_ex(c->md, md_of(d), NULL) != 1) {
		EVP_MD_CTX_free(c->md);
		free(c);
		return NULL;
	}
	return c;
}

void
mx_digest_update(struct mx_digest_ctx *c, const void *p, size_t n)
{
	if (n)
		EVP_DigestUpdate(c->md, p, n);
}

size_t
mx_digest_final(struct mx_digest_ctx *c, unsigned char *out)
{
	unsigned int n = 0;
	if (EVP_DigestFinal_ex(c->md, out, &n) != 1)
		n = 0;
	mx_digest_free(c);
	return n;
}

void
mx_digest_free(struct mx_digest_ctx *c)
{
	if (c == NULL)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

/*
 * Decoded keys, by key data: OpenSSL 3 builds a decoder chain for every DER
 * key (about 90 us for RSA-2048, four RSA verifications), and a mailbox
 * signs thousands of messages with the same few keys.  Bounded; shared by
 * the batch threads under a lock (an EVP_PKEY is safe to verify with from
 * several threads at once).
 */
#define KEY_CACHE_SLOTS 1024	/* a power of two; at most half are filled */
#define KEY_CACHE_MAX_DATA 1100	/* the DER of an RSA-8192 key is about 1060 bytes */

struct cached_key {
	unsigned char *data;	/* NULL: empty slot */
	size_t len;
	int ed25519, lenient;
	EVP_PKEY *pkey;
};

static struct {
	pthread_mutex_t lock;
	struct cached_key slot[KEY_CACHE_SLOTS];
	size_t used;
} keys = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct cached_key *
key_slot(const unsigned char *p, size_t len, int ed)
{
	for (size_t i = mx_hash(p, len, (size_t)ed) & (KEY_CACHE_SLOTS - 1);; i = (i + 1) & (KEY_CACHE_SLOTS - 1)) {
		struct cached_key *c = &keys.slot[i];
		if (c->data == NULL ||
		    (c->len == len && c->ed25519 == ed && memcmp(c->data, p, len) == 0))
			return c;
	}
}

/* A new reference to the cached key for this data, or NULL. */
static EVP_PKEY *
key_cached(const unsigned char *p, size_t len, int ed, int *lenient)
{
	EVP_PKEY *pkey = NULL;
	pthread_mutex_lock(&keys.lock);
	struct cached_key *c = key_slot(p, len, ed);
	if (c->data != NULL && EVP_PKEY_up_ref(c->pkey) == 1) {
		pkey = c->pkey;
		*lenient = c->lenient;
	}
	pthread_mutex_unlock(&keys.lock);
	return pkey;
}

/* Remember a decoded key (best effort: a full cache or no memory just means no caching). */
static void
key_remember(const unsigned char *p, size_t len, int ed, int lenient, EVP_PKEY *pkey)
{
	if (len > KEY_CACHE_MAX_DATA)
		return;
	pthread_mutex_lock(&keys.lock);
	struct cached_key *c = key_slot(p, len, ed);
	if (c->data == NULL && keys.used < KEY_CACHE_SLOTS / 2 &&
	    (c->data = malloc(len ? len : 1)) != NULL) {
		if (EVP_PKEY_up_ref(pkey) != 1) {
			free(c->data);
			c->data = NULL;
		} else {
			memcpy(c->data, p, len);
			c->len = len;
			c->ed25519 = ed;
			c->lenient = lenient;
			c->pkey = pkey;
			keys.used++;
		}
	}
	pthread_mutex_unlock(&keys.lock);
}

static EVP_PKEY *
decode_der(const unsigned char *p, size_t len, const char *structure)
{
	EVP_PKEY *pkey = NULL;
	OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", structure, "RSA",
	    EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	if (dc == NULL)
		return NULL;
	const unsigned char *q = p;
	size_t left = len;
	if (OSSL_DECODER_from_data(dc, &q, &left) != 1 || left != 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dc);
	return pkey;
}

struct mx_pubkey *
mx_pubkey_load(const char *type, const unsigned char *p, size_t len, int *bits, int *lenient,
    const char **error)
{
	*bits = 0;
	*lenient = 0;
	int ed = strcmp(type, "ed25519") == 0;
	if (!ed && strcmp(type, "rsa") != 0) {
		*error = "unknown key type";
		return NULL;
	}
	/* a key decoded before passed the checks below then, and passes them again */
	EVP_PKEY *pkey = key_cached(p, len, ed, lenient);
	int fresh = pkey == NULL;
	if (fresh && ed) {
		if (len != 32) {
			*error = "an ed25519 key must be 32 bytes (RFC 8463 §4.2)";
			return NULL;
		}
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, p, len);
	} else if (fresh) {
		/* RFC 6376 §3.6.1: SubjectPublicKeyInfo; a bare RSAPublicKey is read too, flagged */
		pkey = decode_der(p, len, "SubjectPublicKeyInfo");
		if (pkey == NULL && (pkey = decode_der(p, len, "type-specific")) != NULL)
			*lenient = 1;
		if (pkey && EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
	}
	if (pkey == NULL) {
		*error = ed ? "not a valid ed25519 key" : "p= is not an RSA public key";
		return NULL;
	}
	*bits = EVP_PKEY_get_bits(pkey);
	if (!ed && *bits > MX_RSA_MAX_BITS) {
		EVP_PKEY_free(pkey);
		*error = "RSA key larger than 8192 bits";
		return NULL;
	}
	if (fresh)
		key_remember(p, len, ed, *lenient, pkey);
	struct mx_pubkey *k = malloc(sizeof *k);
	if (k == NULL) {
		EVP_PKEY_free(pkey);
		*error = "out of memory";
		return NULL;
	}
	k->pkey = pkey;
	k->ed25519 = ed;
	return k;
}

void
mx_pubkey_free(struct mx_pubkey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int
mx_verify(const struct mx_pubkey *k, enum mx_digest d, const unsigned char *digest,
    size_t dlen, const unsigned char *sig, size_t siglen)
{
	int rc = -1;
	if (k->ed25519) {
		/* RFC 8463 §3: PureEdDSA over the SHA-256 hash of the canonicalized data */
		if (d != MX_DIGEST_SHA256)
			return -1;
		EVP_MD_CTX *mc = EVP_MD_CTX_new();
		if (mc == NULL)
			return -1;
		if (EVP_DigestVerifyInit_ex(mc, NULL, NULL, NULL, NULL, k->pkey, NULL) == 1)
			rc = EVP_DigestVerify(mc, sig, siglen, digest, dlen) == 1;
		EVP_MD_CTX_free(mc);
		return rc;
	}
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (pc == NULL)
		return -1;
	if (EVP_PKEY_verify_init(pc) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(pc, md_of(d)) == 1)
		rc = EVP_PKEY_verify(pc, sig, siglen, digest, dlen) == 1;
	EVP_PKEY_CTX_free(pc);
	return rc;
}
