/*
 * findings.c - the finding codes and the list that collects them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"

#define I MX_SEV_INFO
#define L MX_SEV_LOW
#define M MX_SEV_MEDIUM
#define H MX_SEV_HIGH

const struct mx_finding_code mx_finding_codes[] = {
	/* intake: what was repaired before analysis */
	{ "INPUT_BOM_REMOVED", I, "a UTF-8 byte-order mark preceded the message" },
	{ "INPUT_LEADING_BLANK_LINES", I, "blank lines preceded the message" },
	{ "INPUT_MBOX_FROM_LINE", I, "an mbox \"From \" separator line preceded the message" },
	{ "INPUT_INDENTED", L, "every line was indented, as by copy and paste" },
	{ "INPUT_LF_LINE_ENDINGS", I, "lines ended in LF, not CRLF (a pasted or Unix-saved source)" },
	{ "INPUT_MIXED_LINE_ENDINGS", L, "some lines ended in CRLF, others in LF" },
	{ "INPUT_GMAIL_PAGE", I, "a Gmail \"Show original\" page: its summary is kept as evidence" },
	{ "HEADERS_ONLY", I, "only the header section was given: body checks cannot run" },
	{ "BODY_EMPTY", I, "the message body is empty" },
	/* header section */
	{ "HEADER_FIELDS_TRUNCATED", M, "more header fields than mxray examines" },
	{ "HEADER_JUNK_LINE", M, "a line that is not a header field ended the header section" },
	{ "HEADER_LEADING_WHITESPACE", H, "the first header line starts with whitespace" },
	{ "HEADER_WSP_BEFORE_COLON", M, "whitespace between a field name and its colon" },
	{ "HEADER_NUL_BYTE", H, "a NUL byte inside a header field" },
	{ "HEADER_8BIT", L, "unencoded 8-bit bytes in a header field" },
	{ "HEADER_LINE_TOO_LONG", L, "a header line longer than 998 characters" },
	{ "HEADER_BARE_CR", M, "a carriage return not followed by a line feed in a header field" },
	/* GMime's parser warnings */
	{ "MIME_DUPLICATED_HEADER", L, "a field that may occur once is repeated with the same value" },
	{ "MIME_CONFLICTING_HEADER", H, "a field that may occur once is repeated with a different value" },
	{ "MIME_INVALID_HEADER_NAME", M, "a header field name is invalid; MIME parsers may skip it" },
	{ "MIME_NESTING_OVERFLOW", H, "MIME parts nested deeper than the parser allows" },
	{ "MIME_MULTIPART_WITHOUT_BOUNDARY", M, "a multipart part has no boundary parameter" },
	{ "MIME_PART_WITHOUT_HEADERS_OR_CONTENT", M, "a MIME part with neither headers nor content" },
	{ "MIME_PART_WITHOUT_CONTENT", L, "a MIME part's headers run straight into a boundary" },
	{ "MIME_INVALID_RFC2047", L, "an invalid RFC 2047 encoded-word in a header" },
	{ "MIME_UNENCODED_8BIT_HEADER", L, "a header holds unencoded 8-bit characters" },
	{ "MIME_INVALID_CONTENT_TYPE", L, "an invalid Content-Type" },
	{ "MIME_MALFORMED_MULTIPART", L, "a multipart with no parts inside" },
	{ "MIME_TRUNCATED", M, "the message ends before its MIME structure does" },
	{ "MIME_MALFORMED", M, "the MIME structure is malformed" },
	{ "MIME_INVALID_ADDRESS_LIST", M, "an address list GMime could not parse" },
	{ "MIME_DUPLICATED_PARAMETER", L, "a header parameter is repeated" },
	{ "MIME_CONFLICTING_PARAMETER", M, "a header parameter is repeated with a different value" },
	{ "MIME_INVALID_PARAMETER", L, "an invalid header parameter" },
	/* author and identity fields */
	{ "FROM_MISSING", H, "no From field" },
	{ "FROM_DUPLICATE", H, "more than one From field" },
	{ "FROM_MULTIPLE_ADDRESSES", M, "a From field with more than one address" },
	{ "FROM_UNPARSABLE", H, "no address could be read from the From field" },
	{ "FROM_ADDRESS_IN_DISPLAY_NAME", M, "the From display name holds an address of another domain" },
	{ "FROM_ENCODED_ADDRESS", H, "an encoded-word in From decodes to an address" },
	{ "FROM_OBS_ROUTE", M, "the From address carries an obsolete source route" },
	{ "FROM_QUOTED_PAIR", H, "a backslash outside quotes in From (address-list confusion)" },
	{ "FROM_AMBIGUOUS", H, "text glued after the angle address in From" },
	{ "DATE_MISSING", L, "no Date field" },
	{ "DATE_UNPARSABLE", L, "the Date field could not be read" },
	{ "MESSAGE_ID_MISSING", L, "no Message-ID field" },
	{ "RETURN_PATH_MULTIPLE", M, "more than one Return-Path field" },
	/* hops */
	{ "RECEIVED_NONE", I, "no Received fields: the message never crossed a server" },
	{ "RECEIVED_UNPARSED", L, "a Received field could not be read" },
	{ "RECEIVED_NO_DATE", L, "a Received field has no readable timestamp" },
	{ "RECEIVED_NONSTANDARD_DATE", I, "a Received timestamp is not in RFC 5322 form" },
	{ "RECEIVED_MAY_BE_FORGED", M, "a server noted that the client's name may be forged" },
	{ "RECEIVED_ANOMALY", L, "a Received field is malformed" },
	{ "HOP_CLOCK_SKEW", M, "a hop is timestamped before the hop before it" },
	{ "HOP_LONG_DELAY", L, "a hop held the message for a long time" },
	{ "HOP_NOT_ENCRYPTED", M, "a hop carried the message without TLS" },
	{ "HOP_OBSOLETE_TLS", L, "a hop used TLS 1.1 or older" },
	{ "DATE_AFTER_RECEIPT", L, "the Date field is later than the first hop" },
	/* trust boundary and recorded evidence */
	{ "BOUNDARY_INFERRED", I, "the receiver was inferred from the topmost hops" },
	{ "BOUNDARY_NOT_FOUND", M, "the receiver's trust boundary could not be located" },
	{ "SENDER_SIDE_HOPS", I, "hops below the trust boundary were written by the sender's side" },
	{ "AUTHRES_FORGED", H, "an authentication result imitates the receiver below its boundary" },
	{ "AUTHRES_UNTRUSTED", I, "authentication results from another server: claims, not evidence" },
	{ "AUTHRES_SYNTAX", L, "an Authentication-Results field is not RFC 8601 syntax" },
	{ "AUTHRES_NO_AUTHSERV_ID", I, "an Authentication-Results field without an authserv-id (Microsoft form)" },
	{ "AUTHRES_INJECTION", H, "a result value carries comment or quote characters (injection)" },
	{ "AUTHRES_TRUNCATED", M, "an Authentication-Results field with more results than mxray reads" },
	{ "RECORDED_AUTH_FAILURE", M, "the receiver recorded an authentication failure" },
	{ "GMAIL_SUMMARY_MISMATCH", M, "Gmail's summary differs from the message's own headers" },
	/* DKIM (RFC 6376, RFC 8301, RFC 8463) */
	{ "DKIM_NONE", L, "the message carries no DKIM signature" },
	{ "DKIM_BODY_CHANGED", M, "a DKIM signature fails: the body changed after signing" },
	{ "DKIM_HEADERS_CHANGED", M, "a DKIM signature fails: signed header fields changed" },
	{ "DKIM_PERMERROR", M, "a DKIM signature cannot be verified (syntax, key, algorithm)" },
	{ "DKIM_KEY_UNAVAILABLE", L, "a DKIM key could not be looked up (not in the snapshot, DNS failure)" },
	{ "DKIM_KEY_ROTATED", I, "the DKIM key is gone now, but the receiver recorded a pass at delivery" },
	{ "DKIM_POLICY", M, "a DKIM signature verifies but is not acceptable (RFC 8301, expiry)" },
	{ "DKIM_TESTING", L, "a DKIM signature verifies with a key in testing mode (t=y)" },
	{ "DKIM_UNSIGNED_TAIL", H, "l= leaves part of the body unsigned, and something is there" },
	{ "DKIM_UNSIGNED_INSTANCE", M, "a signed header name has more instances than the signature covers" },
	{ "DKIM_EXPIRED_SINCE_DELIVERY", I, "a DKIM signature expired after delivery (not a failure)" },
	{ "DKIM_KEY_FORMAT", L, "a DKIM key is published in a non-standard format" },
	{ "DKIM_TOO_MANY_SIGNATURES", M, "more DKIM signatures than mxray verifies" },
	/* SPF (RFC 7208) */
	{ "SPF_FAIL", M, "SPF fails: the client is not allowed to send for the domain" },
	{ "SPF_SOFTFAIL", L, "SPF softfails: the client is not listed (~all)" },
	{ "SPF_PERMERROR", M, "the domain's SPF policy is broken (permerror)" },
	{ "SPF_TEMPERROR", L, "SPF could not be evaluated (DNS failure or missing from the snapshot)" },
	{ "SPF_NONE", L, "the envelope sender's domain publishes no SPF record" },
	{ "SPF_NOT_EVALUATED", I, "SPF was not evaluated: no client IP at the trust boundary" },
	{ "SPF_WIDE_MATCH", L, "SPF passed through a shared provider or a wide address range" },
	{ "SPF_HELO_ONLY", M, "SPF passes for the HELO name but not for the envelope sender" },
	{ "SPF_RECORDED_DIFFERS", M, "SPF now differs from what the receiver recorded at delivery" },
	{ "SPF_INPUTS_DISAGREE", L, "the Return-Path and the receiver's smtp.mailfrom name different domains" },
	{ "SPF_PASS_ALL", H, "an SPF record ends in +all: every server passes" },
	{ "SPF_NEUTRAL_ALL", M, "an SPF record ends in ?all: unlisted servers are neutral" },
	{ "SPF_SOFTFAIL_ALL", I, "an SPF record ends in ~all rather than -all" },
	{ "SPF_TOO_MANY_LOOKUPS", H, "an SPF policy needs more than 10 DNS lookups" },
	{ "SPF_NEAR_LOOKUP_LIMIT", M, "an SPF policy uses 8 to 10 of its 10 DNS lookups" },
	{ "SPF_MULTIPLE_RECORDS", H, "a domain publishes more than one SPF record" },
	{ "SPF_PTR", L, "an SPF record uses the ptr mechanism" },
	{ "SPF_LONG_RECORD", L, "an SPF record longer than 450 bytes" },
	{ "SPF_MACRO_DATA", L, "an SPF macro puts message data into DNS queries" },
	/* DMARC (RFC 7489, RFC 9989) */
	{ "DMARC_FAIL", M, "DMARC fails for the From domain" },
	{ "DMARC_ERROR", L, "DMARC could not be evaluated (permerror or temperror)" },
	{ "DMARC_RFCS_DIFFER", L, "RFC 7489 and RFC 9989 reach different DMARC verdicts" },
	{ "DMARC_NO_RECORD", M, "the From domain publishes no DMARC policy" },
	{ "DMARC_MULTIPLE_RECORDS", H, "more than one DMARC record: receivers apply none" },
	{ "DMARC_NO_RUA", L, "the DMARC record asks for no aggregate reports" },
	{ "DMARC_P_NONE", I, "the DMARC policy is p=none (monitoring)" },
	{ "DMARC_REJECT_WITHOUT_DKIM", M, "p=reject, but the message has no passing DKIM" },
	{ "DMARC_PCT", I, "the DMARC policy applies to a percentage of mail (pct=)" },
	{ "DMARC_UNKNOWN_TAGS", L, "the DMARC record has tags receivers ignore" },
	{ "DMARC_RECORD_ERROR", M, "the DMARC record has an error" },
	/* ARC (RFC 8617) */
	{ "ARC_FAIL", M, "the ARC chain does not validate" },
	{ "ARC_TRUSTED_SEALER", I, "an ARC set from a sealer named with --trust-arc" },
	{ "ARC_UNTRUSTED_SEALER", I, "an ARC set from a sealer not named with --trust-arc: claims" },
	/* the receiver's verdict */
	{ "VERDICT_DIFFERS", M, "mxray's result differs from what the receiver recorded" },
	/* attached messages */
	{ "ATTACHED_MESSAGE", I, "the message carries an attached message" },
	{ "ATTACHED_DEPTH_LIMIT", M, "attached messages nest deeper than mxray follows" },
	{ NULL, 0, NULL },
};

const struct mx_finding_code *
mx_finding_lookup(const char *code)
{
	for (const struct mx_finding_code *c = mx_finding_codes; c->code; c++)
		if (strcmp(c->code, code) == 0)
			return c;
	return NULL;
}

void
mx_findings_add(struct mx_findings *fs, const char *code, int sev_override,
    long field_index, const char *field, long long offset, const char *fmt, ...)
{
	const struct mx_finding_code *c = mx_finding_lookup(code);
	if (c == NULL) {
		/* a programming error, not an input problem: make it visible */
		fprintf(stderr, "mxray: internal: unregistered finding code %s\n", code);
		return;
	}
	size_t same = 0;
	for (size_t i = 0; i < fs->n; i++)
		same += fs->v[i].code == c->code;
	if (same >= MX_FINDINGS_MAX_PER_CODE) {
		fs->suppressed++;
		return;
	}
	if (fs->n == fs->cap) {
		size_t ncap = fs->cap ? fs->cap * 2 : 16;
		struct mx_finding *nv = realloc(fs->v, ncap * sizeof *nv);
		if (nv == NULL)
			return;
		fs->v = nv;
		fs->cap = ncap;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	struct mx_finding *f = &fs->v[fs->n++];
	f->code = c->code;
	f->severity = sev_override >= 0 ? (enum mx_severity)sev_override : c->severity;
	f->message = msg;
	f->field_index = field_index;
	f->field = field ? strdup(field) : NULL;
	f->offset = offset;
}

static int
cmp_sev(const void *a, const void *b)
{
	const struct mx_finding *x = a, *y = b;
	if (x->severity != y->severity)
		return (int)y->severity - (int)x->severity;
	/* stable: keep discovery order (message pointers are not ordered; use offset fields) */
	return 0;
}

void
mx_findings_sort(struct mx_findings *fs)
{
	/* insertion sort: stable, and lists are short */
	for (size_t i = 1; i < fs->n; i++) {
		struct mx_finding t = fs->v[i];
		size_t j = i;
		while (j > 0 && cmp_sev(&fs->v[j - 1], &t) > 0) {
			fs->v[j] = fs->v[j - 1];
			j--;
		}
		fs->v[j] = t;
	}
}

size_t
mx_findings_count(const struct mx_findings *fs, enum mx_severity min)
{
	size_t n = 0;
	for (size_t i = 0; i < fs->n; i++)
		n += fs->v[i].severity >= min;
	return n;
}

void
mx_findings_finish(struct mx_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->v[i].message);
		free(fs->v[i].field);
	}
	free(fs->v);
	memset(fs, 0, sizeof *fs);
}

static const char *const sev_names[] = { "info", "low", "medium", "high" };

const char *
mx_severity_name(enum mx_severity s)
{
	return (unsigned)s < 4 ? sev_names[s] : "unknown";
}

int
mx_severity_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, sev_names[i]) == 0)
			return i;
	return -1;
}

char *
mx_fmt(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	char *s = NULL;
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}
