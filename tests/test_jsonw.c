/*
 * test_jsonw.c - mx_json_line writes what json_dumps(v, JSON_COMPACT |
 * JSON_SORT_KEYS) writes: on awkward values, and on every golden report
 * (the directory given as argument, tests/golden).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"
#include "unit.h"

static void
same(json_t *v, const char *what)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	size_t len = 0;
	char *got = mx_json_line(v, &len);
	unit_checks++;
	if (want == NULL || got == NULL || len != strlen(want) + 1 || got[len - 1] != '\n' ||
	    memcmp(got, want, len - 1) != 0) {
		unit_failures++;
		fprintf(stderr, "%s: got %.*s\nwant %s\n", what, got ? (int)len : 6,
		    got ? got : "(null)", want ? want : "(null)");
	}
	free(want);
	free(got);
}

int
main(int argc, char **argv)
{
	static const double reals[] = { 0.0, -0.0, 1.0, 0.1, 1e-7, 1e300, -2.5e-300, 123456789.0,
		1e21, 3.14159, 100.0, 5e-324 };
	for (size_t i = 0; i < sizeof reals / sizeof *reals; i++) {
		json_t *r = json_pack("[f]", reals[i]);	/* json_dumps wants an array or object */
		same(r, "real");
		json_decref(r);
	}
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:b, s:n, s:[], s:{}, s:[i, {s:s}]}",
	    "ctl", "\x01\x1f\x7f/\"\\\b\f\n\r\t end", "utf8", "caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80",
	    "min", (json_int_t)-9223372036854775807LL - 1, "max", (json_int_t)9223372036854775807LL,
	    "t", 1, "nul", "empty", "obj", "nested", 1, "k", "v");
	json_object_set_new(o, "B", json_string("upper case sorts first"));
	json_object_set_new(o, "", json_string("empty key"));
	json_object_set_new(o, "k\"q", json_stringn("nul\0inside", 10));
	same(o, "awkward object");
	json_decref(o);
	json_t *many = json_object();
	for (int i = 0; i < 300; i++) {
		char k[16];
		snprintf(k, sizeof k, "k%03d", (i * 7919) % 300);
		json_object_set_new(many, k, json_integer(i));
	}
	same(many, "300 keys");
	json_decref(many);

	int files = 0;
	DIR *d = argc > 1 ? opendir(argv[1]) : NULL;
	for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
		json_error_t err;
		json_t *v = json_load_file(path, 0, &err);
		CHECK(v != NULL);
		if (v) {
			same(v, path);
			files++;
		}
		json_decref(v);
	}
	if (d)
		closedir(d);
	CHECK(files >= 50);
	return unit_done("jsonw");
}
