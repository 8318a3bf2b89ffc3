/*
 * escape.c - a piece of hostile input made safe to show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

char *
mx_escape_detail(const char *p, size_t n, size_t max)
{
	size_t show = n > max ? max : n;
	char *s = malloc(show * 4 + 4);
	if (s == NULL)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < show; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == '\\' || ch == '"') {
			s[o++] = '\\';
			s[o++] = (char)ch;
		} else if (ch >= 0x20 && ch < 0x7f) {
			s[o++] = (char)ch;
		} else {
			snprintf(s + o, 5, "\\x%02x", ch);
			o += 4;
		}
	}
	if (show < n) {
		memcpy(s + o, "...", 3);
		o += 3;
	}
	s[o] = '\0';
	return s;
}
