/*
 * report_text.c - the report for a person: what happened first, then the
 * hops, the recorded results and the findings, in 80 columns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "report.h"

#define C_RESET  "\033[0m"
#define C_BOLD   "\033[1m"
#define C_DIM    "\033[2m"
#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN   "\033[36m"

struct out {
	FILE *f;
	const struct mx_text_options *o;
	int indent;		/* for attached messages */
};

static const char *
col(const struct out *w, const char *c)
{
	return w->o->color ? c : "";
}

/* Print s word-wrapped at the width, first line after `lead`, others at `hang`. */
static void
wrap(const struct out *w, const char *lead, int hang, const char *s)
{
	int width = w->o->width > 40 ? w->o->width : 80;
	int pos = fprintf(w->f, "%*s%s", w->indent, "", lead);
	const char *p = s;
	int first = 1;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		int len = (int)(e - p);
		if (len == 0)
			break;
		if (!first && pos + 1 + len > width) {
			fprintf(w->f, "\n%*s", w->indent + hang, "");
			pos = w->indent + hang;
		} else if (!first) {
			fputc(' ', w->f);
			pos++;
		}
		/* a word longer than the line (a Message-ID, a long address) is cut */
		int room = width - pos;
		if (len > room && room > 0) {
			for (int i = 0; i < room; i++) {
				unsigned char c = (unsigned char)p[i];
				fputc(c < 0x20 || c == 0x7f ? '?' : c, w->f);
			}
			fprintf(w->f, "\n%*s", w->indent + hang, "");
			pos = w->indent + hang;
			p += room;
			first = 1;
			continue;
		}
		/* never print control bytes from the message */
		for (int i = 0; i < len; i++) {
			unsigned char c = (unsigned char)p[i];
			fputc(c < 0x20 || c == 0x7f ? '?' : c, w->f);
		}
		pos += len;
		first = 0;
		p = e;
	}
	fputc('\n', w->f);
}

static void
wrapf(const struct out *w, const char *lead, int hang, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
wrapf(const struct out *w, const char *lead, int hang, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s) {
		wrap(w, lead, hang, s);
		free(s);
	}
}

static void
heading(const struct out *w, const char *title)
{
	fprintf(w->f, "\n%*s%s%s%s\n", w->indent, "", col(w, C_BOLD), title, col(w, C_RESET));
}

static void
duration(char *dst, size_t n, int64_t s)
{
	int64_t a = s < 0 ? -s : s;
	const char *sign = s < 0 ? "-" : "";
	if (a < 120)
		snprintf(dst, n, "%s%llds", sign, (long long)a);
	else if (a < 7200)
		snprintf(dst, n, "%s%lldm%02llds", sign, (long long)(a / 60), (long long)(a % 60));
	else if (a < 3 * 86400)
		snprintf(dst, n, "%s%lldh%02lldm", sign, (long long)(a / 3600),
		    (long long)(a % 3600 / 60));
	else
		snprintf(dst, n, "%s%lldd", sign, (long long)(a / 86400));
}

/* The name to show for a hop's client; Google writes rDNS with the root dot, dropped here. */
static const char *
hop_from(const struct mx_received *r)
{
	static _Thread_local char buf[MX_IP_MAX + 512];
	const char *n = r->rdns[0] ? r->rdns : r->helo[0] ? r->helo : r->from_ip[0] ? r->from_ip :
	    "(local)";
	size_t l = strlen(n);
	if (l > 1 && l < sizeof buf && n[l - 1] == '.') {
		memcpy(buf, n, l - 1);
		buf[l - 1] = '\0';
		return buf;
	}
	return n;
}

/* 1 when the name shown for the client already is its address ("[192.0.2.7]"). */
static int
name_is_ip(const struct mx_received *r)
{
	const char *n = hop_from(r);
	size_t il = strlen(r->from_ip);
	if (strcmp(n, r->from_ip) == 0)
		return 1;
	return n[0] == '[' && strlen(n) == il + 2 && strncmp(n + 1, r->from_ip, il) == 0;
}

static void
message_block(const struct out *w, const struct mx_analysis *a)
{
	const struct mx_message_info *m = &a->msg;
	wrapf(w, "  From     ", 11, "%s", m->from ? m->from : "(none)");
	for (size_t i = 1; i < m->nfrom_fields; i++)
		wrapf(w, "  From     ", 11, "%s(another From field)%s", col(w, C_RED), col(w, C_RESET));
	if (m->to)
		wrapf(w, "  To       ", 11, "%s", m->to);
	wrapf(w, "  Subject  ", 11, "%s", m->subject ? m->subject : "(none)");
	if (m->date)
		wrapf(w, "  Date     ", 11, "%s", m->date);
	if (m->message_id)
		wrapf(w, "  Msg-ID   ", 11, "%s", m->message_id);
}

static void
summary(const struct out *w, const struct mx_analysis *a)
{
	heading(w, "In short");
	if (a->nhops == 0) {
		wrap(w, "  - ", 4, "No Received fields: this message never crossed a mail server "
		    "(or its headers were cut off).");
	} else {
		char d[32] = "";
		if (a->has_transit)
			duration(d, sizeof d, a->transit_s);
		const struct mx_hop *first = &a->hops[0];
		/* a local first hop (qmail, Postfix pickup) names its host in by */
		const char *origin = first->r.kind == MX_RCVD_LOCAL && !first->r.from_ip[0] &&
		    first->r.by_host[0] ? first->r.by_host : hop_from(&first->r);
		/* the last host with a name: Gmail's top hop is "by 2002:a05:..." */
		const char *to = a->hops[a->nhops - 1].r.by_host;
		for (size_t i = a->nhops; i-- > 0;)
			if (a->hops[i].r.by_host[0] && !strchr(a->hops[i].r.by_host, ':')) {
				to = a->hops[i].r.by_host;
				break;
			}
		wrapf(w, "  - ", 4, "It passed %zu hop%s%s%s, from %s to %s.", a->nhops,
		    a->nhops == 1 ? "" : "s", a->has_transit ? " in " : "", d,
		    origin, to[0] ? to : "?");
	}
	const struct mx_boundary *b = &a->boundary;
	if (b->found) {
		const struct mx_hop *h = &a->hops[b->hop];
		char ipbuf[MX_IP_MAX + 3] = "";
		if (b->client_ip[0])
			snprintf(ipbuf, sizeof ipbuf, " [%s]", b->client_ip);
		wrapf(w, "  - ", 4, "%s accepted it at hop %zu from %s%s%s%s%s. Envelope sender "
		    "(Return-Path): %s.", b->receiver, h->number,
		    b->rdns[0] || b->helo[0] ? hop_from(&h->r) : "an unnamed client", ipbuf,
		    b->helo[0] && strcasecmp(b->helo, b->rdns) != 0 && b->rdns[0] ? ", HELO " : "",
		    b->helo[0] && strcasecmp(b->helo, b->rdns) != 0 && b->rdns[0] ? b->helo : "",
		    "", b->mail_from ? (strcmp(b->mail_from, "<>") == 0 ?
		    "<> (the null sender of a bounce or an auto-reply)" : b->mail_from) :
		    "not recorded");
		if (a->has_since_date) {
			char d[32];
			duration(d, sizeof d, a->since_date_s);
			wrapf(w, "  - ", 4, "It reached the receiver %s after its Date field%s.", d,
			    a->since_date_s < 0 ? " (before it: the sender's clock is ahead)" : "");
		}
		if (h->r.tls == MX_TLS_YES) {
			const char *ev = h->r.tls_evidence;
			size_t evl = strlen(ev);
			int paren = evl >= 2 && ev[0] == '(' && ev[evl - 1] == ')';
			wrapf(w, "  - ", 4, "%sThat hop was encrypted%s%s%s (the receiver noted: %.*s).",
			    col(w, C_GREEN), h->r.tls_version[0] ? " with " : "", h->r.tls_version,
			    col(w, C_RESET), (int)(paren ? evl - 2 : evl), paren ? ev + 1 : ev);
		}
		else if (h->r.tls == MX_TLS_NO)
			wrapf(w, "  - ", 4, "%sThat hop was NOT encrypted%s (\"with %s\", no TLS note): "
			    "Gmail shows a red open padlock for such mail.", col(w, C_RED),
			    col(w, C_RESET), h->r.protocol);
		else
			wrap(w, "  - ", 4, "The receiver's Received field does not say whether that "
			    "hop was encrypted.");
	} else if (a->nhops) {
		wrap(w, "  - ", 4, "The receiver's trust boundary could not be found (see findings); "
		    "name your receiving domain with --receiver.");
	}
	if (a->nhops) {
		size_t below_plain = 0;
		for (size_t i = 0; i < a->nhops; i++)
			below_plain += a->hops[i].r.tls == MX_TLS_NO && a->hops[i].side == MX_SIDE_SENDER &&
			    a->hops[i].r.kind == MX_RCVD_RELAY;
		wrapf(w, "  - ", 4, "Encryption between servers: %zu hop%s with TLS, %zu without, "
		    "%zu that do not say%s%s.", a->hops_tls, a->hops_tls == 1 ? "" : "s",
		    a->hops_unencrypted, a->hops_tls_unknown,
		    a->hops_internal ? "; hops inside the receiver or local ones not counted" : "",
		    below_plain ? " (see the findings for the sender's side)" : "");
	}
	/* what the receiver said */
	char said[512] = "";
	size_t n = 0;
	const char *who = NULL;
	for (size_t i = 0; i < a->nrec && n + 40 < sizeof said; i++) {
		const struct mx_recorded *r = &a->rec[i];
		if (!r->trusted || strcmp(r->source, "authentication-results") != 0)
			continue;
		if (who == NULL)
			who = r->authserv_id ? r->authserv_id : b->receiver;
		n += (size_t)snprintf(said + n, sizeof said - n, "%s%s=%s", n ? ", " : "",
		    r->method, r->result);
	}
	if (n)
		wrapf(w, "  - ", 4, "The receiver (%s) recorded: %s.", who ? who : "?", said);
	else if (b->found)
		wrap(w, "  - ", 4, "The receiver recorded no Authentication-Results of its own.");
	if (a->dkim_fields == 0) {
		wrap(w, "  - ", 4, "The message carries no DKIM signature.");
	} else {
		char dk[512] = "";
		size_t dn = 0;
		for (size_t i = 0; i < a->ndkim && dn + 80 < sizeof dk; i++)
		{
			char why[48] = "";
			if (a->dkim[i].diag_code) {
				snprintf(why, sizeof why, " (%s)", a->dkim[i].diag_code);
				for (char *c = why; *c; c++)
					if (*c == '_')
						*c = ' ';
			}
			dn += (size_t)snprintf(dk + dn, sizeof dk - dn, "%sd=%s %s%s", dn ? "; " : "",
			    a->dkim[i].sig.d ? a->dkim[i].sig.d : "?", a->dkim[i].policy_result, why);
		}
		wrapf(w, "  - ", 4, "DKIM, re-verified by mxray: %s.", dk);
	}
	if (a->has_spf && a->dns_given)
		wrapf(w, "  - ", 4, "SPF, re-evaluated by mxray: %s for %s%s%s%s.", a->spf.result,
		    a->spf.domain, a->has_spf_helo ? " (HELO " : "", a->has_spf_helo ?
		    a->spf_helo.result : "", a->has_spf_helo ? ")" : "");
	if (a->has_dmarc) {
		const struct mx_dmarc_eval *e = &a->dmarc.e[MX_DMARC_7489];
		wrapf(w, "  - ", 4, "DMARC, re-evaluated by mxray: %s for %s%s%s%s%s.", e->result,
		    a->dmarc.from_domain, e->has_record ? " (policy " : " (no policy",
		    e->has_record ? mx_dmarc_policy_name(e->policy) : "",
		    strcmp(e->disposition, "none") ? ", so receivers would " : "",
		    strcmp(e->disposition, "none") == 0 ? ")" : strcmp(e->disposition, "reject") == 0 ?
		    "reject it)" : "quarantine it)");
	}
	if (a->intake.has_gmail_summary) {
		const struct mx_gmail_summary *g = &a->intake.gmail;
		wrapf(w, "  - ", 4, "Gmail's summary: SPF %s, DKIM %s%s%s, DMARC %s.",
		    g->spf_result ? g->spf_result : "?", g->dkim_result ? g->dkim_result : "?",
		    g->dkim_domain ? " for " : "", g->dkim_domain ? g->dkim_domain : "",
		    g->dmarc_result ? g->dmarc_result : "?");
	}
	size_t hi = mx_findings_count(&a->findings, MX_SEV_HIGH);
	size_t med = mx_findings_count(&a->findings, MX_SEV_MEDIUM) - hi;
	if (hi || med)
		wrapf(w, "  - ", 4, "%s%zu serious finding%s%s and %zu to look at, below.",
		    hi ? col(w, C_RED) : "", hi, hi == 1 ? "" : "s", hi ? col(w, C_RESET) : "", med);
}

static void
hops_block(const struct out *w, const struct mx_analysis *a)
{
	if (a->nhops == 0)
		return;
	heading(w, "Hops, oldest first (times in UTC)");
	for (size_t i = 0; i < a->nhops; i++) {
		const struct mx_hop *h = &a->hops[i];
		const struct mx_received *r = &h->r;
		char when[MX_ISO8601_LEN] = "(no time)           ";
		if (r->has_date) {
			mx_datetime_iso8601(r->date.utc, when);
			when[10] = ' ';
			when[19] = '\0';
		}
		char delay[24] = "";
		if (h->has_delay) {
			char d[20];
			duration(d, sizeof d, h->delay_s);
			snprintf(delay, sizeof delay, "%s%s", h->delay_s >= 0 ? "+" : "", d);
		}
		char from[700];	/* a host name (<= 559 bytes) and an address */
		if (r->kind == MX_RCVD_LOCAL && !r->from_ip[0])
			snprintf(from, sizeof from, "(local)");
		else
			snprintf(from, sizeof from, "%s%s%s%s", hop_from(r),
			    r->from_ip[0] && !name_is_ip(r) ? " [" : "",
			    r->from_ip[0] && !name_is_ip(r) ? r->from_ip : "",
			    r->from_ip[0] && !name_is_ip(r) ? "]" : "");
		char lead[80];
		snprintf(lead, sizeof lead, "%3zu  %s %8s  ", h->number, when, delay);
		wrapf(w, lead, 5, "%s -> %s", from, r->by_host[0] ? r->by_host : "?");
		const char *tls = r->tls == MX_TLS_YES ? (r->tls_version[0] ? r->tls_version : "TLS") :
		    r->tls == MX_TLS_NO ? "NOT ENCRYPTED" : "TLS not stated";
		const char *tc = r->tls == MX_TLS_YES ? C_GREEN : r->tls == MX_TLS_NO ? C_RED : C_DIM;
		const char *side = h->side == MX_SIDE_BOUNDARY ? "  << trust boundary: the receiver "
		    "accepted it here" : h->side == MX_SIDE_SENDER ? "  (sender's side)" :
		    h->side == MX_SIDE_RECEIVER ? "  (inside the receiver)" : "";
		wrapf(w, "     ", 5, "with %s, %s%s%s%s%s%s%s", r->protocol[0] ? r->protocol :
		    "(no protocol)", col(w, tc), tls, col(w, C_RESET), r->tls_cipher[0] ? " " : "",
		    r->tls_cipher, r->auth ? ", authenticated" : "", side);
	}
}

static void
dkim_block(const struct out *w, const struct mx_analysis *a)
{
	if (a->dkim_fields == 0)
		return;
	heading(w, "DKIM signatures, re-verified");
	for (size_t i = 0; i < a->ndkim; i++) {
		const struct mx_dkim_result *r = &a->dkim[i];
		const char *c = strcmp(r->policy_result, "pass") == 0 ? C_GREEN :
		    strcmp(r->result, "temperror") == 0 || strcmp(r->result, "neutral") == 0 ? C_YELLOW :
		    C_RED;
		char lead[48];
		snprintf(lead, sizeof lead, "%3zu  ", r->number);
		char pol[64] = "";
		if (strcmp(r->policy_result, r->result) != 0)
			snprintf(pol, sizeof pol, " (policy: %s)", r->policy_result);
		char key[48] = "";
		if (r->key_bits)
			snprintf(key, sizeof key, ", %d-bit %s key%s", r->key_bits, r->key_type,
			    r->key_testing ? " (testing)" : "");
		wrapf(w, lead, 5, "d=%s s=%s %s%s%s%s  %s, %s%s", r->sig.d ? r->sig.d : "?",
		    r->sig.s ? r->sig.s : "?", col(w, c), r->result, col(w, C_RESET), pol,
		    r->sig.a ? r->sig.a : "?", r->body_hash == MX_BH_PASS ? "body intact" :
		    r->body_hash == MX_BH_FAIL ? "body CHANGED" : "body not checked", key);
		wrapf(w, "     ", 5, "%s", r->reason ? r->reason : "");
		if (r->policy_reason)
			wrapf(w, "     ", 5, "%s", r->policy_reason);
		if (r->diag_detail)
			wrapf(w, "     Why: ", 10, "%s [%s]", r->diag_detail, r->diag_code);
	}
	if (a->dkim_fields > a->ndkim)
		wrapf(w, "  ", 2, "(%zu more signatures not examined)", a->dkim_fields - a->ndkim);
}

static void
spf_lines(const struct out *w, const struct mx_spf_result *r, const char *label)
{
	const char *c = strcmp(r->result, "pass") == 0 ? C_GREEN : strcmp(r->result, "fail") == 0 ||
	    strcmp(r->result, "permerror") == 0 ? C_RED : C_YELLOW;
	char lead[64];
	snprintf(lead, sizeof lead, "  %-9s ", label);
	wrapf(w, lead, 12, "%s%s%s for %s from %s%s%s%s%s", col(w, c), r->result, col(w, C_RESET),
	    r->domain, r->ip, r->matched ? ", matched " : "", r->matched ? r->matched : "",
	    r->matched_in && r->matched ? " in " : "", r->matched_in && r->matched ?
	    r->matched_in : "");
	wrapf(w, "            ", 12, "%u of %d DNS-querying terms, %u void lookup%s%s%s", r->lookups,
	    MX_SPF_MAX_LOOKUPS, r->void_lookups, r->void_lookups == 1 ? "" : "s",
	    r->reason ? "; " : "", r->reason ? r->reason : "");
	if (r->scope)
		wrapf(w, "            ", 12, "Note: %s.", r->scope);
	if (r->explanation)
		wrapf(w, "            ", 12, "Explanation: %s", r->explanation);
}

static void
spf_block(const struct out *w, const struct mx_analysis *a)
{
	if (!a->has_spf)
		return;
	heading(w, "SPF, re-evaluated");
	if (!a->dns_given) {
		wrap(w, "  ", 2, "No DNS data was given (--dns FILE, or --online), so SPF was not "
		    "re-evaluated; what the receiver recorded is below.");
		return;
	}
	wrapf(w, "  ", 2, "Client %s, HELO %s, envelope sender %s%s%s%s.", a->spf.ip,
	    a->spf.helo[0] ? a->spf.helo : "(none)", a->spf.mail_from,
	    a->spf_mail_from_source ? " (from " : "", a->spf_mail_from_source ?
	    a->spf_mail_from_source : "", a->spf_mail_from_source ? ")" : "");
	spf_lines(w, &a->spf, a->spf.identity == MX_SPF_HELO ? "HELO" : "MAIL FROM");
	if (a->has_spf_helo)
		spf_lines(w, &a->spf_helo, "HELO");
	for (size_t i = 0; i < a->spf.ntrace; i++) {
		char lead[48];
		snprintf(lead, sizeof lead, "    %*s", a->spf.trace[i].depth * 2, "");
		wrapf(w, lead, 6 + a->spf.trace[i].depth * 2, "%s", a->spf.trace[i].text);
	}
}

int
mx_report_spf_text(FILE *f, const struct mx_spf_result *r, int color)
{
	struct mx_text_options o = { .color = color, .width = 80, .min_severity = 0 };
	struct out w = { f, &o, 0 };
	spf_lines(&w, r, r->identity == MX_SPF_HELO ? "HELO" : "MAIL FROM");
	heading(&w, "How it came about");
	for (size_t i = 0; i < r->ntrace; i++) {
		char lead[48];
		snprintf(lead, sizeof lead, "  %*s", r->trace[i].depth * 2, "");
		wrapf(&w, lead, 4 + r->trace[i].depth * 2, "[%s] %s", r->trace[i].domain,
		    r->trace[i].text);
	}
	if (r->nlint) {
		heading(&w, "About the policies met");
		for (size_t i = 0; i < r->nlint; i++)
			wrapf(&w, "  - ", 4, "%s [%s]", r->lint[i].message, r->lint[i].code);
	}
	return ferror(f) ? -1 : 0;
}

static void
dmarc_lines(const struct out *w, const struct mx_dmarc_result *r, int mode)
{
	static const char *const names[] = { "RFC 7489", "RFC 9989" };
	for (int m = 0; m < 2; m++) {
		const struct mx_dmarc_eval *e = &r->e[m];
		char lead[32];
		snprintf(lead, sizeof lead, "  %-9s ", names[m]);
		wrapf(w, lead, 12, "%s%s%s for %s: %s; policy %s%s%s from %s, disposition %s", col(w,
		    strcmp(e->result, "pass") == 0 ? C_GREEN : C_RED), e->result, col(w, C_RESET),
		    r->from_domain, e->reason ? e->reason : "", e->policy_tag ? e->policy_tag : "",
		    e->policy_tag ? "=" : "", e->has_record ? mx_dmarc_policy_name(e->policy) : "none",
		    e->policy_domain ? e->policy_domain : "(no record)", e->disposition);
	}
	(void)mode;
	if (r->differ)
		wrap(w, "            ", 12, "The two RFCs disagree here (see the findings).");
}

int
mx_report_dmarc_text(FILE *f, const struct mx_dmarc_result *r, int mode)
{
	struct mx_text_options o = { .color = 0, .width = 80, .min_severity = 0 };
	struct out w = { f, &o, 0 };
	dmarc_lines(&w, r, mode);
	for (size_t i = 0; i < r->nlint; i++)
		wrapf(&w, "  - ", 4, "%s [%s]", r->lint[i].message, r->lint[i].code);
	return ferror(f) ? -1 : 0;
}

static void
dmarc_block(const struct out *w, const struct mx_analysis *a)
{
	if (!a->has_dmarc && a->nverdict == 0)
		return;
	heading(w, "DMARC, and what the receiver should have decided");
	if (a->has_dmarc)
		dmarc_lines(w, &a->dmarc, MX_DMARC_7489);
	for (size_t i = 0; i < a->nverdict; i++) {
		const struct mx_verdict_item *v = &a->verdict[i];
		if (v->recorded == NULL && v->recomputed == NULL)
			continue;
		char lead[32];
		snprintf(lead, sizeof lead, "  %-9s ", v->method);
		wrapf(w, lead, 12, "recorded %s, mxray %s%s%s%s", v->recorded ? v->recorded : "nothing",
		    v->recomputed ? v->recomputed : "-", v->agree ? " (agree)" : "",
		    v->cause ? ": " : "", v->cause ? v->cause : "");
	}
}

static void
arc_block(const struct out *w, const struct mx_analysis *a)
{
	const struct mx_arc_result *r = &a->arc;
	if (!a->has_arc)
		return;
	heading(w, "ARC chain (forwarding and mailing lists)");
	wrapf(w, "  ", 2, "%s%s%s: %zu set%s%s%s", col(w, strcmp(r->result, "pass") == 0 ? C_GREEN :
	    C_RED), r->result, col(w, C_RESET), r->sets, r->sets == 1 ? "" : "s",
	    r->reason ? "; " : "", r->reason ? r->reason : "");
	for (size_t k = 0; k < r->ninst; k++) {
		const struct mx_arc_instance *in = &r->inst[k];
		char lead[32];
		snprintf(lead, sizeof lead, "  i=%-3d ", in->instance);
		wrapf(w, lead, 8, "%s seal %s, message signature %s, cv=%s%s. %s", in->sealer ?
		    in->sealer : "?", in->as_result, in->ams_result, in->cv ? in->cv : "?",
		    in->trusted ? " (trusted)" : " (claims only: not named with --trust-arc)",
		    in->story ? in->story : "");
	}
}

static void
gmail_block(const struct out *w, const struct mx_analysis *a)
{
	const struct mx_gmail *g = &a->gmail;
	if (!a->has_gmail || !(g->via || g->question_mark ||
	    (g->encryption && strcmp(g->encryption, "none") == 0)))
		return;
	char title[128];
	snprintf(title, sizeof title, "Why Gmail shows %s%s%s%s%s", g->via ? "\"via " : "",
	    g->via ? g->via : "", g->via ? "\"" : "", g->question_mark ? (g->via ? ", the \"?\"" :
	    "the grey \"?\"") : "", strcmp(g->encryption, "none") == 0 ? (g->via ||
	    g->question_mark ? " and a red padlock" : "a red padlock") : "");
	heading(w, title);
	for (size_t i = 0; i < g->nex; i++) {
		const struct mx_gmail_explanation *e = &g->ex[i];
		if (e->fix == NULL)
			continue;
		wrapf(w, "  - ", 4, "%s", e->reason);
		wrapf(w, "    Fix: ", 9, "%s", e->fix);
	}
	wrapf(w, "  ", 2, "(Based on %s.)", g->basis);
}

static void
recorded_block(const struct out *w, const struct mx_analysis *a)
{
	if (a->nrec == 0)
		return;
	heading(w, "What was recorded on the way");
	for (int pass = 1; pass >= 0; pass--) {
		int any = 0;
		for (size_t i = 0; i < a->nrec; i++) {
			const struct mx_recorded *r = &a->rec[i];
			if (r->trusted != pass)
				continue;
			if (!any)
				wrap(w, "  ", 2, pass ? "Evidence (the receiver's own results):" :
				    "Claims (written by other servers or by the sender, not evidence):");
			any = 1;
			char props[600] = "";
			size_t n = 0;
			for (size_t k = 0; k < r->nprops && n + 2 < sizeof props; k++)
				n += (size_t)snprintf(props + n, sizeof props - n, " %s=%s",
				    r->props[k].key, r->props[k].value);
			if (n >= sizeof props)
				n = sizeof props - 1;
			char lead[96];
			snprintf(lead, sizeof lead, "    %-6s %-9s ", r->method, r->result);
			char where[64] = "";
			if (r->field_index >= 0)
				snprintf(where, sizeof where, ", field %ld", r->field_index + 1);
			wrapf(w, lead, 21, "%s%s%s%s%s%s [%s%s%s%s]", r->reason ? "reason=" : "",
			    r->reason ? r->reason : "", props, r->comment ? " (" : "",
			    r->comment ? r->comment : "", r->comment ? ")" : "", r->source,
			    r->authserv_id ? " by " : "", r->authserv_id ? r->authserv_id : "", where);
		}
	}
}

static void
findings_block(const struct out *w, const struct mx_analysis *a)
{
	const struct mx_findings *fs = &a->findings;
	heading(w, "Findings");
	size_t shown = 0, hidden = 0;
	static const char *const colors[] = { C_DIM, C_CYAN, C_YELLOW, C_RED };
	for (size_t i = 0; i < fs->n; i++) {
		const struct mx_finding *f = &fs->v[i];
		if ((int)f->severity < w->o->min_severity) {
			hidden++;
			continue;
		}
		char lead[64];
		snprintf(lead, sizeof lead, "  %s%-6s%s ", col(w, colors[f->severity]),
		    mx_severity_name(f->severity), col(w, C_RESET));
		wrapf(w, lead, 9, "%s [%s]", f->message, f->code);
		shown++;
	}
	if (shown == 0)
		wrap(w, "  ", 2, "None.");
	if (hidden)
		wrapf(w, "  ", 2, "(%zu finding%s below the chosen severity not shown.)", hidden,
		    hidden == 1 ? "" : "s");
	if (fs->suppressed)
		wrapf(w, "  ", 2, "(%zu more findings of codes already listed were not kept.)",
		    fs->suppressed);
}

static void
report(struct out *w, const struct mx_analysis *a)
{
	if (a->depth == 0)
		fprintf(w->f, "%smxray%s %s\n", col(w, C_BOLD), col(w, C_RESET), a->input_name);
	message_block(w, a);
	gmail_block(w, a);
	summary(w, a);
	hops_block(w, a);
	dkim_block(w, a);
	spf_block(w, a);
	dmarc_block(w, a);
	arc_block(w, a);
	recorded_block(w, a);
	findings_block(w, a);
	for (size_t i = 0; i < a->nattached; i++) {
		char title[96];
		snprintf(title, sizeof title, "Attached message %zu of %zu%s%s", i + 1, a->nattached,
		    a->mime.att[i].filename ? ": " : "", a->mime.att[i].filename ?
		    a->mime.att[i].filename : "");
		fprintf(w->f, "\n%*s%s%s%s\n", w->indent, "", col(w, C_BOLD), title, col(w, C_RESET));
		w->indent += 2;
		report(w, a->attached[i]);
		w->indent -= 2;
	}
}

int
mx_report_text(FILE *f, const struct mx_analysis *a, const struct mx_text_options *o)
{
	struct out w = { f, o, 0 };
	report(&w, a);
	return ferror(f) ? -1 : 0;
}
