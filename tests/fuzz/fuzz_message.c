/* Fuzz target: the whole analysis of one input, and both reports. */
#include <stdio.h>
#include <stdlib.h>

#include "analysis.h"
#include "fuzz.h"
#include "report.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		return 0;
	struct mx_options opt = { .attached = MX_ATTACHED_ALWAYS };
	struct mx_analysis *a = mx_analyze("fuzz", (const char *)data, size, &opt);
	if (a == NULL)
		return 0;
	struct mx_text_options to = { .color = 1, .width = 80, .min_severity = 0 };
	mx_report_json(devnull, a, 1);
	mx_report_text(devnull, a, &to);
	mx_analysis_free(a);
	return 0;
}
