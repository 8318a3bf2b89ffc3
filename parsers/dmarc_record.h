/*
 * dmarc_record.h - DMARC policy records: RFC 7489 §6.3 and RFC 9989 (DMARCbis)
 * tags, parsed with the RFC 6376 tag-list grammar (parsers/tagvalue.c).
 * Syntax only.
 *
 * One parse serves both specifications; where they differ the record has
 * two verdicts, ok (RFC 7489) and ok_bis (RFC 9989):
 *  - RFC 7489 knows v p sp adkim aspf pct fo rf ri rua ruf; np, psd and t
 *    are unknown tags there.  Every known tag must match its §6.4 ABNF
 *    (OpenDMARC agrees: any bad value is DMARC_PARSE_ERROR_BAD_VALUE).
 *  - RFC 9989 adds np, psd, t and removes pct, rf, ri (ignored like any
 *    unknown tag).  An invalid value of a tag other than p, sp, np is
 *    discarded in favour of the tag's default.
 * In both, a missing or invalid p= (or an invalid sp=; in RFC 9989 also
 * np=) is repaired to p=none when rua= holds at least one syntactically
 * valid URI (RFC 7489 §6.6.3 step 6; RFC 9989 §4.10.1); without one the
 * record is unusable ("no DMARC processing").  p, sp and np keep what was
 * written (MX_DMARC_P_INVALID included): mx_dmarc_record_policy() gives
 * the policy to apply.
 */
#ifndef MX_DMARC_RECORD_H
#define MX_DMARC_RECORD_H

#include <stddef.h>

/* rua=/ruf= URIs kept per record: more is hostile. */
#define MX_DMARC_MAX_URIS 16
/*
 * Tag-specs read per record: RFC 7489 and RFC 9989 define 14 tags between
 * them; a record with more than this is hostile and unusable.
 */
#define MX_DMARC_MAX_TAGS 64

enum mx_dmarc_policy {
	MX_DMARC_P_UNSET = 0,	/* tag absent */
	MX_DMARC_P_NONE,
	MX_DMARC_P_QUARANTINE,
	MX_DMARC_P_REJECT,
	MX_DMARC_P_INVALID,	/* present but not one of the three (or repeated) */
};

struct mx_dmarc_record {
	int ok;			/* RFC 7489: 0: not a usable DMARC record, see error */
	const char *error;	/* static text, NULL when ok */
	char *error_detail;	/* owned, escaped, may be NULL: the offending value or tag name */
	int ok_bis;		/* RFC 9989: usable (invalid optional tags replaced by defaults) */
	const char *error_bis;	/* static text, NULL when ok_bis */
	int is_dmarc;		/* starts with v=DMARC1 (RFC 7489 §6.3: otherwise it is not a DMARC record) */
	enum mx_dmarc_policy p, sp, np;	/* as written; np: RFC 9989 */
	/*
	 * RFC 7489 §6.6.3 step 6 (none_fallback) and RFC 9989 §4.10.1
	 * (none_fallback_bis): p= missing or invalid, or sp= (RFC 9989: sp= or
	 * np=) invalid, and rua= has a valid URI, so the record is acted on as
	 * p=none (sp and np then none too).  fallback_reason says which tag.
	 */
	int none_fallback, none_fallback_bis;
	const char *fallback_reason;	/* static text, or NULL */
	int p_not_second;	/* p= is not the tag after v= (RFC 7489 §6.4 ABNF order; RFC 9989 allows it) */
	int adkim_strict, aspf_strict;	/* adkim=s / aspf=s (default r, also when invalid) */
	int pct;		/* RFC 7489 pct=, 0-100, default 100; -1 when invalid */
	int has_pct;
	int testing;		/* RFC 9989 t=y */
	int has_t;		/* t= present (valid or not) */
	int psd;		/* RFC 9989 psd=: 'y' 1, 'n' 0, 'u', absent or invalid -1 */
	char *fo, *rf;		/* as written, or NULL */
	long ri;		/* ri=, default 86400; -1 when invalid */
	/*
	 * rua=/ruf= elements (trimmed, as written, "!size" suffix kept), at
	 * most MX_DMARC_MAX_URIS; *_ok[i] says whether element i is a valid
	 * DMARC URI (RFC 7489 §6.2/§6.4: URI [ "!" 1*DIGIT [ k/m/g/t ] ]).
	 * *_valid counts the valid ones among all elements, *_dropped the
	 * elements beyond the cap (a finding, never a silent cut).
	 */
	char *rua[MX_DMARC_MAX_URIS];
	int rua_ok[MX_DMARC_MAX_URIS];
	size_t nrua, rua_valid, rua_dropped;
	char *ruf[MX_DMARC_MAX_URIS];
	int ruf_ok[MX_DMARC_MAX_URIS];
	size_t nruf, ruf_valid, ruf_dropped;
	char *unknown_tags;	/* comma-separated names of unknown tags (ignored, RFC 7489 §6.3), or NULL */
	char *invalid_tags;	/* comma-separated names (lower case) of known tags with an invalid or repeated value, or NULL */
	/*
	 * Pieces between ";" that are not a tag-spec ("tagonly", "=value", a
	 * NUL or control byte, ";;"): ignored, counted, the first explained.
	 */
	size_t nmalformed;
	const char *malformed_error;	/* static text from the tag-list parser, or NULL */
	size_t malformed_offset;	/* byte offset in the record */
	char *raw;		/* the record as given (NUL-terminated copy; may hold NULs) */
	size_t raw_len;
};

/*
 * Parse a DMARC record (one TXT answer, strings concatenated).  Always fills
 * *out; returns 0, or -1 when out of memory.
 *
 * RFC 7489 §6.3, §6.6.3 step 5: a record that does not start with
 * "v=DMARC1" (the value exact and case-sensitive, the tag name "v" or "V",
 * WSP around "=" allowed) is not a DMARC record: is_dmarc 0, ok and ok_bis
 * 0.  Tag names are case-insensitive and policy/keyword values too (RFC 7489
 * §6.4 is ABNF, whose quoted literals are case-insensitive, RFC 5234 §2.3);
 * only "DMARC1" is case-sensitive (%x literal).  Abbreviations such as
 * "p=n" are invalid.  A tag repeated (in any case) is invalid, both
 * occurrences.  Unknown tags are ignored and listed; malformed tag-specs
 * are ignored and counted.  More than MX_DMARC_MAX_TAGS tags: unusable.
 */
int mx_dmarc_record_parse(const char *txt, size_t len, struct mx_dmarc_record *out);
/* Free what *r owns and zero it; a zeroed record or NULL is fine. */
void mx_dmarc_record_finish(struct mx_dmarc_record *r);

/* "none", "quarantine", "reject", "invalid", or "unset". */
const char *mx_dmarc_policy_name(enum mx_dmarc_policy p);

/* Who the policy is for. */
enum mx_dmarc_target {
	MX_DMARC_FOR_DOMAIN = 0,	/* the domain that published the record: p */
	MX_DMARC_FOR_SUBDOMAIN,		/* an existing subdomain of it: sp, else p */
	MX_DMARC_FOR_NXSUBDOMAIN,	/* a non-existent one: RFC 9989 np, else sp, else p */
};

/*
 * The policy the record asks for, under RFC 7489 (bis 0) or RFC 9989
 * (bis 1), with the defaults (sp from p, np from sp then p; RFC 7489 has no
 * np) and the p=none fallback applied.  MX_DMARC_P_UNSET when the record
 * is not usable in that mode (no DMARC processing).  Never
 * MX_DMARC_P_INVALID.  pct and t= are not applied here.
 */
enum mx_dmarc_policy mx_dmarc_record_policy(const struct mx_dmarc_record *r, int bis,
    enum mx_dmarc_target target);

#endif
