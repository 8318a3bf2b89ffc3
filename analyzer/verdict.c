/*
 * verdict.c - what the receiver should have decided, method by method,
 * against what it recorded, with the most likely cause of each difference.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

/* The trusted receiver's result for method (any pass wins for dkim), or NULL. */
static const char *
recorded(const struct mx_analysis *a, const char *method)
{
	const char *res = NULL;
	for (size_t i = 0; i < a->nrec; i++) {
		const struct mx_recorded *r = &a->rec[i];
		if (!r->trusted || strcmp(r->source, "authentication-results") != 0 ||
		    strcmp(r->method, method) != 0)
			continue;
		if (res == NULL || strcmp(r->result, "pass") == 0)
			res = r->result;
	}
	return res;
}

static const char *
recomputed_dkim(const struct mx_analysis *a)
{
	if (a->dkim_fields == 0)
		return "none";
	const char *first = a->dkim[0].policy_result;
	for (size_t i = 0; i < a->ndkim; i++)
		if (strcmp(a->dkim[i].policy_result, "pass") == 0)
			return "pass";
	return first;
}

static char *
dkim_cause(const struct mx_analysis *a, const char *rec, const char *now)
{
	for (size_t i = 0; i < a->ndkim; i++) {
		const struct mx_dkim_result *r = &a->dkim[i];
		if (r->diag_code && (strcmp(r->diag_code, "key_rotated") == 0 ||
		    strcmp(r->diag_code, "key_not_in_snapshot") == 0 ||
		    strcmp(r->diag_code, "key_missing") == 0 || strcmp(r->diag_code, "key_revoked") == 0))
			return mx_fmt("the key of d=%s is not available now (%s): likely rotated since "
			    "delivery; the receiver's result stands for the delivery time",
			    r->sig.d, r->diag_code);
		if (strcmp(rec, "pass") == 0 && r->body_hash == MX_BH_FAIL)
			return mx_fmt("the body no longer matches d=%s's signature (%s): the message was "
			    "modified after delivery, or by how it was saved or pasted", r->sig.d,
			    r->diag_code ? r->diag_code : "body changed");
		if (strcmp(rec, "pass") == 0 && r->header_sig == 0)
			return mx_fmt("signed header fields of d=%s changed after delivery (%s)", r->sig.d,
			    r->diag_code ? r->diag_code : "header changed");
	}
	if (strcmp(now, "pass") == 0)
		return mx_fmt("mxray verifies a signature the receiver did not accept: the receiver "
		    "saw a different message, applied its own policy, or the key changed since");
	return mx_fmt("the DNS snapshot differs from what the receiver saw at delivery");
}

static void
add(struct mx_analysis *a, const char *method, const char *rec, const char *now, char *cause)
{
	struct mx_verdict_item *v = &a->verdict[a->nverdict++];
	v->method = method;
	v->recorded = rec ? strdup(rec) : NULL;
	v->recomputed = now ? strdup(now) : NULL;
	v->agree = rec && now && strcmp(rec, now) == 0;
	v->cause = cause;
	if (!v->agree && rec && now)
		mx_findings_add(&a->findings, "VERDICT_DIFFERS", -1, -1, NULL, -1, "The receiver "
		    "recorded %s=%s; mxray finds %s=%s now. Most likely: %s.", method, rec, method,
		    now, cause ? cause : "unknown");
}

int
mx_verdict_compare(struct mx_analysis *a)
{
	if (!a->dns_given || !a->boundary.found)
		return 0;
	const char *rd = recorded(a, "dkim"), *rs = recorded(a, "spf"), *rm = recorded(a, "dmarc");
	const char *nd = recomputed_dkim(a);
	const char *ns = a->has_spf ? a->spf.result : NULL;
	const char *nm = a->has_dmarc ? a->dmarc.e[MX_DMARC_7489].result : NULL;
	/* Gmail writes no dkim entry for an unsigned message: that is dkim=none */
	if (rd == NULL && (rs || rm) && a->dkim_fields == 0)
		rd = "none";
	add(a, "dkim", rd, nd, rd && strcmp(rd, nd) ? dkim_cause(a, rd, nd) : NULL);
	char *spf_cause = NULL;
	if (rs && ns && strcmp(rs, ns) != 0)
		spf_cause = strcmp(ns, "temperror") == 0 ? mx_fmt("an SPF lookup is missing from the "
		    "DNS snapshot or failed: %s", a->spf.reason ? a->spf.reason : "DNS") :
		    mx_fmt("the SPF record (or other DNS) changed since delivery: the snapshot is "
		    "what mxray saw, the receiver saw the DNS of that day");
	add(a, "spf", rs, ns, spf_cause);
	char *dm_cause = NULL;
	if (rm && nm && strcmp(rm, nm) != 0) {
		int arc = mx_header_count(&a->hdr, "ARC-Seal") > 0;
		int arc_ok = a->has_arc && strcmp(a->arc.result, "pass") == 0;
		if (strcmp(rm, "pass") == 0 && strcmp(nm, "fail") == 0 && arc_ok && a->arc.ninst)
			dm_cause = mx_fmt("a receiver-specific rule: the message was forwarded, and the receiver "
			    "accepted the DMARC failure on the strength of the valid ARC chain (instance "
			    "%d, sealed by %s%s, recorded: %s)", a->arc.inst[0].instance,
			    a->arc.inst[0].sealer ? a->arc.inst[0].sealer : "?",
			    a->arc.inst[0].trusted ? ", trusted" : ", not named with --trust-arc",
			    a->arc.inst[0].story ? a->arc.inst[0].story : "-");
		else if (strcmp(rm, "pass") == 0 && strcmp(nm, "fail") == 0 && arc)
			dm_cause = mx_fmt("a receiver-specific rule: Gmail and others accept a DMARC failure "
			    "when a trusted forwarder's ARC set recorded a pass (the message was "
			    "forwarded; the chain does not validate for mxray: %s)",
			    a->arc.reason ? a->arc.reason : "no ARC result");
		else if (!a->verdict[0].agree || !a->verdict[1].agree)
			dm_cause = mx_fmt("it follows from the %s difference above", !a->verdict[0].agree ?
			    "DKIM" : "SPF");
		else
			dm_cause = mx_fmt("the DMARC record changed since delivery, or the receiver "
			    "evaluated another author domain");
	}
	add(a, "dmarc", rm, nm, dm_cause);
	return 0;
}
