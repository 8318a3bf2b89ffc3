/*
 * authres.h - Authentication-Results (RFC 8601) and ARC-Authentication-Results
 * (RFC 8617 §4.1.1) header field values.
 *
 * RFC 8601 §2.2 in full: CFWS anywhere between tokens (comments kept), quoted
 * strings, several resinfo, "none", method "/" version, reason=, ptype.property
 * = pvalue where pvalue may be a quoted-string, an addr-spec or "@domain".
 * The non-RFC forms real receivers write are parsed leniently and flagged:
 * Microsoft's field without an authserv-id ("spf=pass (sender IP is ...)
 * smtp.mailfrom=...; dkim=none ...; dmarc=...; compauth=pass reason=100"),
 * Outlook.com's authserv-id repeated after the results, Yahoo's pre-RFC
 * "from=...; domainkeys=neutral".
 *
 * Syntax only: no DNS, no I/O, no JSON.
 */
#ifndef MX_AUTHRES_H
#define MX_AUTHRES_H

#include <stddef.h>

/* Results per field: OpenDMARC's fixed 16 overflowed (#441); we keep 64 and flag the rest. */
#define MX_AUTHRES_MAX_RESULTS 64
/* Properties per result. */
#define MX_AUTHRES_MAX_PROPS 32
/* Comment nesting deeper than this is hostile. */
#define MX_AUTHRES_MAX_COMMENT_DEPTH 32
/* Longest value parsed; longer is cut and flagged. */
#define MX_AUTHRES_MAX_LEN 65536

enum {	/* anomalies, for findings */
	MX_AR_F_NO_AUTHSERV_ID = 1 << 0,	/* Microsoft form: results without an authserv-id */
	MX_AR_F_LENIENT        = 1 << 1,	/* not RFC 8601, but read anyway (see error) */
	MX_AR_F_TRUNCATED      = 1 << 2,	/* over MX_AUTHRES_MAX_RESULTS / _PROPS / _LEN */
	MX_AR_F_DEEP_COMMENT   = 1 << 3,
	MX_AR_F_NUL            = 1 << 4,	/* NUL or control byte in the value */
	MX_AR_F_REPEATED_ID    = 1 << 5,	/* authserv-id repeated among the results (Outlook.com) */
	MX_AR_F_COMMENT_IN_VALUE = 1 << 6,	/* a pvalue with '(' '"' or '\'' inside (Composition Kills A4) */
};

/* All strings owned, NUL-terminated; NULL only where noted. */
struct mx_authres_prop {
	char *ptype;		/* "smtp", "header", "body", "policy" (lower-cased); "" for
				 * a property written without ptype ("action=none",
				 * "version=TLSv1.2", Yahoo's "from="), which is LENIENT */
	char *property;		/* "mailfrom", "d", "i", "b", "from" ... (lower-cased) */
	char *value;		/* unquoted pvalue */
	char *comment;		/* comment(s) inside the propspec or right after the value,
				 * joined by " ", or NULL */
};

struct mx_authres_result {
	char *method;		/* lower-cased: "spf", "dkim", "dmarc", "arc", "iprev", "compauth" ... */
	int method_version;	/* "dkim/1" -> 1; 0 when absent */
	char *result;		/* lower-cased result word: "pass", "fail", ...; "" when
				 * missing (LENIENT) */
	char *reason;		/* reason= value, or NULL */
	char *comment;		/* comment(s) in the methodspec (around method, "=" and the
				 * result word) and after reason=, joined by " ", or NULL */
	struct mx_authres_prop *props;
	size_t nprops;
};

struct mx_authres {
	int instance;		/* ARC i= (ARC-Authentication-Results only), 0 otherwise */
	char *authserv_id;	/* NULL when absent (Microsoft form); when the field does not
				 * start with one but a bare value appears among the results
				 * (Outlook.com raw form), that value, with both
				 * MX_AR_F_NO_AUTHSERV_ID and MX_AR_F_REPEATED_ID set */
	char *authserv_comment;	/* comment(s) around the authserv-id and its version, or NULL */
	int version;		/* authserv-id version, 0 when absent */
	int none;		/* the field said "none" */
	struct mx_authres_result *results;
	size_t nresults;
	unsigned flags;		/* MX_AR_F_* */
	char *error;		/* why it is not RFC 8601 (set when rejected or lenient), or NULL */
	size_t error_offset;	/* byte offset into the value where that was seen */
};

/* mx_authres_parse() return values */
#define MX_AR_OK      0		/* RFC 8601 syntax */
#define MX_AR_LENIENT 1		/* read with non-conformance (flags, error say what) */
#define MX_AR_REJECT  2		/* not an Authentication-Results value; *out holds what was read */
#define MX_AR_NOMEM  -1

/*
 * Parse one field value (after the colon).  arc: 1 for ARC-Authentication-
 * Results, which starts with "i=N;" before the authserv-id.  buf need not be
 * NUL-terminated.  Always fills *out; call mx_authres_finish() after.
 */
int mx_authres_parse(const char *buf, size_t len, int arc, struct mx_authres *out);

/*
 * Look up property ptype.property of result r (ASCII case-insensitive; ptype
 * "" finds a property written without ptype); the first match, NULL when absent.
 */
const char *mx_authres_prop_get(const struct mx_authres_result *r,
    const char *ptype, const char *property);

/* Free everything *ar owns and zero it; safe on a zeroed struct. */
void mx_authres_finish(struct mx_authres *ar);

#endif
