/*
 * test_dkim_record.c - unit tables for parsers/dkim_record.c: DKIM-Signature
 * values (RFC 6376 §3.5, RFC 8463), key records (§3.6.1) and the base64
 * decoder.  Valid vectors first, broken ones apart, each limit at and over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_record.h"
#include "unit.h"

/* sha256("") and sha1(""): digests of the right lengths */
#define BH256 "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
#define BH1 "bh=2jmj7l5rSw0yVb/vlWAYkK/YBwk="
#define BASE "v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to; " BH256 "; b=dGVzdA=="
/* Composition Kills: a NUL inside s= (sizeof: the NUL is part of the value) */
static const char nul_sig[] = "v=1; a=rsa-sha256; d=example.com; s=attacker.com.\0.any; "
    "h=from; " BH256 "; b=dGVzdA==";

struct vsig {
	const char *name;
	const char *in;
	enum mx_dkim_alg alg;
	enum mx_dkim_canon hc, bc;
	const char *d, *s, *i;
	size_t nh;
	const char *h0, *hlast;
	size_t blen;
};

static const struct vsig valid_sigs[] = {
	{ "minimal", BASE, MX_DKIM_RSA_SHA256, MX_CANON_SIMPLE, MX_CANON_SIMPLE,
	  "example.com", "sel", "@example.com", 2, "from", "to", 4 },
	{ "gmail-folded",
	  "v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n        d=gmail.com; s=20230601; "
	  "t=1730829601; x=1731434401; darn=example.net;\r\n"
	  "        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject\r\n"
	  "         :date:message-id:reply-to;\r\n        " BH256 ";\r\n"
	  "        b=dGVz\r\n         dA==",
	  MX_DKIM_RSA_SHA256, MX_CANON_RELAXED, MX_CANON_RELAXED, "gmail.com", "20230601",
	  "@gmail.com", 13, "to", "reply-to", 4 },
	{ "relaxed-alone-means-relaxed-simple", BASE "; c=relaxed", MX_DKIM_RSA_SHA256,
	  MX_CANON_RELAXED, MX_CANON_SIMPLE, "example.com", "sel", "@example.com", 2, "from", "to",
	  4 },
	{ "simple-relaxed", BASE "; c=simple/relaxed", MX_DKIM_RSA_SHA256, MX_CANON_SIMPLE,
	  MX_CANON_RELAXED, "example.com", "sel", "@example.com", 2, "from", "to", 4 },
	{ "rsa-sha1", "v=1; a=rsa-sha1; d=example.com; s=sel; h=From; " BH1 "; b=dGVzdA==",
	  MX_DKIM_RSA_SHA1, MX_CANON_SIMPLE, MX_CANON_SIMPLE, "example.com", "sel",
	  "@example.com", 1, "from", "from", 4 },
	/* RFC 8463 §A.3 (as in dkimpy's tests/data/rfc6376.signed.msg) */
	{ "ed25519-rfc8463", "v=1; a=ed25519-sha256; c=simple/simple; \r\n"
	  " d=football.example.com; i=@football.example.com; \r\n"
	  " q=dns/txt; s=brisbane; t=1518460054; h=from : to : \r\n"
	  " subject : date : message-id : from : subject : date; \r\n"
	  " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \r\n"
	  " b=9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YB\r\n"
	  " o0wBLR++X5LqmsxXaOYLLJe46l10AQ==",
	  MX_DKIM_ED25519_SHA256, MX_CANON_SIMPLE, MX_CANON_SIMPLE, "football.example.com",
	  "brisbane", "@football.example.com", 8, "from", "date", 64 },
	{ "upper-case-d-s-h-a", "v=1; a=RSA-SHA256; d=Example.COM; s=Sel; h=FROM:To; " BH256
	  "; b=dGVzdA==", MX_DKIM_RSA_SHA256, MX_CANON_SIMPLE, MX_CANON_SIMPLE, "example.com", "sel",
	  "@example.com", 2, "from", "to", 4 },
	{ "i-subdomain", BASE "; i=user@mail.Example.com", MX_DKIM_RSA_SHA256, MX_CANON_SIMPLE,
	  MX_CANON_SIMPLE, "example.com", "sel", "user@mail.Example.com", 2, "from", "to", 4 },
	{ "i-equal", BASE "; i=@example.com", MX_DKIM_RSA_SHA256, MX_CANON_SIMPLE,
	  MX_CANON_SIMPLE, "example.com", "sel", "@example.com", 2, "from", "to", 4 },
	{ "selector-underscore-dots", "v=1; a=rsa-sha256; d=example.com; s=s_1.dkim-a; h=from; "
	  BH256 "; b=dGVzdA==", MX_DKIM_RSA_SHA256, MX_CANON_SIMPLE, MX_CANON_SIMPLE,
	  "example.com", "s_1.dkim-a", "@example.com", 1, "from", "from", 4 },
	{ "unknown-tags-ignored", BASE "; foo=bar; darn=x; q=dns/txt", MX_DKIM_RSA_SHA256,
	  MX_CANON_SIMPLE, MX_CANON_SIMPLE, "example.com", "sel", "@example.com", 2, "from", "to",
	  4 },
	{ "q-list", BASE "; q=foo/bar:dns/txt", MX_DKIM_RSA_SHA256, MX_CANON_SIMPLE,
	  MX_CANON_SIMPLE, "example.com", "sel", "@example.com", 2, "from", "to", 4 },
	{ "trailing-semicolon", BASE ";", MX_DKIM_RSA_SHA256, MX_CANON_SIMPLE, MX_CANON_SIMPLE,
	  "example.com", "sel", "@example.com", 2, "from", "to", 4 },
	{ "b-first-with-fws", "b= dGVz dA== ; " BH256 "; v=1; a=rsa-sha256; d=example.com; "
	  "s=sel; h=from", MX_DKIM_RSA_SHA256, MX_CANON_SIMPLE, MX_CANON_SIMPLE,
	  "example.com", "sel", "@example.com", 1, "from", "from", 4 },
};

struct bsig {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen */
	const char *error;
	const char *detail;	/* NULL: not checked */
};

static const struct bsig broken_sigs[] = {
	{ "missing-v", "a=rsa-sha256; d=example.com; s=sel; h=from; " BH256 "; b=dGVzdA==", 0,
	  "v= is missing", NULL },
	{ "missing-a", "v=1; d=example.com; s=sel; h=from; " BH256 "; b=dGVzdA==", 0,
	  "a= is missing", NULL },
	{ "missing-b", "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; " BH256, 0,
	  "b= is missing", NULL },
	{ "missing-bh", "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; b=dGVzdA==", 0,
	  "bh= is missing", NULL },
	{ "missing-d", "v=1; a=rsa-sha256; s=sel; h=from; " BH256 "; b=dGVzdA==", 0,
	  "d= is missing", NULL },
	{ "missing-h", "v=1; a=rsa-sha256; d=example.com; s=sel; " BH256 "; b=dGVzdA==", 0,
	  "h= is missing", NULL },
	{ "missing-s", "v=1; a=rsa-sha256; d=example.com; h=from; " BH256 "; b=dGVzdA==", 0,
	  "s= is missing", NULL },
	{ "v2", "v=2; a=rsa-sha256; d=example.com; s=sel; h=from; " BH256 "; b=dGVzdA==", 0,
	  "v= is not 1", "2" },
	{ "unknown-alg", "v=1; a=rsa-md5; d=example.com; s=sel; h=from; " BH256 "; b=dGVzdA==",
	  0, "unknown algorithm", "rsa-md5" },
	{ "unknown-c", BASE "; c=fancy", 0, "unknown canonicalization (c=)", "fancy" },
	{ "c-empty-body-part", BASE "; c=relaxed/", 0, "unknown canonicalization (c=)", NULL },
	{ "c-three-parts", BASE "; c=relaxed/relaxed/simple", 0,
	  "unknown canonicalization (c=)", NULL },
	{ "q-dns", BASE "; q=dns", 0, "unknown query method (q= is not dns/txt)", "dns" },
	{ "h-no-from", "v=1; a=rsa-sha256; d=example.com; s=sel; h=to:subject; " BH256
	  "; b=dGVzdA==", 0, "h= does not include From", NULL },
	{ "h-empty-name", "v=1; a=rsa-sha256; d=example.com; s=sel; h=from::to; " BH256
	  "; b=dGVzdA==", 0, "h= has an empty field name", NULL },
	{ "h-empty", "v=1; a=rsa-sha256; d=example.com; s=sel; h=; " BH256 "; b=dGVzdA==", 0,
	  "h= is empty", NULL },
	{ "h-trailing-colon", "v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to:; " BH256
	  "; b=dGVzdA==", 0, "h= has an empty field name", NULL },
	{ "h-space-in-name", "v=1; a=rsa-sha256; d=example.com; s=sel; h=fr om; " BH256
	  "; b=dGVzdA==", 0, "h= holds something that is not a field name", NULL },
	{ "d-comment-a4", "v=1; a=rsa-sha256; d=legit.com(.attacker.com; s=sel; h=from; " BH256
	  "; b=dGVzdA==", 0, "d= is not a domain name", "legit.com(.attacker.com" },
	{ "d-quote", "v=1; a=rsa-sha256; d=\"legit.com\"; s=sel; h=from; " BH256
	  "; b=dGVzdA==", 0, "d= is not a domain name", "\\\"legit.com\\\"" },
	{ "d-trailing-dot", BASE "; d=example.com.", 0, "duplicate tag", NULL },
	{ "d-root-dot", "v=1; a=rsa-sha256; d=example.com.; s=sel; h=from; " BH256
	  "; b=dGVzdA==", 0, "d= is not a domain name", NULL },
	{ "d-single-label", "v=1; a=rsa-sha256; d=com; s=sel; h=from; " BH256 "; b=dGVzdA==", 0,
	  "d= is not a domain name", NULL },
	{ "d-empty-label", "v=1; a=rsa-sha256; d=example..com; s=sel; h=from; " BH256
	  "; b=dGVzdA==", 0, "d= is not a domain name", NULL },
	{ "d-hyphen-edge", "v=1; a=rsa-sha256; d=-x.example.com; s=sel; h=from; " BH256
	  "; b=dGVzdA==", 0, "d= is not a domain name", NULL },
	{ "d-underscore", "v=1; a=rsa-sha256; d=a_b.example.com; s=sel; h=from; " BH256
	  "; b=dGVzdA==", 0, "d= is not a domain name", NULL },
	{ "d-empty", "v=1; a=rsa-sha256; d=; s=sel; h=from; " BH256 "; b=dGVzdA==", 0,
	  "d= is not a domain name", "" },
	{ "s-nul-composition-kills", nul_sig, sizeof nul_sig - 1, "NUL byte in a tag value",
	  "\\x00.any; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==" },
	{ "s-empty-label", "v=1; a=rsa-sha256; d=example.com; s=a..b; h=from; " BH256
	  "; b=dGVzdA==", 0, "s= is not a selector", "a..b" },
	{ "s-paren", "v=1; a=rsa-sha256; d=example.com; s=sel(x; h=from; " BH256
	  "; b=dGVzdA==", 0, "s= is not a selector", NULL },
	{ "s-utf8", "v=1; a=rsa-sha256; d=example.com; s=s\xc3\xa9l; h=from; " BH256
	  "; b=dGVzdA==", 0, "s= is not a selector", "s\\xc3\\xa9l" },
	{ "i-other-domain", BASE "; i=user@other.com", 0, "i= is not within d=", "user@other.com" },
	{ "i-suffix-not-subdomain", BASE "; i=user@notexample.com", 0, "i= is not within d=",
	  NULL },
	{ "i-parent", BASE "; i=@com", 0, "i= is not within d=", NULL },
	{ "i-no-at", BASE "; i=example.com", 0, "i= has no \"@\"", NULL },
	{ "t-not-number", BASE "; t=12a", 0, "t= is not a number", NULL },
	{ "t-negative", BASE "; t=-1", 0, "t= is not a number", NULL },
	{ "t-13-digits", BASE "; t=1234567890123", 0, "t= has more than 12 digits", NULL },
	{ "x-empty", BASE "; x=", 0, "x= is not a number", NULL },
	{ "x-before-t", BASE "; t=200; x=100", 0, "x= is before t=", NULL },
	{ "l-huge", BASE "; l=99999999999999999999999", 0, "l= is too large (over 2^63)", NULL },
	{ "l-2^63+1", BASE "; l=9223372036854775809", 0, "l= is too large (over 2^63)", NULL },
	{ "l-77-digits", BASE "; l=000000000000000000000000000000000000000000000000000000000000000"
	  "00000000000001", 0, "l= has more than 76 digits", NULL },
	{ "l-not-number", BASE "; l=1e3", 0, "l= is not a number", NULL },
	{ "bh-sha1-size-for-sha256", "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; " BH1
	  "; b=dGVzdA==", 0, "bh= is not a SHA-256 digest (32 bytes)", NULL },
	{ "bh-sha256-size-for-sha1", "v=1; a=rsa-sha1; d=example.com; s=sel; h=from; " BH256
	  "; b=dGVzdA==", 0, "bh= is not a SHA-1 digest (20 bytes)", NULL },
	{ "b-junk", "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; " BH256
	  "; b=dGVz!A==", 0, "b= is not valid base64", "dGVz!A==" },
	{ "b-pad-middle", "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; " BH256
	  "; b=dG==dA==", 0, "b= is not valid base64", NULL },
	{ "b-empty", "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; " BH256 "; b=", 0,
	  "b= is empty", NULL },
	{ "bh-junk", "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=@@@@; b=dGVzdA==", 0,
	  "bh= is not valid base64", NULL },
	{ "duplicate-d", BASE "; d=example.org", 0, "duplicate tag", NULL },
	{ "double-semicolon", "v=1;; a=rsa-sha256; d=example.com; s=sel; h=from; " BH256
	  "; b=dGVzdA==", 0, "empty tag-spec (\";;\")", NULL },
	{ "empty", "", 0, "empty tag-list", NULL },
};

static void
test_valid_sigs(void)
{
	for (size_t k = 0; k < sizeof valid_sigs / sizeof valid_sigs[0]; k++) {
		const struct vsig *c = &valid_sigs[k];
		struct mx_dkim_sig s;
		CHECK_INT(mx_dkim_sig_parse(c->in, strlen(c->in), &s), 0);
		if (!s.ok)
			fprintf(stderr, "%s: %s: %s\n", c->name, s.error,
			    s.error_detail ? s.error_detail : "");
		CHECK(s.ok);
		CHECK(s.error == NULL);
		CHECK_INT(s.alg, c->alg);
		CHECK_INT(s.hcanon, c->hc);
		CHECK_INT(s.bcanon, c->bc);
		CHECK_STR(s.d, c->d);
		CHECK_STR(s.s, c->s);
		CHECK_STR(s.i, c->i);
		CHECK_INT(s.nh, c->nh);
		if (s.nh == c->nh && s.nh > 0) {
			CHECK_STR(s.h[0], c->h0);
			CHECK_STR(s.h[s.nh - 1], c->hlast);
		}
		CHECK_INT(s.blen, c->blen);
		CHECK_INT(s.bhlen, c->alg == MX_DKIM_RSA_SHA1 ? 20 : 32);
		mx_dkim_sig_finish(&s);
		CHECK(s.d == NULL && s.h == NULL);
	}
}

static void
test_sig_fields(void)
{
	struct mx_dkim_sig s;
	const char *in = BASE "; t=1700000000; x=1700086400; l=0; z=From:a|To:b; "
	    "q=dns/txt; c=relaxed/simple";
	CHECK_INT(mx_dkim_sig_parse(in, strlen(in), &s), 0);
	CHECK(s.ok);
	CHECK(s.has_t && s.has_x && s.has_l);
	CHECK_INT(s.t, 1700000000);
	CHECK_INT(s.x, 1700086400);
	CHECK_INT(s.l, 0);
	CHECK_STR(s.z, "From:a|To:b");
	CHECK_STR(s.q, "dns/txt");
	CHECK_STR(s.c, "relaxed/simple");
	CHECK_STR(s.a, "rsa-sha256");
	CHECK(s.blen == 4 && memcmp(s.b, "test", 4) == 0);
	mx_dkim_sig_finish(&s);

	/* x == t is allowed; 12 digits at the limit */
	in = BASE "; t=999999999999; x=999999999999";
	CHECK_INT(mx_dkim_sig_parse(in, strlen(in), &s), 0);
	CHECK(s.ok);
	CHECK_INT(s.t, 999999999999LL);
	mx_dkim_sig_finish(&s);

	/* l= at 2^63 (the limit) is accepted, and with leading zeros (76 digits) */
	in = BASE "; l=9223372036854775808";
	CHECK_INT(mx_dkim_sig_parse(in, strlen(in), &s), 0);
	CHECK(s.ok);
	CHECK(s.l == (uint64_t)1 << 63);
	mx_dkim_sig_finish(&s);
	in = BASE "; l=0000000000000000000000000000000000000000000000000000000000000000000000000042";
	CHECK_INT(mx_dkim_sig_parse(in, strlen(in), &s), 0);
	CHECK(s.ok);
	CHECK_INT(s.l, 42);
	mx_dkim_sig_finish(&s);

	/* finish on a zeroed struct and twice is safe; NULL too */
	memset(&s, 0, sizeof s);
	mx_dkim_sig_finish(&s);
	mx_dkim_sig_finish(NULL);
}

/* RFC 6376 §3.7: the b= span is everything between "b=" and ";" (or the end). */
static void
test_b_span(void)
{
	struct {
		const char *in;
		const char *span;
	} cases[] = {
		{ BASE, "dGVzdA==" },
		{ "b= dGVz\r\n dA== ; " BH256 "; v=1; a=rsa-sha256; d=example.com; s=sel; h=from",
		  " dGVz\r\n dA== " },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; " BH256 "; b =dGVzdA==\r\n\t",
		  "dGVzdA==\r\n\t" },
		{ "v=1; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==;a=rsa-sha256; "
		  "d=example.com; s=sel; h=from", "dGVzdA==" },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct mx_dkim_sig s;
		CHECK_INT(mx_dkim_sig_parse(cases[k].in, strlen(cases[k].in), &s), 0);
		CHECK(s.ok);
		CHECK_INT(s.b_value_len, strlen(cases[k].span));
		CHECK(s.b_value_offset + s.b_value_len <= strlen(cases[k].in));
		CHECK(memcmp(cases[k].in + s.b_value_offset, cases[k].span, s.b_value_len) == 0);
		/* the bh= tag is not mistaken for b= */
		CHECK(cases[k].in[s.b_value_offset - 1] == '=');
		mx_dkim_sig_finish(&s);
	}
}

static void
test_broken_sigs(void)
{
	for (size_t k = 0; k < sizeof broken_sigs / sizeof broken_sigs[0]; k++) {
		const struct bsig *c = &broken_sigs[k];
		struct mx_dkim_sig s;
		size_t len = c->len ? c->len : strlen(c->in);
		CHECK_INT(mx_dkim_sig_parse(c->in, len, &s), 0);
		if (s.ok || s.error == NULL || strcmp(s.error, c->error) != 0)
			fprintf(stderr, "broken %s: got %s\n", c->name, s.error ? s.error : "ok");
		CHECK(!s.ok);
		CHECK_STR(s.error, c->error);
		if (c->detail)
			CHECK_STR(s.error_detail, c->detail);
		mx_dkim_sig_finish(&s);
	}
}

/* Build a signature whose h= has n names ("from" first). */
static char *
sig_with_h(size_t n)
{
	char *p = malloc(n * 3 + 256);
	if (p == NULL)
		return NULL;
	size_t o = (size_t)sprintf(p, "v=1; a=rsa-sha256; d=example.com; s=sel; " BH256
	    "; b=dGVzdA==; h=from");
	for (size_t i = 1; i < n; i++)
		o += (size_t)sprintf(p + o, ":to");
	return p;
}

/* Build a signature whose b= has n base64 characters. */
static char *
sig_with_b(size_t n)
{
	char *p = malloc(n + 256);
	if (p == NULL)
		return NULL;
	size_t o = (size_t)sprintf(p, "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; "
	    BH256 "; b=");
	memset(p + o, 'A', n);
	p[o + n] = '\0';
	return p;
}

static void
test_sig_limits(void)
{
	struct mx_dkim_sig s;
	char *p = sig_with_h(MX_DKIM_MAX_H);
	if (p) {
		CHECK_INT(mx_dkim_sig_parse(p, strlen(p), &s), 0);
		CHECK(s.ok);
		CHECK_INT(s.nh, MX_DKIM_MAX_H);
		mx_dkim_sig_finish(&s);
		free(p);
	}
	p = sig_with_h(MX_DKIM_MAX_H + 1);
	if (p) {
		CHECK_INT(mx_dkim_sig_parse(p, strlen(p), &s), 0);
		CHECK(!s.ok);
		CHECK_STR(s.error, "h= lists too many fields");
		mx_dkim_sig_finish(&s);
		free(p);
	}
	p = sig_with_h(5000);
	if (p) {
		CHECK_INT(mx_dkim_sig_parse(p, strlen(p), &s), 0);
		CHECK_STR(s.error, "h= lists too many fields");
		mx_dkim_sig_finish(&s);
		free(p);
	}
	p = sig_with_b(MX_DKIM_MAX_B_CHARS);
	if (p) {
		CHECK_INT(mx_dkim_sig_parse(p, strlen(p), &s), 0);
		CHECK(s.ok);
		CHECK_INT(s.blen, MX_DKIM_MAX_B_CHARS / 4 * 3);
		mx_dkim_sig_finish(&s);
		free(p);
	}
	p = sig_with_b(MX_DKIM_MAX_B_CHARS + 4);
	if (p) {
		CHECK_INT(mx_dkim_sig_parse(p, strlen(p), &s), 0);
		CHECK(!s.ok);
		CHECK_STR(s.error, "b= is too long");
		mx_dkim_sig_finish(&s);
		free(p);
	}
	/* d= of 253 characters (the limit) and of 254 */
	char d[300], in[600];
	memset(d, 0, sizeof d);
	for (size_t i = 0; i < 253; i++)
		d[i] = i % 50 == 49 ? '.' : 'a';
	snprintf(in, sizeof in, "v=1; a=rsa-sha256; d=%s; s=sel; h=from; " BH256 "; b=dGVzdA==",
	    d);
	CHECK_INT(mx_dkim_sig_parse(in, strlen(in), &s), 0);
	CHECK(s.ok);
	mx_dkim_sig_finish(&s);
	d[253] = 'a';
	snprintf(in, sizeof in, "v=1; a=rsa-sha256; d=%s; s=sel; h=from; " BH256 "; b=dGVzdA==",
	    d);
	CHECK_INT(mx_dkim_sig_parse(in, strlen(in), &s), 0);
	CHECK_STR(s.error, "d= is not a domain name");
	mx_dkim_sig_finish(&s);
	/* a label of 63 (the limit) and of 64 */
	memset(d, 0, sizeof d);
	memset(d, 'a', 63);
	memcpy(d + 63, ".com", 4);
	snprintf(in, sizeof in, "v=1; a=rsa-sha256; d=%s; s=sel; h=from; " BH256 "; b=dGVzdA==",
	    d);
	CHECK_INT(mx_dkim_sig_parse(in, strlen(in), &s), 0);
	CHECK(s.ok);
	mx_dkim_sig_finish(&s);
	memset(d, 'a', 64);
	memcpy(d + 64, ".com", 4);
	snprintf(in, sizeof in, "v=1; a=rsa-sha256; d=%s; s=sel; h=from; " BH256 "; b=dGVzdA==",
	    d);
	CHECK_INT(mx_dkim_sig_parse(in, strlen(in), &s), 0);
	CHECK_STR(s.error, "d= is not a domain name");
	mx_dkim_sig_finish(&s);
}

/* ---- key records ---- */

struct vkey {
	const char *name;
	const char *in;
	const char *k;
	size_t plen;
	int testing, strict;
	const char *h, *s;
};

static const struct vkey valid_keys[] = {
	{ "minimal", "p=dGVzdA==", "rsa", 4, 0, 0, NULL, NULL },
	{ "v-first", "v=DKIM1; k=rsa; p=dGVz\r\n dA==", "rsa", 4, 0, 0, NULL, NULL },
	{ "ed25519-rfc8463", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
	  "ed25519", 32, 0, 0, NULL, NULL },
	{ "flags", "v=DKIM1; h=sha256; t=y:s; s=email; p=dGVzdA==", "rsa", 4, 1, 1, "sha256",
	  "email" },
	{ "unknown-flag-ignored", "t=y:x; p=dGVzdA==", "rsa", 4, 1, 0, NULL, NULL },
	{ "service-list", "s=tlsrpt:*; p=dGVzdA==", "rsa", 4, 0, 0, NULL, "tlsrpt:*" },
	{ "unknown-tags-and-g", "g=*; n=a note; foo=bar; p=dGVzdA==; ", "rsa", 4, 0, 0, NULL,
	  NULL },
	{ "k-upper", "k=RSA; p=dGVzdA==", "rsa", 4, 0, 0, NULL, NULL },
};

struct bkey {
	const char *name;
	const char *in;
	const char *error;
	int revoked;
};

static const struct bkey broken_keys[] = {
	{ "revoked", "v=DKIM1; p=", "the key is revoked (empty p=)", 1 },
	{ "revoked-fws", "v=DKIM1; k=rsa; p= ; n=gone", "the key is revoked (empty p=)", 1 },
	{ "v-not-first", "p=dGVzdA==; v=DKIM1", "v= is not the first tag", 0 },
	{ "v-wrong", "v=DKIM2; p=dGVzdA==", "v= is not DKIM1", 0 },
	{ "v-case", "v=dkim1; p=dGVzdA==", "v= is not DKIM1", 0 },
	{ "unknown-k", "k=dsa; p=dGVzdA==", "unknown key type", 0 },
	{ "no-p", "v=DKIM1; k=rsa", "p= is missing", 0 },
	{ "p-junk", "p=dGVz!A==", "p= is not valid base64", 0 },
	{ "p-unpadded", "p=dGVzdA", "p= is not valid base64", 0 },
	{ "service-other", "s=tlsrpt; p=dGVzdA==", "the key is not for email (s=)", 0 },
	{ "duplicate-p", "p=dGVzdA==; p=dGVzdA==", "duplicate tag", 0 },
	{ "empty", "", "empty tag-list", 0 },
	{ "double-semicolon", "v=DKIM1;; p=dGVzdA==", "empty tag-spec (\";;\")", 0 },
};

static void
test_keys(void)
{
	for (size_t i = 0; i < sizeof valid_keys / sizeof valid_keys[0]; i++) {
		const struct vkey *c = &valid_keys[i];
		struct mx_dkim_key k;
		CHECK_INT(mx_dkim_key_parse(c->in, strlen(c->in), &k), 0);
		if (!k.ok)
			fprintf(stderr, "key %s: %s\n", c->name, k.error);
		CHECK(k.ok);
		CHECK(!k.revoked);
		CHECK_STR(k.k, c->k);
		CHECK_INT(k.plen, c->plen);
		CHECK_INT(k.testing, c->testing);
		CHECK_INT(k.strict, c->strict);
		CHECK_STR(k.h, c->h);
		CHECK_STR(k.s, c->s);
		mx_dkim_key_finish(&k);
	}
	for (size_t i = 0; i < sizeof broken_keys / sizeof broken_keys[0]; i++) {
		const struct bkey *c = &broken_keys[i];
		struct mx_dkim_key k;
		CHECK_INT(mx_dkim_key_parse(c->in, strlen(c->in), &k), 0);
		if (k.ok || k.error == NULL || strcmp(k.error, c->error) != 0)
			fprintf(stderr, "broken key %s: got %s\n", c->name, k.error ? k.error : "ok");
		CHECK(!k.ok);
		CHECK_STR(k.error, c->error);
		CHECK_INT(k.revoked, c->revoked);
		CHECK(k.k != NULL);	/* always set, default "rsa" */
		mx_dkim_key_finish(&k);
	}
	mx_dkim_key_finish(NULL);

	/* p= of MX_DKIM_MAX_P_CHARS (the limit) and over it */
	char *p = malloc(MX_DKIM_MAX_P_CHARS + 16);
	if (p == NULL)
		return;
	struct mx_dkim_key k;
	memcpy(p, "p=", 2);
	memset(p + 2, 'A', MX_DKIM_MAX_P_CHARS);
	CHECK_INT(mx_dkim_key_parse(p, MX_DKIM_MAX_P_CHARS + 2, &k), 0);
	CHECK(k.ok);
	CHECK_INT(k.plen, MX_DKIM_MAX_P_CHARS / 4 * 3);
	mx_dkim_key_finish(&k);
	memset(p + 2, 'A', MX_DKIM_MAX_P_CHARS + 4);
	CHECK_INT(mx_dkim_key_parse(p, MX_DKIM_MAX_P_CHARS + 6, &k), 0);
	CHECK(!k.ok);
	CHECK_STR(k.error, "p= is too long");
	mx_dkim_key_finish(&k);
	free(p);
}

/* ---- base64 ---- */

static void
test_base64(void)
{
	static const struct {
		const char *in;
		const char *out;	/* NULL: invalid */
	} cases[] = {
		{ "", "" }, { "   \r\n", "" }, { "TWFu", "Man" }, { "TWE=", "Ma" }, { "TQ==", "M" },
		{ " T W\r\nF u\t", "Man" }, { "TQ== ", "M" }, { "TQ = =", "M" },
		{ "dGVzdA==", "test" }, { "+/+/", "\xfb\xff\xbf" },
		{ "TQ=", NULL }, { "TQ", NULL }, { "T===", NULL }, { "TQ==TQ==", NULL },
		{ "TW=u", NULL }, { "TWFu!", NULL }, { "T", NULL }, { "TWFuT", NULL },
		{ "TWFu-_", NULL }, { "====", NULL }, { "TQ===", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = 99;
		unsigned char *p = mx_base64_decode(cases[i].in, strlen(cases[i].in), &n);
		if (cases[i].out == NULL) {
			if (p != NULL)
				fprintf(stderr, "base64 \"%s\" should be invalid\n", cases[i].in);
			CHECK(p == NULL);
			CHECK_INT(n, 0);
		} else {
			CHECK(p != NULL);
			CHECK_INT(n, strlen(cases[i].out));
			CHECK(p == NULL || memcmp(p, cases[i].out, n) == 0);
		}
		free(p);
	}
	/* NUL inside is not whitespace */
	size_t n;
	CHECK(mx_base64_decode("TQ\0=", 4, &n) == NULL);
}

int
main(void)
{
	test_valid_sigs();
	test_sig_fields();
	test_b_span();
	test_broken_sigs();
	test_sig_limits();
	test_keys();
	test_base64();
	return unit_done("dkim_record");
}
