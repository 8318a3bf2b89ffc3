/* Fuzz target: header splitting and unfolding over arbitrary bytes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rfc5322.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct mx_header h;
	if (mx_rfc5322_split(buf, size, &h) != 0)
		return 0;
	/* invariants: fields lie inside the input, in order, and before the body */
	size_t prev = 0;
	for (size_t i = 0; i < h.nfields; i++) {
		const struct mx_field *f = &h.fields[i];
		if (f->offset < prev || f->offset + f->raw.len > size || f->raw.ptr != buf + f->offset ||
		    f->offset + f->raw.len > h.body_offset)
			abort();
		prev = f->offset + f->raw.len;
		char *u = mx_rfc5322_unfold(f->value, NULL);
		if (u == NULL || strlen(u) > f->value.len)
			abort();
		free(u);
	}
	if (h.body_offset > size)
		abort();
	mx_header_finish(&h);
	return 0;
}
