/*
 * fuzz_tagvalue.c - parsers/tagvalue.c.  Beyond the sanitizers' "no crash,
 * no read past the end", the invariants callers rely on abort on violation
 * (this is the harness, not input handling).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tagvalue.h"

static void
check(int ok)
{
	if (!ok)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct mx_taglist l;
	int rc = mx_taglist_parse(buf, size, &l);
	check(rc == 0 || rc == -1);
	check((rc == 0) == (l.error == NULL));
	check(l.n <= MX_TAGLIST_MAX);
	check(rc != 0 || l.n >= 1);
	check(l.error == NULL || l.error_offset <= size);
	for (size_t i = 0; i < l.n; i++) {
		const struct mx_tag *t = &l.tags[i];
		check(t->name.len >= 1 && t->name.ptr == buf + t->offset);
		check(t->offset + t->name.len <= size);
		check(t->value.ptr == buf + t->value_offset);
		check(t->value_offset + t->value.len <= size);
		check(t->raw_value_offset <= t->value_offset);
		check(t->raw_value_offset + t->raw_value_len <= size);
		check(t->value_offset + t->value.len <= t->raw_value_offset + t->raw_value_len);
		check(memchr(t->value.ptr, ';', t->value.len) == NULL);
		check(memchr(t->value.ptr, '\0', t->value.len) == NULL);
		/* names are unique, and the lookup finds each tag itself */
		char name[64];
		if (t->name.len < sizeof name) {
			memcpy(name, t->name.ptr, t->name.len);
			name[t->name.len] = '\0';
			check(mx_taglist_get(&l, name) == t);
		}
		char *dst = malloc(t->value.len + 1);
		if (dst) {
			size_t n = mx_tag_strip_ws(t->value, dst);
			check(n <= t->value.len && dst[n] == '\0');
			free(dst);
		}
	}
	return 0;
}
