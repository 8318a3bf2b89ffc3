/*
 * batch.h - mxray batch: every message of a set of mailboxes analyzed, one
 * JSON Lines record each (errors included), and a summary of them all.
 */
#ifndef MX_BATCH_H
#define MX_BATCH_H

#include <signal.h>
#include <stdio.h>

#include "analysis.h"
#include "mailbox.h"

struct mx_batch_summary;

struct mx_batch_options {
	FILE *out;			/* the records */
	FILE *progress;			/* a progress line here (a terminal), or NULL */
	volatile sig_atomic_t *stop;	/* set by SIGINT: finish the record, then stop */
	const struct mx_options *analysis;
	unsigned threads;		/* worker threads (-j); 0 or 1: analyze in the main thread */
};

/*
 * Analyze every message MB yields and write its record.  Returns the
 * summary (NULL when out of memory); *write_failed is set when the records
 * could not be written.
 */
struct mx_batch_summary *mx_batch_run(struct mx_mailbox *mb, const struct mx_batch_options *o,
    int *write_failed);

int mx_batch_summary_json(FILE *out, const struct mx_batch_summary *s);
int mx_batch_summary_text(FILE *out, const struct mx_batch_summary *s);
void mx_batch_summary_free(struct mx_batch_summary *s);

#endif
