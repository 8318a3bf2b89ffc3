/*
 * bench_opendkim.c - DKIM verification throughput of libopendkim (Debian
 * libopendkim-dev, 2.11), for comparison with mxray (tests/bench/README.md).
 *
 *     bench_opendkim [--reps N] [--dump FILE] KEYS.json DIR
 *
 * Loads the keys of KEYS.json ("selector._domainkey.domain" -> TXT value) and
 * reads every *.eml of DIR into memory (not timed), then times verifying each
 * message with CLOCK_PROCESS_CPUTIME_ID and CLOCK_MONOTONIC: dkim_verify, one
 * dkim_header per header field (as received, folding kept, without the CRLF
 * that ends it), dkim_eoh, dkim_body with the whole body, dkim_eom, then
 * dkim_getsiglist and dkim_free.  Prints messages/s, MB/s, peak RSS and the
 * count of each result, then "ed25519" (whether this libopendkim was built with
 * Ed25519: if not, it reports those signatures as permerror) and "lib_errors"
 * (messages that hit an internal or out-of-memory error, if any); --dump writes
 * "file<TAB>signature#<TAB>d=<TAB>result<TAB>note" per signature (from the last
 * rep), as bench_mxray and bench_dkimpy.py do.
 *
 * Keys are served from memory through dkim_set_key_lookup(): libopendkim calls
 * the function for each signature instead of querying DNS, so the timed loop
 * measures verification, not resolver or file I/O (DKIM_QUERY_FILE would re-read
 * a file for every lookup).  No socket is opened.
 *
 * The wall clock: libopendkim judges t= (future) and x= (expired) against
 * time(NULL) with DKIM_OPTS_CLOCKDRIFT of slack, and has no option to skip
 * those checks.  The corpus has t= in 2025 and no x=, so neither can trigger.
 *
 * Results per signature, from its flags, error and body hash state:
 *   pass       DKIM_SIGFLAG_PASSED and the body hash matched
 *   fail       the header signature did not verify (DKIM_SIGERROR_BADSIG) or the
 *              body hash did not match (libopendkim checks it only once the
 *              header signature verified)
 *   temperror  the key lookup failed (DKIM_SIGERROR_KEYFAIL)
 *   permerror  any other error: malformed tag, no key, key too small, unknown or
 *              unsupported algorithm ...
 *   neutral    ignored or never processed by the library
 * The note names the body hash state and libopendkim's error string.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <dkim.h>
#include <jansson.h>

#include "bench_common.h"

/* One key record: "selector._domainkey.domain" and its TXT value. */
struct key {
	char *name;
	char *txt;
	size_t len;
};

static struct key *keys;
static size_t nkeys;

/* libopendkim's lookup buffer (BUFRSZ + 1 in dkim.c); its DNS path has the same limit */
#define KEY_TXT_MAX 1024

static int
by_key(const void *a, const void *b)
{
	return strcasecmp(((const struct key *)a)->name, ((const struct key *)b)->name);
}

static void
free_keys(void)
{
	for (size_t k = 0; k < nkeys; k++) {
		free(keys[k].name);
		free(keys[k].txt);
	}
	free(keys);
}

/* Reads KEYS.json into the sorted table keys[]; 0 or -1 with a message on stderr. */
static int
load_keys(const char *path)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	if (root == NULL) {
		if (jerr.line > 0)
			fprintf(stderr, "bench_opendkim: %s:%d: %s\n", path, jerr.line, jerr.text);
		else
			fprintf(stderr, "bench_opendkim: %s\n", jerr.text);
		return -1;
	}
	if (!json_is_object(root)) {
		fprintf(stderr, "bench_opendkim: %s: not a JSON object\n", path);
		goto fail_root;
	}
	keys = calloc(json_object_size(root) + 1, sizeof *keys);
	if (keys == NULL)
		goto fail_root;
	const char *name;
	json_t *v;
	json_object_foreach(root, name, v) {
		if (!json_is_string(v)) {
			fprintf(stderr, "bench_opendkim: %s: %s: not a string\n", path, name);
			goto fail_root;
		}
		size_t len = json_string_length(v);
		if (len > KEY_TXT_MAX) {
			fprintf(stderr, "bench_opendkim: %s: %s: TXT value of %zu bytes, "
			    "libopendkim takes at most %d\n", path, name, len, KEY_TXT_MAX);
			goto fail_root;
		}
		struct key *k = &keys[nkeys++];
		k->name = strdup(name);
		k->txt = malloc(len + 1);	/* a JSON string may hold a NUL: copy all of it */
		k->len = len;
		if (k->txt != NULL)
			memcpy(k->txt, json_string_value(v), len + 1);
		if (k->name == NULL || k->txt == NULL)
			goto fail_root;
	}
	json_decref(root);
	qsort(keys, nkeys, sizeof *keys, by_key);
	return 0;

fail_root:
	json_decref(root);
	free_keys();
	return -1;
}

/* dkim_set_key_lookup() callback: the TXT record of s=._domainkey.d= from keys[]. */
static DKIM_CBSTAT
key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	const char *s = (const char *)dkim_sig_getselector(sig);
	const char *d = (const char *)dkim_sig_getdomain(sig);
	char qname[600];	/* a selector and a domain name, 255 bytes each at most */
	if (s == NULL || d == NULL ||
	    (size_t)snprintf(qname, sizeof qname, "%s._domainkey.%s", s, d) >= sizeof qname)
		return DKIM_CBSTAT_NOTFOUND;
	struct key want = { .name = qname };
	const struct key *k = bsearch(&want, keys, nkeys, sizeof *keys, by_key);
	if (k == NULL)
		return DKIM_CBSTAT_NOTFOUND;
	if (k->len >= buflen)
		return DKIM_CBSTAT_ERROR;	/* load_keys() refuses such values */
	memcpy(buf, k->txt, k->len + 1);
	return DKIM_CBSTAT_CONTINUE;
}

/*
 * Feeds one message to libopendkim: header fields one by one (each with its
 * folding, without the line end that closes it), then the body after the
 * blank line.  Returns the status of dkim_eom (or of the step that stopped).
 * The corpus has CRLF line ends; a bare LF also ends a line here.
 *
 * A body without a final CRLF gets one, as an SMTP server hands it to a milter
 * (RFC 5321 §4.1.1.4: the CRLF of "CRLF.CRLF" ends the last line).  Without it
 * dkim_eom refuses the message ("CRLF at end of body missing", DKIM_STAT_SYNTAX)
 * and checks no body hash, where RFC 6376 §3.4.3 and §3.4.4 add the CRLF and
 * the other verifiers do.  DKIM_LIBFLAGS_FIXCRLF would also add it, but it
 * copies every body byte once more to mend bare CRs and LFs the corpus lacks.
 */
static u_char crlf[] = "\r\n";

static DKIM_STAT
feed(DKIM *dkim, char *buf, size_t len)
{
	size_t p = 0;
	DKIM_STAT st;
	while (p < len) {
		/* one field: lines up to one that is not followed by SP or HTAB */
		size_t start = p, end;
		if (buf[p] == '\n' || (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n')) {
			p += buf[p] == '\r' ? 2 : 1;	/* the blank line: end of header */
			break;
		}
		for (;;) {
			char *nl = memchr(buf + p, '\n', len - p);
			if (nl == NULL) {
				end = p = len;	/* no body, and no line end to drop */
				break;
			}
			end = (size_t)(nl - buf);
			p = end + 1;
			if (p >= len || (buf[p] != ' ' && buf[p] != '\t')) {
				if (end > start && buf[end - 1] == '\r')
					end--;	/* the CRLF that closes the field */
				break;
			}
		}
		/* a malformed field is libopendkim's business: it records it and goes on */
		(void)dkim_header(dkim, (u_char *)buf + start, end - start);
	}
	st = dkim_eoh(dkim);
	if (st != DKIM_STAT_OK)
		return st;	/* DKIM_STAT_NOSIG, or the message is unusable */
	if (p < len) {
		st = dkim_body(dkim, (u_char *)buf + p, len - p);
		if (st == DKIM_STAT_OK && buf[len - 1] != '\n')
			st = dkim_body(dkim, crlf, 2);
		if (st != DKIM_STAT_OK)
			return st;
	}
	return dkim_eom(dkim, NULL);
}

static const char *
classify(DKIM_SIGINFO *sig)
{
	unsigned flags = dkim_sig_getflags(sig);
	int err = dkim_sig_geterror(sig), bh = dkim_sig_getbh(sig);
	if (flags & DKIM_SIGFLAG_IGNORE)
		return "neutral";
	if ((flags & DKIM_SIGFLAG_PASSED) && bh == DKIM_SIGBH_MATCH &&
	    (err == DKIM_SIGERROR_OK || err == DKIM_SIGERROR_UNKNOWN))
		return "pass";
	if (err == DKIM_SIGERROR_BADSIG || bh == DKIM_SIGBH_MISMATCH)
		return "fail";
	if (err == DKIM_SIGERROR_KEYFAIL)
		return "temperror";
	if (err == DKIM_SIGERROR_OK || err == DKIM_SIGERROR_UNKNOWN)
		return "neutral";	/* not processed */
	return "permerror";
}

static const char *
bh_word(int bh)
{
	return bh == DKIM_SIGBH_MATCH ? "pass" : bh == DKIM_SIGBH_MISMATCH ? "fail" : "not checked";
}

struct ctx {
	DKIM_LIB *lib;
	unsigned long lib_errors;	/* out of memory, internal error: not a verdict */
};

/* bench_verify_fn: one dkim_verify handle per message; each signature's result into sigs. */
static int
verify(void *arg, size_t k, const struct bench_msg *m, struct bench_sigs *sigs)
{
	struct ctx *x = arg;
	DKIM_STAT st;
	DKIM *dkim = dkim_verify(x->lib, (const unsigned char *)m->name, NULL, &st);
	if (dkim == NULL) {
		fprintf(stderr, "bench_opendkim: dkim_verify: %s\n", dkim_getresultstr(st));
		return -1;
	}
	st = feed(dkim, m->buf, m->len);
	if (st == DKIM_STAT_NORESOURCE || st == DKIM_STAT_INTERNAL)
		x->lib_errors++;
	DKIM_SIGINFO **siglist;
	int nsigs;
	if (sigs && dkim_getsiglist(dkim, &siglist, &nsigs) == DKIM_STAT_OK)
		for (int s = 0; s < nsigs; s++) {
			struct bench_sig *g = bench_sigs_add(sigs, k, (unsigned)s + 1,
			    (const char *)dkim_sig_getdomain(siglist[s]));
			if (g == NULL) {
				dkim_free(dkim);
				return -1;
			}
			int err = dkim_sig_geterror(siglist[s]);
			g->result = classify(siglist[s]);
			g->bh = bh_word(dkim_sig_getbh(siglist[s]));
			g->err = err == DKIM_SIGERROR_OK || err == DKIM_SIGERROR_UNKNOWN ? NULL :
			    dkim_sig_geterrorstr(err);
		}
	dkim_free(dkim);
	return 0;
}

int
main(int argc, char **argv)
{
	struct bench_args a;
	int rc = bench_args_parse(&a, argc, argv, "bench_opendkim", "KEYS.json DIR");
	if (rc != 0)
		return rc;
	const char *keyfile = a.arg[0], *dir = a.arg[1];

	if (load_keys(keyfile) != 0)
		return 1;
	struct ctx x = { .lib = dkim_init(NULL, NULL) };
	if (x.lib == NULL) {
		fprintf(stderr, "bench_opendkim: dkim_init failed\n");
		return 1;
	}
	dkim_set_key_lookup(x.lib, key_lookup);
	bool ed25519 = dkim_libfeature(x.lib, DKIM_FEATURE_ED25519);
	struct bench_corpus c;
	if (bench_corpus_load(&c, dir, "bench_opendkim") != 0)
		return 1;

	/* results of the last pass; grown as needed (amortized, and only in that pass) */
	struct bench_sigs sigs = { .keep_d = a.dump != NULL };
	struct bench_clock t;
	if (bench_run(&c, a.reps, verify, &x, &sigs, &t) != 0)
		return 1;
	if (bench_dump(a.dump, &c, &sigs) != 0) {
		fprintf(stderr, "bench_opendkim: cannot write the dump\n");
		return 1;
	}
	uint32_t v = dkim_libversion();
	char tool[64];
	snprintf(tool, sizeof tool, "libopendkim %u.%u.%u", (unsigned)(v >> 24),
	    (unsigned)(v >> 16) & 0xff, (unsigned)(v >> 8) & 0xff);
	bench_print(tool, &c, a.reps, &t, &sigs);
	printf("ed25519\t%s\n", ed25519 ? "supported" : "not supported");
	if (x.lib_errors)
		printf("lib_errors\t%lu\n", x.lib_errors);

	bench_sigs_finish(&sigs);
	bench_corpus_finish(&c);
	dkim_close(x.lib);
	free_keys();
	return 0;
}
