/*
 * report.h - the two report writers: JSON (docs/schema.md) and text for people.
 */
#ifndef MX_REPORT_H
#define MX_REPORT_H

#include <stdio.h>
#include "analysis.h"

/*
 * Write the analysis as one JSON document (sorted keys, two-space indent
 * unless compact) followed by a newline.  Returns 0, -1 on failure.
 */
int mx_report_json(FILE *out, const struct mx_analysis *a, int compact);

/* The same document as a Jansson value (mxray batch adds the source to it). */
struct json_t;
struct json_t *mx_report_json_value(const struct mx_analysis *a);

/* One SPF evaluation as {"spf": {...}} (mxray spf --json). */
int mx_report_spf_json(FILE *out, const struct mx_spf_result *r, int compact);

/* One SPF evaluation for a person (mxray spf). */
int mx_report_spf_text(FILE *out, const struct mx_spf_result *r, int color);

/* One DMARC evaluation as {"dmarc": {...}}, top level by mode (mxray dmarc --json). */
int mx_report_dmarc_json(FILE *out, const struct mx_dmarc_result *r, int mode);

/* One DMARC evaluation for a person (mxray dmarc). */
int mx_report_dmarc_text(FILE *out, const struct mx_dmarc_result *r, int mode);

/* Every registered finding code as a JSON array (mxray codes --json). */
int mx_report_codes_json(FILE *out);

struct mx_text_options {
	int color;		/* ANSI colours (only on a terminal) */
	int width;		/* columns, 80 by default */
	int min_severity;	/* findings below this are counted, not listed */
};

/* Write the analysis for a person. */
int mx_report_text(FILE *out, const struct mx_analysis *a, const struct mx_text_options *o);

#endif
