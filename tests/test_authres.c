/*
 * test_authres.c - unit table for parsers/authres.c (RFC 8601 §2.2,
 * RFC 8617 §4.1.1).  Valid vectors, lenient (non-RFC but real) vectors,
 * rejected vectors and the limits, kept apart.
 */
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "unit.h"

static int
parse(const char *s, int arc, struct mx_authres *ar)
{
	return mx_authres_parse(s, strlen(s), arc, ar);
}

/* ---- valid: RFC 8601 Appendix B and friends ---- */

static void
test_valid(void)
{
	struct mx_authres ar;

	/* RFC 8601 B.2 */
	CHECK_INT(parse("example.org 1; none", 0, &ar), MX_AR_OK);
	CHECK_STR(ar.authserv_id, "example.org");
	CHECK_INT(ar.version, 1);
	CHECK_INT(ar.none, 1);
	CHECK_INT(ar.nresults, 0);
	CHECK_INT(ar.flags, 0);
	CHECK(ar.error == NULL);
	mx_authres_finish(&ar);

	/* RFC 8601 B.4, several results and a comment */
	CHECK_INT(parse("example.com;\r\n  auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
	    "  spf=pass smtp.mailfrom=example.net", 0, &ar), MX_AR_OK);
	CHECK_INT(ar.nresults, 2);
	CHECK_STR(ar.results[0].method, "auth");
	CHECK_STR(ar.results[0].comment, "cram-md5");
	CHECK_STR(mx_authres_prop_get(&ar.results[0], "smtp", "auth"), "sender@example.net");
	CHECK_STR(mx_authres_prop_get(&ar.results[1], "SMTP", "MailFrom"), "example.net");
	CHECK(mx_authres_prop_get(&ar.results[1], "smtp", "helo") == NULL);
	mx_authres_finish(&ar);

	/* case folding: method/result/ptype/property lower, values exact */
	CHECK_INT(parse("Example.COM; DKIM=Pass Header.D=Example.NET header.b=AbC/d+e=", 0, &ar),
	    MX_AR_OK);
	CHECK_STR(ar.authserv_id, "Example.COM");
	CHECK_STR(ar.results[0].method, "dkim");
	CHECK_STR(ar.results[0].result, "pass");
	CHECK_STR(ar.results[0].props[0].ptype, "header");
	CHECK_STR(ar.results[0].props[0].property, "d");
	CHECK_STR(ar.results[0].props[0].value, "Example.NET");
	CHECK_STR(ar.results[0].props[1].value, "AbC/d+e=");
	mx_authres_finish(&ar);

	/* reason=, quoted values, ";" inside a quoted reason, quoted-pair */
	CHECK_INT(parse("mx.example; dkim=pass reason=\"1024-bit key; insecure \\\"key\\\"\" "
	    "header.d=\"example.com\"", 0, &ar), MX_AR_OK);
	CHECK_INT(ar.nresults, 1);
	CHECK_STR(ar.results[0].reason, "1024-bit key; insecure \"key\"");
	CHECK_STR(ar.results[0].props[0].value, "example.com");
	mx_authres_finish(&ar);

	/* RFC 8601 B.6 comment-heavy: comments everywhere, nested, version */
	CHECK_INT(parse("foo.example.net (foobar) 1 (baz);\n dkim (Because I like it) / 1 "
	    "(One yay) = (wait for it) fail\n policy (A dot can go here) . (like that) expired\n"
	    " (this surprised me) = (as I wasn't expecting it) 1362471462", 0, &ar), MX_AR_OK);
	CHECK_STR(ar.authserv_comment, "foobar baz");
	CHECK_INT(ar.version, 1);
	CHECK_INT(ar.results[0].method_version, 1);
	CHECK_STR(ar.results[0].comment, "Because I like it One yay wait for it");
	CHECK_STR(ar.results[0].props[0].ptype, "policy");
	CHECK_STR(ar.results[0].props[0].property, "expired");
	CHECK_STR(ar.results[0].props[0].value, "1362471462");
	CHECK_STR(ar.results[0].props[0].comment,
	    "A dot can go here like that this surprised me as I wasn't expecting it");
	mx_authres_finish(&ar);

	/* nested comment with quoted-pairs; comment after a value belongs to it */
	CHECK_INT(parse("a.example; iprev=pass policy.iprev=192.0.2.1 (mail (x\\) y) \\( z)", 0, &ar),
	    MX_AR_OK);
	CHECK_STR(ar.results[0].props[0].value, "192.0.2.1");
	CHECK_STR(ar.results[0].props[0].comment, "mail (x\\) y) \\( z");
	mx_authres_finish(&ar);

	/* pvalue forms: @domain, local@domain, quoted local-part, quoted IPv6 */
	CHECK_INT(parse("a.example; dkim=pass header.i=@mail.example header.i=u@d.example "
	    "smtp.mailfrom=\"john doe\"@d.example policy.iprev=\"2001:db8::1\"", 0, &ar), MX_AR_OK);
	CHECK_STR(ar.results[0].props[0].value, "@mail.example");
	CHECK_STR(ar.results[0].props[1].value, "u@d.example");
	CHECK_STR(ar.results[0].props[2].value, "\"john doe\"@d.example");
	CHECK_STR(ar.results[0].props[3].value, "2001:db8::1");
	mx_authres_finish(&ar);

	/* quoted authserv-id; trailing ";" accepted */
	CHECK_INT(parse("\"mx.example\"; spf=none smtp.helo=h.example;", 0, &ar), MX_AR_OK);
	CHECK_STR(ar.authserv_id, "mx.example");
	CHECK_INT(ar.nresults, 1);
	mx_authres_finish(&ar);

	/* a Gmail field */
	CHECK_INT(parse("mx.google.com;\r\n       dkim=pass header.i=@fastmail.com header.s=fm1 "
	    "header.b=2j32dcmg;\r\n       spf=pass (google.com: domain of x@fastmail.com designates "
	    "66.111.4.26 as permitted sender) smtp.mailfrom=x@fastmail.com;\r\n       dmarc=pass "
	    "(p=NONE sp=NONE dis=NONE) header.from=fastmail.com", 0, &ar), MX_AR_OK);
	CHECK_INT(ar.nresults, 3);
	CHECK_STR(ar.results[2].comment, "p=NONE sp=NONE dis=NONE");
	CHECK_STR(mx_authres_prop_get(&ar.results[2], "header", "from"), "fastmail.com");
	mx_authres_finish(&ar);
}

/* ---- ARC-Authentication-Results ---- */

static void
test_arc(void)
{
	struct mx_authres ar;

	CHECK_INT(parse("i=1; mx.google.com; dkim=pass header.i=@ekiri.ee", 1, &ar), MX_AR_OK);
	CHECK_INT(ar.instance, 1);
	CHECK_STR(ar.authserv_id, "mx.google.com");
	CHECK_INT(ar.nresults, 1);
	mx_authres_finish(&ar);

	CHECK_INT(parse(" i = 50 ; lists.example; arc=pass", 1, &ar), MX_AR_OK);
	CHECK_INT(ar.instance, 50);
	mx_authres_finish(&ar);

	CHECK_INT(parse("mx.google.com; dkim=pass", 1, &ar), MX_AR_REJECT);	/* no i= */
	CHECK(ar.error != NULL);
	mx_authres_finish(&ar);
	CHECK_INT(parse("i=0; mx.example; dkim=pass", 1, &ar), MX_AR_REJECT);
	mx_authres_finish(&ar);
	CHECK_INT(parse("i=51; mx.example; dkim=pass", 1, &ar), MX_AR_REJECT);
	mx_authres_finish(&ar);
	CHECK_INT(parse("i=x; mx.example; dkim=pass", 1, &ar), MX_AR_REJECT);
	mx_authres_finish(&ar);
	CHECK_INT(parse("i=1 mx.example; dkim=pass", 1, &ar), MX_AR_REJECT);
	mx_authres_finish(&ar);
	CHECK_INT(parse("", 1, &ar), MX_AR_REJECT);
	CHECK_INT(ar.instance, 0);
	mx_authres_finish(&ar);
}

/* ---- lenient: what real receivers write ---- */

static void
test_lenient(void)
{
	struct mx_authres ar;

	/* Microsoft: no authserv-id, action= without ptype, reason= after compauth */
	CHECK_INT(parse("spf=pass (sender IP is 40.107.1.1) smtp.mailfrom=example.com; dkim=pass "
	    "(signature was verified) header.d=example.com;dmarc=pass action=none "
	    "header.from=example.com;compauth=pass reason=100", 0, &ar), MX_AR_LENIENT);
	CHECK(ar.authserv_id == NULL);
	CHECK(ar.flags & MX_AR_F_NO_AUTHSERV_ID);
	CHECK(ar.flags & MX_AR_F_LENIENT);
	CHECK(ar.error != NULL);
	CHECK_INT(ar.nresults, 4);
	CHECK_STR(ar.results[0].comment, "sender IP is 40.107.1.1");
	CHECK_STR(mx_authres_prop_get(&ar.results[2], "", "action"), "none");
	CHECK_STR(mx_authres_prop_get(&ar.results[2], "header", "from"), "example.com");
	CHECK_STR(ar.results[3].method, "compauth");
	CHECK_STR(ar.results[3].reason, "100");
	mx_authres_finish(&ar);

	/* Outlook.com raw: authserv-id after the first result, then repeated */
	CHECK_INT(parse("spf=pass (sender IP is 66.111.4.222)\n smtp.mailfrom=fastmail.com; "
	    "outlook.com; dkim=pass (signature was verified)\n header.d=fastmail.com;outlook.com; "
	    "dmarc=pass action=none\n header.from=fastmail.com;", 0, &ar), MX_AR_LENIENT);
	CHECK_STR(ar.authserv_id, "outlook.com");
	CHECK(ar.flags & MX_AR_F_NO_AUTHSERV_ID);
	CHECK(ar.flags & MX_AR_F_REPEATED_ID);
	CHECK_INT(ar.nresults, 3);
	mx_authres_finish(&ar);

	/* repeated authserv-id mid-list */
	CHECK_INT(parse("thehesiod.com; dkim=none (message not signed) header.d=none;thehesiod.com; "
	    "dmarc=none action=none header.from=hotmail.com;", 0, &ar), MX_AR_LENIENT);
	CHECK(ar.flags & MX_AR_F_REPEATED_ID);
	CHECK_INT(ar.nresults, 2);
	CHECK_STR(mx_authres_prop_get(&ar.results[0], "header", "d"), "none");
	mx_authres_finish(&ar);

	/* Yahoo pre-RFC: "from=" entries describe the next result */
	CHECK_INT(parse("mta4011.mail.gq1.yahoo.com  from=fastmail.com; domainkeys=neutral (no sig);"
	    "  from=messagingengine.com; dkim=pass (ok)", 0, &ar), MX_AR_LENIENT);
	CHECK_STR(ar.authserv_id, "mta4011.mail.gq1.yahoo.com");
	CHECK_INT(ar.nresults, 2);
	CHECK_STR(ar.results[0].method, "domainkeys");
	CHECK_STR(ar.results[0].comment, "no sig");
	CHECK_STR(mx_authres_prop_get(&ar.results[0], "", "from"), "fastmail.com");
	CHECK_STR(mx_authres_prop_get(&ar.results[1], "", "from"), "messagingengine.com");
	mx_authres_finish(&ar);

	/* unquoted IPv6 pvalue */
	CHECK_INT(parse("mail.bmsi.com; iprev=pass policy.iprev=2001:748:100:40::2:2 "
	    "(mout0.freenet.de); spf=none smtp.mailfrom=m@freenet.de", 0, &ar), MX_AR_LENIENT);
	CHECK_STR(ar.results[0].props[0].value, "2001:748:100:40::2:2");
	CHECK_STR(ar.results[0].props[0].comment, "mout0.freenet.de");
	CHECK_INT(ar.nresults, 2);
	mx_authres_finish(&ar);

	/* property without ptype (Fastmail x-tls) is kept */
	CHECK_INT(parse("mail.example.org; x-tls=pass version=TLSv1.2 bits=128/128", 0, &ar),
	    MX_AR_LENIENT);
	CHECK_INT(ar.results[0].nprops, 2);
	CHECK_STR(ar.results[0].props[0].ptype, "");
	CHECK_STR(ar.results[0].props[1].value, "128/128");
	mx_authres_finish(&ar);

	/* Composition Kills A4: the comment is not part of the value */
	CHECK_INT(parse("mx.example; dkim=pass header.d=legit.com(.attacker.com", 0, &ar),
	    MX_AR_LENIENT);
	CHECK_STR(ar.results[0].props[0].value, "legit.com");
	CHECK_STR(ar.results[0].props[0].comment, ".attacker.com");
	CHECK(ar.flags & MX_AR_F_COMMENT_IN_VALUE);
	mx_authres_finish(&ar);
	CHECK_INT(parse("mx.example; dkim=pass header.d=legit.com(.attacker.com) header.s=x", 0, &ar),
	    MX_AR_LENIENT);
	CHECK_STR(ar.results[0].props[0].value, "legit.com");
	CHECK_STR(ar.results[0].props[1].value, "x");
	CHECK(ar.flags & MX_AR_F_COMMENT_IN_VALUE);
	mx_authres_finish(&ar);
	CHECK_INT(parse("mx.example; dkim=pass header.d=legit.com'a.attacker.com", 0, &ar),
	    MX_AR_LENIENT);
	CHECK(ar.flags & MX_AR_F_COMMENT_IN_VALUE);
	mx_authres_finish(&ar);
	CHECK_INT(parse("mx.example; dkim=pass header.d=\"legit.com(.attacker.com\"", 0, &ar),
	    MX_AR_OK);	/* quoted: RFC-valid, the value is what is quoted */
	CHECK_STR(ar.results[0].props[0].value, "legit.com(.attacker.com");
	mx_authres_finish(&ar);

	/* quoted Keywords (Mail::AuthenticationResults) */
	CHECK_INT(parse("t.example; \"spf\"=\"fail\" \"smtp.mailfrom\"=\"a@b.example\" "
	    "\"smtp\".\"helo\"=\"h.example\"", 0, &ar), MX_AR_LENIENT);
	CHECK_STR(ar.results[0].method, "spf");
	CHECK_STR(mx_authres_prop_get(&ar.results[0], "smtp", "mailfrom"), "a@b.example");
	CHECK_STR(mx_authres_prop_get(&ar.results[0], "smtp", "helo"), "h.example");
	mx_authres_finish(&ar);

	/* (null)=pass: a comment where the method should be, then a result */
	CHECK(parse("mx.example; (null)=pass", 0, &ar) != MX_AR_OK);
	mx_authres_finish(&ar);

	/* missing result, stray word, no results */
	CHECK_INT(parse("test.example.com; foo = ", 0, &ar), MX_AR_LENIENT);
	CHECK_STR(ar.results[0].result, "");
	mx_authres_finish(&ar);
	CHECK_INT(parse("test.example.com foo;", 0, &ar), MX_AR_LENIENT);
	mx_authres_finish(&ar);
	CHECK_INT(parse("test.example.com", 0, &ar), MX_AR_LENIENT);
	mx_authres_finish(&ar);

	/* unterminated quoted string, lone backslash at the end */
	CHECK_INT(parse("mx.example; dkim=pass reason=\"abc", 0, &ar), MX_AR_LENIENT);
	CHECK_STR(ar.results[0].reason, "abc");
	mx_authres_finish(&ar);
	CHECK(parse("mx.example; dkim=pass (abc\\", 0, &ar) == MX_AR_LENIENT);
	mx_authres_finish(&ar);
}

/* ---- reject: not Authentication-Results ---- */

static void
test_reject(void)
{
	static const char *const bad[] = {
		"", "   ", "test.example.com = = test;", "test.example.com foo = = bar;",
		"test.example.com . bar = test;", "test.example.com foo . bar = test;",
		"test.example.com foo / bar = test;", "test.example.com foo bar = test;",
		"test.example.com; foo = = bar;", "test.example.com; foo / bar = test;",
		"test.example.com; foo . . bar = test;", "test.example.com; foo / . bar = test;",
		"test.example.com; foo . / bar = test;", "mx.example; dkim=pass header.d",
		"mx.example; dkim=pass header.=x", "@@@",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct mx_authres ar;
		int rc = parse(bad[i], 0, &ar);
		CHECK_INT(rc, MX_AR_REJECT);
		if (rc != MX_AR_REJECT)
			fprintf(stderr, "  for %s\n", bad[i]);
		CHECK(ar.error != NULL);
		mx_authres_finish(&ar);
	}
	/* what was read before the error is kept */
	struct mx_authres ar;
	CHECK_INT(parse("mx.example; spf=pass smtp.mailfrom=a.example; dkim = = x", 0, &ar),
	    MX_AR_REJECT);
	CHECK_INT(ar.nresults, 1);
	CHECK(ar.error_offset > 40);
	mx_authres_finish(&ar);
}

/* ---- limits, each at and over ---- */

static char *
repeat(const char *head, const char *unit, size_t n, const char *tail, size_t *len)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * n + tl + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + n * ul, tail, tl);
	*len = hl + ul * n + tl;
	s[*len] = '\0';
	return s;
}

static void
test_limits(void)
{
	struct mx_authres ar;
	size_t n;
	char *s;

	s = repeat("mx.example", "; spf=pass", MX_AUTHRES_MAX_RESULTS, "", &n);
	CHECK_INT(mx_authres_parse(s, n, 0, &ar), MX_AR_OK);
	CHECK_INT(ar.nresults, MX_AUTHRES_MAX_RESULTS);
	mx_authres_finish(&ar);
	free(s);
	s = repeat("mx.example", "; spf=pass", 10000, "", &n);
	CHECK_INT(mx_authres_parse(s, n, 0, &ar), MX_AR_LENIENT);
	CHECK_INT(ar.nresults, MX_AUTHRES_MAX_RESULTS);
	CHECK(ar.flags & MX_AR_F_TRUNCATED);
	mx_authres_finish(&ar);
	free(s);

	s = repeat("mx.example; dkim=pass", " header.d=x", MX_AUTHRES_MAX_PROPS, "", &n);
	CHECK_INT(mx_authres_parse(s, n, 0, &ar), MX_AR_OK);
	CHECK_INT(ar.results[0].nprops, MX_AUTHRES_MAX_PROPS);
	mx_authres_finish(&ar);
	free(s);
	s = repeat("mx.example; dkim=pass", " header.d=x", MX_AUTHRES_MAX_PROPS + 1, "; spf=pass", &n);
	CHECK_INT(mx_authres_parse(s, n, 0, &ar), MX_AR_LENIENT);
	CHECK_INT(ar.results[0].nprops, MX_AUTHRES_MAX_PROPS);
	CHECK_INT(ar.nresults, 2);	/* parsing went on after the cut */
	CHECK(ar.flags & MX_AR_F_TRUNCATED);
	mx_authres_finish(&ar);
	free(s);

	char head[64], tail[64];
	size_t d = MX_AUTHRES_MAX_COMMENT_DEPTH;
	s = repeat("mx.example; spf=pass ", "(", d, "", &n);
	char *t = repeat(s, ")", d, "", &n);
	CHECK_INT(mx_authres_parse(t, n, 0, &ar), MX_AR_OK);
	CHECK(!(ar.flags & MX_AR_F_DEEP_COMMENT));
	mx_authres_finish(&ar);
	free(s);
	free(t);
	snprintf(head, sizeof head, "mx.example; spf=pass ");
	snprintf(tail, sizeof tail, "%s", "");
	s = repeat(head, "(", d + 1, tail, &n);
	t = repeat(s, ")", d + 1, "", &n);
	CHECK_INT(mx_authres_parse(t, n, 0, &ar), MX_AR_LENIENT);
	CHECK(ar.flags & MX_AR_F_DEEP_COMMENT);
	CHECK_INT(ar.nresults, 1);
	mx_authres_finish(&ar);
	free(s);
	free(t);

	/* 1 MB of "(": cut at MX_AUTHRES_MAX_LEN, never a crash */
	s = repeat("mx.example; spf=pass ", "(", 1 << 20, "", &n);
	CHECK_INT(mx_authres_parse(s, n, 0, &ar), MX_AR_LENIENT);
	CHECK(ar.flags & MX_AR_F_TRUNCATED);
	CHECK(ar.flags & MX_AR_F_DEEP_COMMENT);
	mx_authres_finish(&ar);
	free(s);

	/* exactly MX_AUTHRES_MAX_LEN is read whole */
	s = repeat("mx.example; spf=pass ", "x", MX_AUTHRES_MAX_LEN - 21, "", &n);
	CHECK_INT(n, MX_AUTHRES_MAX_LEN);
	CHECK(mx_authres_parse(s, n, 0, &ar) != MX_AR_NOMEM);
	CHECK(!(ar.flags & MX_AR_F_TRUNCATED));
	mx_authres_finish(&ar);
	free(s);
}

/* ---- NUL and control bytes, no NUL termination ---- */

static void
test_bytes(void)
{
	struct mx_authres ar;
	static const char nul[] = "mx.example; dkim=pass header.d=legit.com\0.attacker.com";
	CHECK(mx_authres_parse(nul, sizeof nul - 1, 0, &ar) != MX_AR_OK);
	CHECK(ar.flags & MX_AR_F_NUL);
	CHECK_STR(ar.results[0].props[0].value, "legit.com");
	mx_authres_finish(&ar);

	/* not NUL-terminated: the parser must stop at len */
	char buf[32];
	memcpy(buf, "mx.example; spf=passXXXXXXXXXXXX", 32);
	CHECK_INT(mx_authres_parse(buf, 20, 0, &ar), MX_AR_OK);
	CHECK_STR(ar.results[0].result, "pass");
	mx_authres_finish(&ar);

	CHECK_INT(mx_authres_parse(NULL, 0, 0, &ar), MX_AR_REJECT);
	mx_authres_finish(&ar);
	mx_authres_finish(&ar);	/* twice is fine */
}

int
main(void)
{
	test_valid();
	test_arc();
	test_lenient();
	test_reject();
	test_limits();
	test_bytes();
	return unit_done("authres");
}
