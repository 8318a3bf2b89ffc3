/*
 * spf.h - SPF evaluation (RFC 7208 check_host()) through the DNS layer,
 * with a trace a person can follow and a lint of the policies met.
 */
#ifndef MX_SPF_H
#define MX_SPF_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

/* RFC 7208 §4.6.4: at most 10 DNS-querying terms, 2 void lookups, 10 names per mx/ptr. */
#define MX_SPF_MAX_LOOKUPS 10
#define MX_SPF_MAX_VOID 2
#define MX_SPF_MAX_MX 10
#define MX_SPF_MAX_PTR 10
/* include/redirect nesting: the lookup limit ends loops first; this bounds the stack. */
#define MX_SPF_MAX_DEPTH 12
/* Trace lines kept: a record with hundreds of terms would otherwise fill the report. */
#define MX_SPF_MAX_TRACE 200
/* RFC 7208 §3.4: a record over this many bytes may not fit a 512-byte UDP answer. */
#define MX_SPF_LONG_RECORD 450

enum mx_spf_identity { MX_SPF_MAILFROM = 0, MX_SPF_HELO };

struct mx_spf_input {
	const char *ip;			/* the client IP as text */
	const char *mail_from;		/* "" or "<>" for the null reverse-path */
	const char *helo;
	const char *receiver_host;	/* %{r}, or NULL ("unknown") */
	const char *default_explanation;	/* returned on fail without exp=, or NULL */
	int64_t now;			/* %{t} */
	struct mx_dns *dns;
};

struct mx_spf_trace {
	int depth;
	char *domain;
	char *text;
};

struct mx_spf_lint {
	const char *code;		/* "SPF_SOFTFAIL_ALL", ... (docs/findings.md) */
	int severity;			/* enum mx_severity */
	char *message;
};

struct mx_spf_result {
	const char *result;		/* none neutral pass fail softfail temperror permerror */
	enum mx_spf_identity identity;
	char *domain;			/* the domain checked (MAIL FROM's, or the HELO) */
	char *sender;			/* <sender> as used (postmaster@helo for a null sender) */
	char *ip, *helo, *mail_from;
	char *matched;			/* the term that decided, as written, or NULL */
	char *matched_in;		/* the domain whose record holds it */
	char *scope;			/* how wide the match is, for a person, or NULL */
	char *reason;			/* why (permerror, temperror, none), or NULL */
	char *explanation;
	unsigned lookups, void_lookups, dns_queries;
	struct mx_spf_trace *trace;
	size_t ntrace;
	struct mx_spf_lint *lint;
	size_t nlint;
	int leaks;			/* a live query would carry message data (macros) */
};

/* Evaluate one identity.  Always fills *out; returns 0, or -1 when out of memory. */
int mx_spf_check(const struct mx_spf_input *in, enum mx_spf_identity id,
    struct mx_spf_result *out);
void mx_spf_result_finish(struct mx_spf_result *r);

#endif
