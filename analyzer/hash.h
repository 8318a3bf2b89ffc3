/*
 * hash.h - FNV-1a over bytes, for the small open-addressing tables (batch
 * summary counts, DNS answers, decoded keys).  Not for hostile-input
 * protection: every table is bounded in size instead.
 */
#ifndef MX_HASH_H
#define MX_HASH_H

#include <stddef.h>

/* seed separates keys that share bytes but not kind (a DNS type, a key type). */
static inline size_t
mx_hash(const void *p, size_t n, size_t seed)
{
	const unsigned char *b = p;
	size_t h = 1469598103934665603ull ^ seed;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

#endif
