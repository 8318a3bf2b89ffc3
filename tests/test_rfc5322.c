/* Unit table: header fields, offsets, unfolding (parsers/rfc5322.c). */
#include <stdlib.h>
#include <string.h>

#include "rfc5322.h"
#include "unit.h"

static void
test_basic(void)
{
	static const char m[] = "From: a@example.com\r\nSubject: hi\r\n there\r\n\r\nbody\r\n";
	struct mx_header h;
	CHECK_INT(mx_rfc5322_split(m, sizeof m - 1, &h), 0);
	CHECK_INT(h.nfields, 2);
	CHECK(h.has_separator);
	CHECK_INT(h.fields[0].offset, 0);
	CHECK_INT(h.fields[1].offset, 21);
	CHECK(mx_span_ieq(h.fields[1].name, "subject"));
	/* raw keeps the folding and the line end, byte for byte */
	CHECK_INT(h.fields[1].raw.len, strlen("Subject: hi\r\n there\r\n"));
	CHECK(memcmp(h.fields[1].raw.ptr, "Subject: hi\r\n there\r\n", h.fields[1].raw.len) == 0);
	char *u = mx_rfc5322_unfold(h.fields[1].value, NULL);
	CHECK_STR(u, " hi there");
	free(u);
	CHECK_STR(m + h.body_offset, "body\r\n");
	mx_header_finish(&h);
}

static void
test_two_from(void)
{
	static const char m[] = "From: a@x.example\nFrom : b@y.example\nTo: c@z.example\n\n";
	struct mx_header h;
	CHECK_INT(mx_rfc5322_split(m, sizeof m - 1, &h), 0);
	CHECK_INT(mx_header_count(&h, "From"), 2);	/* never merged */
	CHECK(h.fields[1].flags & MX_FIELD_F_WSP_BEFORE_COLON);
	CHECK_INT(mx_header_find(&h, "from", 1), 1);
	CHECK_INT(mx_header_find(&h, "from", 2), -1);
	mx_header_finish(&h);
}

static void
test_broken(void)
{
	struct mx_header h;
	/* headers only, no blank line, no final newline */
	static const char a[] = "Received: by x; Tue, 5 Nov 2024 10:00:00 +0000\nSubject: s";
	CHECK_INT(mx_rfc5322_split(a, sizeof a - 1, &h), 0);
	CHECK_INT(h.nfields, 2);
	CHECK(!h.has_separator);
	CHECK(h.flags & MX_HDR_F_NO_SEPARATOR);
	CHECK_INT(h.body_offset, sizeof a - 1);
	mx_header_finish(&h);
	/* a line that is not a field ends the header */
	static const char b[] = "Subject: s\nthis is not a field\nTo: x\n";
	CHECK_INT(mx_rfc5322_split(b, sizeof b - 1, &h), 0);
	CHECK_INT(h.nfields, 1);
	CHECK(h.flags & MX_HDR_F_JUNK_LINE);
	CHECK_INT(h.junk_offset, 11);
	mx_header_finish(&h);
	/* NUL inside a value is kept as data and flagged */
	static const char c[] = "Subject: a\0b\r\nTo: x\r\n\r\n";
	CHECK_INT(mx_rfc5322_split(c, sizeof c - 1, &h), 0);
	CHECK_INT(h.nfields, 2);
	CHECK(h.fields[0].flags & MX_FIELD_F_NUL);
	CHECK_INT(h.fields[0].value.len, 4);
	mx_header_finish(&h);
	/* leading whitespace on the first line (Composition Kills A7a) */
	static const char d[] = " From: a@attack.example\r\nFrom: b@legit.example\r\n\r\n";
	CHECK_INT(mx_rfc5322_split(d, sizeof d - 1, &h), 0);
	CHECK(h.flags & MX_HDR_F_LEADING_WSP);
	CHECK_INT(h.nfields, 1);
	mx_header_finish(&h);
	/* empty input */
	CHECK_INT(mx_rfc5322_split("", 0, &h), 0);
	CHECK_INT(h.nfields, 0);
	mx_header_finish(&h);
	/* a line over 998 characters */
	size_t n = 3000;
	char *big = malloc(n + 16);
	memcpy(big, "X-Long: ", 8);
	memset(big + 8, 'a', n);
	memcpy(big + 8 + n, "\r\n\r\n", 4);
	CHECK_INT(mx_rfc5322_split(big, n + 12, &h), 0);
	CHECK(h.fields[0].flags & MX_FIELD_F_LONG_LINE);
	mx_header_finish(&h);
	free(big);
}

static void
test_limit(void)
{
	/* one field over the limit is dropped, counted and flagged */
	size_t nf = MX_MAX_HEADER_FIELDS + 1;
	char *m = malloc(nf * 8 + 3);
	size_t len = 0;
	for (size_t i = 0; i < nf; i++) {
		memcpy(m + len, "X-A: b\r\n", 8);
		len += 8;
	}
	memcpy(m + len, "\r\n", 2);
	len += 2;
	struct mx_header h;
	CHECK_INT(mx_rfc5322_split(m, len, &h), 0);
	CHECK_INT(h.nfields, MX_MAX_HEADER_FIELDS);
	CHECK_INT(h.dropped, 1);
	CHECK(h.flags & MX_HDR_F_TRUNCATED);
	mx_header_finish(&h);
	/* exactly at the limit: nothing flagged */
	CHECK_INT(mx_rfc5322_split(m + 8, len - 8, &h), 0);
	CHECK_INT(h.nfields, MX_MAX_HEADER_FIELDS);
	CHECK(!(h.flags & MX_HDR_F_TRUNCATED));
	mx_header_finish(&h);
	free(m);
}

int
main(void)
{
	test_basic();
	test_two_from();
	test_broken();
	test_limit();
	CHECK(mx_rfc5322_valid_name("DKIM-Signature", 14));
	CHECK(!mx_rfc5322_valid_name("Bad Name", 8));
	CHECK(!mx_rfc5322_valid_name("", 0));
	return unit_done("rfc5322");
}
