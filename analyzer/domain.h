/*
 * domain.h - host names and addresses: organizational domains from the
 * Public Suffix List (libpsl; RFC 7489 §3.2), sub-domain tests, private
 * address ranges.  The only file that includes libpsl.
 */
#ifndef MX_DOMAIN_H
#define MX_DOMAIN_H

#include <stddef.h>

#define MX_DOMAIN_MAX 256	/* RFC 1035: 255 octets plus NUL */

/*
 * Write the organizational (registrable) domain of host, lower-cased, into
 * dst.  For an IP address, a single label or a public suffix the host itself
 * (lower-cased) is written.  Returns dst.
 */
char *mx_org_domain(const char *host, char *dst, size_t dstlen);

/*
 * The registrable domain of host (RFC 7489 §3.2 organizational domain) into
 * dst; returns 0 and writes "" when host is itself a public suffix or has
 * no registrable domain.
 */
int mx_registrable_domain(const char *host, char *dst, size_t dstlen);

/* Use this Public Suffix List file (--psl) instead of the system one.  0, or -1 when unreadable. */
int mx_psl_load(const char *path);

/* 1 when host equals domain or is below it; case-insensitive, trailing dots ignored. */
int mx_domain_within(const char *host, const char *domain);

/* 1 when ip (text) is an address of RFC 1918, loopback, link-local, CGNAT, ULA. */
int mx_ip_is_private(const char *ip);

/* 1 when s is a textual IPv4 or IPv6 address. */
int mx_is_ip(const char *s);

/* Which Public Suffix List is in use: "system list <path>" or "libpsl built-in". */
const char *mx_psl_source(void);

#endif
