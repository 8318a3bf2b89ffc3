/*
 * spf_message.c - SPF for a message: the inputs come from the hop where the
 * receiver accepted it (client IP, HELO) and from the envelope sender it
 * recorded; both identities are checked (RFC 7208 §2.3, §2.4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis.h"
#include "domain.h"

static const char *
recorded_prop(const struct mx_analysis *a, const char *source, const char *method,
    const char *key)
{
	for (size_t i = 0; i < a->nrec; i++) {
		const struct mx_recorded *r = &a->rec[i];
		if (!r->trusted || strcmp(r->source, source) != 0 || strcmp(r->method, method) != 0)
			continue;
		for (size_t k = 0; k < r->nprops; k++)
			if (strcmp(r->props[k].key, key) == 0 && r->props[k].value[0])
				return r->props[k].value;
	}
	return NULL;
}

static const struct mx_recorded *
recorded_spf(const struct mx_analysis *a)
{
	for (size_t i = 0; i < a->nrec; i++)
		if (a->rec[i].trusted && strcmp(a->rec[i].method, "spf") == 0 &&
		    strcmp(a->rec[i].source, "authentication-results") == 0)
			return &a->rec[i];
	for (size_t i = 0; i < a->nrec; i++)
		if (a->rec[i].trusted && strcmp(a->rec[i].method, "spf") == 0)
			return &a->rec[i];
	return NULL;
}

/* The envelope sender the receiver saw, and where it was read. */
static const char *
choose_mail_from(const struct mx_analysis *a, const char **source)
{
	const char *v;
	if (a->boundary.mail_from) {
		*source = "the Return-Path the final receiver wrote";
		return a->boundary.mail_from;
	}
	if ((v = recorded_prop(a, "authentication-results", "spf", "smtp.mailfrom")) != NULL) {
		*source = "smtp.mailfrom in the receiver's Authentication-Results (no Return-Path)";
		return v;
	}
	if ((v = recorded_prop(a, "received-spf", "spf", "envelope-from")) != NULL) {
		*source = "envelope-from in the receiver's Received-SPF (no Return-Path)";
		return v;
	}
	const char *ef = a->hops[a->boundary.hop].r.envelope_from;
	if (ef && ef[0]) {
		*source = "the envelope-from noted in the receiver's Received field";
		return ef;
	}
	*source = NULL;
	return NULL;
}

/*
 * The include each large sending service documents for its customers' SPF
 * records, by the organizational domain of its servers' names.
 */
static const struct {
	const char *org;
	const char *include;
} providers[] = {
	{ "google.com", "include:_spf.google.com" },
	{ "outlook.com", "include:spf.protection.outlook.com" },
	{ "sendgrid.net", "include:sendgrid.net" },
	{ "amazonses.com", "include:amazonses.com" },
	{ "mailgun.net", "include:mailgun.org" },
	{ "mailgun.org", "include:mailgun.org" },
	{ "mcsv.net", "include:servers.mcsv.net" },
	{ "mcdlv.net", "include:servers.mcsv.net" },
	{ "mandrillapp.com", "include:spf.mandrillapp.com" },
	{ "sparkpostmail.com", "include:sparkpostmail.com" },
	{ "mtasv.net", "include:spf.mtasv.net" },
	{ "zoho.com", "include:zoho.com" },
	{ "zohomail.com", "include:zoho.com" },
};

/* "If <org> sends for you, add <include>" for the server that connected, or "". */
static void
provider_advice(const struct mx_analysis *a, const struct mx_spf_result *r, char *dst,
    size_t n)
{
	dst[0] = '\0';
	const char *host = a->boundary.rdns[0] ? a->boundary.rdns : a->boundary.helo;
	if (host == NULL || host[0] == '\0')
		return;
	char org[MX_DOMAIN_MAX];
	mx_org_domain(host, org, sizeof org);
	for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++)
		if (strcmp(org, providers[i].org) == 0) {
			snprintf(dst, n, " The connecting server %s belongs to %s: if %s sends mail "
			    "for %s, add %s to %s's SPF record.", host, org, org, r->domain,
			    providers[i].include, r->domain);
			return;
		}
	snprintf(dst, n, " The connecting server is %s (%s): if that service sends for %s, "
	    "add the include it documents to %s's SPF record; if not, this mail is not from %s.",
	    host, org, r->domain, r->domain, r->domain);
}

static void
result_findings(struct mx_analysis *a, const struct mx_spf_result *r, const char *what)
{
	char advice[2048];
	provider_advice(a, r, advice, sizeof advice);
	struct mx_findings *fs = &a->findings;
	for (size_t i = 0; i < r->nlint; i++)
		mx_findings_add(fs, r->lint[i].code, r->lint[i].severity, -1, NULL, -1, "%s",
		    r->lint[i].message);
	const char *res = r->result;
	if (strcmp(res, "fail") == 0)
		mx_findings_add(fs, "SPF_FAIL", -1, -1, NULL, -1, "SPF %s: %s is not allowed to send "
		    "for %s (%s).%s%s%s", what, r->ip, r->domain, r->matched ? r->matched : "-all",
		    r->explanation ? " The domain explains: " : "", r->explanation ? r->explanation :
		    "", advice);
	else if (strcmp(res, "softfail") == 0)
		mx_findings_add(fs, "SPF_SOFTFAIL", -1, -1, NULL, -1, "SPF %s: %s is not listed for %s "
		    "(softfail, %s): receivers usually accept it but count it against the message.%s",
		    what, r->ip, r->domain, r->matched ? r->matched : "~all", advice);
	else if (strcmp(res, "permerror") == 0)
		mx_findings_add(fs, "SPF_PERMERROR", -1, -1, NULL, -1, "SPF %s for %s is broken "
		    "(permerror): %s. Receivers treat this as a failure of the domain's policy.", what,
		    r->domain, r->reason ? r->reason : "invalid record");
	else if (strcmp(res, "temperror") == 0)
		mx_findings_add(fs, "SPF_TEMPERROR", -1, -1, NULL, -1, "SPF %s for %s could not be "
		    "evaluated: %s.", what, r->domain, r->reason ? r->reason : "DNS failure");
	else if (strcmp(res, "none") == 0 && strcmp(what, "for the envelope sender") == 0)
		mx_findings_add(fs, "SPF_NONE", -1, -1, NULL, -1, "%s publishes no SPF record: any "
		    "server can claim to send its mail.%s", r->domain, r->reason ? "" : "");
	if (r->scope && strcmp(res, "pass") == 0)
		mx_findings_add(fs, "SPF_WIDE_MATCH", -1, -1, NULL, -1, "SPF %s passed, but %s.", what,
		    r->scope);
}

int
mx_spf_message(struct mx_analysis *a, const struct mx_options *opt)
{
	if (a->hdr.nfields == 0)
		return 0;
	if (!a->boundary.found || !a->boundary.client_ip[0]) {
		if (a->nhops)
			mx_findings_add(&a->findings, "SPF_NOT_EVALUATED", -1, -1, NULL, -1,
			    "SPF was not evaluated: %s.", a->boundary.found ? "the receiver's Received "
			    "field records no client IP" : "the receiver's trust boundary was not found");
		return 0;
	}
	const char *source = NULL;
	const char *mf = choose_mail_from(a, &source);
	a->spf_mail_from_source = source;
	const char *ar_mf = recorded_prop(a, "authentication-results", "spf", "smtp.mailfrom");
	if (mf && a->boundary.mail_from && ar_mf) {
		const char *d1 = strrchr(mf, '@'), *d2 = strrchr(ar_mf, '@');
		d1 = d1 ? d1 + 1 : mf;
		d2 = d2 ? d2 + 1 : ar_mf;
		if (strcasecmp(d1, d2) != 0)
			mx_findings_add(&a->findings, "SPF_INPUTS_DISAGREE", -1, -1, NULL, -1,
			    "The Return-Path names %s but the receiver's Authentication-Results says "
			    "smtp.mailfrom=%s. mxray checked the Return-Path (the final receiver writes "
			    "it from the envelope); a difference means a forwarder or a rewrite between "
			    "them.", mf, ar_mf);
	}
	struct mx_spf_input in = {
		.ip = a->boundary.client_ip, .mail_from = mf ? mf : "<>",
		.helo = a->boundary.helo, .receiver_host = a->boundary.receiver,
		.now = a->verify_time, .dns = a->dns_given ? opt->dns : NULL,
	};
	int null_sender = mf == NULL || mf[0] == '\0' || strcmp(mf, "<>") == 0;
	if (mx_spf_check(&in, null_sender ? MX_SPF_HELO : MX_SPF_MAILFROM, &a->spf) != 0)
		return -1;
	a->has_spf = 1;
	a->dns_lookups += a->spf.dns_queries;
	/* the HELO identity too (RFC 7208 §2.3), when it is a name */
	const char *helo = a->boundary.helo;
	if (!null_sender && helo[0] && helo[0] != '[' && !mx_is_ip(helo) && strchr(helo, '.')) {
		if (mx_spf_check(&in, MX_SPF_HELO, &a->spf_helo) != 0)
			return -1;
		a->has_spf_helo = 1;
		a->dns_lookups += a->spf_helo.dns_queries;
	}
	if (!a->dns_given)
		return 0;	/* no DNS data: the receiver's recorded result is all there is */
	result_findings(a, &a->spf, null_sender ? "for the HELO (null sender)" :
	    "for the envelope sender");
	if (a->has_spf_helo && strcmp(a->spf_helo.result, "pass") == 0 &&
	    strcmp(a->spf.result, "pass") != 0)
		mx_findings_add(&a->findings, "SPF_HELO_ONLY", -1, -1, NULL, -1, "SPF passes for the "
		    "HELO name %s but not for the envelope sender's domain %s (%s). A HELO pass must "
		    "never stand in for MAIL FROM: DMARC aligns on MAIL FROM (Composition Kills A1).",
		    helo, a->spf.domain, a->spf.result);
	const struct mx_recorded *rec = recorded_spf(a);
	if (rec && strcmp(rec->result, a->spf.result) != 0 && strcmp(a->spf.result, "temperror"))
		mx_findings_add(&a->findings, "SPF_RECORDED_DIFFERS", -1, rec->field_index,
		    rec->source, rec->offset, "The receiver (%s) recorded spf=%s at delivery; with the "
		    "DNS data given, SPF gives %s now. The SPF record (or the snapshot) has changed "
		    "since delivery; the receiver's result stands for the delivery time.",
		    rec->authserv_id ? rec->authserv_id : "unnamed", rec->result, a->spf.result);
	return 0;
}
