/*
 * fuzz_received_spf.c - parsers/received_spf.c.  Besides the sanitizers'
 * checks, the invariants callers rely on abort when broken (harness only).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "received_spf.h"

static void
check(int ok)
{
	if (!ok)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mx_received_spf r;
	if (mx_received_spf_parse((const char *)data, size, &r) == 0) {
		check(r.result != NULL);
		check(r.nkv <= MX_RSPF_MAX_KEYS);
		for (const char *p = r.result; *p; p++)
			check(!(*p >= 'A' && *p <= 'Z'));
		for (size_t i = 0; i < r.nkv; i++) {
			check(r.kv[i].key != NULL && r.kv[i].value != NULL);
			check(strlen(r.kv[i].value) <= size);
			check(mx_received_spf_get(&r, r.kv[i].key) != NULL);
		}
	}
	mx_received_spf_finish(&r);
	return 0;
}
