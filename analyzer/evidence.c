/*
 * evidence.c - what the receiving side recorded: Authentication-Results
 * (RFC 8601), ARC-Authentication-Results (RFC 8617), Received-SPF (RFC 7208
 * §9.1) and Gmail's "Show original" summary; and whether each is evidence.
 *
 * RFC 8601 §5: only results from the receiver's own authserv-id, above the
 * point where it accepted the message, are the receiver's.  Anything below
 * that came with the message: a claim.  A claim wearing the receiver's
 * authserv-id is forged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "authres.h"
#include "domain.h"
#include "received_spf.h"

static int
names_receiver(const struct mx_boundary *b, const char *id)
{
	if (id == NULL)
		return 0;
	for (size_t i = 0; i < b->nnames; i++)
		if (mx_domain_within(id, b->names[i]))
			return 1;
	return 0;
}

static struct mx_recorded *
new_record(struct mx_analysis *a, size_t *cap)
{
	if (a->nrec == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct mx_recorded *nr = realloc(a->rec, nc * sizeof *nr);
		if (nr == NULL)
			return NULL;
		a->rec = nr;
		*cap = nc;
	}
	struct mx_recorded *r = &a->rec[a->nrec++];
	memset(r, 0, sizeof *r);
	return r;
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
add_prop(struct mx_recorded *r, const char *ptype, const char *prop, const char *value)
{
	struct mx_prop *np = realloc(r->props, (r->nprops + 1) * sizeof *np);
	if (np == NULL)
		return -1;
	r->props = np;
	struct mx_prop *p = &r->props[r->nprops];
	size_t kl = strlen(prop) + (ptype ? strlen(ptype) + 1 : 0) + 1;
	p->key = malloc(kl);
	p->value = strdup(value ? value : "");
	if (p->key == NULL || p->value == NULL) {
		free(p->key);
		free(p->value);
		return -1;
	}
	if (ptype && ptype[0])
		snprintf(p->key, kl, "%s.%s", ptype, prop);
	else
		snprintf(p->key, kl, "%s", prop);
	r->nprops++;
	return 0;
}

/*
 * Gmail and Yahoo put Received-SPF and Authentication-Results directly BELOW
 * their own Received field, so "above the boundary" alone would miss them:
 * the run of fields right below the boundary hop, up to the message's own
 * fields, is the receiver's too.  But a receiver writes one result of each
 * kind there: a second one in the run came with the message.
 */
struct trust_state {
	long run_end;		/* first field after the receiver's run below its Received */
	int ar_taken;		/* the run's Authentication-Results was attributed */
	int spf_taken;		/* the run's Received-SPF was attributed */
	int aar_taken;
};

/*
 * Fields that belong to the message as its author wrote it.  The receiver's
 * run below its Received field ends at the first of these or at the next
 * Received field (the sender's own hop).
 */
static const char *const origin_fields[] = {
	"Received", "From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version",
	"Content-Type", "DKIM-Signature", "Reply-To", "Sender",
};

static void
trust_init(struct mx_analysis *a, struct trust_state *ts)
{
	memset(ts, 0, sizeof *ts);
	ts->run_end = -1;
	if (!a->boundary.found)
		return;
	long i = a->boundary.field_index + 1;
	for (; i < (long)a->hdr.nfields; i++) {
		int origin = 0;
		for (size_t k = 0; k < sizeof origin_fields / sizeof origin_fields[0]; k++)
			origin |= mx_span_ieq(a->hdr.fields[i].name, origin_fields[k]);
		if (origin)
			break;
	}
	ts->run_end = i;
}

enum trust { T_CLAIM, T_TRUSTED, T_FORGED };

/* Decide trust for a field at index fi with authserv-id id (may be NULL). */
static const char *
judge(struct mx_analysis *a, struct trust_state *ts, long fi, const char *id, int *taken,
    enum trust *t)
{
	const struct mx_boundary *b = &a->boundary;
	*t = T_CLAIM;
	if (!b->found)
		return "no trust boundary was found, so no result can be attributed to the receiver";
	int above = fi < b->field_index;
	int in_run = fi > b->field_index && fi < ts->run_end;
	int ours = names_receiver(b, id);
	if (above && ours) {
		*t = T_TRUSTED;
		return "written by the receiver, above the hop where it accepted the message";
	}
	if (above && id == NULL) {
		*t = T_TRUSTED;
		return "above the receiver's boundary; this form carries no authserv-id";
	}
	if (above)
		return "another server's result: a claim, not the receiver's evidence";
	if (in_run && (ours || id == NULL) && !*taken) {
		*taken = 1;
		*t = T_TRUSTED;
		return "written by the receiver with its Received field";
	}
	if (in_run && ours) {
		*t = T_FORGED;
		return "a second result under the receiver's name below its Received field "
		    "(receivers write one, so this one came with the message)";
	}
	if (ours) {
		*t = T_FORGED;
		return "below the hop where the receiver accepted the message";
	}
	return "below the receiver's boundary: written before the receiver got the message";
}

static int
collect_authres(struct mx_analysis *a, struct trust_state *ts, size_t *cap, long fi,
    int arc)
{
	const struct mx_field *f = &a->hdr.fields[fi];
	const char *fname = arc ? "ARC-Authentication-Results" : "Authentication-Results";
	struct mx_authres ar;
	int rc = mx_authres_parse(f->value.ptr, f->value.len, arc, &ar);
	if (rc == MX_AR_NOMEM)
		return -1;
	long long off = (long long)f->offset;
	if (rc == MX_AR_REJECT || (rc == MX_AR_LENIENT && !(ar.flags & MX_AR_F_NO_AUTHSERV_ID)))
		mx_findings_add(&a->findings, "AUTHRES_SYNTAX", -1, fi, fname, off,
		    "Field %ld (%s) is not RFC 8601 syntax%s%s%s.", fi + 1, fname,
		    ar.error ? ": " : "", ar.error ? ar.error : "",
		    rc == MX_AR_REJECT ? "; it was not read" : "; it was read leniently");
	if (ar.flags & MX_AR_F_NO_AUTHSERV_ID)
		mx_findings_add(&a->findings, "AUTHRES_NO_AUTHSERV_ID", -1, fi, fname, off,
		    "Field %ld (%s) names no authserv-id, as Microsoft 365 writes it: its author "
		    "is known only from its position.", fi + 1, fname);
	if (ar.flags & MX_AR_F_COMMENT_IN_VALUE)
		mx_findings_add(&a->findings, "AUTHRES_INJECTION", -1, fi, fname, off,
		    "Field %ld (%s) has a value with comment or quote characters, the mark of a "
		    "crafted d= or MAIL FROM meant to fool result parsers (Composition Kills A4/A5).",
		    fi + 1, fname);
	if (ar.flags & MX_AR_F_TRUNCATED)
		mx_findings_add(&a->findings, "AUTHRES_TRUNCATED", -1, fi, fname, off,
		    "Field %ld (%s) has more results than mxray reads (%d).", fi + 1, fname,
		    MX_AUTHRES_MAX_RESULTS);
	enum trust t;
	const char *why = judge(a, ts, fi, ar.authserv_id, arc ? &ts->aar_taken : &ts->ar_taken, &t);
	int trusted = t == T_TRUSTED;
	if (t == T_FORGED)
		mx_findings_add(&a->findings, "AUTHRES_FORGED", -1, fi, fname, off,
		    "Field %ld (%s) carries the receiver's name (%s), but it is %s. The sender's "
		    "side wrote it to look authenticated.", fi + 1, fname, ar.authserv_id, why);
	else if (!trusted && a->boundary.found && rc != MX_AR_REJECT)
		mx_findings_add(&a->findings, "AUTHRES_UNTRUSTED", -1, fi, fname, off,
		    "Field %ld (%s) from %s is a claim, not evidence: %s.", fi + 1, fname,
		    ar.authserv_id ? ar.authserv_id : "an unnamed server", why);
	for (size_t i = 0; rc != MX_AR_REJECT && i < ar.nresults; i++) {
		const struct mx_authres_result *res = &ar.results[i];
		struct mx_recorded *r = new_record(a, cap);
		if (r == NULL)
			goto nomem;
		r->source = arc ? "arc-authentication-results" : "authentication-results";
		r->authserv_id = dup_or_null(ar.authserv_id);
		r->instance = ar.instance;
		r->trusted = trusted;
		r->trust_reason = why;
		r->method = strdup(res->method);
		r->result = strdup(res->result);
		r->reason = dup_or_null(res->reason);
		r->comment = dup_or_null(res->comment);
		r->field_index = fi;
		r->offset = off;
		if (r->method == NULL || r->result == NULL)
			goto nomem;
		for (size_t k = 0; k < res->nprops; k++)
			if (add_prop(r, res->props[k].ptype, res->props[k].property,
			    res->props[k].value) != 0)
				goto nomem;
	}
	mx_authres_finish(&ar);
	return 0;
nomem:
	mx_authres_finish(&ar);
	return -1;
}

static int
collect_received_spf(struct mx_analysis *a, struct trust_state *ts, size_t *cap, long fi)
{
	const struct mx_field *f = &a->hdr.fields[fi];
	struct mx_received_spf s;
	if (mx_received_spf_parse(f->value.ptr, f->value.len, &s) != 0)
		return -1;
	enum trust t;
	/* receiver= is optional and often junk ("<UNKNOWN>" from policyd-spf) */
	const char *receiver = mx_received_spf_get(&s, "receiver");
	if (receiver && (strchr(receiver, '.') == NULL || strpbrk(receiver, "<> ") != NULL))
		receiver = NULL;
	const char *why = judge(a, ts, fi, receiver, &ts->spf_taken, &t);
	int trusted = t == T_TRUSTED;
	if (t == T_FORGED)
		mx_findings_add(&a->findings, "AUTHRES_FORGED", -1, fi, "Received-SPF",
		    (long long)f->offset, "Field %ld (Received-SPF) names %s as its receiver but "
		    "sits below the hop where the receiver accepted the message: forged.",
		    fi + 1, receiver);
	struct mx_recorded *r = new_record(a, cap);
	if (r == NULL)
		goto nomem;
	r->source = "received-spf";
	r->authserv_id = dup_or_null(receiver);
	r->trusted = trusted;
	r->trust_reason = why;
	r->method = strdup("spf");
	r->result = strdup(s.result[0] ? s.result : "none");
	r->comment = dup_or_null(s.comment);
	r->field_index = fi;
	r->offset = (long long)f->offset;
	if (r->method == NULL || r->result == NULL)
		goto nomem;
	for (size_t k = 0; k < s.nkv; k++)
		if (add_prop(r, NULL, s.kv[k].key, s.kv[k].value) != 0)
			goto nomem;
	mx_received_spf_finish(&s);
	return 0;
nomem:
	mx_received_spf_finish(&s);
	return -1;
}

static int
add_gmail(struct mx_analysis *a, size_t *cap, const char *method, const char *result,
    const char *k1, const char *v1)
{
	if (result == NULL)
		return 0;
	struct mx_recorded *r = new_record(a, cap);
	if (r == NULL)
		return -1;
	r->source = "gmail-summary";
	r->authserv_id = strdup("mx.google.com");
	r->trusted = 1;
	r->trust_reason = "Gmail's own summary of its verdicts, as the user copied it";
	r->method = strdup(method);
	r->result = strdup(result);
	r->field_index = -1;
	r->offset = -1;
	if (r->authserv_id == NULL || r->method == NULL || r->result == NULL)
		return -1;
	if (v1 && add_prop(r, NULL, k1, v1) != 0)
		return -1;
	return 0;
}

/* Gmail's summary against the trusted mx.google.com results in the source. */
static void
compare_gmail(struct mx_analysis *a)
{
	for (size_t i = 0; i < a->nrec; i++) {
		const struct mx_recorded *g = &a->rec[i];
		if (strcmp(g->source, "gmail-summary") != 0)
			continue;
		for (size_t k = 0; k < a->nrec; k++) {
			const struct mx_recorded *r = &a->rec[k];
			if (strcmp(r->source, "authentication-results") != 0 || !r->trusted ||
			    strcmp(r->method, g->method) != 0)
				continue;
			if (strcmp(r->result, g->result) != 0)
				mx_findings_add(&a->findings, "GMAIL_SUMMARY_MISMATCH", -1, r->field_index,
				    "Authentication-Results", r->offset, "Gmail's summary says %s=%s but "
				    "the source's Authentication-Results says %s=%s: the pasted summary and "
				    "source may not belong together.", g->method, g->result, r->method,
				    r->result);
			break;
		}
	}
}

static void
failure_findings(struct mx_analysis *a)
{
	static const char *const methods[] = { "dmarc", "spf", "dkim", "arc", "compauth" };
	for (size_t i = 0; i < a->nrec; i++) {
		const struct mx_recorded *r = &a->rec[i];
		/* the Authentication-Results says it all; the same verdict in Received-SPF,
		 * ARC-Authentication-Results or Gmail's summary is not a second finding */
		if (!r->trusted || strcmp(r->source, "authentication-results") != 0)
			continue;
		int fail = strcmp(r->result, "fail") == 0 || strcmp(r->result, "softfail") == 0 ||
		    strcmp(r->result, "permerror") == 0 || strcmp(r->result, "temperror") == 0;
		if (!fail)
			continue;
		for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
			if (strcmp(r->method, methods[m]) == 0) {
				mx_findings_add(&a->findings, "RECORDED_AUTH_FAILURE",
				    m == 0 ? MX_SEV_MEDIUM : MX_SEV_LOW, r->field_index,
				    "Authentication-Results", r->offset, "The receiver (%s) recorded %s=%s%s%s%s.",
				    r->authserv_id ? r->authserv_id : "unnamed", r->method, r->result,
				    r->comment ? " (" : "", r->comment ? r->comment : "",
				    r->comment ? ")" : "");
				break;
			}
	}
}

int
mx_evidence_collect(struct mx_analysis *a)
{
	size_t cap = 0;
	struct trust_state ts;
	trust_init(a, &ts);
	for (size_t i = 0; i < a->hdr.nfields; i++) {
		const struct mx_field *f = &a->hdr.fields[i];
		int rc = 0;
		if (mx_span_ieq(f->name, "Authentication-Results"))
			rc = collect_authres(a, &ts, &cap, (long)i, 0);
		else if (mx_span_ieq(f->name, "ARC-Authentication-Results"))
			rc = collect_authres(a, &ts, &cap, (long)i, 1);
		else if (mx_span_ieq(f->name, "Received-SPF"))
			rc = collect_received_spf(a, &ts, &cap, (long)i);
		if (rc != 0)
			return -1;
	}
	if (a->depth == 0 && a->intake.has_gmail_summary) {
		const struct mx_gmail_summary *g = &a->intake.gmail;
		if (add_gmail(a, &cap, "spf", g->spf_result, "smtp.client-ip", g->spf_ip) != 0 ||
		    add_gmail(a, &cap, "dkim", g->dkim_result, "header.d", g->dkim_domain) != 0 ||
		    add_gmail(a, &cap, "dmarc", g->dmarc_result, NULL, NULL) != 0)
			return -1;
		compare_gmail(a);
	}
	failure_findings(a);
	return 0;
}
