/*
 * test_dkim_canon.c - unit tables for parsers/dkim_canon.c (RFC 6376 §3.4):
 * header fields and bodies, simple and relaxed, compared as canonical bytes.
 * Every body case is also fed one byte at a time and cut at several l=
 * limits, which must give the one-shot output (or a prefix of it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_canon.h"
#include "unit.h"

#define S MX_CANON_SIMPLE
#define R MX_CANON_RELAXED

/* ---- headers ---- */

struct hcase {
	const char *name;
	enum mx_dkim_canon c;
	const char *raw;
	int skip_crlf;
	const char *want;
};

static const struct hcase headers[] = {
	/* RFC 6376 §3.4.6 */
	{ "rfc-a-simple", S, "A: X\r\n", 0, "A: X\r\n" },
	{ "rfc-b-simple", S, "B : Y\t\r\n\tZ  \r\n", 0, "B : Y\t\r\n\tZ  \r\n" },
	{ "rfc-a-relaxed", R, "A: X\r\n", 0, "a:X\r\n" },
	{ "rfc-b-relaxed", R, "B : Y\t\r\n\tZ  \r\n", 0, "b:Y Z\r\n" },
	/* simple */
	{ "simple-no-crlf", S, "Subject: x", 0, "Subject: x\r\n" },
	{ "simple-bare-lf-end", S, "Subject: x\n", 0, "Subject: x\r\n" },
	{ "simple-skip-crlf", S, "DKIM-Signature: v=1; b=\r\n", 1, "DKIM-Signature: v=1; b=" },
	{ "simple-skip-no-crlf", S, "DKIM-Signature: v=1; b=", 1, "DKIM-Signature: v=1; b=" },
	{ "simple-keeps-case-and-ws", S, "SUBJECT :  Hi  \r\n", 0, "SUBJECT :  Hi  \r\n" },
	{ "simple-empty", S, "", 0, "\r\n" },
	/* relaxed */
	{ "relaxed-ws-runs", R, "SUBJect:\t  hello \t  world \r\n", 0,
	  "subject:hello world\r\n" },
	{ "relaxed-empty-value", R, "X:\r\n", 0, "x:\r\n" },
	{ "relaxed-ws-only-value", R, "X:   \r\n \r\n", 0, "x:\r\n" },
	{ "relaxed-fold", R, "To: a,\r\n\tb\r\n", 0, "to:a, b\r\n" },
	{ "relaxed-bare-lf-fold", R, "Subject: a\n b\n", 0, "subject:a b\r\n" },
	{ "relaxed-crlf-without-wsp", R, "X: a\r\nb\r\n", 0, "x:ab\r\n" },
	{ "relaxed-skip-crlf", R, "DKIM-Signature: v=1;\r\n b=\r\n", 1, "dkim-signature:v=1; b=" },
	{ "relaxed-no-colon", R, "Junk \r\n", 0, "junk\r\n" },
	{ "relaxed-bare-cr-kept", R, "X: a\rb\r\n", 0, "x:a\rb\r\n" },
	{ "relaxed-utf8", R, "Subject: caf\xc3\xa9 \r\n", 0, "subject:caf\xc3\xa9\r\n" },
	{ "relaxed-colon-in-value", R, "Date : Tue, 5 Nov 2024 10:00:01\r\n", 0,
	  "date:Tue, 5 Nov 2024 10:00:01\r\n" },
	{ "relaxed-no-final-crlf", R, "A:b", 0, "a:b\r\n" },
	{ "relaxed-empty", R, "", 0, "\r\n" },
};

static void
test_headers(void)
{
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
		const struct hcase *c = &headers[i];
		size_t len = strlen(c->raw);
		char *dst = malloc(len + 2);
		if (dst == NULL)
			return;
		size_t n = mx_canon_header(c->c, c->raw, len, c->skip_crlf, dst);
		int same = n == strlen(c->want) && memcmp(dst, c->want, n) == 0;
		if (!same)
			fprintf(stderr, "header %s: got \"%.*s\"\n", c->name, (int)n, dst);
		CHECK(same);
		CHECK(n <= len + 2);
		free(dst);
	}
}

/* ---- headers through emit ---- */

struct hsink {
	char buf[8192];
	size_t n;
};

static void
hcollect(void *ctx, const char *p, size_t n)
{
	struct hsink *s = ctx;
	if (s->n + n <= sizeof s->buf)
		memcpy(s->buf + s->n, p, n);
	s->n += n;
}

static int
has_bare_lf(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			return 1;
	return 0;
}

/* mx_canon_header_emit(): the buffer version's bytes, except bare LFs in simple. */
static void
test_headers_emit(void)
{
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
		const struct hcase *c = &headers[i];
		size_t len = strlen(c->raw);
		if (c->c == S && has_bare_lf(c->raw, len))
			continue;
		struct hsink hs = { .n = 0 };
		size_t n = mx_canon_header_emit(c->c, c->raw, len, c->skip_crlf, hcollect, &hs);
		CHECK_INT(n, strlen(c->want));
		CHECK(hs.n == n && memcmp(hs.buf, c->want, n) == 0);
	}
	static const struct hcase lf[] = {
		{ "simple-lf-folded", S, "Subject: a\n b\n", 0, "Subject: a\r\n b\r\n" },
		{ "simple-lf-mixed", S, "X: a\r\n b\n c\r\n", 0, "X: a\r\n b\r\n c\r\n" },
		{ "simple-lf-skip", S, "X: a\n b\n", 1, "X: a\r\n b" },
		{ "simple-lf-first", S, "\nX: a", 0, "\r\nX: a\r\n" },
		{ "simple-crcr-lf", S, "X: a\r\r\n b\r\n", 0, "X: a\r\r\n b\r\n" },
		{ "relaxed-lf-folded", R, "Subject: a\n b\n", 0, "subject:a b\r\n" },
	};
	for (size_t i = 0; i < sizeof lf / sizeof lf[0]; i++) {
		struct hsink hs = { .n = 0 };
		size_t n = mx_canon_header_emit(lf[i].c, lf[i].raw, strlen(lf[i].raw),
		    lf[i].skip_crlf, hcollect, &hs);
		int same = n == strlen(lf[i].want) && hs.n == n && memcmp(hs.buf, lf[i].want, n) == 0;
		if (!same)
			fprintf(stderr, "emit %s: got \"%.*s\"\n", lf[i].name, (int)hs.n, hs.buf);
		CHECK(same);
	}
	/* a field longer than the emit batch, both ways, and NULL emit counts only */
	char raw[3000], dst[3002];
	memcpy(raw, "X-Long:", 7);
	for (size_t i = 7; i < sizeof raw - 2; i++)
		raw[i] = i % 7 == 0 ? ' ' : i % 101 == 0 ? '\t' : 'a';
	memcpy(raw + sizeof raw - 2, "\r\n", 2);
	for (int m = 0; m <= 1; m++) {
		struct hsink hs = { .n = 0 };
		size_t want = mx_canon_header(m ? R : S, raw, sizeof raw, 0, dst);
		size_t n = mx_canon_header_emit(m ? R : S, raw, sizeof raw, 0, hcollect, &hs);
		CHECK(n == want && hs.n == want && memcmp(hs.buf, dst, want) == 0);
		CHECK_INT(mx_canon_header_emit(m ? R : S, raw, sizeof raw, 0, NULL, NULL), want);
	}
}

/* ---- bodies ---- */

struct sink {
	char buf[4096];
	size_t n;
	size_t calls;
};

static void
collect(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;
	s->calls++;
	if (s->n + n <= sizeof s->buf)
		memcpy(s->buf + s->n, p, n);
	s->n += n;
}

struct bcase {
	const char *name;
	const char *in;
	const char *simple;
	const char *relaxed;
};

static const struct bcase bodies[] = {
	/* RFC 6376 §3.4.6 */
	{ "rfc-example", " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n", " C\r\nD E\r\n" },
	/* §3.4.3 / §3.4.4 and erratum 3192: empty bodies */
	{ "empty", "", "\r\n", "" },
	{ "one-crlf", "\r\n", "\r\n", "" },
	{ "only-crlfs", "\r\n\r\n\r\n", "\r\n", "" },
	{ "only-ws-lines", "  \r\n \t \r\n", "  \r\n \t \r\n", "" },
	{ "only-ws-no-crlf", "   ", "   \r\n", "" },
	/* the last line */
	{ "no-final-crlf", "abc", "abc\r\n", "abc\r\n" },
	{ "final-crlf", "abc\r\n", "abc\r\n", "abc\r\n" },
	{ "trailing-empty-lines", "abc\r\n\r\n", "abc\r\n", "abc\r\n" },
	{ "trailing-ws-no-crlf", "abc \t", "abc \t\r\n", "abc\r\n" },
	/* inner empty lines are kept */
	{ "inner-empty-lines", "abc\r\n\r\ndef", "abc\r\n\r\ndef\r\n", "abc\r\n\r\ndef\r\n" },
	{ "leading-empty-lines", "\r\n\r\nabc", "\r\n\r\nabc\r\n", "\r\n\r\nabc\r\n" },
	{ "inner-ws-line", "a \r\n \r\n b", "a \r\n \r\n b\r\n", "a\r\n\r\n b\r\n" },
	/* relaxed whitespace */
	{ "ws-runs", " a  b \t\r\n", " a  b \t\r\n", " a b\r\n" },
	{ "tab-only-run", "a\t\tb\r\n", "a\t\tb\r\n", "a b\r\n" },
	/* line ends: bare LF is a line end, bare CR is content */
	{ "bare-lf", "a\nb\n\n", "a\r\nb\r\n", "a\r\nb\r\n" },
	{ "mixed-ends", "a\r\nb\n\r\n\n", "a\r\nb\r\n", "a\r\nb\r\n" },
	{ "bare-cr", "a\rb\r\n", "a\rb\r\n", "a\rb\r\n" },
	{ "cr-at-end", "x\r", "x\r\r\n", "x\r\r\n" },
	{ "cr-ws-lf", "a\r \n", "a\r \r\n", "a\r\r\n" },
	{ "crcr-lf", "a\r\r\n", "a\r\r\n", "a\r\r\n" },
};

/* chunk 0: the whole input through the byte-at-a-time reference */
static struct mx_canon_body
canon(enum mx_dkim_canon c, int has_l, uint64_t l, const char *in, size_t len, size_t chunk,
    struct sink *out)
{
	struct mx_canon_body b;
	memset(out, 0, sizeof *out);
	mx_canon_body_init(&b, c, has_l, l, collect, out);
	if (chunk == 0)
		mx_canon_body_update_bytes(&b, in, len);
	for (size_t i = 0; chunk && i < len; i += chunk)
		mx_canon_body_update(&b, in + i, len - i < chunk ? len - i : chunk);
	if (len == 0)
		mx_canon_body_update(&b, in, 0);
	mx_canon_body_final(&b);
	return b;
}

static void
check_body(const struct bcase *c, enum mx_dkim_canon m, const char *want)
{
	size_t inlen = strlen(c->in);
	size_t wantlen = strlen(want);
	struct sink one, bytes;
	struct mx_canon_body a = canon(m, 0, 0, c->in, inlen, inlen ? inlen : 1, &one);
	int same = one.n == wantlen && memcmp(one.buf, want, wantlen) == 0;
	if (!same)
		fprintf(stderr, "body %s (%s): got %zu bytes \"%.*s\"\n", c->name,
		    m == S ? "simple" : "relaxed", one.n, (int)one.n, one.buf);
	CHECK(same);
	CHECK_INT(a.total, wantlen);
	CHECK_INT(a.emitted, wantlen);
	/* byte by byte */
	struct mx_canon_body b = canon(m, 0, 0, c->in, inlen, 1, &bytes);
	CHECK(bytes.n == one.n && memcmp(bytes.buf, one.buf, one.n) == 0);
	CHECK_INT(b.total, a.total);
	/* the byte-at-a-time reference */
	struct sink ref;
	struct mx_canon_body r = canon(m, 0, 0, c->in, inlen, 0, &ref);
	CHECK(ref.n == one.n && memcmp(ref.buf, one.buf, one.n) == 0);
	CHECK_INT(r.total, a.total);
	/* l= at every length from 0 to the whole and beyond: a prefix, total unchanged */
	for (uint64_t l = 0; l <= wantlen + 1; l++) {
		struct sink cut;
		struct mx_canon_body x = canon(m, 1, l, c->in, inlen, 1, &cut);
		uint64_t expect = l < wantlen ? l : wantlen;
		CHECK(x.emitted == expect);
		CHECK(cut.n == expect && memcmp(cut.buf, want, cut.n) == 0);
		CHECK_INT(x.total, wantlen);
	}
	/* relaxed is idempotent on its own output */
	if (m == R) {
		struct sink again;
		canon(m, 0, 0, one.buf, one.n, one.n ? one.n : 1, &again);
		CHECK(again.n == one.n && memcmp(again.buf, one.buf, one.n) == 0);
	}
}

static void
test_bodies(void)
{
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		check_body(&bodies[i], S, bodies[i].simple);
		check_body(&bodies[i], R, bodies[i].relaxed);
	}
}

/* A NUL is content like any byte (the input is counted, not a C string). */
static void
test_nul(void)
{
	struct sink s;
	struct mx_canon_body b = canon(R, 0, 0, "a\0 \0b \r\n\r\n", 10, 1, &s);
	CHECK_INT(b.total, 7);
	CHECK(s.n == 7 && memcmp(s.buf, "a\0 \0b\r\n", 7) == 0);
	char raw[] = "X-\0: a\0 \0\r\n";
	char dst[32];
	size_t n = mx_canon_header(R, raw, sizeof raw - 1, 0, dst);
	CHECK(n == 10 && memcmp(dst, "x-\0:a\0 \0\r\n", 10) == 0);
}

/* Counting only: emit may be NULL. */
static void
test_no_emit(void)
{
	struct mx_canon_body b;
	mx_canon_body_init(&b, R, 0, 0, NULL, NULL);
	mx_canon_body_update(&b, "a  b\r\n\r\n", 8);
	mx_canon_body_final(&b);
	CHECK_INT(b.total, 5);
	CHECK_INT(b.emitted, 5);
}

/*
 * Hostile bodies, in linear time: 8 MB of whitespace (mailauth's relaxed
 * regex spun on this), then 4 MB of empty lines followed by one byte, whose
 * held-back CRLFs are released in batches, and cut by l= in the middle.
 */
static void
test_hostile(void)
{
	size_t big = 8u << 20;
	char *p = malloc(big);
	if (p == NULL)
		return;
	struct sink s;
	memset(p, ' ', big);
	struct mx_canon_body b = canon(R, 0, 0, p, big, 65536, &s);
	CHECK_INT(b.total, 0);
	CHECK_INT(s.n, 0);
	b = canon(S, 0, 0, p, big, 65536, &s);
	CHECK_INT(b.total, big + 2);
	for (size_t i = 0; i + 1 < big; i += 2)
		memcpy(p + i, "\r\n", 2);
	p[big - 1] = 'x';	/* the last CRLF pair becomes "\r" "x" */
	b = canon(R, 0, 0, p, big, 65536, &s);
	/* (big/2 - 1) empty lines, then "\rx" and the added CRLF */
	CHECK(b.total == (uint64_t)(big / 2 - 1) * 2 + 4);
	b = canon(R, 1, 1000, p, big, 65536, &s);
	CHECK_INT(b.emitted, 1000);
	CHECK(b.total == (uint64_t)(big / 2 - 1) * 2 + 4);
	CHECK(s.calls < 100);	/* released in batches, not one call per line */
	free(p);
}

int
main(void)
{
	test_headers();
	test_headers_emit();
	test_bodies();
	test_nul();
	test_no_emit();
	test_hostile();
	return unit_done("dkim_canon");
}
