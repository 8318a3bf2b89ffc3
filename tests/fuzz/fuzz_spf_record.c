/*
 * fuzz_spf_record.c - parsers/spf_record.c: the input as an SPF record
 * (each domain-spec of a valid record then expanded with a fixed context,
 * over IPv4 and IPv6), as a macro-string and as an explanation.
 * Invariants abort on violation.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "spf_record.h"

static void
check(int ok)
{
	if (!ok)
		abort();
}

static const unsigned char ip4[4] = { 192, 0, 2, 3 };
static const unsigned char ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcb,
    0x01 };

static const char *
ptr_name(void *arg)
{
	(void)arg;
	return "mx.example.org";
}

static void
set_ctx(struct mx_spf_macro_ctx *m, int v6)
{
	memset(m, 0, sizeof *m);
	m->sender = "strong-bad@email.example.com";
	m->domain = "email.example.com";
	m->ip = v6 ? ip6 : ip4;
	m->ipv6 = v6;
	m->helo = "mail.example.org";
	m->receiver = "mx.receiver.example";
	m->now = 1400000000;
	m->p = ptr_name;
}

/* Expand ms; a name expansion of a domain-spec the parser accepted must succeed. */
static void
expand(const char *ms, int exp, int name, int must)
{
	static char out[MX_SPF_MAX_EXPANSION + 1];
	char letters[8];
	for (int v6 = 0; v6 <= 1; v6++) {
		struct mx_spf_macro_ctx m;
		const char *err = NULL;
		set_ctx(&m, v6);
		memset(out, 'Z', sizeof out);
		int rc = mx_spf_expand(ms, &m, exp, name, out, sizeof out, &err);
		check(rc == 0 || rc == -1);
		check(memchr(out, '\0', sizeof out) != NULL);
		if (rc == 0) {
			check(err == NULL);
			check(strlen(out) <= MX_SPF_MAX_EXPANSION);
			if (name)
				check(strlen(out) <= MX_SPF_MAX_NAME);
		} else {
			check(err != NULL && out[0] == '\0');
			check(!must);
		}
	}
	mx_spf_macro_letters(ms, letters, sizeof letters);
	check(strlen(letters) < sizeof letters);
	for (const char *p = letters; *p; p++)
		check(strchr("lsohip", *p) != NULL && strchr(p + 1, *p) == NULL);
}

static void
record(const char *buf, size_t size)
{
	struct mx_spf_record r;
	if (mx_spf_record_parse(buf, size, &r) != 0) {
		mx_spf_record_finish(&r);
		return;
	}
	check(r.ok == (r.error == NULL));
	check(r.length == size);
	check(r.error_offset <= size);
	check(r.nterms + r.nunknown <= MX_SPF_MAX_TERMS);
	check(!r.ok || mx_spf_is_record(buf, size));
	for (size_t i = 0; i < r.nterms; i++) {
		const struct mx_spf_term *t = &r.terms[i];
		check(t->text != NULL && t->offset + strlen(t->text) <= size);
		check(memcmp(buf + t->offset, t->text, strlen(t->text)) == 0);
		check(t->mech >= MX_SPF_ALL && t->mech <= MX_SPF_EXISTS);
		check(t->qualifier == MX_SPF_Q_PASS || t->qualifier == MX_SPF_Q_FAIL ||
		    t->qualifier == MX_SPF_Q_SOFTFAIL || t->qualifier == MX_SPF_Q_NEUTRAL);
		check(t->cidr4 >= -1 && t->cidr4 <= 32 && t->cidr6 >= -1 && t->cidr6 <= 128);
		if (t->mech == MX_SPF_IP4)
			check(t->cidr4 >= 0 && t->cidr6 == -1);
		if (t->mech == MX_SPF_IP6)
			check(t->cidr6 >= 0 && t->cidr4 == -1);
		if (t->mech == MX_SPF_INCLUDE || t->mech == MX_SPF_EXISTS)
			check(t->domain_spec != NULL);
		if (t->mech == MX_SPF_ALL || t->mech == MX_SPF_IP4 || t->mech == MX_SPF_IP6)
			check(t->domain_spec == NULL);
		if (t->domain_spec && r.ok)
			expand(t->domain_spec, 0, 1, 1);
	}
	for (size_t i = 0; i < r.nunknown; i++) {
		check(r.unknown[i].name && r.unknown[i].value && r.unknown[i].offset < size);
		for (const char *p = r.unknown[i].name; *p; p++)
			check(!(*p >= 'A' && *p <= 'Z'));
		if (r.ok)
			expand(r.unknown[i].value, 1, 0, 0);
	}
	if (r.ok && r.redirect)
		expand(r.redirect, 0, 1, 1);
	if (r.ok && r.exp)
		expand(r.exp, 0, 1, 1);
	mx_spf_record_finish(&r);
	mx_spf_record_finish(&r);	/* finish leaves a zeroed struct: twice is safe */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	record((const char *)data, size);
	/* the same bytes as a macro-string (up to a NUL), both ways */
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	expand(s, 0, 1, 0);
	expand(s, 1, 0, 0);
	free(s);
	return 0;
}
