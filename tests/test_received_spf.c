/*
 * test_received_spf.c - unit table for parsers/received_spf.c (RFC 7208 §9.1).
 */
#include <stdlib.h>
#include <string.h>

#include "received_spf.h"
#include "unit.h"

static int
parse(const char *s, struct mx_received_spf *r)
{
	return mx_received_spf_parse(s, strlen(s), r);
}

/* RFC 7208 §9.1 examples */
static void
test_rfc(void)
{
	struct mx_received_spf r;

	CHECK_INT(parse("pass (mybox.example.org: domain of\r\n myname@example.com designates "
	    "192.0.2.1 as permitted sender)\r\n receiver=mybox.example.org; client-ip=192.0.2.1;\r\n"
	    " envelope-from=\"myname@example.com\"; helo=foo.example.com;", &r), 0);
	CHECK_STR(r.result, "pass");
	CHECK_STR(r.comment, "mybox.example.org: domain of myname@example.com designates "
	    "192.0.2.1 as permitted sender");
	CHECK_INT(r.nkv, 4);
	CHECK_STR(mx_received_spf_get(&r, "receiver"), "mybox.example.org");
	CHECK_STR(mx_received_spf_get(&r, "client-ip"), "192.0.2.1");
	CHECK_STR(mx_received_spf_get(&r, "envelope-from"), "myname@example.com");
	CHECK_STR(mx_received_spf_get(&r, "helo"), "foo.example.com");
	CHECK_INT(r.lenient, 0);
	mx_received_spf_finish(&r);

	CHECK_INT(parse("fail (mybox.example.org: domain of myname@example.com does not designate "
	    "192.0.2.1 as permitted sender) identity=mailfrom; client-ip=192.0.2.1; "
	    "envelope-from=\"myname@example.com\";", &r), 0);
	CHECK_STR(r.result, "fail");
	CHECK_STR(mx_received_spf_get(&r, "identity"), "mailfrom");
	CHECK(mx_received_spf_get(&r, "helo") == NULL);
	CHECK_INT(r.lenient, 0);
	mx_received_spf_finish(&r);

	/* every result word, no comment, no keys */
	static const char *const words[] = { "pass", "fail", "softfail", "neutral", "none",
	    "temperror", "permerror" };
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		CHECK_INT(parse(words[i], &r), 0);
		CHECK_STR(r.result, words[i]);
		CHECK_INT(r.lenient, 0);
		mx_received_spf_finish(&r);
	}

	/* mechanism, problem, x- keys, quoted-pair in a value */
	CHECK_INT(parse("permerror (bad record) problem=\"unknown \\\"mechanism\\\"\"; "
	    "mechanism=\"ip9:1\"; x-foo=bar", &r), 0);
	CHECK_STR(mx_received_spf_get(&r, "problem"), "unknown \"mechanism\"");
	CHECK_STR(mx_received_spf_get(&r, "mechanism"), "ip9:1");
	CHECK_STR(mx_received_spf_get(&r, "x-foo"), "bar");
	CHECK_INT(r.lenient, 0);
	mx_received_spf_finish(&r);
}

/* what providers write */
static void
test_providers(void)
{
	struct mx_received_spf r;

	/* Google */
	CHECK_INT(parse("pass (google.com: domain of bounces@example.com designates 209.85.220.41 "
	    "as permitted sender) client-ip=209.85.220.41;", &r), 0);
	CHECK_STR(r.result, "pass");
	CHECK_STR(r.comment, "google.com: domain of bounces@example.com designates 209.85.220.41 "
	    "as permitted sender");
	CHECK_STR(mx_received_spf_get(&r, "client-ip"), "209.85.220.41");
	CHECK_INT(r.nkv, 1);
	CHECK_INT(r.lenient, 0);
	mx_received_spf_finish(&r);

	/* Microsoft: capitalised result, pr= key */
	CHECK_INT(parse("Pass (protection.outlook.com: domain of example.com designates 40.107.1.1 "
	    "as permitted sender) receiver=protection.outlook.com; client-ip=40.107.1.1; "
	    "helo=mail.example.com; pr=C", &r), 0);
	CHECK_STR(r.result, "pass");
	CHECK_STR(mx_received_spf_get(&r, "receiver"), "protection.outlook.com");
	CHECK_STR(mx_received_spf_get(&r, "client-ip"), "40.107.1.1");
	CHECK_STR(mx_received_spf_get(&r, "helo"), "mail.example.com");
	CHECK_STR(mx_received_spf_get(&r, "pr"), "C");
	CHECK_INT(r.lenient, 1);	/* "Pass" */
	mx_received_spf_finish(&r);

	/* Composition Kills A1: identity=helo, the envelope-from is something else */
	CHECK_INT(parse("Pass (helo) identity=helo; client-ip=1.2.3.4; helo=attack.com; "
	    "envelope-from=any@notexist.legit.com", &r), 0);
	CHECK_STR(r.result, "pass");
	CHECK_STR(r.comment, "helo");
	CHECK_STR(mx_received_spf_get(&r, "identity"), "helo");
	CHECK_STR(mx_received_spf_get(&r, "helo"), "attack.com");
	CHECK_STR(mx_received_spf_get(&r, "envelope-from"), "any@notexist.legit.com");
	CHECK_STR(mx_received_spf_get(&r, "client-ip"), "1.2.3.4");
	mx_received_spf_finish(&r);

	/* IPv6 client-ip, no ';' between pairs */
	CHECK_INT(parse("softfail (x) client-ip=2001:db8::1 helo=a.example", &r), 0);
	CHECK_STR(mx_received_spf_get(&r, "client-ip"), "2001:db8::1");
	CHECK_STR(mx_received_spf_get(&r, "helo"), "a.example");
	CHECK_INT(r.lenient, 1);
	mx_received_spf_finish(&r);
}

static void
test_broken(void)
{
	struct mx_received_spf r;

	CHECK_INT(parse("", &r), 0);
	CHECK_STR(r.result, "");
	CHECK_INT(r.lenient, 1);
	mx_received_spf_finish(&r);

	CHECK_INT(parse("client-ip=1.2.3.4", &r), 0);	/* no result word */
	CHECK_STR(r.result, "");
	CHECK_STR(mx_received_spf_get(&r, "client-ip"), "1.2.3.4");
	mx_received_spf_finish(&r);

	CHECK_INT(parse("bogus (c) helo=\"unterminated", &r), 0);
	CHECK_STR(r.result, "bogus");
	CHECK_STR(mx_received_spf_get(&r, "helo"), "unterminated");
	CHECK_INT(r.lenient, 1);
	mx_received_spf_finish(&r);

	CHECK_INT(parse("pass (unterminated comment helo=x", &r), 0);
	CHECK_STR(r.comment, "unterminated comment helo=x");
	CHECK_INT(r.nkv, 0);
	CHECK_INT(r.lenient, 1);
	mx_received_spf_finish(&r);

	CHECK_INT(parse("pass ; ; junk junk; helo=h.example; =x; helo=second", &r), 0);
	CHECK_STR(mx_received_spf_get(&r, "helo"), "h.example");	/* first wins */
	CHECK_INT(r.lenient, 1);
	mx_received_spf_finish(&r);

	static const char nul[] = "pass (a\0b) helo=x\0y";
	CHECK_INT(mx_received_spf_parse(nul, sizeof nul - 1, &r), 0);
	CHECK_STR(r.comment, "ab");
	CHECK_STR(mx_received_spf_get(&r, "helo"), "x");
	CHECK_INT(r.lenient, 1);
	mx_received_spf_finish(&r);

	/* MX_RSPF_MAX_KEYS: at and over */
	char buf[4096];
	size_t n = (size_t)snprintf(buf, sizeof buf, "pass");
	for (int i = 0; i < MX_RSPF_MAX_KEYS; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, " x-k%d=v;", i);
	CHECK_INT(mx_received_spf_parse(buf, n, &r), 0);
	CHECK_INT(r.nkv, MX_RSPF_MAX_KEYS);
	CHECK_INT(r.lenient, 0);
	mx_received_spf_finish(&r);
	n += (size_t)snprintf(buf + n, sizeof buf - n, " x-over=v;");
	CHECK_INT(mx_received_spf_parse(buf, n, &r), 0);
	CHECK_INT(r.nkv, MX_RSPF_MAX_KEYS);
	CHECK_INT(r.lenient, 1);
	CHECK(mx_received_spf_get(&r, "x-over") == NULL);
	mx_received_spf_finish(&r);

	/* a field far over the length limit is cut, flagged, and still read */
	size_t big = 1 << 20;
	char *huge = malloc(big);
	if (huge != NULL) {
		memcpy(huge, "pass helo=", 10);
		memset(huge + 10, 'a', big - 10);
		CHECK_INT(mx_received_spf_parse(huge, big, &r), 0);
		CHECK_STR(r.result, "pass");
		CHECK_INT(r.lenient, 1);
		CHECK(strlen(mx_received_spf_get(&r, "helo")) < 65536);
		mx_received_spf_finish(&r);
		memcpy(huge, "pass ", 5);
		memset(huge + 5, '(', big - 5);
		CHECK_INT(mx_received_spf_parse(huge, big, &r), 0);
		CHECK_INT(r.lenient, 1);
		mx_received_spf_finish(&r);
		free(huge);
	}

	CHECK_INT(mx_received_spf_parse(NULL, 0, &r), 0);
	mx_received_spf_finish(&r);
	mx_received_spf_finish(&r);
}

int
main(void)
{
	test_rfc();
	test_providers();
	test_broken();
	return unit_done("received_spf");
}
