/*
 * fuzz_datetime.c - mx_datetime_parse and _parse_prefix on arbitrary bytes.
 * Invariants: a successful parse lies in 1900..9999 (give or take the zone),
 * millis in 0..999, zone within +-99:59, prefix length within the input,
 * and the ISO 8601 text round-trips to 20 characters.  UBSan catches any
 * signed overflow on the way.
 */
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "fuzz.h"

/* 1900-01-01T00:00:00Z minus the widest zone, 9999-12-31T23:59:60Z plus it. */
#define MIN_UTC (-2208988800LL - (99 * 60 + 59) * 60)
#define MAX_UTC (253402300800LL + (99 * 60 + 59) * 60)

static void
check(const struct mx_datetime *d)
{
	if (d->utc < MIN_UTC || d->utc > MAX_UTC)
		abort();
	if (d->millis < 0 || d->millis > 999)
		abort();
	if (d->tz_offset_min < -(99 * 60 + 59) || d->tz_offset_min > 99 * 60 + 59)
		abort();
	char iso[MX_ISO8601_LEN];
	if (strlen(mx_datetime_iso8601(d->utc, iso)) != 20)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	struct mx_datetime d;
	size_t used;
	if (mx_datetime_parse(buf, size, &d) == 0)
		check(&d);
	if (mx_datetime_parse_prefix(buf, size, &d, &used) == 0) {
		check(&d);
		if (used > size)
			abort();
	}
	int64_t t;
	memcpy(&t, size >= sizeof t ? buf : "\0\0\0\0\0\0\0\0", sizeof t);
	char iso[MX_ISO8601_LEN];
	if (strlen(mx_datetime_iso8601(t, iso)) != 20)
		abort();
	free(buf);
	return 0;
}
