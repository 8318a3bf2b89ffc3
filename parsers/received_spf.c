/*
 * received_spf.c - the Received-SPF header field value (RFC 7208 §9.1).
 *
 * One static function per ABNF production over a bounded cursor (no NUL
 * dependence, never past len).  What real MTAs write beyond the grammar
 * (capitalised or unknown result words, no ';' between pairs, IPv6 and other
 * non-dot-atom values, repeated keys, trailing comments) is read anyway and
 * sets lenient.
 */
#include <stdlib.h>
#include <string.h>
#include "ascii.h"
#include "received_spf.h"

/* Longest value read; a Received-SPF field is a few hundred bytes.  Longer is cut (lenient). */
#define RSPF_MAX_LEN 65536
/* Deeper comment nesting than this is hostile; still skipped iteratively, flagged lenient. */
#define RSPF_MAX_COMMENT_DEPTH 32

struct cur {
	const char *b;
	size_t len, pos;
	struct mx_received_spf *r;
	int nomem;
};

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

/* RFC 5322 §3.2.3 atext (plus bytes >= 0x80, RFC 6532) */
static int
is_atext(int ch)
{
	if (ch < 0)
		return 0;
	return is_alpha(ch) || is_digit(ch) || ch >= 0x80 || strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL;
}

/* RFC 7208 §9.1: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
static int
is_name_char(int ch)
{
	return is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '_' || ch == '.';
}

/* what an unquoted value runs over: anything up to white space, ';', '(' or a quote */
static int
is_value_char(int ch)
{
	return ch >= 0 && !is_ctl(ch) && ch != ' ' && ch != ';' && ch != '(' && ch != '"';
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

/* FWS (RFC 5322 §3.2.2), bare CR/LF taken as folding. */
static void
skip_fws(struct cur *c)
{
	while (!at_end(c) && is_space(peek(c)))
		c->pos++;
}

/*
 * comment = "(" *([FWS] ccontent) [FWS] ")" (RFC 5322 §3.2.2), iterative.
 * At the "("; sets start and end to the text between the outer parentheses.
 */
static void
comment(struct cur *c, size_t *start, size_t *end)
{
	size_t depth = 1;
	c->pos++;
	*start = c->pos;
	for (;;) {
		if (at_end(c)) {
			*end = c->pos;
			c->r->lenient = 1;	/* unterminated */
			return;
		}
		int ch = peek(c);
		if (ch == '\\') {
			c->pos += c->pos + 1 < c->len ? 2 : 1;
			continue;
		}
		c->pos++;
		if (ch == '(') {
			if (++depth > RSPF_MAX_COMMENT_DEPTH)
				c->r->lenient = 1;
		} else if (ch == ')' && --depth == 0) {
			*end = c->pos - 1;
			return;
		}
	}
}

/* CFWS; comments other than the one after the result are skipped. */
static void
skip_cfws(struct cur *c)
{
	for (;;) {
		skip_fws(c);
		if (peek(c) != '(')
			return;
		size_t s, e;
		comment(c, &s, &e);
	}
}

/* Copy unfolded and without control bytes (the strings handed out are C strings). */
static char *
dup_clean(struct cur *c, size_t start, size_t end)
{
	char *s = malloc(end - start + 1);
	size_t n = 0;
	if (s == NULL) {
		c->nomem = 1;
		return NULL;
	}
	for (size_t i = start; i < end; i++) {
		int ch = (unsigned char)c->b[i];
		if (is_ctl(ch)) {
			if (ch == '\t')
				s[n++] = ' ';
			else if (ch != '\r' && ch != '\n')	/* CRLF: unfolding */
				c->r->lenient = 1;
			continue;
		}
		s[n++] = (char)ch;
	}
	s[n] = '\0';
	return s;
}

/*
 * quoted-string (RFC 5322 §3.2.4), at the DQUOTE; returns the unescaped
 * content.  Unterminated, a lone backslash or a control byte is lenient.
 */
static char *
quoted_string(struct cur *c)
{
	char *s = malloc(c->len - c->pos + 1);
	size_t n = 0;
	if (s == NULL) {
		c->nomem = 1;
		return NULL;
	}
	c->pos++;
	for (;;) {
		if (at_end(c)) {
			c->r->lenient = 1;
			break;
		}
		int ch = peek(c);
		c->pos++;
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (at_end(c)) {
				c->r->lenient = 1;
				break;
			}
			ch = peek(c);
			c->pos++;
		}
		if (ch == '\r' || ch == '\n')
			continue;	/* unfolding (RFC 5322 §2.2.3) */
		if (is_ctl(ch) && ch != '\t') {
			c->r->lenient = 1;
			continue;
		}
		s[n++] = (char)ch;
	}
	s[n] = '\0';
	char *shrunk = realloc(s, n + 1);	/* it was sized for the rest of the field */
	return shrunk ? shrunk : s;
}

/*
 * result = "pass" / "fail" / "softfail" / "neutral" / "none" / "temperror" / "permerror"
 * Any other word, or one not in lower case, is read and marked lenient.
 */
static void
result(struct cur *c)
{
	static const char *const words[] = { "pass", "fail", "softfail", "neutral", "none",
	    "temperror", "permerror" };
	size_t at = c->pos;
	while (!at_end(c) && is_alpha(peek(c)))
		c->pos++;
	size_t n = c->pos - at;
	if (peek(c) == '=' || (peek(c) >= 0 && is_name_char(peek(c)))) {
		/* "client-ip=...": no result word at all */
		c->pos = at;
		n = 0;
	}
	c->r->result = dupn(c, c->b + at, n, 1);
	if (c->r->result == NULL)
		return;
	int known = 0;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(c->r->result, words[i]) == 0)
			known = 1;
	if (!known || memcmp(c->r->result, c->b + at, n) != 0)
		c->r->lenient = 1;
}

/* dot-atom-text = 1*atext *("." 1*atext) (RFC 5322 §3.2.3) */
static int
is_dot_atom(const char *p, size_t n)
{
	if (n == 0 || p[0] == '.' || p[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (p[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)p[i])) {
			return 0;
		}
	}
	return 1;
}

/*
 * key-value-pair = key [CFWS] "=" ( dot-atom / quoted-string )
 * key = "client-ip" / "envelope-from" / "helo" / "problem" / "receiver" /
 *       "identity" / "mechanism" / name
 * Returns 0 on a pair read (stored unless over MX_RSPF_MAX_KEYS), -1 when
 * what is here is not a pair (the rest is skipped).
 */
static int
key_value_pair(struct cur *c)
{
	struct mx_received_spf *r = c->r;
	size_t at = c->pos;
	if (!is_alpha(peek(c)))
		return -1;
	while (!at_end(c) && is_name_char(peek(c)))
		c->pos++;
	size_t klen = c->pos - at;
	skip_cfws(c);
	if (peek(c) != '=')
		return -1;
	c->pos++;
	skip_fws(c);	/* not in the grammar, but harmless */
	char *v;
	if (peek(c) == '"') {
		v = quoted_string(c);
	} else {
		size_t vat = c->pos;
		while (!at_end(c) && is_value_char(peek(c)))
			c->pos++;
		if (!is_dot_atom(c->b + vat, c->pos - vat))
			r->lenient = 1;	/* IPv6, empty, or other non-dot-atom */
		v = dupn(c, c->b + vat, c->pos - vat, 0);
	}
	if (v == NULL)
		return 0;
	if (r->nkv == MX_RSPF_MAX_KEYS) {
		r->lenient = 1;
		free(v);
		return 0;
	}
	char *k = dupn(c, c->b + at, klen, 1);
	if (k == NULL) {
		free(v);
		return 0;
	}
	if (mx_received_spf_get(r, k) != NULL)
		r->lenient = 1;	/* repeated key: the first one is what _get returns */
	r->kv[r->nkv].key = k;
	r->kv[r->nkv].value = v;
	r->nkv++;
	return 0;
}

/*
 * header-field = "Received-SPF:" [CFWS] result FWS [comment FWS]
 *                [ key-value-list ] CRLF
 * key-value-list = key-value-pair *( ";" [CFWS] key-value-pair ) [";"]
 */
int
mx_received_spf_parse(const char *buf, size_t len, struct mx_received_spf *out)
{
	struct cur c = { .b = buf, .len = buf ? len : 0, .r = out };

	memset(out, 0, sizeof *out);
	if (c.len > RSPF_MAX_LEN) {
		c.len = RSPF_MAX_LEN;
		out->lenient = 1;
	}
	out->kv = calloc(MX_RSPF_MAX_KEYS, sizeof *out->kv);
	if (out->kv == NULL)
		return -1;

	skip_cfws(&c);
	result(&c);
	if (c.nomem)
		return -1;
	if (out->result[0] == '\0')
		out->lenient = 1;
	size_t before = c.pos;
	skip_fws(&c);
	if (c.pos == before && !at_end(&c))
		out->lenient = 1;	/* "pass(comment)": FWS missing */
	if (peek(&c) == '(') {
		size_t s, e;
		comment(&c, &s, &e);
		out->comment = dup_clean(&c, s, e);
		if (c.nomem)
			return -1;
	}
	for (;;) {
		skip_cfws(&c);
		if (at_end(&c))
			break;
		if (peek(&c) == ';') {
			c.pos++;
			continue;
		}
		size_t at = c.pos;
		if (key_value_pair(&c) != 0) {
			out->lenient = 1;	/* junk: skip to the next ';' */
			c.pos = at;
			while (!at_end(&c) && peek(&c) != ';')
				c.pos++;
			continue;
		}
		if (c.nomem)
			return -1;
		/* the grammar wants ";" between pairs */
		skip_cfws(&c);
		if (!at_end(&c) && peek(&c) != ';')
			out->lenient = 1;
	}
	return c.nomem ? -1 : 0;
}

const char *
mx_received_spf_get(const struct mx_received_spf *r, const char *key)
{
	if (r == NULL || key == NULL)
		return NULL;
	for (size_t i = 0; i < r->nkv; i++)
		if (strcmp(r->kv[i].key, key) == 0)
			return r->kv[i].value;
	return NULL;
}

void
mx_received_spf_finish(struct mx_received_spf *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nkv; i++) {
		free(r->kv[i].key);
		free(r->kv[i].value);
	}
	free(r->kv);
	free(r->result);
	free(r->comment);
	memset(r, 0, sizeof *r);
}
