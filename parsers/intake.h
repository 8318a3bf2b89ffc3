/*
 * intake.h - turn what a user pasted or saved into the message bytes to
 * analyze, and say what was repaired.
 *
 * Accepted: a saved .eml (CRLF, left untouched); a pasted source with LF or
 * mixed line ends, leading blank lines, a UTF-8 byte-order mark, every line
 * indented by copy and paste, an mbox "From " line on top; a Gmail "Show
 * original" page (summary table kept as evidence, source beneath it
 * analyzed).  Refused with a reason: empty input, binary data, a PDF or
 * another document format, text that has no header fields.
 */
#ifndef MX_INTAKE_H
#define MX_INTAKE_H

#include <stddef.h>
#include "gmail_summary.h"

/* Larger inputs are refused: rspamd and hMailServer stop at 50 MiB too. */
#define MX_INTAKE_MAX_BYTES (50u * 1024 * 1024)
/* How far into the input binary content is looked for. */
#define MX_INTAKE_SNIFF_BYTES 8192

enum mx_input_kind {
	MX_INPUT_MESSAGE = 0,
	MX_INPUT_EMPTY,		/* nothing, or only whitespace */
	MX_INPUT_BINARY,	/* NUL bytes / control bytes: not text */
	MX_INPUT_DOCUMENT,	/* a PDF, office file, image, archive ... */
	MX_INPUT_NOT_MESSAGE,	/* text, but no header fields */
	MX_INPUT_TOO_LARGE,
};

enum {	/* repairs, each reported as a finding */
	MX_REPAIR_BOM          = 1 << 0,
	MX_REPAIR_LEADING_BLANK = 1 << 1,
	MX_REPAIR_MBOX_FROM    = 1 << 2,
	MX_REPAIR_INDENT       = 1 << 3,
	MX_REPAIR_LF_ONLY      = 1 << 4,	/* every line ended in LF: converted to CRLF */
	MX_REPAIR_MIXED_EOL    = 1 << 5,	/* some lines LF, some CRLF: all made CRLF */
	MX_REPAIR_GMAIL_PAGE   = 1 << 6,	/* a Gmail "Show original" page: table removed */
	MX_REPAIR_MBOXRD_QUOTE = 1 << 7,	/* reserved for batch input */
};

struct mx_intake {
	enum mx_input_kind kind;
	const char *reason;	/* why the input was refused (static text), or NULL */
	char *buf;		/* the message to analyze, CRLF line ends; owned */
	size_t len;
	unsigned repairs;	/* MX_REPAIR_* */
	size_t orig_len;	/* bytes read */
	size_t source_offset;	/* where the message starts in the input */
	size_t indent;		/* whitespace removed from each line */
	size_t lf_converted;	/* bare LFs made CRLF */
	char *mbox_from;	/* the mbox "From " line, or NULL */
	int has_gmail_summary;
	struct mx_gmail_summary gmail;
	const char *document_type;	/* "PDF", "ZIP archive" ... when kind is DOCUMENT */
};

/*
 * Normalize in[0..len).  Returns 0 (see out->kind for whether it is a
 * message), or -1 when out of memory.  Free with mx_intake_finish().
 */
int mx_intake_normalize(const char *in, size_t len, struct mx_intake *out);

void mx_intake_finish(struct mx_intake *in);

#endif
