/*
 * batch.c - the batch loop: read, analyze, write one record, count.
 *
 * The summary is counted from the same JSON value that becomes the record,
 * so what the summary says is what the records say.
 *
 * With several threads (-j), the main thread reads the mailbox and writes
 * the records; the workers analyze.  Jobs sit in a ring: a message is read
 * into the slot after the last one filled, analyzed by whichever worker is
 * free, and written when every message before it has been, so the records
 * come out in input order.  The ring and a byte budget bound what is in
 * flight.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "batch.h"
#include "hash.h"
#include "jsonw.h"
#include "report.h"

/* Distinct domains remembered for the top lists; more are counted as "(others)". */
#define MAX_DOMAINS 65536
#define TOP_N 10
/* Messages in flight per worker thread, and their bytes in all (one larger message still goes). */
#define JOBS_PER_THREAD 8
#define INFLIGHT_BYTES (128u << 20)

struct counter {
	char *key;
	unsigned long long n;
};

/* A small string -> count table (open addressing, grows to a bound). */
struct table {
	struct counter *slot;
	size_t cap, used;
	unsigned long long others;
};

struct mx_batch_summary {
	unsigned long long messages, records, errors, not_messages, bytes, interrupted;
	unsigned long long hops, hops_unencrypted, msgs_unencrypted, gmail_via, gmail_question,
	    gmail_no_tls, attached;
	struct table spf, dkim, dkim_diag, dmarc, arc, findings, spoofing, senders, failing;
	double seconds;
};

static const char *const spoofing_codes[] = {
	"FROM_DUPLICATE", "FROM_ENCODED_ADDRESS", "FROM_QUOTED_PAIR", "FROM_AMBIGUOUS",
	"FROM_ADDRESS_IN_DISPLAY_NAME", "FROM_OBS_ROUTE", "FROM_MULTIPLE_ADDRESSES",
	"AUTHRES_FORGED", "AUTHRES_INJECTION", "DKIM_UNSIGNED_TAIL", "DKIM_UNSIGNED_INSTANCE",
	"RECEIVED_MAY_BE_FORGED", "HEADER_LEADING_WHITESPACE", "MIME_CONFLICTING_HEADER", NULL,
};

/* The slot holding KEY, or the empty slot where it would go (the table is never full). */
static struct counter *
find(const struct table *t, const char *key)
{
	size_t i = mx_hash(key, strlen(key), 0) & (t->cap - 1);
	while (t->slot[i].key && strcmp(t->slot[i].key, key) != 0)
		i = (i + 1) & (t->cap - 1);
	return &t->slot[i];
}

static int
grow(struct table *t)
{
	size_t nc = t->cap ? t->cap * 2 : 64;
	struct counter *ns = calloc(nc, sizeof *ns);
	if (ns == NULL)
		return -1;
	struct table bigger = { .slot = ns, .cap = nc };
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i].key)
			*find(&bigger, t->slot[i].key) = t->slot[i];
	free(t->slot);
	t->slot = ns;
	t->cap = nc;
	return 0;
}

static int
count(struct table *t, const char *key, unsigned long long n)
{
	struct counter *c = t->cap ? find(t, key) : NULL;
	if (c != NULL && c->key != NULL) {
		c->n += n;
		return 0;
	}
	if (t->used >= MAX_DOMAINS) {
		/* full: known keys still count, new ones go to "others" */
		t->others += n;
		return 0;
	}
	if (t->cap == 0 || (t->used + 1) * 2 > t->cap) {
		if (grow(t) != 0)
			return -1;
		c = find(t, key);
	}
	if ((c->key = strdup(key)) == NULL)
		return -1;
	c->n = n;
	t->used++;
	return 0;
}

/* Add src's counts to dst's. */
static int
table_merge(struct table *dst, const struct table *src)
{
	for (size_t i = 0; i < src->cap; i++)
		if (src->slot[i].key && count(dst, src->slot[i].key, src->slot[i].n) != 0)
			return -1;
	dst->others += src->others;
	return 0;
}

static void
table_free(struct table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slot[i].key);
	free(t->slot);
}

static int
by_count(const void *a, const void *b)
{
	const struct counter *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* The entries sorted by count (most first), at most LIMIT (0: all). */
static struct counter *
sorted(const struct table *t, size_t limit, size_t *n)
{
	struct counter *v = malloc((t->used ? t->used : 1) * sizeof *v);
	*n = 0;
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i].key)
			v[(*n)++] = t->slot[i];
	qsort(v, *n, sizeof *v, by_count);
	if (limit && *n > limit)
		*n = limit;
	return v;
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Count what one record says (messages and records are counted by the writer). */
static void
count_record(struct mx_batch_summary *s, json_t *r)
{
	if (json_object_get(r, "message") == NULL) {
		const char *kind = str(json_object_get(r, "input"), "kind");
		if (kind == NULL || strcmp(kind, "unreadable") == 0)
			s->errors++;	/* could not be read, or no memory to analyze it */
		else
			s->not_messages++;
		return;
	}
	json_t *spf = json_object_get(r, "spf");
	count(&s->spf, json_is_object(spf) ? str(spf, "result") : "not evaluated", 1);
	json_t *dkim = json_object_get(r, "dkim");
	size_t i;
	json_t *sig;
	if (json_array_size(dkim) == 0)
		count(&s->dkim, "none (unsigned)", 1);
	json_array_foreach(dkim, i, sig) {
		const char *res = str(sig, "result");
		count(&s->dkim, res ? res : "unknown", 1);
		json_t *d = json_object_get(sig, "diagnosis");
		if (json_is_object(d) && str(d, "code"))
			count(&s->dkim_diag, str(d, "code"), 1);
	}
	json_t *dmarc = json_object_get(r, "dmarc");
	const char *dres = json_is_object(dmarc) ? str(dmarc, "result") : NULL;
	count(&s->dmarc, dres ? dres : "not evaluated", 1);
	json_t *arc = json_object_get(r, "arc");
	count(&s->arc, json_is_object(arc) && str(arc, "result") ? str(arc, "result") : "none", 1);
	json_t *g = json_object_get(r, "gmail");
	if (json_is_object(g)) {
		s->gmail_via += json_is_string(json_object_get(g, "via"));
		s->gmail_question += json_is_true(json_object_get(g, "question_mark"));
		const char *enc = str(g, "encryption");
		s->gmail_no_tls += enc && strcmp(enc, "none") == 0;
	}
	json_t *tr = json_object_get(r, "transit");
	json_int_t un = json_integer_value(json_object_get(tr, "unencrypted"));
	s->hops += (unsigned long long)json_integer_value(json_object_get(tr, "hops"));
	s->hops_unencrypted += (unsigned long long)un;
	s->msgs_unencrypted += un > 0;
	json_t *f;
	json_array_foreach(json_object_get(r, "findings"), i, f) {
		const char *code = str(f, "code");
		if (code == NULL)
			continue;
		count(&s->findings, code, 1);
		for (const char *const *c = spoofing_codes; *c; c++)
			if (strcmp(*c, code) == 0)
				count(&s->spoofing, code, 1);
	}
	s->attached += (unsigned long long)json_array_size(json_object_get(r, "attached"));
	/* the sending domain: the From domain DMARC judged, else the first author's */
	const char *dom = json_is_object(dmarc) ? str(dmarc, "from_domain") : NULL;
	if (dom == NULL) {
		json_t *au = json_array_get(json_object_get(json_object_get(r, "message"), "authors"), 0);
		dom = str(au, "domain");
	}
	if (dom == NULL)
		dom = "(no From domain)";
	count(&s->senders, dom, 1);
	if (dres != NULL && strcmp(dres, "pass") != 0 && strcmp(dres, "none") != 0)
		count(&s->failing, dom, 1);
}

/* A worker's tally into the run's summary (the writer counted messages, records, bytes). */
static int
summary_merge(struct mx_batch_summary *d, const struct mx_batch_summary *s)
{
	d->errors += s->errors;
	d->not_messages += s->not_messages;
	d->hops += s->hops;
	d->hops_unencrypted += s->hops_unencrypted;
	d->msgs_unencrypted += s->msgs_unencrypted;
	d->gmail_via += s->gmail_via;
	d->gmail_question += s->gmail_question;
	d->gmail_no_tls += s->gmail_no_tls;
	d->attached += s->attached;
	const struct table *from[] = { &s->spf, &s->dkim, &s->dkim_diag, &s->dmarc, &s->arc,
	    &s->findings, &s->spoofing, &s->senders, &s->failing };
	struct table *to[] = { &d->spf, &d->dkim, &d->dkim_diag, &d->dmarc, &d->arc,
	    &d->findings, &d->spoofing, &d->senders, &d->failing };
	for (size_t i = 0; i < sizeof to / sizeof *to; i++)
		if (table_merge(to[i], from[i]) != 0)
			return -1;
	return 0;
}

static json_t *
source_json(const struct mx_mailbox_msg *m)
{
	return json_pack("{s:s, s:o, s:I, s:b, s:s}", "path", m->path,
	    "offset", m->in_mbox ? json_integer((json_int_t)m->offset) : json_null(),
	    "index", (json_int_t)m->index, "compressed", m->compressed,
	    "format", m->in_mbox ? "mbox" : "file");
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress(FILE *f, struct mx_mailbox *mb, const struct mx_batch_summary *s, double t0, int last)
{
	uint64_t done, total;
	mx_mailbox_progress(mb, &done, &total);
	double el = now_s() - t0;
	double rate = el > 0 ? (double)s->messages / el : 0;
	fprintf(f, "\r\033[Kmxray: %llu messages, %.1f MB, %.0f msg/s", s->messages,
	    (double)done / 1e6, rate);
	if (total > 0 && done > 0 && done <= total && !last) {
		double eta = el * (double)(total - done) / (double)done;
		fprintf(f, ", %.0f%%, about %.0f s left", 100.0 * (double)done / (double)total, eta);
	}
	if (last)
		fputc('\n', f);
	fflush(f);
}

/* One message's record as a line, already counted. */
struct record {
	int made;		/* 0: out of memory, no record */
	char *line;		/* NULL when out of memory */
	size_t len;
};

/* The record of one message, unreadable ones included, counted into tally. */
static struct record
make_record(const struct mx_mailbox_msg *m, const struct mx_options *opt,
    struct mx_batch_summary *tally)
{
	json_t *rec;
	char name[4200];
	mx_json_arena_begin();	/* rec and all of its tree go with the arena */
	if (m->in_mbox)
		snprintf(name, sizeof name, "%s@%llu", m->path, (unsigned long long)m->offset);
	else
		snprintf(name, sizeof name, "%s", m->path);
	struct mx_analysis *a = m->error ? NULL : mx_analyze(name, m->data, m->len, opt);
	if (a != NULL) {
		rec = mx_report_json_value(a);
		const char *why = a->intake.kind != MX_INPUT_MESSAGE ? a->intake.reason : NULL;
		json_object_set_new(rec, "error", why ? json_string(why) : json_null());
		mx_analysis_free(a);
	} else {
		rec = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}}",
		    "schema_version", MX_SCHEMA_VERSION,
		    "tool", "name", "mxray", "version", MXRAY_VERSION,
		    "input", "name", name, "kind", "unreadable");
		json_object_set_new(rec, "error", json_string(m->error ? m->error :
		    "out of memory while analyzing this message"));
	}
	struct record out = { rec != NULL, NULL, 0 };
	if (rec != NULL) {
		json_object_set_new(rec, "source", source_json(m));
		out.line = mx_json_line(rec, &out.len);
		count_record(tally, rec);
	}
	mx_json_arena_end();
	return out;
}

struct job {
	struct mx_mailbox_msg m;	/* its path, error and data are the job's copies */
	char *path, *error;
	struct record out;		/* once analyzed */
	int done;
};

struct run {
	const struct mx_batch_options *o;
	struct mx_batch_summary *s;
	struct mx_mailbox *mb;
	int write_failed;
	double t0, last;
	/* the thread pool (unused with one thread) */
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct job *ring;
	size_t cap;
	uint64_t filled, taken, written;	/* jobs [written, filled) are in flight */
	size_t inflight;			/* their bytes */
	int eof;
};

/* Write one record (unless writing has failed) and free it. */
static void
emit(struct run *r, struct record o, size_t bytes)
{
	struct mx_batch_summary *s = r->s;
	s->bytes += bytes;
	s->messages++;
	if (!o.made) {
		s->errors++;
		r->write_failed = 1;	/* out of memory: a record is missing, say so */
		return;
	}
	if (!r->write_failed && (o.line == NULL || fwrite(o.line, 1, o.len, r->o->out) != o.len))
		r->write_failed = 1;
	else if (!r->write_failed)
		s->records++;
	free(o.line);
	if (r->o->progress != NULL && now_s() - r->last > 0.25) {
		r->last = now_s();
		progress(r->o->progress, r->mb, s, r->t0, 0);
	}
}

static int
stopped(const struct run *r)
{
	return r->write_failed || (r->o->stop && *r->o->stop);
}

static void
run_serial(struct run *r)
{
	struct mx_mailbox_msg m;
	while (!stopped(r) && mx_mailbox_next(r->mb, &m))
		emit(r, make_record(&m, r->o->analysis, r->s), m.len);
}

struct worker {
	struct run *r;
	struct mx_batch_summary *tally;	/* what its records say, merged at the end */
	pthread_t tid;
};

static void *
worker(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (r->taken == r->filled && !r->eof)
			pthread_cond_wait(&r->work, &r->lock);
		if (r->taken == r->filled)
			break;
		uint64_t seq = r->taken++;
		struct job *j = &r->ring[seq % r->cap];
		pthread_mutex_unlock(&r->lock);
		j->out = make_record(&j->m, r->o->analysis, w->tally);
		pthread_mutex_lock(&r->lock);
		j->done = 1;
		/* the writer waits for the oldest job only: later ones wake nobody */
		if (seq == r->written)
			pthread_cond_signal(&r->done);
	}
	pthread_mutex_unlock(&r->lock);
	mx_json_arena_free();
	return NULL;
}

static void
job_clear(struct job *j)
{
	free(j->path);
	free(j->error);
	free(j->m.data);
	memset(j, 0, sizeof *j);
}

enum drain_until { ROOM, EMPTY };

/*
 * Write the finished jobs at the head of the ring, in order, waiting until
 * the ring has ROOM for one more message or is EMPTY.  Called locked.
 */
static void
drain(struct run *r, enum drain_until until)
{
	for (;;) {
		while (r->written < r->filled && r->ring[r->written % r->cap].done) {
			struct job *j = &r->ring[r->written % r->cap];
			pthread_mutex_unlock(&r->lock);
			emit(r, j->out, j->m.len);
			size_t len = j->m.len;
			job_clear(j);
			pthread_mutex_lock(&r->lock);
			r->written++;
			r->inflight -= len;
		}
		int busy = r->written < r->filled;
		int full = r->filled - r->written >= r->cap || (busy && r->inflight > INFLIGHT_BYTES);
		if (!busy || (until == ROOM && !full))
			return;
		pthread_cond_wait(&r->done, &r->lock);
	}
}

/* A copy the job owns (the reader's buffers are reused by its next call). */
static int
job_fill(struct job *j, const struct mx_mailbox_msg *m)
{
	j->m = *m;
	j->m.path = j->path = strdup(m->path);
	j->m.error = j->error = m->error ? strdup(m->error) : NULL;
	j->m.data = m->len ? malloc(m->len) : NULL;
	if (j->m.data)
		memcpy(j->m.data, m->data, m->len);
	if (j->path == NULL || (m->error && j->error == NULL) || (m->len && j->m.data == NULL)) {
		job_clear(j);
		return -1;
	}
	return 0;
}

static int
run_threads(struct run *r, unsigned nthreads)
{
	r->cap = (size_t)nthreads * JOBS_PER_THREAD;
	r->ring = calloc(r->cap, sizeof *r->ring);
	struct worker *w = calloc(nthreads, sizeof *w);
	int nomem = r->ring == NULL || w == NULL;
	for (unsigned i = 0; !nomem && i < nthreads; i++)
		nomem = (w[i].tally = calloc(1, sizeof *w[i].tally)) == NULL;
	if (nomem) {
		for (unsigned i = 0; w && i < nthreads; i++)
			free(w[i].tally);
		free(r->ring);
		free(w);
		return -1;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->work, NULL);
	pthread_cond_init(&r->done, NULL);
	json_object_seed(0);	/* before any thread makes an object */
	unsigned started = 0;
	for (; started < nthreads; started++) {
		w[started].r = r;
		if (pthread_create(&w[started].tid, NULL, worker, &w[started]) != 0)
			break;
	}
	int rc = started ? 0 : -1;
	struct mx_mailbox_msg m;
	pthread_mutex_lock(&r->lock);
	while (started) {
		drain(r, ROOM);
		pthread_mutex_unlock(&r->lock);
		int more = !stopped(r) && mx_mailbox_next(r->mb, &m);
		pthread_mutex_lock(&r->lock);
		if (!more)
			break;
		struct job *j = &r->ring[r->filled % r->cap];
		if (job_fill(j, &m) != 0) {
			/* no memory for a copy: analyze it here, in order, once the rest is out */
			drain(r, EMPTY);
			pthread_mutex_unlock(&r->lock);
			emit(r, make_record(&m, r->o->analysis, r->s), m.len);
			pthread_mutex_lock(&r->lock);
			continue;
		}
		r->filled++;
		r->inflight += m.len;
		pthread_cond_signal(&r->work);
	}
	r->eof = 1;
	pthread_cond_broadcast(&r->work);
	drain(r, EMPTY);
	pthread_mutex_unlock(&r->lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	for (unsigned i = 0; i < nthreads; i++) {
		if (summary_merge(r->s, w[i].tally) != 0)
			r->write_failed = 1;	/* the summary would be short: fail the run */
		mx_batch_summary_free(w[i].tally);
	}
	pthread_cond_destroy(&r->done);
	pthread_cond_destroy(&r->work);
	pthread_mutex_destroy(&r->lock);
	free(w);
	free(r->ring);
	return rc;
}

struct mx_batch_summary *
mx_batch_run(struct mx_mailbox *mb, const struct mx_batch_options *o, int *write_failed)
{
	struct mx_batch_summary *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	struct run r = { .o = o, .s = s, .mb = mb, .t0 = now_s() };
	r.last = r.t0;
	mx_json_arena_init();
	if (o->threads <= 1 || run_threads(&r, o->threads) != 0)
		run_serial(&r);
	mx_json_arena_free();	/* the main thread's: serial runs, and records made in it */
	*write_failed = r.write_failed;
	if (o->stop && *o->stop)
		s->interrupted = 1;
	if (fflush(o->out) != 0)
		*write_failed = 1;
	s->seconds = now_s() - r.t0;
	if (o->progress != NULL)
		progress(o->progress, mb, s, r.t0, 1);
	return s;
}

static json_t *
table_json(const struct table *t)
{
	json_t *o = json_object();
	size_t n;
	struct counter *v = sorted(t, 0, &n);
	for (size_t i = 0; v && i < n; i++)
		json_object_set_new(o, v[i].key, json_integer((json_int_t)v[i].n));
	free(v);
	return o;
}

static json_t *
top_json(const struct table *t)
{
	json_t *a = json_array();
	size_t n;
	struct counter *v = sorted(t, TOP_N, &n);
	for (size_t i = 0; v && i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I}", "domain", v[i].key,
		    "messages", (json_int_t)v[i].n));
	free(v);
	return a;
}

int
mx_batch_summary_json(FILE *out, const struct mx_batch_summary *s)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:b, s:I, s:f}",
	    "messages", (json_int_t)s->messages, "records", (json_int_t)s->records,
	    "unreadable", (json_int_t)s->errors, "not_messages", (json_int_t)s->not_messages,
	    "interrupted", (int)s->interrupted, "bytes", (json_int_t)s->bytes,
	    "seconds", s->seconds);
	json_object_set_new(o, "spf", table_json(&s->spf));
	json_object_set_new(o, "dkim_signatures", table_json(&s->dkim));
	json_object_set_new(o, "dkim_diagnoses", table_json(&s->dkim_diag));
	json_object_set_new(o, "dmarc", table_json(&s->dmarc));
	json_object_set_new(o, "arc", table_json(&s->arc));
	json_object_set_new(o, "gmail", json_pack("{s:I, s:I, s:I}",
	    "via", (json_int_t)s->gmail_via, "question_mark", (json_int_t)s->gmail_question,
	    "not_encrypted", (json_int_t)s->gmail_no_tls));
	json_object_set_new(o, "hops", json_pack("{s:I, s:I, s:I}",
	    "total", (json_int_t)s->hops, "unencrypted", (json_int_t)s->hops_unencrypted,
	    "messages_with_unencrypted_hop", (json_int_t)s->msgs_unencrypted));
	json_object_set_new(o, "top_sending_domains", top_json(&s->senders));
	json_object_set_new(o, "top_failing_domains", top_json(&s->failing));
	json_object_set_new(o, "spoofing", table_json(&s->spoofing));
	json_object_set_new(o, "findings", table_json(&s->findings));
	json_object_set_new(o, "attached_messages", json_integer((json_int_t)s->attached));
	json_t *wrap = json_pack("{s:o}", "summary", o);
	int rc = json_dumpf(wrap, out, JSON_SORT_KEYS | JSON_INDENT(2));
	json_decref(wrap);
	if (rc == 0 && fputc('\n', out) == EOF)
		rc = -1;
	return rc;
}

static void
text_table(FILE *out, const char *title, const struct table *t, size_t limit)
{
	size_t n;
	struct counter *v = sorted(t, limit, &n);
	if (v == NULL || n == 0) {
		free(v);
		return;
	}
	fprintf(out, "%s:\n", title);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %8llu  %s\n", v[i].n, v[i].key);
	if (t->others)
		fprintf(out, "  %8llu  (others, beyond %d distinct names)\n", t->others, MAX_DOMAINS);
	free(v);
}

int
mx_batch_summary_text(FILE *out, const struct mx_batch_summary *s)
{
	fprintf(out, "%s%llu messages (%.1f MB) in %.1f s: %llu records written",
	    s->interrupted ? "Interrupted. " : "", s->messages, (double)s->bytes / 1e6,
	    s->seconds, s->records);
	if (s->errors || s->not_messages)
		fprintf(out, ", %llu could not be read, %llu were not email messages", s->errors,
		    s->not_messages);
	fputs(".\n", out);
	text_table(out, "SPF (the envelope sender)", &s->spf, 0);
	text_table(out, "DKIM signatures", &s->dkim, 0);
	text_table(out, "DKIM diagnoses (why signatures failed; unsigned_tail: what a passing l= leaves unsigned)",
	    &s->dkim_diag, 0);
	text_table(out, "DMARC", &s->dmarc, 0);
	text_table(out, "ARC", &s->arc, 0);
	fprintf(out, "Gmail would show: \"via\" on %llu, the grey \"?\" on %llu, the red "
	    "\"did not encrypt\" padlock on %llu.\n", s->gmail_via, s->gmail_question,
	    s->gmail_no_tls);
	fprintf(out, "Hops: %llu in all, %llu without TLS, on %llu messages.\n", s->hops,
	    s->hops_unencrypted, s->msgs_unencrypted);
	text_table(out, "Top sending domains", &s->senders, TOP_N);
	text_table(out, "Top domains failing DMARC", &s->failing, TOP_N);
	text_table(out, "Spoofing signs", &s->spoofing, 0);
	return ferror(out) ? -1 : 0;
}

void
mx_batch_summary_free(struct mx_batch_summary *s)
{
	if (s == NULL)
		return;
	struct table *t[] = { &s->spf, &s->dkim, &s->dkim_diag, &s->dmarc, &s->arc, &s->findings,
	    &s->spoofing, &s->senders, &s->failing };
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		table_free(t[i]);
	free(s);
}
