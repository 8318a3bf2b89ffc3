/*
 * dkim_canon.c - DKIM canonicalization, RFC 6376 §3.4.
 *
 * Headers are canonicalized one field at a time into a caller buffer.  The
 * body is a byte-at-a-time state machine (runs of ordinary bytes are passed
 * on in one call), so it accepts the body in chunks of any size and takes
 * time linear in the input whatever it holds: whitespace runs and empty
 * lines are counted, never buffered or rescanned (mailauth's relaxed body
 * regex went quadratic on a long whitespace run).
 *
 * Line ends: CRLF, and a bare LF is a line end too (mbox and Unix .eml
 * files; dkimpy's rfc822_parse does the same).  A CR not followed by LF is
 * an ordinary byte.
 */
#include <stdint.h>
#include <string.h>

#include "ascii.h"
#include "dkim_canon.h"

/* ---- header output: into a caller buffer, or through emit in batches ---- */

/* Bytes gathered before each emit call of mx_canon_header_emit(). */
#define HOUT_BATCH 512

struct hout {
	char *dst;		/* buffer mode, or NULL */
	size_t o;		/* bytes written (buffer mode) or gathered (emit mode) */
	size_t count;		/* bytes output in all */
	mx_canon_emit emit;
	void *ctx;
	char tmp[HOUT_BATCH];
};

static void
hflush(struct hout *h)
{
	if (h->dst == NULL && h->o) {
		if (h->emit)
			h->emit(h->ctx, h->tmp, h->o);
		h->o = 0;
	}
}

static void
hput(struct hout *h, const char *p, size_t n)
{
	h->count += n;
	if (h->dst) {
		memcpy(h->dst + h->o, p, n);
		h->o += n;
		return;
	}
	while (n > 0) {
		if (h->o == HOUT_BATCH)
			hflush(h);
		size_t m = HOUT_BATCH - h->o < n ? HOUT_BATCH - h->o : n;
		memcpy(h->tmp + h->o, p, m);
		h->o += m;
		p += m;
		n -= m;
	}
}

static void
hputc(struct hout *h, char ch)
{
	hput(h, &ch, 1);
}

/* ---- RFC 6376 §3.4.1: "simple" header canonicalization ---- */

/*
 * "The "simple" header canonicalization algorithm does not change header
 * fields in any way."  The field's final line end is written as CRLF
 * (added when missing, a bare LF made CRLF), or left out with skip_crlf.
 * lf_crlf: every bare LF inside is a line end written as CRLF too (the
 * field was signed with CRLF and saved with Unix line ends).
 */
static void
header_simple(struct hout *h, const char *raw, size_t len, int skip_crlf, int lf_crlf)
{
	size_t body = len;
	if (body >= 2 && raw[body - 2] == '\r' && raw[body - 1] == '\n')
		body -= 2;
	else if (body >= 1 && raw[body - 1] == '\n')
		body -= 1;
	size_t i = 0;
	while (i < body) {
		size_t j = i;
		if (lf_crlf)
			while (j < body && !(raw[j] == '\n' && (j == 0 || raw[j - 1] != '\r')))
				j++;
		else
			j = body;
		hput(h, raw + i, j - i);
		if (j < body) {
			hput(h, "\r\n", 2);	/* a bare LF */
			j++;
		}
		i = j;
	}
	if (!skip_crlf)
		hput(h, "\r\n", 2);
}

/* ---- RFC 6376 §3.4.2: "relaxed" header canonicalization ---- */

/*
 * - "Convert all header field names (not the header field values) to
 *   lowercase."
 * - "Unfold all header field continuation lines": every CRLF (and bare LF)
 *   is removed.
 * - "Convert all sequences of one or more WSP characters to a single SP."
 * - "Delete all WSP characters at the end of each unfolded header field value."
 * - "Delete any WSP characters remaining before and after the colon".
 */
static void
header_relaxed(struct hout *h, const char *raw, size_t len, int skip_crlf)
{
	const char *colon = len ? memchr(raw, ':', len) : NULL;
	size_t name_end = colon ? (size_t)(colon - raw) : len;
	size_t n = name_end;
	while (n > 0 && (is_wsp((unsigned char)raw[n - 1]) || raw[n - 1] == '\r' ||
	    raw[n - 1] == '\n'))
		n--;
	for (size_t i = 0; i < n; i++)
		hputc(h, (char)lc((unsigned char)raw[i]));
	if (colon) {
		hputc(h, ':');
		int pending = 0, have = 0;
		for (size_t i = name_end + 1; i < len; i++) {
			int ch = (unsigned char)raw[i];
			if (ch == '\r' && i + 1 < len && raw[i + 1] == '\n') {
				i++;
				continue;	/* unfolding */
			}
			if (ch == '\n')
				continue;	/* a bare LF folds too */
			if (is_wsp(ch)) {
				pending = 1;
				continue;
			}
			if (pending && have)
				hputc(h, ' ');
			pending = 0;
			have = 1;
			size_t j = i + 1;	/* the rest of the run of ordinary bytes */
			while (j < len && !is_wsp((unsigned char)raw[j]) && raw[j] != '\r' &&
			    raw[j] != '\n')
				j++;
			hput(h, raw + i, j - i);
			i = j - 1;
		}
	}
	if (!skip_crlf)
		hput(h, "\r\n", 2);
}

size_t
mx_canon_header(enum mx_dkim_canon c, const char *raw, size_t raw_len, int skip_crlf,
    char *dst)
{
	struct hout h;
	h.dst = dst;
	h.o = h.count = 0;
	h.emit = NULL;
	h.ctx = NULL;
	if (c == MX_CANON_RELAXED)
		header_relaxed(&h, raw, raw_len, skip_crlf);
	else
		header_simple(&h, raw, raw_len, skip_crlf, 0);
	return h.o;
}

size_t
mx_canon_header_emit(enum mx_dkim_canon c, const char *raw, size_t raw_len, int skip_crlf,
    mx_canon_emit emit, void *ctx)
{
	struct hout h;
	h.dst = NULL;
	h.o = h.count = 0;
	h.emit = emit;
	h.ctx = ctx;
	if (c == MX_CANON_RELAXED)
		header_relaxed(&h, raw, raw_len, skip_crlf);
	else
		header_simple(&h, raw, raw_len, skip_crlf, 1);
	hflush(&h);
	return h.count;
}

/* ---- RFC 6376 §3.4.3 and §3.4.4: the body, streaming ---- */

/* CRLFs handed to emit per call when held-back empty lines are released. */
#define CRLF_BATCH 64

/* Pass n canonical bytes on, up to the l= limit; count them all. */
static void
out(struct mx_canon_body *b, const char *p, size_t n)
{
	b->total += n;
	if (b->has_limit) {
		if (b->emitted >= b->limit)
			return;
		if ((uint64_t)n > b->limit - b->emitted)
			n = (size_t)(b->limit - b->emitted);
	}
	if (n && b->emit)
		b->emit(b->ctx, p, n);
	b->emitted += n;
}

/* Release k held-back empty lines: a later line has data, so they are not trailing. */
static void
out_crlfs(struct mx_canon_body *b, uint64_t k)
{
	static const char crlfs[2 * CRLF_BATCH + 1] =
	    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
	    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
	    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
	    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";
	while (k > 0) {
		if (b->has_limit && b->emitted >= b->limit) {
			b->total += 2 * k;	/* past l=: only counted */
			return;
		}
		uint64_t m = k < CRLF_BATCH ? k : CRLF_BATCH;
		out(b, crlfs, (size_t)(2 * m));
		k -= m;
	}
}

/*
 * Line content: no CR or LF, and for relaxed no WSP.  §3.4.3 and §3.4.4
 * "Ignore all empty lines at the end of the message body": empty lines are
 * only released once a later line turns out to have content.  Relaxed:
 * "Reduce all sequences of WSP within a line to a single SP".
 */
static void
data(struct mx_canon_body *b, const char *p, size_t n)
{
	if (b->pending_crlf) {
		out_crlfs(b, b->pending_crlf);
		b->pending_crlf = 0;
	}
	if (b->pending_wsp) {
		out(b, " ", 1);
		b->pending_wsp = 0;
	}
	out(b, p, n);
	b->line_has_data = 1;
}

/*
 * A line end.  Relaxed: "Ignore all whitespace at the end of lines.
 * Implementations MUST NOT remove the CRLF at the end of the line."
 */
static void
line_end(struct mx_canon_body *b)
{
	b->pending_wsp = 0;
	if (b->line_has_data) {
		out(b, "\r\n", 2);
		b->line_has_data = 0;
	} else {
		b->pending_crlf++;
	}
}

void
mx_canon_body_init(struct mx_canon_body *b, enum mx_dkim_canon c, int has_limit,
    uint64_t limit, mx_canon_emit emit, void *ctx)
{
	memset(b, 0, sizeof *b);
	b->c = c;
	b->has_limit = has_limit;
	b->limit = limit;
	b->emit = emit;
	b->ctx = ctx;
}

/* A CR that ended the previous piece: a line end if this piece starts with LF, else content. */
static size_t
pending_cr(struct mx_canon_body *b, const char *p, size_t n)
{
	if (!b->cr || n == 0)
		return 0;
	b->cr = 0;
	if (p[0] == '\n') {
		line_end(b);
		return 1;
	}
	data(b, "\r", 1);
	return 0;
}

/*
 * Simple, a line at a time: a run of lines that end in CRLF and have content
 * is its own canonical form, passed on in one piece.  The same result as the
 * byte loop below (which the relaxed form uses): a CR not before LF is
 * content, a bare LF ends a line.
 */
static void
simple_update(struct mx_canon_body *b, const char *p, size_t n)
{
	size_t i = pending_cr(b, p, n);
	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);
		if (nl == NULL) {
			/* the last line so far: its content, and a final CR that may start a CRLF */
			size_t e = n;
			if (p[e - 1] == '\r') {
				e--;
				b->cr = 1;
			}
			if (e > i)
				data(b, p + i, e - i);
			return;
		}
		size_t end = (size_t)(nl - p), ce = end > i && p[end - 1] == '\r' ? end - 1 : end;
		if (ce == i) {
			line_end(b);	/* an empty line: held back */
			i = end + 1;
			continue;
		}
		if (ce == end) {
			data(b, p + i, ce - i);	/* a bare LF ends it */
			line_end(b);
			i = end + 1;
			continue;
		}
		/* lines with content and CRLF, as many as follow one another */
		size_t run = end + 1;
		for (;;) {
			const char *n2 = run < n ? memchr(p + run, '\n', n - run) : NULL;
			if (n2 == NULL || n2 - (p + run) < 2 || n2[-1] != '\r')
				break;
			run = (size_t)(n2 - p) + 1;
		}
		data(b, p + i, run - 2 - i);
		line_end(b);
		i = run;
	}
}

/* How many bytes of p[0..n) come before the first SP or HTAB (eight at a time). */
static size_t
no_wsp(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w, sp, tab;
		memcpy(&w, p + i, 8);
		sp = w ^ (ones * ' ');
		tab = w ^ (ones * '\t');
		/* a zero byte in sp or tab: that byte was SP or HTAB */
		if (((sp - ones) & ~sp & highs) | ((tab - ones) & ~tab & highs))
			break;
	}
	while (i < n && p[i] != ' ' && p[i] != '\t')
		i++;
	return i;
}

/* Relaxed line content (no line end): WSP runs become one SP, trailing WSP is held back. */
static void
relaxed_content(struct mx_canon_body *b, const char *p, size_t n)
{
	if (no_wsp(p, n) == n) {
		if (n)
			data(b, p, n);	/* a base64 line, a long word: as it is */
		return;
	}
	/*
	 * Branch-free: every byte is written (WSP as SP), and the output only
	 * advances past an SP that does not follow another one.
	 */
	char t[4096];
	size_t k = 0;
	int prev = 0;
	if (b->pending_wsp) {
		t[k++] = ' ';
		prev = 1;
		b->pending_wsp = 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (k + 1 >= sizeof t) {
			/* keep a trailing SP back: the next byte may extend its run */
			size_t keep = prev;
			data(b, t, k - keep);
			k = keep;
			if (keep)
				t[0] = ' ';
		}
		unsigned char c = (unsigned char)p[i];
		int w = c == ' ' || c == '\t';
		t[k] = w ? ' ' : (char)c;
		k += !(w & prev);
		prev = w;
	}
	if (prev)
		k--;	/* trailing WSP: held back, dropped at the line end */
	if (k)
		data(b, t, k);
	b->pending_wsp = prev;
}

/* Relaxed, a line at a time; the same result as the byte loop below. */
static void
relaxed_update(struct mx_canon_body *b, const char *p, size_t n)
{
	size_t i = pending_cr(b, p, n);
	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);
		if (nl == NULL) {
			size_t e = n;
			if (p[e - 1] == '\r')
				e--;
			relaxed_content(b, p + i, e - i);
			b->cr = e < n;
			return;
		}
		size_t end = (size_t)(nl - p), ce = end > i && p[end - 1] == '\r' ? end - 1 : end;
		relaxed_content(b, p + i, ce - i);
		line_end(b);
		i = end + 1;
	}
}

void
mx_canon_body_update(struct mx_canon_body *b, const char *p, size_t n)
{
	if (b->c == MX_CANON_RELAXED)
		relaxed_update(b, p, n);
	else
		simple_update(b, p, n);
}

/*
 * The byte at a time definition the two above are faster forms of; kept as
 * the reference the unit tests compare them with.
 */
void
mx_canon_body_update_bytes(struct mx_canon_body *b, const char *p, size_t n)
{
	int relaxed = b->c == MX_CANON_RELAXED;
	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)p[i];
		if (b->cr) {
			b->cr = 0;
			if (ch == '\n') {
				line_end(b);
				continue;
			}
			data(b, "\r", 1);	/* a CR without LF is content */
		}
		if (ch == '\r') {
			b->cr = 1;
			continue;
		}
		if (ch == '\n') {
			line_end(b);	/* bare LF */
			continue;
		}
		if (relaxed && is_wsp(ch)) {
			b->pending_wsp = 1;
			continue;
		}
		size_t j = i + 1;
		while (j < n && p[j] != '\r' && p[j] != '\n' &&
		    !(relaxed && is_wsp((unsigned char)p[j])))
			j++;
		data(b, p + i, j - i);
		i = j - 1;
	}
}

void
mx_canon_body_final(struct mx_canon_body *b)
{
	if (b->cr) {
		b->cr = 0;
		data(b, "\r", 1);
	}
	/*
	 * §3.4.3 "If there is no body or no trailing CRLF on the message body,
	 * a CRLF is added"; relaxed the same for a last line with content
	 * (§3.4.4, erratum 3192).  Held-back empty lines and WSP are dropped.
	 */
	if (b->line_has_data) {
		out(b, "\r\n", 2);
		b->line_has_data = 0;
	}
	b->pending_crlf = 0;
	b->pending_wsp = 0;
	/* §3.4.3: an empty body is CRLF for simple; nothing for relaxed (§3.4.4) */
	if (b->c == MX_CANON_SIMPLE && b->total == 0)
		out(b, "\r\n", 2);
}
