/*
 * spf_record.h - SPF records (RFC 7208 §4.5, §5, §6, §12) and macro
 * expansion (§7).  Syntax only: bytes in, terms out; macro expansion is a
 * pure function of its inputs (the "p" macro's value is supplied by the
 * caller, who does the DNS work).
 */
#ifndef MX_SPF_RECORD_H
#define MX_SPF_RECORD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Terms kept per record.  RFC 7208 sets no limit; a TXT record can hold
 * 64 KiB, so this bounds memory, not legitimate use: 10 000-character
 * records of ip4: terms (about 700) are tested and pass.
 */
#define MX_SPF_MAX_TERMS 4096
/* RFC 7208 §7.3: expanded domain names longer than 253 are truncated on the left. */
#define MX_SPF_MAX_NAME 253
/* Explanation strings and intermediate expansions are capped here. */
#define MX_SPF_MAX_EXPANSION 4096

enum mx_spf_qualifier { MX_SPF_Q_PASS = '+', MX_SPF_Q_FAIL = '-', MX_SPF_Q_SOFTFAIL = '~',
	MX_SPF_Q_NEUTRAL = '?' };

enum mx_spf_mech {
	MX_SPF_ALL = 1, MX_SPF_INCLUDE, MX_SPF_A, MX_SPF_MX, MX_SPF_PTR, MX_SPF_IP4, MX_SPF_IP6,
	MX_SPF_EXISTS,
};

struct mx_spf_term {
	enum mx_spf_qualifier qualifier;
	enum mx_spf_mech mech;
	char *domain_spec;	/* macro-string as written, or NULL (a, mx, ptr default to <domain>) */
	int cidr4, cidr6;	/* dual-cidr-length for a/mx (-1 when absent); the prefix for ip4/ip6 */
	unsigned char addr[16];	/* ip4 (4 bytes) / ip6 address */
	char *text;		/* the term as written (for the trace) */
	size_t offset;		/* where it starts in the record */
};

struct mx_spf_modifier {
	char *name;		/* lower-cased */
	char *value;		/* macro-string as written */
	size_t offset;
};

struct mx_spf_record {
	int ok;			/* 0: permerror, see error */
	const char *error;	/* static text */
	char *error_detail;	/* owned: the offending term, escaped; may be NULL */
	size_t error_offset;
	struct mx_spf_term *terms;
	size_t nterms;
	char *redirect;		/* redirect= domain-spec, or NULL */
	char *exp;		/* exp= domain-spec, or NULL */
	struct mx_spf_modifier *unknown;	/* other modifiers (ignored by RFC 7208 §6) */
	size_t nunknown;
	size_t length;		/* bytes in the record (lint: > 450 risks UDP truncation) */
};

/*
 * 1 when txt[0..len) is an SPF record: "v=spf1" (case-insensitive)
 * followed by a space or the end (RFC 7208 §4.5).
 */
int mx_spf_is_record(const char *txt, size_t len);

/*
 * Parse an SPF record.  Always fills *out; returns 0, or -1 when out of
 * memory.  Each of these is a permerror (ok = 0): no "v=spf1" version,
 * unknown mechanism, malformed term, a byte other than SP between terms or
 * outside %x21-7E in one (control, NUL, non-ASCII), bad CIDR (ip4 > 32,
 * ip6 > 128, or a leading zero: the §5.6 ABNF has none), a bad
 * ip4-network (no leading zeros either) or ip6-network (RFC 4291 §2.2),
 * bad macro syntax in any domain-spec or unknown-modifier value, a macro
 * letter c, r or t in a domain-spec (§7.2), a digit transformer of 0
 * (§7.3), redirect= or exp= given twice or empty, a domain-spec that does
 * not end in "." toplabel or a macro (§7.1 "domain-end"), more than
 * MX_SPF_MAX_TERMS terms (directives and modifiers together).  The first
 * problem found is reported; the terms before it stay in *out.
 * Strings in *out are owned copies; release them with mx_spf_record_finish
 * (which leaves a zeroed struct, so calling it twice is safe).
 */
int mx_spf_record_parse(const char *txt, size_t len, struct mx_spf_record *out);
void mx_spf_record_finish(struct mx_spf_record *r);

/* What the macros stand for (RFC 7208 §7.2). */
struct mx_spf_macro_ctx {
	const char *sender;	/* s: <sender> (local@domain, postmaster@helo for a null sender) */
	const char *domain;	/* d: the current <domain> */
	const unsigned char *ip;	/* i: the client address (4 or 16 bytes) */
	int ipv6;
	int ip_upper;		/* the address was written with upper-case hex: nibbles keep that case */
	const char *helo;	/* h */
	const char *receiver;	/* r: the receiving host ("unknown" when not known) */
	int64_t now;		/* t */
	/* p: the validated domain name of ip; asked for only when a macro uses it */
	const char *(*p)(void *arg);
	void *p_arg;
};

/*
 * Expand macro-string ms.  exp: 1 when expanding an explanation string
 * (c, r, t and SP allowed, §7.2, §7.1 explain-string).  name: 1 when the
 * result is a domain name: one trailing dot is dropped, then it is
 * truncated on the left to MX_SPF_MAX_NAME at a label boundary (§7.3);
 * when even its last label is longer, the result is "" (not a name).
 * Writes a NUL-terminated result to out (outlen bytes, at least
 * MX_SPF_MAX_EXPANSION + 1); out is "" on error.  Returns 0, or -1 with
 * *error (static text, error may be NULL) for a syntax error (a permerror
 * in a domain-spec), or when a result that is not a name outgrows
 * MX_SPF_MAX_EXPANSION or outlen.  Upper-case letters are URL-escaped
 * (RFC 3986 unreserved kept); "i" of IPv6 is 32 lower-case nibbles; "c" of
 * IPv6 is RFC 5952 text; absent ctx strings expand to "", r and p to
 * "unknown"; "l" of a sender without local-part is "postmaster" (§4.3).
 */
int mx_spf_expand(const char *ms, const struct mx_spf_macro_ctx *ctx, int exp, int name,
    char *out, size_t outlen, const char **error);

/* The letters of macros in ms that carry message data into a query ("l", "s", "o", "h", "i", "p"), e.g. "ls"; "" when none. */
void mx_spf_macro_letters(const char *ms, char *letters, size_t n);

#endif
