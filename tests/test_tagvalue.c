/*
 * test_tagvalue.c - unit table for parsers/tagvalue.c (RFC 6376 §3.2):
 * valid lists with the tags they must yield, then broken lists with the
 * error offset, then the MX_TAGLIST_MAX limit at and over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tagvalue.h"
#include "unit.h"

struct vcase {
	const char *name;
	const char *in;
	size_t n;		/* tags expected */
	const char *tag;	/* one tag to look up ... */
	const char *value;	/* ... and its trimmed value */
};

static const struct vcase valid[] = {
	{ "one", "v=1", 1, "v", "1" },
	{ "trailing-semicolon", "v=1;", 1, "v", "1" },
	{ "trailing-semicolon-fws", "v=1; \r\n ", 1, "v", "1" },
	{ "fws-everywhere", " \t v \t = \t 1 \t ; a = b ", 2, "a", "b" },
	{ "folded", "v=1; a=rsa-sha256;\r\n\td=example.com; s=sel", 4, "d", "example.com" },
	{ "bare-lf-fold", "v=1;\n d=example.com", 2, "d", "example.com" },
	{ "empty-value", "v=DKIM1; p=", 2, "p", "" },
	{ "empty-value-fws", "v=DKIM1; p= ;k=rsa", 3, "p", "" },
	{ "inner-fws-kept", "b=abc def\r\n ghi; x=1", 2, "b", "abc def\r\n ghi" },
	{ "name-alnumpunc", "a_1B=x", 1, "a_1B", "x" },
	{ "case-sensitive-names", "a=1; A=2", 2, "A", "2" },
	{ "value-with-equals", "bh=abc==; x=y", 2, "bh", "abc==" },
	{ "utf8-value", "z=caf\xc3\xa9", 1, "z", "caf\xc3\xa9" },
	{ "unknown-tags", "foo=bar; v=1", 2, "foo", "bar" },
};

struct bcase {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	size_t offset;		/* expected error_offset */
};

static const struct bcase broken[] = {
	{ "empty", "", 0, 0 },
	{ "only-fws", " \r\n ", 0, 4 },
	{ "only-semicolon", ";", 0, 0 },
	{ "double-semicolon", "v=1;;a=b", 0, 4 },
	{ "double-semicolon-fws", "v=1; ; a=b", 0, 5 },
	{ "leading-semicolon", ";v=1", 0, 0 },
	{ "no-equals", "v=1; a", 0, 6 },
	{ "no-equals-value", "v=1; a b=c", 0, 7 },
	{ "name-starts-digit", "1a=b", 0, 0 },
	{ "name-starts-underscore", "_a=b", 0, 0 },
	{ "name-has-dash", "a-b=c", 0, 1 },
	{ "duplicate", "v=1; a=b; v=2", 0, 10 },
	{ "duplicate-same-value", "d=x; d=x", 0, 5 },
	{ "nul-in-value", "s=attacker.com.\0.any; d=x", 25, 15 },
	{ "control-in-value", "s=a\001b", 0, 3 },
	{ "del-in-value", "s=a\177b", 0, 3 },
	{ "equals-only", "=abc", 0, 0 },
	{ "empty-name", " =abc", 0, 1 },
};

static void
test_valid(void)
{
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		const struct vcase *c = &valid[i];
		struct mx_taglist l;
		int rc = mx_taglist_parse(c->in, strlen(c->in), &l);
		if (rc != 0)
			fprintf(stderr, "%s: %s at %zu\n", c->name, l.error, l.error_offset);
		CHECK_INT(rc, 0);
		CHECK(l.error == NULL);
		CHECK_INT(l.n, c->n);
		const struct mx_tag *t = mx_taglist_get(&l, c->tag);
		CHECK(t != NULL);
		if (t == NULL)
			continue;
		CHECK_INT(t->value.len, strlen(c->value));
		CHECK(memcmp(t->value.ptr, c->value, t->value.len) == 0);
		CHECK_INT(t->value_offset, (size_t)(t->value.ptr - c->in));
		CHECK(t->raw_value_offset <= t->value_offset);
		CHECK(t->raw_value_offset + t->raw_value_len >= t->value_offset + t->value.len);
	}
}

static void
test_broken(void)
{
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		const struct bcase *c = &broken[i];
		struct mx_taglist l;
		size_t len = c->len ? c->len : strlen(c->in);
		int rc = mx_taglist_parse(c->in, len, &l);
		if (rc != -1 || l.error_offset != c->offset)
			fprintf(stderr, "broken %s: rc %d, %s at %zu\n", c->name, rc,
			    l.error ? l.error : "(none)", l.error_offset);
		CHECK_INT(rc, -1);
		CHECK(l.error != NULL);
		CHECK_INT(l.error_offset, c->offset);
	}
}

/* The spans: offsets of name, value and the raw value of b= (RFC 6376 §3.7). */
static void
test_offsets(void)
{
	const char *in = "v=1; b= ab\r\n cd ; bh=x";
	struct mx_taglist l;
	CHECK_INT(mx_taglist_parse(in, strlen(in), &l), 0);
	const struct mx_tag *b = mx_taglist_get(&l, "b");
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(b->offset, 5);
	CHECK_INT(b->raw_value_offset, 7);
	CHECK_INT(b->raw_value_len, 9);	/* " ab\r\n cd " up to ';' */
	CHECK_INT(b->value_offset, 8);
	CHECK_INT(b->value.len, 7);	/* "ab\r\n cd" */
	/* the last tag runs to the end of the buffer */
	const struct mx_tag *bh = mx_taglist_get(&l, "bh");
	CHECK(bh != NULL);
	if (bh) {
		CHECK_INT(bh->raw_value_offset, strlen(in) - 1);
		CHECK_INT(bh->raw_value_len, 1);
	}
	/* an empty value */
	in = "p=;";
	CHECK_INT(mx_taglist_parse(in, strlen(in), &l), 0);
	CHECK_INT(l.tags[0].raw_value_offset, 2);
	CHECK_INT(l.tags[0].raw_value_len, 0);
	CHECK_INT(l.tags[0].value.len, 0);
	/* the buffer is not NUL-terminated: stop at len */
	char buf[8];
	memcpy(buf, "a=bcdefg", 8);
	CHECK_INT(mx_taglist_parse(buf, 3, &l), 0);
	CHECK_INT(l.tags[0].value.len, 1);
	CHECK(mx_taglist_get(&l, "b") == NULL);
	CHECK(mx_taglist_get(&l, "A") == NULL);
}

static void
test_strip_ws(void)
{
	char dst[32];
	const char *v = " ab \r\n\tc d ";
	CHECK_INT(mx_tag_strip_ws(mx_span_make(v, strlen(v)), dst), 4);
	CHECK_STR(dst, "abcd");
	CHECK_INT(mx_tag_strip_ws(mx_span_make(v, 0), dst), 0);
	CHECK_STR(dst, "");
}

/* MX_TAGLIST_MAX: exactly that many tags parse; one more is an error. */
static void
test_limit(void)
{
	char *buf = malloc(16 * (MX_TAGLIST_MAX + 2));
	struct mx_taglist l;
	size_t n = 0;
	if (buf == NULL)
		return;
	for (int i = 0; i < MX_TAGLIST_MAX; i++)
		n += (size_t)sprintf(buf + n, "t%d=%d;", i, i);
	CHECK_INT(mx_taglist_parse(buf, n, &l), 0);
	CHECK_INT(l.n, MX_TAGLIST_MAX);
	n += (size_t)sprintf(buf + n, "over=1");
	CHECK_INT(mx_taglist_parse(buf, n, &l), -1);
	CHECK_STR(l.error, "too many tags");
	CHECK_INT(l.n, MX_TAGLIST_MAX);
	free(buf);

	/* 100 000 semicolons: an error at the second, in linear time */
	size_t big = 100000;
	buf = malloc(big + 3);
	if (buf == NULL)
		return;
	memcpy(buf, "a=b", 3);
	memset(buf + 3, ';', big);
	CHECK_INT(mx_taglist_parse(buf, big + 3, &l), -1);
	CHECK_INT(l.error_offset, 4);
	free(buf);
}

int
main(void)
{
	test_valid();
	test_broken();
	test_offsets();
	test_strip_ws();
	test_limit();
	return unit_done("tagvalue");
}
