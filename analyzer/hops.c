/*
 * hops.c - the Received chain as a timeline, and the trust boundary: the
 * hop where the final receiver accepted the message from the outside world.
 * Everything below it was written by the sender's side (RFC 5321 §4.4,
 * RFC 8601 §5 on where a receiver's own results sit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "authres.h"
#include "domain.h"

/* Receiver names kept for matching: from --receiver, an authserv-id or the hops. */
#define MX_MAX_RECEIVER_NAMES 16

struct receiver {
	char names[MX_MAX_RECEIVER_NAMES][MX_DOMAIN_MAX];
	size_t n;
	const char *how;
	char label[MX_DOMAIN_MAX];
};

/*
 * Large receivers write under several organizational domains: Microsoft's
 * hops are *.outlook.com and *.outlook.office365.com and its ARC results
 * mx.microsoft.com; Google's are google.com with gmail.com addresses.  One
 * of a family stands for all (a fact about these providers, not a guess).
 */
static const char *const families[][4] = {
	{ "outlook.com", "office365.com", "microsoft.com", "hotmail.com" },
	{ "google.com", "gmail.com", "googlemail.com", NULL },
	{ "yahoo.com", "yahoodns.net", "aol.com", NULL },
};

static void
receiver_add1(struct receiver *rv, const char *name)
{
	if (rv->n >= MX_MAX_RECEIVER_NAMES || name[0] == '\0')
		return;
	for (size_t i = 0; i < rv->n; i++)
		if (strcasecmp(rv->names[i], name) == 0)
			return;
	snprintf(rv->names[rv->n++], MX_DOMAIN_MAX, "%s", name);
}

static void
receiver_add(struct receiver *rv, const char *name)
{
	receiver_add1(rv, name);
	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
		for (size_t k = 0; k < 4 && families[f][k]; k++)
			if (strcasecmp(families[f][k], name) == 0) {
				for (size_t j = 0; j < 4 && families[f][j]; j++)
					receiver_add1(rv, families[f][j]);
				break;
			}
}

static int
receiver_has(const struct receiver *rv, const char *host)
{
	if (host == NULL || host[0] == '\0')
		return 0;
	for (size_t i = 0; i < rv->n; i++)
		if (mx_domain_within(host, rv->names[i]))
			return 1;
	return 0;
}

/* A by-host that names no organization: Gmail's "by 2002:a05:...", "localhost", "". */
static int
anonymous_host(const char *h)
{
	return h[0] == '\0' || mx_is_ip(h) || strchr(h, '.') == NULL ||
	    (h[0] == '[' && strchr(h, ']'));
}

static int
parse_hops(struct mx_analysis *a)
{
	size_t n = mx_header_count(&a->hdr, "Received");
	if (n == 0)
		return 0;
	a->hops = calloc(n, sizeof *a->hops);
	if (a->hops == NULL)
		return -1;
	/* fields top to bottom; hops bottom (first hand-over) to top */
	size_t k = n;
	for (size_t i = 0; i < a->hdr.nfields; i++) {
		const struct mx_field *f = &a->hdr.fields[i];
		if (!mx_span_ieq(f->name, "Received"))
			continue;
		struct mx_hop *h = &a->hops[--k];
		h->field_index = (long)i;
		h->offset = (long long)f->offset;
		if (mx_received_parse(f->value.ptr, f->value.len, &h->r) != 0)
			return -1;
		a->nhops++;
	}
	for (size_t i = 0; i < n; i++)
		a->hops[i].number = i + 1;
	return 0;
}

static void
hop_findings(struct mx_analysis *a, struct mx_hop *h)
{
	struct mx_findings *fs = &a->findings;
	const struct mx_received *r = &h->r;
	if (r->kind == MX_RCVD_UNPARSED)
		mx_findings_add(fs, "RECEIVED_UNPARSED", -1, h->field_index, "Received", h->offset,
		    "Hop %zu: the Received field could not be read.", h->number);
	if (!r->has_date)
		mx_findings_add(fs, "RECEIVED_NO_DATE", -1, h->field_index, "Received", h->offset,
		    "Hop %zu: no timestamp could be read, so its delay is unknown.", h->number);
	else if (r->date.flags & (MX_DT_NONSTANDARD | MX_DT_NO_ZONE))
		mx_findings_add(fs, "RECEIVED_NONSTANDARD_DATE", -1, h->field_index, "Received",
		    h->offset, "Hop %zu: the timestamp is not in RFC 5322 form%s.", h->number,
		    r->date.flags & MX_DT_NO_ZONE ? " and has no time zone (read as UTC)" : "");
	if (r->flags & MX_RCVD_F_MAY_BE_FORGED)
		mx_findings_add(fs, "RECEIVED_MAY_BE_FORGED", -1, h->field_index, "Received",
		    h->offset, "Hop %zu: %s noted that the client's name (%s) did not match its "
		    "address (\"may be forged\").", h->number, r->by_host[0] ? r->by_host :
		    "the receiving server", r->helo[0] ? r->helo : r->from_ip);
	if (r->flags & (MX_RCVD_F_UNBALANCED | MX_RCVD_F_DEEP_COMMENT | MX_RCVD_F_TRUNCATED |
	    MX_RCVD_F_NUL))
		mx_findings_add(fs, "RECEIVED_ANOMALY", -1, h->field_index, "Received", h->offset,
		    "Hop %zu: the Received field is malformed (%s%s%s%s).", h->number,
		    r->flags & MX_RCVD_F_UNBALANCED ? "unbalanced brackets " : "",
		    r->flags & MX_RCVD_F_DEEP_COMMENT ? "comments nested too deep " : "",
		    r->flags & MX_RCVD_F_TRUNCATED ? "too long, cut " : "",
		    r->flags & MX_RCVD_F_NUL ? "control bytes " : "");
}

static void
timeline(struct mx_analysis *a)
{
	int64_t first = 0, prev = 0;
	int have_first = 0, have_prev = 0;
	size_t prev_no = 0;
	for (size_t i = 0; i < a->nhops; i++) {
		struct mx_hop *h = &a->hops[i];
		hop_findings(a, h);
		if (!h->r.has_date)
			continue;
		int64_t t = h->r.date.utc;
		if (have_prev) {
			h->has_delay = 1;
			h->delay_s = t - prev;
			if (h->delay_s < -MX_SKEW_TOLERANCE_S)
				mx_findings_add(&a->findings, "HOP_CLOCK_SKEW", -1, h->field_index,
				    "Received", h->offset, "Hop %zu is stamped %lld s before hop %zu: "
				    "one of the two servers' clocks is wrong (or the field was forged).",
				    h->number, (long long)-h->delay_s, prev_no);
			else if (h->delay_s > MX_LONG_DELAY_S)
				mx_findings_add(&a->findings, "HOP_LONG_DELAY", -1, h->field_index,
				    "Received", h->offset, "Hop %zu came %lld min after hop %zu: the "
				    "message waited in a queue (greylisting, a retry, or an outage).",
				    h->number, (long long)(h->delay_s / 60), prev_no);
		}
		if (!have_first) {
			first = t;
			have_first = 1;
		}
		prev = t;
		prev_no = h->number;
		have_prev = 1;
	}
	if (have_first && have_prev) {
		a->has_transit = 1;
		a->transit_s = prev - first;
	}
	if (have_first && a->msg.has_date && a->msg.date_parsed.utc > first + 15 * 60)
		mx_findings_add(&a->findings, "DATE_AFTER_RECEIPT", -1,
		    mx_header_find(&a->hdr, "Date", 0), "Date", -1,
		    "The Date field is %lld min later than the first hop: the sender's clock "
		    "is wrong or the Date was written after the fact.",
		    (long long)((a->msg.date_parsed.utc - first) / 60));
}

/* The receiver: --receiver, else the topmost authserv-id if the top hops agree, else the top hops. */
static void
identify_receiver(struct mx_analysis *a, const struct mx_options *opt, struct receiver *rv)
{
	char org[MX_DOMAIN_MAX];
	if (opt && opt->nreceivers) {
		for (size_t i = 0; i < opt->nreceivers; i++)
			receiver_add(rv, opt->receivers[i]);
		rv->how = "given with --receiver";
		snprintf(rv->label, sizeof rv->label, "%s", opt->receivers[0]);
		return;
	}
	/* the organization of the topmost named receiving host */
	const char *top = NULL;
	for (size_t i = a->nhops; i-- > 0;)
		if (!anonymous_host(a->hops[i].r.by_host)) {
			top = a->hops[i].r.by_host;
			break;
		}
	long ar = mx_header_find(&a->hdr, "Authentication-Results", 0);
	if (ar >= 0) {
		struct mx_authres res;
		const struct mx_field *f = &a->hdr.fields[ar];
		int rc = mx_authres_parse(f->value.ptr, f->value.len, 0, &res);
		char toporg[MX_DOMAIN_MAX];
		if (rc != MX_AR_NOMEM && res.authserv_id && top &&
		    strcmp(mx_org_domain(res.authserv_id, org, sizeof org),
		    mx_org_domain(top, toporg, sizeof toporg)) == 0) {
			receiver_add(rv, org);
			receiver_add(rv, res.authserv_id);
			rv->how = "the authserv-id of the topmost Authentication-Results";
			snprintf(rv->label, sizeof rv->label, "%s", res.authserv_id);
		}
		if (rc != MX_AR_NOMEM)
			mx_authres_finish(&res);
		if (rv->n)
			return;
	}
	if (top) {
		receiver_add(rv, mx_org_domain(top, org, sizeof org));
		rv->how = "inferred from the topmost Received hops";
		snprintf(rv->label, sizeof rv->label, "%s", org);
	}
}

static int
external_client(const struct receiver *rv, const struct mx_received *r)
{
	if (r->kind == MX_RCVD_LOCAL)
		return 0;
	if (r->from_ip[0] && mx_ip_is_private(r->from_ip))
		return 0;
	if (receiver_has(rv, r->rdns) || receiver_has(rv, r->helo))
		return 0;
	return r->from_ip[0] || r->helo[0] || r->rdns[0];
}

static char *
return_path(const struct mx_analysis *a)
{
	long i = mx_header_find(&a->hdr, "Return-Path", 0);
	if (i < 0)
		return NULL;
	char *v = mx_rfc5322_unfold(a->hdr.fields[i].value, NULL);
	if (v == NULL)
		return NULL;
	char *p = v;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= 2 && p[0] == '<' && p[n - 1] == '>' && n > 2) {
		p++;
		n -= 2;
	}
	memmove(v, p, n);
	v[n] = '\0';
	return v;
}

static int
find_boundary(struct mx_analysis *a, const struct mx_options *opt)
{
	struct receiver rv = { .n = 0 };
	struct mx_boundary *b = &a->boundary;
	identify_receiver(a, opt, &rv);
	for (size_t i = 0; i < a->nhops; i++)
		a->hops[i].side = MX_SIDE_UNKNOWN;
	if (a->nhops == 0 || rv.n == 0) {
		if (a->nhops)
			mx_findings_add(&a->findings, "BOUNDARY_NOT_FOUND", -1, -1, NULL, -1,
			    "No receiving server could be identified, so mxray cannot tell which "
			    "Received fields the receiver wrote. Name it with --receiver DOMAIN.");
		return 0;
	}
	/*
	 * Walk down from the top.  A hop belongs to the receiver when its by-host
	 * is one of the receiver's names, or when the hop above it came from
	 * inside the receiver: then this hop is the receiver's too, whatever its
	 * host is called (Microsoft hands from *.outlook.com to
	 * *.outlook.office365.com; Yahoo receives on a bare 10.x address).
	 */
	long found = -1, last_in = -1;
	int from_inside = 0;
	for (size_t i = a->nhops; i-- > 0;) {
		const struct mx_received *r = &a->hops[i].r;
		int in = receiver_has(&rv, r->by_host) || from_inside ||
		    (anonymous_host(r->by_host) && i == a->nhops - 1);
		if (!in)
			break;
		last_in = (long)i;
		if (!anonymous_host(r->by_host)) {
			char org[MX_DOMAIN_MAX];
			receiver_add(&rv, mx_org_domain(r->by_host, org, sizeof org));
		}
		if (external_client(&rv, r)) {
			found = (long)i;
			break;
		}
		from_inside = 1;
	}
	if (found < 0)
		found = last_in;
	if (found < 0) {
		mx_findings_add(&a->findings, "BOUNDARY_NOT_FOUND", -1, -1, NULL, -1,
		    "The topmost Received field was not written by %s, the receiver mxray "
		    "identified (%s). Name the receiver with --receiver DOMAIN.", rv.label, rv.how);
		return 0;
	}
	b->found = 1;
	b->hop = (size_t)found;
	b->how = rv.how;
	const struct mx_received *r = &a->hops[found].r;
	if ((b->receiver = strdup(rv.label)) == NULL || (b->client_ip = strdup(r->from_ip)) == NULL ||
	    (b->helo = strdup(r->helo)) == NULL || (b->rdns = strdup(r->rdns)) == NULL)
		return -1;
	b->mail_from = return_path(a);
	b->field_index = a->hops[found].field_index;
	if ((b->names = calloc(rv.n, sizeof *b->names)) == NULL)
		return -1;
	for (size_t i = 0; i < rv.n; i++)
		if ((b->names[b->nnames++] = strdup(rv.names[i])) == NULL)
			return -1;
	for (size_t i = 0; i < a->nhops; i++)
		a->hops[i].side = i < b->hop ? MX_SIDE_SENDER :
		    i == b->hop ? MX_SIDE_BOUNDARY : MX_SIDE_RECEIVER;
	if (rv.how[0] == 'i')
		mx_findings_add(&a->findings, "BOUNDARY_INFERRED", -1, a->hops[found].field_index,
		    "Received", a->hops[found].offset,
		    "No --receiver was given and no Authentication-Results names the receiver, "
		    "so mxray took %s, the organization of the topmost Received hops, as the "
		    "receiver. If that is wrong, name yours with --receiver DOMAIN.", rv.label);
	if (b->hop > 0)
		mx_findings_add(&a->findings, "SENDER_SIDE_HOPS", -1, a->hops[b->hop - 1].field_index,
		    "Received", a->hops[b->hop - 1].offset,
		    "%zu hop%s below the trust boundary (hop %zu) %s written by the sender's side: "
		    "plausible, but nothing proves them.", b->hop, b->hop == 1 ? "" : "s",
		    a->hops[b->hop].number, b->hop == 1 ? "was" : "were");
	return 0;
}

/* 1 for a hand-over on one machine (127.0.0.1, ::1): no network to encrypt. */
static int
loopback(const struct mx_received *r)
{
	return strncmp(r->from_ip, "127.", 4) == 0 || strcmp(r->from_ip, "::1") == 0;
}

static void
tls_findings(struct mx_analysis *a)
{
	for (size_t i = 0; i < a->nhops; i++) {
		const struct mx_hop *h = &a->hops[i];
		const struct mx_received *r = &h->r;
		const char *from = r->rdns[0] ? r->rdns : r->helo[0] ? r->helo : r->from_ip[0] ?
		    r->from_ip : "the sender";
		if (r->tls == MX_TLS_NO && h->side != MX_SIDE_RECEIVER && r->kind == MX_RCVD_RELAY &&
		    !loopback(r))
			mx_findings_add(&a->findings, "HOP_NOT_ENCRYPTED",
			    h->side == MX_SIDE_BOUNDARY ? MX_SEV_MEDIUM : MX_SEV_LOW, h->field_index,
			    "Received", h->offset, "Hop %zu, %s to %s, was not encrypted (\"with %s\" "
			    "and no TLS note)%s.", h->number, from, r->by_host[0] ? r->by_host : "?",
			    r->protocol, h->side == MX_SIDE_BOUNDARY ? ": anyone on the path could "
			    "read it, and Gmail shows a red open padlock for this" : "");
		if (r->tls == MX_TLS_YES && (strcmp(r->tls_version, "TLSv1") == 0 ||
		    strcmp(r->tls_version, "TLSv1.1") == 0 || strcmp(r->tls_version, "SSLv3") == 0))
			mx_findings_add(&a->findings, "HOP_OBSOLETE_TLS", -1, h->field_index, "Received",
			    h->offset, "Hop %zu used %s, which RFC 8996 deprecates.", h->number,
			    r->tls_version);
	}
}

/*
 * Encryption counts cover the hand-overs between organizations and on the
 * sender's side: hops inside the receiver (Gmail's "by 2002:... with SMTP",
 * LMTP to the mailbox) and local injections are counted apart.
 */
static void
count_tls(struct mx_analysis *a)
{
	for (size_t i = 0; i < a->nhops; i++) {
		const struct mx_hop *h = &a->hops[i];
		if (h->r.kind != MX_RCVD_RELAY || h->side == MX_SIDE_RECEIVER || loopback(&h->r)) {
			a->hops_internal++;
			continue;
		}
		switch (h->r.tls) {
		case MX_TLS_YES: a->hops_tls++; break;
		case MX_TLS_NO: a->hops_unencrypted++; break;
		default: a->hops_tls_unknown++; break;
		}
	}
}

int
mx_hops_build(struct mx_analysis *a, const struct mx_options *opt)
{
	if (parse_hops(a) != 0)
		return -1;
	if (a->nhops == 0 && a->hdr.nfields > 0 && a->depth == 0)
		mx_findings_add(&a->findings, "RECEIVED_NONE", -1, -1, NULL, -1,
		    "The message has no Received fields: it never passed through a mail "
		    "server (a draft, a sent copy, or headers that were cut off).");
	timeline(a);
	if (find_boundary(a, opt) != 0)
		return -1;
	tls_findings(a);
	count_tls(a);
	if (a->boundary.found && a->msg.has_date && a->hops[a->boundary.hop].r.has_date) {
		a->has_since_date = 1;
		a->since_date_s = a->hops[a->boundary.hop].r.date.utc - a->msg.date_parsed.utc;
	}
	return 0;
}

const char *
mx_hop_side_name(enum mx_hop_side s)
{
	switch (s) {
	case MX_SIDE_SENDER: return "sender";
	case MX_SIDE_BOUNDARY: return "boundary";
	case MX_SIDE_RECEIVER: return "receiver";
	default: return "unknown";
	}
}
