/*
 * tool_parse.c - feed header values to one parser and print what it read,
 * for the conformance harnesses (tests/conformance_*.py).
 *
 *   tool_parse received|authres|arc-authres|received-spf|date < lines
 *
 * Each input line is a JSON string (the field value, without the name);
 * each output line is a JSON object describing the parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "authres.h"
#include "datetime.h"
#include "received.h"
#include "received_spf.h"

static json_t *
date_json(const struct mx_datetime *d)
{
	char iso[MX_ISO8601_LEN];
	return json_pack("{s:I, s:i, s:s, s:i, s:i}", "utc", (json_int_t)d->utc,
	    "millis", d->millis, "iso", mx_datetime_iso8601(d->utc, iso),
	    "tz_offset_min", d->tz_offset_min, "flags", (int)d->flags);
}

static json_t *
do_date(const char *v, size_t n)
{
	struct mx_datetime d;
	if (mx_datetime_parse(v, n, &d) != 0)
		return json_pack("{s:b}", "ok", 0);
	json_t *o = date_json(&d);
	json_object_set_new(o, "ok", json_true());
	return o;
}

static const char *
kind_name(enum mx_received_kind k)
{
	switch (k) {
	case MX_RCVD_RELAY: return "relay";
	case MX_RCVD_LOCAL: return "local";
	default: return "unparsed";
	}
}

static json_t *
do_received(const char *v, size_t n)
{
	struct mx_received r;
	if (mx_received_parse(v, n, &r) != 0)
		return json_pack("{s:s}", "error", "nomem");
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:i}",
	    "kind", kind_name(r.kind), "helo", r.helo, "rdns", r.rdns, "ip", r.from_ip,
	    "ident", r.ident, "by", r.by_host, "via", r.via, "with", r.protocol, "id", r.id,
	    "for", r.for_addr, "envelope_from", r.envelope_from, "from_text", r.from_text,
	    "by_text", r.by_text, "with_text", r.with_text, "tls_version", r.tls_version,
	    "auth", r.auth, "tls_cipher", r.tls_cipher, "tls_evidence", r.tls_evidence,
	    "flags", (int)r.flags);
	json_object_set_new(o, "tls", r.tls == MX_TLS_UNKNOWN ? json_null() :
	    json_boolean(r.tls == MX_TLS_YES));
	json_object_set_new(o, "date", r.has_date ? date_json(&r.date) : json_null());
	mx_received_finish(&r);
	return o;
}

static json_t *
do_authres(const char *v, size_t n, int arc)
{
	struct mx_authres ar;
	int rc = mx_authres_parse(v, n, arc, &ar);
	if (rc == MX_AR_NOMEM)
		return json_pack("{s:s}", "error", "nomem");
	static const char *status[] = { "ok", "lenient", "reject" };
	json_t *o = json_pack("{s:s, s:i, s:i, s:b, s:i}", "status", status[rc],
	    "instance", ar.instance, "version", ar.version, "none", ar.none,
	    "flags", (int)ar.flags);
	json_object_set_new(o, "authserv_id",
	    ar.authserv_id ? json_string(ar.authserv_id) : json_null());
	json_object_set_new(o, "authserv_comment",
	    ar.authserv_comment ? json_string(ar.authserv_comment) : json_null());
	json_object_set_new(o, "error", ar.error ? json_string(ar.error) : json_null());
	json_object_set_new(o, "error_offset", json_integer((json_int_t)ar.error_offset));
	json_t *results = json_array();
	for (size_t i = 0; i < ar.nresults; i++) {
		const struct mx_authres_result *r = &ar.results[i];
		json_t *jr = json_pack("{s:s, s:s, s:i}", "method", r->method,
		    "result", r->result, "method_version", r->method_version);
		json_object_set_new(jr, "reason", r->reason ? json_string(r->reason) : json_null());
		json_object_set_new(jr, "comment", r->comment ? json_string(r->comment) : json_null());
		json_t *props = json_array();
		for (size_t j = 0; j < r->nprops; j++) {
			const struct mx_authres_prop *p = &r->props[j];
			json_t *jp = json_pack("{s:s, s:s, s:s}", "ptype", p->ptype,
			    "property", p->property, "value", p->value);
			json_object_set_new(jp, "comment",
			    p->comment ? json_string(p->comment) : json_null());
			json_array_append_new(props, jp);
		}
		json_object_set_new(jr, "properties", props);
		json_array_append_new(results, jr);
	}
	json_object_set_new(o, "results", results);
	mx_authres_finish(&ar);
	return o;
}

static json_t *
do_received_spf(const char *v, size_t n)
{
	struct mx_received_spf r;
	if (mx_received_spf_parse(v, n, &r) != 0)
		return json_pack("{s:s}", "error", "nomem");
	json_t *kv = json_object();
	for (size_t i = 0; i < r.nkv; i++)
		json_object_set_new(kv, r.kv[i].key, json_string(r.kv[i].value));
	json_t *o = json_pack("{s:s, s:o, s:b}", "result", r.result, "kv", kv,
	    "lenient", r.lenient);
	json_object_set_new(o, "comment", r.comment ? json_string(r.comment) : json_null());
	mx_received_spf_finish(&r);
	return o;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: tool_parse received|authres|arc-authres|received-spf|date\n");
		return 2;
	}
	const char *mode = argv[1];
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	while ((got = getline(&line, &cap, stdin)) > 0) {
		json_error_t err;
		json_t *in = json_loadb(line, (size_t)got, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		if (in == NULL || !json_is_string(in)) {
			fprintf(stderr, "tool_parse: bad input line: %s\n", err.text);
			free(line);
			return 2;
		}
		const char *v = json_string_value(in);
		size_t n = json_string_length(in);
		json_t *out;
		if (strcmp(mode, "received") == 0)
			out = do_received(v, n);
		else if (strcmp(mode, "authres") == 0)
			out = do_authres(v, n, 0);
		else if (strcmp(mode, "arc-authres") == 0)
			out = do_authres(v, n, 1);
		else if (strcmp(mode, "received-spf") == 0)
			out = do_received_spf(v, n);
		else if (strcmp(mode, "date") == 0)
			out = do_date(v, n);
		else {
			fprintf(stderr, "tool_parse: unknown mode %s\n", mode);
			json_decref(in);
			free(line);
			return 2;
		}
		char *s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		puts(s);
		free(s);
		json_decref(out);
		json_decref(in);
	}
	free(line);
	return 0;
}
