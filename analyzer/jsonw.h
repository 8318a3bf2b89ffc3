/*
 * jsonw.h - fast compact JSON for mxray batch's records.
 */
#ifndef MX_JSONW_H
#define MX_JSONW_H

#include <stddef.h>

struct json_t;

/*
 * V as json_dumps(V, JSON_COMPACT | JSON_SORT_KEYS) writes it, then a
 * newline; *len gets the length.  NULL when out of memory (free the line).
 */
char *mx_json_line(const struct json_t *v, size_t *len);

#endif
