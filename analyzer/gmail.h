/*
 * gmail.h - the receiver's verdict reconstructed and compared with what it
 * recorded (verdict.c), and the sender card Gmail shows (gmail.c):
 * mailed-by, signed-by, "via", the grey "?" and the encryption line.
 */
#ifndef MX_GMAIL_H
#define MX_GMAIL_H

#include <stddef.h>

struct mx_verdict_item {
	const char *method;		/* "dkim", "spf", "dmarc" */
	char *recorded;			/* the receiver's result, or NULL when it recorded none */
	char *recomputed;		/* mxray's, or NULL when not recomputed (no DNS data) */
	int agree;
	char *cause;			/* the most likely cause of a disagreement, for a person */
};

struct mx_gmail_explanation {
	const char *indicator;		/* "via", "question_mark", "encryption", "mailed_by", "signed_by" */
	char *reason;
	char *fix;
};

struct mx_gmail {
	int receiver_is_gmail;
	const char *basis;		/* static: whose verdicts the card is built from */
	char *mailed_by, *signed_by, *via;
	int question_mark;
	const char *encryption;		/* "tls", "none", "unknown" */
	struct mx_gmail_explanation *ex;
	size_t nex;
};

#endif
