/*
 * dmarc_message.c - DMARC for a message: the author domain(s) from the raw
 * From fields, SPF through the MAIL FROM domain (the HELO only for a null
 * sender: Composition Kills A1), DKIM through each passing signature's d=.
 * With several author domains each is evaluated and the strictest reported.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis.h"

static void
findings_for(struct mx_analysis *a)
{
	const struct mx_dmarc_result *r = &a->dmarc;
	const struct mx_dmarc_eval *e = &r->e[MX_DMARC_7489];
	struct mx_findings *fs = &a->findings;
	for (size_t i = 0; i < r->nlint; i++)
		mx_findings_add(fs, r->lint[i].code, r->lint[i].severity, -1, NULL, -1, "%s",
		    r->lint[i].message);
	if (strcmp(e->result, "fail") == 0)
		mx_findings_add(fs, "DMARC_FAIL", strcmp(e->disposition, "none") ? MX_SEV_HIGH : -1,
		    -1, NULL, -1, "DMARC fails for %s: %s. Its policy (%s=%s) tells receivers to %s "
		    "such mail.", r->from_domain, e->reason, e->policy_tag ? e->policy_tag : "p",
		    mx_dmarc_policy_name(e->policy), strcmp(e->disposition, "reject") == 0 ? "reject" :
		    strcmp(e->disposition, "quarantine") == 0 ? "quarantine (spam folder)" :
		    "deliver (monitoring only)");
	else if (strcmp(e->result, "permerror") == 0 || strcmp(e->result, "temperror") == 0)
		mx_findings_add(fs, "DMARC_ERROR", -1, -1, NULL, -1, "DMARC for %s could not be "
		    "evaluated (%s): %s.", r->from_domain, e->result, e->reason);
	if (r->differ)
		mx_findings_add(fs, "DMARC_RFCS_DIFFER", -1, -1, NULL, -1, "RFC 7489 and RFC 9989 "
		    "disagree for %s: RFC 7489 gives %s (policy from %s, %s), RFC 9989 gives %s "
		    "(policy from %s, %s%s). Receivers are moving to RFC 9989.", r->from_domain,
		    r->e[0].result, r->e[0].policy_domain ? r->e[0].policy_domain : "none",
		    r->e[0].disposition, r->e[1].result, r->e[1].policy_domain ?
		    r->e[1].policy_domain : "none", r->e[1].disposition, r->e[1].nonexistent ?
		    "; the From domain does not exist, so np= applies" : "");
}

int
mx_dmarc_message(struct mx_analysis *a, const struct mx_options *opt)
{
	if (a->msg.nauthors == 0 || !a->dns_given)
		return 0;
	struct mx_dmarc_input in = { .dns = opt->dns };
	/* SPF: the MAIL FROM identity; the HELO identity only for a null sender */
	if (a->has_spf && strcmp(a->spf.result, "pass") == 0)
		in.spf_pass[in.nspf++] = a->spf.domain;
	for (size_t i = 0; i < a->ndkim && in.ndkim < MX_DMARC_MAX_IDS; i++)
		if (strcmp(a->dkim[i].policy_result, "pass") == 0 && a->dkim[i].sig.d)
			in.dkim_pass[in.ndkim++] = a->dkim[i].sig.d;
	int have = 0;
	for (size_t k = 0; k < a->msg.nauthors; k++) {
		const char *dom = a->msg.authors[k].domain;
		if (dom == NULL || dom[0] == '\0')
			continue;
		int seen = 0;
		for (size_t j = 0; j < k; j++)
			seen |= a->msg.authors[j].domain && strcasecmp(a->msg.authors[j].domain, dom) == 0;
		if (seen)
			continue;
		in.from_domain = dom;
		struct mx_dmarc_result r;
		if (mx_dmarc_check(&in, &r) != 0)
			return -1;
		if (!have || mx_dmarc_stricter(&a->dmarc.e[0], &r.e[0])) {
			if (have)
				mx_dmarc_result_finish(&a->dmarc);
			a->dmarc = r;
			have = 1;
		} else {
			mx_dmarc_result_finish(&r);
		}
		a->dmarc_candidates++;
	}
	a->has_dmarc = have;
	if (have)
		findings_for(a);
	return 0;
}
