/* Fuzz target: zone-file text through the DNS layer's loader, then lookups. */
#include <stdlib.h>

#include "dns.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mx_dns *d = mx_dns_new();
	if (d == NULL)
		return 0;
	struct mx_dns_error err;
	if (mx_dns_load_buffer(d, "fuzz.zone", (const char *)data, size, &err) == 0) {
		static const char *const names[] = { "example.com", "a.example.com",
		    "x.wild.example.com", "b.ent.example.com", "c1.example.com", "example.org" };
		static const enum mx_dns_type types[] = { MX_DNS_TXT, MX_DNS_A, MX_DNS_MX,
		    MX_DNS_CNAME };
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
				struct mx_dns_answer a;
				unsigned n = 0;
				if (mx_dns_query(d, names[i], types[k], &a, &n) != 0)
					continue;
				/* bounded: one query per CNAME link at most */
				if (n > MX_DNS_MAX_CNAME + 1 || a.nrrs > MX_DNS_MAX_RRS)
					abort();
				mx_dns_answer_finish(&a);
			}
	}
	mx_dns_free(d);
	return 0;
}
