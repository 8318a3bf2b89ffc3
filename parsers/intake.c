/*
 * intake.c - from pasted or saved text to the message bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "intake.h"
#include "rfc5322.h"

static const struct {
	const char *magic;
	size_t len;
	const char *name;
} documents[] = {
	{ "%PDF-", 5, "PDF document" },
	{ "PK\x03\x04", 4, "ZIP archive (or an Office document)" },
	{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "Outlook .msg or old Office document" },
	{ "\x89PNG", 4, "PNG image" },
	{ "GIF8", 4, "GIF image" },
	{ "\xff\xd8\xff", 3, "JPEG image" },
	{ "\x1f\x8b", 2, "gzip-compressed file" },
	{ "\x7f" "ELF", 4, "executable" },
	{ "{\\rtf", 5, "RTF document" },
};

/*
 * Header names that make a block of text a mail header.  A single known
 * name is enough: Outlook's message details may hold only Received lines.
 */
static const char *const mail_fields[] = {
	"From", "To", "Cc", "Subject", "Date", "Message-ID", "Received", "Return-Path",
	"Delivered-To", "Authentication-Results", "DKIM-Signature", "MIME-Version",
	"Content-Type", "Reply-To", "Sender", "X-Received", "ARC-Seal", "Received-SPF",
	"In-Reply-To", "References", "X-Mailer", "User-Agent", "Resent-From",
};

static int
wsp_then_colon(const char *b, size_t len, size_t i)
{
	while (i < len && is_wsp(b[i]))
		i++;
	return i < len && b[i] == ':';
}

static size_t
next_line(const char *b, size_t len, size_t pos)
{
	const char *lf = memchr(b + pos, '\n', len - pos);
	return lf ? (size_t)(lf - b) + 1 : len;
}

static int
blank_line(const char *b, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n')
			return 0;
	return 1;
}

static enum mx_input_kind
sniff(const char *in, size_t len, const char **doc)
{
	for (size_t i = 0; i < sizeof documents / sizeof documents[0]; i++)
		if (len >= documents[i].len && memcmp(in, documents[i].magic, documents[i].len) == 0) {
			*doc = documents[i].name;
			return MX_INPUT_DOCUMENT;
		}
	size_t n = len < MX_INTAKE_SNIFF_BYTES ? len : MX_INTAKE_SNIFF_BYTES;
	size_t ctl = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')
			ctl++;
	}
	/* a stray NUL is a finding in a message; many control bytes are not text */
	if (ctl * 100 > n * 2 || (n > 0 && ctl > 16))
		return MX_INPUT_BINARY;
	return MX_INPUT_MESSAGE;
}

/* Leading whitespace of the line at pos, if stripping it leaves a field. */
static size_t
indent_of_first_line(const char *b, size_t len, size_t pos)
{
	size_t i = pos;
	while (i < len && is_wsp(b[i]))
		i++;
	if (i == pos)
		return 0;
	size_t eol = next_line(b, len, pos);
	size_t k = i;
	while (k < eol && b[k] != ':' && b[k] != ' ' && b[k] != '\t' && b[k] != '\r' && b[k] != '\n')
		k++;
	if (k == i || k >= eol || b[k] != ':')
		return 0;
	return i - pos;
}

/* Copy in[pos..len) to a new buffer, removing up to indent blanks per line
 * and turning bare LF into CRLF. */
static int
rebuild(const char *in, size_t len, size_t pos, struct mx_intake *out)
{
	size_t crlf = 0, lf = 0;
	for (const char *q = in + pos, *e = in + len; (q = memchr(q, '\n', (size_t)(e - q))); q++) {
		if (q > in + pos && q[-1] == '\r')
			crlf++;
		else
			lf++;
	}
	size_t cap = (len - pos) + lf + 1;
	char *b = malloc(cap);
	if (b == NULL)
		return -1;
	size_t n = 0;
	if (lf == 0 && out->indent == 0) {
		/* CRLF throughout and nothing to strip (most mail): one copy */
		memcpy(b, in + pos, len - pos);
		n = len - pos;
	}
	for (size_t i = n ? len : pos; i < len;) {
		if (out->indent) {
			/* up to the first line's indentation: a line indented less
			 * (a sloppy paste) loses all of its own, not its field */
			size_t k = 0;
			while (k < out->indent && i + k < len && is_wsp(in[i + k]))
				k++;
			i += k;
			if (i >= len)
				break;
		}
		const char *nl = memchr(in + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - in) : len;
		memcpy(b + n, in + i, end - i);
		n += end - i;
		if (nl == NULL)
			break;
		if (n == 0 || b[n - 1] != '\r')
			b[n++] = '\r';
		b[n++] = '\n';
		i = end + 1;
	}
	b[n] = '\0';
	out->buf = b;
	out->len = n;
	out->lf_converted = lf;
	if (lf && crlf)
		out->repairs |= MX_REPAIR_MIXED_EOL;
	else if (lf)
		out->repairs |= MX_REPAIR_LF_ONLY;
	return 0;
}

static int
has_mail_field(const char *b, size_t len)
{
	struct mx_header h;
	if (mx_rfc5322_split(b, len, &h) != 0)
		return -1;
	int found = 0;
	for (size_t i = 0; i < h.nfields && !found; i++)
		for (size_t k = 0; k < sizeof mail_fields / sizeof mail_fields[0]; k++)
			if (mx_span_ieq(h.fields[i].name, mail_fields[k])) {
				found = 1;
				break;
			}
	mx_header_finish(&h);
	return found;
}

int
mx_intake_normalize(const char *in, size_t len, struct mx_intake *out)
{
	memset(out, 0, sizeof *out);
	out->orig_len = len;
	if (len > MX_INTAKE_MAX_BYTES) {
		out->kind = MX_INPUT_TOO_LARGE;
		out->reason = "the input is larger than 50 MiB";
		return 0;
	}
	size_t pos = 0;
	if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
		out->repairs |= MX_REPAIR_BOM;
		pos = 3;
	}
	if (blank_line(in, pos, len)) {
		out->kind = MX_INPUT_EMPTY;
		out->reason = len ? "the input holds only whitespace" : "the input is empty";
		return 0;
	}
	out->kind = sniff(in + pos, len - pos, &out->document_type);
	if (out->kind == MX_INPUT_DOCUMENT) {
		out->reason = "the input is a document, not an email message";
		return 0;
	}
	if (out->kind == MX_INPUT_BINARY) {
		out->reason = "the input is binary data, not an email message";
		return 0;
	}
	/* leading blank lines */
	size_t start = pos;
	for (;;) {
		size_t nl = next_line(in, len, pos);
		if (nl >= len || !blank_line(in, pos, nl))
			break;
		pos = nl;
	}
	if (pos != start)
		out->repairs |= MX_REPAIR_LEADING_BLANK;

	int g = mx_gmail_summary_parse(in + pos, len - pos, &out->gmail);
	if (g < 0)
		return -1;
	if (g == 1) {
		out->has_gmail_summary = 1;
		out->repairs |= MX_REPAIR_GMAIL_PAGE;
		out->gmail.source_offset += pos;
		pos = out->gmail.source_offset;
	}
	/* an mbox "From " separator line; "From :" is a field (Composition Kills A7b) */
	if (len - pos > 5 && memcmp(in + pos, "From ", 5) == 0 && !wsp_then_colon(in, len, pos + 4)) {
		size_t nl = next_line(in, len, pos);
		size_t e = nl;
		while (e > pos && (in[e - 1] == '\n' || in[e - 1] == '\r'))
			e--;
		out->mbox_from = strndup(in + pos, e - pos);
		if (out->mbox_from == NULL)
			return -1;
		for (char *c = out->mbox_from; *c; c++)
			if ((unsigned char)*c < 0x20)
				*c = '?';
		out->repairs |= MX_REPAIR_MBOX_FROM;
		pos = nl;
	}
	out->indent = indent_of_first_line(in, len, pos);
	if (out->indent)
		out->repairs |= MX_REPAIR_INDENT;
	out->source_offset = pos;
	if (rebuild(in, len, pos, out) != 0)
		return -1;
	int f = has_mail_field(out->buf, out->len);
	if (f < 0)
		return -1;
	if (!f) {
		out->kind = MX_INPUT_NOT_MESSAGE;
		out->reason = "the input has no email header fields (From:, Received:, Subject: ...)";
	}
	return 0;
}

void
mx_intake_finish(struct mx_intake *in)
{
	free(in->buf);
	free(in->mbox_from);
	mx_gmail_summary_finish(&in->gmail);
	memset(in, 0, sizeof *in);
}
