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

/*
 * Between begin and end, Jansson values made by this thread live in an arena
 * that end drops whole: never free or keep such a value past end.  Outside,
 * Jansson allocates as usual.  mx_json_arena_free releases the thread's
 * arena (call it before the thread ends).
 */
/* Route Jansson's allocations through the arena functions: once, before any thread starts. */
void mx_json_arena_init(void);
void mx_json_arena_begin(void);
void mx_json_arena_end(void);
void mx_json_arena_free(void);

#endif
