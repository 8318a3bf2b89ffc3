/*
 * fuzz_authres.c - parsers/authres.c as Authentication-Results and as
 * ARC-Authentication-Results.  Beyond "no crash, no leak, no read past the
 * end" (the sanitizers), the invariants the rest of mxray relies on are
 * checked and a violation aborts (this is the fuzz harness, not input handling).
 */
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "fuzz.h"

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
invariants(int rc, const struct mx_authres *ar, int arc, size_t size)
{
	check(rc == MX_AR_OK || rc == MX_AR_LENIENT || rc == MX_AR_REJECT || rc == MX_AR_NOMEM);
	if (rc == MX_AR_NOMEM)
		return;
	check(ar->nresults <= MX_AUTHRES_MAX_RESULTS);
	check((rc == MX_AR_OK) == (ar->error == NULL));
	check(rc != MX_AR_LENIENT || (ar->flags & MX_AR_F_LENIENT));
	check(ar->error == NULL || ar->error_offset <= size);
	check(arc || ar->instance == 0);
	check(!arc || rc == MX_AR_REJECT || (ar->instance >= 1 && ar->instance <= 50));
	for (size_t i = 0; i < ar->nresults; i++) {
		const struct mx_authres_result *r = &ar->results[i];
		check(r->method != NULL && r->result != NULL);
		check(r->nprops <= MX_AUTHRES_MAX_PROPS);
		check(r->method_version >= 0);
		for (const char *p = r->method; *p; p++)
			check(!(*p >= 'A' && *p <= 'Z'));
		for (size_t j = 0; j < r->nprops; j++) {
			const struct mx_authres_prop *p = &r->props[j];
			check(p->ptype != NULL && p->property != NULL && p->value != NULL);
			check(strlen(p->value) <= size);
			check(mx_authres_prop_get(r, p->ptype, p->property) != NULL);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mx_authres ar;
	for (int arc = 0; arc <= 1; arc++) {
		int rc = mx_authres_parse((const char *)data, size, arc, &ar);
		invariants(rc, &ar, arc, size);
		mx_authres_finish(&ar);
	}
	return 0;
}
