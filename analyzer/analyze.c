/*
 * analyze.c - one message from bytes to analysis: intake, header fields,
 * MIME structure, hops and boundary, recorded evidence, attached messages.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"

static void
intake_findings(struct mx_analysis *a)
{
	const struct mx_intake *in = &a->intake;
	struct mx_findings *fs = &a->findings;
	if (in->repairs & MX_REPAIR_BOM)
		mx_findings_add(fs, "INPUT_BOM_REMOVED", -1, -1, NULL, 0,
		    "The input began with a UTF-8 byte-order mark, which is not part of a "
		    "message; it was skipped.");
	if (in->repairs & MX_REPAIR_LEADING_BLANK)
		mx_findings_add(fs, "INPUT_LEADING_BLANK_LINES", -1, -1, NULL, 0,
		    "Blank lines before the first header field were skipped.");
	if (in->repairs & MX_REPAIR_GMAIL_PAGE)
		mx_findings_add(fs, "INPUT_GMAIL_PAGE", -1, -1, NULL, 0,
		    "This is a Gmail \"Show original\" page: its summary (SPF, DKIM, DMARC as "
		    "Gmail saw them) is kept as recorded evidence, and the source below it, from "
		    "line %zu, is analyzed.", in->gmail.source_line);
	if (in->repairs & MX_REPAIR_MBOX_FROM)
		mx_findings_add(fs, "INPUT_MBOX_FROM_LINE", -1, -1, NULL, 0,
		    "The input began with an mbox separator line (\"%.80s\"); it was skipped.",
		    in->mbox_from ? in->mbox_from : "");
	if (in->repairs & MX_REPAIR_INDENT)
		mx_findings_add(fs, "INPUT_INDENTED", -1, -1, NULL, 0,
		    "Every line was indented by %zu character%s, as copying from a web page or "
		    "a quote does; the indentation was removed. Signatures over the body may "
		    "not verify if the paste changed more than that.", in->indent,
		    in->indent == 1 ? "" : "s");
	if (in->repairs & MX_REPAIR_LF_ONLY)
		mx_findings_add(fs, "INPUT_LF_LINE_ENDINGS", -1, -1, NULL, -1,
		    "Lines ended in LF alone (a pasted or Unix-saved source); they were read as "
		    "CRLF, as they travelled.");
	if (in->repairs & MX_REPAIR_MIXED_EOL)
		mx_findings_add(fs, "INPUT_MIXED_LINE_ENDINGS", -1, -1, NULL, -1,
		    "Some lines ended in CRLF and %zu in LF alone; all were read as CRLF. Mixed "
		    "endings come from editing or pasting and can break DKIM body hashes.",
		    in->lf_converted);
}

static struct mx_analysis *analyze_range(const char *name, const char *buf, size_t len,
    const struct mx_options *opt, int depth);

/* Whether the attached messages are the point: the outer one is only a carrier. */
static int
outer_is_carrier(const struct mx_analysis *a)
{
	/* a short note and the attachment: a phish report, a forward-as-attachment */
	return a->mime.natt > 0 && a->mime.natt <= 3 && a->mime.text_bytes < 1024;
}

static int
analyze_attached(struct mx_analysis *a, const struct mx_options *opt)
{
	if (a->mime.natt == 0)
		return 0;
	int carrier = outer_is_carrier(a);
	int go = opt->attached == MX_ATTACHED_ALWAYS ||
	    (opt->attached == MX_ATTACHED_AUTO && carrier);
	if (a->depth >= MX_MAX_ATTACHED_DEPTH) {
		mx_findings_add(&a->findings, "ATTACHED_DEPTH_LIMIT", -1, -1, NULL, -1,
		    "Attached messages nest deeper than %d levels; the deeper ones were not "
		    "analyzed.", MX_MAX_ATTACHED_DEPTH);
		return 0;
	}
	mx_findings_add(&a->findings, "ATTACHED_MESSAGE", -1, -1, NULL,
	    a->mime.att[0].copy ? -1 : (long long)a->mime.att[0].start,
	    "The message carries %zu attached message%s%s. %s", a->mime.natt,
	    a->mime.natt == 1 ? "" : "s", a->mime.att_dropped ? " (and more not examined)" : "",
	    go ? (carrier ? "The outer message only carries it, so the attached original is "
	    "analyzed too (--no-attached to skip)." : "It is analyzed too (--attached).") :
	    "Add --attached to analyze it as well.");
	if (!go)
		return 0;
	a->attached = calloc(a->mime.natt, sizeof *a->attached);
	if (a->attached == NULL)
		return -1;
	a->attached_analyzed = 1;
	for (size_t i = 0; i < a->mime.natt; i++) {
		const struct mx_attached *at = &a->mime.att[i];
		const char *p = at->copy ? at->copy : a->buf + at->start;
		size_t n = at->copy ? at->copy_len : at->end - at->start;
		struct mx_analysis *sub = analyze_range(a->input_name, p, n, opt, a->depth + 1);
		if (sub == NULL)
			return -1;
		a->attached[a->nattached++] = sub;
	}
	return 0;
}

static struct mx_analysis *
analyze_range(const char *name, const char *buf, size_t len, const struct mx_options *opt,
    int depth)
{
	struct mx_analysis *a = calloc(1, sizeof *a);
	if (a == NULL)
		return NULL;
	a->depth = depth;
	if ((a->input_name = strdup(name)) == NULL)
		goto fail;
	if (depth == 0) {
		if (mx_intake_normalize(buf, len, &a->intake) != 0)
			goto fail;
		if (a->intake.kind != MX_INPUT_MESSAGE)
			return a;
		a->buf = a->intake.buf;
		a->len = a->intake.len;
		intake_findings(a);
	} else {
		/* an attached message: its bytes as they sit in the parent, already CRLF */
		char *copy = malloc(len + 1);
		if (copy == NULL)
			goto fail;
		memcpy(copy, buf, len);
		copy[len] = '\0';
		a->intake.buf = copy;
		a->intake.len = len;
		a->intake.orig_len = len;
		a->buf = copy;
		a->len = len;
	}
	if (mx_rfc5322_split(a->buf, a->len, &a->hdr) != 0)
		goto fail;
	if (mx_mime_parse(a->buf, a->len, !a->hdr.has_separator, &a->mime, &a->findings) != 0)
		goto fail;
	a->clock = opt->clock ? opt->clock : (int64_t)time(NULL);
	if (mx_message_read(a) != 0 || mx_hops_build(a, opt) != 0 ||
	    mx_evidence_collect(a) != 0 || mx_dkim_verify(a, opt) != 0 ||
	    mx_spf_message(a, opt) != 0 || mx_dmarc_message(a, opt) != 0 ||
	    mx_arc_validate(a, opt) != 0 ||
	    mx_verdict_compare(a) != 0 || mx_gmail_card(a) != 0 ||
	    analyze_attached(a, opt) != 0)
		goto fail;
	mx_findings_sort(&a->findings);
	return a;
fail:
	mx_analysis_free(a);
	return NULL;
}

struct mx_analysis *
mx_analyze(const char *name, const char *in, size_t len, const struct mx_options *opt)
{
	static const struct mx_options defaults;
	return analyze_range(name, in, len, opt ? opt : &defaults, 0);
}

static void
message_info_finish(struct mx_message_info *m)
{
	free(m->from);
	free(m->to);
	free(m->subject);
	free(m->date);
	free(m->message_id);
	for (size_t i = 0; i < m->nauthors; i++) {
		free(m->authors[i].display);
		free(m->authors[i].address);
		free(m->authors[i].domain);
	}
	free(m->authors);
}

void
mx_analysis_free(struct mx_analysis *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nattached; i++)
		mx_analysis_free(a->attached[i]);
	free(a->attached);
	for (size_t i = 0; i < a->ndkim; i++)
		mx_dkim_result_finish(&a->dkim[i]);
	mx_spf_result_finish(&a->spf);
	mx_spf_result_finish(&a->spf_helo);
	mx_dmarc_result_finish(&a->dmarc);
	mx_arc_result_finish(&a->arc);
	for (size_t i = 0; i < a->nverdict; i++) {
		free(a->verdict[i].recorded);
		free(a->verdict[i].recomputed);
		free(a->verdict[i].cause);
	}
	free(a->gmail.mailed_by);
	free(a->gmail.signed_by);
	free(a->gmail.via);
	for (size_t i = 0; i < a->gmail.nex; i++) {
		free(a->gmail.ex[i].reason);
		free(a->gmail.ex[i].fix);
	}
	free(a->gmail.ex);
	free(a->dkim);
	for (size_t i = 0; i < a->nrec; i++) {
		struct mx_recorded *r = &a->rec[i];
		free(r->authserv_id);
		free(r->method);
		free(r->result);
		free(r->reason);
		free(r->comment);
		for (size_t k = 0; k < r->nprops; k++) {
			free(r->props[k].key);
			free(r->props[k].value);
		}
		free(r->props);
	}
	free(a->rec);
	struct mx_boundary *b = &a->boundary;
	free(b->receiver);
	free(b->client_ip);
	free(b->helo);
	free(b->rdns);
	free(b->mail_from);
	for (size_t i = 0; i < b->nnames; i++)
		free(b->names[i]);
	free(b->names);
	for (size_t i = 0; i < a->nhops; i++)
		mx_received_finish(&a->hops[i].r);
	free(a->hops);
	message_info_finish(&a->msg);
	mx_findings_finish(&a->findings);
	mx_mime_finish(&a->mime);
	mx_header_finish(&a->hdr);
	mx_intake_finish(&a->intake);
	free(a->input_name);
	free(a);
}
