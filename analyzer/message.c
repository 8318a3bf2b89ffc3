/*
 * message.c - the message's own fields: authors, subject, date, ids, and
 * the header-section anomalies that matter for forensics.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "mime.h"

/* The name as written, for findings (NUL-free copy, bounded). */
static void
field_name(const struct mx_field *f, char *dst, size_t dstlen)
{
	size_t n = 0;
	for (; n < f->name.len && n + 1 < dstlen; n++) {
		unsigned char c = (unsigned char)f->name.ptr[n];
		dst[n] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	dst[n] = '\0';
}

static void
header_findings(struct mx_analysis *a)
{
	struct mx_header *h = &a->hdr;
	struct mx_findings *fs = &a->findings;
	if (h->flags & MX_HDR_F_LEADING_WSP)
		mx_findings_add(fs, "HEADER_LEADING_WHITESPACE", -1, -1, NULL, 0,
		    "The first header line begins with whitespace. Some programs read it as "
		    "a continuation of nothing and drop it, others as a field: a hidden From "
		    "is the classic use (Composition Kills A7).");
	if (h->flags & MX_HDR_F_JUNK_LINE)
		mx_findings_add(fs, "HEADER_JUNK_LINE", -1, -1, NULL, (long long)h->junk_offset,
		    "A line that is not a header field ended the header section at byte %zu; "
		    "everything after it is read as the body.", h->junk_offset);
	if (h->flags & MX_HDR_F_TRUNCATED)
		mx_findings_add(fs, "HEADER_FIELDS_TRUNCATED", -1, -1, NULL, -1,
		    "The message has %zu header fields; mxray examined the first %d and "
		    "ignored %zu.", h->nfields + h->dropped, MX_MAX_HEADER_FIELDS, h->dropped);
	for (size_t i = 0; i < h->nfields; i++) {
		const struct mx_field *f = &h->fields[i];
		char name[80];
		field_name(f, name, sizeof name);
		long long off = (long long)f->offset;
		if (f->flags & MX_FIELD_F_WSP_BEFORE_COLON)
			mx_findings_add(fs, "HEADER_WSP_BEFORE_COLON",
			    mx_span_ieq(f->name, "From") ? MX_SEV_HIGH : -1, (long)i, name, off,
			    "Field %zu (%s) has whitespace before its colon. Mail programs "
			    "disagree on whether \"%s :\" is a %s field (Composition Kills A7).",
			    i + 1, name, name, name);
		if (f->flags & MX_FIELD_F_NUL)
			mx_findings_add(fs, "HEADER_NUL_BYTE", -1, (long)i, name, off,
			    "Field %zu (%s) contains a NUL byte: programs that stop at NUL see "
			    "a different value than those that do not.", i + 1, name);
		if (f->flags & MX_FIELD_F_8BIT)
			mx_findings_add(fs, "HEADER_8BIT", -1, (long)i, name, off,
			    "Field %zu (%s) has unencoded 8-bit bytes.", i + 1, name);
		if (f->flags & MX_FIELD_F_LONG_LINE)
			mx_findings_add(fs, "HEADER_LINE_TOO_LONG", -1, (long)i, name, off,
			    "Field %zu (%s) has a line over %d characters (RFC 5322 §2.1.1).",
			    i + 1, name, MX_RFC5322_MAX_LINE);
		if (f->flags & MX_FIELD_F_BARE_CR)
			mx_findings_add(fs, "HEADER_BARE_CR", -1, (long)i, name, off,
			    "Field %zu (%s) has a carriage return without a line feed.", i + 1, name);
	}
}

static char *
unfold_trim(const struct mx_field *f)
{
	char *s = mx_rfc5322_unfold(f->value, NULL);
	if (s == NULL)
		return NULL;
	char *p = s;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	memmove(s, p, n);
	s[n] = '\0';
	return s;
}

/* 1 when the display name holds something that looks like an address of another domain. */
static int
display_hides_address(const char *display, const char *domain)
{
	if (display == NULL)
		return 0;
	const char *at = strchr(display, '@');
	if (at == NULL)
		return 0;
	char dom[256];
	size_t n = 0;
	for (const char *p = at + 1; *p && n + 1 < sizeof dom; p++) {
		if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-'))
			break;
		dom[n++] = (char)tolower((unsigned char)*p);
	}
	dom[n] = '\0';
	return n > 0 && strchr(dom, '.') && strcmp(dom, domain) != 0;
}

/*
 * The raw From value, read the way a careful parser would, for the tricks
 * that make mail programs and verifiers disagree (Composition Kills
 * A10-A13): an encoded-word that decodes to an address, an obsolete route,
 * a quoted-pair outside quotes, text glued after an angle address.
 */
static void
from_tricks(struct mx_analysis *a, long fi, const char *v)
{
	struct mx_findings *fs = &a->findings;
	long long off = (long long)a->hdr.fields[fi].offset;
	int quoted = 0, comment = 0, angle = 0, bs_outside = 0, glued = 0;
	char route[160] = "";
	for (const char *p = v; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = 0;
			continue;
		}
		if (comment) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '(')
				comment++;
			else if (*p == ')')
				comment--;
			continue;
		}
		switch (*p) {
		case '"': quoted = 1; break;
		case '(': comment = 1; break;
		case '\\': bs_outside = 1; break;
		case '<':
			angle = 1;
			if (p[1] == '@' && route[0] == '\0') {
				const char *colon = strchr(p, ':');
				const char *close = strchr(p, '>');
				if (colon && (!close || colon < close))
					snprintf(route, sizeof route, "%.*s", (int)(colon - p - 1), p + 1);
			}
			break;
		case '>': {
			angle = 0;
			const char *q = p + 1;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q && *q != ',' && *q != '(' && *q != ';')
				glued = 1;
			break;
		}
		default: break;
		}
	}
	(void)angle;
	if (route[0])
		mx_findings_add(fs, "FROM_OBS_ROUTE", -1, fi, "From", off, "The From address carries "
		    "an obsolete source route (%s): parsers drop it, but some mail programs show it, "
		    "and the domains in it are not the author's (Composition Kills A11).", route);
	if (bs_outside)
		mx_findings_add(fs, "FROM_QUOTED_PAIR", -1, fi, "From", off, "The From field has a "
		    "backslash outside quotes: \"\\,\" splits an address list for some parsers and not "
		    "for others, so two programs see different authors (Composition Kills A12).");
	if (glued)
		mx_findings_add(fs, "FROM_AMBIGUOUS", -1, fi, "From", off, "Text follows the angle "
		    "address in the From field (\"<a@x>b@y\"): mail programs and verifiers pick "
		    "different addresses from it (Composition Kills A13).");
	/* encoded-words that decode to something address-like (RFC 2047 §5 forbids them there) */
	for (const char *p = strstr(v, "=?"); p; p = strstr(p + 2, "=?")) {
		const char *end = strstr(p + 2, "?=");
		if (end == NULL)
			break;
		char *word = strndup(p, (size_t)(end + 2 - p));
		char *dec = word ? mx_mime_decode_text(word) : NULL;
		int bad = dec && strcmp(dec, word) != 0 && strpbrk(dec, "@<>,") != NULL;
		if (bad)
			mx_findings_add(fs, "FROM_ENCODED_ADDRESS", -1, fi, "From", off, "An encoded-word "
			    "in the From field decodes to \"%.80s\": mail programs that decode it may "
			    "show that address, while DMARC checks the real one (Composition Kills "
			    "A10, RFC 2047 §5).", dec);
		free(word);
		free(dec);
		if (bad)
			break;
	}
}

static int
read_authors(struct mx_analysis *a)
{
	struct mx_message_info *m = &a->msg;
	struct mx_findings *fs = &a->findings;
	size_t cap = 0;
	for (size_t i = 0; i < a->hdr.nfields; i++) {
		const struct mx_field *f = &a->hdr.fields[i];
		if (!mx_span_ieq(f->name, "From"))
			continue;
		m->nfrom_fields++;
		char *v = unfold_trim(f);
		if (v == NULL)
			return -1;
		if (m->from == NULL)
			m->from = mx_mime_decode_text(v);
		from_tricks(a, (long)i, v);
		struct mx_mailbox *mb;
		long n = mx_mime_parse_mailboxes(v, &mb);
		if (n < 0) {
			free(v);
			return -1;
		}
		if (n == 0)
			mx_findings_add(fs, "FROM_UNPARSABLE", -1, (long)i, "From", (long long)f->offset,
			    "No address could be read from From field %zu (\"%.80s\"): the author "
			    "cannot be checked.", i + 1, v);
		if (n > 1)
			mx_findings_add(fs, "FROM_MULTIPLE_ADDRESSES",
			    mx_header_count(&a->hdr, "Sender") ? -1 : MX_SEV_HIGH, (long)i, "From",
			    (long long)f->offset,
			    "From field %zu names %ld addresses%s. Mail programs show one of them, "
			    "and DMARC must check them all (Composition Kills A9).", i + 1, n,
			    mx_header_count(&a->hdr, "Sender") ? "" :
			    " without the Sender field RFC 5322 then requires");
		for (long k = 0; k < n; k++) {
			if (m->nauthors == cap) {
				size_t nc = cap ? cap * 2 : 4;
				struct mx_author *na = realloc(m->authors, nc * sizeof *na);
				if (na == NULL) {
					mx_mailboxes_free(mb, (size_t)n);
					free(v);
					return -1;
				}
				m->authors = na;
				cap = nc;
			}
			struct mx_author *au = &m->authors[m->nauthors++];
			au->field_index = (long)i;
			au->display = mb[k].name;
			au->address = mb[k].addr;
			au->domain = mb[k].domain;
			mb[k].name = mb[k].addr = mb[k].domain = NULL;
			if (display_hides_address(au->display, au->domain))
				mx_findings_add(fs, "FROM_ADDRESS_IN_DISPLAY_NAME", -1, (long)i, "From",
				    (long long)f->offset,
				    "The display name \"%.80s\" looks like an address, but the mail "
				    "comes from %s: many mail apps show only the name.",
				    au->display, au->address);
		}
		mx_mailboxes_free(mb, (size_t)n);
		free(v);
	}
	if (m->nfrom_fields == 0)
		mx_findings_add(fs, "FROM_MISSING", -1, -1, NULL, -1,
		    "The message has no From field: there is no author to authenticate%s.",
		    mx_header_count(&a->hdr, "Sender") ? " (some mail apps show Sender instead, "
		    "which DMARC never checks)" : "");
	else if (m->nfrom_fields > 1)
		mx_findings_add(fs, "FROM_DUPLICATE", -1, mx_header_find(&a->hdr, "From", 1), "From",
		    (long long)a->hdr.fields[mx_header_find(&a->hdr, "From", 1)].offset,
		    "The message has %zu From fields. Most mail apps show the first, DKIM "
		    "signs the last: an attacker adds one to a genuine signed message "
		    "(Composition Kills A6/A18). RFC 5322 allows exactly one.", m->nfrom_fields);
	return 0;
}

static int
read_simple(struct mx_analysis *a)
{
	struct mx_message_info *m = &a->msg;
	long i;
	if ((i = mx_header_find(&a->hdr, "To", 0)) >= 0) {
		char *v = unfold_trim(&a->hdr.fields[i]);
		if (v == NULL)
			return -1;
		m->to = mx_mime_decode_text(v);
		free(v);
	}
	if ((i = mx_header_find(&a->hdr, "Subject", 0)) >= 0) {
		char *v = unfold_trim(&a->hdr.fields[i]);
		if (v == NULL)
			return -1;
		m->subject = mx_mime_decode_text(v);
		free(v);
	}
	if ((i = mx_header_find(&a->hdr, "Message-ID", 0)) >= 0) {
		if ((m->message_id = unfold_trim(&a->hdr.fields[i])) == NULL)
			return -1;
	} else if (a->hdr.nfields > 0) {
		mx_findings_add(&a->findings, "MESSAGE_ID_MISSING", -1, -1, NULL, -1,
		    "The message has no Message-ID field (RFC 5322 §3.6.4 says it SHOULD). "
		    "Large receivers treat that as a spam sign.");
	}
	if ((i = mx_header_find(&a->hdr, "Date", 0)) >= 0) {
		const struct mx_field *f = &a->hdr.fields[i];
		if ((m->date = unfold_trim(f)) == NULL)
			return -1;
		if (mx_datetime_parse(m->date, strlen(m->date), &m->date_parsed) == 0)
			m->has_date = 1;
		else
			mx_findings_add(&a->findings, "DATE_UNPARSABLE", -1, i, "Date",
			    (long long)f->offset, "The Date field \"%.60s\" could not be read.", m->date);
	} else {
		mx_findings_add(&a->findings, "DATE_MISSING", -1, -1, NULL, -1,
		    "The message has no Date field, which RFC 5322 requires.");
	}
	if (mx_header_count(&a->hdr, "Return-Path") > 1) {
		i = mx_header_find(&a->hdr, "Return-Path", 1);
		mx_findings_add(&a->findings, "RETURN_PATH_MULTIPLE", -1, i, "Return-Path",
		    (long long)a->hdr.fields[i].offset,
		    "The message has %zu Return-Path fields; only the final delivery server "
		    "writes one. The lower ones came with the message.",
		    mx_header_count(&a->hdr, "Return-Path"));
	}
	return 0;
}

int
mx_message_read(struct mx_analysis *a)
{
	header_findings(a);
	a->msg.body_bytes = a->len - a->hdr.body_offset;
	/* a junk line ends the header too: what follows it is the body */
	a->msg.body_present = a->hdr.has_separator || a->msg.body_bytes > 0;
	if (!a->msg.body_present && a->depth == 0)
		mx_findings_add(&a->findings, "HEADERS_ONLY", -1, -1, NULL, -1,
		    "Only the header section was given (no blank line, no body). Everything "
		    "about the path and the recorded results still holds; checks that need the "
		    "body (DKIM body hashes) cannot run.");
	else if (a->msg.body_bytes == 0)
		mx_findings_add(&a->findings, "BODY_EMPTY", -1, -1, NULL, (long long)a->len,
		    "The body is empty. If only the headers were pasted, checks that need the "
		    "body will not match what the receiver saw.");
	if (read_authors(a) != 0)
		return -1;
	return read_simple(a);
}
