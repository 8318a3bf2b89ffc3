/* Unit table: what users paste (parsers/intake.c). */
#include <string.h>

#include "intake.h"
#include "unit.h"

static const char msg_crlf[] = "Received: from a by b; Tue, 5 Nov 2024 10:00:00 +0000\r\n"
    "From: x@example.com\r\nSubject: s\r\n\r\nbody\r\n";

static void
expect(const char *in, size_t len, enum mx_input_kind kind, unsigned repairs)
{
	struct mx_intake t;
	CHECK_INT(mx_intake_normalize(in, len, &t), 0);
	CHECK_INT(t.kind, kind);
	if (kind == MX_INPUT_MESSAGE) {
		CHECK_INT(t.repairs, repairs);
		/* whatever the paste, the result is the CRLF message */
		CHECK_INT(t.len, sizeof msg_crlf - 1);
		CHECK(t.len == sizeof msg_crlf - 1 && memcmp(t.buf, msg_crlf, t.len) == 0);
	} else {
		CHECK(t.reason != NULL);
	}
	mx_intake_finish(&t);
}

int
main(void)
{
	expect(msg_crlf, sizeof msg_crlf - 1, MX_INPUT_MESSAGE, 0);
	static const char lf[] = "Received: from a by b; Tue, 5 Nov 2024 10:00:00 +0000\n"
	    "From: x@example.com\nSubject: s\n\nbody\n";
	expect(lf, sizeof lf - 1, MX_INPUT_MESSAGE, MX_REPAIR_LF_ONLY);
	static const char mixed[] = "Received: from a by b; Tue, 5 Nov 2024 10:00:00 +0000\r\n"
	    "From: x@example.com\nSubject: s\r\n\r\nbody\n";
	expect(mixed, sizeof mixed - 1, MX_INPUT_MESSAGE, MX_REPAIR_MIXED_EOL);
	static const char blank[] = "\r\n  \r\n\r\nReceived: from a by b; Tue, 5 Nov 2024 10:00:00 +0000\r\n"
	    "From: x@example.com\r\nSubject: s\r\n\r\nbody\r\n";
	expect(blank, sizeof blank - 1, MX_INPUT_MESSAGE, MX_REPAIR_LEADING_BLANK);
	static const char indented[] = "    Received: from a by b; Tue, 5 Nov 2024 10:00:00 +0000\n"
	    "    From: x@example.com\n    Subject: s\n\n    body\n";
	expect(indented, sizeof indented - 1, MX_INPUT_MESSAGE, MX_REPAIR_INDENT | MX_REPAIR_LF_ONLY);
	static const char mbox[] = "From x@example.com Tue Nov  5 10:00:00 2024\r\n"
	    "Received: from a by b; Tue, 5 Nov 2024 10:00:00 +0000\r\n"
	    "From: x@example.com\r\nSubject: s\r\n\r\nbody\r\n";
	expect(mbox, sizeof mbox - 1, MX_INPUT_MESSAGE, MX_REPAIR_MBOX_FROM);
	static const char bom[] = "\xef\xbb\xbfReceived: from a by b; Tue, 5 Nov 2024 10:00:00 +0000\r\n"
	    "From: x@example.com\r\nSubject: s\r\n\r\nbody\r\n";
	expect(bom, sizeof bom - 1, MX_INPUT_MESSAGE, MX_REPAIR_BOM);

	/* "From :" is a field, not an mbox separator (Composition Kills A7b) */
	struct mx_intake t;
	static const char fromsp[] = "From : a@example.com\r\nTo: b@example.com\r\n\r\n";
	CHECK_INT(mx_intake_normalize(fromsp, sizeof fromsp - 1, &t), 0);
	CHECK_INT(t.kind, MX_INPUT_MESSAGE);
	CHECK(!(t.repairs & MX_REPAIR_MBOX_FROM));
	mx_intake_finish(&t);

	expect("", 0, MX_INPUT_EMPTY, 0);
	expect(" \r\n\t\n", 5, MX_INPUT_EMPTY, 0);
	expect("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", 24, MX_INPUT_DOCUMENT, 0);
	expect("PK\x03\x04\x14\x00", 6, MX_INPUT_DOCUMENT, 0);
	static const char bin[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13"
	    "\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d";
	expect(bin, sizeof bin - 1, MX_INPUT_BINARY, 0);
	static const char prose[] = "Dear team,\nplease find the report attached.\nThanks\n";
	expect(prose, sizeof prose - 1, MX_INPUT_NOT_MESSAGE, 0);
	static const char colon[] = "Note: this is a shopping list\nmilk\n";
	expect(colon, sizeof colon - 1, MX_INPUT_NOT_MESSAGE, 0);
	return unit_done("intake");
}
