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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "report.h"

#include "bench_common.h"

static const char *
bh_word(enum mx_body_hash bh)
{
	return bh == MX_BH_PASS ? "pass" : bh == MX_BH_FAIL ? "fail" : "not checked";
}

struct ctx {
	struct mx_options opt;
	FILE *devnull;
	unsigned long refused;	/* mx_report_json failed */
};

/* bench_verify_fn: the full analysis and the JSON report; the DKIM results into sigs. */
static int
analyze(void *arg, size_t k, const struct bench_msg *m, struct bench_sigs *sigs)
{
	struct ctx *x = arg;
	struct mx_analysis *an = mx_analyze(m->name, m->buf, m->len, &x->opt);
	if (an == NULL) {
		fprintf(stderr, "bench_mxray: out of memory on %s\n", m->name);
		return -1;
	}
	if (mx_report_json(x->devnull, an, 0) != 0)
		x->refused++;
	for (size_t s = 0; sigs && s < an->ndkim; s++) {
		/* results are static strings: keep pointers, count and dump after the clock stops */
		struct bench_sig *g = bench_sigs_add(sigs, k, (unsigned)s + 1, an->dkim[s].sig.d);
		if (g == NULL) {
			mx_analysis_free(an);
			return -1;
		}
		g->result = an->dkim[s].result;
		g->bh = bh_word(an->dkim[s].body_hash);
	}
	mx_analysis_free(an);
	return 0;
}

int
main(int argc, char **argv)
{
	struct bench_args a;
	int rc = bench_args_parse(&a, argc, argv, "bench_mxray", "ZONE DIR");
	if (rc != 0)
		return rc;
	const char *zone = a.arg[0], *dir = a.arg[1];

	struct mx_dns *dns = mx_dns_new();
	struct mx_dns_error derr;
	if (dns == NULL || mx_dns_load(dns, zone, &derr) != 0) {
		fprintf(stderr, "bench_mxray: %s\n", dns ? derr.text : "out of memory");
		return 1;
	}
	struct bench_corpus c;
	if (bench_corpus_load(&c, dir, "bench_mxray") != 0)
		return 1;
	struct ctx x = { .devnull = fopen("/dev/null", "w") };
	if (x.devnull == NULL) {
		fprintf(stderr, "bench_mxray: cannot open /dev/null\n");
		return 1;
	}
	x.opt.dns = dns;
	x.opt.clock = (int64_t)time(NULL);

	struct bench_sigs sigs = { .keep_d = a.dump != NULL };
	struct bench_clock t;
	if (bench_run(&c, a.reps, analyze, &x, &sigs, &t) != 0)
		return 1;
	if (bench_dump(a.dump, &c, &sigs) != 0) {
		fprintf(stderr, "bench_mxray: cannot write the dump\n");
		return 1;
	}
	bench_print("mxray", &c, a.reps, &t, &sigs);
	if (x.refused)
		printf("report_errors\t%lu\n", x.refused);

	fclose(x.devnull);
	bench_sigs_finish(&sigs);
	bench_corpus_finish(&c);
	mx_dns_free(dns);
	return 0;
}
