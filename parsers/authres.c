/*
 * authres.c - Authentication-Results (RFC 8601 §2.2) and
 * ARC-Authentication-Results (RFC 8617 §4.1.1) field values.
 *
 * One static function per ABNF production, over a cursor that never reads
 * past len and never relies on a NUL.  The grammar is RFC 8601 §2.2; where
 * real receivers write something else (Microsoft's missing authserv-id,
 * Outlook.com's repeated authserv-id, Yahoo's pre-RFC "from=...;", a property
 * without ptype, an unquoted IPv6 pvalue, quoted Keywords) the parse goes on,
 * the status becomes MX_AR_LENIENT, and flags/error/error_offset say why.
 * Anything else that is not RFC 8601 is MX_AR_REJECT, with what was read so
 * far left in *out.  Comments are kept: they are evidence.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ascii.h"
#include "authres.h"

/* RFC 8617 §4.2.1: "i=" is 1..50 */
#define ARC_MAX_INSTANCE 50
/* Longest digit string read as a number (versions, i=); 9 digits fit an int. */
#define MAX_DIGITS 9

struct sbuf {
	char *p;
	size_t n, cap;
};

struct cur {
	const char *b;
	size_t len, pos;
	struct mx_authres *ar;
	int status;		/* MX_AR_OK / _LENIENT / _REJECT */
	int nomem;
	/* Yahoo's pre-RFC "from=x;" entries wait here for the result they describe */
	struct mx_authres_prop pending[MX_AUTHRES_MAX_PROPS];
	size_t npending;
};

/* ---- small helpers ---- */

static int
at_end(const struct cur *c)
{
	return c->pos >= c->len;
}

static int
peek(const struct cur *c)
{
	return c->pos < c->len ? (unsigned char)c->b[c->pos] : -1;
}

static int
stopped(const struct cur *c)
{
	return c->status == MX_AR_REJECT || c->nomem;
}

static char *
dupn(struct cur *c, const char *p, size_t n, int lower)
{
	char *s = malloc(n + 1);
	if (s == NULL) {
		c->nomem = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		s[i] = lower && ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	s[n] = '\0';
	return s;
}

static void
set_error(struct cur *c, size_t at, const char *msg)
{
	free(c->ar->error);
	c->ar->error = dupn(c, msg, strlen(msg), 0);
	c->ar->error_offset = at;
}

/* Not RFC 8601 but readable: the first reason wins. */
static void
lenient(struct cur *c, size_t at, unsigned flag, const char *msg)
{
	c->ar->flags |= MX_AR_F_LENIENT | flag;
	if (c->status == MX_AR_OK) {
		c->status = MX_AR_LENIENT;
		set_error(c, at, msg);
	}
}

/* Not an Authentication-Results value: the reject reason replaces any other. */
static void
reject(struct cur *c, size_t at, const char *msg)
{
	if (c->status != MX_AR_REJECT)
		set_error(c, at, msg);
	c->status = MX_AR_REJECT;
}

static void
sb_add(struct cur *c, struct sbuf *s, const char *p, size_t n)
{
	if (s == NULL || c->nomem)
		return;
	if (s->n + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 64;
		while (cap < s->n + n + 1)
			cap *= 2;
		char *np = realloc(s->p, cap);
		if (np == NULL) {
			c->nomem = 1;
			return;
		}
		s->p = np;
		s->cap = cap;
	}
	memcpy(s->p + s->n, p, n);
	s->n += n;
	s->p[s->n] = '\0';
}

/* Hand the text over as an owned string (NULL when empty) and reset s. */
static char *
sb_take(struct sbuf *s)
{
	char *p = s->n ? s->p : NULL;
	if (p == NULL)
		free(s->p);
	s->p = NULL;
	s->n = s->cap = 0;
	return p;
}

/*
 * RFC 2045 §5.1: token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>
 * tspecials := "(" / ")" / "<" / ">" / "@" / "," / ";" / ":" / "\" / <"> /
 *              "/" / "[" / "]" / "?" / "="
 * Bytes >= 0x80 are accepted too (RFC 8616: UTF-8 in Authentication-Results).
 */
static int
is_token_char(int ch)
{
	if (ch < 0 || is_ctl(ch) || ch == ' ')
		return 0;
	return strchr("()<>@,;:\\\"/[]?=", ch) == NULL;
}

/* A method, ptype or property name is lexed as a token without ".". */
static int
is_name_char(int ch)
{
	return ch != '.' && is_token_char(ch);
}

/*
 * An unquoted pvalue runs up to white space, ";", a comment or a quote.  It
 * takes more than RFC 8601 allows ("/" "=" in base64 header.b, ":" in IPv6);
 * check_pvalue() then says which of those are lenient.
 */
static int
is_pvalue_char(int ch)
{
	if (ch < 0 || is_ctl(ch) || ch == ' ')
		return 0;
	return strchr(";()\"\\", ch) == NULL;
}

/* RFC 8601 §2.2 Keyword = ldh-str (RFC 5321 §4.1.2): *( ALPHA / DIGIT / "-" ) Let-dig */
static int
is_keyword(const char *p, size_t n)
{
	if (n == 0 || p[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum((unsigned char)p[i]) && p[i] != '-')
			return 0;
	return 1;
}

static int
ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* ---- RFC 5322 §3.2.2: FWS, comment, CFWS ---- */

/* FWS = ([*WSP CRLF] 1*WSP); bare CR or LF are taken as folding too (unfolded input). */
static void
skip_fws(struct cur *c)
{
	while (!at_end(c) && is_space(peek(c)))
		c->pos++;
}

/*
 * comment = "(" *([FWS] ccontent) [FWS] ")"; ccontent = ctext / quoted-pair / comment
 * Iterative, so nesting costs no stack; deeper than MX_AUTHRES_MAX_COMMENT_DEPTH
 * is flagged.  The text between the outer parentheses goes to sink (joined
 * by " "), unfolded, without control bytes.
 */
static void
comment(struct cur *c, struct sbuf *sink)
{
	size_t open = c->pos++;
	size_t start = c->pos, end;
	size_t depth = 1;
	int deep = 0;

	for (;;) {
		if (at_end(c)) {
			end = c->pos;
			lenient(c, open, 0, "unterminated comment");
			break;
		}
		int ch = peek(c);
		if (ch == '\\') {
			if (c->pos + 1 >= c->len) {
				c->pos++;
				continue;	/* lone backslash: the comment is unterminated */
			}
			c->pos += 2;
			continue;
		}
		c->pos++;
		if (ch == '(') {
			if (++depth > MX_AUTHRES_MAX_COMMENT_DEPTH && !deep) {
				deep = 1;
				lenient(c, c->pos - 1, MX_AR_F_DEEP_COMMENT,
				    "comments nested too deep");
			}
		} else if (ch == ')' && --depth == 0) {
			end = c->pos - 1;
			break;
		}
	}
	if (sink == NULL)
		return;
	if (sink->n)
		sb_add(c, sink, " ", 1);
	/* copy without control bytes: the strings we hand out are C strings */
	size_t i = start;
	while (i < end) {
		size_t j = i;
		while (j < end && !is_ctl((unsigned char)c->b[j]))
			j++;
		sb_add(c, sink, c->b + i, j - i);
		while (j < end && is_ctl((unsigned char)c->b[j])) {
			if (c->b[j] == '\t')
				sb_add(c, sink, " ", 1);	/* CR LF: unfolding */
			j++;
		}
		i = j;
	}
}

/* CFWS = (1*([FWS] comment) [FWS]) / FWS */
static void
skip_cfws(struct cur *c, struct sbuf *sink)
{
	for (;;) {
		skip_fws(c);
		if (peek(c) != '(')
			return;
		comment(c, sink);
	}
}

/*
 * RFC 5322 §3.2.4: quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]
 * qcontent = qtext / quoted-pair.  At the DQUOTE; the unescaped content goes
 * to out.  Unterminated or a lone backslash at the end is lenient.
 */
static void
quoted_string(struct cur *c, struct sbuf *out)
{
	size_t open = c->pos++;
	for (;;) {
		if (at_end(c)) {
			lenient(c, open, 0, "unterminated quoted-string");
			return;
		}
		int ch = peek(c);
		if (ch == '"') {
			c->pos++;
			return;
		}
		if (ch == '\\') {
			if (c->pos + 1 >= c->len) {
				c->pos++;
				continue;
			}
			ch = (unsigned char)c->b[c->pos + 1];
			c->pos += 2;
		} else {
			c->pos++;
		}
		if (ch == '\r' || ch == '\n')
			continue;	/* unfolding (RFC 5322 §2.2.3) */
		if (is_ctl(ch) && ch != '\t') {
			lenient(c, c->pos - 1, MX_AR_F_NUL, "control byte in a quoted-string");
			continue;
		}
		char b = (char)ch;
		sb_add(c, out, &b, 1);
	}
}

/* Lex while pred holds; returns the length. */
static size_t
run(struct cur *c, int (*pred)(int))
{
	size_t start = c->pos;
	while (!at_end(c) && pred(peek(c)))
		c->pos++;
	return c->pos - start;
}

/*
 * A name where RFC 8601 wants a Keyword (method, result, ptype, property).
 * Quoted names (Mail::AuthenticationResults writes "spf"="fail") and names
 * that are not ldh-str are lenient.  Returns 0 when there is none.
 */
static int
name(struct cur *c, struct sbuf *out, int *quoted)
{
	size_t at = c->pos;
	*quoted = 0;
	if (peek(c) == '"') {
		*quoted = 1;
		quoted_string(c, out);
		lenient(c, at, 0, "quoted-string where RFC 8601 wants a Keyword");
		sb_add(c, out, "", 0);
		return 1;
	}
	size_t n = run(c, is_name_char);
	if (n == 0)
		return 0;
	sb_add(c, out, c->b + at, n);
	if (!is_keyword(c->b + at, n))
		lenient(c, at, 0, "name is not a Keyword (RFC 8601 §2.2)");
	return 1;
}

/* 1*DIGIT, bounded to MAX_DIGITS; returns -1 when there is no digit. */
static int
number(struct cur *c)
{
	size_t at = c->pos;
	long v = 0;
	size_t n = 0;
	while (!at_end(c) && is_digit(peek(c))) {
		if (n++ < MAX_DIGITS)
			v = v * 10 + (peek(c) - '0');
		c->pos++;
	}
	if (n == 0)
		return -1;
	if (n > MAX_DIGITS)
		lenient(c, at, MX_AR_F_TRUNCATED, "number too long");
	return (int)v;
}

/* ---- storage ---- */

static void
prop_free(struct mx_authres_prop *p)
{
	free(p->ptype);
	free(p->property);
	free(p->value);
	free(p->comment);
	memset(p, 0, sizeof *p);
}

static struct mx_authres_result *
new_result(struct cur *c)
{
	struct mx_authres *ar = c->ar;
	if (ar->nresults == MX_AUTHRES_MAX_RESULTS)
		return NULL;
	if (ar->results == NULL) {
		ar->results = calloc(MX_AUTHRES_MAX_RESULTS, sizeof *ar->results);
		if (ar->results == NULL) {
			c->nomem = 1;
			return NULL;
		}
	}
	return &ar->results[ar->nresults++];
}

/* Append a property to r (or to the pending list when r is NULL); takes ownership. */
static void
add_prop(struct cur *c, struct mx_authres_result *r, struct mx_authres_prop *p, size_t at)
{
	struct mx_authres_prop *arr;
	size_t *n;
	if (r == NULL) {
		arr = c->pending;
		n = &c->npending;
	} else {
		if (r->props == NULL && (r->props = calloc(MX_AUTHRES_MAX_PROPS,
		    sizeof *r->props)) == NULL) {
			c->nomem = 1;
			prop_free(p);
			return;
		}
		arr = r->props;
		n = &r->nprops;
	}
	if (*n == MX_AUTHRES_MAX_PROPS) {
		lenient(c, at, MX_AR_F_TRUNCATED, "too many properties in one result");
		prop_free(p);
		return;
	}
	arr[(*n)++] = *p;
	memset(p, 0, sizeof *p);
}

/* Yahoo's pending "from=" entries belong to the next result. */
static void
take_pending(struct cur *c, struct mx_authres_result *r)
{
	for (size_t i = 0; i < c->npending; i++)
		add_prop(c, r, &c->pending[i], c->pos);
	c->npending = 0;
}

/* ---- RFC 8601 §2.2 ---- */

/*
 * pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]
 * The leading CFWS has been read.  Stores the value (unquoted) in p->value.
 * A "(" or DQUOTE glued to the value, or a quote inside it, is Composition
 * Kills A4 ("header.d=legit.com(.attacker.com"): the value stops there and
 * the field is flagged.
 */
static void
check_pvalue(struct cur *c, size_t at, const char *v, size_t n)
{
	int colon = 0, other = 0;
	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)v[i];
		if (ch == '\'')
			lenient(c, at + i, MX_AR_F_COMMENT_IN_VALUE,
			    "quote character inside a property value");
		else if (ch == ':')
			colon = 1;
		/* "/" and "=" are base64 in header.b; everyone writes them unquoted */
		else if (!is_token_char(ch) && ch != '@' && ch != '/' && ch != '=')
			other = 1;
	}
	if (colon)
		lenient(c, at, 0, "unquoted ':' in a property value (IPv6?); RFC 8601 wants a quoted-string");
	if (other)
		lenient(c, at, 0, "character not allowed in an unquoted property value");
}

static void
pvalue(struct cur *c, struct mx_authres_prop *p)
{
	size_t at = c->pos;
	struct sbuf v = { 0 };

	if (peek(c) == '"') {
		quoted_string(c, &v);
		sb_add(c, &v, "", 0);
		if (peek(c) == '@') {
			/* local-part "@" domain-name: keep the address as written */
			size_t n = run(c, is_pvalue_char);
			free(v.p);
			v.p = dupn(c, c->b + at, c->pos - at, 0);
			check_pvalue(c, at + (c->pos - at - n), c->b + c->pos - n, n);
		}
	} else {
		size_t n = run(c, is_pvalue_char);
		if (n == 0)
			lenient(c, at, 0, "empty property value");
		check_pvalue(c, at, c->b + at, n);
		v.p = dupn(c, c->b + at, n, 0);
	}
	p->value = v.p;
	int ch = peek(c);
	if (ch == '(' || ch == '"')
		lenient(c, c->pos, MX_AR_F_COMMENT_IN_VALUE,
		    "comment or quote glued to a property value");
}

/* reasonspec = "reason" [CFWS] "=" [CFWS] value ; at the value */
static void
reasonspec(struct cur *c, struct mx_authres_result *r, size_t base)
{
	size_t at = c->pos;
	struct mx_authres_prop tmp = { 0 };
	if (r->reason != NULL || r->nprops > base)
		lenient(c, at, 0, "reason= repeated or after a property");
	pvalue(c, &tmp);
	if (r->reason == NULL) {
		r->reason = tmp.value;
		tmp.value = NULL;
	}
	prop_free(&tmp);
}

/*
 * propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 * ptype = Keyword; property = special-smtp-verb / Keyword
 * The ptype (key) has been read, and the CFWS after it.  A key followed
 * directly by "=" is a property without ptype ("action=none"), lenient; a
 * quoted key may hold "ptype.property" whole.
 */
static void
propspec(struct cur *c, struct mx_authres_result *r, struct sbuf *key, int kquoted,
    size_t at, struct sbuf *com)
{
	struct mx_authres_prop p = { 0 };
	const char *k = key->p ? key->p : "";

	if (peek(c) == '.') {
		c->pos++;
		skip_cfws(c, com);
		struct sbuf prop = { 0 };
		int q;
		if (!name(c, &prop, &q)) {
			free(prop.p);
			reject(c, c->pos, "expected a property name after '.'");
			return;
		}
		skip_cfws(c, com);
		if (peek(c) != '=') {
			free(prop.p);
			reject(c, c->pos, "expected '=' after ptype.property");
			return;
		}
		p.ptype = dupn(c, k, strlen(k), 1);
		p.property = dupn(c, prop.p ? prop.p : "", prop.n, 1);
		free(prop.p);
	} else if (peek(c) == '=') {
		const char *dot = kquoted ? strchr(k, '.') : NULL;
		if (dot != NULL) {
			p.ptype = dupn(c, k, (size_t)(dot - k), 1);
			p.property = dupn(c, dot + 1, strlen(dot + 1), 1);
		} else {
			lenient(c, at, 0, "property without ptype");
			p.ptype = dupn(c, "", 0, 0);
			p.property = dupn(c, k, strlen(k), 1);
		}
	} else {
		reject(c, c->pos, "expected '.' or '=' after a property type");
		return;
	}
	c->pos++;		/* "=" */
	skip_cfws(c, com);
	pvalue(c, &p);
	add_prop(c, r, &p, at);
}

/*
 * resinfo = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
 * methodspec = [CFWS] method [CFWS] "=" [CFWS] result
 * method = Keyword [ [CFWS] "/" [CFWS] method-version ]
 * method-version = 1*DIGIT [CFWS]
 * result = Keyword
 * At the method (the ";" and CFWS before it have been read; their comments
 * are in rcom).
 */
static void
resinfo(struct cur *c, struct sbuf *rcom)
{
	size_t at = c->pos;
	struct sbuf method = { 0 }, res = { 0 }, pcom = { 0 }, key = { 0 };
	struct mx_authres_result *r = NULL;
	int q, version = 0;

	/* A bare value and then ";" or the end: an authserv-id among the results. */
	size_t n = run(c, is_token_char);
	skip_cfws(c, NULL);
	if (n > 0 && (at_end(c) || peek(c) == ';')) {
		struct mx_authres *ar = c->ar;
		if (ar->authserv_id == NULL) {
			ar->authserv_id = dupn(c, c->b + at, n, 0);
			lenient(c, at, MX_AR_F_REPEATED_ID,
			    "authserv-id among the results instead of first");
		} else if (strlen(ar->authserv_id) == n &&
		    memcmp(ar->authserv_id, c->b + at, n) == 0) {
			lenient(c, at, MX_AR_F_REPEATED_ID, "authserv-id repeated among the results");
		} else {
			lenient(c, at, MX_AR_F_REPEATED_ID, "stray value among the results");
		}
		goto out;
	}
	c->pos = at;

	if (!name(c, &method, &q)) {
		reject(c, at, "expected a method");
		goto out;
	}
	skip_cfws(c, rcom);
	if (peek(c) == '/') {
		c->pos++;
		skip_cfws(c, rcom);
		if ((version = number(c)) < 0) {
			reject(c, c->pos, "expected a method-version after '/'");
			goto out;
		}
		skip_cfws(c, rcom);
	}
	if (peek(c) != '=') {
		reject(c, c->pos, "expected '=' after the method");
		goto out;
	}
	c->pos++;
	skip_cfws(c, rcom);

	size_t rat = c->pos;
	if (peek(c) == '"') {
		name(c, &res, &q);
	} else {
		n = run(c, is_pvalue_char);
		sb_add(c, &res, c->b + rat, n);
		if (n == 0) {
			if (!at_end(c) && peek(c) != ';') {
				reject(c, rat, "expected a result");
				goto out;
			}
			lenient(c, rat, 0, "missing result");
		} else if (!is_keyword(c->b + rat, n)) {
			/* Yahoo's pre-RFC "from=example.com;" describes the next result */
			size_t after = c->pos;
			skip_cfws(c, NULL);
			if (!(at_end(c) || peek(c) == ';') || c->b[rat] == '=') {
				reject(c, rat, "result is not a Keyword");
				goto out;
			}
			c->pos = after;
			lenient(c, at, 0, "pre-RFC 5451 key=value entry (Yahoo 'from=')");
			struct mx_authres_prop p = { 0 };
			p.ptype = dupn(c, "", 0, 0);
			p.property = dupn(c, method.p ? method.p : "", method.n, 1);
			p.value = dupn(c, c->b + rat, n, 0);
			check_pvalue(c, rat, c->b + rat, n);
			add_prop(c, NULL, &p, at);
			skip_cfws(c, NULL);
			goto out;
		}
	}

	if ((r = new_result(c)) == NULL) {
		if (!c->nomem) {
			lenient(c, at, MX_AR_F_TRUNCATED, "too many results");
			c->pos = c->len;	/* the rest is not read */
		}
		goto out;
	}
	r->method = dupn(c, method.p ? method.p : "", method.n, 1);
	r->method_version = version;
	r->result = dupn(c, res.p ? res.p : "", res.n, 1);
	take_pending(c, r);
	size_t base = r->nprops;	/* properties written in this resinfo start here */

	/* [ CFWS reasonspec ] [ CFWS 1*propspec ] */
	for (;;) {
		struct sbuf *com = r->nprops > base ? &pcom : rcom;
		skip_cfws(c, com);
		if (at_end(c) || peek(c) == ';' || stopped(c))
			break;
		size_t kat = c->pos;
		free(key.p);
		key = (struct sbuf){ 0 };
		if (!name(c, &key, &q)) {
			reject(c, kat, "expected a property");
			break;
		}
		/* a new property: the comments read so far belong to the previous one */
		if (r->nprops > base && r->props[r->nprops - 1].comment == NULL)
			r->props[r->nprops - 1].comment = sb_take(&pcom);
		free(pcom.p);
		pcom = (struct sbuf){ 0 };
		skip_cfws(c, &pcom);
		if (!q && key.n == 6 && ascii_ieq(key.p, "reason") && peek(c) == '=') {
			c->pos++;
			skip_cfws(c, rcom);
			reasonspec(c, r, base);
			continue;
		}
		size_t before = r->nprops;
		propspec(c, r, &key, q, kat, &pcom);
		if (r->nprops == before) {
			/* not stored (reject, or over the limit): drop its comments */
			free(pcom.p);
			pcom = (struct sbuf){ 0 };
		}
	}
	if (r->nprops > base && r->props[r->nprops - 1].comment == NULL)
		r->props[r->nprops - 1].comment = sb_take(&pcom);
out:
	if (r != NULL)
		r->comment = sb_take(rcom);
	free(rcom->p);
	*rcom = (struct sbuf){ 0 };
	free(method.p);
	free(res.p);
	free(pcom.p);
	free(key.p);
}

/*
 * 1*resinfo, or no-result = [CFWS] ";" [CFWS] "none".  At the first ";"
 * (first == 0) or at the first method when the ";" is missing (first == 1).
 */
static void
resinfo_list(struct cur *c, int first)
{
	int entries = 0;
	for (;;) {
		struct sbuf rcom = { 0 };
		if (!first) {
			if (at_end(c))
				break;
			if (peek(c) != ';') {
				reject(c, c->pos, "expected ';' between results");
				break;
			}
			c->pos++;
		}
		first = 0;
		skip_cfws(c, &rcom);
		if (at_end(c)) {
			free(rcom.p);
			/* a trailing ";" after results is common and harmless */
			if (entries == 0)
				lenient(c, c->pos, 0, "';' and then no result");
			break;
		}
		if (peek(c) == ';') {
			free(rcom.p);
			lenient(c, c->pos, 0, "empty result between ';'");
			continue;
		}
		/* no-result: "none" */
		size_t at = c->pos;
		if (c->len - at >= 4 && strncasecmp(c->b + at, "none", 4) == 0) {
			c->pos += 4;
			skip_cfws(c, NULL);
			if (at_end(c) || peek(c) == ';') {
				free(rcom.p);
				if (c->ar->nresults || entries || c->ar->none)
					lenient(c, at, 0, "'none' mixed with results");
				c->ar->none = 1;
				entries++;
				continue;
			}
			c->pos = at;
		}
		resinfo(c, &rcom);
		entries++;
		if (stopped(c))
			break;
		skip_cfws(c, NULL);
	}
	/* Yahoo "from=" entries with no result after them go to the last result */
	if (c->npending && c->ar->nresults)
		take_pending(c, &c->ar->results[c->ar->nresults - 1]);
	for (size_t i = 0; i < c->npending; i++)
		prop_free(&c->pending[i]);
	c->npending = 0;
}

/*
 * authres-payload = [CFWS] authserv-id [ CFWS authres-version ]
 *                   ( no-result / 1*resinfo ) [CFWS]
 * authserv-id = value; authres-version = 1*DIGIT [CFWS]
 */
static void
authres_payload(struct cur *c)
{
	struct mx_authres *ar = c->ar;
	struct sbuf com = { 0 }, id = { 0 };

	skip_cfws(c, &com);
	if (at_end(c)) {
		reject(c, c->pos, "empty field");
		goto out;
	}
	if (peek(c) == ';') {
		lenient(c, c->pos, MX_AR_F_NO_AUTHSERV_ID, "no authserv-id before ';'");
		resinfo_list(c, 0);
		goto out;
	}
	size_t at = c->pos;
	if (peek(c) == '"') {
		quoted_string(c, &id);
	} else {
		size_t n = run(c, is_token_char);
		if (n == 0) {
			reject(c, at, "expected an authserv-id");
			goto out;
		}
		sb_add(c, &id, c->b + at, n);
	}
	skip_cfws(c, &com);
	if (peek(c) == '=' || peek(c) == '/') {
		/* Microsoft: "spf=pass (sender IP is ...) smtp.mailfrom=...; dkim=..." */
		c->pos = at;
		free(com.p);
		com = (struct sbuf){ 0 };
		lenient(c, at, MX_AR_F_NO_AUTHSERV_ID, "no authserv-id: the field starts with a result");
		resinfo_list(c, 1);
		goto out;
	}
	ar->authserv_id = dupn(c, id.p ? id.p : "", id.n, 0);

	/* [ CFWS authres-version ], or a stray word */
	size_t wat = c->pos;
	size_t n = run(c, is_token_char);
	if (n > 0) {
		size_t d = 0;
		while (d < n && is_digit((unsigned char)c->b[wat + d]))
			d++;
		if (d == n) {
			c->pos = wat;
			ar->version = number(c);
			skip_cfws(c, &com);
		} else {
			skip_cfws(c, NULL);
			if (peek(c) == '=') {
				/* Yahoo: "mta.yahoo.com  from=example.com; domainkeys=..." */
				c->pos = wat;
				lenient(c, wat, 0, "missing ';' after the authserv-id");
				resinfo_list(c, 1);
				goto out;
			}
			if (!at_end(c) && peek(c) != ';') {
				reject(c, c->pos, "unexpected text after the authserv-id");
				goto out;
			}
			lenient(c, wat, 0, "unexpected word after the authserv-id");
		}
	}
	if (at_end(c)) {
		lenient(c, c->pos, 0, "no results and no 'none'");
		goto out;
	}
	if (peek(c) != ';') {
		reject(c, c->pos, "expected ';' after the authserv-id");
		goto out;
	}
	resinfo_list(c, 0);
out:
	if (ar->authserv_comment == NULL)
		ar->authserv_comment = sb_take(&com);
	free(com.p);
	free(id.p);
}

/*
 * RFC 8617 §4.1.1: arc-authres-header = "ARC-Authentication-Results:" [CFWS]
 *   arc-instance [CFWS] ";" authres-payload
 * RFC 8617 §4.2.1: arc-instance = "i" [FWS] "=" [FWS] instance-number (1..50)
 */
static int
arc_instance(struct cur *c)
{
	skip_cfws(c, NULL);
	size_t at = c->pos;
	if (peek(c) != 'i' && peek(c) != 'I') {
		reject(c, at, "ARC-Authentication-Results without i= (RFC 8617 §4.1.1)");
		return -1;
	}
	c->pos++;
	skip_cfws(c, NULL);
	if (peek(c) != '=') {
		reject(c, at, "ARC-Authentication-Results without i= (RFC 8617 §4.1.1)");
		return -1;
	}
	c->pos++;
	skip_cfws(c, NULL);
	int i = number(c);
	if (i < 1 || i > ARC_MAX_INSTANCE) {
		reject(c, at, "ARC instance i= not a number in 1..50 (RFC 8617 §4.2.1)");
		return -1;
	}
	c->ar->instance = i;
	skip_cfws(c, NULL);
	if (peek(c) != ';') {
		reject(c, c->pos, "expected ';' after the ARC instance");
		return -1;
	}
	c->pos++;
	return 0;
}

int
mx_authres_parse(const char *buf, size_t len, int arc, struct mx_authres *out)
{
	struct cur c = { .b = buf, .len = len, .ar = out, .status = MX_AR_OK };

	memset(out, 0, sizeof *out);
	if (buf == NULL)
		c.len = 0;
	if (c.len > MX_AUTHRES_MAX_LEN) {
		c.len = MX_AUTHRES_MAX_LEN;
		lenient(&c, MX_AUTHRES_MAX_LEN, MX_AR_F_TRUNCATED,
		    "field longer than MX_AUTHRES_MAX_LEN; the rest is not read");
	}
	for (size_t i = 0; i < c.len; i++)
		if (is_ctl((unsigned char)c.b[i]) && !is_space((unsigned char)c.b[i])) {
			out->flags |= MX_AR_F_NUL;
			break;
		}
	if (!arc || arc_instance(&c) == 0)
		authres_payload(&c);
	if ((out->flags & MX_AR_F_NUL) && c.status == MX_AR_OK)
		lenient(&c, 0, MX_AR_F_NUL, "control byte in the field");
	if (c.nomem)
		return MX_AR_NOMEM;
	return c.status;
}

const char *
mx_authres_prop_get(const struct mx_authres_result *r, const char *ptype, const char *property)
{
	if (r == NULL || ptype == NULL || property == NULL)
		return NULL;
	for (size_t i = 0; i < r->nprops; i++) {
		const struct mx_authres_prop *p = &r->props[i];
		if (p->ptype && p->property && ascii_ieq(p->ptype, ptype) &&
		    ascii_ieq(p->property, property))
			return p->value;
	}
	return NULL;
}

void
mx_authres_finish(struct mx_authres *ar)
{
	if (ar == NULL)
		return;
	for (size_t i = 0; i < ar->nresults; i++) {
		struct mx_authres_result *r = &ar->results[i];
		for (size_t j = 0; j < r->nprops; j++)
			prop_free(&r->props[j]);
		free(r->props);
		free(r->method);
		free(r->result);
		free(r->reason);
		free(r->comment);
	}
	free(ar->results);
	free(ar->authserv_id);
	free(ar->authserv_comment);
	free(ar->error);
	memset(ar, 0, sizeof *ar);
}
