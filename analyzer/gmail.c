/*
 * gmail.c - the sender card Gmail shows, reconstructed with its reasons and
 * the sender's fix (support.google.com/mail/answer/1311182, 180707, 7039474;
 * the empirical rules in shared/research/landscape.md §4, labelled as such).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis.h"
#include "domain.h"

static void
explain(struct mx_gmail *g, const char *indicator, char *reason, char *fix)
{
	struct mx_gmail_explanation *n = realloc(g->ex, (g->nex + 1) * sizeof *n);
	if (n == NULL) {
		free(reason);
		free(fix);
		return;
	}
	g->ex = n;
	n[g->nex].indicator = indicator;
	n[g->nex].reason = reason;
	n[g->nex].fix = fix;
	g->nex++;
}

static int
same_org(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return 0;
	char oa[MX_DOMAIN_MAX], ob[MX_DOMAIN_MAX];
	mx_org_domain(a, oa, sizeof oa);
	mx_org_domain(b, ob, sizeof ob);
	return strcasecmp(oa, ob) == 0;
}

static const char *
domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	return at ? at + 1 : addr;
}

struct auth {
	const char *spf_domain;		/* MAIL FROM domain that passed SPF */
	const char *dkim[16];		/* d= that passed */
	size_t ndkim;
};

/* Gmail's own recorded verdicts (trusted mx.google.com results). */
static int
from_recorded(const struct mx_analysis *a, struct auth *au)
{
	int any = 0;
	for (size_t i = 0; i < a->nrec; i++) {
		const struct mx_recorded *r = &a->rec[i];
		if (!r->trusted || strcmp(r->source, "authentication-results") != 0)
			continue;
		any = 1;
		const char *d = NULL, *mf = NULL, *hi = NULL;
		for (size_t k = 0; k < r->nprops; k++) {
			if (strcmp(r->props[k].key, "header.d") == 0)
				d = r->props[k].value;
			else if (strcmp(r->props[k].key, "header.i") == 0)
				hi = r->props[k].value;
			else if (strcmp(r->props[k].key, "smtp.mailfrom") == 0)
				mf = r->props[k].value;
		}
		if (strcmp(r->result, "pass") != 0)
			continue;
		if (strcmp(r->method, "spf") == 0 && mf)
			au->spf_domain = domain_of(mf);
		else if (strcmp(r->method, "dkim") == 0 && au->ndkim < 16 && (d || hi))
			au->dkim[au->ndkim++] = d ? d : domain_of(hi);
	}
	return any;
}

static void
from_recomputed(const struct mx_analysis *a, struct auth *au)
{
	if (a->has_spf && strcmp(a->spf.result, "pass") == 0)
		au->spf_domain = a->spf.domain;
	for (size_t i = 0; i < a->ndkim && au->ndkim < 16; i++)
		if (strcmp(a->dkim[i].policy_result, "pass") == 0)
			au->dkim[au->ndkim++] = a->dkim[i].sig.d;
}

int
mx_gmail_card(struct mx_analysis *a)
{
	struct mx_gmail *g = &a->gmail;
	if (a->msg.nauthors == 0 || !a->boundary.found)
		return 0;
	const char *from = a->msg.authors[0].domain;
	for (size_t i = 0; i < a->boundary.nnames; i++)
		g->receiver_is_gmail |= strcasecmp(a->boundary.names[i], "google.com") == 0;
	struct auth au = { 0 };
	if (g->receiver_is_gmail && from_recorded(a, &au))
		g->basis = "Gmail's own verdicts at delivery (mx.google.com's Authentication-Results)";
	else if (a->dns_given) {
		from_recomputed(a, &au);
		g->basis = "mxray's re-verification (what Gmail would decide with this DNS)";
	} else if (from_recorded(a, &au)) {
		g->basis = "the receiver's recorded verdicts";
	} else {
		return 0;
	}
	a->has_gmail = 1;
	if (au.spf_domain)
		g->mailed_by = strdup(au.spf_domain);
	const char *signer = NULL;
	for (size_t i = 0; i < au.ndkim && !signer; i++)
		if (same_org(au.dkim[i], from))
			signer = au.dkim[i];
	if (signer == NULL && au.ndkim)
		signer = au.dkim[0];
	if (signer)
		g->signed_by = strdup(signer);
	int authenticated_from = same_org(signer, from) || same_org(au.spf_domain, from);
	g->question_mark = au.spf_domain == NULL && au.ndkim == 0;
	/* Gmail help 180707: a forwarded message whose ARC shows it failed earlier counts as
	 * unauthenticated, whatever SPF or DKIM say now */
	int arc_earlier_fail = 0;
	for (size_t i = 0; a->has_arc && strcmp(a->arc.result, "pass") == 0 && i < a->nrec; i++) {
		const struct mx_recorded *x = &a->rec[i];
		if (strcmp(x->source, "arc-authentication-results") == 0 && x->instance == 1 &&
		    strcmp(x->method, "dmarc") == 0 && strcmp(x->result, "fail") == 0)
			arc_earlier_fail = 1;
	}
	if (arc_earlier_fail && !g->question_mark) {
		g->question_mark = 1;
		explain(g, "question_mark", mx_fmt("Gmail shows a grey \"?\" although SPF or DKIM passes "
		    "now: the message was forwarded, and the first ARC set records that it failed "
		    "DMARC before (Gmail help 180707)."), mx_fmt("The original sender must authenticate "
		    "the message at the source (DKIM for %s); forwarding cannot repair it.", from));
	}
	int ghost = a->has_dmarc && a->dmarc.e[MX_DMARC_9989].nonexistent;
	if (!authenticated_from && !g->question_mark && ghost) {
		g->via = strdup(signer ? signer : au.spf_domain);
		explain(g, "via", mx_fmt("Gmail shows \"via %s\" because %s authenticated the message, "
		    "not %s, the domain in From.", g->via, g->via, from),
		    mx_fmt("%s does not exist in DNS (no A, AAAA or MX record): no real sender uses it. "
		    "If it is meant to be yours, create it and set up DKIM and a return-path under "
		    "it; otherwise this message only borrows the name.", from));
	} else if (!authenticated_from && !g->question_mark) {
		g->via = strdup(signer ? signer : au.spf_domain);
		explain(g, "via", mx_fmt("Gmail shows \"via %s\" because the domain that authenticated "
		    "the message (%s %s) is not %s, the domain in From. (Gmail help 1311182; that "
		    "it names the DKIM d= first, then the SPF domain, is observed, not documented.)",
		    g->via, signer ? "DKIM signed by" : "SPF mailed by", g->via, from),
		    mx_fmt("Set up DKIM for %s itself at the sending service (it gives you CNAME or TXT "
		    "records such as s1._domainkey.%s to publish), and a custom return-path (bounce "
		    "domain) under %s so SPF aligns too. Then the \"via\" goes away.", from, from, from));
	}
	if (g->question_mark)
		explain(g, "question_mark", mx_fmt("Gmail shows a grey \"?\" instead of the sender's "
		    "picture because neither SPF nor DKIM authenticated the message (Gmail help "
		    "180707)%s.", mx_header_count(&a->hdr, "ARC-Seal") ? "; Gmail also treats a "
		    "forwarded message as unauthenticated when ARC shows it failed earlier" : ""),
		    mx_fmt("If %s really sent this, publish SPF for it including the server that sent "
		    "(%s) and sign with DKIM for %s. If it did not, the \"?\" is the warning that "
		    "matters: nothing shows the message comes from %s.", from,
		    a->boundary.client_ip[0] ? a->boundary.client_ip : "the sender", from, from));
	if (g->mailed_by)
		explain(g, "mailed_by", mx_fmt("\"mailed-by %s\": SPF passed for the envelope sender's "
		    "domain.", g->mailed_by), NULL);
	if (g->signed_by)
		explain(g, "signed_by", mx_fmt("\"signed-by %s\": a DKIM signature of %s verified.",
		    g->signed_by, g->signed_by), NULL);
	const struct mx_hop *h = &a->hops[a->boundary.hop];
	char sender[512];
	snprintf(sender, sizeof sender, "%s", h->r.rdns[0] ? h->r.rdns : h->r.helo[0] ? h->r.helo :
	    h->r.from_ip);
	size_t sl = strlen(sender);
	if (sl > 1 && sender[sl - 1] == '.')
		sender[sl - 1] = '\0';	/* Google writes rDNS with the root dot */
	if (h->r.tls == MX_TLS_YES) {
		g->encryption = "tls";
		explain(g, "encryption", mx_fmt("\"Standard encryption (TLS)\": %s handed the message to "
		    "%s over TLS%s%s.", sender, h->r.by_host, h->r.tls_version[0] ? " " : "",
		    h->r.tls_version), NULL);
	} else if (h->r.tls == MX_TLS_NO) {
		g->encryption = "none";
		explain(g, "encryption", mx_fmt("Gmail shows a red open padlock, \"%s did not encrypt "
		    "this message\": %s handed it to %s with plain %s, no TLS (Gmail help 7039474).",
		    from, sender, h->r.by_host, h->r.protocol),
		    mx_fmt("Enable STARTTLS for outgoing mail on %s (Postfix: smtp_tls_security_level = "
		    "may; Exim: tls_require_ciphers and the default hosts_try_tls; Exchange: "
		    "send connector with TLS), or send through a provider that uses TLS.", sender));
	} else {
		g->encryption = "unknown";
	}
	return 0;
}
