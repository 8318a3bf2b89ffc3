/*
 * jsonw.c - a Jansson value as one compact line, sorted keys: byte for
 * byte what json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) writes (strings
 * escaped the same way, reals with 17 digits), at several times its speed:
 * Jansson writes through a callback per token and escapes a character at a
 * time, and mxray batch writes 8 KB of JSON per message.  tests/batch.py
 * compares the two on every fixture.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonw.h"

/* Objects deeper than this are refused (Jansson's own limit is 2048). */
#define MAX_DEPTH 2048

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static int
reserve(struct buf *b, size_t n)
{
	if (b->failed)
		return -1;
	if (b->len + n <= b->cap)
		return 0;
	size_t nc = b->cap ? b->cap : 4096;
	while (nc < b->len + n)
		nc *= 2;
	char *np = realloc(b->p, nc);
	if (np == NULL) {
		b->failed = 1;
		return -1;
	}
	b->p = np;
	b->cap = nc;
	return 0;
}

static void
put(struct buf *b, const char *s, size_t n)
{
	if (reserve(b, n) == 0) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

static void
put_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	/* at worst every byte becomes \u00XX */
	if (reserve(b, 6 * n + 2) != 0)
		return;
	char *o = b->p + b->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
}

/* Jansson's real: "%.17g", always with a '.' or an exponent, the exponent without '+' or leading zeros. */
static void
put_real(struct buf *b, double v)
{
	char t[64], u[64];
	int n = snprintf(t, sizeof t, "%.17g", v);
	if (n < 0 || (size_t)n >= sizeof t - 3) {
		b->failed = 1;
		return;
	}
	if (strchr(t, '.') == NULL && strchr(t, 'e') == NULL)
		strcat(t, ".0");
	char *e = strchr(t, 'e');
	if (e != NULL) {
		size_t k = (size_t)(e - t) + 1;
		memcpy(u, t, k);
		const char *q = e + 1;
		if (*q == '+')
			q++;
		else if (*q == '-')
			u[k++] = *q++;
		while (*q == '0' && q[1] != '\0')
			q++;
		strcpy(u + k, q);
		strcpy(t, u);
	}
	put(b, t, strlen(t));
}

struct member {
	const char *key;
	const json_t *value;
};

static int
by_key(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->key, ((const struct member *)b)->key);
}

static void
put_value(struct buf *b, const json_t *v, int depth)
{
	char t[32];
	if (depth > MAX_DEPTH) {
		b->failed = 1;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v);
		struct member small[64];
		struct member *m = n <= 64 ? small : malloc(n * sizeof *m);
		if (m == NULL) {
			b->failed = 1;
			return;
		}
		size_t k = 0;
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)(uintptr_t)v, key, val)
			m[k++] = (struct member){ key, val };
		if (k > 24) {
			qsort(m, k, sizeof *m, by_key);
		} else {
			/* most objects have a handful of members: insertion sort, no calls */
			for (size_t i = 1; i < k; i++) {
				struct member x = m[i];
				size_t j = i;
				for (; j > 0 && strcmp(m[j - 1].key, x.key) > 0; j--)
					m[j] = m[j - 1];
				m[j] = x;
			}
		}
		put(b, "{", 1);
		for (size_t i = 0; i < k && !b->failed; i++) {
			if (i)
				put(b, ",", 1);
			put_string(b, m[i].key, strlen(m[i].key));
			put(b, ":", 1);
			put_value(b, m[i].value, depth + 1);
		}
		put(b, "}", 1);
		if (m != small)
			free(m);
		return;
	}
	case JSON_ARRAY: {
		put(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v) && !b->failed; i++) {
			if (i)
				put(b, ",", 1);
			put_value(b, json_array_get(v, i), depth + 1);
		}
		put(b, "]", 1);
		return;
	}
	case JSON_STRING:
		put_string(b, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		put(b, t, (size_t)snprintf(t, sizeof t, "%" JSON_INTEGER_FORMAT, json_integer_value(v)));
		return;
	case JSON_REAL:
		put_real(b, json_real_value(v));
		return;
	case JSON_TRUE:
		put(b, "true", 4);
		return;
	case JSON_FALSE:
		put(b, "false", 5);
		return;
	case JSON_NULL:
		put(b, "null", 4);
		return;
	}
}

char *
mx_json_line(const json_t *v, size_t *len)
{
	struct buf b = { 0 };
	put_value(&b, v, 0);
	put(&b, "\n", 1);
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/*
 * The record arena.  A record's Jansson tree is built, written, counted and
 * dropped; freeing it node by node cost as much as writing it.  Between
 * begin and end, Jansson's allocations in this thread come from a bump
 * arena and the tree is dropped all at once.
 */
#define ARENA_CHUNK 65536
#define ARENA_KEEP 4		/* chunks kept for the next record; more are freed */

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

static _Thread_local struct chunk *arena, *cur;	/* all chunks, oldest first; the one filling */
static _Thread_local int arena_on;

static int
in_arena(const void *p)
{
	for (const struct chunk *c = arena; c; c = c->next)
		if ((const char *)p >= (const char *)c->data &&
		    (const char *)p < (const char *)c->data + c->cap)
			return 1;
	return 0;
}

static void *
arena_malloc(size_t n)
{
	if (!arena_on)
		return malloc(n);
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	while (cur && cur->used + n > cur->cap)
		cur = cur->next;	/* kept chunks after it are empty */
	if (cur == NULL) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		struct chunk *c = malloc(sizeof *c + cap);
		if (c == NULL)
			return NULL;
		*c = (struct chunk){ .cap = cap };
		struct chunk **tail = &arena;
		while (*tail)
			tail = &(*tail)->next;
		*tail = cur = c;
	}
	void *p = (char *)cur->data + cur->used;
	cur->used += n;
	return p;
}

/* Arena memory goes with the arena; anything else is Jansson's usual malloc. */
static void
arena_free(void *p)
{
	if (p != NULL && !(arena_on && in_arena(p)))
		free(p);
}

void
mx_json_arena_init(void)
{
	json_set_alloc_funcs(arena_malloc, arena_free);
}

void
mx_json_arena_begin(void)
{
	cur = arena;
	arena_on = 1;
}

void
mx_json_arena_end(void)
{
	arena_on = 0;
	size_t k = 0;
	for (struct chunk **c = &arena; *c;) {
		if (++k > ARENA_KEEP || (*c)->cap > ARENA_CHUNK) {
			struct chunk *dead = *c;
			*c = dead->next;
			free(dead);
		} else {
			(*c)->used = 0;
			c = &(*c)->next;
		}
	}
	cur = arena;
}

void
mx_json_arena_free(void)
{
	arena_on = 0;
	while (arena) {
		struct chunk *c = arena;
		arena = c->next;
		free(c);
	}
}
