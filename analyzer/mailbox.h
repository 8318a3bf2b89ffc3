/*
 * mailbox.h - reading mailbox exports one message at a time: mbox (mboxo
 * and mboxrd), Maildir, folders of .eml, gzip-compressed files, a stream.
 * Memory is bounded by the largest message (MX_INTAKE_MAX_BYTES), never by
 * the size of the mailbox.
 */
#ifndef MX_MAILBOX_H
#define MX_MAILBOX_H

#include <stddef.h>
#include <stdint.h>

struct mx_mailbox;

/* One message (or one input that failed) as the reader found it. */
struct mx_mailbox_msg {
	const char *path;	/* the file ("-" for standard input) */
	int in_mbox;		/* 1: a message of an mbox file; offset says where */
	uint64_t offset;	/* byte offset of its "From " line (decompressed) */
	uint64_t index;		/* 1-based position in its file */
	int compressed;		/* the file was gzip-compressed */
	const char *error;	/* NULL, or why this input gave no message (static or owned
				 * by the reader until the next call) */
	char *data;		/* the message, >From unquoted; owned by the reader */
	size_t len;
};

/*
 * Open a reader over PATHS (files, directories, "-" for standard input).
 * Directories are walked in name order; a directory with cur/ or new/ is a
 * Maildir (tmp/ is skipped).  Returns NULL only when out of memory.
 */
struct mx_mailbox *mx_mailbox_open(char *const *paths, size_t npaths);

/*
 * The next message.  Returns 1 with *m filled, 0 at the end.  Every file
 * and every mbox entry yields exactly one message, with error set when it
 * could not be read; *m is valid until the next call.
 */
int mx_mailbox_next(struct mx_mailbox *mb, struct mx_mailbox_msg *m);

/* Bytes consumed from the inputs so far, and their total size when known (0: unknown). */
void mx_mailbox_progress(const struct mx_mailbox *mb, uint64_t *done, uint64_t *total);

void mx_mailbox_close(struct mx_mailbox *mb);

#endif
