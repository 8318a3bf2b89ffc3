/*
 * domain.c - the libpsl adapter and small host/address tests.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "domain.h"

#ifndef PSL_DIST_FILE
#define PSL_DIST_FILE "/usr/share/publicsuffix/public_suffix_list.dafsa"
#endif

static const psl_ctx_t *psl;
static psl_ctx_t *psl_dyn;	/* the loaded (not built-in) list, freed when replaced */
static void lower_copy(const char *src, char *dst, size_t dstlen);
static const char *psl_from = "none";
static pthread_once_t psl_once = PTHREAD_ONCE_INIT;

static void
psl_load(void)
{
	/* Debian's publicsuffix package, then libpsl's compiled-in copy */
	psl = psl_dyn = psl_latest(NULL);
	psl_from = "system Public Suffix List (" PSL_DIST_FILE ")";
	if (psl == NULL) {
		psl = psl_builtin();
		psl_from = "libpsl built-in Public Suffix List";
	}
}

int
mx_psl_load(const char *path)
{
	psl_ctx_t *p = psl_load_file(path);
	if (p == NULL)
		return -1;
	/* called while parsing options, before any lookup: nothing uses the old list */
	pthread_once(&psl_once, psl_load);
	psl_free(psl_dyn);
	psl = psl_dyn = p;
	psl_from = "the Public Suffix List given with --psl";
	return 0;
}

int
mx_registrable_domain(const char *host, char *dst, size_t dstlen)
{
	char low[MX_DOMAIN_MAX];
	lower_copy(host, low, sizeof low);
	dst[0] = '\0';
	if (low[0] == '\0' || mx_is_ip(low))
		return 0;
	pthread_once(&psl_once, psl_load);
	if (psl == NULL)
		return 0;
	const char *reg = psl_registrable_domain(psl, low);
	if (reg == NULL)
		return 0;
	snprintf(dst, dstlen, "%s", reg);
	return 1;
}

const char *
mx_psl_source(void)
{
	pthread_once(&psl_once, psl_load);
	return psl_from;
}

int
mx_is_ip(const char *s)
{
	unsigned char b[16];
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static void
lower_copy(const char *src, char *dst, size_t dstlen)
{
	size_t n = 0;
	for (; src[n] && n + 1 < dstlen; n++)
		dst[n] = (char)tolower((unsigned char)src[n]);
	while (n > 0 && dst[n - 1] == '.')
		n--;
	dst[n] = '\0';
}

char *
mx_org_domain(const char *host, char *dst, size_t dstlen)
{
	char low[MX_DOMAIN_MAX];
	lower_copy(host, low, sizeof low);
	snprintf(dst, dstlen, "%s", low);
	if (low[0] == '\0' || mx_is_ip(low) || strchr(low, '.') == NULL)
		return dst;
	pthread_once(&psl_once, psl_load);
	if (psl == NULL)
		return dst;
	const char *reg = psl_registrable_domain(psl, low);
	if (reg != NULL)
		snprintf(dst, dstlen, "%s", reg);
	return dst;
}

int
mx_domain_within(const char *host, const char *domain)
{
	char h[MX_DOMAIN_MAX], d[MX_DOMAIN_MAX];
	lower_copy(host, h, sizeof h);
	lower_copy(domain, d, sizeof d);
	size_t hl = strlen(h), dl = strlen(d);
	if (dl == 0 || hl < dl)
		return 0;
	if (strcmp(h + hl - dl, d) != 0)
		return 0;
	return hl == dl || h[hl - dl - 1] == '.';
}

int
mx_ip_is_private(const char *ip)
{
	unsigned char b[16];
	if (inet_pton(AF_INET, ip, b) == 1) {
		return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		    (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
		    (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] == 0;
	}
	if (inet_pton(AF_INET6, ip, b) == 1) {
		static const unsigned char loop[16] = { [15] = 1 };
		return memcmp(b, loop, 16) == 0 || (b[0] & 0xfe) == 0xfc ||
		    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
	}
	return 0;
}
