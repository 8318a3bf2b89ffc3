/*
 * escape.h - a piece of hostile input made safe to show in a finding.
 */
#ifndef MX_ESCAPE_H
#define MX_ESCAPE_H

#include <stddef.h>

/*
 * p[0..n) with printable ASCII as is, '\\' and '"' escaped, anything else
 * as \xNN, cut after max input bytes (then "..." follows).  Owned result;
 * NULL when out of memory.
 */
char *mx_escape_detail(const char *p, size_t n, size_t max);

#endif
