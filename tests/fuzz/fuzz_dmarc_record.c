/*
 * fuzz_dmarc_record.c - parsers/dmarc_record.c: the input as one DMARC TXT
 * record.  Invariants abort on violation.
 */
#include <stdlib.h>
#include <string.h>

#include "dmarc_record.h"
#include "fuzz.h"

static void
check(int ok)
{
	if (!ok)
		abort();
}

static int
policy_in_range(enum mx_dmarc_policy p)
{
	return p >= MX_DMARC_P_UNSET && p <= MX_DMARC_P_INVALID;
}

static void
uris(char *const *u, const int *oks, size_t n, size_t valid, size_t dropped)
{
	size_t kept_valid = 0;
	check(n <= MX_DMARC_MAX_URIS);
	check(dropped == 0 || n == MX_DMARC_MAX_URIS);
	for (size_t i = 0; i < n; i++) {
		check(u[i] != NULL);
		check(oks[i] == 0 || oks[i] == 1);
		kept_valid += (size_t)oks[i];
		/* a valid URI has a scheme and no blank */
		if (oks[i])
			check(strchr(u[i], ':') != NULL && strpbrk(u[i], " \t\r\n,;") == NULL);
	}
	check(kept_valid <= valid && valid <= kept_valid + dropped);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mx_dmarc_record r;
	if (mx_dmarc_record_parse((const char *)data, size, &r) != 0)
		return 0;
	check(r.raw != NULL && r.raw_len == size && memcmp(r.raw, data, size) == 0);
	check(r.ok == (r.is_dmarc && r.error == NULL));
	check(r.ok_bis == (r.is_dmarc && r.error_bis == NULL));
	check(r.is_dmarc || (!r.ok && !r.ok_bis && r.error && r.error_bis));
	check(policy_in_range(r.p) && policy_in_range(r.sp) && policy_in_range(r.np));
	check(r.pct >= -1 && r.pct <= 100);
	check(r.ri >= -1 && r.ri <= 4294967295L);
	check(r.psd >= -1 && r.psd <= 1);
	check(!r.testing || r.has_t);
	check(!(r.none_fallback || r.none_fallback_bis) || (r.rua_valid > 0 && r.fallback_reason));
	uris(r.rua, r.rua_ok, r.nrua, r.rua_valid, r.rua_dropped);
	uris(r.ruf, r.ruf_ok, r.nruf, r.ruf_valid, r.ruf_dropped);
	check((r.nmalformed == 0) == (r.malformed_error == NULL));
	check(r.nmalformed == 0 || r.malformed_offset <= size);
	if (r.ok) {
		/* usable under RFC 7489: every RFC 7489 tag valid */
		check(r.pct >= 0 && r.ri >= 0);
		check(r.none_fallback || r.p == MX_DMARC_P_NONE || r.p == MX_DMARC_P_QUARANTINE ||
		    r.p == MX_DMARC_P_REJECT);
	}
	for (int bis = 0; bis <= 1; bis++)
		for (int t = MX_DMARC_FOR_DOMAIN; t <= MX_DMARC_FOR_NXSUBDOMAIN; t++) {
			enum mx_dmarc_policy ap = mx_dmarc_record_policy(&r, bis, t);
			check(ap != MX_DMARC_P_INVALID);
			check((ap != MX_DMARC_P_UNSET) == (bis ? r.ok_bis : r.ok));
		}
	mx_dmarc_record_finish(&r);
	mx_dmarc_record_finish(&r);	/* finish leaves a zeroed struct: twice is safe */
	return 0;
}
