/*
 * spf.c - check_host() (RFC 7208 §4) over the DNS layer.
 *
 * Every record fetched, every term tried and every lookup counted goes into
 * a trace, so that a person can follow how the verdict came about, and the
 * policies met on the way are linted.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "findings.h"
#include "spf.h"
#include "spf_record.h"

struct ctx {
	const struct mx_spf_input *in;
	struct mx_spf_result *out;
	unsigned char ip[16];
	int ipv6;
	char ipstr[64];
	const char *sender;
	char *p_value;			/* %{p}, computed once when asked for */
	int ip_upper;			/* the IPv6 address was written in upper-case hex */
	int nomem;
	int stop;			/* a permerror/temperror ends the evaluation */
	const char *stop_result;
};

static void
trace(struct ctx *c, int depth, const char *domain, const char *f, ...)
    __attribute__((format(printf, 4, 5)));

static void
trace(struct ctx *c, int depth, const char *domain, const char *f, ...)
{
	struct mx_spf_result *o = c->out;
	if (o->ntrace >= MX_SPF_MAX_TRACE)
		return;
	struct mx_spf_trace *nt = realloc(o->trace, (o->ntrace + 1) * sizeof *nt);
	if (nt == NULL) {
		c->nomem = 1;
		return;
	}
	o->trace = nt;
	va_list ap;
	va_start(ap, f);
	char *s = NULL;
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	nt[o->ntrace].depth = depth;
	nt[o->ntrace].domain = strdup(domain ? domain : "");
	nt[o->ntrace].text = s;
	if (s == NULL || nt[o->ntrace].domain == NULL) {
		free(s);
		free(nt[o->ntrace].domain);
		c->nomem = 1;
		return;
	}
	o->ntrace++;
}

static void
lint(struct ctx *c, const char *code, int sev, const char *f, ...)
    __attribute__((format(printf, 4, 5)));

static void
lint(struct ctx *c, const char *code, int sev, const char *f, ...)
{
	struct mx_spf_result *o = c->out;
	for (size_t i = 0; i < o->nlint; i++)
		if (strcmp(o->lint[i].code, code) == 0)
			return;		/* once per code is enough */
	struct mx_spf_lint *nl = realloc(o->lint, (o->nlint + 1) * sizeof *nl);
	if (nl == NULL) {
		c->nomem = 1;
		return;
	}
	o->lint = nl;
	va_list ap;
	va_start(ap, f);
	char *s = NULL;
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL) {
		c->nomem = 1;
		return;
	}
	nl[o->nlint].code = code;
	nl[o->nlint].severity = sev;
	nl[o->nlint].message = s;
	o->nlint++;
}

static void
stop(struct ctx *c, const char *result, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static void
stop(struct ctx *c, const char *result, const char *f, ...)
{
	if (c->stop)
		return;
	c->stop = 1;
	c->stop_result = result;
	va_list ap;
	va_start(ap, f);
	free(c->out->reason);
	if (vasprintf(&c->out->reason, f, ap) < 0)
		c->out->reason = NULL;
	va_end(ap);
}

/* --- DNS through the layer, counted --- */

static int
query(struct ctx *c, const char *name, enum mx_dns_type t, struct mx_dns_answer *a)
{
	if (mx_dns_query(c->in->dns, name, t, a, &c->out->dns_queries) != 0) {
		c->nomem = 1;
		return -1;
	}
	return 0;
}

/* RFC 7208 §4.6.4: NXDOMAIN and empty answers are void lookups; the third is a permerror. */
static int
count_void(struct ctx *c, const struct mx_dns_answer *a, int depth, const char *domain)
{
	if (a->status != MX_DNS_NXDOMAIN && a->status != MX_DNS_NODATA &&
	    !(a->status == MX_DNS_OK && a->nrrs == 0))
		return 0;
	c->out->void_lookups++;
	trace(c, depth, domain, "void lookup %u of %d (%s %s: %s)", c->out->void_lookups,
	    MX_SPF_MAX_VOID, a->qname, mx_dns_type_name(a->qtype), mx_dns_status_name(a->status));
	if (c->out->void_lookups > MX_SPF_MAX_VOID) {
		stop(c, "permerror", "more than %d lookups returned nothing (RFC 7208 §4.6.4)",
		    MX_SPF_MAX_VOID);
		return -1;
	}
	return 0;
}

static int
temp_failed(struct ctx *c, const struct mx_dns_answer *a, int depth, const char *domain)
{
	if (!mx_dns_is_temp(a->status) && a->status != MX_DNS_NOT_IN_SNAPSHOT &&
	    a->status != MX_DNS_PLANNED)
		return 0;
	trace(c, depth, domain, "%s %s: %s", a->qname, mx_dns_type_name(a->qtype),
	    mx_dns_status_name(a->status));
	if (a->status == MX_DNS_NOT_IN_SNAPSHOT)
		stop(c, "temperror", "%s %s is not in the DNS snapshot: add it (`dig +noall +answer "
		    "%s %s`) with --dns, or use --online", a->qname, mx_dns_type_name(a->qtype),
		    a->qname, mx_dns_type_name(a->qtype));
	else if (a->status == MX_DNS_PLANNED)
		stop(c, "temperror", "%s %s was planned, not sent (--dns-plan)", a->qname,
		    mx_dns_type_name(a->qtype));
	else
		stop(c, "temperror", "the lookup of %s %s failed (%s)", a->qname,
		    mx_dns_type_name(a->qtype), mx_dns_status_name(a->status));
	return 1;
}

/* --- addresses --- */

static int
parse_ip(const char *s, unsigned char *out, int *v6)
{
	if (inet_pton(AF_INET, s, out) == 1) {
		*v6 = 0;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(out, mapped, 12) == 0) {
			/* RFC 7208 §5: an IPv4-mapped client is checked as IPv4 */
			memmove(out, out + 12, 4);
			*v6 = 0;
			return 0;
		}
		*v6 = 1;
		return 0;
	}
	return -1;
}

static int
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* Does any A/AAAA answer of name match the client within the CIDR length? */
static int
addr_match(struct ctx *c, const char *name, int cidr4, int cidr6, int depth, const char *domain,
    int count_voids, int *matched)
{
	struct mx_dns_answer a;
	*matched = 0;
	if (query(c, name, c->ipv6 ? MX_DNS_AAAA : MX_DNS_A, &a) != 0)
		return -1;
	int rc = 0;
	if (temp_failed(c, &a, depth, domain))
		rc = -1;
	else if (a.status == MX_DNS_BAD_NAME)
		trace(c, depth, domain, "%s is not a valid domain name: no match", name);
	else if (count_voids && count_void(c, &a, depth, domain) != 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < a.nrrs && !*matched; i++) {
		unsigned char addr[16];
		int v6;
		if (a.rrs[i].type != (c->ipv6 ? MX_DNS_AAAA : MX_DNS_A) ||
		    parse_ip(a.rrs[i].data, addr, &v6) != 0 || v6 != c->ipv6)
			continue;
		int bits = c->ipv6 ? (cidr6 < 0 ? 128 : cidr6) : (cidr4 < 0 ? 32 : cidr4);
		*matched = prefix_match(addr, c->ip, bits);
	}
	mx_dns_answer_finish(&a);
	return rc;
}

static void
reverse_name(const struct ctx *c, char *dst, size_t n)
{
	if (!c->ipv6) {
		snprintf(dst, n, "%u.%u.%u.%u.in-addr.arpa", c->ip[3], c->ip[2], c->ip[1], c->ip[0]);
		return;
	}
	size_t k = 0;
	for (int i = 15; i >= 0 && k + 4 < n; i--) {
		static const char hex[] = "0123456789abcdef";
		dst[k++] = hex[c->ip[i] & 0xf];
		dst[k++] = '.';
		dst[k++] = hex[c->ip[i] >> 4];
		dst[k++] = '.';
	}
	snprintf(dst + k, n - k, "ip6.arpa");
}

static int
name_within(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);
	while (n && name[n - 1] == '.')
		n--;
	while (d && domain[d - 1] == '.')
		d--;
	if (n < d || strncasecmp(name + n - d, domain, d) != 0)
		return 0;
	return n == d || name[n - d - 1] == '.';
}

/*
 * RFC 7208 §5.5: the validated names of the client IP ending in domain (or
 * any, for %{p}).  Returns the first such name (owned) or NULL.
 */
static char *
validated_name(struct ctx *c, const char *domain, int depth, int *temp)
{
	char rev[80];
	reverse_name(c, rev, sizeof rev);
	struct mx_dns_answer p;
	*temp = 0;
	if (query(c, rev, MX_DNS_PTR, &p) != 0)
		return NULL;
	char *found = NULL;
	for (size_t i = 0; i < p.nrrs && i < MX_SPF_MAX_PTR && !found; i++) {
		const char *nm = p.rrs[i].data;
		if (domain && !name_within(nm, domain))
			continue;
		int m = 0;
		int saved = c->stop;
		/* a failing address lookup of one PTR name is not an error (§5.5) */
		if (addr_match(c, nm, -1, -1, depth, domain ? domain : "", 0, &m) != 0) {
			c->stop = saved;
			continue;
		}
		if (m)
			found = strdup(nm);
	}
	mx_dns_answer_finish(&p);
	return found;
}

static const char *
p_macro(void *arg)
{
	struct ctx *c = arg;
	if (c->p_value == NULL) {
		int temp;
		char *v = validated_name(c, NULL, 0, &temp);
		c->p_value = v ? v : strdup("unknown");
		if (c->p_value) {
			size_t n = strlen(c->p_value);
			if (n > 1 && c->p_value[n - 1] == '.')
				c->p_value[n - 1] = '\0';
		}
	}
	return c->p_value ? c->p_value : "unknown";
}

static int
expand(struct ctx *c, const char *ms, const char *domain, int is_exp, char *out, size_t n,
    int depth)
{
	struct mx_spf_macro_ctx m = {
		.sender = c->sender, .domain = domain, .ip = c->ip, .ipv6 = c->ipv6,
		.ip_upper = c->ip_upper, .helo = c->in->helo ? c->in->helo : "", .receiver = c->in->receiver_host ?
		    c->in->receiver_host : "unknown", .now = c->in->now, .p = p_macro, .p_arg = c,
	};
	const char *err = NULL;
	if (mx_spf_expand(ms, &m, is_exp, !is_exp, out, n, &err) != 0) {
		stop(c, "permerror", "bad macro in \"%s\": %s", ms, err ? err : "syntax error");
		return -1;
	}
	char letters[16];
	mx_spf_macro_letters(ms, letters, sizeof letters);
	if (letters[0] && !is_exp) {
		c->out->leaks = 1;
		lint(c, "SPF_MACRO_DATA", MX_SEV_LOW, "\"%s\" puts message data (%%{%s}) into a DNS "
		    "query: offline it is answered from the snapshot, but with --online the query "
		    "tells %s's DNS operator who sent mail to whom.", ms, letters, domain);
	}
	(void)depth;
	return 0;
}

/* --- check_host --- */

static const char *check_host(struct ctx *c, const char *domain, int depth, int top);

static const char *
qual_result(enum mx_spf_qualifier q)
{
	switch (q) {
	case MX_SPF_Q_FAIL: return "fail";
	case MX_SPF_Q_SOFTFAIL: return "softfail";
	case MX_SPF_Q_NEUTRAL: return "neutral";
	default: return "pass";
	}
}

static int
is_querying(enum mx_spf_mech m)
{
	return m == MX_SPF_INCLUDE || m == MX_SPF_A || m == MX_SPF_MX || m == MX_SPF_PTR ||
	    m == MX_SPF_EXISTS;
}

/* A wide match is weak evidence (BreakSPF): say how wide. */
static void
describe_scope(struct ctx *c, const struct mx_spf_term *t, const char *in_domain, int depth,
    const char *via)
{
	char *s = NULL;
	int n = -1;
	if (t->mech == MX_SPF_ALL && t->qualifier == MX_SPF_Q_PASS)
		n = asprintf(&s, "matched +all: the record lets any server on the Internet send as %s",
		    in_domain);
	else if (via)
		n = asprintf(&s, "matched via %s: any customer of that provider may send as this "
		    "domain, so SPF alone says little about who sent it", via);
	else if ((t->mech == MX_SPF_IP4 && t->cidr4 >= 0 && t->cidr4 <= 16) ||
	    (t->mech == MX_SPF_IP6 && t->cidr6 >= 0 && t->cidr6 <= 32))
		n = asprintf(&s, "matched %s, a wide range of addresses: many servers may send as %s",
		    t->text, in_domain);
	if (n >= 0 && s) {
		free(c->out->scope);
		c->out->scope = s;
	}
}

/* Evaluate one mechanism; returns 1 on match, 0 on none, -1 when evaluation stops. */
static int
mechanism(struct ctx *c, const struct mx_spf_term *t, const char *domain, int depth,
    const char **inc_result)
{
	char target[MX_SPF_MAX_EXPANSION + 1];
	const char *name = domain;
	if (t->domain_spec) {
		if (expand(c, t->domain_spec, domain, 0, target, sizeof target, depth) != 0)
			return -1;
		name = target;
	}
	int m = 0;
	switch (t->mech) {
	case MX_SPF_ALL:
		return 1;
	case MX_SPF_IP4:
		return !c->ipv6 && prefix_match(t->addr, c->ip, t->cidr4 < 0 ? 32 : t->cidr4);
	case MX_SPF_IP6:
		return c->ipv6 && prefix_match(t->addr, c->ip, t->cidr6 < 0 ? 128 : t->cidr6);
	case MX_SPF_A:
		if (addr_match(c, name, t->cidr4, t->cidr6, depth, domain, 1, &m) != 0)
			return -1;
		return m;
	case MX_SPF_EXISTS: {
		struct mx_dns_answer a;
		/* RFC 7208 §5.7: always an A query, whatever the client's family */
		if (query(c, name, MX_DNS_A, &a) != 0)
			return -1;
		int rc = 0;
		if (temp_failed(c, &a, depth, domain))
			rc = -1;
		else if (a.status == MX_DNS_BAD_NAME)
			rc = 0;
		else if (count_void(c, &a, depth, domain) != 0)
			rc = -1;
		else
			rc = a.nrrs > 0;
		mx_dns_answer_finish(&a);
		return rc;
	}
	case MX_SPF_MX: {
		struct mx_dns_answer a;
		if (query(c, name, MX_DNS_MX, &a) != 0)
			return -1;
		int rc = 0;
		if (temp_failed(c, &a, depth, domain))
			rc = -1;
		else if (a.status == MX_DNS_BAD_NAME)
			rc = 0;
		else if (count_void(c, &a, depth, domain) != 0)
			rc = -1;
		for (size_t i = 0; rc == 0 && i < a.nrrs && !m; i++) {
			/* RFC 7208 §4.6.4: no more than 10 address lookups for one mx */
			if (i == MX_SPF_MAX_MX) {
				stop(c, "permerror", "%s has %zu MX records and none of the first %d matched: "
				    "RFC 7208 §4.6.4 allows no more address lookups", name, a.nrrs,
				    MX_SPF_MAX_MX);
				rc = -1;
				break;
			}
			const char *ex = strchr(a.rrs[i].data, ' ');
			if (ex == NULL)
				continue;
			if (addr_match(c, ex + 1, t->cidr4, t->cidr6, depth, domain, 0, &m) != 0)
				rc = -1;
		}
		mx_dns_answer_finish(&a);
		return rc < 0 ? -1 : m;
	}
	case MX_SPF_PTR: {
		lint(c, "SPF_PTR", MX_SEV_LOW, "%s uses the ptr mechanism, which RFC 7208 §5.5 says "
		    "SHOULD NOT be used: it is slow, unreliable, and a burden on the reverse DNS.",
		    domain);
		int temp;
		char *v = validated_name(c, name, depth, &temp);
		int ok = v != NULL;
		free(v);
		return c->stop ? -1 : ok;
	}
	case MX_SPF_INCLUDE: {
		trace(c, depth, domain, "include:%s", name);
		const char *r = check_host(c, name, depth + 1, 0);
		*inc_result = r;
		if (c->stop)
			return -1;
		/* RFC 7208 §5.2 */
		if (strcmp(r, "pass") == 0)
			return 1;
		if (strcmp(r, "none") == 0) {
			stop(c, "permerror", "include:%s has no SPF record (RFC 7208 §5.2: permerror)",
			    name);
			return -1;
		}
		return 0;
	}
	}
	return 0;
}

static void
lint_record(struct ctx *c, const struct mx_spf_record *r, const char *domain, int depth)
{
	if (r->length > MX_SPF_LONG_RECORD)
		lint(c, "SPF_LONG_RECORD", MX_SEV_LOW, "%s's record is %zu bytes: over %d it may not "
		    "fit a 512-byte UDP answer (RFC 7208 §3.4).", domain, r->length, MX_SPF_LONG_RECORD);
	if (depth > 0 || r->nterms == 0)
		return;
	const struct mx_spf_term *last = &r->terms[r->nterms - 1];
	if (last->mech != MX_SPF_ALL)
		return;
	if (last->qualifier == MX_SPF_Q_PASS)
		lint(c, "SPF_PASS_ALL", MX_SEV_HIGH, "%s ends in +all: every server on the Internet "
		    "passes SPF for it. Replace it with -all (or ~all while testing).", domain);
	else if (last->qualifier == MX_SPF_Q_NEUTRAL)
		lint(c, "SPF_NEUTRAL_ALL", MX_SEV_MEDIUM, "%s ends in ?all: servers not listed get "
		    "neutral, the same as no SPF at all. End with ~all, then -all.", domain);
	else if (last->qualifier == MX_SPF_Q_SOFTFAIL)
		lint(c, "SPF_SOFTFAIL_ALL", MX_SEV_INFO, "%s ends in ~all: unlisted servers only "
		    "softfail, which receivers treat as a hint. Once every sending service is listed, "
		    "-all makes forgery fail outright (DMARC decides what happens either way).", domain);
}

/*
 * top: this record stands for the domain checked (depth 0, or reached from it
 * only through redirect=): its exp= explains a fail (RFC 7208 §6.2).
 */
static const char *
check_host(struct ctx *c, const char *domain, int depth, int top)
{
	if (depth > MX_SPF_MAX_DEPTH) {
		stop(c, "permerror", "include/redirect nested deeper than %d", MX_SPF_MAX_DEPTH);
		return "permerror";
	}
	struct mx_dns_answer a;
	if (query(c, domain, MX_DNS_TXT, &a) != 0)
		return "temperror";
	if (a.status == MX_DNS_BAD_NAME) {
		trace(c, depth, domain, "\"%s\" is not a valid domain name: none", domain);
		mx_dns_answer_finish(&a);
		return "none";
	}
	if (temp_failed(c, &a, depth, domain)) {
		mx_dns_answer_finish(&a);
		return "temperror";
	}
	/* RFC 7208 §4.5: exactly one record starting with "v=spf1" */
	size_t nrec = 0, which = 0;
	for (size_t i = 0; i < a.nrrs; i++)
		if (mx_spf_is_record(a.rrs[i].data, a.rrs[i].len)) {
			nrec++;
			which = i;
		}
	if (nrec == 0) {
		trace(c, depth, domain, "no SPF record (%s)", a.status == MX_DNS_OK ?
		    "TXT records, none starting v=spf1" : mx_dns_status_name(a.status));
		mx_dns_answer_finish(&a);
		return "none";
	}
	if (nrec > 1) {
		lint(c, "SPF_MULTIPLE_RECORDS", MX_SEV_HIGH, "%s publishes %zu SPF records: RFC 7208 "
		    "§4.5 makes that a permerror for every message. Merge them into one.", domain, nrec);
		stop(c, "permerror", "%s has %zu SPF records", domain, nrec);
		mx_dns_answer_finish(&a);
		return "permerror";
	}
	struct mx_spf_record r;
	if (mx_spf_record_parse(a.rrs[which].data, a.rrs[which].len, &r) != 0) {
		c->nomem = 1;
		mx_dns_answer_finish(&a);
		return "temperror";
	}
	trace(c, depth, domain, "record: %.*s", (int)(a.rrs[which].len > 300 ? 300 :
	    a.rrs[which].len), a.rrs[which].data);
	mx_dns_answer_finish(&a);
	if (!r.ok) {
		stop(c, "permerror", "%s's record: %s%s%s", domain, r.error, r.error_detail ? ": " : "",
		    r.error_detail ? r.error_detail : "");
		mx_spf_record_finish(&r);
		return "permerror";
	}
	lint_record(c, &r, domain, depth);
	const char *result = NULL;
	for (size_t i = 0; i < r.nterms && !c->stop && !c->nomem; i++) {
		const struct mx_spf_term *t = &r.terms[i];
		if (is_querying(t->mech)) {
			c->out->lookups++;
			if (c->out->lookups > MX_SPF_MAX_LOOKUPS) {
				lint(c, "SPF_TOO_MANY_LOOKUPS", MX_SEV_HIGH, "Evaluating %s's policy needs "
				    "more than %d DNS-querying terms (include, a, mx, ptr, exists, "
				    "redirect): RFC 7208 §4.6.4 makes that a permerror. Flatten includes "
				    "or drop unused services.", c->out->domain, MX_SPF_MAX_LOOKUPS);
				stop(c, "permerror", "more than %d DNS-querying terms (RFC 7208 §4.6.4), at %s",
				    MX_SPF_MAX_LOOKUPS, t->text);
				break;
			}
		}
		const char *inc = NULL;
		int m = mechanism(c, t, domain, depth, &inc);
		if (m < 0)
			break;
		trace(c, depth, domain, "%s: %s%s%s", t->text, m ? "match" : "no match",
		    inc ? " (include gave " : "", inc ? inc : "");
		if (inc && c->out->ntrace) {
			/* close the parenthesis opened above */
			struct mx_spf_trace *tr = &c->out->trace[c->out->ntrace - 1];
			char *s = NULL;
			if (asprintf(&s, "%s)", tr->text) >= 0) {
				free(tr->text);
				tr->text = s;
			}
		}
		if (m) {
			result = qual_result(t->qualifier);
			if (depth == 0 || c->out->matched == NULL) {
				free(c->out->matched);
				free(c->out->matched_in);
				c->out->matched = strdup(t->text);
				c->out->matched_in = strdup(domain);
			}
			if (depth == 0)
				describe_scope(c, t, domain, depth, t->mech == MX_SPF_INCLUDE ?
				    t->text : NULL);
			if (strcmp(result, "fail") == 0 && r.exp && top) {
				/* RFC 7208 §6.2: explanation only for the top-level fail */
				char name[MX_SPF_MAX_EXPANSION + 1];
				struct mx_dns_answer e;
				if (expand(c, r.exp, domain, 0, name, sizeof name, depth) == 0 &&
				    query(c, name, MX_DNS_TXT, &e) == 0) {
					if (e.status == MX_DNS_OK && e.nrrs == 1) {
						char text[MX_SPF_MAX_EXPANSION + 1];
						const char *err;
						char *raw = strndup(e.rrs[0].data, e.rrs[0].len);
						struct mx_spf_macro_ctx mc = {
							.sender = c->sender, .domain = domain, .ip = c->ip,
							.ipv6 = c->ipv6, .ip_upper = c->ip_upper, .helo = c->in->helo ? c->in->helo : "",
							.receiver = c->in->receiver_host ?
							    c->in->receiver_host : "unknown",
							.now = c->in->now, .p = p_macro, .p_arg = c,
						};
						if (raw && mx_spf_expand(raw, &mc, 1, 0, text, sizeof text,
						    &err) == 0) {
							free(c->out->explanation);
							c->out->explanation = strdup(text);
						}
						free(raw);
					}
					mx_dns_answer_finish(&e);
				}
				/* a broken or missing exp= never changes the result (§6.2) */
				if (c->stop) {
					c->stop = 0;
					free(c->out->reason);
					c->out->reason = NULL;
				}
			}
			break;
		}
	}
	if (result == NULL && !c->stop && !c->nomem && r.redirect) {
		c->out->lookups++;
		if (c->out->lookups > MX_SPF_MAX_LOOKUPS) {
			stop(c, "permerror", "more than %d DNS-querying terms (RFC 7208 §4.6.4), at "
			    "redirect=%s", MX_SPF_MAX_LOOKUPS, r.redirect);
		} else {
			char target[MX_SPF_MAX_EXPANSION + 1];
			if (expand(c, r.redirect, domain, 0, target, sizeof target, depth) == 0) {
				trace(c, depth, domain, "no term matched: redirect=%s", target);
				result = check_host(c, target, depth + 1, top);
				if (!c->stop && strcmp(result, "none") == 0)
					stop(c, "permerror", "redirect=%s has no SPF record (RFC 7208 §6.1)",
					    target);
			}
		}
	}
	if (result == NULL && !c->stop) {
		trace(c, depth, domain, "no term matched: neutral");
		result = "neutral";
	}
	mx_spf_record_finish(&r);
	if (c->stop)
		return c->stop_result;
	return result ? result : "neutral";
}

int
mx_spf_check(const struct mx_spf_input *in, enum mx_spf_identity id, struct mx_spf_result *out)
{
	memset(out, 0, sizeof *out);
	struct ctx c = { .in = in, .out = out };
	const char *mf = in->mail_from ? in->mail_from : "";
	int null_sender = mf[0] == '\0' || strcmp(mf, "<>") == 0;
	/* RFC 7208 §2.4: with a null reverse-path the HELO identity is what is checked */
	out->identity = null_sender ? MX_SPF_HELO : id;
	const char *helo = in->helo ? in->helo : "";
	out->ip = strdup(in->ip ? in->ip : "");
	out->helo = strdup(helo);
	out->mail_from = strdup(null_sender ? "<>" : mf);
	/* RFC 7208 §2.4: the null reverse-path is checked as postmaster@HELO */
	char *sender = NULL;
	if (id == MX_SPF_HELO || null_sender) {
		if (asprintf(&sender, "postmaster@%s", helo) < 0)
			sender = NULL;
		out->domain = strdup(helo);
	} else {
		const char *at = strrchr(mf, '@');
		if (at == NULL) {
			/* §4.3: a MAIL FROM without a local part is postmaster@ that domain */
			if (asprintf(&sender, "postmaster@%s", mf) < 0)
				sender = NULL;
			out->domain = strdup(mf);
		} else if (at == mf) {
			/* "@domain": the local part defaults to postmaster (§4.3) */
			if (asprintf(&sender, "postmaster%s", mf) < 0)
				sender = NULL;
			out->domain = strdup(at + 1);
		} else {
			sender = strdup(mf);
			out->domain = strdup(at + 1);
		}
	}
	if (sender == NULL || out->ip == NULL || out->helo == NULL || out->mail_from == NULL ||
	    out->domain == NULL) {
		free(sender);
		return -1;
	}
	out->sender = sender;
	c.sender = sender;
	c.ip_upper = strpbrk(out->ip, "ABCDEF") != NULL && strpbrk(out->ip, "abcdef") == NULL;
	if (parse_ip(out->ip, c.ip, &c.ipv6) != 0) {
		out->result = "permerror";
		out->reason = strdup("the client IP is not an IP address");
		return out->reason ? 0 : -1;
	}
	if (in->dns == NULL) {
		out->result = "temperror";
		out->reason = strdup("no DNS data was given (--dns FILE, or --online)");
		return out->reason ? 0 : -1;
	}
	if (id == MX_SPF_HELO && helo[0] == '\0') {
		out->result = "none";
		out->reason = strdup("no HELO name");
		return out->reason ? 0 : -1;
	}
	/* RFC 7208 §4.3: a domain that is not a multi-label domain name gives "none" */
	{
		const char *d = out->domain;
		size_t dl = strlen(d);
		while (dl && d[dl - 1] == '.')
			dl--;
		const char *dot = memchr(d, '.', dl);
		if (dl == 0 || dot == NULL || dot == d) {
			out->result = "none";
			out->reason = strdup("the domain is not a multi-label domain name (RFC 7208 §4.3)");
			return out->reason ? 0 : -1;
		}
	}
	out->result = check_host(&c, out->domain, 0, 1);
	free(c.p_value);
	if (strcmp(out->result, "permerror") == 0 || strcmp(out->result, "temperror") == 0 ||
	    strcmp(out->result, "none") == 0) {
		/* a match inside an include does not decide an evaluation that failed */
		free(out->matched);
		free(out->matched_in);
		free(out->scope);
		out->matched = out->matched_in = out->scope = NULL;
	}
	if (c.nomem)
		return -1;
	if (strcmp(out->result, "fail") == 0 && out->explanation == NULL &&
	    in->default_explanation && (out->explanation = strdup(in->default_explanation)) == NULL)
		return -1;
	if (out->lookups >= 8 && out->lookups <= MX_SPF_MAX_LOOKUPS)
		lint(&c, "SPF_NEAR_LOOKUP_LIMIT", MX_SEV_MEDIUM, "This evaluation used %u of the %d "
		    "DNS-querying terms RFC 7208 allows; one more include and SPF fails with permerror "
		    "for every message.", out->lookups, MX_SPF_MAX_LOOKUPS);
	return c.nomem ? -1 : 0;
}

void
mx_spf_result_finish(struct mx_spf_result *r)
{
	free(r->domain);
	free(r->sender);
	free(r->ip);
	free(r->helo);
	free(r->mail_from);
	free(r->matched);
	free(r->matched_in);
	free(r->scope);
	free(r->reason);
	free(r->explanation);
	for (size_t i = 0; i < r->ntrace; i++) {
		free(r->trace[i].domain);
		free(r->trace[i].text);
	}
	free(r->trace);
	for (size_t i = 0; i < r->nlint; i++)
		free(r->lint[i].message);
	free(r->lint);
	memset(r, 0, sizeof *r);
}
