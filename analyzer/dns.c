/*
 * dns.c - the ldns adapter: snapshots, live lookups, recording.
 *
 * Offline (the default) answers come from master files loaded with ldns.
 * A file with an SOA is authoritative for its origin, as a real server
 * would be; any other file holds only what it lists, so a name it does not
 * hold is "not in snapshot", never a silent NXDOMAIN.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns.h"
#include "hash.h"

/* A normalized name: 253 bytes, each escaped as \\DDD at worst, a dot and NUL. */
#define MX_DNS_NAME_BUF (4 * MX_DNS_MAX_NAME + 4)

struct rec {
	char *owner;		/* normalized */
	size_t seq;		/* load order: keeps sorting stable */
	uint16_t type;
	ldns_rr *rr;		/* kept to write snapshots */
	const char *file;
};

struct directive {
	char *owner;
	const char *file;
	uint16_t type;		/* 0: every type */
	enum mx_dns_status status;	/* MX_DNS_OK with validated: a VALIDATED line */
	int validated;
};

struct zone {
	char *origin;
	const char *file;
};

struct saved {
	char *owner;
	uint16_t type;
	enum mx_dns_status status;
	int validated;
	ldns_rr_list *rrs;	/* the records of an OK or CNAME step */
};

struct mx_dns {
	struct rec *recs;
	size_t nrecs, caprecs;
	int sorted;
	struct directive *dirs;
	size_t ndirs, capdirs;
	struct zone *zones;
	size_t nzones;
	char **files;		/* names of the loaded files, owned */
	size_t nfiles;
	ldns_resolver *res;
	char resolver[160];
	int plan_only;
	char *plan;
	size_t planlen;
	int recording;
	struct saved *saved;	/* answers recorded (--save-dns) or cached (live) */
	size_t nsaved, capsaved;
	size_t *index;		/* hash of saved by owner and type: slot = position + 1, 0 empty */
	size_t capindex;
	/*
	 * Snapshots are read-only once loaded, so threads query them without a
	 * lock.  The lock covers what a query changes: the live resolver (ldns's
	 * is not shared between threads: live lookups go one at a time), the
	 * saved answers and the plan.
	 */
	pthread_mutex_t lock;
	struct memo *memo;	/* offline: the answers given so far, by the name asked */
	size_t nmemo, capmemo;
};

/*
 * Offline answers are the same every time: a mailbox asks for the same keys
 * and policies thousands of times, and building an answer from ldns records
 * costs more than copying it.  Bounded (hostile mail can ask for endless
 * names); past the bound answers are just not remembered.
 */
#define MX_DNS_MAX_MEMO 50000

struct memo {
	char *name;		/* as asked; NULL: empty slot */
	uint16_t type;
	unsigned steps;		/* lookups it took (CNAMEs followed + 1), for the checks' counters */
	struct mx_dns_answer a;
};

/* Live answers kept for the rest of the run (each name asked once); a recording keeps all. */
#define MX_DNS_MAX_CACHED 100000

static void
seterr(struct mx_dns_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof err->text, fmt, ap);
	va_end(ap);
}

/*
 * Normalize a name to the form owners are stored in: ldns's presentation
 * form (special characters escaped as ldns writes them), lower case, one
 * trailing dot.  DNS labels may hold any byte and RFC 7208 domain-specs any
 * visible character ("a:foo:bar/baz.example.com" is a test), so printable
 * ASCII passes; NUL, control and 8-bit bytes, empty labels, labels over 63
 * and names over 253 do not (the DKIM parser is stricter still for d= and
 * s=: Composition Kills A3/A4).
 */
static int
normalize(const char *in, char *out, size_t outlen)
{
	size_t n = strlen(in);
	while (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n > MX_DNS_MAX_NAME)
		return -1;
	uint8_t wire[MX_DNS_MAX_NAME + 3];
	size_t w = 0, label = 0, lstart = 0;
	wire[w++] = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || in[i] == '.') {
			if (label == 0)
				return -1;
			wire[lstart] = (uint8_t)label;
			lstart = w;
			wire[w++] = 0;
			label = 0;
			continue;
		}
		unsigned char c = (unsigned char)in[i];
		if (c < 0x20 || c > 0x7e || ++label > MX_DNS_MAX_LABEL)
			return -1;
		wire[w++] = (uint8_t)tolower(c);
	}
	ldns_rdf *r = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, w, wire);
	if (r == NULL)
		return -1;
	char *p = ldns_rdf2str(r);
	ldns_rdf_deep_free(r);
	if (p == NULL || strlen(p) + 1 > outlen) {
		free(p);
		return -1;
	}
	for (char *q = p; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	strcpy(out, p);
	free(p);
	return 0;
}

/* The same for a name already in presentation form (escapes and all): zone files, CNAME targets. */
static int
normalize_presentation(const char *pres, char *out, size_t outlen)
{
	ldns_rdf *r = ldns_dname_new_frm_str(pres);
	if (r == NULL)
		return -1;
	char *p = ldns_rdf2str(r);
	ldns_rdf_deep_free(r);
	if (p == NULL || strlen(p) + 1 > outlen || strcmp(p, ".") == 0) {
		free(p);
		return -1;
	}
	for (char *q = p; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	strcpy(out, p);
	free(p);
	return 0;
}

static char *
rdf_name(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf);
	if (s)
		for (char *p = s; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return s;
}

/* 1 when name equals zone or lies below it (both normalized). */
static int
within(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);
	if (strcmp(zone, ".") == 0)
		return 1;
	if (n < z || strcmp(name + n - z, zone) != 0)
		return 0;
	return n == z || name[n - z - 1] == '.';
}

struct mx_dns *
mx_dns_new(void)
{
	struct mx_dns *d = calloc(1, sizeof *d);
	if (d != NULL && pthread_mutex_init(&d->lock, NULL) != 0) {
		free(d);
		return NULL;
	}
	return d;
}

static void
saved_free(struct saved *s)
{
	free(s->owner);
	if (s->rrs)
		ldns_rr_list_deep_free(s->rrs);
}

void
mx_dns_free(struct mx_dns *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nrecs; i++) {
		free(d->recs[i].owner);
		ldns_rr_free(d->recs[i].rr);
	}
	free(d->recs);
	for (size_t i = 0; i < d->ndirs; i++)
		free(d->dirs[i].owner);
	free(d->dirs);
	for (size_t i = 0; i < d->nzones; i++)
		free(d->zones[i].origin);
	free(d->zones);
	for (size_t i = 0; i < d->nfiles; i++)
		free(d->files[i]);
	free(d->files);
	for (size_t i = 0; i < d->nsaved; i++)
		saved_free(&d->saved[i]);
	free(d->saved);
	free(d->index);
	for (size_t i = 0; i < d->capmemo; i++)
		if (d->memo[i].name) {
			free(d->memo[i].name);
			mx_dns_answer_finish(&d->memo[i].a);
		}
	free(d->memo);
	free(d->plan);
	if (d->res)
		ldns_resolver_deep_free(d->res);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 32;
	void *nv = realloc(*v, nc * size);
	if (nv == NULL)
		return -1;
	*v = nv;
	*cap = nc;
	return 0;
}

static int
add_rec(struct mx_dns *d, ldns_rr *rr, const char *file)
{
	if (grow((void **)&d->recs, &d->caprecs, d->nrecs, sizeof *d->recs) != 0)
		return -1;
	char *owner = rdf_name(ldns_rr_owner(rr));
	if (owner == NULL)
		return -1;
	d->recs[d->nrecs] = (struct rec){ owner, d->nrecs, ldns_rr_get_type(rr), rr, file };
	d->nrecs++;
	d->sorted = 0;
	return 0;
}

static const struct {
	const char *name;
	enum mx_dns_status status;
} dir_status[] = {
	{ "NXDOMAIN", MX_DNS_NXDOMAIN }, { "NODATA", MX_DNS_NODATA },
	{ "SERVFAIL", MX_DNS_SERVFAIL }, { "TIMEOUT", MX_DNS_TIMEOUT },
	{ "VALIDATED", MX_DNS_OK },
};

/* The "; mxray-dns: NAME TYPE STATUS" lines: comments to every other DNS tool. */
static int
load_directives(struct mx_dns *d, FILE *f, const char *path, const char *fname,
    struct mx_dns_error *err)
{
	char line[1024];
	int lineno = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ';')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "mxray-dns:", 10) != 0)
			continue;
		char name[300], type[16], status[16];
		if (sscanf(p + 10, "%299s %15s %15s", name, type, status) != 3) {
			seterr(err, "%s:%d: an mxray-dns line needs NAME TYPE STATUS", path, lineno);
			return -1;
		}
		char norm[MX_DNS_NAME_BUF];
		if (normalize_presentation(name, norm, sizeof norm) != 0) {
			seterr(err, "%s:%d: '%s' is not a domain name", path, lineno, name);
			return -1;
		}
		uint16_t t = 0;
		if (strcasecmp(type, "ANY") != 0 && (t = (uint16_t)mx_dns_type_parse(type)) == 0) {
			seterr(err, "%s:%d: unknown type '%s' (A, AAAA, CNAME, MX, PTR, TXT or ANY)",
			    path, lineno, type);
			return -1;
		}
		size_t k;
		for (k = 0; k < sizeof dir_status / sizeof dir_status[0]; k++)
			if (strcasecmp(status, dir_status[k].name) == 0)
				break;
		if (k == sizeof dir_status / sizeof dir_status[0]) {
			seterr(err, "%s:%d: unknown status '%s' (NXDOMAIN, NODATA, SERVFAIL, TIMEOUT, "
			    "VALIDATED)", path, lineno, status);
			return -1;
		}
		if (grow((void **)&d->dirs, &d->capdirs, d->ndirs, sizeof *d->dirs) != 0 ||
		    (d->dirs[d->ndirs].owner = strdup(norm)) == NULL) {
			seterr(err, "out of memory");
			return -1;
		}
		d->dirs[d->ndirs].type = t;
		d->dirs[d->ndirs].file = fname;
		d->dirs[d->ndirs].status = dir_status[k].status;
		d->dirs[d->ndirs].validated = dir_status[k].status == MX_DNS_OK;
		d->ndirs++;
	}
	return 0;
}

static int
load_stream(struct mx_dns *d, FILE *f, const char *path, struct mx_dns_error *err)
{
	char **nf = realloc(d->files, (d->nfiles + 1) * sizeof *nf);
	if (nf == NULL) {
		fclose(f);
		seterr(err, "out of memory");
		return -1;
	}
	d->files = nf;
	if ((d->files[d->nfiles] = strdup(path)) == NULL) {
		fclose(f);
		seterr(err, "out of memory");
		return -1;
	}
	const char *fname = d->files[d->nfiles++];
	if (load_directives(d, f, path, fname, err) != 0) {
		fclose(f);
		return -1;
	}
	rewind(f);
	/*
	 * Record by record with ldns_rr_new_frm_fp_l, which keeps $ORIGIN, $TTL
	 * and the previous owner for us.  (ldns_zone_new_frm_fp_l would do the
	 * loop, but leaks the record it was building when one is malformed.)
	 */
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	int line = 1, rc = 0;
	while (rc == 0 && !feof(f)) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN) {
			ldns_rr_free(rr);
			continue;
		}
		if (st == LDNS_STATUS_SYNTAX_INCLUDE) {
			/* a snapshot is one file: it must not pull in others */
			seterr(err, "%s:%d: $INCLUDE is not allowed in a snapshot", path,
			    line > 1 ? line - 1 : line);
			rc = -1;
			break;
		}
		if (st != LDNS_STATUS_OK) {
			ldns_rr_free(rr);
			/* ldns has counted the newline that ended the bad record */
			seterr(err, "%s:%d: %s", path, line > 1 ? line - 1 : line,
			    ldns_get_errorstr_by_id(st));
			rc = -1;
			break;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			/* the file is authoritative for each SOA's owner (a snapshot may hold several zones) */
			struct zone *nz = realloc(d->zones, (d->nzones + 1) * sizeof *nz);
			char *zorigin = rdf_name(ldns_rr_owner(rr));
			if (nz)
				d->zones = nz;
			if (nz == NULL || zorigin == NULL) {
				free(zorigin);
				ldns_rr_free(rr);
				seterr(err, "%s: out of memory", path);
				rc = -1;
				break;
			}
			d->zones[d->nzones++] = (struct zone){ zorigin, fname };
		}
		if (add_rec(d, rr, fname) != 0) {
			ldns_rr_free(rr);
			seterr(err, "%s: out of memory", path);
			rc = -1;
		}
	}
	fclose(f);
	if (origin)
		ldns_rdf_deep_free(origin);
	if (prev)
		ldns_rdf_deep_free(prev);
	return rc;
}

static int
cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int c = strcmp(x->owner, y->owner);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sorted once, when loaded: from then on the records are only read (by any thread). */
static void
sort_recs(struct mx_dns *d)
{
	if (!d->sorted && d->nrecs > 1) {
		qsort(d->recs, d->nrecs, sizeof *d->recs, cmp_rec);
		d->sorted = 1;
	}
}

int
mx_dns_load(struct mx_dns *d, const char *path, struct mx_dns_error *err)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		seterr(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = load_stream(d, f, path, err);
	sort_recs(d);
	return rc;
}

int
mx_dns_load_buffer(struct mx_dns *d, const char *name, const char *buf, size_t len,
    struct mx_dns_error *err)
{
	if (len == 0) {
		static const char empty[] = "\n";
		buf = empty;
		len = 1;
	}
	FILE *f = fmemopen((void *)(uintptr_t)buf, len, "r");
	if (f == NULL) {
		seterr(err, "%s: %s", name, strerror(errno));
		return -1;
	}
	int rc = load_stream(d, f, name, err);
	sort_recs(d);
	return rc;
}

/* The records owned by name: [*first, *first + count). */
static size_t
find_owner(const struct mx_dns *d, const char *name, size_t *first)
{
	size_t lo = 0, hi = d->nrecs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(d->recs[mid].owner, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	while (lo + n < d->nrecs && strcmp(d->recs[lo + n].owner, name) == 0)
		n++;
	*first = lo;
	return n;
}

/* A name with records below it exists even without records of its own (RFC 8020). */
static int
has_descendant(const struct mx_dns *d, const char *name)
{
	for (size_t i = 0; i < d->nrecs; i++)
		if (strcmp(d->recs[i].owner, name) != 0 && within(d->recs[i].owner, name))
			return 1;
	return 0;
}

static const struct zone *
authority(const struct mx_dns *d, const char *name)
{
	const struct zone *best = NULL;
	for (size_t i = 0; i < d->nzones; i++)
		if (within(name, d->zones[i].origin) &&
		    (best == NULL || strlen(d->zones[i].origin) > strlen(best->origin)))
			best = &d->zones[i];
	return best;
}

/* --- answers --- */

static int
rr_to_answer(const ldns_rr *rr, struct mx_dns_rr *out)
{
	memset(out, 0, sizeof *out);
	out->owner = rdf_name(ldns_rr_owner(rr));
	out->type = (enum mx_dns_type)ldns_rr_get_type(rr);
	out->ttl = ldns_rr_ttl(rr);
	if (out->owner == NULL)
		return -1;
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_TXT: {
		/* RFC 7208 §3.3, RFC 6376 §3.6.2.2: the strings concatenated, nothing between */
		size_t total = 0;
		for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
			size_t sz = ldns_rdf_size(ldns_rr_rdf(rr, i));
			total += sz ? sz - 1 : 0;
		}
		out->data = malloc(total + 1);
		if (out->data == NULL)
			return -1;
		for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
			const ldns_rdf *f = ldns_rr_rdf(rr, i);
			size_t sz = ldns_rdf_size(f);
			if (sz > 1) {
				memcpy(out->data + out->len, ldns_rdf_data(f) + 1, sz - 1);
				out->len += sz - 1;
			}
		}
		out->data[out->len] = '\0';
		return 0;
	}
	case LDNS_RR_TYPE_MX: {
		char *ex = rdf_name(ldns_rr_rdf(rr, 1));
		if (ex == NULL)
			return -1;
		int n = asprintf(&out->data, "%u %s", (unsigned)ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)), ex);
		free(ex);
		if (n < 0) {
			out->data = NULL;
			return -1;
		}
		out->len = (size_t)n;
		return 0;
	}
	default:
		out->data = ldns_rr_rd_count(rr) ? rdf_name(ldns_rr_rdf(rr, 0)) : strdup("");
		if (out->data == NULL)
			return -1;
		out->len = strlen(out->data);
		return 0;
	}
}

static int
answer_add(struct mx_dns_answer *a, const ldns_rr *rr)
{
	if (a->nrrs >= MX_DNS_MAX_RRS)
		return 0;
	struct mx_dns_rr *n = realloc(a->rrs, (a->nrrs + 1) * sizeof *n);
	if (n == NULL)
		return -1;
	a->rrs = n;
	if (rr_to_answer(rr, &a->rrs[a->nrrs]) != 0) {
		free(a->rrs[a->nrrs].owner);
		free(a->rrs[a->nrrs].data);
		return -1;
	}
	a->nrrs++;
	return 0;
}

void
mx_dns_answer_finish(struct mx_dns_answer *a)
{
	for (size_t i = 0; i < a->nrrs; i++) {
		free(a->rrs[i].owner);
		free(a->rrs[i].data);
	}
	free(a->rrs);
	for (size_t i = 0; i < a->ncnames; i++)
		free(a->cnames[i]);
	free(a->qname);
	memset(a, 0, sizeof *a);
}

/* An RRset has no order (RFC 2181 §5): sort it so every source prints alike. */
static int
cmp_rr(const void *a, const void *b)
{
	const struct mx_dns_rr *x = a, *y = b;
	if (x->type != y->type)
		return (int)x->type - (int)y->type;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->data, y->data, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/*
 * Drop records that repeat one another (RFC 2181 §5: an RRset is a set),
 * keeping the order they came in: RFC 7208's "the first 10 PTR names" is
 * the order the answer gives.  (Printing sorts: mx_dns_answer_sort.)
 */
static void
dedup(struct mx_dns_answer *a)
{
	size_t k = 0;
	for (size_t i = 0; i < a->nrrs; i++) {
		int dup = 0;
		for (size_t j = 0; j < k && !dup; j++)
			dup = cmp_rr(&a->rrs[j], &a->rrs[i]) == 0;
		if (dup) {
			free(a->rrs[i].owner);
			free(a->rrs[i].data);
			continue;
		}
		a->rrs[k++] = a->rrs[i];
	}
	a->nrrs = k;
}

void
mx_dns_answer_sort(struct mx_dns_answer *a)
{
	if (a->nrrs > 1)
		qsort(a->rrs, a->nrrs, sizeof *a->rrs, cmp_rr);
}

/* --- recording --- */

/* The index slot of owner/type, or the empty slot where it would go. */
static size_t *
saved_slot(const struct mx_dns *d, const char *owner, uint16_t type)
{
	size_t i = mx_hash(owner, strlen(owner), type) & (d->capindex - 1);
	for (;; i = (i + 1) & (d->capindex - 1)) {
		size_t k = d->index[i];
		if (k == 0 || (d->saved[k - 1].type == type && strcmp(d->saved[k - 1].owner, owner) == 0))
			return &d->index[i];
	}
}

static const struct saved *
saved_find(const struct mx_dns *d, const char *owner, uint16_t type)
{
	if (d->capindex == 0)
		return NULL;
	size_t k = *saved_slot(d, owner, type);
	return k ? &d->saved[k - 1] : NULL;
}

/* Make room in the index for one more (kept at most half full). */
static int
saved_index_grow(struct mx_dns *d)
{
	if ((d->nsaved + 1) * 2 <= d->capindex)
		return 0;
	size_t nc = d->capindex ? d->capindex * 2 : 64;
	size_t *ni = calloc(nc, sizeof *ni);
	if (ni == NULL)
		return -1;
	free(d->index);
	d->index = ni;
	d->capindex = nc;
	for (size_t i = 0; i < d->nsaved; i++)
		*saved_slot(d, d->saved[i].owner, d->saved[i].type) = i + 1;
	return 0;
}

static int
save_answer(struct mx_dns *d, const char *owner, uint16_t type, enum mx_dns_status st,
    int validated, const ldns_rr_list *rrs)
{
	if (saved_index_grow(d) != 0 ||
	    grow((void **)&d->saved, &d->capsaved, d->nsaved, sizeof *d->saved) != 0)
		return -1;
	struct saved *s = &d->saved[d->nsaved];
	memset(s, 0, sizeof *s);
	s->owner = strdup(owner);
	s->type = type;
	s->status = st;
	s->validated = validated;
	if (s->owner == NULL)
		return -1;
	if (rrs && (s->rrs = ldns_rr_list_clone(rrs)) == NULL) {
		free(s->owner);
		return -1;
	}
	*saved_slot(d, owner, type) = ++d->nsaved;
	return 0;
}

/*
 * Keep an answer not kept yet: every one when recording (--save-dns), else,
 * as the live cache, up to MX_DNS_MAX_CACHED.  Under the lock.
 */
static int
keep(struct mx_dns *d, const char *owner, uint16_t type, enum mx_dns_status st,
    int validated, const ldns_rr_list *rrs)
{
	if (saved_find(d, owner, type) != NULL || (!d->recording && d->nsaved >= MX_DNS_MAX_CACHED))
		return 0;
	return save_answer(d, owner, type, st, validated, rrs);
}

/* --- one step: the answer for name/type at one name, or the CNAME to follow --- */

struct step {
	enum mx_dns_status status;
	ldns_rr_list *rrs;	/* the matching records, or the CNAME */
	char *cname;		/* target to follow, or NULL */
	int validated;
	int live;
	const char *origin;
};

static void
step_finish(struct step *s)
{
	if (s->rrs)
		ldns_rr_list_deep_free(s->rrs);
	free(s->cname);
}

/* s->rrs is a CNAME: take its target as the name to follow.  0, or -1 when out of memory. */
static int
follow_cname(struct step *s)
{
	s->cname = rdf_name(ldns_rr_rdf(ldns_rr_list_rr(s->rrs, 0), 0));
	return s->cname != NULL ? 0 : -1;
}

static const struct directive *
directive(const struct mx_dns *d, const char *name, uint16_t type, int want_validated)
{
	for (size_t i = 0; i < d->ndirs; i++) {
		const struct directive *x = &d->dirs[i];
		if (x->validated == want_validated && (x->type == 0 || x->type == type) &&
		    strcmp(x->owner, name) == 0)
			return x;
	}
	return NULL;
}

/* Copy the records [first, first+n) of type into a list; with owner replaced when synth. */
static ldns_rr_list *
collect(struct mx_dns *d, size_t first, size_t n, uint16_t type, const char *synth)
{
	ldns_rr_list *l = ldns_rr_list_new();
	if (l == NULL)
		return NULL;
	for (size_t i = first; i < first + n; i++) {
		if (d->recs[i].type != type)
			continue;
		ldns_rr *c = ldns_rr_clone(d->recs[i].rr);
		if (c == NULL) {
			ldns_rr_list_deep_free(l);
			return NULL;
		}
		if (synth) {
			ldns_rdf *o = ldns_dname_new_frm_str(synth);
			if (o == NULL) {
				ldns_rr_free(c);
				ldns_rr_list_deep_free(l);
				return NULL;
			}
			ldns_rdf_deep_free(ldns_rr_owner(c));
			ldns_rr_set_owner(c, o);
		}
		ldns_rr_list_push_rr(l, c);
	}
	return l;
}

static int
offline_step(struct mx_dns *d, const char *name, uint16_t type, struct step *s)
{
	const struct directive *x = directive(d, name, type, 0);
	s->validated = directive(d, name, type, 1) != NULL;
	if (x) {
		s->status = x->status;
		s->origin = x->file;
		return 0;
	}
	size_t first, n = find_owner(d, name, &first);
	const char *synth = NULL;
	const struct zone *z = authority(d, name);
	if (n == 0 && z && !has_descendant(d, name)) {
		/* RFC 4592: a wildcard at the closest encloser answers for a name that does not exist */
		const char *p = strchr(name, '.');
		while (p && p[1] && within(p + 1, z->origin)) {
			const char *anc = p + 1;
			size_t f2, n2 = find_owner(d, anc, &f2);
			if (n2 > 0 || has_descendant(d, anc)) {
				char wild[MX_DNS_NAME_BUF + 2];
				snprintf(wild, sizeof wild, "*.%s", anc);
				n = find_owner(d, wild, &first);
				if (n > 0)
					synth = name;
				break;
			}
			if (strcmp(anc, z->origin) == 0)
				break;
			p = strchr(anc, '.');
		}
	}
	if (n == 0) {
		if (z == NULL) {
			s->status = MX_DNS_NOT_IN_SNAPSHOT;
			return 0;
		}
		s->status = has_descendant(d, name) ? MX_DNS_NODATA : MX_DNS_NXDOMAIN;
		s->origin = z->file;
		return 0;
	}
	int has_type = 0, has_cname = 0;
	for (size_t i = first; i < first + n; i++) {
		has_type |= d->recs[i].type == type;
		has_cname |= d->recs[i].type == LDNS_RR_TYPE_CNAME;
	}
	if (has_type || (has_cname && type != LDNS_RR_TYPE_CNAME)) {
		uint16_t t = has_type ? type : LDNS_RR_TYPE_CNAME;
		if ((s->rrs = collect(d, first, n, t, synth)) == NULL)
			return -1;
		if (!has_type && follow_cname(s) != 0)
			return -1;
		s->status = MX_DNS_OK;
		s->origin = d->recs[first].file;
		return 0;
	}
	s->status = z ? MX_DNS_NODATA : MX_DNS_NOT_IN_SNAPSHOT;
	s->origin = z ? z->file : NULL;
	return 0;
}

static int
plan_add(struct mx_dns *d, const char *name, uint16_t type)
{
	const char *t = mx_dns_type_name((enum mx_dns_type)type);
	size_t add = strlen(name) + strlen(t) + 2;
	char *np = realloc(d->plan, d->planlen + add + 1);
	if (np == NULL)
		return -1;
	d->plan = np;
	d->planlen += (size_t)snprintf(d->plan + d->planlen, add + 1, "%s %s\n", name, t);
	return 0;
}

static int
live_step(struct mx_dns *d, const char *name, uint16_t type, struct step *s)
{
	s->origin = d->resolver;
	if (d->plan_only) {
		s->status = MX_DNS_PLANNED;
		return plan_add(d, name, type);
	}
	ldns_rdf *q = ldns_dname_new_frm_str(name);
	if (q == NULL)
		return -1;
	ldns_pkt *pkt = NULL;
	/* AD in the query asks a validating resolver to say whether it validated (RFC 6840 §5.7) */
	ldns_status st = ldns_resolver_send(&pkt, d->res, q, (ldns_rr_type)type, LDNS_RR_CLASS_IN,
	    LDNS_RD | LDNS_AD);
	s->live = 1;
	if (st != LDNS_STATUS_OK || pkt == NULL) {
		ldns_rdf_deep_free(q);
		s->status = MX_DNS_TIMEOUT;
		return 0;
	}
	s->validated = ldns_pkt_ad(pkt);
	ldns_pkt_rcode rc = ldns_pkt_get_rcode(pkt);
	ldns_rr_list *match = ldns_pkt_rr_list_by_name_and_type(pkt, q, (ldns_rr_type)type,
	    LDNS_SECTION_ANSWER);
	ldns_rr_list *cn = type == LDNS_RR_TYPE_CNAME ? NULL :
	    ldns_pkt_rr_list_by_name_and_type(pkt, q, LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER);
	int rc2 = 0;
	if (match && ldns_rr_list_rr_count(match) > 0) {
		s->status = MX_DNS_OK;
		s->rrs = match;
		match = NULL;
	} else if (cn && ldns_rr_list_rr_count(cn) > 0) {
		s->status = MX_DNS_OK;
		s->rrs = cn;
		cn = NULL;
		rc2 = follow_cname(s);
	} else if (rc == LDNS_RCODE_NXDOMAIN) {
		s->status = MX_DNS_NXDOMAIN;
	} else if (rc == LDNS_RCODE_NOERROR) {
		s->status = MX_DNS_NODATA;
	} else {
		s->status = MX_DNS_SERVFAIL;
	}
	if (match)
		ldns_rr_list_deep_free(match);
	if (cn)
		ldns_rr_list_deep_free(cn);
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(q);
	return rc2;
}

/*
 * A name the snapshots do not answer, in live mode: from this run's cache,
 * else asked (or planned).  One at a time, under the lock.
 */
static int
cached_or_live(struct mx_dns *d, const char *name, uint16_t type, struct step *s)
{
	pthread_mutex_lock(&d->lock);
	const struct saved *c = saved_find(d, name, type);
	int rc = 0;
	if (c == NULL) {
		/* asked and kept under one hold of the lock: no other thread asks it again */
		rc = live_step(d, name, type, s);
		if (rc == 0 && s->status != MX_DNS_PLANNED)
			rc = keep(d, name, type, s->status, s->validated, s->rrs);
	} else {
		s->status = c->status;
		s->validated = c->validated;
		s->live = 1;
		s->origin = d->resolver;
		if (c->rrs && (s->rrs = ldns_rr_list_clone(c->rrs)) == NULL)
			rc = -1;
		else if (s->rrs && ldns_rr_list_rr_count(s->rrs) > 0 && type != LDNS_RR_TYPE_CNAME &&
		    ldns_rr_get_type(ldns_rr_list_rr(s->rrs, 0)) == LDNS_RR_TYPE_CNAME)
			rc = follow_cname(s);
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* A deep copy of src into dst.  0, or -1 when out of memory (dst is then finished). */
static int
answer_copy(struct mx_dns_answer *dst, const struct mx_dns_answer *src)
{
	*dst = *src;
	dst->rrs = NULL;
	dst->nrrs = 0;
	dst->ncnames = 0;
	int bad = (dst->qname = src->qname ? strdup(src->qname) : NULL) == NULL && src->qname;
	for (size_t i = 0; !bad && i < src->ncnames; i++) {
		bad = (dst->cnames[i] = strdup(src->cnames[i])) == NULL;
		dst->ncnames += !bad;
	}
	if (!bad && src->nrrs > 0) {
		bad = (dst->rrs = calloc(src->nrrs, sizeof *dst->rrs)) == NULL;
		for (size_t i = 0; !bad && i < src->nrrs; i++) {
			const struct mx_dns_rr *r = &src->rrs[i];
			struct mx_dns_rr *c = &dst->rrs[i];
			*c = *r;
			c->owner = strdup(r->owner);
			c->data = malloc(r->len + 1);
			if (c->data)
				memcpy(c->data, r->data, r->len + 1);
			dst->nrrs++;
			bad = c->owner == NULL || c->data == NULL;
		}
	}
	if (bad)
		mx_dns_answer_finish(dst);
	return bad ? -1 : 0;
}

/* The memo slot of name/type, or the empty slot where it would go (capmemo > 0). */
static struct memo *
memo_slot(const struct mx_dns *d, const char *name, uint16_t type)
{
	size_t i = mx_hash(name, strlen(name), type) & (d->capmemo - 1);
	for (;; i = (i + 1) & (d->capmemo - 1)) {
		struct memo *m = &d->memo[i];
		if (m->name == NULL || (m->type == type && strcmp(m->name, name) == 0))
			return m;
	}
}

/* Remember an answer (best effort).  Under the lock. */
static void
memo_add(struct mx_dns *d, const char *name, uint16_t type, unsigned steps,
    const struct mx_dns_answer *a)
{
	if (d->nmemo >= MX_DNS_MAX_MEMO)
		return;
	if ((d->nmemo + 1) * 2 > d->capmemo) {
		size_t nc = d->capmemo ? d->capmemo * 2 : 256;
		struct memo *nm = calloc(nc, sizeof *nm);
		if (nm == NULL)
			return;
		struct memo *old = d->memo;
		size_t oc = d->capmemo;
		d->memo = nm;
		d->capmemo = nc;
		for (size_t i = 0; i < oc; i++)
			if (old[i].name)
				*memo_slot(d, old[i].name, old[i].type) = old[i];
		free(old);
	}
	struct memo *m = memo_slot(d, name, type);
	if (m->name != NULL)
		return;		/* another thread was first */
	struct memo e = { .type = type, .steps = steps };
	if ((e.name = strdup(name)) == NULL)
		return;
	if (answer_copy(&e.a, a) != 0) {
		free(e.name);
		return;
	}
	*m = e;
	d->nmemo++;
}

static int
query(struct mx_dns *d, const char *name, enum mx_dns_type type,
    struct mx_dns_answer *out, unsigned *counter)
{
	memset(out, 0, sizeof *out);
	out->qtype = type;
	char cur[MX_DNS_NAME_BUF];
	if (normalize(name, cur, sizeof cur) != 0 || strchr(cur, '*')) {
		out->status = MX_DNS_BAD_NAME;
		return (out->qname = strdup(name)) ? 0 : -1;
	}
	if ((out->qname = strdup(cur)) == NULL)
		return -1;
	out->validated = 1;
	for (size_t hop = 0;; hop++) {
		struct step s = { 0 };
		if (counter)
			(*counter)++;
		int rc = offline_step(d, cur, (uint16_t)type, &s);
		if (rc == 0 && s.status == MX_DNS_NOT_IN_SNAPSHOT && d->res)
			rc = cached_or_live(d, cur, (uint16_t)type, &s);
		if (rc == 0 && d->recording && !s.live && s.status != MX_DNS_NOT_IN_SNAPSHOT &&
		    s.status != MX_DNS_PLANNED) {
			/* --save-dns: what the snapshots answered (live answers were kept as asked) */
			pthread_mutex_lock(&d->lock);
			rc = keep(d, cur, (uint16_t)type, s.status, s.validated, s.rrs);
			pthread_mutex_unlock(&d->lock);
		}
		if (rc != 0) {
			step_finish(&s);
			return -1;
		}
		out->origin = s.origin;
		out->live |= s.live;
		out->validated &= s.validated;
		out->status = s.status;
		if (s.status != MX_DNS_OK || s.cname == NULL) {
			for (size_t i = 0; s.rrs && i < ldns_rr_list_rr_count(s.rrs); i++)
				if (answer_add(out, ldns_rr_list_rr(s.rrs, i)) != 0) {
					step_finish(&s);
					return -1;
				}
			step_finish(&s);
			if (out->nrrs > 1)
				dedup(out);
			break;
		}
		/* follow the CNAME: bounded, and a name seen before is a loop */
		int loop = hop + 1 >= MX_DNS_MAX_CNAME || strcmp(s.cname, out->qname) == 0;
		for (size_t i = 0; i < out->ncnames; i++)
			loop |= strcmp(out->cnames[i], s.cname) == 0;
		if (loop || normalize_presentation(s.cname, cur, sizeof cur) != 0) {
			out->status = loop ? MX_DNS_CNAME_LOOP : MX_DNS_BAD_NAME;
			step_finish(&s);
			break;
		}
		out->cnames[out->ncnames++] = s.cname;
		s.cname = NULL;
		step_finish(&s);
	}
	return 0;
}

int
mx_dns_query(struct mx_dns *d, const char *name, enum mx_dns_type type,
    struct mx_dns_answer *out, unsigned *counter)
{
	unsigned steps = 0;
	if (d->res != NULL)
		return query(d, name, type, out, counter);	/* live: cached by the saved answers */
	pthread_mutex_lock(&d->lock);
	struct memo *m = d->capmemo ? memo_slot(d, name, (uint16_t)type) : NULL;
	int rc = m && m->name ? answer_copy(out, &m->a) : 1;
	if (rc == 0)
		steps = m->steps;
	pthread_mutex_unlock(&d->lock);
	if (rc == 1) {
		rc = query(d, name, type, out, &steps);
		if (rc == 0) {
			pthread_mutex_lock(&d->lock);
			memo_add(d, name, (uint16_t)type, steps, out);
			pthread_mutex_unlock(&d->lock);
		}
	}
	if (counter)
		*counter += steps;
	return rc;
}

/* --- live mode --- */

int
mx_dns_set_online(struct mx_dns *d, const char *resolver, struct mx_dns_error *err)
{
	ldns_resolver *r = NULL;
	if (resolver == NULL) {
		ldns_status st = ldns_resolver_new_frm_file(&r, NULL);
		if (st != LDNS_STATUS_OK) {
			seterr(err, "/etc/resolv.conf: %s", ldns_get_errorstr_by_id(st));
			return -1;
		}
		snprintf(d->resolver, sizeof d->resolver, "the resolvers of /etc/resolv.conf");
	} else {
		char addr[128];
		unsigned port = 53;
		const char *colon = strrchr(resolver, ':');
		if (resolver[0] == '[') {
			const char *close = strchr(resolver, ']');
			if (close == NULL || (size_t)(close - resolver - 1) >= sizeof addr) {
				seterr(err, "--resolver '%s': write an IPv6 address as [ADDR]:PORT", resolver);
				return -1;
			}
			memcpy(addr, resolver + 1, (size_t)(close - resolver - 1));
			addr[close - resolver - 1] = '\0';
			colon = close[1] == ':' ? close + 1 : NULL;
		} else if (colon && strchr(resolver, ':') == colon) {
			if ((size_t)(colon - resolver) >= sizeof addr) {
				seterr(err, "--resolver '%s': address too long", resolver);
				return -1;
			}
			memcpy(addr, resolver, (size_t)(colon - resolver));
			addr[colon - resolver] = '\0';
		} else {
			snprintf(addr, sizeof addr, "%s", resolver);
			colon = NULL;
		}
		if (colon) {
			char *end;
			unsigned long p = strtoul(colon + 1, &end, 10);
			if (*end || p == 0 || p > 65535) {
				seterr(err, "--resolver '%s': bad port", resolver);
				return -1;
			}
			port = (unsigned)p;
		}
		ldns_rdf *ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, addr);
		if (ns == NULL)
			ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, addr);
		if (ns == NULL) {
			seterr(err, "--resolver '%s': not an IP address", resolver);
			return -1;
		}
		r = ldns_resolver_new();
		if (r == NULL || ldns_resolver_push_nameserver(r, ns) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(ns);
			if (r)
				ldns_resolver_deep_free(r);
			seterr(err, "out of memory");
			return -1;
		}
		ldns_rdf_deep_free(ns);
		ldns_resolver_set_port(r, (uint16_t)port);
		snprintf(d->resolver, sizeof d->resolver, "%s%s%s:%u", strchr(addr, ':') ? "[" : "",
		    addr, strchr(addr, ':') ? "]" : "", port);
	}
	struct timeval tv = { MX_DNS_TIMEOUT_S, 0 };
	ldns_resolver_set_timeout(r, tv);
	ldns_resolver_set_retry(r, MX_DNS_RETRIES);
	ldns_resolver_set_retrans(r, 1);
	ldns_resolver_set_fallback(r, true);	/* a truncated UDP answer is asked again over TCP */
	ldns_resolver_set_recursive(r, true);
	ldns_resolver_set_dnsrch(r, false);
	ldns_resolver_set_defnames(r, false);
	ldns_resolver_set_random(r, false);
	if (d->res)
		ldns_resolver_deep_free(d->res);
	d->res = r;
	return 0;
}

void
mx_dns_set_plan(struct mx_dns *d, int on)
{
	d->plan_only = on;
}

void
mx_dns_set_recording(struct mx_dns *d, int on)
{
	d->recording = on;
}

const char *
mx_dns_plan(const struct mx_dns *d)
{
	return d->plan ? d->plan : "";
}

int
mx_dns_has_data(const struct mx_dns *d)
{
	return d->nfiles > 0 || d->res != NULL;
}

const char *
mx_dns_resolver(const struct mx_dns *d)
{
	return d->res ? d->resolver : NULL;
}

/* --- snapshots --- */

int
mx_dns_save(struct mx_dns *d, const char *path, const char *when, struct mx_dns_error *err)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		seterr(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "; mxray DNS snapshot, recorded %s%s%s.\n", when,
	    d->res ? " through " : " from loaded snapshots", d->res ? d->resolver : "");
	fprintf(f, "; Replay it with: mxray ... --dns %s\n", path);
	fprintf(f, "; It holds no SOA: names it does not list are \"not in snapshot\".\n");
	for (size_t i = 0; i < d->nsaved; i++) {
		const struct saved *s = &d->saved[i];
		const char *t = mx_dns_type_name((enum mx_dns_type)s->type);
		if (s->status != MX_DNS_OK)
			fprintf(f, "; mxray-dns: %s %s %s\n", s->owner, t, mx_dns_status_name(s->status));
		if (s->validated)
			fprintf(f, "; mxray-dns: %s %s VALIDATED\n", s->owner, t);
		for (size_t k = 0; s->rrs && k < ldns_rr_list_rr_count(s->rrs); k++) {
			char *line = ldns_rr2str(ldns_rr_list_rr(s->rrs, k));
			if (line)
				fputs(line, f);
			free(line);
		}
	}
	if (fclose(f) != 0) {
		seterr(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* --- names --- */

const char *
mx_dns_status_name(enum mx_dns_status s)
{
	switch (s) {
	case MX_DNS_OK: return "OK";
	case MX_DNS_NXDOMAIN: return "NXDOMAIN";
	case MX_DNS_NODATA: return "NODATA";
	case MX_DNS_SERVFAIL: return "SERVFAIL";
	case MX_DNS_TIMEOUT: return "TIMEOUT";
	case MX_DNS_NOT_IN_SNAPSHOT: return "NOT_IN_SNAPSHOT";
	case MX_DNS_BAD_NAME: return "BAD_NAME";
	case MX_DNS_CNAME_LOOP: return "CNAME_LOOP";
	case MX_DNS_PLANNED: return "PLANNED";
	}
	return "?";
}

static const struct {
	const char *name;
	enum mx_dns_type type;
} types[] = {
	{ "A", MX_DNS_A }, { "AAAA", MX_DNS_AAAA }, { "CNAME", MX_DNS_CNAME },
	{ "MX", MX_DNS_MX }, { "PTR", MX_DNS_PTR }, { "TXT", MX_DNS_TXT },
};

const char *
mx_dns_type_name(enum mx_dns_type t)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (types[i].type == t)
			return types[i].name;
	return "?";
}

enum mx_dns_type
mx_dns_type_parse(const char *name)
{
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(types[i].name, name) == 0)
			return types[i].type;
	return 0;
}

int
mx_dns_is_temp(enum mx_dns_status s)
{
	return s == MX_DNS_SERVFAIL || s == MX_DNS_TIMEOUT;
}
