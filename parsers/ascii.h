/*
 * ascii.h - the character classes the parsers share.  ASCII only, by
 * design: mail syntax is defined over ASCII, and <ctype.h> answers by the
 * locale.  Arguments are ints holding an unsigned char (or any int: values
 * outside ASCII are in no class).
 */
#ifndef MX_ASCII_H
#define MX_ASCII_H

static inline int
lc(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static inline int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static inline int
is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static inline int
is_alnum(int ch)
{
	return is_alpha(ch) || is_digit(ch);
}

static inline int
is_hex(int ch)
{
	return is_digit(ch) || (lc(ch) >= 'a' && lc(ch) <= 'f');
}

/* RFC 5234 WSP: space and horizontal tab. */
static inline int
is_wsp(int ch)
{
	return ch == ' ' || ch == '\t';
}

/* WSP and the CR and LF of folding: what a folded value may hold between tokens. */
static inline int
is_space(int ch)
{
	return is_wsp(ch) || ch == '\r' || ch == '\n';
}

/* RFC 5234 CTL. */
static inline int
is_ctl(int ch)
{
	return (ch >= 0 && ch < 0x20) || ch == 0x7f;
}

#endif
