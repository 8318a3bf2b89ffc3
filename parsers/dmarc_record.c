/*
 * dmarc_record.c - DMARC policy records (RFC 7489 §6.3/§6.4, RFC 9989) on top
 * of the tag-list parser.
 *
 * Steps (house style): the version prefix decides whether this is a DMARC
 * record at all; each tag-spec is read with the shared RFC 6376 §3.2 grammar
 * (tagvalue.c); each known tag goes through a handler from a table (unknown
 * tags are ignored and listed, RFC 7489 §6.3); then the policy checks that
 * involve several tags (RFC 7489 §6.6.3 step 6) decide ok and ok_bis.
 *
 * Choices, each with its reason:
 *  - The record is read one ";"-separated piece at a time (";" is never part
 *    of a tag-value, RFC 6376 §3.2 VALCHAR), each piece with
 *    mx_taglist_parse().  A piece that is not a tag-spec ("tagonly",
 *    "=value", a control byte, ";;") is ignored and counted rather than
 *    voiding the record: RFC 7489 §6.3 tells receivers to ignore what they
 *    do not know, RFC 9989 to discard syntax errors in favour of defaults,
 *    and mailauth and OpenDMARC both skip such pieces.  A malformed first
 *    piece means the record does not start with v=DMARC1.
 *  - Tag names and keyword values are case-insensitive: RFC 7489 §6.4 gives
 *    them as quoted ABNF literals ("p", "reject"), which RFC 5234 §2.3 makes
 *    case-insensitive.  "DMARC1" is written %x44.4d.41.52.43.31 there, so it
 *    is case-sensitive (v=dmarc1 is not a DMARC record).
 *  - No abbreviations: "p=n" is invalid (OpenDMARC accepts it; the ABNF
 *    does not).
 *  - A repeated tag (names compared case-insensitively) is invalid, every
 *    occurrence: RFC 6376 §3.2 "Tags with duplicate names MUST NOT occur",
 *    and neither copy can be preferred.  A repeated p= is thus an invalid
 *    p= (and falls back to p=none only with a valid rua=).
 *  - rua=/ruf= problems never make a record unusable: they concern
 *    reporting only, and RFC 7489 §6.6.3 step 6 ("at least one
 *    syntactically valid reporting URI") expects invalid ones to occur.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "escape.h"
#include "dmarc_record.h"
#include "tagvalue.h"

/* RFC 7489 §6.3 ri: "plain-text 32-bit unsigned integer" */
#define DMARC_MAX_RI 4294967295UL
/* RFC 7489 §6.3 ri: "default is 86400" (one day) */
#define DMARC_DEFAULT_RI 86400L
/* RFC 7489 §6.4: dmarc-percent = "pct" *WSP "=" *WSP 1*3DIGIT, 0-100 (§6.3) */
#define DMARC_PCT_DIGITS 3
/* How much of an offending value error_detail shows (escaped); the rest is cut with "...". */
#define DETAIL_MAX 80

/* ---- small helpers ---- */

static int
span_ieq_span(mx_span a, mx_span b)
{
	if (a.len != b.len)
		return 0;
	for (size_t i = 0; i < a.len; i++)
		if (lc((unsigned char)a.ptr[i]) != lc((unsigned char)b.ptr[i]))
			return 0;
	return 1;
}

static mx_span
trim(mx_span s)
{
	while (s.len && is_space((unsigned char)s.ptr[0])) {
		s.ptr++;
		s.len--;
	}
	while (s.len && is_space((unsigned char)s.ptr[s.len - 1]))
		s.len--;
	return s;
}

static char *
dup_span(mx_span s)
{
	char *p = malloc(s.len + 1);
	if (p == NULL)
		return NULL;
	if (s.len)
		memcpy(p, s.ptr, s.len);
	p[s.len] = '\0';
	return p;
}

/*
 * The next element of a list separated by sep: *rest is advanced past it
 * and its separator.  Returns 0 when the list is exhausted.  Elements are
 * trimmed of WSP (RFC 7489 §6.4: *WSP around ":" and ",").
 */
static int
next_item(mx_span *rest, char sep, mx_span *item)
{
	if (rest->ptr == NULL)
		return 0;
	const char *at = rest->len ? memchr(rest->ptr, sep, rest->len) : NULL;
	size_t n = at ? (size_t)(at - rest->ptr) : rest->len;
	*item = trim(mx_span_make(rest->ptr, n));
	if (at) {
		rest->ptr = at + 1;
		rest->len -= n + 1;
	} else {
		rest->ptr = NULL;
		rest->len = 0;
	}
	return 1;
}

/* Append name to the comma-separated *list (lower-cased when lower), once. */
static int
list_add(char **list, mx_span name, int lower)
{
	size_t old = *list ? strlen(*list) : 0;
	if (lower && *list) {
		mx_span rest = mx_span_make(*list, old), item;
		while (next_item(&rest, ',', &item))
			if (span_ieq_span(item, name))
				return 0;
	}
	char *p = realloc(*list, old + name.len + 2);
	if (p == NULL)
		return -1;
	size_t o = old;
	if (old)
		p[o++] = ',';
	for (size_t i = 0; i < name.len; i++)
		p[o++] = lower ? (char)lc((unsigned char)name.ptr[i]) : name.ptr[i];
	p[o] = '\0';
	*list = p;
	return 0;
}

/* ---- the parse context ---- */

struct ctx {
	struct mx_dmarc_record *r;
	int nomem;
	/* the first problem with a tag other than p/sp/np (RFC 7489 view) */
	const char *tag_error;
	mx_span tag_error_value;
	/* the values of p, sp, np as written, for error_detail */
	mx_span pv, spv, npv;
	int p_dup, sp_dup, np_dup;	/* repeated */
};

/* ---- RFC 7489 §6.4 values ---- */

/* dmarc-request = "none" / "quarantine" / "reject" */
static enum mx_dmarc_policy
policy_value(mx_span v)
{
	if (mx_span_ieq(v, "none"))
		return MX_DMARC_P_NONE;
	if (mx_span_ieq(v, "quarantine"))
		return MX_DMARC_P_QUARANTINE;
	if (mx_span_ieq(v, "reject"))
		return MX_DMARC_P_REJECT;
	return MX_DMARC_P_INVALID;
}

/* 1*DIGIT, at most max; -1 when not digits or over max (leading zeros allowed). */
static long
number(mx_span v, unsigned long max)
{
	unsigned long n = 0;
	if (v.len == 0)
		return -1;
	for (size_t i = 0; i < v.len; i++) {
		int ch = (unsigned char)v.ptr[i];
		if (!is_digit(ch))
			return -1;
		n = n * 10 + (unsigned long)(ch - '0');
		if (n > max)
			return -1;
	}
	return (long)n;
}

/*
 * Every element of the colon list v is one of the words (case-insensitive).
 *   dmarc-fo   = "fo" *WSP "=" *WSP ( "0" / "1" / "d" / "s" )
 *                *(*WSP ":" *WSP ( "0" / "1" / "d" / "s" ))
 *   dmarc-rfmt = "rf" *WSP "=" *WSP Keyword *(*WSP ":" Keyword)
 */
static int
colon_list_of(mx_span v, const char *const *words)
{
	mx_span item;
	if (v.len == 0)
		return 0;
	while (next_item(&v, ':', &item)) {
		int found = 0;
		for (size_t k = 0; words[k] && !found; k++)
			found = mx_span_ieq(item, words[k]);
		if (!found)
			return 0;
	}
	return 1;
}

/* RFC 3986 §2.2/§2.3: unreserved and reserved characters; "%" checked apart. */
static int
is_uri_char(int ch)
{
	return is_alpha(ch) || is_digit(ch) || (ch != 0 && strchr("-._~:/?#[]@$&'()*+=", ch));
}

/*
 * RFC 7489 §6.4: dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]
 * URI (RFC 3986 §3): scheme ":" followed by URI characters; we require
 * something after the ":" (a reporting URI without an address reports to
 * no one).  RFC 7489 §6.2: "," and "!" inside the URI MUST be encoded, so
 * the first "!" starts the size suffix.
 */
static int
valid_uri(mx_span u)
{
	const char *bang = u.len ? memchr(u.ptr, '!', u.len) : NULL;
	size_t n = bang ? (size_t)(bang - u.ptr) : u.len;
	if (bang) {
		size_t i = n + 1, digits = 0;
		while (i < u.len && is_digit((unsigned char)u.ptr[i])) {
			i++;
			digits++;
		}
		if (digits == 0)
			return 0;
		if (i < u.len && strchr("kmgt", lc((unsigned char)u.ptr[i])) != NULL)
			i++;
		if (i != u.len)
			return 0;
	}
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	if (n == 0 || !is_alpha((unsigned char)u.ptr[0]))
		return 0;
	size_t i = 1;
	while (i < n && (is_alpha((unsigned char)u.ptr[i]) || is_digit((unsigned char)u.ptr[i]) ||
	    u.ptr[i] == '+' || u.ptr[i] == '-' || u.ptr[i] == '.'))
		i++;
	if (i >= n || u.ptr[i] != ':' || i + 1 >= n)
		return 0;
	for (i++; i < n; i++) {
		int ch = (unsigned char)u.ptr[i];
		if (ch == '%') {
			if (i + 2 >= n || !is_hex((unsigned char)u.ptr[i + 1]) ||
			    !is_hex((unsigned char)u.ptr[i + 2]))
				return 0;
			i += 2;
		} else if (!is_uri_char(ch)) {
			return 0;
		}
	}
	return 1;
}

/* ---- tag handlers: NULL when the value is valid, else the reason ---- */

static const char *
tag_v(struct ctx *c, mx_span v)
{
	/* dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31 */
	return v.len == 6 && memcmp(v.ptr, "DMARC1", 6) == 0 ? NULL : "v= is not DMARC1";
}

static const char *
tag_p(struct ctx *c, mx_span v)
{
	c->pv = v;
	c->r->p = policy_value(v);
	return c->r->p == MX_DMARC_P_INVALID ? "p= is not none, quarantine or reject" : NULL;
}

static const char *
tag_sp(struct ctx *c, mx_span v)
{
	c->spv = v;
	c->r->sp = policy_value(v);
	return c->r->sp == MX_DMARC_P_INVALID ? "sp= is not none, quarantine or reject" : NULL;
}

/* RFC 9989 np: dmarc-request, like p and sp */
static const char *
tag_np(struct ctx *c, mx_span v)
{
	c->npv = v;
	c->r->np = policy_value(v);
	return c->r->np == MX_DMARC_P_INVALID ? "np= is not none, quarantine or reject" : NULL;
}

/* dmarc-adkim = "adkim" *WSP "=" *WSP ( "r" / "s" ) */
static const char *
tag_adkim(struct ctx *c, mx_span v)
{
	if (mx_span_ieq(v, "s"))
		c->r->adkim_strict = 1;
	else if (!mx_span_ieq(v, "r"))
		return "adkim= is not r or s";
	return NULL;
}

/* dmarc-aspf = "aspf" *WSP "=" *WSP ( "r" / "s" ) */
static const char *
tag_aspf(struct ctx *c, mx_span v)
{
	if (mx_span_ieq(v, "s"))
		c->r->aspf_strict = 1;
	else if (!mx_span_ieq(v, "r"))
		return "aspf= is not r or s";
	return NULL;
}

/* dmarc-percent = "pct" *WSP "=" *WSP 1*3DIGIT; §6.3: 0 to 100 inclusive */
static const char *
tag_pct(struct ctx *c, mx_span v)
{
	c->r->has_pct = 1;
	long n = v.len <= DMARC_PCT_DIGITS ? number(v, 100) : -1;
	c->r->pct = (int)n;
	return n < 0 ? "pct= is not a number from 0 to 100" : NULL;
}

/* dmarc-ainterval = "ri" *WSP "=" *WSP 1*DIGIT; §6.3: a 32-bit unsigned integer */
static const char *
tag_ri(struct ctx *c, mx_span v)
{
	c->r->ri = number(v, DMARC_MAX_RI);
	return c->r->ri < 0 ? "ri= is not a number of seconds (32-bit)" : NULL;
}

static const char *
tag_fo(struct ctx *c, mx_span v)
{
	static const char *const words[] = { "0", "1", "d", "s", NULL };
	if ((c->r->fo = dup_span(v)) == NULL)
		c->nomem = 1;
	return colon_list_of(v, words) ? NULL : "fo= is not a colon list of 0, 1, d, s";
}

/* §6.4 dmarc-rfmt: "registered reporting formats only"; §6.3: only "afrf" is */
static const char *
tag_rf(struct ctx *c, mx_span v)
{
	static const char *const words[] = { "afrf", NULL };
	if ((c->r->rf = dup_span(v)) == NULL)
		c->nomem = 1;
	return colon_list_of(v, words) ? NULL : "rf= is not a list of known report formats (afrf)";
}

/* RFC 9989 t: dmarc-yorn = "y" / "n" */
static const char *
tag_t(struct ctx *c, mx_span v)
{
	c->r->has_t = 1;
	if (mx_span_ieq(v, "y"))
		c->r->testing = 1;
	else if (!mx_span_ieq(v, "n"))
		return "t= is not y or n";
	return NULL;
}

/* RFC 9989 psd: "y" / "n" / "u" */
static const char *
tag_psd(struct ctx *c, mx_span v)
{
	if (mx_span_ieq(v, "y"))
		c->r->psd = 1;
	else if (mx_span_ieq(v, "n"))
		c->r->psd = 0;
	else if (!mx_span_ieq(v, "u"))
		return "psd= is not y, n or u";
	return NULL;
}

/*
 * dmarc-auri = "rua" *WSP "=" *WSP dmarc-uri *(*WSP "," *WSP dmarc-uri)
 * (ruf likewise).  Elements are kept up to MX_DMARC_MAX_URIS, the rest
 * counted in *dropped.
 */
static const char *
uri_list(struct ctx *c, mx_span v, char **uris, int *oks, size_t *n, size_t *valid,
    size_t *dropped)
{
	mx_span item;
	size_t bad = 0;
	while (next_item(&v, ',', &item)) {
		int ok = valid_uri(item);
		*valid += ok;
		bad += !ok;
		if (*n >= MX_DMARC_MAX_URIS) {
			(*dropped)++;
			continue;
		}
		if ((uris[*n] = dup_span(item)) == NULL) {
			c->nomem = 1;
			return NULL;
		}
		oks[(*n)++] = ok;
	}
	return bad ? "a URI in the list is not valid" : NULL;
}

static const char *
tag_rua(struct ctx *c, mx_span v)
{
	struct mx_dmarc_record *r = c->r;
	return uri_list(c, v, r->rua, r->rua_ok, &r->nrua, &r->rua_valid, &r->rua_dropped) ?
	    "rua= holds a URI that is not valid" : NULL;
}

static const char *
tag_ruf(struct ctx *c, mx_span v)
{
	struct mx_dmarc_record *r = c->r;
	return uri_list(c, v, r->ruf, r->ruf_ok, &r->nruf, &r->ruf_valid, &r->ruf_dropped) ?
	    "ruf= holds a URI that is not valid" : NULL;
}

/* Which specification knows the tag, and how a bad value counts. */
#define IN_7489 1	/* a tag of RFC 7489 §6.3 */
#define IN_9989 2	/* a tag of RFC 9989 */
#define POLICY 4	/* p, sp, np: the §6.6.3 step 6 fallback decides */
#define REPORTING 8	/* rua, ruf: never voids the record */

static const struct {
	const char *name;
	const char *(*fn)(struct ctx *, mx_span);
	int flags;
} dmarc_tags[] = {
	{ "v", tag_v, IN_7489 | IN_9989 },
	{ "p", tag_p, IN_7489 | IN_9989 | POLICY },
	{ "sp", tag_sp, IN_7489 | IN_9989 | POLICY },
	{ "np", tag_np, IN_9989 | POLICY },
	{ "adkim", tag_adkim, IN_7489 | IN_9989 },
	{ "aspf", tag_aspf, IN_7489 | IN_9989 },
	{ "pct", tag_pct, IN_7489 },	/* RFC 9989 removed pct, rf, ri (historic) */
	{ "ri", tag_ri, IN_7489 },
	{ "rf", tag_rf, IN_7489 },
	{ "fo", tag_fo, IN_7489 | IN_9989 },
	{ "rua", tag_rua, IN_7489 | IN_9989 | REPORTING },
	{ "ruf", tag_ruf, IN_7489 | IN_9989 | REPORTING },
	{ "t", tag_t, IN_9989 },
	{ "psd", tag_psd, IN_9989 },
};
#define NTAGS (sizeof dmarc_tags / sizeof dmarc_tags[0])

/* A repeated tag: the value stays at what "invalid" means for it. */
static void
invalidate(struct ctx *c, const char *name)
{
	struct mx_dmarc_record *r = c->r;
	if (strcmp(name, "p") == 0) {
		r->p = MX_DMARC_P_INVALID;
		c->p_dup = 1;
	} else if (strcmp(name, "sp") == 0) {
		r->sp = MX_DMARC_P_INVALID;
		c->sp_dup = 1;
	} else if (strcmp(name, "np") == 0) {
		r->np = MX_DMARC_P_INVALID;
		c->np_dup = 1;
	} else if (strcmp(name, "pct") == 0) {
		r->has_pct = 1;
		r->pct = -1;
	} else if (strcmp(name, "ri") == 0)
		r->ri = -1;
	else if (strcmp(name, "t") == 0)
		r->has_t = 1;
}

/* ---- reading the record ---- */

struct tags {
	struct mx_tag t[MX_DMARC_MAX_TAGS];
	size_t n;
	int over;		/* more than MX_DMARC_MAX_TAGS */
	int first_ok;		/* the first piece is a tag-spec: t[0] */
};

/*
 * Split at ";" and read each piece as one tag-spec (RFC 6376 §3.2).  Offsets
 * are made relative to the whole record.  Malformed pieces are counted.
 */
static void
read_pieces(struct ctx *c, const char *txt, size_t len, struct tags *tg,
    struct mx_taglist *tl)
{
	size_t pos = 0;
	for (int first = 1; pos <= len; first = 0) {
		const char *semi = pos < len ? memchr(txt + pos, ';', len - pos) : NULL;
		size_t end = semi ? (size_t)(semi - txt) : len;
		mx_span piece = mx_span_make(txt + pos, end - pos);
		int last = semi == NULL;
		/* the optional trailing ";" leaves an empty (or blank) last piece */
		if (!(last && !first && trim(piece).len == 0)) {
			if (mx_taglist_parse(piece.ptr, piece.len, tl) != 0 || tl->n != 1) {
				if (c->r->nmalformed++ == 0) {
					c->r->malformed_error = tl->error;
					c->r->malformed_offset = pos + tl->error_offset;
				}
			} else if (tg->n >= MX_DMARC_MAX_TAGS) {
				tg->over = 1;
				return;
			} else {
				struct mx_tag t = tl->tags[0];
				t.offset += pos;
				t.value_offset += pos;
				t.raw_value_offset += pos;
				tg->t[tg->n++] = t;
				tg->first_ok |= first;
			}
		}
		if (last)
			break;
		pos = end + 1;
	}
}

static int
find_tag(mx_span name)
{
	for (size_t k = 0; k < NTAGS; k++)
		if (mx_span_ieq(name, dmarc_tags[k].name))
			return (int)k;
	return -1;
}

static int
repeated(const struct tags *tg, size_t i)
{
	for (size_t j = 0; j < tg->n; j++)
		if (j != i && span_ieq_span(tg->t[j].name, tg->t[i].name))
			return 1;
	return 0;
}

/* Set the RFC 7489 error (the first one wins) with an escaped detail. */
static void
set_error(struct ctx *c, const char *why, const char *p, size_t n)
{
	if (c->r->error != NULL)
		return;
	c->r->error = why;
	if (p != NULL && (c->r->error_detail = mx_escape_detail(p, n, DETAIL_MAX)) == NULL)
		c->nomem = 1;
}

/* RFC 7489 §6.3 v, §6.6.3 step 5: "v=DMARC1" first, or not a DMARC record. */
static int
check_version(struct ctx *c, const char *txt, size_t len, const struct tags *tg)
{
	const char *why = "not a DMARC record (it does not start with v=DMARC1)";
	if (trim(mx_span_make(txt, len)).len == 0) {
		set_error(c, "empty record", NULL, 0);
		c->r->error_bis = "empty record";
		return 0;
	}
	if (tg->first_ok && mx_span_ieq(tg->t[0].name, "v")) {
		if (tag_v(c, tg->t[0].value) == NULL)
			return 1;
		why = "v= is not DMARC1";
		set_error(c, why, tg->t[0].value.ptr, tg->t[0].value.len);
	} else {
		for (size_t i = 0; i < tg->n; i++)
			if (mx_span_ieq(tg->t[i].name, "v"))
				why = "v=DMARC1 is not the first tag";
		set_error(c, why, txt, len);
	}
	c->r->error_bis = why;
	return 0;
}

/* Run every tag through its handler; collect unknown and invalid names. */
static void
dispatch(struct ctx *c, const struct tags *tg)
{
	struct mx_dmarc_record *r = c->r;
	for (size_t i = 0; i < tg->n && !c->nomem; i++) {
		const struct mx_tag *t = &tg->t[i];
		int k = find_tag(t->name);
		if (k < 0) {
			if (list_add(&r->unknown_tags, t->name, 0) != 0)
				c->nomem = 1;
			continue;
		}
		const char *why;
		if (repeated(tg, i)) {
			why = "duplicate tag";
			invalidate(c, dmarc_tags[k].name);
		} else {
			why = dmarc_tags[k].fn(c, t->value);
		}
		if (strcmp(dmarc_tags[k].name, "p") == 0 && i != 1)
			r->p_not_second = 1;
		if (why == NULL)
			continue;
		if (list_add(&r->invalid_tags, t->name, 1) != 0)
			c->nomem = 1;
		/* RFC 7489: any bad value of its own tags voids the record (§6.4) */
		if ((dmarc_tags[k].flags & IN_7489) && !(dmarc_tags[k].flags & (POLICY | REPORTING)) &&
		    c->tag_error == NULL) {
			c->tag_error = why;
			c->tag_error_value = strcmp(why, "duplicate tag") == 0 ? t->name : t->value;
		}
	}
}

/*
 * RFC 7489 §6.6.3 step 6 / RFC 9989 §4.10.1: a missing or invalid p=, or an
 * invalid sp= (RFC 9989: or np=).  Returns the reason, or NULL.
 */
static const char *
policy_problem(const struct mx_dmarc_record *r, int bis, mx_span *value, const struct ctx *c)
{
	if (r->p == MX_DMARC_P_UNSET)
		return "p= is missing";
	if (r->p == MX_DMARC_P_INVALID) {
		*value = c->pv;
		return c->p_dup ? "p= is repeated" : "p= is not none, quarantine or reject";
	}
	if (r->sp == MX_DMARC_P_INVALID) {
		*value = c->spv;
		return c->sp_dup ? "sp= is repeated" : "sp= is not none, quarantine or reject";
	}
	if (bis && r->np == MX_DMARC_P_INVALID) {
		*value = c->npv;
		return c->np_dup ? "np= is repeated" : "np= is not none, quarantine or reject";
	}
	return NULL;
}

static void
decide(struct ctx *c)
{
	struct mx_dmarc_record *r = c->r;
	for (int bis = 0; bis <= 1; bis++) {
		mx_span v = { NULL, 0 };
		const char *why = policy_problem(r, bis, &v, c);
		if (why == NULL)
			continue;
		if (r->rua_valid > 0) {
			/* "act as if a record containing ... "p=none" was retrieved" */
			*(bis ? &r->none_fallback_bis : &r->none_fallback) = 1;
			if (r->fallback_reason == NULL)
				r->fallback_reason = why;
		} else if (bis) {
			r->error_bis = why;
		} else {
			set_error(c, why, v.ptr, v.len);
		}
	}
	if (c->tag_error)
		set_error(c, c->tag_error, c->tag_error_value.ptr, c->tag_error_value.len);
}

static void
read_record(struct ctx *c, const char *txt, size_t len)
{
	struct tags *tg = calloc(1, sizeof *tg);
	struct mx_taglist *tl = malloc(sizeof *tl);
	if (tg == NULL || tl == NULL) {
		c->nomem = 1;
		goto done;
	}
	read_pieces(c, txt, len, tg, tl);
	if (!check_version(c, txt, len, tg))
		goto done;
	c->r->is_dmarc = 1;
	if (tg->over) {
		set_error(c, "too many tags", NULL, 0);
		c->r->error_bis = "too many tags";
		goto done;
	}
	dispatch(c, tg);
	decide(c);
done:
	free(tl);
	free(tg);
}

int
mx_dmarc_record_parse(const char *txt, size_t len, struct mx_dmarc_record *out)
{
	struct ctx c;
	memset(&c, 0, sizeof c);
	memset(out, 0, sizeof *out);
	c.r = out;
	out->pct = 100;
	out->ri = DMARC_DEFAULT_RI;
	out->psd = -1;
	if (txt == NULL)
		len = 0;
	if ((out->raw = malloc(len + 1)) == NULL)
		return -1;
	if (len)
		memcpy(out->raw, txt, len);
	out->raw[len] = '\0';
	out->raw_len = len;
	read_record(&c, txt ? txt : "", len);
	if (c.nomem) {
		mx_dmarc_record_finish(out);
		return -1;
	}
	out->ok = out->is_dmarc && out->error == NULL;
	out->ok_bis = out->is_dmarc && out->error_bis == NULL;
	return 0;
}

void
mx_dmarc_record_finish(struct mx_dmarc_record *r)
{
	if (r == NULL)
		return;
	free(r->error_detail);
	free(r->fo);
	free(r->rf);
	for (size_t i = 0; i < r->nrua && i < MX_DMARC_MAX_URIS; i++)
		free(r->rua[i]);
	for (size_t i = 0; i < r->nruf && i < MX_DMARC_MAX_URIS; i++)
		free(r->ruf[i]);
	free(r->unknown_tags);
	free(r->invalid_tags);
	free(r->raw);
	memset(r, 0, sizeof *r);
}

const char *
mx_dmarc_policy_name(enum mx_dmarc_policy p)
{
	switch (p) {
	case MX_DMARC_P_NONE:
		return "none";
	case MX_DMARC_P_QUARANTINE:
		return "quarantine";
	case MX_DMARC_P_REJECT:
		return "reject";
	case MX_DMARC_P_INVALID:
		return "invalid";
	case MX_DMARC_P_UNSET:
		break;
	}
	return "unset";
}

static int
valid_policy(enum mx_dmarc_policy p)
{
	return p == MX_DMARC_P_NONE || p == MX_DMARC_P_QUARANTINE || p == MX_DMARC_P_REJECT;
}

enum mx_dmarc_policy
mx_dmarc_record_policy(const struct mx_dmarc_record *r, int bis, enum mx_dmarc_target target)
{
	if (r == NULL || !(bis ? r->ok_bis : r->ok))
		return MX_DMARC_P_UNSET;
	if (bis ? r->none_fallback_bis : r->none_fallback)
		return MX_DMARC_P_NONE;
	if (!valid_policy(r->p))
		return MX_DMARC_P_UNSET;	/* not reached: ok implies a valid p */
	/* RFC 7489 §6.3 sp: "If absent, the policy specified by the "p" tag MUST be applied" */
	enum mx_dmarc_policy sp = valid_policy(r->sp) ? r->sp : r->p;
	switch (target) {
	case MX_DMARC_FOR_DOMAIN:
		return r->p;
	case MX_DMARC_FOR_SUBDOMAIN:
		return sp;
	case MX_DMARC_FOR_NXSUBDOMAIN:
		/* RFC 9989 np: if absent, sp (if present), else p */
		return bis && valid_policy(r->np) ? r->np : sp;
	}
	return r->p;
}
