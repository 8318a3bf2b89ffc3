/*
 * arc.c - ARC chain validation (RFC 8617 §5.2) on top of the DKIM code:
 * ARC-Message-Signatures are DKIM-style signatures over header and body,
 * ARC-Seals sign the chain of ARC fields; keys, canonicalization and
 * verification are dkim.c's.  Then the story the chain tells.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis.h"
#include "authres.h"
#include "dkim_canon.h"
#include "domain.h"

static void
fail(struct mx_arc_result *r, int instance, char *why)
{
	if (r->failed_instance == 0 || (instance && instance < r->failed_instance)) {
		r->failed_instance = instance;
		free(r->reason);
		r->reason = why;
	} else {
		free(why);
	}
	r->result = "fail";
}

static void
emit(void *ctx, const char *p, size_t n)
{
	mx_digest_update(ctx, p, n);
}

static void
hash_raw(struct mx_digest_ctx *c, const struct mx_field *f, int skip_crlf)
{
	mx_canon_header_emit(MX_CANON_RELAXED, f->raw.ptr, f->raw.len, skip_crlf, emit, c);
}

/*
 * RFC 8617 §5.1.1: the seal of instance i signs, for each instance 1..i in
 * order, its AAR, AMS and AS (relaxed), the last AS with its b= emptied and
 * without its final CRLF.
 */
static size_t
seal_digest(const struct mx_analysis *a, const struct mx_arc_result *r, size_t upto,
    unsigned char *out)
{
	const struct mx_dkim_sig *s = &r->inst[upto].as.sig;
	struct mx_digest_ctx *c = mx_digest_new(mx_dkim_digest_of(s->alg));
	if (c == NULL)
		return 0;
	for (size_t k = 0; k <= upto; k++) {
		const struct mx_arc_instance *in = &r->inst[k];
		hash_raw(c, &a->hdr.fields[in->aar_field], 0);
		hash_raw(c, &a->hdr.fields[in->ams_field], 0);
		if (k < upto) {
			hash_raw(c, &a->hdr.fields[in->as_field], 0);
			continue;
		}
		const struct mx_field *f = &a->hdr.fields[in->as_field];
		size_t voff = (size_t)(f->value.ptr - f->raw.ptr) + s->b_value_offset;
		if (voff + s->b_value_len > f->raw.len) {
			mx_digest_free(c);
			return 0;
		}
		char *tmp = malloc(f->raw.len);
		if (tmp == NULL) {
			mx_digest_free(c);
			return 0;
		}
		memcpy(tmp, f->raw.ptr, voff);
		memcpy(tmp + voff, f->raw.ptr + voff + s->b_value_len, f->raw.len - voff - s->b_value_len);
		mx_canon_header_emit(MX_CANON_RELAXED, tmp, f->raw.len - s->b_value_len, 1, emit, c);
		free(tmp);
	}
	return mx_digest_final(c, out);
}

/*
 * ARC signatures use the DKIM algorithms (RFC 8617 §4.1.2/§4.1.3 refer to
 * RFC 6376 §3.5): rsa-sha256, and ed25519-sha256 (RFC 8463); rsa-sha1 and
 * RSA keys under 1024 bits are not acceptable (RFC 8301).
 */
static const char *
arc_policy(const struct mx_dkim_result *v)
{
	if (v->sig.alg == MX_DKIM_RSA_SHA1)
		return "rsa-sha1 is not acceptable (RFC 8301 §3.1)";
	if (v->sig.alg != MX_DKIM_RSA_SHA256 && v->sig.alg != MX_DKIM_ED25519_SHA256)
		return "an unknown algorithm";
	if (strcmp(v->key_type, "rsa") == 0 && v->key_bits && v->key_bits < MX_DKIM_MIN_RSA_BITS)
		return "the key is shorter than 1024 bits (RFC 8301 §3.2)";
	return NULL;
}

static int
check_ams(struct mx_analysis *a, const struct mx_options *opt, struct mx_arc_instance *in)
{
	struct mx_dkim_result *v = &in->ams;
	if (mx_dkim_load_key(a, opt, v) != 0)
		return -1;
	if (v->key == NULL) {
		in->ams_result = v->result ? v->result : "permerror";
		return 0;
	}
	const char *pol = arc_policy(v);
	unsigned char bh[MX_DIGEST_MAX], hd[MX_DIGEST_MAX];
	size_t bl = mx_dkim_body_digest(&v->sig, a->buf + a->hdr.body_offset,
	    a->len - a->hdr.body_offset, bh, &v->body_canon_len);
	v->body_hash = bl == v->sig.bhlen && memcmp(bh, v->sig.bh, bl) == 0 ? MX_BH_PASS : MX_BH_FAIL;
	size_t hl = mx_dkim_header_digest(&v->sig, a->hdr.fields, a->hdr.nfields,
	    (size_t)in->ams_field, hd);
	v->header_sig = hl && mx_dkim_check(v, hd, hl) == 1;
	in->ams_result = pol ? "fail" : v->body_hash == MX_BH_PASS && v->header_sig ? "pass" :
	    "fail";
	free(v->reason);
	v->reason = pol ? strdup(pol) : v->body_hash == MX_BH_FAIL ? strdup("the body changed since "
	    "this instance signed it") : !v->header_sig ? strdup("signed header fields changed "
	    "since this instance signed them") : NULL;
	return 0;
}

static int
check_as(struct mx_analysis *a, const struct mx_options *opt, struct mx_arc_result *r, size_t k)
{
	struct mx_arc_instance *in = &r->inst[k];
	struct mx_dkim_result *v = &in->as;
	if (mx_dkim_load_key(a, opt, v) != 0)
		return -1;
	if (v->key == NULL) {
		in->as_result = v->result ? v->result : "permerror";
		return 0;
	}
	const char *pol = arc_policy(v);
	unsigned char d[MX_DIGEST_MAX];
	size_t l = seal_digest(a, r, k, d);
	int ok = l && mx_dkim_check(v, d, l) == 1;
	in->as_result = pol ? "fail" : ok ? "pass" : "fail";
	free(v->reason);
	v->reason = pol ? strdup(pol) : ok ? NULL : strdup("the seal does not verify: the ARC fields "
	    "up to this instance were changed, or the seal was forged");
	return 0;
}

/* Read the ARC fields into instances; structural failures end the check. */
static int
collect(struct mx_analysis *a, struct mx_arc_result *r)
{
	int maxi = 0;
	size_t nfields = 0;
	int seen[MX_ARC_MAX_SETS + 1][3];
	memset(seen, 0, sizeof seen);
	long where[MX_ARC_MAX_SETS + 1][3];
	for (size_t i = 0; i < a->hdr.nfields; i++) {
		const struct mx_field *f = &a->hdr.fields[i];
		int kind = mx_span_ieq(f->name, "ARC-Seal") ? 0 : mx_span_ieq(f->name,
		    "ARC-Message-Signature") ? 1 : mx_span_ieq(f->name, "ARC-Authentication-Results") ?
		    2 : -1;
		if (kind < 0)
			continue;
		if (++nfields > MX_ARC_MAX_FIELDS) {
			fail(r, 0, mx_fmt("more than %d ARC fields", MX_ARC_MAX_FIELDS));
			return 0;
		}
		int inst = 0;
		const char *perr = NULL;
		if (kind == 2) {
			struct mx_authres ar;
			int rc = mx_authres_parse(f->value.ptr, f->value.len, 1, &ar);
			if (rc == MX_AR_NOMEM)
				return -1;
			inst = ar.instance;
			mx_authres_finish(&ar);
		} else {
			struct mx_dkim_sig s;
			if (mx_dkim_sig_parse_kind(f->value.ptr, f->value.len, kind == 0 ?
			    MX_SIG_ARC_SEAL : MX_SIG_ARC_AMS, &s) != 0)
				return -1;
			inst = s.instance;
			perr = s.ok ? NULL : s.error;
			mx_dkim_sig_finish(&s);
		}
		if (inst > MX_ARC_MAX_SETS) {
			r->sets = (size_t)inst;
			fail(r, 0, mx_fmt("an ARC set with instance %d: more than %d sets is a failed chain "
			    "(RFC 8617 §5.2), checked before any signature", inst, MX_ARC_MAX_SETS));
			return 0;
		}
		if (inst < 1 && perr) {
			char name[40];
			snprintf(name, sizeof name, "%.*s", (int)f->name.len, f->name.ptr);
			fail(r, 0, mx_fmt("field %zu (%s) cannot be read: %s", i + 1, name, perr));
			return 0;
		}
		if (inst < 1) {
			char name[40];
			snprintf(name, sizeof name, "%.*s", (int)f->name.len, f->name.ptr);
			fail(r, 0, mx_fmt("field %zu (%s) has no valid instance (i= 1 to %d)", i + 1, name,
			    MX_ARC_MAX_SETS));
			if (inst > MX_ARC_MAX_SETS)
				r->sets = (size_t)inst;
			return 0;
		}
		if (seen[inst][kind]++) {
			fail(r, inst, mx_fmt("instance %d has more than one %s", inst, kind == 0 ? "ARC-Seal" :
			    kind == 1 ? "ARC-Message-Signature" : "ARC-Authentication-Results"));
			return 0;
		}
		where[inst][kind] = (long)i;
		if (inst > maxi)
			maxi = inst;
	}
	r->sets = (size_t)maxi;
	if (maxi == 0)
		return 0;
	for (int i = 1; i <= maxi; i++)
		for (int k = 0; k < 3; k++)
			if (!seen[i][k]) {
				fail(r, i, mx_fmt("instance %d lacks its %s (instances must run 1 to %d without "
				    "gaps)", i, k == 0 ? "ARC-Seal" : k == 1 ? "ARC-Message-Signature" :
				    "ARC-Authentication-Results", maxi));
				return 0;
			}
	r->inst = calloc((size_t)maxi, sizeof *r->inst);
	if (r->inst == NULL)
		return -1;
	for (int i = 1; i <= maxi; i++) {
		struct mx_arc_instance *in = &r->inst[r->ninst++];
		in->instance = i;
		in->as_field = where[i][0];
		in->ams_field = where[i][1];
		in->aar_field = where[i][2];
		in->hop = -1;
		in->ams_result = in->as_result = "not_checked";
		const struct mx_field *fa = &a->hdr.fields[in->as_field];
		const struct mx_field *fm = &a->hdr.fields[in->ams_field];
		if (mx_dkim_sig_parse_kind(fa->value.ptr, fa->value.len, MX_SIG_ARC_SEAL, &in->as.sig) ||
		    mx_dkim_sig_parse_kind(fm->value.ptr, fm->value.len, MX_SIG_ARC_AMS, &in->ams.sig))
			return -1;
		in->as.field_index = in->as_field;
		in->ams.field_index = in->ams_field;
		in->sealer = in->as.sig.d ? strdup(in->as.sig.d) : NULL;
		in->cv = in->as.sig.cv ? strdup(in->as.sig.cv) : NULL;
		if (!in->as.sig.ok)
			fail(r, i, mx_fmt("the ARC-Seal of instance %d: %s", i, in->as.sig.error));
		if (!in->ams.sig.ok)
			fail(r, i, mx_fmt("the ARC-Message-Signature of instance %d: %s", i,
			    in->ams.sig.error));
	}
	return 0;
}

/* The Received field the sealer wrote: the topmost one below its seal with its domain. */
static long
sealer_hop(const struct mx_analysis *a, const struct mx_arc_instance *in)
{
	if (in->sealer == NULL)
		return -1;
	char org[MX_DOMAIN_MAX];
	mx_org_domain(in->sealer, org, sizeof org);
	for (size_t i = a->nhops; i-- > 0;) {
		const struct mx_hop *h = &a->hops[i];
		if (h->field_index > in->as_field && h->r.by_host[0] &&
		    mx_domain_within(h->r.by_host, org))
			return (long)i;
	}
	return -1;
}

static void
tell(struct mx_analysis *a, struct mx_arc_instance *in)
{
	/* what the sealer recorded, and what happened to those signatures since */
	char rec[400] = "";
	size_t n = 0;
	const char *dkim_d = NULL;
	for (size_t i = 0; i < a->nrec && n + 60 < sizeof rec; i++) {
		const struct mx_recorded *x = &a->rec[i];
		if (strcmp(x->source, "arc-authentication-results") != 0 || x->instance != in->instance)
			continue;
		n += (size_t)snprintf(rec + n, sizeof rec - n, "%s%s=%s", n ? ", " : "", x->method,
		    x->result);
		for (size_t k = 0; k < x->nprops; k++)
			if (strcmp(x->method, "dkim") == 0 && strcmp(x->result, "pass") == 0 &&
			    strcmp(x->props[k].key, "header.d") == 0)
				dkim_d = x->props[k].value;
	}
	const char *later = "";
	const struct mx_dkim_result *broken = NULL;
	for (size_t i = 0; dkim_d && i < a->ndkim; i++)
		if (a->dkim[i].sig.d && strcasecmp(a->dkim[i].sig.d, dkim_d) == 0 &&
		    strcmp(a->dkim[i].result, "fail") == 0)
			broken = &a->dkim[i];
	if (broken && broken->diag_code)
		later = broken->diag_code;
	char when[MX_ISO8601_LEN] = "";
	if (in->hop >= 0 && a->hops[in->hop].r.has_date)
		mx_datetime_iso8601(a->hops[in->hop].r.date.utc, when);
	char why[48] = "";
	if (later[0]) {
		snprintf(why, sizeof why, " (%s)", later);
		for (char *c = why; *c; c++)
			if (*c == '_')
				*c = ' ';
	}
	in->story = mx_fmt("%s%s%s%s received it and recorded %s%s%s%s%s", in->sealer ? in->sealer :
	    "an unnamed sealer", when[0] ? " (at " : "", when, when[0] ? ")" : "", n ? rec : "nothing",
	    broken ? "; since then the DKIM signature of " : "", broken ? dkim_d : "",
	    broken ? " no longer verifies" : "", broken ? why : "");
}

int
mx_arc_validate(struct mx_analysis *a, const struct mx_options *opt)
{
	struct mx_arc_result *r = &a->arc;
	r->result = "none";
	if (mx_header_count(&a->hdr, "ARC-Seal") + mx_header_count(&a->hdr, "ARC-Message-Signature") +
	    mx_header_count(&a->hdr, "ARC-Authentication-Results") == 0)
		return 0;
	a->has_arc = 1;
	r->result = "pass";
	if (collect(a, r) != 0)
		return -1;
	if (r->sets > MX_ARC_MAX_SETS)
		fail(r, 0, mx_fmt("%zu ARC sets: more than %d is a failed chain (RFC 8617 §5.2)", r->sets,
		    MX_ARC_MAX_SETS));
	if (strcmp(r->result, "fail") == 0 || r->ninst == 0) {
		if (r->ninst == 0 && strcmp(r->result, "pass") == 0)
			r->result = "none";
		goto findings;
	}
	size_t last = r->ninst - 1;
	/* RFC 8617 §5.2 step 2: the newest seal already says the chain failed */
	if (r->inst[last].cv && strcmp(r->inst[last].cv, "fail") == 0)
		fail(r, (int)r->ninst, mx_fmt("the newest seal (instance %zu) says cv=fail: an "
		    "intermediary already found the chain broken", r->ninst));
	for (size_t k = 0; k < r->ninst; k++) {
		const char *cv = r->inst[k].cv ? r->inst[k].cv : "";
		if (k == 0 && strcmp(cv, "none") != 0)
			fail(r, 1, mx_fmt("instance 1's seal says cv=%s; the first must say cv=none", cv));
		else if (k > 0 && strcmp(cv, "pass") != 0 && k != last)
			fail(r, (int)k + 1, mx_fmt("instance %zu's seal says cv=%s", k + 1, cv));
		else if (k > 0 && k == last && strcmp(cv, "pass") != 0 && strcmp(cv, "fail") != 0)
			fail(r, (int)k + 1, mx_fmt("instance %zu's seal says cv=%s", k + 1, cv));
	}
	/* §5.2 step 3: the newest AMS; every seal, newest first */
	for (size_t k = r->ninst; k-- > 0;) {
		if (check_ams(a, opt, &r->inst[k]) != 0 || check_as(a, opt, r, k) != 0)
			return -1;
		if (strcmp(r->inst[k].as_result, "pass") != 0)
			fail(r, (int)k + 1, mx_fmt("the ARC-Seal of instance %zu (%s) %s: %s", k + 1,
			    r->inst[k].sealer ? r->inst[k].sealer : "?", r->inst[k].as_result,
			    r->inst[k].as.reason ? r->inst[k].as.reason : "did not verify"));
	}
	if (strcmp(r->inst[last].ams_result, "pass") != 0)
		fail(r, (int)r->ninst, mx_fmt("the newest ARC-Message-Signature (instance %zu, %s) %s: %s",
		    r->ninst, r->inst[last].sealer ? r->inst[last].sealer : "?",
		    r->inst[last].ams_result, r->inst[last].ams.reason ? r->inst[last].ams.reason :
		    "did not verify"));
findings:
	for (size_t k = 0; k < r->ninst; k++) {
		struct mx_arc_instance *in = &r->inst[k];
		for (size_t t = 0; t < opt->ntrust_arc; t++)
			in->trusted |= in->sealer && mx_domain_within(in->sealer, opt->trust_arc[t]);
		in->hop = sealer_hop(a, in);
		tell(a, in);
	}
	if (strcmp(r->result, "fail") == 0)
		mx_findings_add(&a->findings, "ARC_FAIL", -1, -1, NULL, -1, "The ARC chain (%zu set%s) "
		    "fails: %s.", r->sets, r->sets == 1 ? "" : "s", r->reason ? r->reason : "structure");
	else if (strcmp(r->result, "pass") == 0)
		for (size_t k = 0; k < r->ninst; k++)
			mx_findings_add(&a->findings, r->inst[k].trusted ? "ARC_TRUSTED_SEALER" :
			    "ARC_UNTRUSTED_SEALER", -1, r->inst[k].as_field, "ARC-Seal",
			    (long long)a->hdr.fields[r->inst[k].as_field].offset, "ARC instance %d: %s.%s",
			    r->inst[k].instance, r->inst[k].story ? r->inst[k].story : "",
			    r->inst[k].trusted ? " The sealer is trusted (--trust-arc): its results count "
			    "as evidence." : " The sealer is not named with --trust-arc: its results are "
			    "claims (any domain can seal).");
	return 0;
}

void
mx_arc_result_finish(struct mx_arc_result *r)
{
	for (size_t k = 0; k < r->ninst; k++) {
		mx_dkim_result_finish(&r->inst[k].as);
		mx_dkim_result_finish(&r->inst[k].ams);
		free(r->inst[k].sealer);
		free(r->inst[k].cv);
		free(r->inst[k].story);
	}
	free(r->inst);
	free(r->reason);
	memset(r, 0, sizeof *r);
}
