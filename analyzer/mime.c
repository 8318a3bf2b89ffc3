/*
 * mime.c - GMime behind one door.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mime.h"

static pthread_once_t mime_once = PTHREAD_ONCE_INIT;

/*
 * GMime makes its object classes, charset tables and time zones on first
 * use.  Using each kind once here, inside pthread_once, makes them before
 * any batch thread can race to (every entry point runs the once first).
 */
static const char warm_up[] =
	"From: \"Ann\" <ann@example.com>, Team: b@example.com;\r\n"
	"To: =?utf-8?q?B=C3=A9?= <b@example.org>\r\n"
	"Subject: =?iso-8859-1?q?caf=E9?=\r\n"
	"Date: Mon, 1 Jan 2024 00:00:00 +0100\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
	"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9\r\n"
	"--b\r\nContent-Type: message/rfc822\r\n\r\n"
	"From: x@example.com\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n"
	"--c\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	"PGI+eDwvYj4=\r\n--c--\r\n"
	"--b\r\nContent-Type: application/octet-stream; name*=utf-8''a%C3%A9.bin\r\n"
	"Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--b--\r\n";

static void
use_once(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	(void)parent;
	(void)data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	g_free(ct ? g_mime_content_type_get_mime_type(ct) : NULL);
	if (GMIME_IS_PART(part))
		(void)g_mime_part_get_filename(GMIME_PART(part));
	if (GMIME_IS_MESSAGE_PART(part)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
		if (m)
			g_mime_message_foreach(m, use_once, NULL);
	}
}

static void
mime_init(void)
{
	g_mime_init();
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(warm_up, sizeof warm_up - 1);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	if (msg != NULL) {
		(void)g_mime_message_get_date(msg);
		InternetAddressList *from = g_mime_message_get_from(msg);
		for (int i = 0; from && i < internet_address_list_length(from); i++)
			(void)internet_address_get_name(internet_address_list_get_address(from, i));
		g_mime_message_foreach(msg, use_once, NULL);
		g_object_unref(msg);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	g_free(g_mime_utils_header_decode_text(NULL, "=?iso-8859-1?q?caf=E9?="));
	GDateTime *d = g_mime_utils_header_decode_date("Mon, 1 Jan 2024 00:00:00 +0100");
	if (d)
		g_date_time_unref(d);
}

static const struct {
	GMimeParserWarning w;
	const char *code;
	const char *what;
} warnings[] = {
	{ GMIME_WARN_DUPLICATED_HEADER, "MIME_DUPLICATED_HEADER", "repeated with the same value" },
	{ GMIME_WARN_DUPLICATED_PARAMETER, "MIME_DUPLICATED_PARAMETER", "parameter repeated" },
	{ GMIME_WARN_UNENCODED_8BIT_HEADER, "MIME_UNENCODED_8BIT_HEADER", "unencoded 8-bit characters" },
	{ GMIME_WARN_INVALID_CONTENT_TYPE, "MIME_INVALID_CONTENT_TYPE", "invalid Content-Type, read as application/octet-stream" },
	{ GMIME_WARN_INVALID_RFC2047_HEADER_VALUE, "MIME_INVALID_RFC2047", "invalid RFC 2047 encoded-word" },
	{ GMIME_WARN_MALFORMED_MULTIPART, "MIME_MALFORMED_MULTIPART", "multipart without parts" },
	{ GMIME_WARN_TRUNCATED_MESSAGE, "MIME_TRUNCATED", "the message is truncated" },
	{ GMIME_WARN_MALFORMED_MESSAGE, "MIME_MALFORMED", "the message is malformed" },
	{ GMIME_CRIT_INVALID_HEADER_NAME, "MIME_INVALID_HEADER_NAME", "invalid header name" },
	{ GMIME_CRIT_CONFLICTING_HEADER, "MIME_CONFLICTING_HEADER", "repeated with a different value" },
	{ GMIME_CRIT_CONFLICTING_PARAMETER, "MIME_CONFLICTING_PARAMETER", "parameter repeated with a different value" },
	{ GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY, "MIME_MULTIPART_WITHOUT_BOUNDARY", "multipart without a boundary" },
	{ GMIME_WARN_INVALID_PARAMETER, "MIME_INVALID_PARAMETER", "invalid parameter" },
	{ GMIME_WARN_INVALID_ADDRESS_LIST, "MIME_INVALID_ADDRESS_LIST", "invalid address list" },
	{ GMIME_CRIT_NESTING_OVERFLOW, "MIME_NESTING_OVERFLOW", "MIME nesting too deep" },
	{ GMIME_WARN_PART_WITHOUT_CONTENT, "MIME_PART_WITHOUT_CONTENT", "part without content" },
	{ GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT, "MIME_PART_WITHOUT_HEADERS_OR_CONTENT", "part without headers or content" },
};

struct warn_ctx {
	struct mx_findings *fs;
	int headers_only;
};

static void
on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer data)
{
	struct warn_ctx *ctx = data;
	struct mx_findings *fs = ctx->fs;
	/* headers only: that the message is cut short is already its own finding */
	if (ctx->headers_only && code == GMIME_WARN_TRUNCATED_MESSAGE)
		return;
	for (size_t i = 0; i < sizeof warnings / sizeof warnings[0]; i++) {
		if (warnings[i].w != code)
			continue;
		char shown[120];
		size_t n = 0;
		for (const char *p = item ? item : ""; *p && n + 1 < sizeof shown; p++)
			shown[n++] = (unsigned char)*p < 0x20 ? '?' : *p;
		shown[n] = '\0';
		mx_findings_add(fs, warnings[i].code, -1, -1, n ? shown : NULL, offset,
		    "GMime: %s%s%s%s", warnings[i].what, n ? " (" : "", shown, n ? ")" : "");
		return;
	}
}

static GMimeParserOptions *
make_options(struct warn_ctx *fs)
{
	GMimeParserOptions *o = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(o, GMIME_RFC_COMPLIANCE_LOOSE);
	if (fs)
		g_mime_parser_options_set_warning_callback(o, on_warning, fs);
	return o;
}

static char *
lower_dup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (d)
		for (char *p = d; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Where the attached message inside part ends: the next boundary line. */
static size_t
find_end(const char *buf, size_t len, size_t start, const char *boundary)
{
	if (boundary == NULL)
		return len;
	size_t blen = strlen(boundary);
	for (size_t i = start; i + 3 + blen <= len; i++) {
		const char *lf = memchr(buf + i, '\n', len - i);
		if (lf == NULL)
			break;
		i = (size_t)(lf - buf);
		if (i + 3 + blen <= len && buf[i + 1] == '-' && buf[i + 2] == '-' &&
		    memcmp(buf + i + 3, boundary, blen) == 0)
			return i > start && buf[i - 1] == '\r' ? i - 1 : i;
	}
	return len;
}

static void
record_attached(const char *buf, size_t len, struct mx_mime *out, GMimeMessagePart *mp,
    GMimeMultipart *parent)
{
	if (out->natt >= MX_MIME_MAX_ATTACHED) {
		out->att_dropped++;
		return;
	}
	GMimeMessage *inner = g_mime_message_part_get_message(mp);
	if (inner == NULL)
		return;
	struct mx_attached *a = &out->att[out->natt];
	memset(a, 0, sizeof *a);
	GMimeContentDisposition *disp = g_mime_object_get_content_disposition(GMIME_OBJECT(mp));
	if (disp) {
		const char *f = g_mime_content_disposition_get_parameter(disp, "filename");
		if (f)
			a->filename = strdup(f);
	}
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(inner));
	gint64 off = -1;
	if (hl && g_mime_header_list_get_count(hl) > 0)
		off = g_mime_header_get_offset(g_mime_header_list_get_header_at(hl, 0));
	const char *cte = g_mime_object_get_header(GMIME_OBJECT(mp), "Content-Transfer-Encoding");
	int encoded = cte && (strcasecmp(cte, "base64") == 0 || strcasecmp(cte, "quoted-printable") == 0);
	if (off >= 0 && (size_t)off < len && !encoded) {
		a->start = (size_t)off;
		a->end = find_end(buf, len, a->start,
		    parent ? g_mime_multipart_get_boundary(parent) : NULL);
	} else {
		char *s = g_mime_object_to_string(GMIME_OBJECT(inner), NULL);
		if (s == NULL)
			return;
		a->copy = strdup(s);
		a->copy_len = a->copy ? strlen(a->copy) : 0;
		g_free(s);
		if (a->copy == NULL)
			return;
	}
	out->natt++;
}

/* Iterative walk (GMime made its own recursion iterative after a 2019 stack overflow). */
static void
walk(const char *buf, size_t len, GMimeObject *root, struct mx_mime *out)
{
	struct item {
		GMimeObject *obj;
		GMimeMultipart *parent;
	};
	size_t cap = 64, n = 0;
	struct item *stack = malloc(cap * sizeof *stack);
	if (stack == NULL)
		return;
	stack[n++] = (struct item){ root, NULL };
	while (n > 0 && out->nparts < MX_MIME_MAX_PARTS) {
		struct item it = stack[--n];
		if (GMIME_IS_MULTIPART(it.obj)) {
			GMimeMultipart *mp = GMIME_MULTIPART(it.obj);
			int count = g_mime_multipart_get_count(mp);
			for (int i = count - 1; i >= 0; i--) {
				if (n == cap) {
					struct item *ns = realloc(stack, cap * 2 * sizeof *stack);
					if (ns == NULL)
						goto done;
					stack = ns;
					cap *= 2;
				}
				stack[n++] = (struct item){ g_mime_multipart_get_part(mp, i), mp };
			}
		} else if (GMIME_IS_MESSAGE_PART(it.obj)) {
			out->nparts++;
			record_attached(buf, len, out, GMIME_MESSAGE_PART(it.obj), it.parent);
		} else if (GMIME_IS_PART(it.obj)) {
			out->nparts++;
			GMimeContentType *ct = g_mime_object_get_content_type(it.obj);
			GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(it.obj));
			if (ct && g_mime_content_type_is_type(ct, "text", "*") &&
			    !g_mime_part_is_attachment(GMIME_PART(it.obj)) && w) {
				GMimeStream *s = g_mime_data_wrapper_get_stream(w);
				gint64 l = s ? g_mime_stream_length(s) : 0;
				if (l > 0)
					out->text_bytes += (size_t)l;
			}
		}
	}
done:
	free(stack);
}

int
mx_mime_parse(const char *buf, size_t len, int headers_only, struct mx_mime *out,
    struct mx_findings *fs)
{
	struct warn_ctx ctx = { fs, headers_only };
	memset(out, 0, sizeof *out);
	pthread_once(&mime_once, mime_init);
	/*
	 * The stream reads buf in place (g_mime_stream_mem_new_with_buffer
	 * would copy it): the byte array borrows buf and gives it back, unfreed,
	 * below.  The parser only reads.
	 */
	GByteArray *bytes = g_byte_array_new_take((guint8 *)(uintptr_t)buf, len);
	GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(bytes);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeParserOptions *opts = make_options(&ctx);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);
	if (msg != NULL) {
		out->parsed = 1;
		GMimeObject *body = g_mime_message_get_mime_part(msg);
		if (body) {
			GMimeContentType *ct = g_mime_object_get_content_type(body);
			char *mt = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
			out->content_type = lower_dup(mt ? mt : "text/plain");
			g_free(mt);
			walk(buf, len, body, out);
		} else {
			out->content_type = lower_dup("text/plain");
		}
		g_object_unref(msg);
	}
	g_mime_parser_options_free(opts);
	g_object_unref(parser);
	g_object_unref(stream);
	g_byte_array_free(bytes, FALSE);	/* buf stays the caller's */
	return 0;
}

void
mx_mime_finish(struct mx_mime *m)
{
	for (size_t i = 0; i < m->natt; i++) {
		free(m->att[i].copy);
		free(m->att[i].filename);
	}
	free(m->content_type);
	memset(m, 0, sizeof *m);
}

char *
mx_mime_decode_text(const char *raw)
{
	pthread_once(&mime_once, mime_init);
	GMimeParserOptions *o = make_options(NULL);
	char *g = g_mime_utils_header_decode_text(o, raw);
	g_mime_parser_options_free(o);
	char *s = strdup(g ? g : raw);
	g_free(g);
	return s;
}

char *
mx_mime_decode_cte(const char *cte, const char *in, size_t len, size_t *outlen)
{
	pthread_once(&mime_once, mime_init);
	GMimeContentEncoding enc = g_mime_content_encoding_from_string(cte);
	if (enc != GMIME_CONTENT_ENCODING_BASE64 && enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
		return NULL;
	GMimeEncoding state;
	g_mime_encoding_init_decode(&state, enc);
	size_t cap = g_mime_encoding_outlen(&state, len) + 16;
	char *out = malloc(cap);
	if (out == NULL)
		return NULL;
	size_t n = g_mime_encoding_step(&state, in, len, out);
	n += g_mime_encoding_flush(&state, "", 0, out + n);
	*outlen = n;
	return out;
}

static int
add_mailbox(InternetAddress *ia, struct mx_mailbox **v, size_t *n, size_t *cap)
{
	if (INTERNET_ADDRESS_IS_GROUP(ia)) {
		InternetAddressList *m = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
		int c = m ? internet_address_list_length(m) : 0;
		for (int i = 0; i < c; i++)
			if (add_mailbox(internet_address_list_get_address(m, i), v, n, cap) != 0)
				return -1;
		return 0;
	}
	if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
		return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct mx_mailbox *nv = realloc(*v, nc * sizeof *nv);
		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = nc;
	}
	const char *name = internet_address_get_name(ia);
	const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	struct mx_mailbox *mb = &(*v)[*n];
	mb->name = name && *name ? strdup(name) : NULL;
	mb->addr = strdup(addr ? addr : "");
	const char *at = addr ? strrchr(addr, '@') : NULL;
	mb->domain = lower_dup(at ? at + 1 : "");
	if (mb->addr == NULL || mb->domain == NULL)
		return -1;
	(*n)++;
	return 0;
}

long
mx_mime_parse_mailboxes(const char *value, struct mx_mailbox **out)
{
	pthread_once(&mime_once, mime_init);
	*out = NULL;
	size_t n = 0, cap = 0;
	GMimeParserOptions *o = make_options(NULL);
	InternetAddressList *l = internet_address_list_parse(o, value);
	g_mime_parser_options_free(o);
	if (l == NULL)
		return 0;
	int c = internet_address_list_length(l);
	long rc = 0;
	for (int i = 0; i < c; i++)
		if (add_mailbox(internet_address_list_get_address(l, i), out, &n, &cap) != 0) {
			rc = -1;
			break;
		}
	g_object_unref(l);
	if (rc < 0) {
		mx_mailboxes_free(*out, n);
		*out = NULL;
		return -1;
	}
	return (long)n;
}

void
mx_mailboxes_free(struct mx_mailbox *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].addr);
		free(v[i].domain);
	}
	free(v);
}
