/* Fuzz target: what users paste (intake, including Gmail's summary page). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gmail_summary.h"
#include "intake.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mx_intake in;
	if (mx_intake_normalize((const char *)data, size, &in) != 0)
		return 0;
	if (in.kind == MX_INPUT_MESSAGE) {
		/* the result never grows more than one CR per LF, and ends CRLF-clean */
		if (in.buf == NULL || in.len > 2 * size)
			abort();
		for (size_t i = 0; i < in.len; i++)
			if (in.buf[i] == '\n' && (i == 0 || in.buf[i - 1] != '\r'))
				abort();
	}
	mx_intake_finish(&in);
	struct mx_gmail_summary g;
	if (mx_gmail_summary_parse((const char *)data, size, &g) == 1) {
		if (g.source_offset > size)
			abort();
		mx_gmail_summary_finish(&g);
	}
	return 0;
}
