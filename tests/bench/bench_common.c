/*
 * bench_common.c - what the C benchmark drivers share: command line, corpus,
 * clocks, result lines and the dump (bench_common.h, tests/bench/README.md).
 */
#include "bench_common.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* ---------------------------------------------------------------- arguments */

int
bench_args_parse(struct bench_args *a, int argc, char **argv, const char *prog,
    const char *operands)
{
	const char *dump = NULL;
	int i = 1;
	a->reps = 1;
	a->dump = NULL;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			a->reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
			dump = argv[++i];
		else
			break;
	}
	if (argc - i != 2 || a->reps < 1) {
		fprintf(stderr, "usage: %s [--reps N] [--dump FILE] %s\n", prog, operands);
		return 2;
	}
	a->arg[0] = argv[i];
	a->arg[1] = argv[i + 1];
	if (dump != NULL && (a->dump = fopen(dump, "w")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, dump, strerror(errno));
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- corpus */

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct bench_msg *)a)->name, ((const struct bench_msg *)b)->name);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	size_t got;
	while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *nb = realloc(b, cap *= 2);
			if (nb == NULL)
				free(b);
			b = nb;
		}
	}
	if (b != NULL && ferror(f)) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = n;
	return b;
}

static int
is_eml(const char *name)
{
	size_t l = strlen(name);
	return l >= 5 && strcmp(name + l - 4, ".eml") == 0;
}

int
bench_corpus_load(struct bench_corpus *c, const char *dir, const char *prog)
{
	memset(c, 0, sizeof *c);
	DIR *dp = opendir(dir);
	if (dp == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, dir, strerror(errno));
		return -1;
	}
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(dp)) != NULL) {
		if (!is_eml(de->d_name))
			continue;
		if (c->n == cap) {
			struct bench_msg *nm = realloc(c->msg, (cap = cap ? cap * 2 : 1024) * sizeof *nm);
			if (nm == NULL)
				goto fail_oom;
			c->msg = nm;
		}
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct bench_msg *m = &c->msg[c->n++];
		m->name = strdup(de->d_name);
		m->buf = slurp(path, &m->len);
		if (m->name == NULL || m->buf == NULL) {
			fprintf(stderr, "%s: cannot read %s\n", prog, path);
			goto fail_dir;
		}
		c->bytes += m->len;
	}
	closedir(dp);
	if (c->n == 0) {
		fprintf(stderr, "%s: no .eml files in %s\n", prog, dir);
		bench_corpus_finish(c);
		return -1;
	}
	qsort(c->msg, c->n, sizeof *c->msg, by_name);
	return 0;

fail_oom:
	fprintf(stderr, "%s: out of memory\n", prog);
fail_dir:
	closedir(dp);
	bench_corpus_finish(c);
	return -1;
}

void
bench_corpus_finish(struct bench_corpus *c)
{
	for (size_t k = 0; k < c->n; k++) {
		free(c->msg[k].name);
		free(c->msg[k].buf);
	}
	free(c->msg);
	memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- signatures */

struct bench_sig *
bench_sigs_add(struct bench_sigs *s, size_t msg, unsigned num, const char *d)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct bench_sig *v = realloc(s->v, cap * sizeof *v);
		if (v == NULL)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	char *dd = NULL;
	if (s->keep_d && (dd = strdup(d ? d : "?")) == NULL)
		return NULL;
	struct bench_sig *g = &s->v[s->n++];
	*g = (struct bench_sig){ .msg = msg, .num = num, .d = dd };
	return g;
}

void
bench_sigs_finish(struct bench_sigs *s)
{
	for (size_t k = 0; k < s->n; k++)
		free(s->v[k].d);
	free(s->v);
	memset(s, 0, sizeof *s);
}

int
bench_dump(FILE *f, const struct bench_corpus *c, const struct bench_sigs *s)
{
	if (f == NULL)
		return 0;
	for (size_t k = 0; k < s->n; k++) {
		const struct bench_sig *g = &s->v[k];
		fprintf(f, "%s\t%u\t%s\t%s\tbody hash %s%s%s\n", c->msg[g->msg].name, g->num,
		    g->d ? g->d : "?", g->result, g->bh, g->err ? "; " : "", g->err ? g->err : "");
	}
	int bad = ferror(f);
	return fclose(f) != 0 || bad ? -1 : 0;
}

/* ---------------------------------------------------------------- the timed loop */

static double
now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
bench_run(const struct bench_corpus *c, int reps, bench_verify_fn *verify, void *ctx,
    struct bench_sigs *sigs, struct bench_clock *t)
{
	double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
	for (int r = 0; r < reps; r++) {
		struct bench_sigs *keep = r == reps - 1 ? sigs : NULL;
		for (size_t k = 0; k < c->n; k++)
			if (verify(ctx, k, &c->msg[k], keep) != 0)
				return -1;
	}
	t->cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	t->wall = now(CLOCK_MONOTONIC) - w0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	t->peak_rss_kb = ru.ru_maxrss;
	return 0;
}

/* ---------------------------------------------------------------- result lines */

/* The distinct result strings seen, with counts. */
#define MAX_KINDS 16	/* RFC 8601 has 8 result words; room for a verifier's own */
struct kind {
	const char *name;
	unsigned long n;
};

static int
by_kind(const void *a, const void *b)
{
	return strcmp(((const struct kind *)a)->name, ((const struct kind *)b)->name);
}

/* Counts the results of s into t (at most MAX_KINDS kinds), sorted by name; returns how many kinds. */
static size_t
tally(struct kind *t, const struct bench_sigs *s)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		size_t j = 0;
		while (j < k && strcmp(t[j].name, s->v[i].result) != 0)
			j++;
		if (j < k)
			t[j].n++;
		else if (k < MAX_KINDS)
			t[k++] = (struct kind){ s->v[i].result, 1 };
	}
	qsort(t, k, sizeof *t, by_kind);
	return k;
}

void
bench_print(const char *tool, const struct bench_corpus *c, int reps,
    const struct bench_clock *t, const struct bench_sigs *s)
{
	struct kind kinds[MAX_KINDS];
	size_t nk = tally(kinds, s);
	double n = (double)c->n * reps, mb = (double)c->bytes * reps / 1e6;
	printf("tool\t%s\n", tool);
	printf("messages\t%zu\n", c->n);
	printf("reps\t%d\n", reps);
	printf("signatures\t%zu\n", s->n);
	printf("bytes\t%llu\n", c->bytes);
	printf("cpu_s\t%.4f\n", t->cpu);
	printf("wall_s\t%.4f\n", t->wall);
	printf("msgs_per_s\t%.1f\n", n / t->cpu);
	printf("mb_per_s\t%.2f\n", mb / t->cpu);
	printf("peak_rss_kb\t%ld\n", t->peak_rss_kb);
	for (size_t k = 0; k < nk; k++)
		printf("result.%s\t%lu\n", kinds[k].name, kinds[k].n);
}
