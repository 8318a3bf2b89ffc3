/*
 * dmarc.c - DMARC: policy discovery, alignment, result and disposition,
 * by RFC 7489 and by RFC 9989, side by side.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc.h"
#include "domain.h"
#include "findings.h"

static void
lint(struct mx_dmarc_result *r, const char *code, int sev, char *msg)
{
	if (msg == NULL)
		return;
	for (size_t i = 0; i < r->nlint; i++)
		if (strcmp(r->lint[i].code, code) == 0) {
			free(msg);
			return;
		}
	struct mx_dmarc_lint *n = realloc(r->lint, (r->nlint + 1) * sizeof *n);
	if (n == NULL) {
		free(msg);
		return;
	}
	r->lint = n;
	n[r->nlint].code = code;
	n[r->nlint].severity = sev;
	n[r->nlint].message = msg;
	r->nlint++;
}

static int
label_count(const char *d)
{
	int n = 1;
	for (const char *p = d; *p; p++)
		n += *p == '.' && p[1] != '\0';
	return n;
}

/* The parent of d ("a.b.c" -> "b.c"), or NULL at a single label. */
static const char *
parent(const char *d)
{
	const char *dot = strchr(d, '.');
	return dot && dot[1] ? dot + 1 : NULL;
}

enum fetch { F_RECORD, F_NONE, F_TEMP, F_MULTI };

/* RFC 7489 §6.6.3: the one record at _dmarc.<domain> starting with v=DMARC1. */
static enum fetch
fetch_record(struct mx_dns *dns, const char *domain, struct mx_dmarc_record *rec,
    unsigned *lookups, enum mx_dns_status *status)
{
	char name[600];
	snprintf(name, sizeof name, "_dmarc.%s", domain);
	struct mx_dns_answer a;
	memset(rec, 0, sizeof *rec);
	if (mx_dns_query(dns, name, MX_DNS_TXT, &a, NULL) != 0)
		return F_TEMP;
	(*lookups)++;
	*status = a.status;
	if (mx_dns_is_temp(a.status) || a.status == MX_DNS_NOT_IN_SNAPSHOT ||
	    a.status == MX_DNS_PLANNED) {
		mx_dns_answer_finish(&a);
		return F_TEMP;
	}
	size_t found = 0;
	for (size_t i = 0; i < a.nrrs; i++) {
		struct mx_dmarc_record r;
		if (mx_dmarc_record_parse(a.rrs[i].data, a.rrs[i].len, &r) != 0)
			continue;
		if (r.is_dmarc) {
			if (found++ == 0)
				*rec = r;
			else
				mx_dmarc_record_finish(&r);
		} else {
			mx_dmarc_record_finish(&r);
		}
	}
	mx_dns_answer_finish(&a);
	if (found > 1) {
		mx_dmarc_record_finish(rec);
		return F_MULTI;
	}
	return found ? F_RECORD : F_NONE;
}

static int
aligned(const char *id, const char *from, int strict, const char *from_org, int mode,
    struct mx_dns *dns, unsigned *lookups);

/* RFC 9989 §4.10: the organizational domain of d by the tree walk. */
static char *
walk_org(struct mx_dns *dns, const char *d, unsigned *lookups)
{
	const char *cur = d;
	char buf[600];
	/* names of more than 8 labels start the walk at their rightmost 8 */
	int n = label_count(d);
	while (n > MX_DMARC_MAX_WALK && cur) {
		cur = parent(cur);
		n--;
	}
	char *best = NULL;
	for (int q = 0; cur && q < MX_DMARC_MAX_WALK; q++) {
		struct mx_dmarc_record r;
		enum mx_dns_status st;
		enum fetch f = fetch_record(dns, cur, &r, lookups, &st);
		if (f == F_RECORD) {
			if (r.psd == 0) {
				free(best);
				best = strdup(cur);
				mx_dmarc_record_finish(&r);
				break;
			}
			if (r.psd == 1) {
				/* a public suffix operator: the org domain is one label below it */
				mx_dmarc_record_finish(&r);
				if (strcmp(cur, d) != 0) {
					const char *p = d;
					while (p && parent(p) && strcmp(parent(p), cur) != 0)
						p = parent(p);
					free(best);
					best = p ? strdup(p) : NULL;
				}
				break;
			}
			/* no psd: remember it; the highest such record is the org domain */
			free(best);
			best = strdup(cur);
			mx_dmarc_record_finish(&r);
		}
		snprintf(buf, sizeof buf, "%s", cur);
		cur = parent(cur);
	}
	return best ? best : strdup(d);
}

static int
aligned(const char *id, const char *from, int strict, const char *from_org, int mode,
    struct mx_dns *dns, unsigned *lookups)
{
	if (id == NULL || id[0] == '\0')
		return 0;
	if (strcasecmp(id, from) == 0)
		return 1;
	if (strict)
		return 0;
	char org[MX_DOMAIN_MAX];
	if (mode == MX_DMARC_7489) {
		if (!mx_registrable_domain(id, org, sizeof org))
			return 0;
		return strcasecmp(org, from_org) == 0;
	}
	char *o = walk_org(dns, id, lookups);
	int ok = o && strcasecmp(o, from_org) == 0;
	free(o);
	return ok;
}

/* RFC 9989 §4.10.3: a domain with no A, AAAA or MX record does not exist for DMARC. */
static int
nonexistent(struct mx_dns *dns, const char *d, unsigned *lookups)
{
	static const enum mx_dns_type types[] = { MX_DNS_A, MX_DNS_AAAA, MX_DNS_MX };
	for (size_t i = 0; i < 3; i++) {
		struct mx_dns_answer a;
		if (mx_dns_query(dns, d, types[i], &a, NULL) != 0)
			return 0;
		(*lookups)++;
		int gone = a.status == MX_DNS_NXDOMAIN || a.status == MX_DNS_NODATA;
		mx_dns_answer_finish(&a);
		if (!gone)
			return 0;
	}
	return 1;
}

static enum mx_dmarc_policy
lower(enum mx_dmarc_policy p)
{
	return p == MX_DMARC_P_REJECT ? MX_DMARC_P_QUARANTINE : MX_DMARC_P_NONE;
}

static void
evaluate(const struct mx_dmarc_input *in, int mode, struct mx_dmarc_eval *e,
    struct mx_dmarc_result *res)
{
	const char *from = in->from_domain;
	char org[MX_DOMAIN_MAX] = "";
	enum mx_dns_status st;
	e->disposition = "none";
	/* RFC 7489 §3.2: the author domain must be a domain name */
	size_t fl = strlen(from);
	if (fl == 0 || from[0] == '.' || strstr(from, "..") || from[fl - 1] == '.') {
		e->result = "none";
		e->reason = mx_fmt("the From domain \"%s\" is not a valid domain name: DMARC cannot be "
		    "applied", from);
		return;
	}
	/* policy discovery */
	enum fetch f = fetch_record(in->dns, from, &e->rec, &e->lookups, &st);
	const char *found_at = from;
	if (mode == MX_DMARC_7489) {
		/* a public suffix itself has no organizational domain (null) */
		if (mx_registrable_domain(from, org, sizeof org))
			e->org_domain = strdup(org);
		if (f == F_NONE && e->org_domain && strcasecmp(org, from) != 0) {
			f = fetch_record(in->dns, org, &e->rec, &e->lookups, &st);
			found_at = org;
		}
	} else {
		char *o = walk_org(in->dns, from, &e->lookups);
		e->org_domain = o;
		if (f == F_NONE) {
			/* walk up to the first record: at most 8 queries in all (RFC 9989 §4.10.1) */
			const char *cur = parent(from);
			int n = label_count(from);
			while (cur && n - 1 > MX_DMARC_MAX_WALK) {
				cur = parent(cur);
				n--;
			}
			for (int q = 1; cur && f == F_NONE && q < MX_DMARC_MAX_WALK; q++) {
				f = fetch_record(in->dns, cur, &e->rec, &e->lookups, &st);
				found_at = cur;
				if (f == F_NONE)
					cur = parent(cur);
			}
		}
	}
	if (f == F_TEMP) {
		e->result = "temperror";
		e->reason = mx_fmt("the DMARC record lookup failed or is not in the snapshot");
		return;
	}
	if (f == F_MULTI) {
		e->result = "none";
		e->reason = mx_fmt("_dmarc.%s has more than one DMARC record: DMARC does not apply "
		    "(RFC 7489 §6.6.3)", found_at);
		lint(res, "DMARC_MULTIPLE_RECORDS", MX_SEV_HIGH, mx_fmt("_dmarc.%s publishes more than "
		    "one DMARC record, so receivers apply none. Keep one.", found_at));
		return;
	}
	if (f == F_NONE) {
		e->result = "none";
		int other = mode == MX_DMARC_7489 && e->org_domain && strcasecmp(e->org_domain, from);
		e->reason = mx_fmt("no DMARC record for %s%s%s", from, other ?
		    " or its organizational domain " : "", other ? e->org_domain : "");
		return;
	}
	e->has_record = 1;
	e->policy_domain = strdup(found_at);
	const struct mx_dmarc_record *r = &e->rec;
	int bis = mode == MX_DMARC_9989;
	/* which policy applies: the record's own domain (p), an existing subdomain (sp),
	 * a non-existent one (RFC 9989 np) */
	int at_from = strcasecmp(found_at, from) == 0;
	int target = MX_DMARC_FOR_DOMAIN;
	if (!at_from) {
		target = MX_DMARC_FOR_SUBDOMAIN;
		if (bis && r->np != MX_DMARC_P_UNSET &&
		    (e->nonexistent = nonexistent(in->dns, from, &e->lookups)))
			target = MX_DMARC_FOR_NXSUBDOMAIN;
	}
	e->policy = mx_dmarc_record_policy(r, bis, target);
	e->policy_tag = target == MX_DMARC_FOR_DOMAIN ? "p" : target == MX_DMARC_FOR_SUBDOMAIN ?
	    (r->sp != MX_DMARC_P_UNSET ? "sp" : "p") : (r->np != MX_DMARC_P_UNSET ? "np" : "sp");
	if (e->policy == MX_DMARC_P_UNSET) {
		/* RFC 7489 §6.6.3: an unusable record means no DMARC processing */
		e->result = "permerror";
		e->reason = mx_fmt("the DMARC record at _dmarc.%s is unusable: %s", found_at,
		    (bis ? r->error_bis : r->error) ? (bis ? r->error_bis : r->error) : "syntax");
		e->policy_tag = NULL;
		return;
	}
	/* alignment (RFC 7489 §3.1) */
	const char *from_org = e->org_domain ? e->org_domain : from;
	for (size_t i = 0; i < in->nspf && !e->spf_aligned; i++)
		if (aligned(in->spf_pass[i], from, r->aspf_strict, from_org, mode, in->dns,
		    &e->lookups))
			e->spf_aligned = strdup(in->spf_pass[i]);
	for (size_t i = 0; i < in->ndkim && !e->dkim_aligned; i++)
		if (aligned(in->dkim_pass[i], from, r->adkim_strict, from_org, mode, in->dns,
		    &e->lookups))
			e->dkim_aligned = strdup(in->dkim_pass[i]);
	if (e->spf_aligned || e->dkim_aligned) {
		e->result = "pass";
		e->reason = mx_fmt("aligned %s%s%s", e->dkim_aligned ? "DKIM d=" : "SPF ",
		    e->dkim_aligned ? e->dkim_aligned : e->spf_aligned,
		    e->dkim_aligned && e->spf_aligned ? " (and SPF)" : "");
		return;
	}
	e->result = "fail";
	e->reason = mx_fmt("neither SPF (%zu pass) nor DKIM (%zu pass) is aligned with %s (%s "
	    "alignment)", in->nspf, in->ndkim, from, r->adkim_strict || r->aspf_strict ?
	    "strict" : "relaxed");
	enum mx_dmarc_policy d = e->policy;
	if (mode == MX_DMARC_9989 && r->testing)
		d = lower(d);	/* RFC 9989 t=y: one level less severe */
	e->disposition = mx_dmarc_policy_name(d);
}

int
mx_dmarc_stricter(const struct mx_dmarc_eval *a, const struct mx_dmarc_eval *b)
{
	static const char *const order[] = { "pass", "none", "temperror", "permerror", "fail" };
	int ra = 0, rb = 0;
	for (int i = 0; i < 5; i++) {
		if (strcmp(a->result, order[i]) == 0)
			ra = i;
		if (strcmp(b->result, order[i]) == 0)
			rb = i;
	}
	if (rb != ra)
		return rb > ra;
	return b->policy > a->policy;
}

static void
policy_lint(struct mx_dmarc_result *res, const struct mx_dmarc_input *in)
{
	const struct mx_dmarc_eval *e = &res->e[MX_DMARC_7489];
	if (!e->has_record) {
		if (strcmp(e->result, "none") == 0 && e->reason && !strstr(e->reason, "more than one") &&
		    !strstr(e->reason, "not a valid domain"))
			lint(res, "DMARC_NO_RECORD", MX_SEV_MEDIUM, mx_fmt("%s publishes no DMARC policy: "
			    "anyone can send as it and receivers are told nothing. Start with "
			    "\"_dmarc.%s TXT v=DMARC1; p=none; rua=mailto:dmarc@%s\" and watch the "
			    "reports.", in->from_domain, e->org_domain ? e->org_domain : in->from_domain,
			    e->org_domain ? e->org_domain : in->from_domain));
		return;
	}
	const struct mx_dmarc_record *r = &e->rec;
	if (r->rua_valid == 0)
		lint(res, "DMARC_NO_RUA", MX_SEV_LOW, mx_fmt("The DMARC record of %s has no rua=: the "
		    "domain receives no aggregate reports, so it cannot see who sends as it. Add "
		    "rua=mailto:... before tightening the policy.", e->policy_domain));
	if (r->p == MX_DMARC_P_NONE)
		lint(res, "DMARC_P_NONE", MX_SEV_INFO, mx_fmt("%s is at p=none (monitoring). The staged "
		    "rollout: a few weeks of p=none with reports, then p=quarantine (with pct= to "
		    "start small), then p=reject once the reports show only your own services.",
		    e->policy_domain));
	if (r->p == MX_DMARC_P_REJECT && in->ndkim == 0)
		lint(res, "DMARC_REJECT_WITHOUT_DKIM", MX_SEV_MEDIUM, mx_fmt("%s is at p=reject but this "
		    "message has no passing DKIM signature: under p=reject, mail that relies on SPF "
		    "alone fails as soon as it is forwarded. Sign with DKIM for %s.", e->policy_domain,
		    in->from_domain));
	if (r->has_pct && r->pct < 100 && r->pct >= 0)
		lint(res, "DMARC_PCT", MX_SEV_INFO, mx_fmt("pct=%d: RFC 7489 receivers apply the policy "
		    "to %d%% of failing mail and the next lower one to the rest (RFC 9989 removed "
		    "pct; use t=y while testing).", r->pct, r->pct));
	if (r->unknown_tags)
		lint(res, "DMARC_UNKNOWN_TAGS", MX_SEV_LOW, mx_fmt("The DMARC record of %s has tags "
		    "receivers ignore: %s.", e->policy_domain, r->unknown_tags));
	if (!r->ok && r->error)
		lint(res, "DMARC_RECORD_ERROR", MX_SEV_MEDIUM, mx_fmt("The DMARC record of %s: %s%s%s.",
		    e->policy_domain, r->error, r->fallback_reason ? "; " : "",
		    r->fallback_reason ? r->fallback_reason : ""));
}

int
mx_dmarc_check(const struct mx_dmarc_input *in, struct mx_dmarc_result *out)
{
	memset(out, 0, sizeof *out);
	if ((out->from_domain = strdup(in->from_domain ? in->from_domain : "")) == NULL)
		return -1;
	for (int m = 0; m < 2; m++) {
		if (in->dns == NULL || !mx_dns_has_data(in->dns)) {
			out->e[m].result = "temperror";
			out->e[m].disposition = "none";
			out->e[m].reason = strdup("no DNS data was given (--dns FILE, or --online)");
			continue;
		}
		evaluate(in, m, &out->e[m], out);
		if (out->e[m].reason == NULL)
			return -1;
	}
	const struct mx_dmarc_eval *a = &out->e[0], *b = &out->e[1];
	out->differ = strcmp(a->result, b->result) != 0 || strcmp(a->disposition, b->disposition) ||
	    a->policy != b->policy;
	if (in->dns && mx_dns_has_data(in->dns))
		policy_lint(out, in);
	return 0;
}

static void
eval_finish(struct mx_dmarc_eval *e)
{
	free(e->policy_domain);
	free(e->org_domain);
	free(e->reason);
	free(e->spf_aligned);
	free(e->dkim_aligned);
	if (e->has_record || e->rec.raw)
		mx_dmarc_record_finish(&e->rec);
	memset(e, 0, sizeof *e);
}

void
mx_dmarc_result_finish(struct mx_dmarc_result *r)
{
	free(r->from_domain);
	eval_finish(&r->e[0]);
	eval_finish(&r->e[1]);
	for (size_t i = 0; i < r->nlint; i++)
		free(r->lint[i].message);
	free(r->lint);
	memset(r, 0, sizeof *r);
}
