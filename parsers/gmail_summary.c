/*
 * gmail_summary.c - Gmail's "Show original" summary table.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gmail_summary.h"

struct line {
	const char *p;
	size_t len;
};

static struct line
trim(struct line l)
{
	while (l.len && isspace((unsigned char)l.p[0])) {
		l.p++;
		l.len--;
	}
	while (l.len && isspace((unsigned char)l.p[l.len - 1]))
		l.len--;
	return l;
}

static int
starts_with(struct line l, const char *lit)
{
	size_t n = strlen(lit);
	return l.len >= n && strncasecmp(l.p, lit, n) == 0;
}

static char *
dup_line(struct line l)
{
	char *s = malloc(l.len + 1);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < l.len; i++)
		s[i] = (l.p[i] == '\0' || l.p[i] == '\t') ? ' ' : l.p[i];
	s[l.len] = '\0';
	return s;
}

/* Remove Gmail's trailing "Learn more" link text. */
static struct line
strip_learn_more(struct line v)
{
	static const char lm[] = "Learn more";
	size_t n = sizeof lm - 1;
	if (v.len >= n && strncasecmp(v.p + v.len - n, lm, n) == 0)
		v.len -= n;
	return trim(v);
}

/* The first word of v, quotes removed, lower-cased: "'PASS'" -> "pass". */
static char *
result_word(struct line v, struct line *rest)
{
	size_t i = 0;
	while (i < v.len && !isspace((unsigned char)v.p[i]))
		i++;
	struct line w = { v.p, i };
	while (w.len && (w.p[0] == '\'' || w.p[0] == '"')) {
		w.p++;
		w.len--;
	}
	while (w.len && (w.p[w.len - 1] == '\'' || w.p[w.len - 1] == '"'))
		w.len--;
	char *s = dup_line(w);
	if (s)
		for (char *c = s; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	rest->p = v.p + i;
	rest->len = v.len - i;
	*rest = trim(*rest);
	return s;
}

/* After "with IP " or "with domain ": the next word. */
static char *
after_phrase(struct line v, const char *phrase)
{
	size_t n = strlen(phrase);
	for (size_t i = 0; i + n <= v.len; i++) {
		if (strncasecmp(v.p + i, phrase, n) == 0) {
			struct line w = { v.p + i + n, v.len - i - n };
			w = trim(w);
			size_t k = 0;
			while (k < w.len && !isspace((unsigned char)w.p[k]))
				k++;
			w.len = k;
			return dup_line(w);
		}
	}
	return NULL;
}

/* Split "Label:\tvalue" or "Label\tvalue"; returns 0 when the label is not ours. */
static int
label_value(struct line l, const char *label, struct line *value)
{
	size_t n = strlen(label);
	if (l.len < n || strncasecmp(l.p, label, n) != 0)
		return 0;
	size_t i = n;
	if (i < l.len && l.p[i] == ':')
		i++;
	if (i < l.len && !isspace((unsigned char)l.p[i]))
		return 0;
	value->p = l.p + i;
	value->len = l.len - i;
	*value = trim(*value);
	return 1;
}

static int
set(char **dst, char *s)
{
	if (s == NULL)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

int
mx_gmail_summary_parse(const char *buf, size_t len, struct mx_gmail_summary *out)
{
	memset(out, 0, sizeof *out);
	size_t pos = 0, lineno = 0;
	int seen_header = 0, seen_auth = 0, nlines = 0;
	size_t last_end = 0, last_lineno = 0;

	while (pos < len && nlines < MX_GMAIL_SUMMARY_MAX_LINES) {
		const char *lf = memchr(buf + pos, '\n', len - pos);
		size_t eol = lf ? (size_t)(lf - buf) : len;
		struct line l = trim((struct line){ buf + pos, eol - pos });
		size_t next = lf ? eol + 1 : len;
		lineno++;
		if (l.len == 0) {
			pos = next;
			continue;
		}
		nlines++;
		struct line v;
		int rc = 0;
		if (!seen_header) {
			if (starts_with(l, "Original Message") || label_value(l, "Message ID", &v)) {
				seen_header = 1;
				if (label_value(l, "Message ID", &v))
					rc = set(&out->message_id, dup_line(v));
				pos = next;
				last_end = next;
				last_lineno = lineno + 1;
				if (rc)
					goto nomem;
				continue;
			}
			return 0;
		}
		if (starts_with(l, "Download Original") || starts_with(l, "Copy to clipboard")) {
			last_end = next;
			last_lineno = lineno + 1;
			break;
		}
		if (label_value(l, "Message ID", &v))
			rc = set(&out->message_id, dup_line(v));
		else if (label_value(l, "Created at", &v) || label_value(l, "Created on", &v)) {
			/* "Tue, Nov 5, 2024 at 10:00 AM (Delivered after 2 seconds)" */
			const char *paren = memchr(v.p, '(', v.len);
			struct line when = v;
			if (paren) {
				when.len = (size_t)(paren - v.p);
				struct line d = { paren + 1, v.len - (size_t)(paren - v.p) - 1 };
				if (d.len && d.p[d.len - 1] == ')')
					d.len--;
				if (starts_with(d, "Delivered after ")) {
					d.p += 16;
					d.len -= 16;
				}
				rc = set(&out->delivered_after, dup_line(trim(d)));
			}
			if (rc == 0)
				rc = set(&out->created_at, dup_line(trim(when)));
		} else if (label_value(l, "SPF", &v)) {
			struct line rest;
			v = strip_learn_more(v);
			rc = set(&out->spf_result, result_word(v, &rest));
			char *ip = after_phrase(rest, "with IP ");
			if (rc == 0 && ip)
				rc = set(&out->spf_ip, ip);
			seen_auth = 1;
		} else if (label_value(l, "DKIM", &v)) {
			struct line rest;
			v = strip_learn_more(v);
			rc = set(&out->dkim_result, result_word(v, &rest));
			char *d = after_phrase(rest, "with domain ");
			if (rc == 0 && d)
				rc = set(&out->dkim_domain, d);
			seen_auth = 1;
		} else if (label_value(l, "DMARC", &v)) {
			struct line rest;
			v = strip_learn_more(v);
			rc = set(&out->dmarc_result, result_word(v, &rest));
			seen_auth = 1;
		} else if (!seen_auth && label_value(l, "From", &v))
			rc = set(&out->from, dup_line(v));
		else if (!seen_auth && label_value(l, "To", &v))
			rc = set(&out->to, dup_line(v));
		else if (!seen_auth && label_value(l, "Subject", &v))
			rc = set(&out->subject, dup_line(v));
		else if (seen_auth) {
			/* no "Download Original" line: the source starts here */
			last_end = pos;
			last_lineno = lineno;
			break;
		}
		if (rc)
			goto nomem;
		pos = next;
		last_end = next;
		last_lineno = lineno + 1;
	}
	if (!seen_header || !seen_auth) {
		mx_gmail_summary_finish(out);
		return 0;
	}
	/* skip blank lines up to the source */
	while (last_end < len) {
		const char *lf = memchr(buf + last_end, '\n', len - last_end);
		size_t eol = lf ? (size_t)(lf - buf) : len;
		struct line l = trim((struct line){ buf + last_end, eol - last_end });
		if (l.len)
			break;
		last_end = lf ? eol + 1 : len;
		last_lineno++;
	}
	out->source_offset = last_end;
	out->source_line = last_lineno;
	return 1;
nomem:
	mx_gmail_summary_finish(out);
	return -1;
}

void
mx_gmail_summary_finish(struct mx_gmail_summary *s)
{
	char **f[] = { &s->message_id, &s->created_at, &s->delivered_after, &s->from, &s->to,
	    &s->subject, &s->spf_result, &s->spf_ip, &s->dkim_result, &s->dkim_domain,
	    &s->dmarc_result };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		free(*f[i]);
	memset(s, 0, sizeof *s);
}
