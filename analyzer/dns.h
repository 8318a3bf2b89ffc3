/*
 * dns.h - the one DNS layer every check uses: offline zone-file snapshots by
 * default, live lookups through ldns's stub resolver only when asked, and a
 * recorder that writes what a run saw as a snapshot that replays exactly.
 * The only file that includes ldns.
 *
 * TXT character-strings are concatenated (RFC 7208 §3.3, RFC 6376
 * §3.6.2.2), several TXT records stay separate, CNAMEs are followed up to
 * MX_DNS_MAX_CNAME, names compare case-insensitively, and the trailing dot
 * is handled here, once.
 */
#ifndef MX_DNS_H
#define MX_DNS_H

#include <stddef.h>
#include <stdint.h>

/* CNAME links followed per lookup; a longer chain is a loop in practice. */
#define MX_DNS_MAX_CNAME 8
/* RFC 1035 §2.3.4, in presentation form without the final dot. */
#define MX_DNS_MAX_NAME 253
#define MX_DNS_MAX_LABEL 63
/* Live mode: each try waits this long, this many times (RFC 7208 §4.6.4 asks
 * for a bound on the whole check; 2 s x 2 keeps one lookup under 5 s). */
#define MX_DNS_TIMEOUT_S 2
#define MX_DNS_RETRIES 2
/* Records kept from one answer: more is hostile. */
#define MX_DNS_MAX_RRS 64

enum mx_dns_type {
	MX_DNS_A = 1, MX_DNS_CNAME = 5, MX_DNS_PTR = 12, MX_DNS_MX = 15, MX_DNS_TXT = 16,
	MX_DNS_AAAA = 28,
};

enum mx_dns_status {
	MX_DNS_OK = 0,		/* answers in rrs */
	MX_DNS_NXDOMAIN,	/* the name does not exist */
	MX_DNS_NODATA,		/* the name exists, without records of this type */
	MX_DNS_SERVFAIL,	/* the server failed: a temperror for the checks */
	MX_DNS_TIMEOUT,		/* no answer in time: a temperror for the checks */
	MX_DNS_NOT_IN_SNAPSHOT,	/* offline, and no loaded data says anything about it */
	MX_DNS_BAD_NAME,	/* not a domain name we would ever query (no query made) */
	MX_DNS_CNAME_LOOP,	/* CNAMEs longer than MX_DNS_MAX_CNAME or circular */
	MX_DNS_PLANNED,		/* --dns-plan: listed, not sent */
};

struct mx_dns_rr {
	char *owner;		/* lower-case, absolute ("example.com.") */
	enum mx_dns_type type;
	uint32_t ttl;
	char *data;		/* TXT: the strings concatenated (may hold any byte, see len);
				 * A/AAAA: the address; MX: "10 mx.example.com."; CNAME/PTR: name */
	size_t len;
};

struct mx_dns_answer {
	enum mx_dns_status status;
	char *qname;		/* the name asked, normalized ("example.com.") */
	enum mx_dns_type qtype;
	char *cnames[MX_DNS_MAX_CNAME];	/* CNAME targets followed, in order */
	size_t ncnames;
	struct mx_dns_rr *rrs;
	size_t nrrs;
	int validated;		/* live: the resolver set AD (DNSSEC-validated); replayed as recorded */
	int live;		/* answered by a live query in this run */
	const char *origin;	/* where it came from: a file name or the resolver */
};

struct mx_dns;

struct mx_dns_error {
	char text[512];		/* "zones/example.zone:12: bad TXT record (...)" */
};

/* A new, empty, offline layer.  NULL when out of memory. */
struct mx_dns *mx_dns_new(void);
void mx_dns_free(struct mx_dns *d);

/*
 * Load an RFC 1035 master file (--dns FILE): $ORIGIN, $TTL, relative names,
 * multi-string TXT, wildcards, and the directives
 * "; mxray-dns: NAME TYPE NXDOMAIN|NODATA|SERVFAIL|TIMEOUT|VALIDATED".
 * A file with an SOA is authoritative for its origin.  Returns 0, or -1
 * with err naming file and line.
 */
int mx_dns_load(struct mx_dns *d, const char *path, struct mx_dns_error *err);

/* The same for zone text in memory; name is used in errors. */
int mx_dns_load_buffer(struct mx_dns *d, const char *name, const char *buf, size_t len,
    struct mx_dns_error *err);

/*
 * Go live (--online): resolver NULL uses /etc/resolv.conf, else "ADDR" or
 * "ADDR:PORT" ("[v6]:PORT" for IPv6).  Loaded snapshots still answer first.
 * Returns 0, or -1 with err.
 */
int mx_dns_set_online(struct mx_dns *d, const char *resolver, struct mx_dns_error *err);

/* --dns-plan: live queries are listed on the plan instead of sent. */
void mx_dns_set_plan(struct mx_dns *d, int on);

/* Remember every answer for mx_dns_save() (--save-dns). */
void mx_dns_set_recording(struct mx_dns *d, int on);

/*
 * Look name up.  Always fills *out (free with mx_dns_answer_finish); returns
 * 0, or -1 when out of memory.  *counter, when given, is incremented once
 * per query sent or answered from a snapshot (checks count their lookups).
 */
int mx_dns_query(struct mx_dns *d, const char *name, enum mx_dns_type type,
    struct mx_dns_answer *out, unsigned *counter);

void mx_dns_answer_finish(struct mx_dns_answer *a);

/* Sort the records (an RRset has no order) so that answers print alike from every source. */
void mx_dns_answer_sort(struct mx_dns_answer *a);

/* Write every answer recorded in this run as a snapshot.  0, or -1 with err. */
int mx_dns_save(struct mx_dns *d, const char *path, const char *when,
    struct mx_dns_error *err);

/* The planned queries, one "NAME TYPE" per line, or "" (owned by d). */
const char *mx_dns_plan(const struct mx_dns *d);

const char *mx_dns_status_name(enum mx_dns_status s);
const char *mx_dns_type_name(enum mx_dns_type t);
/* 0 when name is not one of A, AAAA, CNAME, MX, PTR, TXT (case-insensitive). */
enum mx_dns_type mx_dns_type_parse(const char *name);
/* 1 when status is a temporary failure (temperror for SPF/DKIM/DMARC). */
int mx_dns_is_temp(enum mx_dns_status s);
/* 1 when any snapshot is loaded or live lookups are on: a missing answer then means something. */
int mx_dns_has_data(const struct mx_dns *d);

/* The online mode's resolver description, or NULL offline. */
const char *mx_dns_resolver(const struct mx_dns *d);

#endif
