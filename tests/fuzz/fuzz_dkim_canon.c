/*
 * fuzz_dkim_canon.c - parsers/dkim_canon.c.  The first byte picks the
 * canonicalization, the next eight the l= limit; the rest is the body (and
 * a header field).  Invariants (abort on violation): chunked input gives
 * the one-shot output; relaxed body canonicalization is idempotent on its
 * own output; emitted <= limit; total >= emitted; header output length
 * <= raw + 2, and relaxed header canonicalization idempotent too; the emit
 * variant agrees with it (relaxed) and leaves no bare LF (simple).
 */
#include <stdlib.h>
#include <string.h>

#include "dkim_canon.h"
#include "fuzz.h"

struct sink {
	char *p;
	size_t n, cap;
	int nomem;
};

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
collect(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;
	if (s->nomem)
		return;
	if (s->n + n > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->n + n)
			cap *= 2;
		char *np = realloc(s->p, cap);
		if (np == NULL) {
			s->nomem = 1;
			return;
		}
		s->p = np;
		s->cap = cap;
	}
	memcpy(s->p + s->n, p, n);
	s->n += n;
}

static struct mx_canon_body
run(enum mx_dkim_canon c, int has_l, uint64_t l, const char *p, size_t n, size_t chunk,
    struct sink *out)
{
	struct mx_canon_body b;
	mx_canon_body_init(&b, c, has_l, l, collect, out);
	if (chunk == 0)
		mx_canon_body_update_bytes(&b, p, n);	/* the reference */
	for (size_t i = 0; chunk && i < n; i += chunk)
		mx_canon_body_update(&b, p + i, n - i < chunk ? n - i : chunk);
	mx_canon_body_final(&b);
	return b;
}

static void
body(enum mx_dkim_canon c, int has_l, uint64_t l, const char *p, size_t n)
{
	struct sink one = { 0 }, bytes = { 0 }, again = { 0 }, ref = { 0 };
	struct mx_canon_body a = run(c, has_l, l, p, n, n ? n : 1, &one);
	struct mx_canon_body b = run(c, has_l, l, p, n, n > 4096 ? 4096 : 1, &bytes);
	struct mx_canon_body rb = run(c, has_l, l, p, n, 0, &ref);
	if (one.nomem || bytes.nomem || ref.nomem)
		goto out;
	check(rb.emitted == a.emitted && rb.total == a.total);
	check(ref.n == one.n && (one.n == 0 || memcmp(ref.p, one.p, one.n) == 0));
	check(a.emitted == one.n && a.total >= a.emitted);
	check(!has_l || a.emitted <= l);
	check(a.emitted == b.emitted && a.total == b.total);
	check(one.n == bytes.n && (one.n == 0 || memcmp(one.p, bytes.p, one.n) == 0));
	if (c == MX_CANON_RELAXED && !has_l) {
		struct mx_canon_body r = run(c, 0, 0, one.p, one.n, one.n ? one.n : 1, &again);
		if (!again.nomem)
			check(again.n == one.n && (one.n == 0 || memcmp(again.p, one.p, one.n) == 0));
		check(r.total == a.total);
	}
	if (!has_l)
		check(a.total == a.emitted);
out:
	free(one.p);
	free(bytes.p);
	free(again.p);
	free(ref.p);
}

static void
hcollect(void *ctx, const char *p, size_t n)
{
	collect(ctx, p, n);
}

/* The emit variant: the buffer version's bytes, but simple writes bare LFs as CRLF. */
static void
header_emit(const char *p, size_t n, const char *relaxed, size_t rn, int skip)
{
	struct sink s = { 0 };
	size_t m = mx_canon_header_emit(MX_CANON_RELAXED, p, n, skip, hcollect, &s);
	if (!s.nomem)
		check(m == rn && s.n == rn && (rn == 0 || memcmp(s.p, relaxed, rn) == 0));
	s.n = 0;
	m = mx_canon_header_emit(MX_CANON_SIMPLE, p, n, skip, hcollect, &s);
	check(m <= 2 * n + 2);
	check(m == mx_canon_header_emit(MX_CANON_SIMPLE, p, n, skip, NULL, NULL));
	/* no bare LF is left in the output */
	if (!s.nomem)
		for (size_t i = 0; i < s.n; i++)
			check(s.p[i] != '\n' || (i > 0 && s.p[i - 1] == '\r'));
	free(s.p);
}

static void
header(const char *p, size_t n)
{
	char *d = malloc(n + 2), *e = malloc(n + 4);
	if (d == NULL || e == NULL)
		goto out;
	for (int skip = 0; skip <= 1; skip++) {
		size_t m = mx_canon_header(MX_CANON_SIMPLE, p, n, skip, d);
		check(m <= n + 2);
		m = mx_canon_header(MX_CANON_RELAXED, p, n, skip, d);
		check(m <= n + 2);
		/* relaxed output is its own canonical form */
		size_t m2 = mx_canon_header(MX_CANON_RELAXED, d, m, skip, e);
		check(m2 == m && memcmp(d, e, m) == 0);
		header_emit(p, n, d, m, skip);
	}
out:
	free(d);
	free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 9) {
		header((const char *)data, size);
		body(MX_CANON_SIMPLE, 0, 0, (const char *)data, size);
		body(MX_CANON_RELAXED, 0, 0, (const char *)data, size);
		return 0;
	}
	enum mx_dkim_canon c = data[0] & 1 ? MX_CANON_RELAXED : MX_CANON_SIMPLE;
	int has_l = (data[0] & 2) != 0;
	uint64_t l = 0;
	for (int i = 1; i <= 8; i++)
		l = l << 8 | data[i];
	if (data[0] & 4)
		l %= 4096;	/* limits that fall inside small bodies */
	const char *p = (const char *)data + 9;
	size_t n = size - 9;
	header(p, n);
	body(c, has_l, l, p, n);
	body(c == MX_CANON_SIMPLE ? MX_CANON_RELAXED : MX_CANON_SIMPLE, 0, 0, p, n);
	return 0;
}
