/*
 * report_json.c - the JSON report (docs/schema.md).  The only file that
 * includes Jansson.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "report.h"

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A string that may hold bytes which are not UTF-8: Jansson refuses those. */
static json_t *
text(const char *s)
{
	if (s == NULL)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	size_t n = strlen(s);
	char *c = malloc(n + 1);
	if (c == NULL)
		return json_null();
	for (size_t i = 0; i <= n; i++)
		c[i] = (unsigned char)s[i] >= 0x80 ? '?' : s[i];
	j = json_string(c);
	free(c);
	return j ? j : json_null();
}

static json_t *
empty_null(const char *s)
{
	return s && s[0] ? text(s) : json_null();
}

static const char *
kind_name(enum mx_input_kind k)
{
	switch (k) {
	case MX_INPUT_MESSAGE: return "message";
	case MX_INPUT_EMPTY: return "empty";
	case MX_INPUT_BINARY: return "binary";
	case MX_INPUT_DOCUMENT: return "document";
	case MX_INPUT_NOT_MESSAGE: return "not-a-message";
	case MX_INPUT_TOO_LARGE: return "too-large";
	}
	return "unknown";
}

static json_t *
input_json(const struct mx_analysis *a)
{
	static const struct { unsigned bit; const char *name; } repairs[] = {
		{ MX_REPAIR_BOM, "bom-removed" },
		{ MX_REPAIR_LEADING_BLANK, "leading-blank-lines" },
		{ MX_REPAIR_GMAIL_PAGE, "gmail-show-original-page" },
		{ MX_REPAIR_MBOX_FROM, "mbox-from-line" },
		{ MX_REPAIR_INDENT, "indentation-removed" },
		{ MX_REPAIR_LF_ONLY, "lf-to-crlf" },
		{ MX_REPAIR_MIXED_EOL, "mixed-line-endings-to-crlf" },
	};
	const struct mx_intake *in = &a->intake;
	json_t *r = json_array();
	for (size_t i = 0; i < sizeof repairs / sizeof repairs[0]; i++)
		if (in->repairs & repairs[i].bit)
			json_array_append_new(r, json_string(repairs[i].name));
	json_t *o = json_object();
	json_object_set_new(o, "name", text(a->input_name));
	json_object_set_new(o, "bytes", json_integer((json_int_t)in->orig_len));
	json_object_set_new(o, "kind", json_string(kind_name(in->kind)));
	json_object_set_new(o, "error", str_or_null(in->reason));
	json_object_set_new(o, "document_type", str_or_null(in->document_type));
	json_object_set_new(o, "repairs", r);
	json_object_set_new(o, "source_offset", json_integer((json_int_t)in->source_offset));
	json_object_set_new(o, "analyzed_bytes", json_integer((json_int_t)a->len));
	return o;
}

static json_t *
iso_or_null(int has, int64_t t)
{
	char iso[MX_ISO8601_LEN];
	return has ? json_string(mx_datetime_iso8601(t, iso)) : json_null();
}

static json_t *
message_json(const struct mx_analysis *a)
{
	const struct mx_message_info *m = &a->msg;
	json_t *authors = json_array();
	for (size_t i = 0; i < m->nauthors; i++) {
		const struct mx_author *au = &m->authors[i];
		json_array_append_new(authors, json_pack("{s:o, s:o, s:o, s:I}",
		    "address", text(au->address), "display_name", text(au->display),
		    "domain", text(au->domain), "field_index", (json_int_t)au->field_index));
	}
	json_t *o = json_object();
	json_object_set_new(o, "from", text(m->from));
	json_object_set_new(o, "to", text(m->to));
	json_object_set_new(o, "subject", text(m->subject));
	json_object_set_new(o, "date", text(m->date));
	json_object_set_new(o, "date_utc", iso_or_null(m->has_date, m->date_parsed.utc));
	json_object_set_new(o, "message_id", text(m->message_id));
	json_object_set_new(o, "authors", authors);
	json_object_set_new(o, "from_fields", json_integer((json_int_t)m->nfrom_fields));
	json_object_set_new(o, "header_fields", json_integer((json_int_t)a->hdr.nfields));
	json_object_set_new(o, "body_present", json_boolean(m->body_present));
	json_object_set_new(o, "body_bytes", json_integer((json_int_t)m->body_bytes));
	json_object_set_new(o, "content_type", text(a->mime.content_type));
	return o;
}

static const char *
rkind(enum mx_received_kind k)
{
	return k == MX_RCVD_RELAY ? "relay" : k == MX_RCVD_LOCAL ? "local" : "unparsed";
}

static json_t *
hop_json(const struct mx_hop *h)
{
	const struct mx_received *r = &h->r;
	json_t *o = json_object();
	json_object_set_new(o, "number", json_integer((json_int_t)h->number));
	json_object_set_new(o, "field_index", json_integer(h->field_index));
	json_object_set_new(o, "offset", json_integer(h->offset));
	json_object_set_new(o, "kind", json_string(rkind(r->kind)));
	json_object_set_new(o, "side", json_string(mx_hop_side_name(h->side)));
	json_object_set_new(o, "from_host", empty_null(r->rdns[0] ? r->rdns : r->helo));
	json_object_set_new(o, "rdns", empty_null(r->rdns));
	json_object_set_new(o, "from_ip", empty_null(r->from_ip));
	json_object_set_new(o, "helo", empty_null(r->helo));
	json_object_set_new(o, "ident", empty_null(r->ident));
	json_object_set_new(o, "by_host", empty_null(r->by_host));
	json_object_set_new(o, "via", empty_null(r->via));
	json_object_set_new(o, "protocol", empty_null(r->protocol));
	json_object_set_new(o, "id", empty_null(r->id));
	json_object_set_new(o, "for", empty_null(r->for_addr));
	json_object_set_new(o, "envelope_from", empty_null(r->envelope_from));
	json_object_set_new(o, "authenticated", json_boolean(r->auth));
	json_object_set_new(o, "timestamp", iso_or_null(r->has_date, r->date.utc));
	json_object_set_new(o, "delay_s", h->has_delay ? json_integer(h->delay_s) : json_null());
	json_object_set_new(o, "tls", r->tls == MX_TLS_UNKNOWN ? json_null() :
	    json_boolean(r->tls == MX_TLS_YES));
	json_object_set_new(o, "tls_version", empty_null(r->tls_version));
	json_object_set_new(o, "tls_cipher", empty_null(r->tls_cipher));
	json_object_set_new(o, "tls_evidence", empty_null(r->tls_evidence));
	return o;
}

static json_t *
boundary_json(const struct mx_analysis *a)
{
	const struct mx_boundary *b = &a->boundary;
	if (!b->found)
		return json_null();
	json_t *names = json_array();
	for (size_t i = 0; i < b->nnames; i++)
		json_array_append_new(names, text(b->names[i]));
	json_t *o = json_object();
	json_object_set_new(o, "hop", json_integer((json_int_t)a->hops[b->hop].number));
	json_object_set_new(o, "receiver", text(b->receiver));
	json_object_set_new(o, "receiver_names", names);
	json_object_set_new(o, "identified_by", json_string(b->how));
	json_object_set_new(o, "client_ip", empty_null(b->client_ip));
	json_object_set_new(o, "helo", empty_null(b->helo));
	json_object_set_new(o, "rdns", empty_null(b->rdns));
	json_object_set_new(o, "mail_from", text(b->mail_from));
	return o;
}

static json_t *
recorded_json(const struct mx_recorded *r)
{
	json_t *props = json_object();
	for (size_t i = 0; i < r->nprops; i++)
		json_object_set_new(props, r->props[i].key, text(r->props[i].value));
	json_t *o = json_object();
	json_object_set_new(o, "source", json_string(r->source));
	json_object_set_new(o, "authserv_id", text(r->authserv_id));
	json_object_set_new(o, "instance", r->instance ? json_integer(r->instance) : json_null());
	json_object_set_new(o, "trusted", json_boolean(r->trusted));
	json_object_set_new(o, "trust_reason", json_string(r->trust_reason));
	json_object_set_new(o, "method", text(r->method));
	json_object_set_new(o, "result", text(r->result));
	json_object_set_new(o, "reason", text(r->reason));
	json_object_set_new(o, "comment", text(r->comment));
	json_object_set_new(o, "properties", props);
	json_object_set_new(o, "field_index", r->field_index >= 0 ? json_integer(r->field_index) :
	    json_null());
	return o;
}

static json_t *
gmail_json(const struct mx_analysis *a)
{
	if (!a->intake.has_gmail_summary)
		return json_null();
	const struct mx_gmail_summary *g = &a->intake.gmail;
	json_t *o = json_object();
	json_object_set_new(o, "message_id", text(g->message_id));
	json_object_set_new(o, "created_at", text(g->created_at));
	json_object_set_new(o, "delivered_after", text(g->delivered_after));
	json_object_set_new(o, "from", text(g->from));
	json_object_set_new(o, "to", text(g->to));
	json_object_set_new(o, "subject", text(g->subject));
	json_object_set_new(o, "spf", text(g->spf_result));
	json_object_set_new(o, "spf_ip", text(g->spf_ip));
	json_object_set_new(o, "dkim", text(g->dkim_result));
	json_object_set_new(o, "dkim_domain", text(g->dkim_domain));
	json_object_set_new(o, "dmarc", text(g->dmarc_result));
	json_object_set_new(o, "source_line", json_integer((json_int_t)g->source_line));
	return o;
}

static const char *
alg_name(enum mx_dkim_alg a)
{
	switch (a) {
	case MX_DKIM_RSA_SHA1: return "rsa-sha1";
	case MX_DKIM_RSA_SHA256: return "rsa-sha256";
	case MX_DKIM_ED25519_SHA256: return "ed25519-sha256";
	default: return NULL;
	}
}

static json_t *
iso_time(int has, int64_t t)
{
	return iso_or_null(has, t);
}

static json_t *
dkim_json(const struct mx_analysis *a)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < a->ndkim; i++) {
		const struct mx_dkim_result *r = &a->dkim[i];
		const struct mx_dkim_sig *s = &r->sig;
		static const char *const bh[] = { "not_checked", "pass", "fail" };
		json_t *o = json_object();
		json_object_set_new(o, "number", json_integer((json_int_t)r->number));
		json_object_set_new(o, "field_index", json_integer(r->field_index));
		json_object_set_new(o, "domain", text(s->d));
		json_object_set_new(o, "selector", text(s->s));
		json_object_set_new(o, "identity", text(s->i));
		json_object_set_new(o, "algorithm", s->a ? text(s->a) : str_or_null(alg_name(s->alg)));
		char canon[32];
		snprintf(canon, sizeof canon, "%s/%s", s->hcanon == MX_CANON_RELAXED ? "relaxed" :
		    "simple", s->bcanon == MX_CANON_RELAXED ? "relaxed" : "simple");
		json_object_set_new(o, "canonicalization", s->ok ? json_string(canon) : json_null());
		json_object_set_new(o, "result", json_string(r->result));
		json_object_set_new(o, "policy_result", json_string(r->policy_result));
		json_object_set_new(o, "reason", text(r->reason));
		json_object_set_new(o, "policy_reason", text(r->policy_reason));
		json_object_set_new(o, "body_hash", json_string(bh[r->body_hash]));
		json_object_set_new(o, "header_signature", r->header_sig < 0 ? json_null() :
		    json_boolean(r->header_sig));
		json_t *h = json_array();
		for (size_t k = 0; k < s->nh; k++)
			json_array_append_new(h, text(s->h[k]));
		json_object_set_new(o, "signed_headers", h);
		json_object_set_new(o, "body_length", s->has_l ? json_integer((json_int_t)s->l) :
		    json_null());
		json_object_set_new(o, "body_canonical_length", r->body_hash != MX_BH_NOT_CHECKED ?
		    json_integer((json_int_t)r->body_canon_len) : json_null());
		json_object_set_new(o, "signed_at", iso_time(s->has_t, s->t));
		json_object_set_new(o, "expires_at", iso_time(s->has_x, s->x));
		json_object_set_new(o, "key", json_pack("{s:b, s:o, s:o, s:b, s:o, s:s, s:b}",
		    "found", r->key_found, "bits", r->key_bits ? json_integer(r->key_bits) : json_null(),
		    "type", r->key_type[0] ? json_string(r->key_type) : json_null(),
		    "testing", r->key_testing, "name", text(r->key_name),
		    "dns", mx_dns_status_name(r->key_dns), "dnssec_validated", r->key_validated));
		json_object_set_new(o, "diagnosis", r->diag_code ? json_pack("{s:s, s:o}", "code",
		    r->diag_code, "detail", text(r->diag_detail)) : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
spf_json(const struct mx_spf_result *r, const char *mail_from_source)
{
	json_t *trace = json_array();
	for (size_t i = 0; i < r->ntrace; i++)
		json_array_append_new(trace, json_pack("{s:i, s:o, s:o}", "depth", r->trace[i].depth,
		    "domain", text(r->trace[i].domain), "text", text(r->trace[i].text)));
	json_t *lint = json_array();
	for (size_t i = 0; i < r->nlint; i++)
		json_array_append_new(lint, json_pack("{s:s, s:s, s:o}", "code", r->lint[i].code,
		    "severity", mx_severity_name((enum mx_severity)r->lint[i].severity),
		    "message", text(r->lint[i].message)));
	json_t *o = json_object();
	json_object_set_new(o, "result", json_string(r->result));
	json_object_set_new(o, "identity", json_string(r->identity == MX_SPF_HELO ? "helo" :
	    "mailfrom"));
	json_object_set_new(o, "domain", text(r->domain));
	json_object_set_new(o, "sender", text(r->sender));
	json_object_set_new(o, "ip", text(r->ip));
	json_object_set_new(o, "helo", empty_null(r->helo));
	json_object_set_new(o, "mail_from", text(r->mail_from));
	json_object_set_new(o, "mail_from_source", str_or_null(mail_from_source));
	json_object_set_new(o, "matched", text(r->matched));
	json_object_set_new(o, "matched_in", text(r->matched_in));
	json_object_set_new(o, "scope", text(r->scope));
	json_object_set_new(o, "reason", text(r->reason));
	json_object_set_new(o, "lookups", json_integer(r->lookups));
	json_object_set_new(o, "void_lookups", json_integer(r->void_lookups));
	json_object_set_new(o, "dns_queries", json_integer(r->dns_queries));
	json_object_set_new(o, "explanation", text(r->explanation));
	json_object_set_new(o, "trace", trace);
	json_object_set_new(o, "lint", lint);
	return o;
}

int
mx_report_spf_json(FILE *out, const struct mx_spf_result *r, int compact)
{
	json_t *o = json_pack("{s:o, s:s, s:{s:s, s:s}}", "spf", spf_json(r, NULL),
	    "schema_version", MX_SCHEMA_VERSION, "tool", "name", "mxray", "version", MXRAY_VERSION);
	int rc = json_dumpf(o, out, JSON_SORT_KEYS | (compact ? JSON_COMPACT : JSON_INDENT(2)));
	json_decref(o);
	if (rc == 0 && fputc('\n', out) == EOF)
		rc = -1;
	return rc;
}

static json_t *
policy_json(enum mx_dmarc_policy p)
{
	return p == MX_DMARC_P_UNSET ? json_null() : json_string(mx_dmarc_policy_name(p));
}

static json_t *
record_json(const struct mx_dmarc_record *r)
{
	json_t *rua = json_array(), *ruf = json_array();
	for (size_t i = 0; i < r->nrua; i++)
		json_array_append_new(rua, text(r->rua[i]));
	for (size_t i = 0; i < r->nruf; i++)
		json_array_append_new(ruf, text(r->ruf[i]));
	json_t *o = json_object();
	json_object_set_new(o, "raw", text(r->raw));
	json_object_set_new(o, "p", policy_json(r->p));
	json_object_set_new(o, "sp", policy_json(r->sp));
	json_object_set_new(o, "np", policy_json(r->np));
	json_object_set_new(o, "adkim", json_string(r->adkim_strict ? "s" : "r"));
	json_object_set_new(o, "aspf", json_string(r->aspf_strict ? "s" : "r"));
	/* an invalid pct= is ignored: the default 100 applies (RFC 7489 §6.3) */
	json_object_set_new(o, "pct", r->has_pct ? json_integer(r->pct < 0 ? 100 : r->pct) :
	    json_null());
	json_object_set_new(o, "t", r->has_t ? json_string(r->testing ? "y" : "n") : json_null());
	json_object_set_new(o, "psd", r->psd < 0 ? json_null() : json_string(r->psd ? "y" : "n"));
	json_object_set_new(o, "fo", text(r->fo));
	json_object_set_new(o, "rf", text(r->rf));
	json_object_set_new(o, "ri", json_integer(r->ri));
	json_object_set_new(o, "rua", rua);
	json_object_set_new(o, "ruf", ruf);
	json_object_set_new(o, "unknown_tags", text(r->unknown_tags));
	json_object_set_new(o, "error", str_or_null(r->error));
	return o;
}

static json_t *
eval_json(const struct mx_dmarc_eval *e)
{
	json_t *o = json_object();
	json_object_set_new(o, "result", json_string(e->result ? e->result : "none"));
	json_object_set_new(o, "policy_domain", text(e->policy_domain));
	json_object_set_new(o, "org_domain", text(e->org_domain));
	json_object_set_new(o, "policy", e->has_record ? policy_json(e->policy) : json_null());
	json_object_set_new(o, "policy_tag", str_or_null(e->policy_tag));
	json_object_set_new(o, "disposition", json_string(e->disposition ? e->disposition : "none"));
	json_object_set_new(o, "reason", text(e->reason));
	json_object_set_new(o, "lookups", json_integer(e->lookups));
	json_object_set_new(o, "from_domain_exists", json_boolean(!e->nonexistent));
	return o;
}

static json_t *
dmarc_json(const struct mx_dmarc_result *r, int mode)
{
	const struct mx_dmarc_eval *e = &r->e[mode];
	json_t *o = eval_json(e);
	json_object_set_new(o, "from_domain", text(r->from_domain));
	json_object_set_new(o, "alignment", json_pack("{s:o, s:o, s:s, s:s}",
	    "spf", text(e->spf_aligned), "dkim", text(e->dkim_aligned),
	    "spf_mode", e->has_record && e->rec.aspf_strict ? "strict" : "relaxed",
	    "dkim_mode", e->has_record && e->rec.adkim_strict ? "strict" : "relaxed"));
	json_object_set_new(o, "record", e->has_record ? record_json(&e->rec) : json_null());
	json_object_set_new(o, "rfc7489", eval_json(&r->e[MX_DMARC_7489]));
	json_object_set_new(o, "rfc9989", eval_json(&r->e[MX_DMARC_9989]));
	json_object_set_new(o, "differ", json_boolean(r->differ));
	json_object_set_new(o, "mode", json_string(mode == MX_DMARC_9989 ? "rfc9989" : "rfc7489"));
	json_t *lint = json_array();
	for (size_t i = 0; i < r->nlint; i++)
		json_array_append_new(lint, json_pack("{s:s, s:s, s:o}", "code", r->lint[i].code,
		    "severity", mx_severity_name((enum mx_severity)r->lint[i].severity), "message",
		    text(r->lint[i].message)));
	json_object_set_new(o, "lint", lint);
	return o;
}

int
mx_report_dmarc_json(FILE *out, const struct mx_dmarc_result *r, int mode)
{
	json_t *o = json_pack("{s:o, s:s, s:{s:s, s:s}}", "dmarc", dmarc_json(r, mode),
	    "schema_version", MX_SCHEMA_VERSION, "tool", "name", "mxray", "version", MXRAY_VERSION);
	int rc = json_dumpf(o, out, JSON_SORT_KEYS | JSON_INDENT(2));
	json_decref(o);
	if (rc == 0 && fputc('\n', out) == EOF)
		rc = -1;
	return rc;
}

static json_t *
gmail_card_json(const struct mx_gmail *g)
{
	json_t *ex = json_array();
	for (size_t i = 0; i < g->nex; i++)
		json_array_append_new(ex, json_pack("{s:s, s:o, s:o}", "indicator", g->ex[i].indicator,
		    "reason", text(g->ex[i].reason), "fix", text(g->ex[i].fix)));
	json_t *o = json_object();
	json_object_set_new(o, "mailed_by", text(g->mailed_by));
	json_object_set_new(o, "signed_by", text(g->signed_by));
	json_object_set_new(o, "via", text(g->via));
	json_object_set_new(o, "question_mark", json_boolean(g->question_mark));
	json_object_set_new(o, "encryption", json_string(g->encryption ? g->encryption : "unknown"));
	json_object_set_new(o, "receiver_is_gmail", json_boolean(g->receiver_is_gmail));
	json_object_set_new(o, "basis", str_or_null(g->basis));
	json_object_set_new(o, "explanations", ex);
	return o;
}

static json_t *
arc_json(const struct mx_analysis *a)
{
	const struct mx_arc_result *r = &a->arc;
	json_t *inst = json_array();
	for (size_t k = 0; k < r->ninst; k++) {
		const struct mx_arc_instance *in = &r->inst[k];
		json_t *rec = json_array();
		for (size_t i = 0; i < a->nrec; i++) {
			const struct mx_recorded *x = &a->rec[i];
			if (strcmp(x->source, "arc-authentication-results") != 0 ||
			    x->instance != in->instance)
				continue;
			json_t *props = json_object();
			for (size_t p = 0; p < x->nprops; p++)
				json_object_set_new(props, x->props[p].key, text(x->props[p].value));
			json_array_append_new(rec, json_pack("{s:o, s:o, s:o, s:o}", "method",
			    text(x->method), "result", text(x->result), "authserv_id",
			    text(x->authserv_id), "properties", props));
		}
		json_t *o = json_object();
		json_object_set_new(o, "instance", json_integer(in->instance));
		json_object_set_new(o, "sealer", text(in->sealer));
		json_object_set_new(o, "cv", text(in->cv));
		json_object_set_new(o, "ams_result", json_string(in->ams_result));
		json_object_set_new(o, "as_result", json_string(in->as_result));
		json_object_set_new(o, "ams_reason", text(in->ams.reason));
		json_object_set_new(o, "as_reason", text(in->as.reason));
		json_object_set_new(o, "recorded", rec);
		json_object_set_new(o, "trusted", json_boolean(in->trusted));
		json_object_set_new(o, "hop", in->hop >= 0 ?
		    json_integer((json_int_t)a->hops[in->hop].number) : json_null());
		json_object_set_new(o, "story", text(in->story));
		json_array_append_new(inst, o);
	}
	json_t *o = json_object();
	json_object_set_new(o, "result", json_string(r->result ? r->result : "none"));
	json_object_set_new(o, "instances", inst);
	json_object_set_new(o, "failed_instance", r->failed_instance ?
	    json_integer(r->failed_instance) : json_null());
	json_object_set_new(o, "reason", text(r->reason));
	json_object_set_new(o, "sets", json_integer((json_int_t)r->sets));
	return o;
}

static json_t *
verdict_json(const struct mx_analysis *a)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < a->nverdict; i++) {
		const struct mx_verdict_item *v = &a->verdict[i];
		json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:b, s:o}", "method", v->method,
		    "recorded", text(v->recorded), "recomputed", text(v->recomputed), "agree",
		    v->agree, "cause", text(v->cause)));
	}
	return arr;
}

static json_t *
findings_json(const struct mx_findings *fs)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < fs->n; i++) {
		const struct mx_finding *f = &fs->v[i];
		json_t *loc = json_object();
		json_object_set_new(loc, "field_index", f->field_index >= 0 ?
		    json_integer(f->field_index) : json_null());
		json_object_set_new(loc, "field", text(f->field));
		json_object_set_new(loc, "offset", f->offset >= 0 ? json_integer(f->offset) :
		    json_null());
		json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:o}", "code", f->code,
		    "severity", mx_severity_name(f->severity), "message", text(f->message),
		    "location", loc));
	}
	return arr;
}

static json_t *
analysis_json(const struct mx_analysis *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "input", input_json(a));
	if (a->intake.kind != MX_INPUT_MESSAGE)
		return o;
	json_object_set_new(o, "message", message_json(a));
	json_t *hops = json_array();
	for (size_t i = 0; i < a->nhops; i++)
		json_array_append_new(hops, hop_json(&a->hops[i]));
	json_object_set_new(o, "hops", hops);
	json_object_set_new(o, "transit", json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:I}",
	    "total_s", a->has_transit ? json_integer(a->transit_s) : json_null(),
	    "date_to_boundary_s", a->has_since_date ? json_integer(a->since_date_s) : json_null(),
	    "hops", (json_int_t)a->nhops, "tls", (json_int_t)a->hops_tls,
	    "unencrypted", (json_int_t)a->hops_unencrypted,
	    "tls_unknown", (json_int_t)a->hops_tls_unknown,
	    "internal", (json_int_t)a->hops_internal));
	json_object_set_new(o, "boundary", boundary_json(a));
	json_t *rec = json_array();
	for (size_t i = 0; i < a->nrec; i++)
		json_array_append_new(rec, recorded_json(&a->rec[i]));
	json_object_set_new(o, "recorded", rec);
	json_object_set_new(o, "gmail_summary", gmail_json(a));
	json_object_set_new(o, "dkim", dkim_json(a));
	json_object_set_new(o, "dkim_signatures", json_integer((json_int_t)a->dkim_fields));
	char vt[MX_ISO8601_LEN];
	json_object_set_new(o, "verification_time", json_pack("{s:s, s:s}", "time",
	    mx_datetime_iso8601(a->verify_time, vt), "source", a->verify_time_source ?
	    a->verify_time_source : "none"));
	json_object_set_new(o, "dns_lookups", json_integer(a->dns_lookups));
	json_object_set_new(o, "spf", a->has_spf ? spf_json(&a->spf, a->spf_mail_from_source) :
	    json_null());
	json_object_set_new(o, "spf_helo", a->has_spf_helo ? spf_json(&a->spf_helo, NULL) :
	    json_null());
	json_object_set_new(o, "dmarc", a->has_dmarc ? dmarc_json(&a->dmarc, MX_DMARC_7489) :
	    json_null());
	json_object_set_new(o, "verdict", verdict_json(a));
	json_object_set_new(o, "arc", a->has_arc ? arc_json(a) : json_null());
	json_object_set_new(o, "gmail", a->has_gmail ? gmail_card_json(&a->gmail) : json_null());
	json_object_set_new(o, "findings", findings_json(&a->findings));
	json_object_set_new(o, "findings_suppressed", json_integer((json_int_t)a->findings.suppressed));
	json_t *att = json_array();
	for (size_t i = 0; i < a->nattached; i++) {
		json_t *sub = analysis_json(a->attached[i]);
		const struct mx_attached *at = &a->mime.att[i];
		json_object_set_new(sub, "attachment", json_pack("{s:o, s:o, s:b}",
		    "filename", text(at->filename),
		    "offset", at->copy ? json_null() : json_integer((json_int_t)at->start),
		    "reserialized", at->copy != NULL));
		json_array_append_new(att, sub);
	}
	json_object_set_new(o, "attached", att);
	json_object_set_new(o, "attached_count", json_integer((json_int_t)a->mime.natt));
	return o;
}

json_t *
mx_report_json_value(const struct mx_analysis *a)
{
	json_t *o = analysis_json(a);
	json_object_set_new(o, "schema_version", json_string(MX_SCHEMA_VERSION));
	json_object_set_new(o, "tool", json_pack("{s:s, s:s}", "name", "mxray",
	    "version", MXRAY_VERSION));
	return o;
}

int
mx_report_json(FILE *out, const struct mx_analysis *a, int compact)
{
	json_t *o = mx_report_json_value(a);
	size_t flags = JSON_SORT_KEYS | (compact ? JSON_COMPACT : JSON_INDENT(2));
	int rc = json_dumpf(o, out, flags);
	json_decref(o);
	if (rc == 0 && fputc('\n', out) == EOF)
		rc = -1;
	return rc;
}

int
mx_report_codes_json(FILE *out)
{
	json_t *arr = json_array();
	for (const struct mx_finding_code *c = mx_finding_codes; c->code; c++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "code", c->code,
		    "severity", mx_severity_name(c->severity), "summary", c->summary));
	int rc = json_dumpf(arr, out, JSON_INDENT(2));
	json_decref(arr);
	if (rc == 0 && fputc('\n', out) == EOF)
		rc = -1;
	return rc;
}
