/*
 * received.c - one Received header field.
 *
 * RFC 5321 §4.4 (Time-stamp-line, Stamp, Extended-Domain, TCP-info,
 * Opt-info), RFC 5322 §3.6.7 (received = "Received:" [1*received-token /
 * CFWS] ";" date-time CRLF), RFC 3848 (ESMTPS, ESMTPSA, LMTPS ... protocol
 * words), and the variations real MTAs write, which are documented at the
 * function that copes with each.
 *
 * Strategy: unfold into a private copy, cut it into top-level tokens (words,
 * comments, semicolons), take the date after the last top-level ';' (or
 * find it without one, as SendGrid writes it), split the rest into clauses
 * at the keywords, then read each clause and every comment.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "received.h"

/* A date probe without a ';' reads a few words; comments inside a date are short. */
#define RCVD_MAX_DATE_PROBES 256	/* words tried as a date start when there is no ';' */
/* Longer than the longest IPv6 text with zone and port: anything longer is not an address. */
#define RCVD_MAX_IP_TEXT 64

/* --- small span helpers (no NUL dependence) --- */

static int
ieq(const char *p, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	return n == m && strncasecmp(p, lit, m) == 0;
}

static int
istarts(const char *p, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	return n >= m && strncasecmp(p, lit, m) == 0;
}

/* Case-insensitive search of lit in p[0..n); offset or SIZE_MAX. */
static size_t
ifind(const char *p, size_t n, const char *lit)
{
	size_t m = strlen(lit);
	if (m == 0 || m > n)
		return SIZE_MAX;
	for (size_t i = 0; i + m <= n; i++) {
		if (lc((unsigned char)p[i]) != lc((unsigned char)lit[0]))
			continue;
		if (strncasecmp(p + i, lit, m) == 0)
			return i;
	}
	return SIZE_MAX;
}

/* Strip trailing ',' ';' and a pair of surrounding double quotes. */
static void
trim_punct(const char **p, size_t *n)
{
	while (*n > 0 && ((*p)[*n - 1] == ',' || (*p)[*n - 1] == ';'))
		(*n)--;
	if (*n >= 2 && (*p)[0] == '"' && (*p)[*n - 1] == '"') {
		(*p)++;
		*n -= 2;
	}
}

/* Strip angle brackets (any number: "<<a@b>>") and trailing punctuation. */
static void
trim_angle(const char **p, size_t *n)
{
	trim_punct(p, n);
	while (*n > 0 && (*p)[0] == '<') {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && (*p)[*n - 1] == '>')
		(*n)--;
}

/* --- owned output strings --- */

static int
set_str(char **dst, const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s == NULL)
		return -1;
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	free(*dst);
	*dst = s;
	return 0;
}

/* Copy with every whitespace run collapsed to one space, trimmed (for *_text). */
static int
set_collapsed(char **dst, const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s == NULL)
		return -1;
	size_t k = 0;
	int sp = 0;
	for (size_t i = 0; i < n; i++) {
		if (is_space((unsigned char)p[i])) {
			sp = k > 0;
			continue;
		}
		if (sp)
			s[k++] = ' ';
		sp = 0;
		s[k++] = p[i];
	}
	s[k] = '\0';
	free(*dst);
	*dst = s;
	return 0;
}

/* --- IP addresses (RFC 5321 §4.1.3 address literals, and the bare forms MTAs write) --- */

static int
ip_from_text(const char *p, size_t n, char out[MX_IP_MAX])
{
	char tmp[RCVD_MAX_IP_TEXT];
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, tmp, &a4) == 1)
		return inet_ntop(AF_INET, &a4, out, MX_IP_MAX) ? 0 : -1;
	if (inet_pton(AF_INET6, tmp, &a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {	/* "::ffff:1.2.3.4" is the IPv4 client */
			memcpy(&a4, &a6.s6_addr[12], 4);
			return inet_ntop(AF_INET, &a4, out, MX_IP_MAX) ? 0 : -1;
		}
		return inet_ntop(AF_INET6, &a6, out, MX_IP_MAX) ? 0 : -1;
	}
	return -1;
}

static int
all_digits(const char *p, size_t n)
{
	if (n == 0 || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)p[i]))
			return 0;
	return 1;
}

/*
 * An address with an optional port: "1.2.3.4", "2001:db8::1",
 * "::ffff:1.2.3.4", "1.2.3.4:25" and Exim 3's "1.2.3.4.25".  *port is
 * 1 when a ":port" was removed, 2 for a ".port", 0 for none.
 */
static int
ip_with_port(const char *p, size_t n, char out[MX_IP_MAX], int *port)
{
	*port = 0;
	if (istarts(p, n, "IPv6:")) {
		p += 5;
		n -= 5;
	}
	if (ip_from_text(p, n, out) == 0)
		return 0;
	for (size_t i = n; i-- > 0;) {
		if (p[i] == ':' || p[i] == '.') {
			if (all_digits(p + i + 1, n - i - 1)) {
				struct in_addr a4;
				char tmp[RCVD_MAX_IP_TEXT];
				if (i >= sizeof tmp)
					return -1;
				memcpy(tmp, p, i);
				tmp[i] = '\0';
				if (inet_pton(AF_INET, tmp, &a4) == 1 &&
				    ip_from_text(p, i, out) == 0) {
					*port = p[i] == ':' ? 1 : 2;
					return 0;
				}
			}
			break;
		}
	}
	return -1;
}

struct ipword {
	char ip[MX_IP_MAX];
	int bracketed;		/* "[1.2.3.4]" */
	int port_inside;	/* "[1.2.3.4:25]" (ecelerity) */
	const char *ident;	/* "user@1.2.3.4" (qmail) */
	size_t identn;
};

/* One word that may be an address: "[IP]", "[IP]:port", "[IP:port]", "user@IP", "IP". */
static int
parse_ipword(const char *w, size_t n, struct ipword *iw)
{
	memset(iw, 0, sizeof *iw);
	trim_punct(&w, &n);
	if (n > 0 && w[0] == '[') {
		const char *close = memchr(w, ']', n);
		if (close == NULL)
			return -1;
		size_t in = (size_t)(close - w) - 1;
		size_t rest = n - (size_t)(close - w) - 1;
		if (rest > 0 && !(close[1] == ':' && all_digits(close + 2, rest - 1)))
			return -1;
		int port;
		if (ip_with_port(w + 1, in, iw->ip, &port) != 0)
			return -1;
		iw->bracketed = 1;
		iw->port_inside = port == 1;
		return 0;
	}
	const char *at = NULL;
	for (size_t i = n; i-- > 0;)
		if (w[i] == '@') {
			at = w + i;
			break;
		}
	if (at != NULL) {
		struct ipword sub;
		if (parse_ipword(at + 1, n - (size_t)(at - w) - 1, &sub) != 0)
			return -1;
		*iw = sub;
		iw->ident = w;
		iw->identn = (size_t)(at - w);
		return 0;
	}
	int port;
	return ip_with_port(w, n, iw->ip, &port);
}

/* --- tokens --- */

enum tok_type { T_WORD, T_COMMENT, T_SEMI };

struct tok {
	enum tok_type type;
	size_t off, len;
	int glued;		/* comment written right after a word, no space: "host(1.2.3.4)" */
	int kw;			/* clause keyword index + 1, 0 if not a keyword */
	int skip;		/* part of the date */
};

struct toks {
	struct tok *v;
	size_t n, cap;
};

enum kw {
	KW_NONE, KW_FROM, KW_BY, KW_VIA, KW_WITH, KW_ID, KW_FOR, KW_ENVFROM, KW_TLS, KW_COUNT
};

/* RFC 5321 §4.4 clause keywords, plus "envelope-from" (Haraka, PowerMTA) and "tls" (Exim 4.9x). */
static const char *const kw_names[KW_COUNT] = {
	"", "from", "by", "via", "with", "id", "for", "envelope-from", "tls",
};

static int
keyword(const char *p, size_t n)
{
	for (int k = 1; k < KW_COUNT; k++)
		if (ieq(p, n, kw_names[k]))
			return k;
	return KW_NONE;
}

static int
push(struct toks *t, enum tok_type type, size_t off, size_t len)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 32;
		struct tok *nv = realloc(t->v, nc * sizeof *nv);
		if (nv == NULL)
			return -1;
		t->v = nv;
		t->cap = nc;
	}
	struct tok *k = &t->v[t->n++];
	memset(k, 0, sizeof *k);
	k->type = type;
	k->off = off;
	k->len = len;
	return 0;
}

/*
 * RFC 5322 §3.2.2 comments (nested, quoted-pair) and the words between
 * them.  A word may hold a bracketed literal with spaces ("[XMail 1.20
 * ESMTP Server]").  Unbalanced and over-deep nesting are flagged; nothing
 * recurses, so depth costs nothing.
 */
static int
tokenize(const char *u, size_t n, struct toks *t, unsigned *flags)
{
	size_t i = 0;
	size_t no_close = n;	/* no ']' at or after this offset: avoids rescanning "[[[[" */
	while (i < n) {
		char ch = u[i];
		if (is_space((unsigned char)ch)) {
			i++;
			continue;
		}
		if (ch == '(') {
			size_t s = i;
			int depth = 0;
			while (i < n) {
				char c = u[i++];
				if (c == '\\' && i < n)
					i++;
				else if (c == '(') {
					if (++depth > MX_RECEIVED_MAX_COMMENT_DEPTH)
						*flags |= MX_RCVD_F_DEEP_COMMENT;
				} else if (c == ')' && --depth == 0)
					break;
			}
			if (depth > 0)
				*flags |= MX_RCVD_F_UNBALANCED;
			int glued = t->n > 0 && t->v[t->n - 1].type == T_WORD &&
			    t->v[t->n - 1].off + t->v[t->n - 1].len == s;
			if (push(t, T_COMMENT, s, i - s) != 0)
				return -1;
			t->v[t->n - 1].glued = glued;
			continue;
		}
		if (ch == ';') {
			if (push(t, T_SEMI, i, 1) != 0)
				return -1;
			i++;
			continue;
		}
		if (ch == ')') {
			*flags |= MX_RCVD_F_UNBALANCED;
			i++;
			continue;
		}
		size_t s = i;
		while (i < n && !is_space((unsigned char)u[i]) && u[i] != '(' && u[i] != ')' &&
		    u[i] != ';') {
			if (u[i] == '[') {
				const char *close = i < no_close ? memchr(u + i, ']', n - i) : NULL;
				if (close == NULL) {
					no_close = i;
					*flags |= MX_RCVD_F_UNBALANCED;
					i++;
					continue;
				}
				i = (size_t)(close - u) + 1;
				continue;
			}
			i++;
		}
		if (push(t, T_WORD, s, i - s) != 0)
			return -1;
		t->v[t->n - 1].kw = keyword(u + s, i - s);
	}
	return 0;
}

/* Inside of a comment token: without the outer parentheses. */
static void
comment_inner(const char *u, const struct tok *k, const char **p, size_t *n)
{
	*p = u + k->off + 1;
	*n = k->len > 0 ? k->len - 1 : 0;
	if (*n > 0 && (*p)[*n - 1] == ')')
		(*n)--;
}

/* Next word of a comment's text: split at whitespace and parentheses. */
static int
next_cword(const char *p, size_t n, size_t *i, const char **w, size_t *wn)
{
	while (*i < n && (is_space((unsigned char)p[*i]) || p[*i] == '(' || p[*i] == ')'))
		(*i)++;
	if (*i >= n)
		return 0;
	size_t s = *i;
	while (*i < n && !is_space((unsigned char)p[*i]) && p[*i] != '(' && p[*i] != ')')
		(*i)++;
	*w = p + s;
	*wn = *i - s;
	return 1;
}

/* --- the parse state --- */

struct clause {
	int seen;
	size_t first, end;	/* token range of the first occurrence, keyword excluded */
};

struct ctx {
	char *ubuf;		/* unfolded copy, owned */
	const char *u;		/* the same, read-only */
	size_t n;
	struct toks t;
	struct clause cl[KW_COUNT];
	struct mx_received *out;
	int tls_annot;		/* a TLS annotation was found */
	int oom;
};

static int
ctx_set(struct ctx *x, char **dst, const char *p, size_t n)
{
	if (set_str(dst, p, n) != 0)
		x->oom = 1;
	return 0;
}

/* Words of a clause joined by single spaces, comments left out ("Microsoft SMTP Server"). */
static void
clause_words(struct ctx *x, const struct toks *t, const struct clause *c, char **dst)
{
	if (!c->seen)
		return;
	size_t cap = 0;
	for (size_t i = c->first; i < c->end; i++)
		if (t->v[i].type == T_WORD && !t->v[i].skip)
			cap += t->v[i].len + 1;
	char *s = malloc(cap + 1);
	if (s == NULL) {
		x->oom = 1;
		return;
	}
	size_t k = 0;
	for (size_t i = c->first; i < c->end; i++) {
		const struct tok *w = &t->v[i];
		if (w->type != T_WORD || w->skip)
			continue;
		const char *p = x->u + w->off;
		size_t n = w->len;
		trim_punct(&p, &n);
		if (n == 0)
			continue;
		if (k > 0)
			s[k++] = ' ';
		for (size_t j = 0; j < n; j++)	/* a bracketed word may hold spaces */
			s[k++] = p[j];
	}
	s[k] = '\0';
	free(*dst);
	*dst = s;
}

/* First word of a clause (the Extended-Domain, the queue id, the Path ...). */
static int
clause_first_word(struct ctx *x, const struct clause *c, const char **p, size_t *n)
{
	if (!c->seen)
		return 0;
	for (size_t i = c->first; i < c->end; i++) {
		const struct tok *w = &x->t.v[i];
		if (w->skip || w->type == T_SEMI)
			continue;
		if (w->type != T_WORD)
			return 0;
		*p = x->u + w->off;
		*n = w->len;
		return 1;
	}
	return 0;
}

/* The clause as written, comments included, whitespace collapsed (for display). */
static void
clause_text(struct ctx *x, const struct clause *c, char **dst)
{
	if (!c->seen)
		return;
	size_t s = SIZE_MAX, e = 0;
	for (size_t i = c->first; i < c->end; i++) {
		const struct tok *w = &x->t.v[i];
		if (w->skip || w->type == T_SEMI)
			continue;
		if (s == SIZE_MAX)
			s = w->off;
		e = w->off + w->len;
	}
	if (s == SIZE_MAX)
		return;
	const char *p = x->u + s;
	size_t n = e - s;
	while (n > 0 && (p[n - 1] == ',' || p[n - 1] == ';'))
		n--;
	if (set_collapsed(dst, p, n) != 0)
		x->oom = 1;
}

/* --- clauses --- */

/*
 * Split the tokens into clauses at the keywords.  The first occurrence of
 * each keyword is kept; a repeat is flagged, except XMail's second "from
 * <sender>", which states the envelope sender.
 */
static void
split_clauses(struct ctx *x)
{
	int cur = KW_NONE;
	for (size_t i = 0; i < x->t.n; i++) {
		struct tok *k = &x->t.v[i];
		if (k->skip) {
			cur = KW_NONE;
			continue;
		}
		if (k->type == T_WORD && k->kw != KW_NONE) {
			int kw = k->kw;
			if (x->cl[kw].seen) {
				if (kw == KW_FROM && i + 1 < x->t.n && x->t.v[i + 1].type == T_WORD &&
				    x->u[x->t.v[i + 1].off] == '<') {
					const char *p = x->u + x->t.v[i + 1].off;
					size_t n = x->t.v[i + 1].len;
					trim_angle(&p, &n);
					if (x->out->envelope_from[0] == '\0')
						ctx_set(x, &x->out->envelope_from, p, n);
				} else
					x->out->flags |= MX_RCVD_F_DUP_CLAUSE;
				cur = KW_COUNT;	/* swallow the repeat */
				continue;
			}
			x->cl[kw].seen = 1;
			x->cl[kw].first = x->cl[kw].end = i + 1;
			cur = kw;
			continue;
		}
		if (cur != KW_NONE && cur != KW_COUNT)
			x->cl[cur].end = i + 1;
		else if (cur == KW_NONE) {
			x->cl[KW_NONE].seen = 1;
			if (x->cl[KW_NONE].end == 0)
				x->cl[KW_NONE].first = i;
			x->cl[KW_NONE].end = i + 1;
		}
	}
}

/* --- the date --- */

static int
is_date_start(const char *p, size_t n)
{
	static const char *const names[] = {
		"mon", "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar",
		"apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
	};
	if (n == 0)
		return 0;
	if (is_digit((unsigned char)p[0]))
		return 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (istarts(p, n, names[i]))
			return 1;
	return 0;
}

static void
mark_date(struct ctx *x, size_t from_off, size_t to_off)
{
	for (size_t i = 0; i < x->t.n; i++) {
		struct tok *k = &x->t.v[i];
		if (k->off >= from_off && k->off < to_off)
			k->skip = 1;
	}
}

/*
 * RFC 5322 §3.6.7: the date-time follows the last ';'.  Without one,
 * SendGrid ("... id X 2018-04-22 02:54:17.028704749 +0000 UTC") and some
 * others put it last anyway: take the first word that starts a date with a
 * time of day and is not the value of a keyword.
 */
static void
find_date(struct ctx *x)
{
	struct mx_received *r = x->out;
	size_t semi = SIZE_MAX;
	for (size_t i = 0; i < x->t.n; i++)
		if (x->t.v[i].type == T_SEMI)
			semi = i;
	size_t used;
	if (semi != SIZE_MAX) {
		size_t off = x->t.v[semi].off + 1;
		x->t.v[semi].skip = 1;
		if (mx_datetime_parse_prefix(x->u + off, x->n - off, &r->date, &used) == 0) {
			r->has_date = 1;
			mark_date(x, off, off + used);
			return;
		}
		/* Text after the ';' that is not a date. */
		r->flags |= MX_RCVD_F_NO_DATE;
		for (size_t i = semi + 1; i < x->t.n; i++)
			if (x->t.v[i].type != T_COMMENT)
				r->flags |= MX_RCVD_F_BAD_DATE;
		return;
	}
	r->flags |= MX_RCVD_F_NO_SEMICOLON;
	int probes = 0;
	for (size_t i = 0; i < x->t.n && probes < RCVD_MAX_DATE_PROBES; i++) {
		const struct tok *k = &x->t.v[i];
		if (k->type != T_WORD || k->kw != KW_NONE)
			continue;
		if (i > 0 && x->t.v[i - 1].type == T_WORD && x->t.v[i - 1].kw != KW_NONE)
			continue;
		if (!is_date_start(x->u + k->off, k->len))
			continue;
		probes++;
		struct mx_datetime d;
		if (mx_datetime_parse_prefix(x->u + k->off, x->n - k->off, &d, &used) == 0 &&
		    !(d.flags & MX_DT_NO_TIME)) {
			r->date = d;
			r->has_date = 1;
			mark_date(x, k->off, k->off + used);
			return;
		}
	}
	r->flags |= MX_RCVD_F_NO_DATE;
}

/* --- comments: TLS, auth, envelope sender, forged --- */

/*
 * "TLS1_3", "TLS1.3", "TLSv1.3", "TLSv1_3", "TLS-1.0", "TLSv1/SSLv3",
 * "SSLv3" -> "TLSv1.3" ... "TLSv1", "SSLv3"; anything else as written.
 */
static void
set_tls_version(struct ctx *x, const char *p, size_t n)
{
	trim_punct(&p, &n);
	if (x->out->tls_version[0] != '\0' || n == 0)
		return;
	static const char *const norm[] = { "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" };
	if (istarts(p, n, "SSLv3") || ieq(p, n, "SSL3")) {
		ctx_set(x, &x->out->tls_version, "SSLv3", 5);
		return;
	}
	if (istarts(p, n, "TLS")) {
		size_t i = 3;
		if (i < n && (p[i] == 'v' || p[i] == 'V'))
			i++;
		if (i < n && (p[i] == '-' || p[i] == '_'))
			i++;
		if (i < n && p[i] == '1') {
			i++;
			int minor = 0;
			if (i + 1 < n && (p[i] == '.' || p[i] == '_' || p[i] == '-') &&
			    p[i + 1] >= '0' && p[i + 1] <= '3') {
				minor = p[i + 1] - '0';
				i += 2;
			}
			if (i == n || p[i] == '/' || p[i] == ':' || p[i] == ',') {
				const char *s = norm[minor];
				ctx_set(x, &x->out->tls_version, s, strlen(s));
				return;
			}
		}
	}
	ctx_set(x, &x->out->tls_version, p, n);
}

static void
set_tls_cipher(struct ctx *x, const char *p, size_t n)
{
	trim_punct(&p, &n);
	if (x->out->tls_cipher[0] == '\0' && n > 0)
		ctx_set(x, &x->out->tls_cipher, p, n);
}

static void
tls_found(struct ctx *x, const char *evid, size_t n)
{
	if (!x->tls_annot) {
		x->tls_annot = 1;
		if (set_collapsed(&x->out->tls_evidence, evid, n) != 0)
			x->oom = 1;
	}
}

/* "key=value" inside a comment: the value, up to space, ',' or ')'. */
static int
kv_value(const char *p, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t at = ifind(p, n, key);
	if (at == SIZE_MAX)
		return 0;
	if (at > 0 && !is_space((unsigned char)p[at - 1]) && p[at - 1] != '(' && p[at - 1] != ',')
		return 0;
	size_t s = at + strlen(key), e = s;
	while (e < n && !is_space((unsigned char)p[e]) && p[e] != ',' && p[e] != ')')
		e++;
	*v = p + s;
	*vn = e - s;
	return e > s;
}

/*
 * TLS annotations MTAs put in comments:
 *   Google/Microsoft/Sendmail/Haraka: "version=TLS1_3 cipher=X bits=256/256"
 *   Postfix: "using TLSv1.3 with cipher X (256/256 bits) ..."
 *   Exim <= 4.8x: "TLSv1:AES256-SHA:256", "TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256"
 *   Exim >= 4.9x: "(TLS1.3)" before "tls X"
 *   qmail TLS patch: "(DHE-RSA-AES256-SHA encrypted)"
 *   Courier and others: "SSL: TLSv1/SSLv3,128bits,RC4-MD5", "TLS: ..."
 */
static void
scan_tls(struct ctx *x, const struct tok *k)
{
	const char *p, *v;
	size_t n, vn;
	comment_inner(x->u, k, &p, &n);
	int hit = 0;
	if (kv_value(p, n, "version=", &v, &vn) &&
	    (istarts(v, vn, "TLS") || istarts(v, vn, "SSL"))) {
		set_tls_version(x, v, vn);
		hit = 1;
	}
	if (kv_value(p, n, "cipher=", &v, &vn)) {
		set_tls_cipher(x, v, vn);
		hit = 1;
	}
	size_t at = ifind(p, n, "using ");
	if (!hit && at != SIZE_MAX) {
		size_t i = at + 6;
		const char *w;
		size_t wn;
		if (next_cword(p, n, &i, &w, &wn) && (istarts(w, wn, "TLS") || istarts(w, wn, "SSL"))) {
			set_tls_version(x, w, wn);
			size_t c = ifind(p + i, n - i, "with cipher ");
			if (c != SIZE_MAX) {
				size_t j = i + c + 12;
				if (next_cword(p, n, &j, &w, &wn))
					set_tls_cipher(x, w, wn);
			}
			hit = 1;
		}
	}
	size_t i = 0;
	const char *w1, *w2;
	size_t n1, n2;
	if (!hit && next_cword(p, n, &i, &w1, &n1)) {
		int more = next_cword(p, n, &i, &w2, &n2);
		const char *colon = memchr(w1, ':', n1);
		if (!more && (istarts(w1, n1, "TLS") || istarts(w1, n1, "SSL"))) {
			if (colon != NULL) {	/* old Exim "TLSv1:AES256-SHA:256" */
				size_t vlen = (size_t)(colon - w1);
				const char *c2 = memchr(colon + 1, ':', n1 - vlen - 1);
				set_tls_version(x, w1, vlen);
				set_tls_cipher(x, colon + 1,
				    c2 ? (size_t)(c2 - colon - 1) : n1 - vlen - 1);
				hit = 1;
			} else if (n1 <= 8 && n1 >= 4 && is_digit((unsigned char)w1[n1 - 1])) {
				set_tls_version(x, w1, n1);	/* Exim 4.9x "(TLS1.3)" */
				hit = 1;
			}
		} else if (more && ieq(w2, n2, "encrypted") && !next_cword(p, n, &i, &w2, &n2)) {
			set_tls_cipher(x, w1, n1);
			hit = 1;
		}
	}
	if (!hit) {
		size_t s = ifind(p, n, "SSL: ");
		if (s == SIZE_MAX)
			s = ifind(p, n, "TLS: ");
		if (s != SIZE_MAX) {
			const char *q = p + s + 5;
			size_t qn = n - s - 5, e = 0;
			while (e < qn && q[e] != ',' && !is_space((unsigned char)q[e]))
				e++;
			set_tls_version(x, q, e);
			/* "...,128bits,CIPHER": the cipher is the last comma field. */
			size_t end = e;
			while (end < qn && !is_space((unsigned char)q[end]) && q[end] != ')')
				end++;
			size_t last = end;
			while (last > e && q[last - 1] != ',')
				last--;
			if (last > e)
				set_tls_cipher(x, q + last, end - last);
			hit = 1;
		}
	}
	if (hit)
		tls_found(x, x->u + k->off, k->len);
}

static void
scan_comment(struct ctx *x, const struct tok *k)
{
	struct mx_received *r = x->out;
	const char *p;
	size_t n;
	comment_inner(x->u, k, &p, &n);
	scan_tls(x, k);
	if (ifind(p, n, "may be forged") != SIZE_MAX)
		r->flags |= MX_RCVD_F_MAY_BE_FORGED;
	size_t a = ifind(p, n, "authenticated");
	if ((a != SIZE_MAX && !(a >= 2 && strncasecmp(p + a - 2, "un", 2) == 0)) ||
	    ifind(p, n, "AUTH:") != SIZE_MAX)
		r->auth = 1;
	size_t i = 0;
	const char *w;
	size_t wn;
	while (next_cword(p, n, &i, &w, &wn)) {
		trim_punct(&w, &wn);
		if ((ieq(w, wn, "envelope-from") || ieq(w, wn, "envelope-sender")) &&
		    next_cword(p, n, &i, &w, &wn)) {
			trim_angle(&w, &wn);
			if (r->envelope_from[0] == '\0' && wn > 0)
				ctx_set(x, &r->envelope_from, w, wn);
		}
	}
}

/* --- the from clause: HELO, reverse DNS, IP, ident --- */

enum w0_kind { W0_NONE, W0_HOST, W0_LITERAL_IP, W0_LITERAL_OTHER, W0_BARE_IP, W0_OTHER };

struct fromscan {
	const char *w0;
	size_t w0n;
	enum w0_kind w0k;
	char w0_ip[MX_IP_MAX];
	int has_helo;		/* HELO stated explicitly: "(HELO x)", "helo=x", "claiming to be" */
	const char *helo;
	size_t helon;
	char ip[MX_IP_MAX];
	int ip_src;		/* 0 none, 1 comment, 2 word after W0, 3 W0 itself */
	int ip_plain;		/* in a comment without brackets: "(1.2.3.4)" (qmail, Exchange) */
	int port_inside;	/* "[1.2.3.4:25]" (ecelerity) */
	const char *rdns;	/* "(RDNS [IP])" */
	size_t rdnsn;
	int unverified, verified;
	const char *exim3;	/* Exim 3 "rdns (helo) [ip]": a comment holding one host name */
	size_t exim3n;
	int glued;		/* "rdns(1.2.3.4)": TIS/Obtuse smtpd */
	const char *ident;
	size_t identn;
};

static int
is_rdns_word(const char *w, size_t n)
{
	static const char *const not_names[] = {
		"unknown", "softdnserr", "helo", "ehlo", "lhlo", "account", "may", "verified",
		"unverified", "authenticated",
	};
	if (n == 0 || memchr(w, '@', n) || memchr(w, '=', n) || w[0] == '[' || w[0] == '<')
		return 0;
	for (size_t i = 0; i < sizeof not_names / sizeof not_names[0]; i++)
		if (ieq(w, n, not_names[i]))
			return 0;
	return 1;
}

static void
from_comment(struct ctx *x, const struct tok *k, struct fromscan *f)
{
	const char *p, *w, *prev = NULL;
	size_t n, wn, prevn = 0, i = 0;
	comment_inner(x->u, k, &p, &n);
	int words = 0, ips = 0, other = 0;
	const char *one = NULL;
	size_t onen = 0;
	while (next_cword(p, n, &i, &w, &wn)) {
		words++;
		trim_punct(&w, &wn);
		struct ipword iw;
		if (ieq(w, wn, "HELO") || ieq(w, wn, "EHLO") || ieq(w, wn, "LHLO")) {
			size_t save = i;
			const char *h;
			size_t hn;
			/* "(HELO )": an empty HELO argument */
			if (!next_cword(p, n, &i, &h, &hn)) {
				h = w;
				hn = 0;
				i = save;
			}
			if (!f->has_helo) {
				f->has_helo = 1;
				f->helo = h;
				f->helon = hn;
			}
			other = 1;
			prev = NULL;
			continue;
		}
		if (istarts(w, wn, "helo=")) {
			if (!f->has_helo) {
				f->has_helo = 1;
				f->helo = w + 5;
				f->helon = wn - 5;
			}
			other = 1;
			prev = NULL;
			continue;
		}
		if (ieq(w, wn, "account")) {	/* CommuniGate: "(account user@dom ...)" */
			const char *h;
			size_t hn;
			next_cword(p, n, &i, &h, &hn);
			other = 1;
			prev = NULL;
			continue;
		}
		if (parse_ipword(w, wn, &iw) == 0) {
			ips++;
			if (f->ip_src == 0) {
				memcpy(f->ip, iw.ip, MX_IP_MAX);
				f->ip_src = 1;
				f->ip_plain = !iw.bracketed;
				f->port_inside = iw.port_inside;
				if (iw.ident != NULL) {
					f->ident = iw.ident;
					f->identn = iw.identn;
				}
				if (iw.bracketed && prev != NULL) {
					if (is_rdns_word(prev, prevn)) {
						f->rdns = prev;
						f->rdnsn = prevn;
					} else if (ieq(prev, prevn, "unknown") ||
					    ieq(prev, prevn, "softdnserr"))
						f->unverified = 1;
				}
			}
			prev = NULL;
			continue;
		}
		if (ieq(w, wn, "verified"))
			f->verified = 1;
		else if (ieq(w, wn, "unverified") || ieq(w, wn, "failed"))
			f->unverified = 1;
		if (words == 1) {
			one = w;
			onen = wn;
		}
		prev = w;
		prevn = wn;
	}
	if (words == 1 && ips == 0 && !other && one != NULL && f->exim3 == NULL &&
	    memchr(one, '.', onen) && is_rdns_word(one, onen)) {
		f->exim3 = one;
		f->exim3n = onen;
	}
}

static int
is_http(struct ctx *x)
{
	const struct mx_received *r = x->out;
	if (istarts(r->protocol, strlen(r->protocol), "HTTP") ||
	    istarts(r->via, strlen(r->via), "HTTP"))
		return 1;
	return ifind(r->by_text, strlen(r->by_text), "via HTTP") != SIZE_MAX;
}

/*
 * What the receiver recorded about the client, from the forms MTAs write:
 *   Postfix, Sendmail, Google:  from HELO (RDNS [IP])   "(unknown [IP])", "([IP])"
 *   Microsoft:                  from HELO (IP)           "from HELO ([IP])"
 *   Exim:                       from RDNS ([IP]:port helo=HELO)   helo= absent when equal
 *                               from [IP] (helo=HELO)    Exim 3: from RDNS (HELO) [IP]
 *   qmail:                      from RDNS (HELO x) (user@IP)
 *   CommuniGate:                from [IP] (HELO x)       from RDNS ([IP] verified)
 *   ecelerity:                  from RDNS ([IP:port] helo=HELO)
 *   TIS smtpd:                  from RDNS(IP), claiming to be "HELO"
 * A bare IP outside is the peer address (HELO literals are bracketed); no
 * HELO is stated for HTTP (webmail).
 */
static void
analyse_from(struct ctx *x, const struct toks *t, size_t a, size_t b, int exim)
{
	struct mx_received *r = x->out;
	struct fromscan f;
	memset(&f, 0, sizeof f);
	size_t i = a;
	while (i < b && t->v[i].skip)
		i++;
	if (i < b && t->v[i].type == T_WORD) {
		f.w0 = x->u + t->v[i].off;
		f.w0n = t->v[i].len;
		trim_punct(&f.w0, &f.w0n);
		struct ipword iw;
		if (f.w0n > 0 && f.w0[0] == '[')
			f.w0k = parse_ipword(f.w0, f.w0n, &iw) == 0 ? W0_LITERAL_IP : W0_LITERAL_OTHER;
		else if (parse_ipword(f.w0, f.w0n, &iw) == 0 && iw.ident == NULL)
			f.w0k = W0_BARE_IP;
		else if (f.w0n == 0 || memchr(f.w0, '@', f.w0n) || f.w0[0] == '<')
			f.w0k = W0_OTHER;
		else
			f.w0k = W0_HOST;
		if (f.w0k == W0_LITERAL_IP || f.w0k == W0_BARE_IP)
			memcpy(f.w0_ip, iw.ip, MX_IP_MAX);
		i++;
	}
	for (; i < b; i++) {
		const struct tok *k = &t->v[i];
		if (k->skip)
			continue;
		if (k->type == T_COMMENT) {
			if (k->glued && f.w0 != NULL && i > a && i == a + 1)
				f.glued = 1;
			from_comment(x, k, &f);
		} else if (k->type == T_WORD) {
			const char *w = x->u + k->off;
			size_t wn = k->len;
			struct ipword iw;
			if (wn > 0 && w[0] == '[' && f.ip_src == 0 && parse_ipword(w, wn, &iw) == 0) {
				memcpy(f.ip, iw.ip, MX_IP_MAX);
				f.ip_src = 2;
			} else if (ieq(w, wn, "claiming") && i + 3 < b &&
			    ieq(x->u + t->v[i + 1].off, t->v[i + 1].len, "to") &&
			    ieq(x->u + t->v[i + 2].off, t->v[i + 2].len, "be") && !f.has_helo) {
				f.has_helo = 1;
				f.helo = x->u + t->v[i + 3].off;
				f.helon = t->v[i + 3].len;
				trim_punct(&f.helo, &f.helon);
				i += 3;
			}
		}
	}
	if (f.ip_src == 0 && (f.w0k == W0_LITERAL_IP || f.w0k == W0_BARE_IP)) {
		memcpy(f.ip, f.w0_ip, MX_IP_MAX);
		f.ip_src = 3;
	}
	memcpy(r->from_ip, f.ip, MX_IP_MAX);
	if (f.ident != NULL)
		ctx_set(x, &r->ident, f.ident, f.identn);

	/* HELO */
	if (f.has_helo)
		ctx_set(x, &r->helo, f.helo, f.helon);
	else if (f.w0 == NULL || f.glued || f.port_inside)
		;
	else if (f.exim3 != NULL)
		ctx_set(x, &r->helo, f.exim3, f.exim3n);
	else if (f.w0k == W0_BARE_IP && f.ip_src == 3)
		;
	else if (is_http(x))
		;
	else
		ctx_set(x, &r->helo, f.w0, f.w0n);

	/* reverse DNS */
	int w0_name = f.w0k == W0_HOST && !ieq(f.w0, f.w0n, "unknown");
	if (f.rdns != NULL)
		ctx_set(x, &r->rdns, f.rdns, f.rdnsn);
	else if (w0_name && (f.has_helo || f.glued || f.port_inside || exim || f.verified ||
	    f.exim3 != NULL))
		ctx_set(x, &r->rdns, f.w0, f.w0n);
	else if (w0_name && f.ip_plain && memchr(f.w0, '.', f.w0n) &&
	    ifind(r->with_text, strlen(r->with_text), "Microsoft") == SIZE_MAX)
		ctx_set(x, &r->rdns, f.w0, f.w0n);	/* qmail: "from RDNS (IP)" */
	if (f.unverified || (f.w0k == W0_HOST && ieq(f.w0, f.w0n, "unknown") && f.ip_src != 0))
		r->flags |= MX_RCVD_F_RDNS_UNVERIFIED;
}

/* --- protocol, TLS, kind --- */

/* RFC 3848 §2-§4 (and RFC 6531 §3.3 UTF8 forms): the S means TLS, the A means AUTH. */
static const char *const proto_tls[] = {
	"ESMTPS", "ESMTPSA", "LMTPS", "LMTPSA", "SMTPS", "UTF8SMTPS", "UTF8SMTPSA",
	"UTF8LMTPS", "UTF8LMTPSA", "HTTPS",
};
static const char *const proto_plain[] = {
	"SMTP", "ESMTP", "ESMTPA", "LMTP", "LMTPA", "UTF8SMTP", "UTF8SMTPA", "UTF8LMTP",
	"UTF8LMTPA",
};

static int
in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static void
decide_tls(struct ctx *x)
{
	struct mx_received *r = x->out;
	if (x->tls_annot) {
		r->tls = MX_TLS_YES;
		return;
	}
	const char *p = r->protocol;
	char ev[64];
	size_t pn = strlen(p);
	if (pn == 0 || pn + 6 > sizeof ev)
		return;
	int yes = in_list(p, proto_tls, sizeof proto_tls / sizeof proto_tls[0]);
	int no = in_list(p, proto_plain, sizeof proto_plain / sizeof proto_plain[0]);
	if (!yes && !no)
		return;
	r->tls = yes ? MX_TLS_YES : MX_TLS_NO;
	memcpy(ev, "with ", 5);
	memcpy(ev + 5, p, pn + 1);
	ctx_set(x, &r->tls_evidence, ev, pn + 5);
}

static void
decide_auth(struct ctx *x)
{
	const char *p = x->out->protocol;
	size_t n = strlen(p);
	/* RFC 3848: ESMTPA, ESMTPSA, LMTPA ...; Exim's "asmtp" is the same. */
	if ((n >= 5 && (p[n - 1] == 'A' || p[n - 1] == 'a') && !memchr(p, ' ', n) &&
	    (ifind(p, n, "SMTP") != SIZE_MAX || ifind(p, n, "LMTP") != SIZE_MAX)) ||
	    ieq(p, n, "asmtp"))
		x->out->auth = 1;
}

static int
leading_comment_says(struct ctx *x, const char *what)
{
	const struct clause *c = &x->cl[KW_NONE];
	if (!c->seen)
		return 0;
	for (size_t i = c->first; i < c->end; i++) {
		const struct tok *k = &x->t.v[i];
		if (k->type == T_COMMENT && !k->skip &&
		    ifind(x->u + k->off, k->len, what) != SIZE_MAX)
			return 1;
	}
	return 0;
}

/*
 * RELAY: a client on the network.  LOCAL: no network client: no from
 * clause (Postfix "(Postfix, from userid N)", Gmail's internal "by IPv6
 * with SMTP"), qmail "invoked by uid" / "invoked from network", pickup
 * services, fetchmail/IMAP/POP retrieval, scanners re-injecting, the host
 * talking to itself ("from localhost ... by localhost").
 */
static void
decide_kind(struct ctx *x, int has_from, const char *w0, size_t w0n)
{
	struct mx_received *r = x->out;
	const char *p = r->protocol;
	size_t pn = strlen(p);
	int local = 0;
	if (istarts(p, pn, "IMAP") || istarts(p, pn, "POP") || istarts(p, pn, "qmail-scanner") ||
	    ieq(p, pn, "local") || ieq(p, pn, "spool") || ieq(p, pn, "pickup") ||
	    ifind(r->with_text, strlen(r->with_text), "fetchmail") != SIZE_MAX)
		local = 1;
	if (istarts(r->from_text, strlen(r->from_text), "mail pickup service"))
		local = 1;
	if (has_from && w0 != NULL && ieq(w0, w0n, "localhost") &&
	    (r->from_ip[0] == '\0' || ieq(r->by_host, strlen(r->by_host), "localhost")))
		local = 1;
	/* "from sims-ms-daemon", "from conversion-daemon.host": the MTA's own daemons */
	if (has_from && r->from_ip[0] == '\0' && w0 != NULL && ifind(w0, w0n, "-daemon") != SIZE_MAX)
		local = 1;
	if (has_from && r->from_ip[0] == '\0' && w0 != NULL &&
	    (memchr(w0, '@', w0n) || (w0n > 0 && w0[0] == '<') ||
	    (r->by_host[0] != '\0' && ieq(w0, w0n, r->by_host))))
		local = 1;
	if (!has_from && r->from_ip[0] == '\0') {
		if (x->cl[KW_BY].seen || x->cl[KW_WITH].seen || x->cl[KW_ID].seen ||
		    leading_comment_says(x, "invoked"))
			r->kind = MX_RCVD_LOCAL;
		else
			r->kind = MX_RCVD_UNPARSED;
		return;
	}
	if (local)
		r->kind = MX_RCVD_LOCAL;
	else if (r->from_ip[0] != '\0' || (w0 != NULL && w0n > 0))
		r->kind = MX_RCVD_RELAY;
	else
		r->kind = MX_RCVD_UNPARSED;
}

/* --- top level --- */

/*
 * RFC 5322 §2.2.3 unfolding (CRLF/LF + WSP -> the WSP), plus: any other
 * control byte, NUL included, becomes a space and is flagged.
 */
static char *
unfold(const char *buf, size_t len, size_t *outn, unsigned *flags)
{
	if (len > MX_RECEIVED_MAX_LEN) {
		len = MX_RECEIVED_MAX_LEN;
		*flags |= MX_RCVD_F_TRUNCATED;
	}
	char *u = malloc(len + 1);
	if (u == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];
		if (ch == '\r' || ch == '\n' || ch == '\t')
			ch = ' ';
		else if (ch < 0x20 || ch == 0x7f) {
			ch = ' ';
			*flags |= MX_RCVD_F_NUL;
		}
		u[i] = (char)ch;
	}
	u[len] = '\0';
	*outn = len;
	return u;
}

static int
init_strings(struct mx_received *r)
{
	char **s[] = { &r->helo, &r->rdns, &r->ident, &r->by_host, &r->via,
	    &r->protocol, &r->id, &r->for_addr, &r->envelope_from, &r->from_text,
	    &r->by_text, &r->with_text, &r->tls_version, &r->tls_cipher, &r->tls_evidence };
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		if ((*s[i] = calloc(1, 1)) == NULL)
			return -1;
	return 0;
}

static void
first_word_to(struct ctx *x, int kw, char **dst, int angle)
{
	const char *p;
	size_t n;
	if (!clause_first_word(x, &x->cl[kw], &p, &n))
		return;
	if (angle)
		trim_angle(&p, &n);
	else
		trim_punct(&p, &n);
	ctx_set(x, dst, p, n);
}

/*
 * When there is no from clause but a leading comment reads "(from HOST
 * [IP])" (Norton AntiVirus gateway), read that comment as the from clause.
 */
static int
leading_from_comment(struct ctx *x, int exim)
{
	const struct clause *c = &x->cl[KW_NONE];
	if (!c->seen || x->cl[KW_FROM].seen)
		return 0;
	for (size_t i = c->first; i < c->end; i++) {
		const struct tok *k = &x->t.v[i];
		if (k->type != T_COMMENT || k->skip)
			continue;
		const char *p;
		size_t n;
		comment_inner(x->u, k, &p, &n);
		if (!istarts(p, n, "from "))
			return 0;
		/* Tokenize the inside as its own field, offsets relative to x->u. */
		struct toks sub = { NULL, 0, 0 };
		unsigned fl = 0;
		size_t base = (size_t)(p - x->u);
		if (tokenize(p, n, &sub, &fl) != 0) {
			free(sub.v);
			x->oom = 1;
			return 0;
		}
		for (size_t j = 0; j < sub.n; j++)
			sub.v[j].off += base;
		if (sub.n > 1) {
			analyse_from(x, &sub, 1, sub.n, exim);
			if (set_collapsed(&x->out->from_text, p + 5, n - 5) != 0)
				x->oom = 1;
		}
		free(sub.v);
		return 1;
	}
	return 0;
}

int
mx_received_parse(const char *buf, size_t len, struct mx_received *out)
{
	struct ctx x;
	memset(&x, 0, sizeof x);
	memset(out, 0, sizeof *out);
	out->kind = MX_RCVD_UNPARSED;
	out->tls = MX_TLS_UNKNOWN;
	x.out = out;
	if (init_strings(out) != 0)
		goto fail;
	if (buf == NULL)
		len = 0;
	x.ubuf = unfold(buf ? buf : "", len, &x.n, &out->flags);
	if (x.ubuf == NULL)
		goto fail;
	x.u = x.ubuf;
	if (tokenize(x.u, x.n, &x.t, &out->flags) != 0)
		goto fail_toks;
	find_date(&x);
	split_clauses(&x);

	/* Every comment, wherever it is: TLS, auth, envelope sender, forged. */
	for (size_t i = 0; i < x.t.n; i++)
		if (x.t.v[i].type == T_COMMENT)
			scan_comment(&x, &x.t.v[i]);

	clause_words(&x, &x.t, &x.cl[KW_WITH], &out->protocol);
	clause_words(&x, &x.t, &x.cl[KW_VIA], &out->via);
	clause_text(&x, &x.cl[KW_FROM], &out->from_text);
	clause_text(&x, &x.cl[KW_BY], &out->by_text);
	clause_text(&x, &x.cl[KW_WITH], &out->with_text);
	first_word_to(&x, KW_BY, &out->by_host, 0);
	first_word_to(&x, KW_ID, &out->id, 1);
	first_word_to(&x, KW_FOR, &out->for_addr, 1);
	if (out->envelope_from[0] == '\0')
		first_word_to(&x, KW_ENVFROM, &out->envelope_from, 1);

	/* Exim 4.9x: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384" */
	const char *p;
	size_t n;
	if (clause_first_word(&x, &x.cl[KW_TLS], &p, &n)) {
		set_tls_cipher(&x, p, n);
		size_t s = x.t.v[x.cl[KW_TLS].first - 1].off;
		tls_found(&x, x.u + s, (size_t)(p - x.u) + n - s);
	}

	int exim = ifind(x.u, x.n, "(Exim ") != SIZE_MAX;
	const char *w0 = NULL;
	size_t w0n = 0;
	int has_from = 0;
	if (x.cl[KW_FROM].seen) {
		has_from = 1;
		analyse_from(&x, &x.t, x.cl[KW_FROM].first, x.cl[KW_FROM].end, exim);
		clause_first_word(&x, &x.cl[KW_FROM], &w0, &w0n);
	} else if (leading_from_comment(&x, exim))
		has_from = out->from_ip[0] != '\0' || out->helo[0] != '\0';

	decide_tls(&x);
	decide_auth(&x);
	decide_kind(&x, has_from, w0, w0n);
	if (out->has_date && (out->date.flags & (MX_DT_NONSTANDARD | MX_DT_NO_ZONE |
	    MX_DT_BAD_WEEKDAY | MX_DT_NO_TIME)))
		out->flags |= MX_RCVD_F_BAD_DATE;
	if (x.oom)
		goto fail_toks;
	free(x.t.v);
	free(x.ubuf);
	return 0;

fail_toks:
	free(x.t.v);
	free(x.ubuf);
fail:
	/* Out of memory: leave the documented empty result where possible. */
	mx_received_finish(out);
	if (init_strings(out) != 0)
		mx_received_finish(out);
	return -1;
}

void
mx_received_finish(struct mx_received *r)
{
	char **s[] = { &r->helo, &r->rdns, &r->ident, &r->by_host, &r->via,
	    &r->protocol, &r->id, &r->for_addr, &r->envelope_from, &r->from_text,
	    &r->by_text, &r->with_text, &r->tls_version, &r->tls_cipher, &r->tls_evidence };
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
}
