/*
 * datetime.h - RFC 5322 §3.3 date-time, plus the forms real MTAs write.
 *
 * Accepted: RFC 5322 date-time with or without day-of-week, obsolete zone
 * names (RFC 5322 §4.3: UT, GMT, EST, EDT, CST, CDT, MST, MDT, PST, PDT,
 * military letters), two- and four-digit years, fractional seconds
 * ("02:54:16.987"), a trailing "(UTC)" comment, and the non-RFC forms in
 * ../shared/conformance/received-mha (ISO-like "2018-04-22 02:54:17.028 +0000
 * UTC", "4/20/2018 23:01:06 -0400", "2018-4-20 11:01:08 PM"), each of which
 * sets MX_DT_NONSTANDARD.  A date without a zone is taken as UTC and sets
 * MX_DT_NO_ZONE.  Never reads past len; never overflows on huge numbers.
 */
#ifndef MX_DATETIME_H
#define MX_DATETIME_H

#include <stddef.h>
#include <stdint.h>

enum {
	MX_DT_NONSTANDARD = 1 << 0,	/* not RFC 5322 syntax, parsed leniently */
	MX_DT_NO_ZONE     = 1 << 1,	/* no zone given: assumed UTC */
	MX_DT_OBS_ZONE    = 1 << 2,	/* obsolete zone name (RFC 5322 §4.3) */
	MX_DT_BAD_WEEKDAY = 1 << 3,	/* day-of-week does not match the date */
	MX_DT_TWO_DIGIT_YEAR = 1 << 4,	/* obs-year, expanded per RFC 5322 §4.3 */
	MX_DT_NO_TIME     = 1 << 5,	/* date without time-of-day: 00:00:00 assumed */
	MX_DT_TRAILING    = 1 << 6,	/* text after the date-time that is not CFWS */
};

struct mx_datetime {
	int64_t utc;		/* seconds since the epoch, UTC */
	int millis;		/* fractional part in milliseconds, 0 when absent */
	int tz_offset_min;	/* the zone written in the text, minutes east of UTC */
	unsigned flags;		/* MX_DT_* */
};

/*
 * Parse the date-time in buf[0..len).  Leading and trailing whitespace and
 * comments are skipped.  Returns 0 and fills *out on success, -1 when no
 * date can be read (out is then zeroed).
 */
int mx_datetime_parse(const char *buf, size_t len, struct mx_datetime *out);

/*
 * Like mx_datetime_parse(), but stops after the date-time (its zone, and a
 * trailing zone comment or "UTC" word) and stores in *used how many bytes
 * of buf it consumed.  Text after that is left to the caller and does not
 * set MX_DT_TRAILING.  Used by the Received parser, where clauses or an
 * "(envelope-from <x>)" comment may follow the date.
 */
int mx_datetime_parse_prefix(const char *buf, size_t len, struct mx_datetime *out,
    size_t *used);

/*
 * Format utc as ISO 8601 UTC ("2024-05-01T12:00:00Z") into dst (at least
 * MX_ISO8601_LEN bytes).  Returns dst.
 */
#define MX_ISO8601_LEN 32
char *mx_datetime_iso8601(int64_t utc, char *dst);

#endif
