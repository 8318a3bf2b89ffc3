/*
 * datetime.c - RFC 5322 §3.3 date-time, its obsolete forms (§4.3) and the
 * non-RFC forms MTAs write in Received fields (see datetime.h).
 *
 * The grammar is read with a bounded cursor: nothing here reads past len or
 * depends on a NUL, numbers are read with a digit cap so they cannot
 * overflow, and every field is range-checked before any arithmetic.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "datetime.h"

/* More digits than this in one numeric field is not a date (and could overflow). */
#define DT_MAX_DIGITS 9
/* Comments around a date nest; deeper than this is hostile (same cap as Received). */
#define DT_MAX_COMMENT_DEPTH 32
/* RFC 5322 §3.3 says years >= 1900; four digits cap the top. */
#define DT_MIN_YEAR 1900
#define DT_MAX_YEAR 9999

struct cur {
	const char *p;
	size_t len;
	size_t off;
};

static int
at_end(const struct cur *c)
{
	return c->off >= c->len;
}

static int
peek(const struct cur *c)
{
	return at_end(c) ? -1 : (unsigned char)c->p[c->off];
}

/* RFC 5322 §3.2.2: FWS, unfolded or not. */
static void
skip_wsp(struct cur *c)
{
	while (!at_end(c)) {
		int ch = peek(c);
		if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n')
			break;
		c->off++;
	}
}

/*
 * RFC 5322 §3.2.2: comment = "(" *([FWS] ccontent) [FWS] ")", ccontent
 * includes quoted-pair and nested comments.  Returns 0 when a comment was
 * skipped, -1 (cursor unchanged) when none starts here or it is unbalanced.
 */
static int
skip_comment(struct cur *c)
{
	if (peek(c) != '(')
		return -1;
	size_t i = c->off;
	int depth = 0;
	while (i < c->len) {
		char ch = c->p[i++];
		if (ch == '\\' && i < c->len)
			i++;
		else if (ch == '(') {
			if (++depth > DT_MAX_COMMENT_DEPTH)
				return -1;
		} else if (ch == ')' && --depth == 0) {
			c->off = i;
			return 0;
		}
	}
	return -1;
}

/* RFC 5322 §3.2.2: CFWS. */
static void
skip_cfws(struct cur *c)
{
	for (;;) {
		skip_wsp(c);
		if (skip_comment(c) != 0)
			return;
	}
}

/* 1*DIGIT, at most DT_MAX_DIGITS of them.  Returns the digit count, 0 if none, -1 if too many. */
static int
read_num(struct cur *c, int *val)
{
	int n = 0;
	int v = 0;
	while (is_digit(peek(c))) {
		if (n == DT_MAX_DIGITS)
			return -1;
		v = v * 10 + (peek(c) - '0');
		n++;
		c->off++;
	}
	*val = v;
	return n;
}

/* An alphabetic word; returns its length (0 if none). */
static size_t
read_alpha(struct cur *c, const char **w)
{
	*w = c->p + c->off;
	size_t n = 0;
	while (is_alpha(peek(c))) {
		c->off++;
		n++;
	}
	return n;
}

static const char *const month_names[12] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};

static const char *const day_names[7] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

/*
 * RFC 5322 §3.3 day-name / month-name are the three-letter forms; full
 * English names are accepted and reported through *full.  Returns the
 * index in names, or -1.
 */
static int
match_name(const char *w, size_t n, const char *const *names, int count, int *full)
{
	for (int i = 0; i < count; i++) {
		size_t ln = strlen(names[i]);
		if (n == 3 && strncasecmp(w, names[i], 3) == 0) {
			*full = 0;
			return i;
		}
		if (n == ln && strncasecmp(w, names[i], n) == 0) {
			*full = 1;
			return i;
		}
	}
	return -1;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

struct fields {
	int year, month, day;
	int hour, min, sec, millis;
	int weekday;		/* 0..6 or -1 when not given */
	int zone_min;		/* minutes east of UTC */
	unsigned flags;
};

/* RFC 5322 §4.3 obs-year: 2 digits -> +1900 or +2000, 3 digits -> +1900. */
static int
expand_year(int y, int ndigits, unsigned *flags)
{
	if (ndigits == 2) {
		*flags |= MX_DT_TWO_DIGIT_YEAR;
		return y < 50 ? y + 2000 : y + 1900;
	}
	if (ndigits == 3) {
		*flags |= MX_DT_TWO_DIGIT_YEAR;
		return y + 1900;
	}
	return ndigits == 4 ? y : -1;
}

/*
 * RFC 5322 §3.3: time-of-day = hour ":" minute [ ":" second ], plus the
 * lenient one-digit hour, fractional seconds and AM/PM.  Returns 0 when a
 * time was read, 1 when none starts here (cursor unchanged), -1 on a broken one.
 */
static int
read_time(struct cur *c, struct fields *f)
{
	struct cur save = *c;
	int n = read_num(c, &f->hour);
	if (n == 0)
		return 1;
	if (n < 0 || n > 2 || peek(c) != ':') {
		*c = save;
		return n < 0 ? -1 : 1;
	}
	if (n == 1)
		f->flags |= MX_DT_NONSTANDARD;
	c->off++;
	if (read_num(c, &f->min) != 2)
		return -1;
	f->sec = 0;
	if (peek(c) == ':') {
		c->off++;
		if (read_num(c, &f->sec) != 2)
			return -1;
		if (peek(c) == '.' || peek(c) == ',') {
			/* Fractional seconds are not RFC 5322; keep milliseconds, truncated. */
			c->off++;
			int k = 0, ms = 0;
			if (!is_digit(peek(c)))
				return -1;
			while (is_digit(peek(c))) {
				if (k < 3) {
					ms = ms * 10 + (peek(c) - '0');
					k++;
				}
				c->off++;
			}
			while (k++ < 3)
				ms *= 10;
			f->millis = ms;
			f->flags |= MX_DT_NONSTANDARD;
		}
	}
	/* "11:01:08 PM": 12-hour clock, as MHA's samples show. */
	struct cur ampm = *c;
	skip_wsp(&ampm);
	const char *w;
	size_t wn = read_alpha(&ampm, &w);
	if (wn == 2 && (strncasecmp(w, "AM", 2) == 0 || strncasecmp(w, "PM", 2) == 0)) {
		if (f->hour < 1 || f->hour > 12)
			return -1;
		if (f->hour == 12)
			f->hour = 0;
		if (w[0] == 'P' || w[0] == 'p')
			f->hour += 12;
		f->flags |= MX_DT_NONSTANDARD;
		*c = ampm;
	}
	return 0;
}

/* RFC 5322 §4.3 obs-zone names and their offsets in hours. */
static const struct {
	const char *name;
	int hours;
} obs_zones[] = {
	{ "UT", 0 }, { "GMT", 0 }, { "EST", -5 }, { "EDT", -4 }, { "CST", -6 },
	{ "CDT", -5 }, { "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
};

/*
 * RFC 5322 §3.3: zone = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone.  Also "UTC",
 * "+hh:mm" and no zone at all (taken as UTC, flagged).
 */
static int
read_zone(struct cur *c, struct fields *f)
{
	struct cur save = *c;
	skip_cfws(c);
	int ch = peek(c);
	if (ch == '+' || ch == '-') {
		c->off++;
		int v, n = read_num(c, &v);
		int hh, mm;
		if (n == 4) {
			hh = v / 100;
			mm = v % 100;
		} else if (n == 2 && peek(c) == ':') {
			hh = v;
			c->off++;
			if (read_num(c, &mm) != 2)
				return -1;
			f->flags |= MX_DT_NONSTANDARD;
		} else
			return -1;
		if (mm > 59)
			return -1;
		f->zone_min = (hh * 60 + mm) * (ch == '-' ? -1 : 1);
		/* SendGrid: "+0000 UTC"; keep the redundant name out of the caller's way. */
		struct cur tail = *c;
		skip_wsp(&tail);
		const char *w;
		size_t wn = read_alpha(&tail, &w);
		if ((wn == 3 && strncasecmp(w, "UTC", 3) == 0) ||
		    (wn == 3 && strncasecmp(w, "GMT", 3) == 0)) {
			*c = tail;
			f->flags |= MX_DT_NONSTANDARD;
		}
		return 0;
	}
	const char *w;
	size_t wn = read_alpha(c, &w);
	if (wn > 0) {
		for (size_t i = 0; i < sizeof obs_zones / sizeof obs_zones[0]; i++) {
			if (wn == strlen(obs_zones[i].name) &&
			    strncasecmp(w, obs_zones[i].name, wn) == 0) {
				f->zone_min = obs_zones[i].hours * 60;
				f->flags |= MX_DT_OBS_ZONE;
				return 0;
			}
		}
		if (wn == 3 && strncasecmp(w, "UTC", 3) == 0) {
			f->zone_min = 0;
			f->flags |= MX_DT_NONSTANDARD;
			return 0;
		}
		/* RFC 5322 §4.3: military zones were defined wrongly; treat as -0000. */
		if (wn == 1 && w[0] != 'j' && w[0] != 'J') {
			f->zone_min = 0;
			f->flags |= MX_DT_OBS_ZONE;
			return 0;
		}
	}
	*c = save;
	f->zone_min = 0;
	f->flags |= MX_DT_NO_ZONE;
	return 0;
}

/* The numeric date forms: "2018-04-22", "2018-4-20", "4/20/2018", "4-20-2018". */
static int
read_numeric_date(struct cur *c, struct fields *f, int n1, int d1)
{
	int sep = peek(c);
	c->off++;
	int n2, d2, n3, d3;
	if ((d2 = read_num(c, &n2)) < 1 || d2 > 2 || peek(c) != sep)
		return -1;
	c->off++;
	if ((d3 = read_num(c, &n3)) < 1)
		return -1;
	if (d1 == 4) {			/* ISO 8601 order */
		if (d3 > 2)
			return -1;
		f->year = n1;
		f->month = n2;
		f->day = n3;
	} else if (d1 <= 2) {		/* US order: month/day/year */
		f->month = n1;
		f->day = n2;
		if ((f->year = expand_year(n3, d3, &f->flags)) < 0)
			return -1;
	} else
		return -1;
	f->flags |= MX_DT_NONSTANDARD;
	/* ISO 8601 puts a "T" between date and time. */
	if (peek(c) == 'T' || peek(c) == 't')
		c->off++;
	return 0;
}

static int
read_month(struct cur *c, struct fields *f)
{
	const char *w;
	size_t wn = read_alpha(c, &w);
	int full;
	int m = match_name(w, wn, month_names, 12, &full);
	if (m < 0)
		return -1;
	if (full)
		f->flags |= MX_DT_NONSTANDARD;
	f->month = m + 1;
	return 0;
}

static int
read_year(struct cur *c, struct fields *f)
{
	int y, n = read_num(c, &y);
	if (n < 2)
		return -1;
	return (f->year = expand_year(y, n, &f->flags)) < 0 ? -1 : 0;
}

/*
 * The date and time parts.  RFC 5322 §3.3:
 *   date-time = [ day-of-week "," ] date time [CFWS]
 *   date      = day month year
 * plus month-first ("Apr 21 2018 03:01:04"), asctime ("Sun Nov 13 14:50:12
 * 2005") and the numeric forms.  Returns 0 or -1.
 */
static int
read_date_time(struct cur *c, struct fields *f)
{
	skip_cfws(c);
	const char *w;
	size_t wn = read_alpha(c, &w);
	int full, month_first = 0;
	f->weekday = -1;
	if (wn > 0) {
		int d = match_name(w, wn, day_names, 7, &full);
		if (d >= 0) {
			f->weekday = d;
			if (full)
				f->flags |= MX_DT_NONSTANDARD;
			skip_cfws(c);
			if (peek(c) == ',')
				c->off++;
			else
				f->flags |= MX_DT_NONSTANDARD;
			skip_cfws(c);
		} else {
			c->off -= wn;
			if (read_month(c, f) != 0)
				return -1;
			month_first = 1;
		}
	}
	if (!month_first && is_alpha(peek(c))) {
		if (read_month(c, f) != 0)
			return -1;
		month_first = 1;
	}
	int v, n, rc;
	if (month_first) {
		/* "Apr 21 2018 03:01:04" or asctime "Nov 13 14:50:12 2005" */
		f->flags |= MX_DT_NONSTANDARD;
		skip_cfws(c);
		if ((n = read_num(c, &f->day)) < 1 || n > 2)
			return -1;
		skip_cfws(c);
		if (peek(c) == ',')
			c->off++;
		skip_cfws(c);
		struct cur probe = *c;
		if (read_num(&probe, &v) > 0 && peek(&probe) == ':') {
			if ((rc = read_time(c, f)) != 0)
				return -1;
			if (read_zone(c, f) != 0)
				return -1;
			skip_cfws(c);
			if (read_year(c, f) != 0)
				return -1;
			if (f->flags & MX_DT_NO_ZONE) {	/* "14:50:12 2005 +0100" */
				f->flags &= ~(unsigned)MX_DT_NO_ZONE;
				return read_zone(c, f);
			}
			return 0;
		}
		if (read_year(c, f) != 0)
			return -1;
	} else {
		if ((n = read_num(c, &v)) < 1)
			return -1;
		if (peek(c) == '-' || peek(c) == '/') {
			if (read_numeric_date(c, f, v, n) != 0)
				return -1;
		} else {
			if (n > 2)
				return -1;
			f->day = v;
			skip_cfws(c);
			if (peek(c) == '-')	/* RFC 822 era "8-Mar-04" */
				c->off++;
			if (read_month(c, f) != 0)
				return -1;
			skip_cfws(c);
			if (peek(c) == '-')
				c->off++;
			if (read_year(c, f) != 0)
				return -1;
		}
	}
	skip_cfws(c);
	if (peek(c) == ',')		/* "Apr 21, 2018, 03:01" */
		c->off++;
	skip_cfws(c);
	rc = read_time(c, f);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		f->hour = f->min = f->sec = 0;
		f->flags |= MX_DT_NO_TIME | MX_DT_NONSTANDARD | MX_DT_NO_ZONE;
		return 0;
	}
	return read_zone(c, f);
}

static int
check_fields(const struct fields *f)
{
	if (f->year < DT_MIN_YEAR || f->year > DT_MAX_YEAR)
		return -1;
	if (f->month < 1 || f->month > 12)
		return -1;
	if (f->day < 1 || f->day > days_in_month(f->year, f->month))
		return -1;
	if (f->hour < 0 || f->hour > 23 || f->min < 0 || f->min > 59 ||
	    f->sec < 0 || f->sec > 60)	/* 60: leap second, RFC 5322 §3.3 */
		return -1;
	return 0;
}

int
mx_datetime_parse_prefix(const char *buf, size_t len, struct mx_datetime *out, size_t *used)
{
	memset(out, 0, sizeof *out);
	if (used != NULL)
		*used = 0;
	if (buf == NULL)
		return -1;
	struct cur c = { buf, len, 0 };
	struct fields f;
	memset(&f, 0, sizeof f);
	if (read_date_time(&c, &f) != 0 || check_fields(&f) != 0)
		return -1;
	int64_t days = days_from_civil(f.year, f.month, f.day);
	if (f.weekday >= 0) {
		int wd = (int)(((days % 7) + 7 + 4) % 7);	/* 1970-01-01 was a Thursday */
		if (wd != f.weekday)
			f.flags |= MX_DT_BAD_WEEKDAY;
	}
	out->utc = days * 86400 + f.hour * 3600 + f.min * 60 + f.sec -
	    (int64_t)f.zone_min * 60;
	out->millis = f.millis;
	out->tz_offset_min = f.zone_min;
	out->flags = f.flags;
	if (used != NULL)
		*used = c.off;
	return 0;
}

int
mx_datetime_parse(const char *buf, size_t len, struct mx_datetime *out)
{
	size_t used;
	if (mx_datetime_parse_prefix(buf, len, out, &used) != 0)
		return -1;
	struct cur c = { buf, len, used };
	skip_cfws(&c);
	if (!at_end(&c))
		out->flags |= MX_DT_TRAILING | MX_DT_NONSTANDARD;
	return 0;
}

char *
mx_datetime_iso8601(int64_t utc, char *dst)
{
	int64_t days = utc / 86400, secs = utc % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	/* Outside four-digit years the format cannot be ISO 8601 basic; clamp the text. */
	if (y < 0 || y > 9999) {
		memcpy(dst, "0000-00-00T00:00:00Z", 21);
		return dst;
	}
	int hh = (int)(secs / 3600), mi = (int)(secs / 60 % 60), ss = (int)(secs % 60);
	char *p = dst;
	int yy = (int)y;
	*p++ = (char)('0' + yy / 1000);
	*p++ = (char)('0' + yy / 100 % 10);
	*p++ = (char)('0' + yy / 10 % 10);
	*p++ = (char)('0' + yy % 10);
	*p++ = '-';
	*p++ = (char)('0' + m / 10);
	*p++ = (char)('0' + m % 10);
	*p++ = '-';
	*p++ = (char)('0' + d / 10);
	*p++ = (char)('0' + d % 10);
	*p++ = 'T';
	*p++ = (char)('0' + hh / 10);
	*p++ = (char)('0' + hh % 10);
	*p++ = ':';
	*p++ = (char)('0' + mi / 10);
	*p++ = (char)('0' + mi % 10);
	*p++ = ':';
	*p++ = (char)('0' + ss / 10);
	*p++ = (char)('0' + ss % 10);
	*p++ = 'Z';
	*p = '\0';
	return dst;
}
