/*
 * arc.h - ARC chain validation (RFC 8617) and what the chain says happened.
 */
#ifndef MX_ARC_H
#define MX_ARC_H

#include <stddef.h>

#include "dkim.h"

/* RFC 8617 §5.2: more than 50 ARC sets is a failed chain, checked before any crypto. */
#define MX_ARC_MAX_SETS 50
/* ARC fields read per message: 50 sets of 3, and a margin to see that there are too many. */
#define MX_ARC_MAX_FIELDS 200

struct mx_arc_instance {
	int instance;
	long as_field, ams_field, aar_field;	/* header field indices, -1 when missing */
	struct mx_dkim_result as, ams;		/* the seal and the message signature, verified */
	char *sealer;				/* the seal's d= */
	char *cv;				/* the seal's cv= */
	const char *ams_result;			/* pass fail permerror temperror, or "not_checked" */
	const char *as_result;
	int trusted;				/* the sealer was named with --trust-arc */
	long hop;				/* index into hops[] of the sealer's Received, -1 */
	char *story;				/* what this sealer recorded and what happened since */
};

struct mx_arc_result {
	const char *result;			/* none pass fail */
	struct mx_arc_instance *inst;		/* 1..N in order */
	size_t ninst;
	size_t sets;				/* instances present (may exceed the limit) */
	int failed_instance;			/* the oldest instance that fails, 0 when none */
	char *reason;
};

void mx_arc_result_finish(struct mx_arc_result *r);

#endif
