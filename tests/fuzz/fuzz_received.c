/*
 * fuzz_received.c - mx_received_parse on arbitrary bytes.  Invariants: it
 * returns 0 or -1 (out of memory), every string is non-NULL and
 * NUL-terminated within its own allocation, enums hold legal values, the
 * IP is a NUL-terminated string inside from_ip, and finish is idempotent.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "received.h"

static void
check_str(const char *s)
{
	if (s == NULL)
		abort();
	(void)strlen(s);	/* ASan catches an unterminated string */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mx_received r;
	/* A private copy of exactly size bytes: ASan sees any read past the end. */
	char *buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	int rc = mx_received_parse(buf, size, &r);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == 0) {
		const char *s[] = { r.helo, r.rdns, r.ident, r.by_host, r.via, r.protocol, r.id,
		    r.for_addr, r.envelope_from, r.from_text, r.by_text, r.with_text,
		    r.tls_version, r.tls_cipher, r.tls_evidence };
		for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
			check_str(s[i]);
		if (memchr(r.from_ip, '\0', sizeof r.from_ip) == NULL)
			abort();
		if (r.kind != MX_RCVD_RELAY && r.kind != MX_RCVD_LOCAL && r.kind != MX_RCVD_UNPARSED)
			abort();
		if (r.tls != MX_TLS_UNKNOWN && r.tls != MX_TLS_NO && r.tls != MX_TLS_YES)
			abort();
		/* TLS is never YES without evidence. */
		if (r.tls == MX_TLS_YES && r.tls_evidence[0] == '\0')
			abort();
		if (r.has_date && (r.date.millis < 0 || r.date.millis > 999))
			abort();
		if (!r.has_date && !(r.flags & MX_RCVD_F_NO_DATE))
			abort();
		if (size > MX_RECEIVED_MAX_LEN && !(r.flags & MX_RCVD_F_TRUNCATED))
			abort();
	}
	mx_received_finish(&r);
	mx_received_finish(&r);
	free(buf);
	return 0;
}
