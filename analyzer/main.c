/*
 * main.c - the mxray command line.  The only file that sees argv, stdout
 * and exit codes; the exit codes are listed in docs/mxray.1 (EXIT STATUS).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "batch.h"
#include "dns.h"
#include "domain.h"
#include "findings.h"
#include "report.h"

enum {
	EXIT_OK = 0,		/* analysis done */
	EXIT_FINDINGS = 1,	/* --fail-on: a finding at or above the level */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_UNREADABLE = 3,	/* the input could not be read */
	EXIT_NOT_MESSAGE = 4,	/* the input is not an email message */
	EXIT_INTERNAL = 5,	/* out of memory, write error, a bug */
};

static void
usage(FILE *f)
{
	fputs("usage: mxray analyze [options] [FILE | -]\n"
	    "       mxray batch [options] [PATH ...]   (mbox, Maildir, folders, .gz, -)\n"
	    "       mxray dns [--dns FILE] [--online] NAME TYPE ...\n"
	    "       mxray spf --ip ADDR --mail-from ADDR --helo NAME [--dns FILE] [--json]\n"
	    "       mxray dmarc --from ADDR [--spf-pass D] [--dkim-pass D] [--dns FILE] [--json]\n"
	    "       mxray psl [--psl FILE] DOMAIN...\n"
	    "       mxray codes [--json]\n"
	    "       mxray --version\n"
	    "\n"
	    "analyze reads one message (an .eml, a pasted source, a Gmail \"Show original\"\n"
	    "page, headers only) from FILE or standard input and explains its path,\n"
	    "encryption and what the receiver recorded.\n"
	    "\n"
	    "options:\n"
	    "  --json               JSON report (docs/schema.md) instead of text\n"
	    "  --compact            JSON on one line\n"
	    "  --receiver DOMAIN    your receiving domain or MX host (repeatable)\n"
	    "  --attached           also analyze attached messages (message/rfc822)\n"
	    "  --no-attached        never analyze attached messages\n"
	    "  --color WHEN         auto (default: on a terminal), always, never\n"
	    "  --width N            text width (default 80)\n"
	    "  --min-severity LVL   list findings of LVL and above: info, low, medium, high\n"
	    "  --fail-on LVL        exit 1 when a finding of LVL or above exists\n"
	    "  --dns FILE           DNS answers from this zone file / snapshot (repeatable)\n"
	    "  --online             look up what the snapshots lack, live (tells the domain\n"
	    "                       owners that someone looked)\n"
	    "  --resolver ADDR[:PORT]  live lookups through this resolver (implies --online)\n"
	    "  --dns-plan           list the live lookups that would be made; send none\n"
	    "  --save-dns FILE      save every DNS answer used as a snapshot for --dns\n"
	    "  --now TIME           judge DKIM t= and x= at TIME, not at receipt\n"
	    "  --psl FILE           Public Suffix List for organizational domains (RFC 7489)\n"
	    "  --trust-arc DOMAIN   count the ARC results of this sealer as evidence (repeatable)\n"
	    "  -h, --help           this text\n", f);
}

static int
read_all(FILE *f, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);
	if (b == NULL)
		return ENOMEM;
	for (;;) {
		if (n == cap) {
			/* one byte over the limit is enough to know it is too large */
			if (cap > MX_INTAKE_MAX_BYTES)
				break;
			char *nb = realloc(b, cap * 2);
			if (nb == NULL) {
				free(b);
				return ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				int e = errno ? errno : EIO;
				free(b);
				return e;
			}
			break;
		}
	}
	*buf = b;
	*len = n;
	return 0;
}

/* A whole decimal number from lo to hi (--width, -j).  0, or -1 when s is not one. */
static int
parse_range(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* --now: seconds since 1970, or a date mxray reads (RFC 5322, ISO-like). */
static int
parse_time(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*s && *end == '\0') {
		*out = v;
		return 0;
	}
	struct mx_datetime dt;
	if (mx_datetime_parse(s, strlen(s), &dt) != 0)
		return -1;
	*out = dt.utc;
	return 0;
}

static const char *
iso_now(void)
{
	static char buf[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* --- options several commands share, parsed in one place --- */

enum {
	O_DNS = 512, O_ONLINE, O_RESOLVER, O_PLAN, O_SAVE, O_PSL, O_NOW, O_RECEIVER, O_TRUSTARC,
	O_ATTACHED, O_NO_ATTACHED,
};

/* The DNS sources: snapshots, and live lookups only when asked. */
#define LONGOPTS_DNS \
	{ "dns", required_argument, NULL, O_DNS }, \
	{ "online", no_argument, NULL, O_ONLINE }, \
	{ "resolver", required_argument, NULL, O_RESOLVER }
/* What the live lookups would be, and keeping every answer used. */
#define LONGOPTS_DNS_RECORD \
	{ "dns-plan", no_argument, NULL, O_PLAN }, \
	{ "save-dns", required_argument, NULL, O_SAVE }
/* How a message is analyzed (analyze, batch). */
#define LONGOPTS_ANALYSIS \
	{ "psl", required_argument, NULL, O_PSL }, \
	{ "now", required_argument, NULL, O_NOW }, \
	{ "receiver", required_argument, NULL, O_RECEIVER }, \
	{ "trust-arc", required_argument, NULL, O_TRUSTARC }, \
	{ "attached", no_argument, NULL, O_ATTACHED }, \
	{ "no-attached", no_argument, NULL, O_NO_ATTACHED }

struct shared {
	struct mx_dns *dns;
	int online, plan;
	const char *resolver, *save;
	struct mx_options opt;	/* --now, --receiver, --trust-arc, --attached; dns */
};

static void
shared_free(struct shared *s)
{
	mx_dns_free(s->dns);
	free(s->opt.receivers);
	free(s->opt.trust_arc);
}

/* ARGC bounds how many --receiver and --trust-arc there can be. */
static int
shared_init(struct shared *s, int argc)
{
	memset(s, 0, sizeof *s);
	s->dns = mx_dns_new();
	s->opt.receivers = calloc((size_t)argc, sizeof *s->opt.receivers);
	s->opt.trust_arc = calloc((size_t)argc, sizeof *s->opt.trust_arc);
	if (s->dns == NULL || s->opt.receivers == NULL || s->opt.trust_arc == NULL) {
		shared_free(s);
		return -1;
	}
	s->opt.dns = s->dns;
	return 0;
}

/* One shared option: -1 when C is none of them, else EXIT_OK or the status of its error. */
static int
shared_option(struct shared *s, int c, const char *arg)
{
	struct mx_dns_error err;
	switch (c) {
	case O_DNS:
		if (mx_dns_load(s->dns, arg, &err) != 0) {
			fprintf(stderr, "mxray: %s\n", err.text);
			return EXIT_UNREADABLE;
		}
		return EXIT_OK;
	case O_ONLINE:
		s->online = 1;
		return EXIT_OK;
	case O_RESOLVER:
		s->resolver = arg;
		s->online = 1;
		return EXIT_OK;
	case O_PLAN:
		s->plan = 1;
		return EXIT_OK;
	case O_SAVE:
		s->save = arg;
		return EXIT_OK;
	case O_PSL:
		if (mx_psl_load(arg) != 0) {
			fprintf(stderr, "mxray: %s: not a readable Public Suffix List\n", arg);
			return EXIT_UNREADABLE;
		}
		return EXIT_OK;
	case O_NOW:
		if (parse_time(arg, &s->opt.now) != 0) {
			fprintf(stderr, "mxray: --now takes seconds since 1970 or a date such as "
			    "'2024-11-05 10:00:00 +0000', not '%s'\n", arg);
			return EXIT_USAGE;
		}
		s->opt.has_now = 1;
		return EXIT_OK;
	case O_RECEIVER:
		s->opt.receivers[s->opt.nreceivers++] = arg;
		return EXIT_OK;
	case O_TRUSTARC:
		s->opt.trust_arc[s->opt.ntrust_arc++] = arg;
		return EXIT_OK;
	case O_ATTACHED:
		s->opt.attached = MX_ATTACHED_ALWAYS;
		return EXIT_OK;
	case O_NO_ATTACHED:
		s->opt.attached = MX_ATTACHED_NEVER;
		return EXIT_OK;
	default:
		return -1;
	}
}

/* After the options: live DNS when asked, the plan and the recording. */
static int
shared_ready(struct shared *s)
{
	struct mx_dns_error err;
	if (s->online && mx_dns_set_online(s->dns, s->resolver, &err) != 0) {
		fprintf(stderr, "mxray: %s\n", err.text);
		return EXIT_USAGE;
	}
	mx_dns_set_plan(s->dns, s->plan);
	mx_dns_set_recording(s->dns, s->save != NULL);
	return EXIT_OK;
}

/* --dns-plan for analyze and spf: what would have been sent, on standard error. */
static void
shared_plan_note(struct shared *s)
{
	if (!s->plan)
		return;
	const char *p = mx_dns_plan(s->dns);
	fprintf(stderr, "%s%s", *p ? "mxray: these live lookups would be sent (none was):\n" :
	    "mxray: no live lookup would be sent\n", p);
}

/* --save-dns: write every answer used.  EXIT_OK or EXIT_UNREADABLE. */
static int
shared_save(struct shared *s)
{
	struct mx_dns_error err;
	if (s->save != NULL && mx_dns_save(s->dns, s->save, iso_now(), &err) != 0) {
		fprintf(stderr, "mxray: %s\n", err.text);
		return EXIT_UNREADABLE;
	}
	return EXIT_OK;
}

/* --- mxray dns: what mxray would see for a lookup --- */

static void
print_data(FILE *out, const struct mx_dns_rr *rr)
{
	if (rr->type != MX_DNS_TXT) {
		fputs(rr->data, out);
		return;
	}
	/* TXT: quoted, every byte that is not printable ASCII as \DDD (RFC 1035 §5.1) */
	fputc('"', out);
	for (size_t i = 0; i < rr->len; i++) {
		unsigned char c = (unsigned char)rr->data[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\%03u", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void
print_answer(FILE *out, const struct mx_dns_answer *a)
{
	fprintf(out, "%s %s %s\n", a->qname, mx_dns_type_name(a->qtype),
	    mx_dns_status_name(a->status));
	for (size_t i = 0; i < a->ncnames; i++)
		fprintf(out, "  CNAME -> %s\n", a->cnames[i]);
	for (size_t i = 0; i < a->nrrs; i++) {
		fprintf(out, "  %-5s %6u  ", mx_dns_type_name(a->rrs[i].type), a->rrs[i].ttl);
		print_data(out, &a->rrs[i]);
		fputc('\n', out);
	}
	switch (a->status) {
	case MX_DNS_NOT_IN_SNAPSHOT:
		fprintf(out, "  Not in the loaded snapshots. Record it with\n"
		    "    dig +noall +answer %s %s >> snapshot.zone\n"
		    "  and pass --dns snapshot.zone, or look it up live with --online\n"
		    "  (a live lookup tells the domain's owner that someone looked).\n",
		    a->qname, mx_dns_type_name(a->qtype));
		break;
	case MX_DNS_BAD_NAME:
		fputs("  Not a domain name mxray would ever query: no lookup was made.\n", out);
		break;
	case MX_DNS_TIMEOUT:
	case MX_DNS_SERVFAIL:
		fputs("  A temporary failure: checks that need it report temperror.\n", out);
		break;
	default:
		break;
	}
	if (a->status == MX_DNS_OK || a->status == MX_DNS_NXDOMAIN || a->status == MX_DNS_NODATA)
		fprintf(out, "  DNSSEC: %s\n", a->validated ? "validated by the resolver (AD)" :
		    "not validated");
}

static void
dns_usage(FILE *f)
{
	fputs("usage: mxray dns [options] NAME TYPE [NAME TYPE ...]\n"
	    "  TYPE is A, AAAA, CNAME, MX, PTR or TXT\n"
	    "  --dns FILE         answer from this zone file / snapshot (repeatable)\n"
	    "  --online           ask the resolvers of /etc/resolv.conf for what the\n"
	    "                     snapshots do not hold\n"
	    "  --resolver ADDR[:PORT]  ask this resolver (implies --online)\n"
	    "  --dns-plan         list the live lookups that would be made; send none\n"
	    "  --save-dns FILE    write every answer used as a snapshot for --dns\n", f);
}

static int
cmd_dns(int argc, char **argv)
{
	static const struct option longopts[] = {
		LONGOPTS_DNS,
		LONGOPTS_DNS_RECORD,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shared sh;
	if (shared_init(&sh, argc) != 0)
		return EXIT_INTERNAL;
	struct mx_dns *d = sh.dns;
	int c, rc = 0;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if ((rc = shared_option(&sh, c, optarg)) >= 0)
			continue;
		rc = 0;
		switch (c) {
		case 'h':
			dns_usage(stdout);
			shared_free(&sh);
			return 0;
		default:
			rc = EXIT_USAGE;
		}
	}
	if (rc == 0 && (argc - optind < 2 || (argc - optind) % 2 != 0)) {
		fprintf(stderr, "mxray: dns takes NAME TYPE pairs\n");
		rc = EXIT_USAGE;
	}
	for (int i = optind + 1; rc == 0 && i < argc; i += 2)
		if (mx_dns_type_parse(argv[i]) == 0) {
			fprintf(stderr, "mxray: unknown type '%s' (A, AAAA, CNAME, MX, PTR, TXT)\n",
			    argv[i]);
			rc = EXIT_USAGE;
		}
	if (rc == EXIT_USAGE)
		dns_usage(stderr);
	if (rc == 0)
		rc = shared_ready(&sh);
	if (rc != 0) {
		shared_free(&sh);
		return rc;
	}
	for (int i = optind; i + 1 < argc; i += 2) {
		struct mx_dns_answer a;
		if (mx_dns_query(d, argv[i], mx_dns_type_parse(argv[i + 1]), &a, NULL) != 0) {
			shared_free(&sh);
			return EXIT_INTERNAL;
		}
		mx_dns_answer_sort(&a);
		if (a.status != MX_DNS_PLANNED)
			print_answer(stdout, &a);
		if (a.origin && a.status != MX_DNS_PLANNED)
			fprintf(stderr, "mxray: %s %s: %s %s\n", a.qname, mx_dns_type_name(a.qtype),
			    a.live ? "asked" : "from", a.origin);
		mx_dns_answer_finish(&a);
	}
	if (sh.plan) {
		const char *p = mx_dns_plan(d);
		if (*p)
			printf("These live lookups would be sent to %s; each tells the owner of the "
			    "name that someone looked:\n%s", mx_dns_resolver(d) ? mx_dns_resolver(d) :
			    "(nobody: --online was not given)", p);
		else
			printf("No live lookup would be sent: the snapshots answer everything.\n");
	}
	rc = shared_save(&sh);
	shared_free(&sh);
	return fflush(stdout) == 0 ? rc : EXIT_INTERNAL;
}

/* --- mxray spf: check_host() for given inputs --- */

static void
spf_usage(FILE *f)
{
	fputs("usage: mxray spf --ip ADDR --mail-from ADDR --helo NAME [options]\n"
	    "  --mail-from '<>'   the null reverse-path: the HELO identity is checked\n"
	    "  --identity mailfrom|helo  which identity (default: mailfrom)\n"
	    "  --dns FILE         DNS answers from this zone file / snapshot (repeatable)\n"
	    "  --online, --resolver ADDR[:PORT], --dns-plan, --save-dns FILE  as for analyze\n"
	    "  --json             JSON ({\"spf\": {...}})\n"
	    "  --now TIME         the time %{t} expands to\n"
	    "  --receiver-host NAME       what %{r} expands to (default \"unknown\")\n"
	    "  --default-explanation TEXT the explanation of a fail without exp=\n", f);
}

static int
cmd_spf(int argc, char **argv)
{
	enum { O_IP = 256, O_MF, O_HELO, O_ID, O_JSON, O_RHOST, O_DEFEXP };
	static const struct option longopts[] = {
		{ "ip", required_argument, NULL, O_IP },
		{ "mail-from", required_argument, NULL, O_MF },
		{ "helo", required_argument, NULL, O_HELO },
		{ "identity", required_argument, NULL, O_ID },
		LONGOPTS_DNS,
		LONGOPTS_DNS_RECORD,
		{ "json", no_argument, NULL, O_JSON },
		{ "now", required_argument, NULL, O_NOW },
		{ "receiver-host", required_argument, NULL, O_RHOST },
		{ "default-explanation", required_argument, NULL, O_DEFEXP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shared sh;
	if (shared_init(&sh, argc) != 0)
		return EXIT_INTERNAL;
	struct mx_spf_input in = { .now = (int64_t)time(NULL) };
	int c, rc = EXIT_OK, json = 0;
	enum mx_spf_identity id = MX_SPF_MAILFROM;
	optind = 1;
	while (rc == EXIT_OK && (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if ((rc = shared_option(&sh, c, optarg)) >= 0)
			continue;
		rc = EXIT_OK;
		switch (c) {
		case O_IP: in.ip = optarg; break;
		case O_MF: in.mail_from = optarg; break;
		case O_HELO: in.helo = optarg; break;
		case O_ID:
			if (strcmp(optarg, "helo") == 0)
				id = MX_SPF_HELO;
			else if (strcmp(optarg, "mailfrom") != 0)
				rc = EXIT_USAGE;
			break;
		case O_JSON: json = 1; break;
		case O_RHOST: in.receiver_host = optarg; break;
		case O_DEFEXP: in.default_explanation = optarg; break;
		case 'h':
			spf_usage(stdout);
			shared_free(&sh);
			return EXIT_OK;
		default:
			rc = EXIT_USAGE;
		}
	}
	if (sh.opt.has_now)
		in.now = sh.opt.now;
	if (rc == EXIT_OK && (in.ip == NULL || optind != argc || (in.mail_from == NULL &&
	    in.helo == NULL))) {
		fprintf(stderr, "mxray: spf needs --ip and --mail-from or --helo\n");
		rc = EXIT_USAGE;
	}
	unsigned char ipb[16];
	if (rc == EXIT_OK && inet_pton(AF_INET, in.ip, ipb) != 1 &&
	    inet_pton(AF_INET6, in.ip, ipb) != 1) {
		fprintf(stderr, "mxray: --ip '%s' is not an IPv4 or IPv6 address\n", in.ip);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK)
		rc = shared_ready(&sh);
	if (rc == EXIT_USAGE)
		spf_usage(stderr);
	if (rc != EXIT_OK) {
		shared_free(&sh);
		return rc;
	}
	in.dns = sh.dns;
	if (in.mail_from == NULL)
		in.mail_from = "<>";
	struct mx_spf_result r;
	if (mx_spf_check(&in, id, &r) != 0) {
		shared_free(&sh);
		return EXIT_INTERNAL;
	}
	int w = json ? mx_report_spf_json(stdout, &r, 0) :
	    mx_report_spf_text(stdout, &r, isatty(STDOUT_FILENO));
	shared_plan_note(&sh);
	rc = shared_save(&sh);
	mx_spf_result_finish(&r);
	shared_free(&sh);
	if (w != 0 || fflush(stdout) != 0)
		return EXIT_INTERNAL;
	return rc;
}

/* --- mxray dmarc: DMARC for a From address and the identities that passed --- */

static int
cmd_dmarc(int argc, char **argv)
{
	enum { O_FROM = 256, O_SPF, O_DKIM, O_JSON, O_MODE };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, O_FROM },
		{ "spf-pass", required_argument, NULL, O_SPF },
		{ "dkim-pass", required_argument, NULL, O_DKIM },
		LONGOPTS_DNS,
		{ "psl", required_argument, NULL, O_PSL },
		{ "json", no_argument, NULL, O_JSON },
		{ "mode", required_argument, NULL, O_MODE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shared sh;
	if (shared_init(&sh, argc) != 0)
		return EXIT_INTERNAL;
	struct mx_dmarc_input in = { .dns = sh.dns };
	const char *from = NULL;
	int c, rc = EXIT_OK, json = 0, mode = MX_DMARC_7489;
	optind = 1;
	while (rc == EXIT_OK && (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if ((rc = shared_option(&sh, c, optarg)) >= 0)
			continue;
		rc = EXIT_OK;
		switch (c) {
		case O_FROM: from = optarg; break;
		case O_SPF:
			if (in.nspf < MX_DMARC_MAX_IDS)
				in.spf_pass[in.nspf++] = optarg;
			break;
		case O_DKIM:
			if (in.ndkim < MX_DMARC_MAX_IDS)
				in.dkim_pass[in.ndkim++] = optarg;
			break;
		case O_JSON: json = 1; break;
		case O_MODE:
			if (strcmp(optarg, "9989") == 0 || strcmp(optarg, "rfc9989") == 0)
				mode = MX_DMARC_9989;
			else if (strcmp(optarg, "7489") != 0 && strcmp(optarg, "rfc7489") != 0)
				rc = EXIT_USAGE;
			break;
		case 'h':
			fputs("usage: mxray dmarc --from ADDR [--spf-pass DOMAIN]... [--dkim-pass DOMAIN]...\n"
			    "                   [--dns FILE]... [--online] [--psl FILE] [--mode 7489|9989] "
			    "[--json]\n", stdout);
			shared_free(&sh);
			return EXIT_OK;
		default:
			rc = EXIT_USAGE;
		}
	}
	if (rc == EXIT_OK && (from == NULL || optind != argc)) {
		fprintf(stderr, "usage: mxray dmarc --from ADDR [--spf-pass DOMAIN]... "
		    "[--dkim-pass DOMAIN]... [--dns FILE]... [--json]\n");
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK)
		rc = shared_ready(&sh);
	if (rc != EXIT_OK) {
		shared_free(&sh);
		return rc;
	}
	const char *at = strrchr(from, '@');
	char dom[256];
	snprintf(dom, sizeof dom, "%s", at ? at + 1 : from);
	size_t n = strlen(dom);
	if (n && dom[n - 1] == '>')
		dom[n - 1] = '\0';
	for (char *p = dom; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	in.from_domain = dom;
	struct mx_dmarc_result r;
	if (mx_dmarc_check(&in, &r) != 0) {
		shared_free(&sh);
		return EXIT_INTERNAL;
	}
	int w = json ? mx_report_dmarc_json(stdout, &r, mode) : mx_report_dmarc_text(stdout, &r, mode);
	mx_dmarc_result_finish(&r);
	shared_free(&sh);
	return w == 0 && fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

/* --- mxray psl: organizational domains from the Public Suffix List --- */

static int
cmd_psl(int argc, char **argv)
{
	int json = 0, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			puts("usage: mxray psl [--psl FILE] [--json] DOMAIN...\n"
			    "prints each DOMAIN's organizational (registrable) domain, or null");
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--psl") == 0 && i + 1 < argc) {
			if (mx_psl_load(argv[++i]) != 0) {
				fprintf(stderr, "mxray: %s: not a readable Public Suffix List\n", argv[i]);
				return EXIT_UNREADABLE;
			}
		} else {
			fprintf(stderr, "usage: mxray psl [--psl FILE] [--json] DOMAIN...\n");
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: mxray psl [--psl FILE] [--json] DOMAIN...\n");
		return EXIT_USAGE;
	}
	if (json)
		fputs("[\n", stdout);
	for (int k = i; k < argc; k++) {
		char org[MX_DOMAIN_MAX];
		for (char *p = argv[k]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		int has = mx_registrable_domain(argv[k], org, sizeof org);
		if (json)
			printf("  {\"domain\": \"%s\", \"org_domain\": %s%s%s}%s\n", argv[k],
			    has ? "\"" : "", has ? org : "null", has ? "\"" : "", k + 1 < argc ? "," : "");
		else
			printf("%s %s\n", argv[k], has ? org : "null");
	}
	if (json)
		fputs("]\n", stdout);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

/* Findings at or above min in the message and every attached message analyzed. */
static size_t
count_findings(const struct mx_analysis *a, int min)
{
	size_t n = mx_findings_count(&a->findings, (enum mx_severity)min);
	for (size_t i = 0; i < a->nattached; i++)
		n += count_findings(a->attached[i], min);
	return n;
}

static int
cmd_codes(int argc, char **argv)
{
	int json = argc > 1 && strcmp(argv[1], "--json") == 0;
	if (json) {
		if (mx_report_codes_json(stdout) != 0)
			return EXIT_INTERNAL;
	} else {
		for (const struct mx_finding_code *c = mx_finding_codes; c->code; c++)
			printf("%-34s %-7s %s\n", c->code, mx_severity_name(c->severity), c->summary);
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

static int
cmd_analyze(int argc, char **argv)
{
	enum { O_JSON = 256, O_COMPACT, O_COLOR, O_WIDTH, O_MINSEV, O_FAILON };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "compact", no_argument, NULL, O_COMPACT },
		{ "color", required_argument, NULL, O_COLOR },
		{ "width", required_argument, NULL, O_WIDTH },
		{ "min-severity", required_argument, NULL, O_MINSEV },
		{ "fail-on", required_argument, NULL, O_FAILON },
		LONGOPTS_DNS,
		LONGOPTS_DNS_RECORD,
		LONGOPTS_ANALYSIS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, compact = 0, color = -1, fail_on = -1;
	struct mx_text_options to = { .color = 0, .width = 80, .min_severity = MX_SEV_INFO };
	struct shared sh;
	if (shared_init(&sh, argc) != 0)
		return EXIT_INTERNAL;
	int c, rc = EXIT_OK;
	optind = 1;
	while (rc == EXIT_OK && (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if ((rc = shared_option(&sh, c, optarg)) >= 0)
			continue;
		rc = EXIT_OK;
		switch (c) {
		case O_JSON: json = 1; break;
		case O_COMPACT: compact = 1; json = 1; break;
		case O_COLOR:
			if (strcmp(optarg, "always") == 0)
				color = 1;
			else if (strcmp(optarg, "never") == 0)
				color = 0;
			else if (strcmp(optarg, "auto") == 0)
				color = -1;
			else {
				fprintf(stderr, "mxray: --color takes auto, always or never, not '%s'\n",
				    optarg);
				rc = EXIT_USAGE;
			}
			break;
		case O_WIDTH: {
			long wv;
			if (parse_range(optarg, 40, 1000, &wv) != 0) {
				fprintf(stderr, "mxray: --width takes a number from 40 to 1000\n");
				rc = EXIT_USAGE;
			} else {
				to.width = (int)wv;
			}
			break;
		}
		case O_MINSEV:
		case O_FAILON: {
			int s = mx_severity_parse(optarg);
			if (s < 0) {
				fprintf(stderr, "mxray: severity must be info, low, medium or high, "
				    "not '%s'\n", optarg);
				rc = EXIT_USAGE;
			} else if (c == O_MINSEV)
				to.min_severity = s;
			else
				fail_on = s;
			break;
		}
		case 'h':
			usage(stdout);
			shared_free(&sh);
			return EXIT_OK;
		default:
			rc = EXIT_USAGE;
		}
	}
	if (rc == EXIT_OK)
		rc = shared_ready(&sh);
	if (rc == EXIT_OK && argc - optind > 1) {
		fprintf(stderr, "mxray: analyze takes one FILE (or - for standard input)\n");
		rc = EXIT_USAGE;
	}
	if (rc != EXIT_OK) {
		if (rc == EXIT_USAGE)
			usage(stderr);
		shared_free(&sh);
		return rc;
	}
	struct mx_options *opt = &sh.opt;
	const char *path = optind < argc ? argv[optind] : "-";
	FILE *in = stdin;
	if (strcmp(path, "-") != 0) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			fprintf(stderr, "mxray: %s: is a directory (analyze reads one message)\n", path);
			shared_free(&sh);
			return EXIT_UNREADABLE;
		}
		in = fopen(path, "rb");
		if (in == NULL) {
			fprintf(stderr, "mxray: %s: %s\n", path, strerror(errno));
			shared_free(&sh);
			return EXIT_UNREADABLE;
		}
	} else if (isatty(STDIN_FILENO)) {
		fputs("mxray: paste the message source, then press Ctrl-D on a new line\n", stderr);
	}
	char *buf = NULL;
	size_t len = 0;
	int e = read_all(in, &buf, &len);
	if (in != stdin)
		fclose(in);
	if (e != 0) {
		fprintf(stderr, "mxray: %s: %s\n", strcmp(path, "-") ? path : "standard input",
		    strerror(e));
		shared_free(&sh);
		return e == ENOMEM ? EXIT_INTERNAL : EXIT_UNREADABLE;
	}
	opt->clock = (int64_t)time(NULL);
	struct mx_analysis *a = mx_analyze(path, buf, len, opt);
	free(buf);
	if (a == NULL) {
		fprintf(stderr, "mxray: %s: out of memory\n", path);
		shared_free(&sh);
		return EXIT_INTERNAL;
	}
	shared_plan_note(&sh);
	if (shared_save(&sh) != EXIT_OK) {
		mx_analysis_free(a);
		shared_free(&sh);
		return EXIT_UNREADABLE;
	}
	if (a->intake.kind != MX_INPUT_MESSAGE) {
		fprintf(stderr, "mxray: %s: not an email message: %s%s%s%s\n",
		    strcmp(path, "-") ? path : "standard input", a->intake.reason,
		    a->intake.document_type ? " (" : "",
		    a->intake.document_type ? a->intake.document_type : "",
		    a->intake.document_type ? ")" : "");
		if (json)
			mx_report_json(stdout, a, compact);
		mx_analysis_free(a);
		shared_free(&sh);
		return EXIT_NOT_MESSAGE;
	}
	to.color = color == -1 ? isatty(STDOUT_FILENO) &&
	    (getenv("NO_COLOR") == NULL || getenv("NO_COLOR")[0] == '\0') : color;
	int w = json ? mx_report_json(stdout, a, compact) : mx_report_text(stdout, a, &to);
	rc = w == 0 && fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
	if (rc == EXIT_INTERNAL)
		fprintf(stderr, "mxray: writing the report failed: %s\n", strerror(errno));
	if (rc == EXIT_OK && fail_on >= 0 && count_findings(a, fail_on) > 0)
		rc = EXIT_FINDINGS;
	mx_analysis_free(a);
	shared_free(&sh);
	return rc;
}

static volatile sig_atomic_t interrupted;

/* The cores this process may run on (taskset, cgroups' cpusets), at most max. */
static long
usable_cores(long max)
{
	long n = 0;
#ifdef CPU_COUNT
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
#endif
	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > max ? max : n;
}

static void
on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void
batch_usage(FILE *f)
{
	fputs("usage: mxray batch [options] [PATH ...]\n"
	    "\n"
	    "Analyzes every message of mbox files (mboxo, mboxrd), Maildirs, folders of\n"
	    "messages (recursive), gzip-compressed files and standard input (- or no PATH).\n"
	    "Writes one JSON line per message (the analyze --json document plus \"source\"\n"
	    "and \"error\"), then a summary on standard error.\n"
	    "\n"
	    "options:\n"
	    "  -o, --output FILE     the records go to FILE instead of standard output\n"
	    "  --summary-json        the summary as JSON instead of text\n"
	    "  --summary-file FILE   the summary goes to FILE instead of standard error\n"
	    "  --no-summary          no summary\n"
	    "  --progress WHEN       auto (default: when standard error is a terminal),\n"
	    "                        always, never\n"
	    "  -j, --jobs N          analyze with N threads (default: the cores this process\n"
	    "                        may use); the records stay in input order\n"
	    "  --dns FILE, --online, --resolver ADDR, --dns-plan, --save-dns FILE,\n"
	    "  --psl FILE, --receiver DOMAIN, --trust-arc DOMAIN, --now TIME,\n"
	    "  --attached, --no-attached: as for analyze (live answers are cached for the run)\n", f);
}

static int
cmd_batch(int argc, char **argv)
{
	enum { O_SUMJSON = 256, O_SUMFILE, O_NOSUM, O_PROGRESS };
	enum { MAX_JOBS = 1024 };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "summary-json", no_argument, NULL, O_SUMJSON },
		{ "summary-file", required_argument, NULL, O_SUMFILE },
		{ "no-summary", no_argument, NULL, O_NOSUM },
		{ "progress", required_argument, NULL, O_PROGRESS },
		{ "jobs", required_argument, NULL, 'j' },
		LONGOPTS_DNS,
		LONGOPTS_DNS_RECORD,
		LONGOPTS_ANALYSIS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *sumfile = NULL;
	int sumjson = 0, nosum = 0, prog = -1, c, rc = EXIT_OK;
	long jobs = 0;
	struct shared sh;
	if (shared_init(&sh, argc) != 0)
		return EXIT_INTERNAL;
	optind = 1;
	while (rc == EXIT_OK && (c = getopt_long(argc, argv, "ho:j:", longopts, NULL)) != -1) {
		if ((rc = shared_option(&sh, c, optarg)) >= 0)
			continue;
		rc = EXIT_OK;
		switch (c) {
		case 'o': output = optarg; break;
		case O_SUMJSON: sumjson = 1; break;
		case O_SUMFILE: sumfile = optarg; break;
		case O_NOSUM: nosum = 1; break;
		case 'j':
			if (parse_range(optarg, 1, MAX_JOBS, &jobs) != 0) {
				fprintf(stderr, "mxray: -j takes a number of threads from 1 to %d\n",
				    MAX_JOBS);
				rc = EXIT_USAGE;
			}
			break;
		case O_PROGRESS:
			if (strcmp(optarg, "always") == 0)
				prog = 1;
			else if (strcmp(optarg, "never") == 0)
				prog = 0;
			else if (strcmp(optarg, "auto") == 0)
				prog = -1;
			else {
				fprintf(stderr, "mxray: --progress takes auto, always or never\n");
				rc = EXIT_USAGE;
			}
			break;
		case 'h':
			batch_usage(stdout);
			shared_free(&sh);
			return EXIT_OK;
		default:
			rc = EXIT_USAGE;
		}
	}
	if (rc == EXIT_OK)
		rc = shared_ready(&sh);
	if (rc == EXIT_USAGE)
		batch_usage(stderr);
	if (jobs == 0)
		jobs = usable_cores(MAX_JOBS);
	FILE *out = stdout, *sum = stderr;
	if (rc == EXIT_OK && output != NULL && (out = fopen(output, "w")) == NULL) {
		fprintf(stderr, "mxray: %s: %s\n", output, strerror(errno));
		rc = EXIT_UNREADABLE;
	}
	if (rc == EXIT_OK && sumfile != NULL && (sum = fopen(sumfile, "w")) == NULL) {
		fprintf(stderr, "mxray: %s: %s\n", sumfile, strerror(errno));
		rc = EXIT_UNREADABLE;
	}
	struct mx_mailbox *mb = NULL;
	if (rc == EXIT_OK) {
		static char *const dash[] = { "-" };
		int n = argc - optind;
		mb = n > 0 ? mx_mailbox_open(argv + optind, (size_t)n) : mx_mailbox_open(dash, 1);
		if (mb == NULL)
			rc = EXIT_INTERNAL;
	}
	if (rc != EXIT_OK) {
		if (out != stdout && out != NULL)
			fclose(out);
		if (sum != stderr && sum != NULL)
			fclose(sum);
		shared_free(&sh);
		return rc;
	}
	sh.opt.clock = (int64_t)time(NULL);
	/* SA_RESTART: a record being written to a full pipe when Ctrl-C comes is finished */
	struct sigaction sa = { .sa_handler = on_sigint, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	struct mx_batch_options bo = {
		.out = out,
		.progress = prog == 1 || (prog == -1 && isatty(STDERR_FILENO)) ? stderr : NULL,
		.stop = &interrupted,
		.analysis = &sh.opt,
		.threads = (unsigned)jobs,
	};
	int write_failed = 0;
	struct mx_batch_summary *s = mx_batch_run(mb, &bo, &write_failed);
	if (s == NULL) {
		rc = EXIT_INTERNAL;
	} else {
		if (write_failed) {
			fprintf(stderr, "mxray: writing the records failed: %s\n", strerror(errno));
			rc = EXIT_INTERNAL;
		}
		if (!nosum && (sumjson ? mx_batch_summary_json(sum, s) :
		    mx_batch_summary_text(sum, s)) != 0)
			rc = EXIT_INTERNAL;
	}
	mx_batch_summary_free(s);
	mx_mailbox_close(mb);
	shared_plan_note(&sh);
	if (rc == EXIT_OK)
		rc = shared_save(&sh);
	if (out != stdout && fclose(out) != 0)
		rc = EXIT_INTERNAL;
	if (sum != stderr && fclose(sum) != 0)
		rc = EXIT_INTERNAL;
	shared_free(&sh);
	if (rc == EXIT_OK && interrupted)
		rc = 130;
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("mxray %s\n", MXRAY_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "analyze") == 0)
		return cmd_analyze(argc - 1, argv + 1);
	if (strcmp(cmd, "batch") == 0)
		return cmd_batch(argc - 1, argv + 1);
	if (strcmp(cmd, "dmarc") == 0)
		return cmd_dmarc(argc - 1, argv + 1);
	if (strcmp(cmd, "psl") == 0)
		return cmd_psl(argc - 1, argv + 1);
	if (strcmp(cmd, "spf") == 0)
		return cmd_spf(argc - 1, argv + 1);
	if (strcmp(cmd, "dns") == 0)
		return cmd_dns(argc - 1, argv + 1);
	if (strcmp(cmd, "codes") == 0)
		return cmd_codes(argc - 1, argv + 1);
	fprintf(stderr, "mxray: unknown command '%s'\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
