/*
 * analysis.h - the result of analyzing one message: what the report
 * writers print and what later checks (DKIM, SPF, DMARC, ARC) build on.
 */
#ifndef MX_ANALYSIS_H
#define MX_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "datetime.h"
#include "dkim.h"
#include "dns.h"
#include "spf.h"
#include "dmarc.h"
#include "gmail.h"
#include "arc.h"
#include "findings.h"
#include "gmail_summary.h"
#include "intake.h"
#include "mime.h"
#include "received.h"
#include "rfc5322.h"

#define MX_SCHEMA_VERSION "1.0"

/* A phish report inside a phish report inside ...: follow this deep, no deeper. */
#define MX_MAX_ATTACHED_DEPTH 3
/* A hop that held the message longer than this is reported. */
#define MX_LONG_DELAY_S (30 * 60)
/* Clock differences under this are rounding between servers, not skew. */
#define MX_SKEW_TOLERANCE_S 2

enum mx_attached_mode { MX_ATTACHED_AUTO = 0, MX_ATTACHED_ALWAYS, MX_ATTACHED_NEVER };

struct mx_options {
	const char **receivers;		/* --receiver DOMAIN ... */
	size_t nreceivers;
	enum mx_attached_mode attached;
	struct mx_dns *dns;		/* the DNS layer (offline unless --online); NULL: no lookups */
	int has_now;
	int64_t now;			/* --now: judge t= and x= at this time instead of receipt */
	int64_t clock;			/* the real time, for "expired since delivery" */
	const char **trust_arc;		/* --trust-arc DOMAIN ...: sealers whose results count */
	size_t ntrust_arc;
};

/* One From (or To) mailbox with the field it came from. */
struct mx_author {
	long field_index;
	char *display;		/* decoded display name or NULL */
	char *address;
	char *domain;
};

struct mx_message_info {
	char *from;		/* decoded value of the first From field, or NULL */
	char *to;		/* decoded value of the first To field, or NULL */
	char *subject;		/* decoded first Subject, or NULL */
	char *date;		/* Date as written (unfolded), or NULL */
	int has_date;
	struct mx_datetime date_parsed;
	char *message_id;	/* Message-ID as written, or NULL */
	struct mx_author *authors;	/* every mailbox of every From field, top to bottom */
	size_t nauthors;
	size_t nfrom_fields;
	int body_present;	/* the header ended with a blank line */
	size_t body_bytes;
};

enum mx_hop_side {
	MX_SIDE_SENDER = 0,	/* below the trust boundary: written by the sender's side */
	MX_SIDE_BOUNDARY,	/* the receiver accepting from the outside world */
	MX_SIDE_RECEIVER,	/* inside the receiver */
	MX_SIDE_UNKNOWN,	/* no boundary found */
};

struct mx_hop {
	size_t number;		/* 1 = the first hand-over (bottom Received) */
	long field_index;	/* the Received field */
	long long offset;
	struct mx_received r;
	int has_delay;
	int64_t delay_s;	/* since the previous hop with a timestamp */
	enum mx_hop_side side;
};

struct mx_boundary {
	int found;
	size_t hop;		/* index into hops[] (transit order) */
	char *receiver;		/* the receiving organization (authserv-id or domain) */
	const char *how;	/* static: how the receiver was identified */
	char *client_ip, *helo, *rdns;
	char *mail_from;	/* Return-Path, angle brackets removed; NULL when absent */
	long field_index;	/* the boundary hop's Received field */
	char **names;		/* every name that identifies the receiver (domains, authserv-ids) */
	size_t nnames;
};

struct mx_prop {
	char *key;		/* "smtp.mailfrom", "header.d", "client-ip" ... */
	char *value;
};

struct mx_recorded {
	const char *source;	/* "authentication-results", "arc-authentication-results",
				 * "received-spf", "gmail-summary" */
	char *authserv_id;	/* NULL when absent */
	int instance;		/* ARC i=, 0 otherwise */
	int trusted;
	const char *trust_reason;	/* static text */
	char *method;
	char *result;
	char *reason;
	char *comment;
	struct mx_prop *props;
	size_t nprops;
	long field_index;	/* -1 for the Gmail summary */
	long long offset;
};

struct mx_analysis {
	char *input_name;	/* as the user gave it; "-" for stdin */
	int depth;		/* 0 for the message given, 1 for one attached to it ... */
	struct mx_intake intake;
	const char *buf;	/* the analyzed bytes (intake.buf, or an attached range) */
	size_t len;
	struct mx_header hdr;
	struct mx_mime mime;
	struct mx_message_info msg;
	struct mx_hop *hops;	/* transit order: hops[0] is the first hand-over */
	size_t nhops;
	int has_transit;
	int64_t transit_s;	/* first to last timestamp */
	int has_since_date;
	int64_t since_date_s;	/* Date field to the boundary hop: Gmail's "Delivered after" */
	size_t hops_unencrypted, hops_tls, hops_tls_unknown;	/* relays outside the receiver */
	size_t hops_internal;	/* inside the receiver, or local injection */
	struct mx_boundary boundary;
	struct mx_recorded *rec;
	size_t nrec;
	struct mx_dkim_result *dkim;	/* one per DKIM-Signature examined, top to bottom */
	size_t ndkim;
	size_t dkim_fields;		/* DKIM-Signature fields present (may exceed ndkim) */
	int64_t verify_time;		/* when t= and x= are judged */
	int64_t clock;			/* the real time of this analysis */
	const char *verify_time_source;	/* static: "the receiver's Received timestamp" ... */
	unsigned dns_lookups;		/* lookups this message's checks made */
	int dns_given;			/* a snapshot or --online was given */
	struct mx_spf_result spf;	/* MAIL FROM identity (HELO for a null sender) */
	int has_spf;
	struct mx_spf_result spf_helo;	/* the HELO identity */
	int has_spf_helo;
	const char *spf_mail_from_source;	/* static: where the envelope sender was read */
	struct mx_dmarc_result dmarc;	/* the strictest of the author domains */
	int has_dmarc;
	size_t dmarc_candidates;	/* author domains evaluated */
	struct mx_verdict_item verdict[3];	/* dkim, spf, dmarc */
	size_t nverdict;
	struct mx_gmail gmail;
	int has_gmail;
	struct mx_arc_result arc;
	int has_arc;
	struct mx_findings findings;
	struct mx_analysis **attached;
	size_t nattached;
	int attached_analyzed;	/* 1 when attached messages were analyzed */
};

/*
 * Analyze the input in[0..len) named name.  Returns the analysis (check
 * ->intake.kind: anything but MX_INPUT_MESSAGE means the input was refused,
 * with ->intake.reason), or NULL when out of memory.
 */
struct mx_analysis *mx_analyze(const char *name, const char *in, size_t len,
    const struct mx_options *opt);

void mx_analysis_free(struct mx_analysis *a);

/* Steps, each in its own file; called by mx_analyze in this order. */
int mx_message_read(struct mx_analysis *a);	/* message.c */
int mx_hops_build(struct mx_analysis *a, const struct mx_options *opt);	/* hops.c */
int mx_evidence_collect(struct mx_analysis *a);	/* evidence.c */
int mx_dkim_verify(struct mx_analysis *a, const struct mx_options *opt);	/* dkim.c */
void mx_dkim_diagnose(struct mx_analysis *a, struct mx_dkim_result *r);	/* dkim_diag.c */
int mx_spf_message(struct mx_analysis *a, const struct mx_options *opt);	/* spf_message.c */
int mx_dmarc_message(struct mx_analysis *a, const struct mx_options *opt);	/* dmarc_message.c */
int mx_arc_validate(struct mx_analysis *a, const struct mx_options *opt);	/* arc.c */
int mx_verdict_compare(struct mx_analysis *a);	/* verdict.c */
int mx_gmail_card(struct mx_analysis *a);	/* gmail.c */

/* Human names for the report writers. */
const char *mx_hop_side_name(enum mx_hop_side s);

#endif
