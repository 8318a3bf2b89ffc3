/*
 * bench_mxray.c - DKIM verification throughput of libmxray (tests/bench/README.md).
 *
 *     bench_mxray [--reps N] [--dump FILE] ZONE DIR
 *
 * Loads the zone once, reads every *.eml of DIR into memory (not timed), then
 * times the full analysis of each message - mx_analyze (parsing, hops,
 * evidence, every DKIM signature, diagnosis) plus mx_report_json into
 * /dev/null - with CLOCK_PROCESS_CPUTIME_ID and CLOCK_MONOTONIC.  Prints
 * messages/s, MB/s, peak RSS and the count of each DKIM result; --dump writes
 * "file<TAB>signature#<TAB>d=<TAB>result<TAB>note" per signature (from the
 * last rep) for run.sh to compare with the other verifiers.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "analysis.h"
#include "report.h"

struct msg {
	char *name;
	char *buf;
	size_t len;
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct msg *)a)->name, ((const struct msg *)b)->name);
}

static double
now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	fclose(f);
	*len = n;
	return b;
}

/* The distinct result strings seen, with counts. */
#define MAX_KINDS 16
struct tally {
	const char *name[MAX_KINDS];
	unsigned long n[MAX_KINDS];
	size_t k;
};

static void
count(struct tally *t, const char *r)
{
	for (size_t i = 0; i < t->k; i++)
		if (strcmp(t->name[i], r) == 0) {
			t->n[i]++;
			return;
		}
	if (t->k < MAX_KINDS) {
		t->name[t->k] = r;
		t->n[t->k++] = 1;
	}
}

int
main(int argc, char **argv)
{
	int reps = 1;
	const char *dump = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
			dump = argv[++i];
		else
			break;
	}
	if (argc - i != 2 || reps < 1) {
		fprintf(stderr, "usage: bench_mxray [--reps N] [--dump FILE] ZONE DIR\n");
		return 2;
	}
	const char *zone = argv[i], *dir = argv[i + 1];

	struct mx_dns *dns = mx_dns_new();
	struct mx_dns_error derr;
	if (dns == NULL || mx_dns_load(dns, zone, &derr) != 0) {
		fprintf(stderr, "bench_mxray: %s\n", dns ? derr.text : "out of memory");
		return 1;
	}

	DIR *dp = opendir(dir);
	if (dp == NULL) {
		fprintf(stderr, "bench_mxray: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	struct msg *m = NULL;
	size_t nm = 0, cap = 0;
	unsigned long long bytes = 0;
	struct dirent *de;
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".eml") != 0)
			continue;
		if (nm == cap) {
			cap = cap ? cap * 2 : 1024;
			m = realloc(m, cap * sizeof *m);
			if (m == NULL)
				return 1;
		}
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		m[nm].name = strdup(de->d_name);
		m[nm].buf = slurp(path, &m[nm].len);
		if (m[nm].name == NULL || m[nm].buf == NULL) {
			fprintf(stderr, "bench_mxray: cannot read %s\n", path);
			return 1;
		}
		bytes += m[nm].len;
		nm++;
	}
	closedir(dp);
	if (nm == 0) {
		fprintf(stderr, "bench_mxray: no .eml files in %s\n", dir);
		return 1;
	}
	qsort(m, nm, sizeof *m, by_name);

	FILE *devnull = fopen("/dev/null", "w");
	FILE *df = dump ? fopen(dump, "w") : NULL;
	if (devnull == NULL || (dump && df == NULL)) {
		fprintf(stderr, "bench_mxray: cannot open output\n");
		return 1;
	}
	/* results are static strings: keep pointers, count and dump after the clock stops */
	size_t maxsig = nm * MX_DKIM_MAX_SIGS;
	const char **res = calloc(maxsig, sizeof *res);
	size_t *sigmsg = calloc(maxsig, sizeof *sigmsg);
	char **sigd = calloc(maxsig, sizeof *sigd);
	enum mx_body_hash *sigbh = calloc(maxsig, sizeof *sigbh);
	if (res == NULL || sigmsg == NULL || sigd == NULL || sigbh == NULL)
		return 1;
	size_t nres = 0;
	unsigned long refused = 0;

	struct mx_options opt = { 0 };
	opt.dns = dns;
	opt.clock = (int64_t)time(NULL);

	double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
	for (int r = 0; r < reps; r++) {
		int last = r == reps - 1;
		for (size_t k = 0; k < nm; k++) {
			struct mx_analysis *a = mx_analyze(m[k].name, m[k].buf, m[k].len, &opt);
			if (a == NULL) {
				fprintf(stderr, "bench_mxray: out of memory on %s\n", m[k].name);
				return 1;
			}
			if (mx_report_json(devnull, a, 0) != 0)
				refused++;
			if (last)
				for (size_t s = 0; s < a->ndkim; s++) {
					res[nres] = a->dkim[s].result;
					sigmsg[nres] = k;
					sigbh[nres] = a->dkim[s].body_hash;
					/* strdup only when dumping: keep the loop lean otherwise */
					sigd[nres] = df ? strdup(a->dkim[s].sig.d ? a->dkim[s].sig.d : "?")
					    : NULL;
					nres++;
				}
			mx_analysis_free(a);
		}
	}
	double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = now(CLOCK_MONOTONIC) - w0;

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	struct tally t = { 0 };
	for (size_t k = 0; k < nres; k++)
		count(&t, res[k]);
	if (df) {
		for (size_t k = 0; k < nres; k++) {
			/* signature number within its message */
			size_t num = 1;
			for (size_t j = k; j > 0 && sigmsg[j - 1] == sigmsg[k]; j--)
				num++;
			fprintf(df, "%s\t%zu\t%s\t%s\tbody hash %s\n", m[sigmsg[k]].name, num, sigd[k],
			    res[k], sigbh[k] == MX_BH_PASS ? "pass" : sigbh[k] == MX_BH_FAIL ? "fail" :
			    "not checked");
			free(sigd[k]);
		}
		fclose(df);
	}

	double n = (double)nm * reps, mb = (double)bytes * reps / 1e6;
	printf("tool\tmxray\n");
	printf("messages\t%zu\n", nm);
	printf("reps\t%d\n", reps);
	printf("signatures\t%zu\n", nres);
	printf("bytes\t%llu\n", bytes);
	printf("cpu_s\t%.4f\n", cpu);
	printf("wall_s\t%.4f\n", wall);
	printf("msgs_per_s\t%.1f\n", n / cpu);
	printf("mb_per_s\t%.2f\n", mb / cpu);
	printf("peak_rss_kb\t%ld\n", ru.ru_maxrss);
	for (size_t k = 0; k < t.k; k++)
		printf("result.%s\t%lu\n", t.name[k], t.n[k]);
	if (refused)
		printf("report_errors\t%lu\n", refused);

	fclose(devnull);
	for (size_t k = 0; k < nm; k++) {
		free(m[k].name);
		free(m[k].buf);
	}
	free(m);
	free(res);
	free(sigmsg);
	free(sigd);
	free(sigbh);
	mx_dns_free(dns);
	return 0;
}
