/*
 * received.h - one Received header field (RFC 5321 §4.4, RFC 5322 §3.6.7,
 * RFC 3848 protocol words) and the variants real MTAs write: Gmail,
 * Microsoft 365/Exchange, Postfix, Exim, Sendmail, qmail, Amazon SES,
 * SendGrid, Mailgun, Yahoo, Haraka, Courier, ...
 *
 * Syntax only: bytes in, a struct out.  No DNS, no I/O, no JSON.
 */
#ifndef MX_RECEIVED_H
#define MX_RECEIVED_H

#include <stddef.h>
#include <stdint.h>
#include "datetime.h"

/* Longest textual IP address we keep (IPv6 with embedded IPv4) plus NUL. */
#define MX_IP_MAX 48
/* Comments nest; deeper than this is hostile (rspamd caps at 8, we at 32). */
#define MX_RECEIVED_MAX_COMMENT_DEPTH 32
/* A Received value longer than this is cut and flagged (OpenDKIM caps headers at 64 KiB). */
#define MX_RECEIVED_MAX_LEN 65536

enum mx_received_kind {
	MX_RCVD_RELAY,		/* a network hand-over: a client (from / IP) and a receiver (by) */
	MX_RCVD_LOCAL,		/* no client on the network: "by host (Postfix, from userid N)",
				 * qmail "invoked by uid", pickup, fetchmail/IMAP/POP, scanners */
	MX_RCVD_UNPARSED,	/* nothing usable could be read */
};

enum mx_tls {
	MX_TLS_UNKNOWN = -1,	/* the field gives no evidence either way (HTTP, local, bare) */
	MX_TLS_NO = 0,		/* RFC 3848: SMTP/ESMTP/ESMTPA/LMTP word and no TLS annotation */
	MX_TLS_YES = 1,		/* an S protocol word or a TLS annotation */
};

enum {	/* anomalies, for findings */
	MX_RCVD_F_NO_SEMICOLON   = 1 << 0,	/* no ';' before the date */
	MX_RCVD_F_NO_DATE        = 1 << 1,	/* no date could be read */
	MX_RCVD_F_BAD_DATE       = 1 << 2,	/* date present but not RFC 5322 (see date.flags) */
	MX_RCVD_F_UNBALANCED     = 1 << 3,	/* unbalanced parentheses / brackets */
	MX_RCVD_F_DEEP_COMMENT   = 1 << 4,	/* comment nesting over the limit */
	MX_RCVD_F_TRUNCATED      = 1 << 5,	/* value longer than MX_RECEIVED_MAX_LEN */
	MX_RCVD_F_NUL            = 1 << 6,	/* NUL or other control byte in the value */
	MX_RCVD_F_DUP_CLAUSE     = 1 << 7,	/* a clause keyword (from, by, with ...) repeated */
	MX_RCVD_F_MAY_BE_FORGED  = 1 << 8,	/* Sendmail "(may be forged)" */
	MX_RCVD_F_RDNS_UNVERIFIED = 1 << 9,	/* receiver marked rDNS unknown/unverified */
};

/*
 * All strings are owned (malloc'd, NUL-terminated, never NULL: "" when
 * absent) and freed by mx_received_finish().
 */
struct mx_received {
	enum mx_received_kind kind;
	char *helo;		/* HELO/EHLO argument as the receiver recorded it; an address literal as "[1.2.3.4]" */
	char *rdns;		/* reverse-DNS name the receiver recorded; "" if none, "unknown" or unverified */
	char from_ip[MX_IP_MAX];/* connecting IP, "::ffff:" mapping and port removed; "" if none */
	char *ident;		/* RFC 1413 ident / qmail user part; "" if none */
	char *by_host;		/* receiving host (the by clause's first word) */
	char *via;		/* via clause */
	char *protocol;		/* the with word as written: "ESMTPS", "Microsoft SMTP Server", "HTTP" */
	char *id;		/* queue id */
	char *for_addr;		/* for clause, angle brackets removed */
	char *envelope_from;	/* envelope sender if the field states it (Exim, PowerMTA, Haraka) */
	char *from_text;	/* the whole from clause, comments included (for display) */
	char *by_text;		/* the whole by clause, comments included */
	char *with_text;	/* the whole with clause, comments included */
	int auth;		/* 1: authenticated submission (ESMTPA, ESMTPSA, "authenticated" comment) */
	enum mx_tls tls;
	char *tls_version;	/* normalised "TLSv1.3", "TLSv1.2", "TLSv1", "SSLv3"; "" if not stated */
	char *tls_cipher;	/* cipher as written; "" if not stated */
	char *tls_evidence;	/* the text that decided tls: "with ESMTPS", "(version=TLS1_3 cipher=...)" */
	int has_date;
	struct mx_datetime date;
	unsigned flags;		/* MX_RCVD_F_* */
};

/*
 * Parse the value of one Received field (after "Received:"), folded or not.
 * buf need not be NUL-terminated and may contain anything.  Always fills
 * *out (kind MX_RCVD_UNPARSED when nothing is usable) and returns 0;
 * returns -1 only when out of memory.  Call mx_received_finish() after.
 */
int mx_received_parse(const char *buf, size_t len, struct mx_received *out);

/* Free the strings of *r; safe on a zeroed or already finished struct. */
void mx_received_finish(struct mx_received *r);

#endif
