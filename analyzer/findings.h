/*
 * findings.h - problems with the message, as data.
 *
 * A finding never aborts the analysis.  Every code is registered in the
 * table in findings.c (with its severity and a one-line summary) and
 * documented in docs/findings.md; a test checks both.
 */
#ifndef MX_FINDINGS_H
#define MX_FINDINGS_H

#include <stddef.h>

enum mx_severity {
	MX_SEV_INFO = 0,	/* worth knowing; nothing wrong */
	MX_SEV_LOW,		/* unusual or sloppy; rarely matters */
	MX_SEV_MEDIUM,		/* affects trust or delivery */
	MX_SEV_HIGH,		/* a spoofing sign or broken evidence */
};

struct mx_finding_code {
	const char *code;
	enum mx_severity severity;
	const char *summary;
};

struct mx_finding {
	const char *code;		/* static, from the table */
	enum mx_severity severity;
	char *message;			/* owned, for a person */
	long field_index;		/* header field (0 = topmost), -1 when none */
	char *field;			/* field name as written, or NULL */
	long long offset;		/* byte offset in the analyzed message, -1 when none */
};

/*
 * At most this many findings of one code are kept; the rest are counted.
 * 20 000 malformed fields must not produce 20 000 lines of report.
 */
#define MX_FINDINGS_MAX_PER_CODE 20

struct mx_findings {
	struct mx_finding *v;
	size_t n, cap;
	size_t suppressed;	/* findings dropped by MX_FINDINGS_MAX_PER_CODE */
};

/*
 * Add a finding.  code must be in the table; severity comes from it unless
 * sev_override >= 0.  Out of memory drops the finding silently (the
 * analysis still completes).
 */
void mx_findings_add(struct mx_findings *fs, const char *code, int sev_override,
    long field_index, const char *field, long long offset, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Sort by severity (highest first), stable. */
void mx_findings_sort(struct mx_findings *fs);

size_t mx_findings_count(const struct mx_findings *fs, enum mx_severity min);

void mx_findings_finish(struct mx_findings *fs);

const char *mx_severity_name(enum mx_severity s);

/* A formatted, owned string (vasprintf); NULL when out of memory. */
char *mx_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* -1 when name is not a severity */
int mx_severity_parse(const char *name);

/* The registered codes, terminated by an entry with code NULL. */
extern const struct mx_finding_code mx_finding_codes[];
const struct mx_finding_code *mx_finding_lookup(const char *code);

#endif
