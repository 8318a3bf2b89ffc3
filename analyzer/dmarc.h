/*
 * dmarc.h - DMARC evaluation, two ways side by side: RFC 7489 (policy
 * discovery through the Public Suffix List's organizational domain) and
 * RFC 9989 (the DNS tree walk, psd=, np=, t=).
 */
#ifndef MX_DMARC_H
#define MX_DMARC_H

#include <stddef.h>

#include "dmarc_record.h"
#include "dns.h"

/* RFC 9989 §4.10: the tree walk makes at most 8 DMARC queries. */
#define MX_DMARC_MAX_WALK 8
/* Aligned identifiers considered per message. */
#define MX_DMARC_MAX_IDS 16

enum mx_dmarc_mode { MX_DMARC_7489 = 0, MX_DMARC_9989 };

struct mx_dmarc_input {
	const char *from_domain;	/* the RFC5322.From domain */
	const char *spf_pass[MX_DMARC_MAX_IDS];	/* MAIL FROM domains with SPF pass */
	size_t nspf;
	const char *dkim_pass[MX_DMARC_MAX_IDS];	/* d= of DKIM signatures that passed */
	size_t ndkim;
	struct mx_dns *dns;
};

struct mx_dmarc_eval {
	const char *result;		/* pass fail none temperror permerror */
	char *policy_domain;		/* the domain whose record was used, or NULL */
	char *org_domain;
	enum mx_dmarc_policy policy;	/* the policy that applies (p, sp or np), UNSET when none */
	const char *policy_tag;		/* "p", "sp", "np" or NULL */
	const char *disposition;	/* none quarantine reject */
	char *reason;
	unsigned lookups;
	int nonexistent;		/* RFC 9989: the From domain does not exist (np= applies) */
	int has_record;
	struct mx_dmarc_record rec;
	char *spf_aligned;		/* the aligned SPF domain, or NULL */
	char *dkim_aligned;		/* the aligned d=, or NULL */
};

struct mx_dmarc_lint {
	const char *code;
	int severity;
	char *message;
};

struct mx_dmarc_result {
	char *from_domain;
	struct mx_dmarc_eval e[2];	/* [MX_DMARC_7489], [MX_DMARC_9989] */
	int differ;			/* the two verdicts disagree */
	struct mx_dmarc_lint *lint;
	size_t nlint;
};

/* Evaluate both ways.  Always fills *out; returns 0, or -1 when out of memory. */
int mx_dmarc_check(const struct mx_dmarc_input *in, struct mx_dmarc_result *out);
void mx_dmarc_result_finish(struct mx_dmarc_result *r);

/* The stricter of two evaluations (for messages with several author domains): 1 when b is stricter. */
int mx_dmarc_stricter(const struct mx_dmarc_eval *a, const struct mx_dmarc_eval *b);

#endif
