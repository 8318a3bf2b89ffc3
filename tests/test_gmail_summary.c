/* Unit table: Gmail's "Show original" summary (parsers/gmail_summary.c). */
#include <string.h>

#include "gmail_summary.h"
#include "unit.h"

int
main(void)
{
	static const char page[] =
	    "Original Message\n"
	    "Message ID\t<CAF=abc123@mail.gmail.com>\n"
	    "Created at:\tTue, Nov 5, 2024 at 10:00 AM (Delivered after 2 seconds)\n"
	    "From:\tAlice Example <alice@example.com>\n"
	    "To:\tbob@gmail.com\n"
	    "Subject:\tQuarterly report\n"
	    "SPF:\tPASS with IP 198.51.100.25 Learn more\n"
	    "DKIM:\t'PASS' with domain example.com Learn more\n"
	    "DMARC:\t'PASS' Learn more\n"
	    "Download Original\tCopy to clipboard\t\n"
	    "\n"
	    "Delivered-To: bob@gmail.com\n";
	struct mx_gmail_summary g;
	CHECK_INT(mx_gmail_summary_parse(page, sizeof page - 1, &g), 1);
	CHECK_STR(g.message_id, "<CAF=abc123@mail.gmail.com>");
	CHECK_STR(g.created_at, "Tue, Nov 5, 2024 at 10:00 AM");
	CHECK_STR(g.delivered_after, "2 seconds");
	CHECK_STR(g.from, "Alice Example <alice@example.com>");
	CHECK_STR(g.to, "bob@gmail.com");
	CHECK_STR(g.subject, "Quarterly report");
	CHECK_STR(g.spf_result, "pass");
	CHECK_STR(g.spf_ip, "198.51.100.25");
	CHECK_STR(g.dkim_result, "pass");
	CHECK_STR(g.dkim_domain, "example.com");
	CHECK_STR(g.dmarc_result, "pass");
	CHECK_STR(page + g.source_offset, "Delivered-To: bob@gmail.com\n");
	mx_gmail_summary_finish(&g);

	/* without the Download line: the source starts after the DMARC line */
	static const char page2[] =
	    "Message ID\t<x@y>\nSPF:\tSOFTFAIL with IP 203.0.113.9 Learn more\n"
	    "DKIM:\t'FAIL' with domain bank.example Learn more\nDMARC:\t'FAIL' Learn more\n"
	    "Received: from a by b; Tue, 5 Nov 2024 10:00:00 +0000\n";
	CHECK_INT(mx_gmail_summary_parse(page2, sizeof page2 - 1, &g), 1);
	CHECK_STR(g.spf_result, "softfail");
	CHECK_STR(g.dkim_result, "fail");
	CHECK_STR(g.dmarc_result, "fail");
	CHECK(strncmp(page2 + g.source_offset, "Received:", 9) == 0);
	mx_gmail_summary_finish(&g);

	/* a message is not a Gmail page, even with From: and Subject: */
	static const char msg[] = "From: a@b.example\nSubject: SPF: pass\n\nbody\n";
	CHECK_INT(mx_gmail_summary_parse(msg, sizeof msg - 1, &g), 0);
	/* a summary head without any SPF/DKIM/DMARC line is not one either */
	static const char half[] = "Original Message\nSubject:\tx\n";
	CHECK_INT(mx_gmail_summary_parse(half, sizeof half - 1, &g), 0);
	CHECK_INT(mx_gmail_summary_parse("", 0, &g), 0);
	return unit_done("gmail_summary");
}
