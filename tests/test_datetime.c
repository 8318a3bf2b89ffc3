/*
 * test_datetime.c - unit table for parsers/datetime.c: RFC 5322 §3.3 and
 * §4.3 forms, the non-RFC forms MTAs write, then broken inputs apart.
 */
#include <stdint.h>
#include <string.h>

#include "datetime.h"
#include "unit.h"

struct dcase {
	const char *in;
	int64_t utc;
	int millis;
	int tz;
	unsigned flags;		/* exact flags expected */
};

static const struct dcase valid[] = {
	/* RFC 5322 §3.3 */
	{ "Fri, 21 Nov 1997 09:55:06 -0600", 880127706, 0, -360, 0 },
	{ "Tue, 1 Jul 2003 10:52:37 +0200", 1057049557, 0, 120, 0 },
	{ "Thu, 13 Feb 1969 23:32:54 -0330", -27723426, 0, -210, 0 },
	{ "21 Nov 1997 09:55:06 -0600", 880127706, 0, -360, 0 },
	{ "Fri, 21 Nov 1997 09:55 -0600", 880127700, 0, -360, 0 },
	{ "  Fri, 21 Nov 1997 09:55:06 -0600 (CST)  ", 880127706, 0, -360, 0 },
	{ "Sat, 21 Apr 2018 03:01:01 +0000", 1524279661, 0, 0, 0 },
	{ "Sat, 31 Dec 2016 23:59:60 +0000", 1483228800, 0, 0, 0 },	/* leap second */
	{ "Mon, 1 Jan 1900 00:00:00 +0000", -2208988800LL, 0, 0, 0 },
	{ "Fri, 31 Dec 9999 23:59:59 +0000", 253402300799LL, 0, 0, 0 },
	{ "Thu, 29 Feb 2024 12:00:00 +9959", 1709208000LL - (99 * 60 + 59) * 60, 0, 99 * 60 + 59, 0 },
	{ "Thu, 29 Feb 2024 12:00:00 -9959", 1709208000LL + (99 * 60 + 59) * 60, 0, -(99 * 60 + 59), 0 },
	/* RFC 5322 §4.3 obsolete forms */
	{ "Fri, 21 Nov 97 09:55:06 GMT", 880106106, 0, 0, MX_DT_TWO_DIGIT_YEAR | MX_DT_OBS_ZONE },
	{ "8 Mar 04 12:23:56 -0000", 1078748636, 0, 0, MX_DT_TWO_DIGIT_YEAR },
	{ "Fri, 21 Nov 1997 09:55:06 PST", 880134906, 0, -480, MX_DT_OBS_ZONE },
	{ "Fri, 21 Nov 1997 09:55:06 EDT", 880120506, 0, -240, MX_DT_OBS_ZONE },
	{ "Fri, 21 Nov 1997 09:55:06 UT", 880106106, 0, 0, MX_DT_OBS_ZONE },
	{ "Fri, 21 Nov 1997 09:55:06 Z", 880106106, 0, 0, MX_DT_OBS_ZONE },	/* military = -0000 */
	{ "Fri, 21 Nov 103 09:55:06 +0000", 1069408506, 0, 0, MX_DT_TWO_DIGIT_YEAR },
	/* What MTAs write (MHA samples, SendGrid, asctime) */
	{ "Saturday, 21 Apr 2018 03:01:02 +0000", 1524279662, 0, 0, MX_DT_NONSTANDARD },
	{ "Apr 21 2018 03:01:04 +0000", 1524279664, 0, 0, MX_DT_NONSTANDARD },
	{ "Apr 21 2018 3:01:05 +0000", 1524279665, 0, 0, MX_DT_NONSTANDARD },
	{ "4/20/2018 23:01:06 -0400 (EDT)", 1524279666, 0, -240, MX_DT_NONSTANDARD },
	{ "4/20/2018 11:01:16 PM -0400 (EDT)", 1524279676, 0, -240, MX_DT_NONSTANDARD },
	{ "4/20/2018 11:01:36 PM", 1524265296, 0, 0, MX_DT_NONSTANDARD | MX_DT_NO_ZONE },
	{ "4-20-2018 11:01:07 PM", 1524265267, 0, 0, MX_DT_NONSTANDARD | MX_DT_NO_ZONE },
	{ "2018-4-20 11:01:08 PM", 1524265268, 0, 0, MX_DT_NONSTANDARD | MX_DT_NO_ZONE },
	{ "Mon, 26 Mar 2018 13:35:10.102 +0000 (UTC)", 1522071310, 102, 0, MX_DT_NONSTANDARD },
	{ "Mon, 26 Mar 2018 13:35:11.102 +0000 UTC", 1522071311, 102, 0, MX_DT_NONSTANDARD },
	{ "2018-04-22 02:54:17.028704749 +0000 UTC", 1524365657, 28, 0, MX_DT_NONSTANDARD },
	{ "2018-04-22T02:54:17+00:00", 1524365657, 0, 0, MX_DT_NONSTANDARD },
	{ "Sun Nov 13 14:50:12 2005", 1131893412, 0, 0, MX_DT_NONSTANDARD | MX_DT_NO_ZONE },
	{ "Thu, 6 May 2004 17:40:44-0500", 1083883244, 0, -300, 0 },
	{ "22 Apr 2018", 1524355200, 0, 0, MX_DT_NO_TIME | MX_DT_NONSTANDARD | MX_DT_NO_ZONE },
	{ "Tue, 22 Apr 2018 02:54:19 +0000", 1524365659, 0, 0, MX_DT_BAD_WEEKDAY },
	{ "Fri, 21 Nov 1997 09:55:06", 880106106, 0, 0, MX_DT_NO_ZONE },
};

static const char *const broken[] = {
	"",
	"   ",
	"(comment only)",
	"hello world",
	"Fri, 32 Nov 1997 09:55:06 -0600",	/* day */
	"Fri, 0 Nov 1997 09:55:06 -0600",
	"Sat, 29 Feb 2023 09:55:06 -0600",	/* not a leap year */
	"Fri, 21 Foo 1997 09:55:06 -0600",	/* month */
	"Fri, 21 Nov 1899 09:55:06 -0600",	/* year below 1900 */
	"Fri, 21 Nov 10000 09:55:06 -0600",
	"Fri, 21 Nov 1997 24:00:00 -0600",	/* hour */
	"Fri, 21 Nov 1997 09:60:00 -0600",	/* minute */
	"Fri, 21 Nov 1997 09:55:61 -0600",	/* second */
	"Fri, 21 Nov 1997 09:55:06 -0660",	/* zone minutes */
	"Fri, 21 Nov 1997 09:55:06 +12345",
	"Fri, 21 Nov 1997 9:5:6 -0600",
	"Fri, 99999999999999999999 Nov 1997 09:55:06 -0600",
	"Fri, 21 Nov 99999999999999999999 09:55:06 -0600",
	"Fri, 21 Nov 1997 99999999999999999999:55:06 -0600",
	"Fri, 21 Nov 1997 09:55:06.",
	"4/40/2018 23:01:06",
	"13/20/2018 23:01:06",
	"2018-13-01 00:00:00",
	"4/20/2018 13:01:16 PM",
	"Fri,",
	"Fri, 21",
	"Fri, 21 Nov",
	"((((((((((((((((((((((((((((((((((((((Fri, 21 Nov 1997 09:55:06 -0600",
};

static void
check_iso(void)
{
	char buf[MX_ISO8601_LEN];
	CHECK_STR(mx_datetime_iso8601(0, buf), "1970-01-01T00:00:00Z");
	CHECK_STR(mx_datetime_iso8601(1524365657, buf), "2018-04-22T02:54:17Z");
	CHECK_STR(mx_datetime_iso8601(-2208988800LL, buf), "1900-01-01T00:00:00Z");
	CHECK_STR(mx_datetime_iso8601(-1, buf), "1969-12-31T23:59:59Z");
	CHECK_STR(mx_datetime_iso8601(253402300799LL, buf), "9999-12-31T23:59:59Z");
	CHECK_STR(mx_datetime_iso8601(INT64_MAX, buf), "0000-00-00T00:00:00Z");
	CHECK_STR(mx_datetime_iso8601(INT64_MIN, buf), "0000-00-00T00:00:00Z");
}

static void
check_prefix(void)
{
	struct mx_datetime d;
	size_t used;
	const char *s = "Thu, 10 Nov 2005 08:24:21 -0600 id 000000DB";
	CHECK_INT(mx_datetime_parse_prefix(s, strlen(s), &d, &used), 0);
	CHECK_INT(used, strlen("Thu, 10 Nov 2005 08:24:21 -0600"));
	CHECK_INT(d.flags, 0);
	CHECK_INT(mx_datetime_parse(s, strlen(s), &d), 0);
	CHECK(d.flags & MX_DT_TRAILING);
	/* not NUL-terminated: the parser must stop at len */
	char nn[31];
	memcpy(nn, "Fri, 21 Nov 1997 09:55:06 -0600", 31);
	CHECK_INT(mx_datetime_parse(nn, sizeof nn, &d), 0);
	CHECK_INT(d.utc, 880127706);
	CHECK_INT(mx_datetime_parse(nn, 20, &d), -1);	/* "Fri, 21 Nov 1997 09:" cut in the time */
	CHECK_INT(mx_datetime_parse(nn, 16, &d), 0);	/* "Fri, 21 Nov 1997" -> date only */
	CHECK(d.flags & MX_DT_NO_TIME);
	CHECK_INT(mx_datetime_parse(NULL, 0, &d), -1);
}

int
main(void)
{
	struct mx_datetime d;
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		const struct dcase *c = &valid[i];
		int rc = mx_datetime_parse(c->in, strlen(c->in), &d);
		CHECK_INT(rc, 0);
		if (rc != 0) {
			fprintf(stderr, "  valid[%zu] %s\n", i, c->in);
			continue;
		}
		CHECK_INT(d.utc, c->utc);
		CHECK_INT(d.millis, c->millis);
		CHECK_INT(d.tz_offset_min, c->tz);
		CHECK_INT(d.flags, c->flags);
		if (d.utc != c->utc || d.flags != c->flags)
			fprintf(stderr, "  valid[%zu] %s\n", i, c->in);
	}
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		int rc = mx_datetime_parse(broken[i], strlen(broken[i]), &d);
		CHECK_INT(rc, -1);
		if (rc != -1)
			fprintf(stderr, "  broken[%zu] %s\n", i, broken[i]);
		else
			CHECK_INT(d.utc, 0);
	}
	check_iso();
	check_prefix();
	return unit_done("datetime");
}
