/*
 * test_spf_record.c - unit tables for parsers/spf_record.c: record
 * detection (RFC 7208 §4.5), record syntax (§4.6, §5, §6) and macro
 * expansion (§7), with the RFC 7208 §7.4 examples verbatim and the syntax
 * expectations of the openspf suite (rfc7208-tests.yml, named by scenario
 * and test) and stalwart's macro.yml.  Valid vectors first, broken apart,
 * then the hostile ones and each limit at and over.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf_record.h"
#include "unit.h"

/* ---- record detection (§4.5) ---- */

struct isrec {
	const char *in;
	size_t len;		/* 0: strlen */
	int want;
};

static const struct isrec is_records[] = {
	{ "v=spf1", 0, 1 },
	{ "v=spf1 ", 0, 1 },
	{ "v=spf1 -all", 0, 1 },
	{ "V=sPf1 +all", 0, 1 },		/* multitxt2: case-insensitive */
	{ "v=SpF1 ~all", 0, 1 },		/* case-insensitive */
	{ "v=spf1 -all", 6, 1 },		/* the end of the buffer ends the version */
	{ "v=spf10", 0, 0 },		/* nospace2: not a record */
	{ "v=spf1-all", 0, 0 },
	{ "v=spf1\t-all", 0, 0 },		/* only SP ends the version */
	{ "v=spf1\0 -all", 12, 0 },
	{ "v=spf", 0, 0 },
	{ "", 0, 0 },
	{ " v=spf1", 0, 0 },
	{ "v=spf3 !a:yahoo.com -all", 0, 0 },	/* nospftxttimeout */
	{ "spf2.0/pra include:x.example", 0, 0 },
	{ "v=spfl am not an SPF record", 0, 0 },	/* include-none */
};

static void
test_is_record(void)
{
	for (size_t i = 0; i < sizeof is_records / sizeof is_records[0]; i++) {
		const struct isrec *t = &is_records[i];
		int got = mx_spf_is_record(t->in, t->len ? t->len : strlen(t->in));
		CHECK_INT(got, t->want);
		if (got != t->want)
			fprintf(stderr, "  is_record \"%s\"\n", t->in);
	}
	CHECK_INT(mx_spf_is_record(NULL, 0), 0);
	CHECK_INT(mx_spf_is_record(NULL, 10), 0);
}

/* ---- valid records ---- */

struct vrec {
	const char *name;
	const char *in;
	size_t nterms, nunknown;
	const char *redirect, *exp;
	/* the first term */
	enum mx_spf_mech mech;
	enum mx_spf_qualifier q;
	const char *domain_spec;
	int cidr4, cidr6;
};

#define NONE -1
static const struct vrec valid[] = {
	/* the openspf suite */
	{ "empty (empty)", "v=spf1", 0, 0, NULL, NULL, 0, 0, NULL, 0, 0 },
	{ "two-spaces", "v=spf1 a  -all", 2, 0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS, NULL, NONE,
	  NONE },
	{ "trailing-space", "v=spf1 a -all ", 2, 0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS, NULL, NONE,
	  NONE },
	{ "case-insensitive", "v=SpF1 ~all", 1, 0, NULL, NULL, MX_SPF_ALL, MX_SPF_Q_SOFTFAIL, NULL,
	  NONE, NONE },
	{ "modifier-charset-good", "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all", 2, 1,
	  NULL, NULL, MX_SPF_IP4, MX_SPF_Q_PASS, NULL, 32, NONE },
	{ "redirect-after-mechanisms1", "v=spf1 redirect=t5.example.com ~all", 1, 0,
	  "t5.example.com", NULL, MX_SPF_ALL, MX_SPF_Q_SOFTFAIL, NULL, NONE, NONE },
	{ "invalid-domain-empty-label (syntax is valid)", "v=spf1 a:mail.example...com -all", 2, 0,
	  NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS, "mail.example...com", NONE, NONE },
	{ "invalid-domain-long (syntax is valid)", "v=spf1 a:a123456789012345678901234567890123456"
	  "789012345678901234567890123.example.com -all", 2, 0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS,
	  "a123456789012345678901234567890123456789012345678901234567890123.example.com", NONE,
	  NONE },
	{ "invalid-domain-long-via-macro", "v=spf1 a:%{H}.bar -all", 2, 0, NULL, NULL, MX_SPF_A,
	  MX_SPF_Q_PASS, "%{H}.bar", NONE, NONE },
	{ "all-neutral", "v=spf1 ?all", 1, 0, NULL, NULL, MX_SPF_ALL, MX_SPF_Q_NEUTRAL, NULL, NONE,
	  NONE },
	{ "all-double", "v=spf1 all -all", 2, 0, NULL, NULL, MX_SPF_ALL, MX_SPF_Q_PASS, NULL, NONE,
	  NONE },
	{ "ptr-match-target", "v=spf1 ptr:example.com -all", 2, 0, NULL, NULL, MX_SPF_PTR,
	  MX_SPF_Q_PASS, "example.com", NONE, NONE },
	{ "ptr-match-implicit", "v=spf1 ptr -all", 2, 0, NULL, NULL, MX_SPF_PTR, MX_SPF_Q_PASS, NULL,
	  NONE, NONE },
	{ "ptr-case-change", "v=spf1 ptr:example.Com -all", 2, 0, NULL, NULL, MX_SPF_PTR,
	  MX_SPF_Q_PASS, "example.Com", NONE, NONE },
	{ "a-cidr6", "v=spf1 a//33 -all", 2, 0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS, NULL, NONE, 33 },
	{ "a-dual-cidr", "v=spf1 a/24//64 -all", 2, 0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS, NULL, 24,
	  64 },
	{ "a-dual-cidr-ip6-default", "v=spf1 a/24 -all", 2, 0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS,
	  NULL, 24, NONE },
	{ "a-nxdomain (cidr /0)", "v=spf1 a/0 -all", 2, 0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS, NULL,
	  0, NONE },
	{ "a-cidr6-0-ip6", "v=spf1 a//0 -all", 2, 0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS, NULL, NONE,
	  0 },
	{ "a-multi-ip1", "v=spf1 a:foo.example.com/24", 1, 0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS,
	  "foo.example.com", 24, NONE },
	{ "a-colon-domain", "v=spf1 a:foo:bar/baz.example.com", 1, 0, NULL, NULL, MX_SPF_A,
	  MX_SPF_Q_PASS, "foo:bar/baz.example.com", NONE, NONE },
	{ "a-dash-in-toplabel", "v=spf1 a:foo.example.xn--zckzah -all", 2, 0, NULL, NULL, MX_SPF_A,
	  MX_SPF_Q_PASS, "foo.example.xn--zckzah", NONE, NONE },
	{ "mx-cidr6", "v=spf1 mx//33 -all", 2, 0, NULL, NULL, MX_SPF_MX, MX_SPF_Q_PASS, NULL, NONE,
	  33 },
	{ "mx-cidr4-0", "v=spf1 mx/0 -all", 2, 0, NULL, NULL, MX_SPF_MX, MX_SPF_Q_PASS, NULL, 0,
	  NONE },
	{ "mx-colon-domain", "v=spf1 mx:foo:bar/baz.example.com", 1, 0, NULL, NULL, MX_SPF_MX,
	  MX_SPF_Q_PASS, "foo:bar/baz.example.com", NONE, NONE },
	{ "mx-multi-ip1", "v=spf1 mx:foo.example.com/24", 1, 0, NULL, NULL, MX_SPF_MX, MX_SPF_Q_PASS,
	  "foo.example.com", 24, NONE },
	{ "exists-ip4", "v=spf1 exists:mail.example.com", 1, 0, NULL, NULL, MX_SPF_EXISTS,
	  MX_SPF_Q_PASS, "mail.example.com", NONE, NONE },
	{ "cidr4-0", "v=spf1 ip4:1.1.1.1/0 -all", 2, 0, NULL, NULL, MX_SPF_IP4, MX_SPF_Q_PASS, NULL,
	  0, NONE },
	{ "cidr4-32", "v=spf1 ip4:1.2.3.4/32 -all", 2, 0, NULL, NULL, MX_SPF_IP4, MX_SPF_Q_PASS,
	  NULL, 32, NONE },
	{ "ip4-mapped-ip6", "v=spf1 -ip4:1.2.3.4 ip6:::FFFF:1.2.3.4", 2, 0, NULL, NULL, MX_SPF_IP4,
	  MX_SPF_Q_FAIL, NULL, 32, NONE },
	{ "cidr6-0-ip4", "v=spf1 ip6:::1.1.1.1/0", 1, 0, NULL, NULL, MX_SPF_IP6, MX_SPF_Q_PASS, NULL,
	  NONE, 0 },
	{ "cidr6-33", "v=spf1 ip6:Cafe:Babe:8000::/33", 1, 0, NULL, NULL, MX_SPF_IP6, MX_SPF_Q_PASS,
	  NULL, NONE, 33 },
	{ "redirect-cancels-exp", "v=spf1 exp=exp1.example.com redirect=e2.example.com", 0, 0,
	  "e2.example.com", "exp1.example.com", 0, 0, NULL, 0, 0 },
	{ "default-modifier-obsolete", "v=spf1 default=pass", 0, 1, NULL, NULL, 0, 0, NULL, 0, 0 },
	{ "default-modifier-obsolete2", "v=spf1 default=+", 0, 1, NULL, NULL, 0, 0, NULL, 0, 0 },
	{ "trailing-dot-domain", "v=spf1 redirect=%{d}.d.spf.example.com.", 0, 0,
	  "%{d}.d.spf.example.com.", NULL, 0, 0, NULL, 0, 0 },
	{ "trailing-dot include", "v=spf1 include:o.spf.example.com. ~all", 2, 0, NULL, NULL,
	  MX_SPF_INCLUDE, MX_SPF_Q_PASS, "o.spf.example.com.", NONE, NONE },
	{ "macro-mania-in-domain", "v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all", 2,
	  0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS, "macro%%percent%_%_space%-url-space.example.com",
	  NONE, NONE },
	{ "upper-macro exp", "v=spf1 -all exp=msg8.%{D2}", 1, 0, NULL, "msg8.%{D2}", MX_SPF_ALL,
	  MX_SPF_Q_FAIL, NULL, NONE, NONE },
	{ "macro-reverse-split-on-dash", "v=spf1 exists:%{i}.%{l2r-}.user.%{d2}", 1, 0, NULL, NULL,
	  MX_SPF_EXISTS, MX_SPF_Q_PASS, "%{i}.%{l2r-}.user.%{d2}", NONE, NONE },
	{ "macro-multiple-delimiters", "v=spf1 exists:%{l2r+-}.user.%{d2}", 1, 0, NULL, NULL,
	  MX_SPF_EXISTS, MX_SPF_Q_PASS, "%{l2r+-}.user.%{d2}", NONE, NONE },
	{ "require-valid-helo", "v=spf1 -include:_spfh.%{d2} ip4:1.2.3.0/24 -all", 3, 0, NULL, NULL,
	  MX_SPF_INCLUDE, MX_SPF_Q_FAIL, "_spfh.%{d2}", NONE, NONE },
	{ "p-macro-multiple", "v=spf1 exists:%{p}.should.example.com ~exists:%{p}.ok.example.com", 2,
	  0, NULL, NULL, MX_SPF_EXISTS, MX_SPF_Q_PASS, "%{p}.should.example.com", NONE, NONE },
	{ "hello-macro", "v=spf1 a:%{H} -all", 2, 0, NULL, NULL, MX_SPF_A, MX_SPF_Q_PASS, "%{H}",
	  NONE, NONE },
	{ "mech-at-limit", "v=spf1 a mx a mx a mx a mx a ptr ip4:1.2.3.4 -all", 12, 0, NULL, NULL,
	  MX_SPF_A, MX_SPF_Q_PASS, NULL, NONE, NONE },
	{ "redirect-loop", "v=spf1 ip4:1.1.1.1 redirect=e1.example.com", 1, 0, "e1.example.com",
	  NULL, MX_SPF_IP4, MX_SPF_Q_PASS, NULL, 32, NONE },
	/* the grammar's corners */
	{ "domain-end .toplabel only", "v=spf1 a:.museum", 1, 0, NULL, NULL, MX_SPF_A,
	  MX_SPF_Q_PASS, ".museum", NONE, NONE },
	{ "toplabel digits-dash-digits (second alternative)", "v=spf1 a:x.1-2", 1, 0, NULL, NULL,
	  MX_SPF_A, MX_SPF_Q_PASS, "x.1-2", NONE, NONE },
	{ "ends in %%", "v=spf1 exists:foo%%", 1, 0, NULL, NULL, MX_SPF_EXISTS, MX_SPF_Q_PASS,
	  "foo%%", NONE, NONE },
	{ "upper-case names", "v=spf1 -A:Example.COM/24 MX INCLUDE:x.example IP4:1.2.3.4 ALL "
	  "Redirect=r.example", 5, 0, "r.example", NULL, MX_SPF_A, MX_SPF_Q_FAIL, "Example.COM", 24,
	  NONE },
	{ "transformer R and delimiters", "v=spf1 exists:%{L12R.-+,/_=}.example.com", 1, 0, NULL, NULL,
	  MX_SPF_EXISTS, MX_SPF_Q_PASS, "%{L12R.-+,/_=}.example.com", NONE, NONE },
	{ "digit transformer with a leading zero", "v=spf1 exists:%{d01}.example.com", 1, 0, NULL,
	  NULL, MX_SPF_EXISTS, MX_SPF_Q_PASS, "%{d01}.example.com", NONE, NONE },
	{ "unknown modifier with c r t and an empty one", "v=spf1 x-note=%{c}%{r}%{t} y=", 0, 2,
	  NULL, NULL, 0, 0, NULL, 0, 0 },
	{ "many spaces", "v=spf1        -all      ", 1, 0, NULL, NULL, MX_SPF_ALL, MX_SPF_Q_FAIL,
	  NULL, NONE, NONE },
	/* real-world records (styles of the big senders) */
	{ "google", "v=spf1 include:_spf.google.com ~all", 2, 0, NULL, NULL, MX_SPF_INCLUDE,
	  MX_SPF_Q_PASS, "_spf.google.com", NONE, NONE },
	{ "google _spf", "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com "
	  "include:_netblocks3.google.com ~all", 4, 0, NULL, NULL, MX_SPF_INCLUDE, MX_SPF_Q_PASS,
	  "_netblocks.google.com", NONE, NONE },
	{ "google netblocks2", "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 "
	  "ip6:2607:f8b0:4000::/36 ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 "
	  "ip6:2c0f:fb50:4000::/36 ~all", 7, 0, NULL, NULL, MX_SPF_IP6, MX_SPF_Q_PASS, NULL, NONE,
	  36 },
	{ "outlook", "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 "
	  "ip4:52.103.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 "
	  "ip6:2a01:111:f403:8000::/51 ip6:2a01:111:f403:c000::/51 ip6:2a01:111:f403:f000::/52 -all",
	  12, 0, NULL, NULL, MX_SPF_IP4, MX_SPF_Q_PASS, NULL, 15, NONE },
	{ "amazonses", "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 "
	  "ip4:69.169.224.0/20 ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 "
	  "ip4:54.240.64.0/19 ip4:54.240.96.0/19 ip4:76.223.128.0/19 ip4:216.221.160.0/19 "
	  "ip4:206.55.144.0/20 -all", 13, 0, NULL, NULL, MX_SPF_IP4, MX_SPF_Q_PASS, NULL, 22, NONE },
	{ "sendgrid", "v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ip4:50.31.32.0/19 "
	  "ip4:198.37.144.0/20 ip4:198.21.0.0/21 ip4:192.254.112.0/20 ip4:168.245.0.0/17 "
	  "ip4:149.72.0.0/16 ip4:159.183.0.0/16 ~all", 10, 0, NULL, NULL, MX_SPF_IP4, MX_SPF_Q_PASS,
	  NULL, 17, NONE },
	{ "mailgun", "v=spf1 include:mailgun.org include:_spf.mailgun.org ?all", 3, 0, NULL, NULL,
	  MX_SPF_INCLUDE, MX_SPF_Q_PASS, "mailgun.org", NONE, NONE },
	{ "redirect style", "v=spf1 redirect=_spf.example.com", 0, 0, "_spf.example.com", NULL, 0, 0,
	  NULL, 0, 0 },
};

static void
test_valid(void)
{
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		const struct vrec *v = &valid[i];
		struct mx_spf_record r;
		CHECK_INT(mx_spf_record_parse(v->in, strlen(v->in), &r), 0);
		if (!r.ok) {
			fprintf(stderr, "  valid \"%s\": %s at %zu (%s)\n", v->name, r.error,
			    r.error_offset, r.error_detail ? r.error_detail : "");
			CHECK(r.ok);
			mx_spf_record_finish(&r);
			continue;
		}
		CHECK(r.error == NULL);
		CHECK_INT(r.length, strlen(v->in));
		CHECK_INT(r.nterms, v->nterms);
		CHECK_INT(r.nunknown, v->nunknown);
		CHECK_STR(r.redirect, v->redirect);
		CHECK_STR(r.exp, v->exp);
		if (v->nterms > 0 && r.nterms > 0) {
			const struct mx_spf_term *t = &r.terms[0];
			CHECK_INT(t->mech, v->mech);
			CHECK_INT(t->qualifier, v->q);
			CHECK_STR(t->domain_spec, v->domain_spec);
			CHECK_INT(t->cidr4, v->cidr4);
			CHECK_INT(t->cidr6, v->cidr6);
			CHECK(t->text != NULL && t->offset < r.length);
			CHECK(strncmp(v->in + t->offset, t->text, strlen(t->text)) == 0);
		}
		mx_spf_record_finish(&r);
		mx_spf_record_finish(&r);	/* twice is safe */
	}
}

/* Addresses, modifiers and offsets of a few records in detail. */
static void
test_details(void)
{
	struct mx_spf_record r;
	static const unsigned char v4[4] = { 192, 0, 2, 5 };
	static const unsigned char v6a[16] = { 0xca, 0xfe, 0xba, 0xbe, 0x80, 0 };
	static const unsigned char v6b[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4 };
	static const unsigned char v6c[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xcb, 0x01 };
	static const unsigned char v6d[16] = { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8 };
	const char *in = "v=spf1 ip4:192.0.2.5 ip6:Cafe:Babe:8000::/33 ip6:::FFFF:1.2.3.4 "
	    "?ip6:2001:db8::cb01/128 ip6:1:2:3:4:5:6:7:8 ip6:::/0 "
	    "Foo.Bar_1-x=%{s}:v EXP=explain.%{d} x=y";
	CHECK_INT(mx_spf_record_parse(in, strlen(in), &r), 0);
	CHECK(r.ok);
	CHECK_INT(r.nterms, 6);
	if (r.nterms == 6) {
		CHECK(memcmp(r.terms[0].addr, v4, 4) == 0);
		CHECK_INT(r.terms[0].cidr4, 32);
		CHECK_INT(r.terms[0].cidr6, -1);
		CHECK_INT(r.terms[0].offset, 7);
		CHECK_STR(r.terms[0].text, "ip4:192.0.2.5");
		CHECK(memcmp(r.terms[1].addr, v6a, 16) == 0);
		CHECK_INT(r.terms[1].cidr6, 33);
		CHECK_INT(r.terms[1].cidr4, -1);
		CHECK(memcmp(r.terms[2].addr, v6b, 16) == 0);
		CHECK_INT(r.terms[2].cidr6, 128);
		CHECK(memcmp(r.terms[3].addr, v6c, 16) == 0);
		CHECK_INT(r.terms[3].qualifier, MX_SPF_Q_NEUTRAL);
		CHECK_STR(r.terms[3].text, "?ip6:2001:db8::cb01/128");
		CHECK(memcmp(r.terms[4].addr, v6d, 16) == 0);
		CHECK_INT(r.terms[5].cidr6, 0);
	}
	CHECK_INT(r.nunknown, 2);
	if (r.nunknown == 2) {
		CHECK_STR(r.unknown[0].name, "foo.bar_1-x");
		CHECK_STR(r.unknown[0].value, "%{s}:v");
		CHECK_STR(r.unknown[1].name, "x");
		CHECK_STR(r.unknown[1].value, "y");
		CHECK(strncmp(in + r.unknown[0].offset, "Foo.Bar_1-x=", 12) == 0);
	}
	CHECK_STR(r.exp, "explain.%{d}");
	mx_spf_record_finish(&r);
	mx_spf_record_finish(NULL);
}

/* ---- broken records: each is a permerror ---- */

struct brec {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen */
	const char *error;	/* a substring of the error */
	size_t offset;		/* (size_t)-1: not checked */
};

#define ANY ((size_t)-1)
static const struct brec broken[] = {
	/* the openspf suite */
	{ "detect-errors-anywhere", "v=spf1 ip4:1.2.3.4 -all moo", 0, "unknown mechanism", 24 },
	{ "modifier-charset-bad1", "v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 -all", 0,
	  "unknown mechanism", 7 },
	{ "modifier-charset-bad2", "v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 -all", 0,
	  "unknown mechanism", 7 },
	{ "redirect-is-modifier", "v=spf1 ip4:1.2.3.4 redirect:t2.example.com", 0,
	  "unknown mechanism", 19 },
	{ "invalid-domain", "v=spf1 a:foo-bar -all", 0, "does not end in", ANY },
	{ "non-ascii-policy", "v=spf1 a:\xEF\xBB\xBFgarbage.example.net -all", 0, "non-ASCII", 9 },
	{ "non-ascii-mech", "v=spf1 \x80" "a:example.net -all", 0, "non-ASCII", 7 },
	{ "non-ascii-result", "v=spf1 a:example.net \x96" "all", 0, "non-ASCII", 21 },
	{ "control-char-policy", "v=spf1 a:ctrl.example.com\x0dptr -all", 0, "control character",
	  25 },
	{ "badip4", "v=spf1 ip4:192.0.2.5\x0a include:spf.protection.outlook.com ~all", 0,
	  "control character", 20 },
	{ "all-dot", "v=spf1 -all.", 0, "no argument", ANY },
	{ "all-arg", "v=spf1 -all:foobar", 0, "no argument", ANY },
	{ "all-cidr", "v=spf1 -all/8", 0, "no argument", ANY },
	{ "ptr-cidr", "v=spf1 ptr/0 -all", 0, "ptr takes", ANY },
	{ "ptr-empty-domain", "v=spf1 ptr:", 0, "empty domain-spec", ANY },
	{ "a-bad-cidr4", "v=spf1 a/33 -all", 0, "ip4-cidr-length", ANY },
	{ "a-bad-cidr6", "v=spf1 a//129 -all", 0, "ip6-cidr-length", ANY },
	{ "a-dual-cidr-ip4-err", "v=spf1 a/24/64 -all", 0, "ip4-cidr-length", ANY },
	{ "a-bad-domain", "v=spf1 a:example.com:8080", 0, "top-level label", ANY },
	{ "a-null", "v=spf1 a:foo.example.com\0", 25, "NUL", 24 },
	{ "a-numeric", "v=spf1 a:111.222.33.44", 0, "top-level label", 20 },
	{ "a-numeric-toplabel", "v=spf1 a:abc.123", 0, "top-level label", ANY },
	{ "a-bad-toplabel", "v=spf1 a:example.-com", 0, "top-level label", ANY },
	{ "a-only-toplabel", "v=spf1 a:museum", 0, "does not end in", ANY },
	{ "a-only-toplabel-trailing-dot", "v=spf1 a:museum.", 0, "does not end in", ANY },
	{ "a-empty-domain", "v=spf1 a:", 0, "empty domain-spec", 9 },
	{ "include-syntax-error", "v=spf1 include +all", 0, "include needs", ANY },
	{ "include-cidr", "v=spf1 include:ip5.example.com/24 -all", 0, "top-level label", ANY },
	{ "include-empty-domain", "v=spf1 include: -all", 0, "empty domain-spec", ANY },
	{ "mx-bad-cidr4", "v=spf1 mx/33 -all", 0, "ip4-cidr-length", ANY },
	{ "mx-bad-cidr6", "v=spf1 mx//129 -all", 0, "ip6-cidr-length", ANY },
	{ "mx-bad-domain", "v=spf1 mx:example.com:8080", 0, "top-level label", ANY },
	{ "mx-null", "v=spf1 mx:foo.example.com\0", 26, "NUL", ANY },
	{ "mx-numeric-top-label", "v=spf1 mx:abc.123", 0, "top-level label", ANY },
	{ "mx-bad-toplab", "v=spf1 mx:example.-com", 0, "top-level label", ANY },
	{ "mx-empty-domain", "v=spf1 mx: -all", 0, "empty domain-spec", ANY },
	{ "exists-empty-domain", "v=spf1 exists:", 0, "empty domain-spec", ANY },
	{ "exists-implicit", "v=spf1 exists", 0, "exists needs", ANY },
	{ "exists-cidr", "v=spf1 exists:mail.example.com/24", 0, "top-level label", ANY },
	{ "cidr4-33", "v=spf1 ip4:1.2.3.4/33 -all", 0, "ip4-cidr-length", 18 },
	{ "cidr4-032", "v=spf1 ip4:1.2.3.4/032 -all", 0, "ip4-cidr-length", ANY },
	{ "bare-ip4", "v=spf1 ip4", 0, "ip4 needs", ANY },
	{ "bad-ip4-port", "v=spf1 ip4:1.2.3.4:8080", 0, "ip4-network", ANY },
	{ "bad-ip4-short", "v=spf1 ip4:1.2.3", 0, "ip4-network", ANY },
	{ "ip4-dual-cidr", "v=spf1 ip4:1.2.3.4//32", 0, "ip4-cidr-length", ANY },
	{ "bare-ip6", "v=spf1 -all ip6", 0, "ip6 needs", ANY },
	{ "cidr6-129", "v=spf1 ip6:::1.1.1.1/129", 0, "ip6-cidr-length", ANY },
	{ "cidr6-bad", "v=spf1 ip6:::1.1.1.1//33", 0, "ip6-cidr-length", ANY },
	{ "ip6-bad1", "v=spf1 ip6::CAFE::BABE", 0, "ip6-network", ANY },
	{ "redirect-syntax-error", "v=spf1 redirect=-all ?all", 0, "does not end in", ANY },
	{ "invalid-modifier", "v=spf1 1up=foo", 0, "mechanism", 7 },
	{ "empty-modifier-name", "v=spf1 =all", 0, "mechanism or name=value", 7 },
	{ "exp-empty-domain", "v=spf1 exp= -all", 0, "empty domain-spec", 11 },
	{ "exp-syntax-error", "v=spf1 exp=-all", 0, "does not end in", ANY },
	{ "exp-twice", "v=spf1 exp=e13msg.example.com -all exp=e11msg.example.com", 0,
	  "exp= given twice", 35 },
	{ "redirect-empty-domain", "v=spf1 ?all redirect=", 0, "empty domain-spec", ANY },
	{ "redirect-twice", "v=spf1 redirect=e12.example.com -all redirect=e12.example.com", 0,
	  "redirect= given twice", 37 },
	{ "unknown-modifier-syntax", "v=spf1 -all foo=%abc", 0, "\"%\" not followed", 16 },
	{ "exp-only-macro-char", "v=spf1 -all exp=%{r}.example.com", 0, "c, r and t", 16 },
	{ "invalid-macro-char", "v=spf1 -exists:%(ir).sbl.example.com ?all", 0,
	  "\"%\" not followed", 15 },
	{ "invalid-embedded-macro-char", "v=spf1 exists:foo%(ir).sbl.example.com ?all", 0,
	  "\"%\" not followed", 17 },
	{ "invalid-trailing-macro-char", "v=spf1 exists:foo%.sbl.example.com ?all", 0,
	  "\"%\" not followed", 17 },
	{ "undef-macro", "v=spf1 a:%{a}.example.com -all", 0, "unknown macro letter", 9 },
	/* more corners */
	{ "not a record: v=spf10", "v=spf10", 0, "not an SPF record", 0 },
	{ "not a record: empty", "", 0, "not an SPF record", 0 },
	{ "lone qualifier", "v=spf1 -", 0, "mechanism or name=value", 7 },
	{ "qualified modifier", "v=spf1 -redirect=x.example", 0, "unknown mechanism", ANY },
	{ "tab between terms", "v=spf1 a\t-all", 0, "control character", 8 },
	{ "ip4:1.2.3.4\\010 (backspace)", "v=spf1 ip4:1.2.3.4\010", 0, "control character", 18 },
	{ "ip4:1.2.3.4\\010 (as text)", "v=spf1 ip4:1.2.3.4\\010", 0, "ip4-network", ANY },
	{ "ip4 leading zero octet", "v=spf1 ip4:1.2.3.04", 0, "ip4-network", ANY },
	{ "ip4 octet 256", "v=spf1 ip4:1.2.3.256", 0, "ip4-network", ANY },
	{ "ip4 five octets", "v=spf1 ip4:1.2.3.4.5", 0, "ip4-network", ANY },
	{ "ip4 empty cidr", "v=spf1 ip4:1.2.3.4/", 0, "ip4-cidr-length", ANY },
	{ "ip4 cidr 00", "v=spf1 ip4:1.2.3.4/00", 0, "ip4-cidr-length", ANY },
	{ "ip6 /129", "v=spf1 ip6:::/129", 0, "ip6-cidr-length", ANY },
	{ "ip6 /0128", "v=spf1 ip6:::/0128", 0, "ip6-cidr-length", ANY },
	{ "ip6 :::", "v=spf1 ip6::::", 0, "ip6-network", ANY },
	{ "ip6 nine groups", "v=spf1 ip6:1:2:3:4:5:6:7:8:9", 0, "ip6-network", ANY },
	{ "ip6 :: with eight groups", "v=spf1 ip6:1:2:3:4::5:6:7:8", 0, "ip6-network", ANY },
	{ "ip6 seven groups", "v=spf1 ip6:1:2:3:4:5:6:7", 0, "ip6-network", ANY },
	{ "ip6 trailing colon", "v=spf1 ip6:1::2:", 0, "ip6-network", ANY },
	{ "ip6 five hex digits", "v=spf1 ip6:12345::", 0, "ip6-network", ANY },
	{ "ip6 quad not last", "v=spf1 ip6:::1.2.3.4:1", 0, "ip6-network", ANY },
	{ "ip6 quad after seven groups", "v=spf1 ip6:1:2:3:4:5:6:7:1.2.3.4", 0, "ip6-network", ANY },
	{ "ip6 zone id", "v=spf1 ip6:fe80::1%eth0", 0, "ip6-network", ANY },
	{ "a cidr 0 padded", "v=spf1 a/024", 0, "ip4-cidr-length", ANY },
	{ "a junk argument", "v=spf1 a.b", 0, "bad argument", ANY },
	{ "a triple slash", "v=spf1 a:foo.com///64", 0, "top-level label", ANY },
	{ "%{d0}", "v=spf1 exists:%{d0}.example.com", 0, "MUST be nonzero", 14 },
	{ "%{d00}", "v=spf1 exists:%{d00}.example.com", 0, "MUST be nonzero", 14 },
	{ "%{} empty", "v=spf1 exists:%{}.example.com", 0, "empty macro", ANY },
	{ "%{d unterminated", "v=spf1 exists:x.%{d", 0, "unterminated", ANY },
	{ "%{d2r} bad order", "v=spf1 exists:%{dr2}.example.com", 0, "bad character in a macro",
	  ANY },
	{ "lone % at the end", "v=spf1 exists:example.com%", 0, "at the end", ANY },
	{ "%{c} in a mechanism", "v=spf1 a:%{c}.example.com", 0, "c, r and t", ANY },
	{ "%{t} in redirect", "v=spf1 redirect=%{t}.example.com", 0, "c, r and t", ANY },
	{ "ends in a macro then a dot", "v=spf1 a:%{d}.", 0, "does not end in", ANY },
	{ "macro then bare label", "v=spf1 a:%{d}com", 0, "does not end in", ANY },
	{ "toplabel ends with -", "v=spf1 a:example.com-", 0, "top-level label", ANY },
	{ "two trailing dots", "v=spf1 a:example.com..", 0, "top-level label", ANY },
	{ "unknown modifier with bad macro", "v=spf1 x=%{z}", 0, "unknown macro letter", ANY },
	{ "unknown modifier with non-ASCII", "v=spf1 x=caf\xc3\xa9", 0, "non-ASCII", ANY },
};

static void
test_broken(void)
{
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		const struct brec *b = &broken[i];
		struct mx_spf_record r;
		size_t n = b->len ? b->len : strlen(b->in);
		CHECK_INT(mx_spf_record_parse(b->in, n, &r), 0);
		int good = !r.ok && r.error != NULL && strstr(r.error, b->error) != NULL &&
		    (b->offset == ANY || r.error_offset == b->offset);
		CHECK(good);
		if (!good)
			fprintf(stderr, "  broken \"%s\": ok=%d error \"%s\" at %zu, want \"%s\" at "
			    "%lld\n", b->name, r.ok, r.error ? r.error : "(none)", r.error_offset,
			    b->error, (long long)b->offset);
		CHECK(r.error_offset <= n);
		mx_spf_record_finish(&r);
	}
}

/* ---- macro expansion (§7) ---- */

static const unsigned char ip4_rfc[4] = { 192, 0, 2, 3 };
static const unsigned char ip6_rfc[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0xcb, 0x01 };
static const unsigned char ip4_suite[4] = { 192, 168, 218, 40 };
static const unsigned char ip6_suite[16] = { 0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1 };
static const unsigned char ip4_1234[4] = { 1, 2, 3, 4 };
static const unsigned char ip4_stalwart[4] = { 192, 0, 2, 1 };
static const unsigned char ip6_mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0,
    2, 1 };

static const char *
ptr_name(void *arg)
{
	return arg;
}

struct vexp {
	const char *ms;
	const char *sender, *domain;
	const unsigned char *ip;
	int ipv6;
	int exp, name;
	const char *want;
};

#define RFC "strong-bad@email.example.com", "email.example.com"
static const struct vexp expansions[] = {
	/* RFC 7208 §7.4, verbatim */
	{ "%{s}", RFC, ip4_rfc, 0, 0, 1, "strong-bad@email.example.com" },
	{ "%{o}", RFC, ip4_rfc, 0, 0, 1, "email.example.com" },
	{ "%{d}", RFC, ip4_rfc, 0, 0, 1, "email.example.com" },
	{ "%{d4}", RFC, ip4_rfc, 0, 0, 1, "email.example.com" },
	{ "%{d3}", RFC, ip4_rfc, 0, 0, 1, "email.example.com" },
	{ "%{d2}", RFC, ip4_rfc, 0, 0, 1, "example.com" },
	{ "%{d1}", RFC, ip4_rfc, 0, 0, 1, "com" },
	{ "%{dr}", RFC, ip4_rfc, 0, 0, 1, "com.example.email" },
	{ "%{d2r}", RFC, ip4_rfc, 0, 0, 1, "example.email" },
	{ "%{l}", RFC, ip4_rfc, 0, 0, 1, "strong-bad" },
	{ "%{l-}", RFC, ip4_rfc, 0, 0, 1, "strong.bad" },
	{ "%{lr}", RFC, ip4_rfc, 0, 0, 1, "strong-bad" },
	{ "%{lr-}", RFC, ip4_rfc, 0, 0, 1, "bad.strong" },
	{ "%{l1r-}", RFC, ip4_rfc, 0, 0, 1, "strong" },
	{ "%{ir}.%{v}._spf.%{d2}", RFC, ip4_rfc, 0, 0, 1, "3.2.0.192.in-addr._spf.example.com" },
	{ "%{lr-}.lp._spf.%{d2}", RFC, ip4_rfc, 0, 0, 1, "bad.strong.lp._spf.example.com" },
	{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", RFC, ip4_rfc, 0, 0, 1,
	  "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
	{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", RFC, ip4_rfc, 0, 0, 1,
	  "3.2.0.192.in-addr.strong.lp._spf.example.com" },
	{ "%{d2}.trusted-domains.example.net", RFC, ip4_rfc, 0, 0, 1,
	  "example.com.trusted-domains.example.net" },
	{ "%{ir}.%{v}._spf.%{d2}", RFC, ip6_rfc, 1, 0, 1, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	  "0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com" },
	/* stalwart macro.yml */
	{ "%{ir}.%{l1r+-}._spf.%{d}", "someuser@example.com", "example.com", ip4_stalwart, 0, 0, 1,
	  "1.2.0.192.someuser._spf.example.com" },
	{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", RFC, ip6_rfc, 1, 0, 1, "bad.strong.lp.1.0.b.c.0.0.0.0."
	  "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com" },
	/* the openspf suite, "Macro expansion rules" */
	{ "macro%%percent%_%_space%-url-space.example.com", "test@e1a.example.com",
	  "e1a.example.com", ip4_1234, 0, 0, 1, "macro%percent  space%20url-space.example.com" },
	{ "Connections from %{c} not authorized.", "test@e3.example.com", "e3.example.com",
	  ip4_suite, 0, 1, 0, "Connections from 192.168.218.40 not authorized." },
	{ "%{ir}.example.com", "test@e3.example.com", "e3.example.com", ip4_suite, 0, 0, 1,
	  "40.218.168.192.example.com" },
	{ "%{c} is queried as %{ir}.%{v}.arpa", "test@e4.example.com", "e4.example.com", ip4_suite, 0,
	  1, 0, "192.168.218.40 is queried as 40.218.168.192.in-addr.arpa" },
	/* v-macro-ip6: the suite writes the nibbles in upper case; §7.4 and DNS do not care */
	{ "%{c} is queried as %{ir}.%{v}.arpa", "test@e4.example.com", "e4.example.com", ip6_suite, 1,
	  1, 0, "cafe:babe::1 is queried as 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.e.b.a.b.e."
	  "f.a.c.ip6.arpa" },
	{ "foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com",
	  "test@somewhat.long.exp.example.com", "somewhat.long.exp.example.com", ip4_suite, 0, 0, 1,
	  "somewhat.long.exp.example.com.somewhat.long.exp.example.com.somewhat.long.exp.example.com."
	  "somewhat.long.exp.example.com.somewhat.long.exp.example.com.somewhat.long.exp.example.com."
	  "somewhat.long.exp.example.com.somewhat.long.exp.example.com.example.com" },
	{ "%{d}.d.spf.example.com.", "test@example.com", "example.com", ip4_suite, 0, 0, 1,
	  "example.com.d.spf.example.com" },	/* trailing-dot-domain */
	{ "This is a test.", "test@exp.example.com", "exp.example.com", ip4_suite, 0, 1, 0,
	  "This is a test." },			/* trailing-dot-exp */
	{ "connect from %{p}", "test@e6.example.com", "e6.example.com", ip4_suite, 0, 1, 0,
	  "connect from mx.example.com" },
	{ "http://example.com/why.html?l=%{L}", "~jack&jill=up-a_b3.c@e8.example.com",
	  "e8.example.com", ip4_suite, 0, 1, 0,
	  "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c" },	/* upper-macro */
	{ "msg8.%{D2}", "~jack&jill=up-a_b3.c@e8.example.com", "e8.example.com", ip4_suite, 0, 0, 1,
	  "msg8.example.com" },
	{ "%{i}.%{l2r-}.user.%{d2}", "philip-gladstone-test@e11.example.com", "e11.example.com",
	  ip4_1234, 0, 0, 1, "1.2.3.4.gladstone.philip.user.example.com" },
	{ "%{l2r+-}.user.%{d2}", "foo-bar+zip+quux@e12.example.com", "e12.example.com", ip4_1234, 0,
	  0, 1, "bar.foo.user.example.com" },
	{ "%{l} in implementation", "Macro Error@e8.example.com", "e8.example.com", ip4_1234, 0, 1, 0,
	  "Macro Error in implementation" },	/* dorky-sentinel */
	{ "_spfh.%{d2}", "test@e10.example.com", "e10.example.com", ip4_1234, 0, 0, 1,
	  "_spfh.example.com" },
	{ "%{l}", "@example.net", "example.net", ip4_1234, 0, 1, 0, "postmaster" },	/* nolocalpart */
	/* every letter, upper and lower */
	{ "%{h}|%{H}", RFC, ip4_rfc, 0, 1, 0, "JUMPIN' JUPITER|JUMPIN%27%20JUPITER" },
	{ "%{v} %{V}", RFC, ip6_rfc, 1, 1, 0, "ip6 ip6" },
	{ "%{c} %{C}", RFC, ip6_rfc, 1, 1, 0, "2001:db8::cb01 2001%3Adb8%3A%3Acb01" },
	{ "%{c}", RFC, ip6_mapped, 1, 1, 0, "::ffff:192.0.2.1" },
	{ "%{i}", RFC, ip6_mapped, 1, 0, 1, "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.f.f.f.f.c.0.0.0."
	  "0.2.0.1" },
	{ "%{r} %{R} %{t}", RFC, ip4_rfc, 0, 1, 0, "mx.receiver.example mx.receiver.example "
	  "1400000000" },
	{ "%{p}.%{P}", RFC, ip4_rfc, 0, 0, 1, "mx.example.com.mx.example.com" },
	{ "%{S}", "a b@x.example", "x.example", ip4_rfc, 0, 1, 0, "a%20b%40x.example" },
	{ "%{O}%{D}", "a@x.example", "y.example", ip4_rfc, 0, 0, 1, "x.exampley.example" },
	/* transformers */
	{ "%{d2147483648}", RFC, ip4_rfc, 0, 0, 1, "email.example.com" },
	{ "%{d999999999999r}", RFC, ip4_rfc, 0, 0, 1, "com.example.email" },
	{ "%{d127}", RFC, ip4_rfc, 0, 0, 1, "email.example.com" },
	{ "%{d01}", RFC, ip4_rfc, 0, 0, 1, "com" },
	{ "%{dR}", RFC, ip4_rfc, 0, 0, 1, "com.example.email" },
	{ "%{ir}", RFC, ip6_rfc, 1, 0, 1, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1."
	  "0.0.2" },
	{ "%{i1r}", RFC, ip6_rfc, 1, 0, 1, "2" },	/* the right-most of the reversed list */
	{ "%{s=}", "a=b@c.d", "c.d", ip4_rfc, 0, 0, 1, "a.b@c.d" },	/* "@" is no delimiter */
	{ "%{s2r.}", "a.b@c.d", "c.d", ip4_rfc, 0, 0, 1, "b@c.a" },
	{ "%{l/,_}", "a/b,c_d@x.example", "x.example", ip4_rfc, 0, 0, 1, "a.b.c.d" },
	{ "%{lr-}", "-a--b-@x.example", "x.example", ip4_rfc, 0, 1, 0, ".b..a." },
	{ "%{lr-}", "-a--b-@x.example", "x.example", ip4_rfc, 0, 0, 1, ".b..a" },	/* as a name: the dot goes */
	{ "%{l2}", "-a--b-@x.example", "x.example", ip4_rfc, 0, 0, 1, "-a--b-" },
	{ "%{l2-}", "-a--b-@x.example", "x.example", ip4_rfc, 0, 1, 0, "b." },
	{ "", RFC, ip4_rfc, 0, 1, 0, "" },
	{ "%%%_%-", RFC, ip4_rfc, 0, 1, 0, "% %20" },
	{ "%{d}.", RFC, ip4_rfc, 0, 1, 0, "email.example.com." },	/* exp keeps the dot */
	{ "%{d}..", RFC, ip4_rfc, 0, 0, 1, "email.example.com." },	/* only one is dropped */
};

static void
set_ctx(struct mx_spf_macro_ctx *m, const char *sender, const char *domain,
    const unsigned char *ip, int ipv6)
{
	memset(m, 0, sizeof *m);
	m->sender = sender;
	m->domain = domain;
	m->ip = ip;
	m->ipv6 = ipv6;
	m->helo = "JUMPIN' JUPITER";
	m->receiver = "mx.receiver.example";
	m->now = 1400000000;
	m->p = ptr_name;
	m->p_arg = (void *)(uintptr_t)"mx.example.com";
}

static void
test_expand(void)
{
	static char out[MX_SPF_MAX_EXPANSION + 1];
	for (size_t i = 0; i < sizeof expansions / sizeof expansions[0]; i++) {
		const struct vexp *v = &expansions[i];
		struct mx_spf_macro_ctx m;
		const char *err = "unset";
		set_ctx(&m, v->sender, v->domain, v->ip, v->ipv6);
		int rc = mx_spf_expand(v->ms, &m, v->exp, v->name, out, sizeof out, &err);
		CHECK_INT(rc, 0);
		if (rc != 0) {
			fprintf(stderr, "  expand \"%s\": %s\n", v->ms, err);
			continue;
		}
		CHECK(err == NULL);
		CHECK_STR(out, v->want);
	}
	/* p: no callback, or one that knows nothing, gives "unknown" */
	struct mx_spf_macro_ctx m;
	set_ctx(&m, "a@b.example", "b.example", ip4_rfc, 0);
	m.p = NULL;
	CHECK_INT(mx_spf_expand("%{p}", &m, 0, 1, out, sizeof out, NULL), 0);
	CHECK_STR(out, "unknown");
	/* no context at all: empty values, never a crash */
	CHECK_INT(mx_spf_expand("x%{s}%{l}%{i}%{c}.%{d}", NULL, 1, 0, out, sizeof out, NULL), 0);
	CHECK_STR(out, "xpostmaster.");
}

struct bexp {
	const char *ms;
	int exp;
	const char *error;
};

static const struct bexp broken_exp[] = {
	{ "The %{x}-files.", 1, "unknown macro letter" },	/* explanation-syntax-error */
	{ "%{a}.example.com", 0, "unknown macro letter" },	/* undef-macro */
	{ "%{r}.example.com", 0, "c, r and t" },		/* exp-only-macro-char */
	{ "%{c}", 0, "c, r and t" },
	{ "%{T}", 0, "c, r and t" },
	{ "%(ir).sbl.example.com", 0, "not followed" },
	{ "foo%.sbl.example.com", 0, "not followed" },
	{ "%x", 1, "not followed" },
	{ "%", 1, "at the end" },
	{ "abc%", 0, "at the end" },
	{ "%{", 0, "unterminated" },
	{ "%{d2", 0, "unterminated" },
	{ "%{d2r.", 0, "unterminated" },
	{ "%{d0}", 0, "MUST be nonzero" },
	{ "%{d0000000000}", 0, "MUST be nonzero" },
	{ "%{d r}", 1, "bad character" },
	{ "%{dx}", 0, "bad character" },
	{ "%{}", 0, "empty macro" },
	{ "a b", 0, "space" },
	{ "caf\xc3\xa9", 1, "non-ASCII" },
	{ "a\tb", 1, "control character" },
	{ "%{d}%_%{ir} %{", 1, "unterminated" },
};

static void
test_expand_broken(void)
{
	static char out[MX_SPF_MAX_EXPANSION + 1];
	struct mx_spf_macro_ctx m;
	set_ctx(&m, "strong-bad@email.example.com", "email.example.com", ip4_rfc, 0);
	for (size_t i = 0; i < sizeof broken_exp / sizeof broken_exp[0]; i++) {
		const struct bexp *b = &broken_exp[i];
		const char *err = NULL;
		out[0] = 'X';
		int rc = mx_spf_expand(b->ms, &m, b->exp, !b->exp, out, sizeof out, &err);
		int good = rc == -1 && err != NULL && strstr(err, b->error) != NULL;
		CHECK(good);
		if (!good)
			fprintf(stderr, "  broken expand \"%s\": rc %d, \"%s\"\n", b->ms, rc,
			    err ? err : "(null)");
		CHECK_STR(out, "");
	}
	/* no room at all */
	const char *err = NULL;
	CHECK_INT(mx_spf_expand("x", &m, 0, 1, out, 0, &err), -1);
	CHECK(err != NULL);
	/* a result larger than the caller's buffer is an error, not a cut */
	char small[8];
	CHECK_INT(mx_spf_expand("%{d}", &m, 0, 1, small, sizeof small, &err), -1);
	CHECK_STR(small, "");
	CHECK_INT(mx_spf_expand("%{d1}", &m, 0, 1, small, sizeof small, &err), 0);
	CHECK_STR(small, "com");
}

/* ---- §7.3 truncation to 253, against a naive reference ---- */

/* Drop labels from the left until at most 253 remain (RFC 7208 §7.3), after one trailing dot. */
static void
naive_truncate(char *s)
{
	size_t n = strlen(s);
	if (n && s[n - 1] == '.')
		s[--n] = '\0';
	while (n > MX_SPF_MAX_NAME) {
		char *dot = strchr(s, '.');
		if (dot == NULL) {
			s[0] = '\0';
			return;
		}
		memmove(s, dot + 1, strlen(dot + 1) + 1);
		n = strlen(s);
	}
}

/* strncat without its truncation warning: src holds at least n bytes */
static void
appendn(char *dst, const char *src, size_t n)
{
	size_t l = strlen(dst);
	memcpy(dst + l, src, n);
	dst[l + n] = '\0';
}

static void
test_truncation(void)
{
	static char out[MX_SPF_MAX_EXPANSION + 1];
	static char ms[20000], want[200000], sender[600];
	struct mx_spf_macro_ctx m;
	const char *err = NULL;

	/* five 60-byte labels and example.com: 316 bytes, two labels go */
	memset(sender, 'a', 60);
	strcpy(sender + 60, "@example.com");
	set_ctx(&m, sender, "example.com", ip4_rfc, 0);
	CHECK_INT(mx_spf_expand("%{l}.%{l}.%{l}.%{l}.%{l}.example.com", &m, 0, 1, out, sizeof out,
	    &err), 0);
	CHECK_INT(strlen(out), 3 * 61 + 11);
	CHECK(strncmp(out, sender, 60) == 0 && strcmp(out + 3 * 61, "example.com") == 0);

	/* exactly 253: kept whole; 254: the first label goes */
	char l253[300];
	memset(l253, 'b', 241);
	strcpy(l253 + 241, ".example.com");	/* 241 + 12 = 253 */
	CHECK_INT(mx_spf_expand(l253, &m, 0, 1, out, sizeof out, &err), 0);
	CHECK_INT(strlen(out), 253);
	char l254[300];
	strcpy(l254, "c");
	strcat(l254, l253);
	CHECK_INT(mx_spf_expand(l254, &m, 0, 1, out, sizeof out, &err), 0);
	CHECK_STR(out, "example.com");
	/* a single label over 253 leaves nothing: not a name */
	memset(l254, 'd', 254);
	l254[254] = '\0';
	CHECK_INT(mx_spf_expand(l254, &m, 0, 1, out, sizeof out, &err), 0);
	CHECK_STR(out, "");
	/* but the same as an explanation is kept */
	CHECK_INT(mx_spf_expand(l254, &m, 1, 0, out, sizeof out, &err), 0);
	CHECK_INT(strlen(out), 254);

	/* growing far past MX_SPF_MAX_EXPANSION: 200 macros with a 450-byte local-part */
	for (size_t i = 0; i < 450; i++)
		sender[i] = i % 7 == 6 ? '.' : (char)('a' + i % 26);
	strcpy(sender + 450, "@example.com");
	set_ctx(&m, sender, "example.com", ip4_rfc, 0);
	ms[0] = want[0] = '\0';
	for (int i = 0; i < 200; i++) {
		if (i % 3 == 0) {
			strcat(ms, "%{s}.");
			strcat(want, sender);
			strcat(want, ".");
		} else if (i % 3 == 1) {
			strcat(ms, "%{l}-");
			appendn(want, sender, 450);
			strcat(want, "-");
		} else {
			strcat(ms, "%{o}");
			strcat(want, "example.com");
		}
	}
	strcat(ms, ".tail.example.");
	strcat(want, ".tail.example.");
	naive_truncate(want);
	CHECK_INT(mx_spf_expand(ms, &m, 0, 1, out, sizeof out, &err), 0);
	CHECK_STR(out, want);
	CHECK(strlen(out) <= MX_SPF_MAX_NAME);
	/* the same as an explanation is too long: an error, never a silent cut */
	CHECK_INT(mx_spf_expand(ms, &m, 1, 0, out, sizeof out, &err), -1);
	CHECK(err != NULL && strstr(err, "MX_SPF_MAX_EXPANSION") != NULL);

	/* the window keeps a label boundary that falls just at its edge */
	for (size_t k = 240; k < 262; k++) {
		ms[0] = want[0] = '\0';
		memset(sender, 'e', k);
		strcpy(sender + k, "@example.com");
		set_ctx(&m, sender, "example.com", ip4_rfc, 0);
		for (int i = 0; i < 40; i++) {
			strcat(ms, "%{l}.");
			appendn(want, sender, k);
			strcat(want, ".");
		}
		strcat(ms, "x.example");
		strcat(want, "x.example");
		naive_truncate(want);
		CHECK_INT(mx_spf_expand(ms, &m, 0, 1, out, sizeof out, &err), 0);
		CHECK_STR(out, want);
	}
}

/* ---- mx_spf_macro_letters ---- */

static void
test_letters(void)
{
	char b[16];
	mx_spf_macro_letters("%{ir}.%{v}._spf.%{d2}", b, sizeof b);
	CHECK_STR(b, "i");
	mx_spf_macro_letters("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", b, sizeof b);
	CHECK_STR(b, "li");
	mx_spf_macro_letters("%{S}.%{s}.%{H}.%{o}.%{P}.%{L}.%{i}", b, sizeof b);
	CHECK_STR(b, "shopli");
	mx_spf_macro_letters("%%{l}.%{d}.example.com", b, sizeof b);
	CHECK_STR(b, "");
	mx_spf_macro_letters("example.com", b, sizeof b);
	CHECK_STR(b, "");
	mx_spf_macro_letters("%{l}%", b, sizeof b);
	CHECK_STR(b, "l");
	mx_spf_macro_letters("%{s}%{l}%{o}", b, 3);
	CHECK_STR(b, "sl");
	mx_spf_macro_letters("%{", b, sizeof b);
	CHECK_STR(b, "");
	mx_spf_macro_letters(NULL, b, sizeof b);
	CHECK_STR(b, "");
	mx_spf_macro_letters("%{s}", b, 0);	/* no room: untouched, no crash */
}

/* ---- hostile records and limits ---- */

static char *
repeat(const char *head, const char *unit, size_t total)
{
	char *s = malloc(total + 64);	/* room for a short tail */
	size_t h = strlen(head), u = strlen(unit), o = h;
	if (s == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	memcpy(s, head, h);
	while (o + u <= total) {
		memcpy(s + o, unit, u);
		o += u;
	}
	s[o] = '\0';
	return s;
}

static void
test_hostile(void)
{
	struct mx_spf_record r;
	char *s;

	/* 10 000 characters of terms (833 ip4: terms): valid, RFC 7208 sets no limit */
	s = repeat("v=spf1", " ip4:1.2.3.4", 10000);
	CHECK_INT(mx_spf_record_parse(s, strlen(s), &r), 0);
	CHECK(r.ok && r.nterms == (10000 - 6) / 12);
	CHECK_INT(r.length, strlen(s));
	mx_spf_record_finish(&r);
	free(s);

	/* one 10 000-character term: valid syntax; its expansion is cut to 253 */
	s = repeat("v=spf1 a:", "abcdefgh.", 9997);
	strcat(s, "com");
	CHECK(strlen(s) >= 9990);
	CHECK_INT(mx_spf_record_parse(s, strlen(s), &r), 0);
	CHECK(r.ok && r.nterms == 1);
	if (r.ok && r.nterms == 1) {
		static char out[MX_SPF_MAX_EXPANSION + 1], want[10001];
		struct mx_spf_macro_ctx m;
		set_ctx(&m, "a@b.example", "b.example", ip4_rfc, 0);
		CHECK_INT(mx_spf_expand(r.terms[0].domain_spec, &m, 0, 1, out, sizeof out, NULL), 0);
		strcpy(want, r.terms[0].domain_spec);
		naive_truncate(want);
		CHECK_STR(out, want);
		CHECK_INT(strlen(out), 27 * 9 + 3);	/* 27 labels "abcdefgh." and "com" */
	}
	mx_spf_record_finish(&r);
	free(s);

	/* 10 000 spaces */
	s = repeat("v=spf1", " ", 10000);
	CHECK_INT(mx_spf_record_parse(s, strlen(s), &r), 0);
	CHECK(r.ok && r.nterms == 0);
	mx_spf_record_finish(&r);
	free(s);

	/* at the limit: MX_SPF_MAX_TERMS terms (directives and a redirect) */
	size_t n = MX_SPF_MAX_TERMS - 1;
	s = repeat("v=spf1", " a", 6 + n * 2);
	size_t tcap = strlen(s) + 64;
	char *t = malloc(tcap);
	if (t == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	snprintf(t, tcap, "%s redirect=x.example", s);
	CHECK_INT(mx_spf_record_parse(t, strlen(t), &r), 0);
	CHECK(r.ok && r.nterms == n && r.redirect != NULL);
	mx_spf_record_finish(&r);
	/* over it by one */
	snprintf(t, tcap, "%s x=y redirect=x.example", s);
	CHECK_INT(mx_spf_record_parse(t, strlen(t), &r), 0);
	CHECK(!r.ok && strstr(r.error, "MX_SPF_MAX_TERMS") != NULL);
	mx_spf_record_finish(&r);
	free(t);
	free(s);
	s = repeat("v=spf1", " -all", 6 + MX_SPF_MAX_TERMS * 5);
	CHECK_INT(mx_spf_record_parse(s, strlen(s), &r), 0);
	CHECK(r.ok && r.nterms == MX_SPF_MAX_TERMS);
	mx_spf_record_finish(&r);
	free(s);
	s = repeat("v=spf1", " -all", 6 + (MX_SPF_MAX_TERMS + 1) * 5);
	CHECK_INT(mx_spf_record_parse(s, strlen(s), &r), 0);
	CHECK(!r.ok && r.nterms == MX_SPF_MAX_TERMS);
	mx_spf_record_finish(&r);
	free(s);

	/* the error detail is escaped and cut */
	const char bad[] = "v=spf1 a:\x01\"\\xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	CHECK_INT(mx_spf_record_parse(bad, sizeof bad - 1, &r), 0);
	CHECK(!r.ok && r.error_detail != NULL);
	if (r.error_detail) {
		CHECK(strncmp(r.error_detail, "a:\\x01\\\"\\\\", 10) == 0);
		CHECK(strcmp(r.error_detail + strlen(r.error_detail) - 3, "...") == 0);
	}
	mx_spf_record_finish(&r);

	/* NULL with a length is not read */
	CHECK_INT(mx_spf_record_parse(NULL, 5, &r), 0);
	CHECK(!r.ok);
	mx_spf_record_finish(&r);

	/* the record ends at len, not at a NUL */
	CHECK_INT(mx_spf_record_parse("v=spf1 -all moo", 11, &r), 0);
	CHECK(r.ok && r.nterms == 1);
	mx_spf_record_finish(&r);
}

int
main(void)
{
	test_is_record();
	test_valid();
	test_details();
	test_broken();
	test_expand();
	test_expand_broken();
	test_truncation();
	test_letters();
	test_hostile();
	return unit_done("spf_record");
}
