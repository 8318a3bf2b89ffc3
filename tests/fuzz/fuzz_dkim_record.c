/*
 * fuzz_dkim_record.c - parsers/dkim_record.c: the input as a DKIM-Signature
 * value, as a key record, and as base64.  Invariants abort on violation.
 */
#include <stdlib.h>
#include <string.h>

#include "dkim_record.h"
#include "fuzz.h"

static void
check(int ok)
{
	if (!ok)
		abort();
}

static int
lower(const char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 0;
	return 1;
}

static void
sig(const char *buf, size_t size)
{
	struct mx_dkim_sig s;
	if (mx_dkim_sig_parse(buf, size, &s) != 0)
		return;
	check(s.ok == (s.error == NULL));
	if (s.ok) {
		check(s.alg != MX_DKIM_ALG_UNKNOWN && s.a && s.d && s.s && s.i && s.h);
		check(s.nh >= 1 && s.nh <= MX_DKIM_MAX_H);
		check(lower(s.d) && lower(s.s));
		check(strlen(s.d) <= 253 && strlen(s.s) <= 253);
		check(s.b && s.blen > 0 && s.bh);
		check(s.bhlen == (s.alg == MX_DKIM_RSA_SHA1 ? 20u : 32u));
		check(s.b_value_offset + s.b_value_len <= size);
		check(s.b_value_offset >= 2 && buf[s.b_value_offset - 1] == '=');
		check(!s.has_l || s.l <= ((uint64_t)1 << 63));
		check(!(s.has_t && s.has_x) || s.x >= s.t);
		check(strchr(s.i, '@') != NULL);
		int from = 0;
		for (size_t k = 0; k < s.nh; k++) {
			check(s.h[k] && lower(s.h[k]) && s.h[k][0] != '\0');
			from |= strcmp(s.h[k], "from") == 0;
		}
		check(from);
	}
	mx_dkim_sig_finish(&s);
	mx_dkim_sig_finish(&s);	/* finish leaves a zeroed struct: twice is safe */
}

static void
key(const char *buf, size_t size)
{
	struct mx_dkim_key k;
	if (mx_dkim_key_parse(buf, size, &k) != 0)
		return;
	check(k.ok == (k.error == NULL));
	check(k.k != NULL);
	check(!k.revoked || !k.ok);
	if (k.ok) {
		check(k.p != NULL && k.plen > 0);
		check(strcmp(k.k, "rsa") == 0 || strcmp(k.k, "ed25519") == 0);
	}
	mx_dkim_key_finish(&k);
}

static void
base64(const char *buf, size_t size)
{
	size_t n = 12345;
	unsigned char *p = mx_base64_decode(buf, size, &n);
	check(p != NULL || n == 0);
	check(n <= size / 4 * 3);
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sig((const char *)data, size);
	key((const char *)data, size);
	base64((const char *)data, size);
	return 0;
}
