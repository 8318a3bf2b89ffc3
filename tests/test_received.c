/*
 * test_received.c - unit table for parsers/received.c: one row per MTA
 * form (valid vectors), then broken and hostile inputs kept apart.
 */
#include <stdlib.h>
#include <string.h>

#include "received.h"
#include "unit.h"

#define NOCHK ((const char *)0)	/* field not checked */
#define TLS_Y MX_TLS_YES
#define TLS_N MX_TLS_NO
#define TLS_U MX_TLS_UNKNOWN

struct rcase {
	const char *name;
	const char *in;
	enum mx_received_kind kind;
	const char *helo, *rdns, *ip, *by, *proto, *id, *for_addr;
	enum mx_tls tls;
	const char *tls_version, *tls_cipher;
	int64_t utc;		/* 0: no date expected */
	unsigned flags;		/* flags that must be set */
};

static const struct rcase valid[] = {
	{ "gmail-inbound",
	  "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n"
	  "        by mx.google.com with SMTPS id a1sor123\r\n        for <bob@gmail.com>\r\n"
	  "        (Google Transport Security);\r\n        Tue, 05 Nov 2024 10:00:01 -0800 (PST)",
	  MX_RCVD_RELAY, "mail-sor-f41.google.com", "mail-sor-f41.google.com.", "209.85.220.41",
	  "mx.google.com", "SMTPS", "a1sor123", "bob@gmail.com", TLS_Y, "", "", 1730829601, 0 },
	{ "gmail-internal",
	  "by 2002:a05:6402:1234:b0:5c9:1234:5678 with SMTP id ab12csp1234567;\r\n"
	  "        Tue, 5 Nov 2024 10:00:02 -0800 (PST)",
	  MX_RCVD_LOCAL, "", "", "", "2002:a05:6402:1234:b0:5c9:1234:5678", "SMTP",
	  "ab12csp1234567", "", TLS_N, "", "", 1730829602, 0 },
	{ "gmail-submission",
	  "from [192.168.1.20] ([203.0.113.7])\n        by smtp.gmail.com with ESMTPSA id abc.1\n"
	  "        for <bob@example.com>\n"
	  "        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n"
	  "        Tue, 05 Nov 2024 09:59:59 -0800 (PST)",
	  MX_RCVD_RELAY, "[192.168.1.20]", "", "203.0.113.7", "smtp.gmail.com", "ESMTPSA", "abc.1",
	  "bob@example.com", TLS_Y, "TLSv1.3", "TLS_AES_256_GCM_SHA384", 1730829599, 0 },
	{ "m365-inbound",
	  "from mail-db8eur05on2061.outbound.protection.outlook.com (40.107.20.61) by\n"
	  " AM0PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:208:1::1) with\n"
	  " Microsoft SMTP Server (version=TLS1_2,\n"
	  " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8114.15 via Frontend\n"
	  " Transport; Tue, 5 Nov 2024 18:00:03 +0000",
	  MX_RCVD_RELAY, "mail-db8eur05on2061.outbound.protection.outlook.com", "", "40.107.20.61",
	  "AM0PR01MB1234.eurprd01.prod.exchangelabs.com", "Microsoft SMTP Server", "15.20.8114.15",
	  "", TLS_Y, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 1730829603, 0 },
	{ "m365-internal-no-tls",
	  "from vmta6.response.nfcu.org (199.204.166.217) by\n"
	  " BN3NAM04FT003.mail.protection.outlook.com (10.152.92.112) with Microsoft SMTP\n"
	  " Server id 15.20.696.11 via Frontend Transport; Sat, 21 Apr 2018 03:01:32\n +0000",
	  MX_RCVD_RELAY, "vmta6.response.nfcu.org", "", "199.204.166.217",
	  "BN3NAM04FT003.mail.protection.outlook.com", "Microsoft SMTP Server", "15.20.696.11", "",
	  TLS_U, "", "", 1524279692, 0 },
	{ "postfix-tls13",
	  "from mail.example.org (mail.example.org [198.51.100.25])\n"
	  "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
	  "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n"
	  "\t(No client certificate requested)\n"
	  "\tby mx.example.net (Postfix) with ESMTPS id 4XjK2L5Yz9z1234\n"
	  "\tfor <alice@example.net>; Tue,  5 Nov 2024 19:00:04 +0100 (CET)",
	  MX_RCVD_RELAY, "mail.example.org", "mail.example.org", "198.51.100.25", "mx.example.net",
	  "ESMTPS", "4XjK2L5Yz9z1234", "alice@example.net", TLS_Y, "TLSv1.3",
	  "TLS_AES_256_GCM_SHA384", 1730829604, 0 },
	{ "postfix-plain",
	  "from relay.example.com (unknown [192.0.2.10])\n"
	  "\tby mx.example.net (Postfix) with ESMTP id 1A2B3C4D5E\n"
	  "\tfor <alice@example.net>; Tue,  5 Nov 2024 19:00:05 +0100 (CET)",
	  MX_RCVD_RELAY, "relay.example.com", "", "192.0.2.10", "mx.example.net", "ESMTP",
	  "1A2B3C4D5E", "alice@example.net", TLS_N, "", "", 1730829605, MX_RCVD_F_RDNS_UNVERIFIED },
	{ "postfix-local-userid",
	  "by example.com (Postfix, from userid 1001)\n id 1234ABCD; Thu, 21 Aug 2014 12:12:48 +0200 (CEST)",
	  MX_RCVD_LOCAL, "", "", "", "example.com", "", "1234ABCD", "", TLS_U, "", "", 1408615968, 0 },
	{ "exim-4.9x-esmtps",
	  "from mail.example.com ([198.51.100.7] helo=smtp.example.com)\n"
	  "\tby mx.example.org with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n"
	  "\t(Exim 4.96)\n\t(envelope-from <bounce@example.com>)\n\tid 1t8abc-000123-4x\n"
	  "\tfor alice@example.org;\n\tTue, 05 Nov 2024 18:00:06 +0000",
	  MX_RCVD_RELAY, "smtp.example.com", "mail.example.com", "198.51.100.7", "mx.example.org",
	  "esmtps", "1t8abc-000123-4x", "alice@example.org", TLS_Y, "TLSv1.3",
	  "TLS_AES_256_GCM_SHA384", 1730829606, 0 },
	{ "exim-old-tls-in-esmtp",
	  "from gilmore.ael.be ([158.64.60.71]) by castlerea.stdlib.net with esmtp "
	  "(TLSv1:DES-CBC3-SHA:168) (Exim 4.41) id 1CIusZ-00049K-45 for e-voting@lists.stdlib.net; "
	  "Sat, 16 Oct 2004 21:10:16 +0100",
	  MX_RCVD_RELAY, "gilmore.ael.be", "gilmore.ael.be", "158.64.60.71", "castlerea.stdlib.net",
	  "esmtp", "1CIusZ-00049K-45", "e-voting@lists.stdlib.net", TLS_Y, "TLSv1", "DES-CBC3-SHA",
	  1097957416, 0 },
	{ "exim-ip-literal-helo",
	  "from [206.51.230.145] (helo=t-online.de) by mxeu2.kundenserver.de with ESMTP (Nemesis), "
	  "id 0MKpdM-1CkRpr14PF-000608; Fri, 31 Dec 2004 19:49:15 +0100",
	  MX_RCVD_RELAY, "t-online.de", "", "206.51.230.145", "mxeu2.kundenserver.de", "ESMTP",
	  "0MKpdM-1CkRpr14PF-000608", "", TLS_N, "", "", 1104518955, 0 },
	{ "sendmail-tls13",
	  "from client.example.com (client.example.com [203.0.113.50])\n"
	  "\tby mail.example.edu (8.17.1/8.17.1) with ESMTPS id 4A5I07abc012345\n"
	  "\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)\n"
	  "\tfor <prof@example.edu>; Tue, 5 Nov 2024 10:00:07 -0800",
	  MX_RCVD_RELAY, "client.example.com", "client.example.com", "203.0.113.50",
	  "mail.example.edu", "ESMTPS", "4A5I07abc012345", "prof@example.edu", TLS_Y, "TLSv1.3",
	  "TLS_AES_256_GCM_SHA384", 1730829607, 0 },
	{ "sendmail-forged-auth-sslv3",
	  "from 141.44.167.13 (p83.example.de [83.129.191.197] (may be forged)) (authenticated bits=0) "
	  "by sunny.example.de (8.12.10/8.12.10) with ESMTP id i8ND9v0N017746 "
	  "(version=TLSv1/SSLv3 cipher=RC4-MD5 bits=128 verify=NO) for <ilug@linux.ie>; "
	  "Thu, 23 Sep 2004 15:09:59 +0200",
	  MX_RCVD_RELAY, "141.44.167.13", "p83.example.de", "83.129.191.197", "sunny.example.de",
	  "ESMTP", "i8ND9v0N017746", "ilug@linux.ie", TLS_Y, "TLSv1", "RC4-MD5", 1095944999,
	  MX_RCVD_F_MAY_BE_FORGED },
	{ "qmail-helo-ident",
	  "from p5498acaa.dip0.t-ipconnect.de (HELO JIMBOBSPC) (user@84.152.172.1)\n"
	  "  by msa.example.com with ESMTPA; 23 May 2007 15:05:04 -0000",
	  MX_RCVD_RELAY, "JIMBOBSPC", "p5498acaa.dip0.t-ipconnect.de", "84.152.172.1",
	  "msa.example.com", "ESMTPA", "", "", TLS_N, "", "", 1179932704, 0 },
	{ "qmail-invoked",
	  "(qmail 10681 invoked by uid 404); 14 Nov 2003 08:05:52 -0000",
	  MX_RCVD_LOCAL, "", "", "", "", "", "", "", TLS_U, "", "", 1068797152, 0 },
	{ "amazon-ses",
	  "from a8-30.smtp-out.amazonses.com (a8-30.smtp-out.amazonses.com [54.240.8.30])\n"
	  "        by mx.google.com with ESMTPS id x12si123456qkb.300\n        for <bob@gmail.com>\n"
	  "        (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128);\n"
	  "        Tue, 05 Nov 2024 10:00:09 -0800 (PST)",
	  MX_RCVD_RELAY, "a8-30.smtp-out.amazonses.com", "a8-30.smtp-out.amazonses.com", "54.240.8.30",
	  "mx.google.com", "ESMTPS", "x12si123456qkb.300", "bob@gmail.com", TLS_Y, "TLSv1.3",
	  "TLS_AES_128_GCM_SHA256", 1730829609, 0 },
	{ "sendgrid-no-semicolon",
	  "by filter0652p1las1.sendgrid.net with SMTP id filter0652p1las1-5089-5ADBF958-25\n"
	  "        2018-04-22 02:54:17.028704749 +0000 UTC",
	  MX_RCVD_LOCAL, "", "", "", "filter0652p1las1.sendgrid.net", "SMTP",
	  "filter0652p1las1-5089-5ADBF958-25", "", TLS_N, "", "", 1524365657,
	  MX_RCVD_F_NO_SEMICOLON | MX_RCVD_F_BAD_DATE },
	{ "sendgrid-sg",
	  "from smtp.github.com (out-3.smtp.github.com [192.30.252.194])\n"
	  "\tby ismtpd0021p1iad2.sendgrid.net (SG) with ESMTP id 1dCtTVbKTgGmrXSNolRfbg\n"
	  "\tfor <sgriffin@outlook.com>; Sun, 22 Apr 2018 02:54:16.987 +0000 (UTC)",
	  MX_RCVD_RELAY, "smtp.github.com", "out-3.smtp.github.com", "192.30.252.194",
	  "ismtpd0021p1iad2.sendgrid.net", "ESMTP", "1dCtTVbKTgGmrXSNolRfbg", "sgriffin@outlook.com",
	  TLS_N, "", "", 1524365656, 0 },
	{ "mailgun-utf8smtps",
	  "from m32-19.eu.mailgun.net (m32-19.eu.mailgun.net. [141.193.32.19])\n"
	  "        by mx.google.com with UTF8SMTPS id a1si2\n        for <x@gmail.com>\n"
	  "        (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128);\n"
	  "        Fri, 06 Nov 2020 04:54:01 -0800 (PST)",
	  MX_RCVD_RELAY, "m32-19.eu.mailgun.net", "m32-19.eu.mailgun.net.", "141.193.32.19",
	  "mx.google.com", "UTF8SMTPS", "a1si2", "x@gmail.com", TLS_Y, "TLSv1.3",
	  "TLS_AES_128_GCM_SHA256", 1604667241, 0 },
	{ "yahoo",
	  "from sonic301-20.consmr.mail.ne1.yahoo.com (sonic301-20.consmr.mail.ne1.yahoo.com "
	  "[66.163.184.189])\n        by mx.google.com with ESMTPS id d2si3 for <x@gmail.com>\n"
	  "        (version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128);\n"
	  "        Tue, 05 Nov 2024 10:00:10 -0800 (PST)",
	  MX_RCVD_RELAY, "sonic301-20.consmr.mail.ne1.yahoo.com",
	  "sonic301-20.consmr.mail.ne1.yahoo.com", "66.163.184.189", "mx.google.com", "ESMTPS",
	  "d2si3", "x@gmail.com", TLS_Y, "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", 1730829610, 0 },
	{ "http-webmail",
	  "from 198.51.100.77 (SquirrelMail authenticated user bob) by webmail.example.com with HTTP; "
	  "Tue, 5 Nov 2024 10:00:11 -0800",
	  MX_RCVD_RELAY, "", "", "198.51.100.77", "webmail.example.com", "HTTP", "", "", TLS_U, "", "",
	  1730829611, 0 },
	{ "https-frontend",
	  "from BN3NAM04HT205.eop-NAM04.prod.protection.outlook.com\n (2a01:111:e400:c418::34) by "
	  "SN1PR16MB0494.namprd16.prod.outlook.com with\n HTTPS via SN1PR15CA0024.NAMPRD15.PROD.OUTLOOK.COM; "
	  "Sat, 21 Apr 2018 03:01:33\n +0000",
	  MX_RCVD_RELAY, NOCHK, NOCHK, "2a01:111:e400:c418::34", "SN1PR16MB0494.namprd16.prod.outlook.com",
	  "HTTPS", "", "", TLS_Y, "", "", 1524279693, 0 },
	{ "bare-from-by",
	  "from x by y; Tue, 5 Nov 2024 10:00:12 -0800",
	  MX_RCVD_RELAY, "x", "", "", "y", "", "", "", TLS_U, "", "", 1730829612, 0 },
	{ "haraka-envelope-from-cipher",
	  "from mail-oi1-f179.google.com (mail-oi1-f179.google.com [209.85.167.179])\n"
	  "\tby zonemx.eu (Haraka/2.8.25) with ESMTPS id B3C0198B.1\n"
	  "\tenvelope-from <andris.reinman@gmail.com>\n\t(cipher=TLS_AES_256_GCM_SHA384);\n"
	  "\tFri, 06 Nov 2020 12:20:14 +0000",
	  MX_RCVD_RELAY, "mail-oi1-f179.google.com", "mail-oi1-f179.google.com", "209.85.167.179",
	  "zonemx.eu", "ESMTPS", "B3C0198B.1", "", TLS_Y, "", "TLS_AES_256_GCM_SHA384", 1604665214, 0 },
	{ "ipv6-literal",
	  "from rc3.isc.org (rc3.isc.org [IPv6:2001:4f8:3:bb::25]) by sf1.isc.org (Postfix) with ESMTP "
	  "id C986F284EE; Sat, 16 Oct 2004 21:30:02 +0000 (UTC) (envelope-from bind-users-bounce@isc.org)",
	  MX_RCVD_RELAY, "rc3.isc.org", "rc3.isc.org", "2001:4f8:3:bb::25", "sf1.isc.org", "ESMTP",
	  "C986F284EE", "", TLS_N, "", "", 1097962202, 0 },
	{ "ipv4-mapped",
	  "from cs.helsinki.fi ([::ffff:218.11.152.141]) by mail.cs.helsinki.fi with esmtp; "
	  "Mon, 18 Aug 2003 15:37:48 +0300",
	  MX_RCVD_RELAY, "cs.helsinki.fi", "", "218.11.152.141", "mail.cs.helsinki.fi", "esmtp", "", "",
	  TLS_N, "", "", 1061210268, 0 },
	{ "ip-port-ecelerity",
	  "from ([192.168.1.205:50387] helo=i6.prod.example.com) by m12.prod.example.com "
	  "(ecelerity 2.1.1.3 r(11743)) with ESMTP id 80/0A-02454-4DCB6054; Tue, 12 Sep 2006 09:57:40 -0400",
	  MX_RCVD_RELAY, "i6.prod.example.com", "", "192.168.1.205", "m12.prod.example.com", "ESMTP",
	  "80/0A-02454-4DCB6054", "", TLS_N, "", "", 1158069460, 0 },
	{ "address-literal-helo",
	  "from [10.10.10.10] by mx.example.com with ESMTP; Tue, 5 Nov 2024 10:00:13 -0800",
	  MX_RCVD_RELAY, "[10.10.10.10]", "", "10.10.10.10", "mx.example.com", "ESMTP", "", "", TLS_N,
	  "", "", 1730829613, 0 },
	{ "fetchmail-imap",
	  "from localhost [127.0.0.1] by localhost with IMAP (fetchmail-6.2.4) for zzzzz@localhost "
	  "(single-drop); Mon, 08 Mar 2004 16:13:23 -0800 (PST)",
	  MX_RCVD_LOCAL, NOCHK, NOCHK, NOCHK, "localhost", "IMAP", "", "zzzzz@localhost", TLS_U, "", "",
	  1078791203, 0 },
	{ "pickup-service",
	  "from mail pickup service by hotmail.com with Microsoft SMTPSVC; Tue, 16 Mar 2004 18:12:31 -0800",
	  MX_RCVD_LOCAL, NOCHK, "", "", "hotmail.com", "Microsoft SMTPSVC", "", "", TLS_U, "", "",
	  1079489551, 0 },
	{ "qmail-tls-encrypted",
	  "from lists.gentoo.org (HELO parrot.gentoo.org) (156.56.111.196) by blazing.arsecandle.org "
	  "with (DHE-RSA-AES256-SHA encrypted) SMTP; 6 Feb 2005 21:11:37 -0000",
	  MX_RCVD_RELAY, "parrot.gentoo.org", "lists.gentoo.org", "156.56.111.196",
	  "blazing.arsecandle.org", "SMTP", "", "", TLS_Y, "", "DHE-RSA-AES256-SHA", 1107724297, 0 },
	{ "mixed-case-keywords",
	  "FROM hackers.mr.itd.umich.edu (smtp.mail.umich.edu [141.211.14.81]) BY madman.mr.itd.umich.edu "
	  "ID 434B508E.174A6.13932 ; 11 Oct 2005 01:41:34 -0400",
	  MX_RCVD_RELAY, "hackers.mr.itd.umich.edu", "smtp.mail.umich.edu", "141.211.14.81",
	  "madman.mr.itd.umich.edu", "", "434B508E.174A6.13932", "", TLS_U, "", "", 1129009294, 0 },
};

static void
check_case(const struct rcase *c)
{
	struct mx_received r;
	int rc = mx_received_parse(c->in, strlen(c->in), &r);
	CHECK_INT(rc, 0);
	if (rc != 0)
		return;
	fprintf(stderr, "-- %s\n", c->name);
	CHECK_INT(r.kind, c->kind);
	if (c->helo) CHECK_STR(r.helo, c->helo);
	if (c->rdns) CHECK_STR(r.rdns, c->rdns);
	if (c->ip) CHECK_STR(r.from_ip, c->ip);
	if (c->by) CHECK_STR(r.by_host, c->by);
	if (c->proto) CHECK_STR(r.protocol, c->proto);
	if (c->id) CHECK_STR(r.id, c->id);
	if (c->for_addr) CHECK_STR(r.for_addr, c->for_addr);
	CHECK_INT(r.tls, c->tls);
	if (c->tls_version) CHECK_STR(r.tls_version, c->tls_version);
	if (c->tls_cipher) CHECK_STR(r.tls_cipher, c->tls_cipher);
	if (c->tls != MX_TLS_UNKNOWN)
		CHECK(r.tls_evidence[0] != '\0');
	CHECK_INT(r.has_date, c->utc != 0);
	if (c->utc != 0)
		CHECK_INT(r.date.utc, c->utc);
	CHECK_INT(r.flags & c->flags, c->flags);
	mx_received_finish(&r);
}

/* Specific field checks that do not fit the table. */
static void
check_details(void)
{
	struct mx_received r;
	const char *s;

	s = "from smtp.github.com (out-3.smtp.github.com [192.30.252.194])\n\tby "
	    "ismtpd0021p1iad2.sendgrid.net (SG) with ESMTP id 1dCtTVbKTgGmrXSNolRfbg\n\tfor "
	    "<sgriffin@outlook.com>; Sun, 22 Apr 2018 02:54:16.987 +0000 (UTC)";
	CHECK_INT(mx_received_parse(s, strlen(s), &r), 0);
	CHECK_STR(r.from_text, "smtp.github.com (out-3.smtp.github.com [192.30.252.194])");
	CHECK_STR(r.by_text, "ismtpd0021p1iad2.sendgrid.net (SG)");
	CHECK_INT(r.date.millis, 987);
	mx_received_finish(&r);

	s = "from a by b with ESMTPSA; Tue, 5 Nov 2024 10:00:13 -0800";
	CHECK_INT(mx_received_parse(s, strlen(s), &r), 0);
	CHECK_INT(r.auth, 1);
	CHECK_INT(r.tls, MX_TLS_YES);
	CHECK_STR(r.tls_evidence, "with ESMTPSA");
	mx_received_finish(&r);

	s = "from x (x [192.0.2.1]) by y with ESMTP (version=TLS1_2, cipher=C); Tue, 5 Nov 2024 10:00:13 -0800";
	CHECK_INT(mx_received_parse(s, strlen(s), &r), 0);
	CHECK_INT(r.tls, MX_TLS_YES);	/* annotation beats the plain word */
	CHECK_STR(r.tls_evidence, "(version=TLS1_2, cipher=C)");
	CHECK_STR(r.with_text, "ESMTP (version=TLS1_2, cipher=C)");
	mx_received_finish(&r);

	s = "from list.brainbuzz.com (63.146.189.86:23198) by mx1.yourtech.net with [XMail 1.20 ESMTP "
	    "Server] id <S72E> for <j@example.org> from <bounce@example.com>; Sat, 18 Sep 2004 23:17:54 -0500";
	CHECK_INT(mx_received_parse(s, strlen(s), &r), 0);
	CHECK_STR(r.envelope_from, "bounce@example.com");
	CHECK_STR(r.id, "S72E");
	CHECK_STR(r.protocol, "[XMail 1.20 ESMTP Server]");
	CHECK_INT(r.flags & MX_RCVD_F_DUP_CLAUSE, 0);
	mx_received_finish(&r);

	s = "by me by you with this with that with whatever\n 2018-03-26 13:35:36.270951634 +0000 UTC";
	CHECK_INT(mx_received_parse(s, strlen(s), &r), 0);
	CHECK_STR(r.by_host, "me");
	CHECK_STR(r.protocol, "this");
	CHECK(r.flags & MX_RCVD_F_DUP_CLAUSE);
	CHECK_INT(r.date.utc, 1522071336);
	CHECK_INT(r.date.millis, 270);
	mx_received_finish(&r);

	/* Exim 3: rdns (helo) [ip.port] (ident) */
	s = "from helene8.i.pinwand.net (helene.cats.ms) [10.0.8.6.13219] (mail) by lisbeth.i.pinwand.net "
	    "with esmtp (Exim 3.35 #1 (Debian)) id 1CO5y7-0001vC-00; Sun, 31 Oct 2004 04:01:23 +0100";
	CHECK_INT(mx_received_parse(s, strlen(s), &r), 0);
	CHECK_STR(r.helo, "helene.cats.ms");
	CHECK_STR(r.rdns, "helene8.i.pinwand.net");
	CHECK_STR(r.from_ip, "10.0.8.6");
	mx_received_finish(&r);

	/* A date after ';' followed by an id clause (MDaemon) */
	s = "from g (my.dns.com [1.2.3.4]) (AUTH: LOGIN g@example.com, SSL: TLSv1/SSLv3,128bits,RC4-MD5) "
	    "by mydomain.com with esmtp; Thu, 10 Nov 2005 08:24:21 -0600 id 000000DB.43735815.00001E11";
	CHECK_INT(mx_received_parse(s, strlen(s), &r), 0);
	CHECK_STR(r.id, "000000DB.43735815.00001E11");
	CHECK_INT(r.tls, MX_TLS_YES);
	CHECK_STR(r.tls_version, "TLSv1");
	CHECK_STR(r.tls_cipher, "RC4-MD5");
	CHECK_INT(r.auth, 1);
	mx_received_finish(&r);
}

/* --- broken and hostile vectors: must not crash, must flag --- */

struct bcase {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen */
	unsigned flags;		/* flags that must be set */
	enum mx_received_kind kind;
};

static const struct bcase broken[] = {
	{ "empty", "", 0, MX_RCVD_F_NO_DATE | MX_RCVD_F_NO_SEMICOLON, MX_RCVD_UNPARSED },
	{ "only-semicolon", ";", 0, MX_RCVD_F_NO_DATE, MX_RCVD_UNPARSED },
	{ "date-without-time-no-semicolon", "22 Apr 2018", 0, MX_RCVD_F_NO_DATE, MX_RCVD_UNPARSED },
	{ "unbalanced", "from x (y [1.2.3.4] by z; Mon, 1 Jan 2024 00:00:00 +0000", 0,
	  MX_RCVD_F_UNBALANCED | MX_RCVD_F_NO_DATE, MX_RCVD_RELAY },
	{ "stray-close", "from x) by z; Mon, 1 Jan 2024 00:00:00 +0000", 0, MX_RCVD_F_UNBALANCED,
	  MX_RCVD_RELAY },
	{ "nul-byte", "from a\0b by c; Mon, 1 Jan 2024 00:00:00 +0000", 45, MX_RCVD_F_NUL, MX_RCVD_RELAY },
	{ "bad-date", "from a by b; Mon, 99 Jan 2024 00:00:00 +0000", 0,
	  MX_RCVD_F_NO_DATE | MX_RCVD_F_BAD_DATE, MX_RCVD_RELAY },
	{ "bad-weekday", "from a by b; Tue, 1 Jan 2024 00:00:00 +0000", 0, MX_RCVD_F_BAD_DATE,
	  MX_RCVD_RELAY },
	{ "huge-numbers", "from a by b; Mon, 99999999999999999999 Jan 2024 00:00:00 +0000", 0,
	  MX_RCVD_F_NO_DATE, MX_RCVD_RELAY },
	{ "not-an-ip", "from [999.1.1.1] by b; Mon, 1 Jan 2024 00:00:00 +0000", 0, 0, MX_RCVD_RELAY },
	{ "unterminated-bracket", "from [1.2.3.4 by b; Mon, 1 Jan 2024 00:00:00 +0000", 0,
	  MX_RCVD_F_UNBALANCED, MX_RCVD_RELAY },
	{ "keywords-only", "from by with id for via", 0, MX_RCVD_F_NO_DATE, MX_RCVD_UNPARSED },
};

static void
check_broken(const struct bcase *c)
{
	struct mx_received r;
	size_t len = c->len ? c->len : strlen(c->in);
	fprintf(stderr, "-- broken %s\n", c->name);
	CHECK_INT(mx_received_parse(c->in, len, &r), 0);
	CHECK_INT(r.flags & c->flags, c->flags);
	CHECK_INT(r.kind, c->kind);
	CHECK(r.helo && r.rdns && r.by_host && r.protocol && r.tls_evidence);
	if (c->kind == MX_RCVD_RELAY && strstr(c->in, "999.") != NULL)
		CHECK_STR(r.from_ip, "");
	mx_received_finish(&r);
}

/* Limits: at and over MX_RECEIVED_MAX_COMMENT_DEPTH and MX_RECEIVED_MAX_LEN. */
static void
check_limits(void)
{
	struct mx_received r;
	size_t n = MX_RECEIVED_MAX_COMMENT_DEPTH;
	char *s = malloc(2 * n + 64);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	for (int over = 0; over <= 1; over++) {
		size_t d = n + (size_t)over, k = 0;
		k += (size_t)sprintf(s, "from a ");
		for (size_t i = 0; i < d; i++)
			s[k++] = '(';
		for (size_t i = 0; i < d; i++)
			s[k++] = ')';
		k += (size_t)sprintf(s + k, " by b; Mon, 1 Jan 2024 00:00:00 +0000");
		CHECK_INT(mx_received_parse(s, k, &r), 0);
		CHECK_INT(!!(r.flags & MX_RCVD_F_DEEP_COMMENT), over);
		CHECK_STR(r.by_host, "b");
		CHECK_INT(r.has_date, 1);
		mx_received_finish(&r);
	}
	free(s);

	size_t big = MX_RECEIVED_MAX_LEN + 1000;
	s = malloc(big);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	memset(s, '(', big);
	CHECK_INT(mx_received_parse(s, big, &r), 0);
	CHECK(r.flags & MX_RCVD_F_TRUNCATED);
	CHECK(r.flags & MX_RCVD_F_DEEP_COMMENT);
	CHECK(r.flags & MX_RCVD_F_UNBALANCED);
	mx_received_finish(&r);
	CHECK_INT(mx_received_parse(s, MX_RECEIVED_MAX_LEN, &r), 0);
	CHECK_INT(r.flags & MX_RCVD_F_TRUNCATED, 0);
	mx_received_finish(&r);
	memset(s, '[', big);
	CHECK_INT(mx_received_parse(s, big, &r), 0);
	mx_received_finish(&r);
	free(s);

	/* finish twice and on a zeroed struct */
	memset(&r, 0, sizeof r);
	mx_received_finish(&r);
	mx_received_finish(&r);
	CHECK_INT(mx_received_parse(NULL, 0, &r), 0);
	mx_received_finish(&r);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
		check_case(&valid[i]);
	check_details();
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
		check_broken(&broken[i]);
	check_limits();
	return unit_done("received");
}
