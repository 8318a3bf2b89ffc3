/*
 * gmail_summary.h - the summary table at the top of Gmail's "Show original"
 * page, as a user copies it with the raw source beneath:
 *
 *   Original Message
 *   Message ID	<CAF...@mail.gmail.com>
 *   Created at:	Tue, Nov 5, 2024 at 10:00 AM (Delivered after 2 seconds)
 *   From:	Alice <alice@example.com>
 *   To:	bob@gmail.com
 *   Subject:	Quarterly report
 *   SPF:	PASS with IP 198.51.100.25 Learn more
 *   DKIM:	'PASS' with domain example.com Learn more
 *   DMARC:	'PASS' Learn more
 *   Download Original	Copy to clipboard
 *
 * These are Gmail's own verdicts at delivery: recorded evidence.
 */
#ifndef MX_GMAIL_SUMMARY_H
#define MX_GMAIL_SUMMARY_H

#include <stddef.h>

/* The table has a dozen lines; a page longer than this before the source is not one. */
#define MX_GMAIL_SUMMARY_MAX_LINES 40

/* Owned strings, NULL when the line was absent. */
struct mx_gmail_summary {
	char *message_id;
	char *created_at;	/* as shown, e.g. "Tue, Nov 5, 2024 at 10:00 AM" */
	char *delivered_after;	/* "2 seconds" */
	char *from, *to, *subject;
	char *spf_result, *spf_ip;	/* "pass", "198.51.100.25" */
	char *dkim_result, *dkim_domain;
	char *dmarc_result;
	size_t source_offset;	/* where the raw source starts in the input */
	size_t source_line;	/* its 1-based line number */
};

/*
 * When buf starts (after blank lines) with a Gmail summary table, fill *out
 * and return 1; return 0 when it does not, -1 when out of memory.
 */
int mx_gmail_summary_parse(const char *buf, size_t len, struct mx_gmail_summary *out);

void mx_gmail_summary_finish(struct mx_gmail_summary *s);

#endif
