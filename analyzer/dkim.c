/*
 * dkim.c - verify every DKIM-Signature (RFC 6376 §6), judge it by RFC 8301,
 * and hand failures to the diagnosis (dkim_diag.c).
 *
 * Unlike mailauth and dkimpy, a body hash mismatch does not stop the check:
 * the header signature is verified too, because "the body changed but the
 * signature over the headers is genuine" is the most useful thing to know.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "dkim_canon.h"
#include "domain.h"

enum mx_digest
mx_dkim_digest_of(enum mx_dkim_alg a)
{
	return a == MX_DKIM_RSA_SHA1 ? MX_DIGEST_SHA1 : MX_DIGEST_SHA256;
}

static void
emit_digest(void *ctx, const char *p, size_t n)
{
	mx_digest_update(ctx, p, n);
}

/*
 * Canonical body bytes come in runs of a word or a line: gathered here and
 * hashed a buffer at a time (one digest call per run cost more than the
 * SHA-256 itself).
 */
struct staged {
	struct mx_digest_ctx *c;
	size_t n;
	char buf[16384];
};

static void
emit_staged(void *ctx, const char *p, size_t n)
{
	struct staged *st = ctx;
	if (st->n + n > sizeof st->buf) {
		mx_digest_update(st->c, st->buf, st->n);
		st->n = 0;
	}
	if (n >= sizeof st->buf) {
		mx_digest_update(st->c, p, n);
		return;
	}
	memcpy(st->buf + st->n, p, n);
	st->n += n;
}

size_t
mx_dkim_body_digest(const struct mx_dkim_sig *s, const char *body, size_t len,
    unsigned char *out, uint64_t *canon_total)
{
	struct staged *st = malloc(sizeof *st);
	if (st == NULL || (st->c = mx_digest_new(mx_dkim_digest_of(s->alg))) == NULL) {
		free(st);
		return 0;
	}
	st->n = 0;
	struct mx_canon_body cb;
	mx_canon_body_init(&cb, s->bcanon, s->has_l, s->l, emit_staged, st);
	mx_canon_body_update(&cb, body, len);
	mx_canon_body_final(&cb);
	if (canon_total)
		*canon_total = cb.total;
	mx_digest_update(st->c, st->buf, st->n);
	size_t dl = mx_digest_final(st->c, out);
	free(st);
	return dl;
}

/* An earlier signature of this message that hashed the body the same way (mailauth does this too). */
static const struct mx_dkim_result *
same_body_hash(const struct mx_analysis *a, const struct mx_dkim_result *r)
{
	for (const struct mx_dkim_result *o = a->dkim; o < r; o++)
		if (o->sig.ok && o->bh_computed_len > 0 && o->sig.bcanon == r->sig.bcanon &&
		    mx_dkim_digest_of(o->sig.alg) == mx_dkim_digest_of(r->sig.alg) &&
		    o->sig.has_l == r->sig.has_l && (!o->sig.has_l || o->sig.l == r->sig.l))
			return o;
	return NULL;
}

static void
hash_field(struct mx_digest_ctx *c, enum mx_dkim_canon canon, const char *raw, size_t len,
    int skip_crlf)
{
	mx_canon_header_emit(canon, raw, len, skip_crlf, emit_digest, c);
}

size_t
mx_dkim_header_digest(const struct mx_dkim_sig *s, const struct mx_field *fields, size_t n,
    size_t sig_field, unsigned char *out)
{
	struct mx_digest_ctx *c = mx_digest_new(mx_dkim_digest_of(s->alg));
	if (c == NULL)
		return 0;
	/* RFC 6376 §5.4.2: each name takes the next instance from the bottom up */
	unsigned char *used = calloc(n ? n : 1, 1);
	if (used == NULL) {
		mx_digest_free(c);
		return 0;
	}
	for (size_t k = 0; k < s->nh; k++) {
		for (size_t i = n; i-- > 0;) {
			if (used[i] || i == sig_field || !mx_span_ieq(fields[i].name, s->h[k]))
				continue;
			used[i] = 1;
			hash_field(c, s->hcanon, fields[i].raw.ptr, fields[i].raw.len, 0);
			break;
		}
	}
	free(used);
	/* RFC 6376 §3.7: the signature field last, its b= value deleted, no final CRLF */
	const struct mx_field *sf = &fields[sig_field];
	size_t voff = (size_t)(sf->value.ptr - sf->raw.ptr) + s->b_value_offset;
	size_t len = sf->raw.len;
	char *tmp = malloc(len + 1);
	if (tmp == NULL || voff + s->b_value_len > len) {
		free(tmp);
		mx_digest_free(c);
		return 0;
	}
	memcpy(tmp, sf->raw.ptr, voff);
	memcpy(tmp + voff, sf->raw.ptr + voff + s->b_value_len, len - voff - s->b_value_len);
	hash_field(c, s->hcanon, tmp, len - s->b_value_len, 1);
	free(tmp);
	return mx_digest_final(c, out);
}

int
mx_dkim_check(const struct mx_dkim_result *r, const unsigned char *digest, size_t dlen)
{
	if (r->key == NULL)
		return -1;
	return mx_verify(r->key, mx_dkim_digest_of(r->sig.alg), digest, dlen, r->sig.b,
	    r->sig.blen);
}

void
mx_dkim_result_finish(struct mx_dkim_result *r)
{
	mx_dkim_sig_finish(&r->sig);
	free(r->reason);
	free(r->policy_reason);
	free(r->key_name);
	free(r->diag_code);
	free(r->diag_detail);
	mx_pubkey_free(r->key);
	memset(r, 0, sizeof *r);
}

static void
set_result(struct mx_dkim_result *r, const char *result, char *reason)
{
	r->result = result;
	free(r->reason);
	r->reason = reason;
}

/* The time t= and x= are judged at: --now, else the receipt time. */
static void
choose_time(struct mx_analysis *a, const struct mx_options *opt)
{
	if (opt->has_now) {
		a->verify_time = opt->now;
		a->verify_time_source = "given with --now";
		return;
	}
	if (a->boundary.found && a->hops[a->boundary.hop].r.has_date) {
		a->verify_time = a->hops[a->boundary.hop].r.date.utc;
		a->verify_time_source = "the receiver's Received timestamp (receipt time)";
		return;
	}
	for (size_t i = a->nhops; i-- > 0;)
		if (a->hops[i].r.has_date) {
			a->verify_time = a->hops[i].r.date.utc;
			a->verify_time_source = "the topmost Received timestamp";
			return;
		}
	/* the Date field is the author's claim, not a receipt: judge at the current time */
	a->verify_time = a->clock;
	a->verify_time_source = "the current time (no Received timestamp to judge at)";
}

/* Look up and parse the key; sets the result on failure and returns 0. */
static int
fetch_key(struct mx_analysis *a, const struct mx_options *opt, struct mx_dkim_result *r,
    struct mx_dkim_key *key)
{
	memset(key, 0, sizeof *key);
	r->key_name = mx_fmt("%s._domainkey.%s", r->sig.s, r->sig.d);
	if (r->key_name == NULL)
		return -1;
	if (opt->dns == NULL || !mx_dns_has_data(opt->dns)) {
		r->key_dns = MX_DNS_NOT_IN_SNAPSHOT;
		set_result(r, "temperror", mx_fmt("the key %s was not looked up: no DNS data was "
		    "given (--dns FILE, or --online)", r->key_name));
		return 0;
	}
	struct mx_dns_answer ans;
	if (mx_dns_query(opt->dns, r->key_name, MX_DNS_TXT, &ans, &a->dns_lookups) != 0)
		return -1;
	r->key_dns = ans.status;
	r->key_validated = ans.validated;
	int got = 0;
	switch (ans.status) {
	case MX_DNS_OK:
		/* RFC 6376 §3.6.2.2: several TXT records are ambiguous; the first usable one is used */
		for (size_t i = 0; i < ans.nrrs && !got; i++) {
			mx_dkim_key_finish(key);
			if (mx_dkim_key_parse(ans.rrs[i].data, ans.rrs[i].len, key) != 0) {
				mx_dns_answer_finish(&ans);
				return -1;
			}
			got = key->ok || i + 1 == ans.nrrs;
		}
		if (!got)
			set_result(r, "permerror", mx_fmt("%s has no TXT record", r->key_name));
		break;
	case MX_DNS_NXDOMAIN:
	case MX_DNS_NODATA:
		set_result(r, "permerror", mx_fmt("no key at %s (%s): the selector does not exist",
		    r->key_name, mx_dns_status_name(ans.status)));
		break;
	case MX_DNS_SERVFAIL:
	case MX_DNS_TIMEOUT:
		set_result(r, "temperror", mx_fmt("the key lookup of %s failed (%s)", r->key_name,
		    mx_dns_status_name(ans.status)));
		break;
	case MX_DNS_PLANNED:
		set_result(r, "temperror", mx_fmt("the key lookup of %s was planned, not sent "
		    "(--dns-plan)", r->key_name));
		break;
	default:
		set_result(r, "temperror", mx_fmt("the key %s is not in the DNS snapshot: add it with "
		    "`dig +noall +answer %s TXT >> snapshot.zone` and --dns, or use --online",
		    r->key_name, r->key_name));
		break;
	}
	mx_dns_answer_finish(&ans);
	r->key_found = got;
	return 0;
}

/* RFC 6376 §6.1.2 and §3.6.1: is this key acceptable for this signature? */
static const char *
key_mismatch(const struct mx_dkim_sig *s, const struct mx_dkim_key *k)
{
	int ed = s->alg == MX_DKIM_ED25519_SHA256;
	if (strcmp(k->k, ed ? "ed25519" : "rsa") != 0)
		return "the key's type (k=) does not match the signature's algorithm";
	if (k->h) {
		const char *want = s->alg == MX_DKIM_RSA_SHA1 ? "sha1" : "sha256";
		int ok = 0;
		for (const char *p = k->h; *p;) {
			const char *e = strchr(p, ':');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			while (n && isspace((unsigned char)p[n - 1]))
				n--;
			while (n && isspace((unsigned char)*p)) {
				p++;
				n--;
			}
			if (n == strlen(want) && strncasecmp(p, want, n) == 0)
				ok = 1;
			if (e == NULL)
				break;
			p = e + 1;
		}
		if (!ok)
			return "the key's h= does not allow the signature's hash";
	}
	if (k->strict && s->i) {	/* ARC signatures have no i= AUID */
		const char *at = strrchr(s->i, '@');
		if (at == NULL || strcasecmp(at + 1, s->d) != 0)
			return "the key is t=s (strict) but i= is a subdomain of d=";
	}
	return NULL;
}

static void
judge_policy(struct mx_analysis *a, const struct mx_options *opt, struct mx_dkim_result *r)
{
	r->policy_result = r->result;
	if (strcmp(r->result, "pass") != 0)
		return;
	char *why = NULL;
	if (r->sig.alg == MX_DKIM_RSA_SHA1)
		why = mx_fmt("rsa-sha1 verifies, but RFC 8301 §3.1 says it MUST NOT be considered valid");
	else if (strcmp(r->key_type, "rsa") == 0 && r->key_bits < MX_DKIM_MIN_RSA_BITS)
		why = mx_fmt("the %d-bit RSA key is below the 1024 bits RFC 8301 §3.2 requires; "
		    "Gmail treats such mail as unsigned", r->key_bits);
	else if (r->sig.has_x && r->sig.x < a->verify_time)
		why = mx_fmt("the signature expired (x=) %lld s before %s", (long long)(a->verify_time -
		    r->sig.x), a->verify_time_source);
	else if (r->sig.has_t && r->sig.t > a->verify_time + MX_DKIM_CLOCK_SKEW_S)
		why = mx_fmt("the signature is timestamped (t=) %lld s after %s", (long long)(r->sig.t -
		    a->verify_time), a->verify_time_source);
	if (why) {
		r->policy_result = "policy";
		r->policy_reason = why;
	}
	(void)opt;
}

/*
 * Look up the key of r->sig (s=, d=), check that it fits the signature and
 * load it into r->key; on any failure r->result and r->reason say why.
 * Shared with ARC (arc.c), whose seals and message signatures use DKIM keys.
 */
int
mx_dkim_load_key(struct mx_analysis *a, const struct mx_options *opt, struct mx_dkim_result *r)
{
	struct mx_dkim_key key;
	if (fetch_key(a, opt, r, &key) != 0) {
		mx_dkim_key_finish(&key);
		return -1;
	}
	if (r->key_found) {
		snprintf(r->key_type, sizeof r->key_type, "%s", key.k ? key.k : "rsa");
		r->key_testing = key.testing;
		const char *mis = NULL;
		if (!key.ok)
			set_result(r, "permerror", key.revoked ?
			    mx_fmt("the key at %s is revoked (empty p=)", r->key_name) :
			    mx_fmt("the key at %s is unusable: %s", r->key_name, key.error));
		else if ((mis = key_mismatch(&r->sig, &key)) != NULL)
			set_result(r, "permerror", mx_fmt("%s", mis));
		else {
			const char *err = NULL;
			r->key = mx_pubkey_load(r->key_type, key.p, key.plen, &r->key_bits,
			    &r->key_pkcs1, &err);
			if (r->key == NULL)
				set_result(r, "permerror", mx_fmt("the key at %s: %s", r->key_name, err));
		}
	}
	mx_dkim_key_finish(&key);
	return 0;
}

static void
verify_one(struct mx_analysis *a, const struct mx_options *opt, struct mx_dkim_result *r)
{
	const struct mx_field *f = &a->hdr.fields[r->field_index];
	r->header_sig = -1;
	if (mx_dkim_sig_parse(f->value.ptr, f->value.len, &r->sig) != 0) {
		set_result(r, "temperror", mx_fmt("out of memory"));
		return;
	}
	if (!r->sig.ok) {
		set_result(r, "permerror", mx_fmt("%s%s%s", r->sig.error, r->sig.error_detail ? ": " : "",
		    r->sig.error_detail ? r->sig.error_detail : ""));
		r->policy_result = "permerror";
		return;
	}
	/* the body hash needs no DNS: compute and compare it first */
	if (a->msg.body_present || a->len > a->hdr.body_offset || a->hdr.has_separator) {
		const struct mx_dkim_result *o = same_body_hash(a, r);
		if (o != NULL) {
			memcpy(r->bh_computed, o->bh_computed, o->bh_computed_len);
			r->bh_computed_len = o->bh_computed_len;
			r->body_canon_len = o->body_canon_len;
		} else {
			r->bh_computed_len = mx_dkim_body_digest(&r->sig,
			    a->buf + a->hdr.body_offset, a->len - a->hdr.body_offset,
			    r->bh_computed, &r->body_canon_len);
		}
		r->body_hash = r->bh_computed_len == r->sig.bhlen &&
		    memcmp(r->bh_computed, r->sig.bh, r->sig.bhlen) == 0 ? MX_BH_PASS : MX_BH_FAIL;
	}
	if (mx_dkim_load_key(a, opt, r) != 0)
		return;
	if (r->key) {
		unsigned char hd[MX_DIGEST_MAX];
		size_t hl = mx_dkim_header_digest(&r->sig, a->hdr.fields, a->hdr.nfields,
		    (size_t)r->field_index, hd);
		int v = hl ? mx_dkim_check(r, hd, hl) : -1;
		r->header_sig = v == 1;
		if (v < 0)
			set_result(r, "permerror", mx_fmt("the key does not fit the signature"));
		else if (r->body_hash == MX_BH_FAIL)
			set_result(r, "fail", mx_fmt("the body hash did not verify (the body changed after "
			    "signing); the signature over the headers %s", v ? "verified" :
			    "did not verify either"));
		else if (!v)
			set_result(r, "fail", mx_fmt("the signature over the headers did not verify%s",
			    r->body_hash == MX_BH_PASS ? " (the body is intact)" :
			    " (no body to check)"));
		else if (r->body_hash == MX_BH_NOT_CHECKED)
			set_result(r, "neutral", mx_fmt("the header signature verified, but there is no "
			    "body to check the body hash against"));
		else
			set_result(r, "pass", mx_fmt("body hash and signature verified with the %d-bit %s "
			    "key at %s", r->key_bits, r->key_type, r->key_name));
	} else if (r->result == NULL) {
		set_result(r, "permerror", mx_fmt("no usable key"));
	}
	judge_policy(a, opt, r);
}

/* Composition Kills A14/A15/A18: signed names with more instances than h= covers. */
static void
unsigned_instances(struct mx_analysis *a, const struct mx_dkim_result *r)
{
	static const char *const display[] = { "from", "subject", "to", "cc", "reply-to",
	    "date", "sender", "content-type" };
	for (size_t k = 0; k < sizeof display / sizeof display[0]; k++) {
		size_t signed_n = 0;
		for (size_t i = 0; i < r->sig.nh; i++)
			signed_n += strcmp(r->sig.h[i], display[k]) == 0;
		size_t have = mx_header_count(&a->hdr, display[k]);
		if (signed_n == 0 || have <= signed_n)
			continue;
		long first = mx_header_find(&a->hdr, display[k], 0);
		mx_findings_add(&a->findings, "DKIM_UNSIGNED_INSTANCE",
		    strcmp(display[k], "from") == 0 || strcmp(display[k], "subject") == 0 ?
		    MX_SEV_HIGH : -1, first, display[k], (long long)a->hdr.fields[first].offset,
		    "Signature %zu (d=%s) covers %zu %s field%s, but the message has %zu: the "
		    "topmost %s not covered. Mail apps show the top one; the signature vouches "
		    "for the bottom one (Composition Kills A15/A18). Signers should over-sign "
		    "(list the name once more in h=).", r->number, r->sig.d, signed_n, display[k],
		    signed_n == 1 ? "" : "s", have, have - signed_n == 1 ? "one is" : "ones are");
	}
}

static void
findings_for(struct mx_analysis *a, const struct mx_dkim_result *r)
{
	const char *d = r->sig.d ? r->sig.d : "?";
	long fi = r->field_index;
	long long off = r->offset;
	if (strcmp(r->result, "fail") == 0)
		mx_findings_add(&a->findings, r->body_hash == MX_BH_FAIL ? "DKIM_BODY_CHANGED" :
		    "DKIM_HEADERS_CHANGED", -1, fi, "DKIM-Signature", off,
		    "Signature %zu (d=%s, s=%s) fails: %s.%s%s", r->number, d, r->sig.s, r->reason,
		    r->diag_detail ? " " : "", r->diag_detail ? r->diag_detail : "");
	else if (strcmp(r->result, "permerror") == 0)
		mx_findings_add(&a->findings, "DKIM_PERMERROR", -1, fi, "DKIM-Signature", off,
		    "Signature %zu (d=%s) cannot be verified: %s.", r->number, d, r->reason);
	else if (strcmp(r->result, "temperror") == 0 && r->diag_code &&
	    strcmp(r->diag_code, "key_rotated") == 0)
		mx_findings_add(&a->findings, "DKIM_KEY_ROTATED", -1, fi, "DKIM-Signature", off,
		    "Signature %zu (d=%s, s=%s): %s", r->number, d, r->sig.s, r->diag_detail);
	else if (strcmp(r->result, "temperror") == 0)
		mx_findings_add(&a->findings, "DKIM_KEY_UNAVAILABLE", -1, fi, "DKIM-Signature", off,
		    "Signature %zu (d=%s) was not verified: %s.%s", r->number, d, r->reason,
		    r->body_hash == MX_BH_PASS ? " Its body hash matches: the body is as signed." :
		    r->body_hash == MX_BH_FAIL ? " Its body hash does NOT match: the body changed "
		    "after signing." : "");
	if (strcmp(r->policy_result, "policy") == 0)
		mx_findings_add(&a->findings, "DKIM_POLICY", -1, fi, "DKIM-Signature", off,
		    "Signature %zu (d=%s) verifies, but %s.", r->number, d, r->policy_reason);
	if (r->key_testing && strcmp(r->result, "pass") == 0)
		mx_findings_add(&a->findings, "DKIM_TESTING", -1, fi, "DKIM-Signature", off,
		    "Signature %zu (d=%s) verifies with a key in testing mode (t=y): RFC 6376 says "
		    "receivers must treat the mail as unsigned.", r->number, d);
	if (r->diag_code && strcmp(r->diag_code, "unsigned_tail") == 0)
		mx_findings_add(&a->findings, "DKIM_UNSIGNED_TAIL", -1, fi, "DKIM-Signature", off,
		    "Signature %zu (d=%s) signs only the first %llu bytes of the body (l=). %s",
		    r->number, d, (unsigned long long)r->sig.l, r->diag_detail);
	else if (r->diag_code && strcmp(r->diag_code, "expired_since_delivery") == 0)
		mx_findings_add(&a->findings, "DKIM_EXPIRED_SINCE_DELIVERY", -1, fi, "DKIM-Signature",
		    off, "Signature %zu (d=%s) %s", r->number, d, r->diag_detail);
	if (r->key_pkcs1)
		mx_findings_add(&a->findings, "DKIM_KEY_FORMAT", -1, fi, "DKIM-Signature", off,
		    "The key at %s is a bare PKCS#1 RSAPublicKey, not the SubjectPublicKeyInfo RFC "
		    "6376 §3.6.1 specifies; mxray read it, some verifiers will not.", r->key_name);
	if (r->sig.ok)
		unsigned_instances(a, r);
}

int
mx_dkim_verify(struct mx_analysis *a, const struct mx_options *opt)
{
	a->dkim_fields = mx_header_count(&a->hdr, "DKIM-Signature");
	a->dns_given = opt->dns && mx_dns_has_data(opt->dns);
	choose_time(a, opt);
	if (a->dkim_fields == 0) {
		if (a->hdr.nfields > 0)
			mx_findings_add(&a->findings, "DKIM_NONE", -1, -1, NULL, -1,
			    "The message carries no DKIM signature: nothing ties it to a domain but "
			    "the sending server's IP (SPF). Gmail requires SPF or DKIM from every "
			    "sender, and both from bulk senders.");
		return 0;
	}
	size_t n = a->dkim_fields < MX_DKIM_MAX_SIGS ? a->dkim_fields : MX_DKIM_MAX_SIGS;
	a->dkim = calloc(n, sizeof *a->dkim);
	if (a->dkim == NULL)
		return -1;
	for (size_t i = 0; i < a->hdr.nfields && a->ndkim < n; i++) {
		if (!mx_span_ieq(a->hdr.fields[i].name, "DKIM-Signature"))
			continue;
		struct mx_dkim_result *r = &a->dkim[a->ndkim++];
		r->number = a->ndkim;
		r->field_index = (long)i;
		r->offset = (long long)a->hdr.fields[i].offset;
		verify_one(a, opt, r);
		if (r->result == NULL)
			return -1;
		mx_dkim_diagnose(a, r);
		findings_for(a, r);
	}
	if (a->dkim_fields > n)
		mx_findings_add(&a->findings, "DKIM_TOO_MANY_SIGNATURES", -1, -1, "DKIM-Signature", -1,
		    "The message has %zu DKIM-Signature fields; mxray verified the first %d and "
		    "left %zu unexamined (each costs a DNS lookup an attacker could multiply).",
		    a->dkim_fields, MX_DKIM_MAX_SIGS, a->dkim_fields - n);
	return 0;
}
