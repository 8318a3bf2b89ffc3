/*
 * bench_common.h - what the C benchmark drivers share (tests/bench/README.md):
 * their command line, the corpus in memory, the clocks, and the output run.sh
 * reads.  Not part of libmxray: bench_opendkim links only this and libopendkim.
 *
 * Output (stdout), one "key<TAB>value" line each, in this order: tool, messages,
 * reps, signatures, bytes, cpu_s, wall_s, msgs_per_s, mb_per_s (both per CPU
 * second), peak_rss_kb, then result.RESULT per result seen in name order; a
 * driver may add lines of its own after them.
 *
 * --dump FILE: one line per signature of the last pass,
 * "file<TAB>signature#<TAB>d=<TAB>result<TAB>note", as bench_dkimpy.py and
 * bench_mailauth.mjs write it.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdio.h>

/* One message, read whole; name is its file name without the folder. */
struct bench_msg {
	char *name;
	char *buf;
	size_t len;
};

/* Every *.eml of a folder, sorted by name. */
struct bench_corpus {
	struct bench_msg *msg;
	size_t n;
	unsigned long long bytes;	/* their sizes added up */
};

/*
 * Reads every *.eml of DIR into c (sorted by name).  0, or -1 with a message
 * on stderr that starts with PROG (an unreadable folder or file, no .eml at
 * all, out of memory).  Free with bench_corpus_finish().
 */
int bench_corpus_load(struct bench_corpus *c, const char *dir, const char *prog);
void bench_corpus_finish(struct bench_corpus *c);

/* The command line: PROG [--reps N] [--dump FILE] ARG0 ARG1 (OPERANDS names them). */
struct bench_args {
	int reps;		/* 1 unless --reps */
	FILE *dump;		/* --dump FILE, open for writing; NULL without it */
	const char *arg[2];
};

/*
 * Parses argv into a.  0; 2 after printing the usage on stderr (a wrong
 * option, not two arguments, reps < 1); 1 when the dump file cannot be
 * opened (with a message).  Close a->dump with bench_dump().
 */
int bench_args_parse(struct bench_args *a, int argc, char **argv, const char *prog,
    const char *operands);

/* One signature's result, from the last pass. */
struct bench_sig {
	size_t msg;		/* index in the corpus */
	unsigned num;		/* 1-based, in header order */
	const char *result;	/* static: pass, fail, neutral, temperror, permerror ... */
	const char *bh;		/* static: body hash "pass", "fail" or "not checked" */
	const char *err;	/* static: the verifier's reason, or NULL */
	char *d;		/* d=, malloc'd when keep_d (else NULL) */
};

struct bench_sigs {
	int keep_d;		/* copy each d= (for --dump; the loop stays lean without) */
	struct bench_sig *v;
	size_t n, cap;
};

/*
 * A new slot at the end of s for signature NUM of message MSG, whose d= is D
 * (NULL: "?"); the caller sets result, bh and err.  NULL when out of memory.
 */
struct bench_sig *bench_sigs_add(struct bench_sigs *s, size_t msg, unsigned num, const char *d);
void bench_sigs_finish(struct bench_sigs *s);

/*
 * Verifies message K (M) of the corpus.  SIGS is where its signatures go on
 * the last pass, NULL on the others.  0, or -1 to stop the run (with a message
 * on stderr).
 */
typedef int bench_verify_fn(void *ctx, size_t k, const struct bench_msg *m,
    struct bench_sigs *sigs);

/* Process CPU time (all threads, user + system) and wall time of the timed loop. */
struct bench_clock {
	double cpu, wall;	/* seconds */
	long peak_rss_kb;	/* getrusage ru_maxrss at the end of the loop */
};

/*
 * The timed loop: REPS passes over c, VERIFY(CTX, ...) on every message, the
 * signatures of the last pass into SIGS.  The clocks go into t.  0, or -1
 * when VERIFY stopped the run.
 */
int bench_run(const struct bench_corpus *c, int reps, bench_verify_fn *verify, void *ctx,
    struct bench_sigs *sigs, struct bench_clock *t);

/*
 * Writes one line per signature of s to f and closes f; a no-op when f is
 * NULL.  0, or -1 when writing failed.
 */
int bench_dump(FILE *f, const struct bench_corpus *c, const struct bench_sigs *s);

/* Prints the result lines (above) of REPS passes over c to stdout. */
void bench_print(const char *tool, const struct bench_corpus *c, int reps,
    const struct bench_clock *t, const struct bench_sigs *s);

#endif
