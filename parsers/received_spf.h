/*
 * received_spf.h - the Received-SPF header field (RFC 7208 §9.1).
 *
 *   Received-SPF: pass (mybox.example.org: domain of myname@example.com
 *     designates 192.0.2.1 as permitted sender)
 *     receiver=mybox.example.org; client-ip=192.0.2.1;
 *     envelope-from="myname@example.com"; helo=foo.example.com;
 *
 * Syntax only.  Lenient with the forms real MTAs write (no ';' before the
 * first key, identity=, x- keys, Microsoft's "Pass (protection.outlook.com:
 * domain of ... designates ... as permitted sender)" with keys).
 */
#ifndef MX_RECEIVED_SPF_H
#define MX_RECEIVED_SPF_H

#include <stddef.h>

#define MX_RSPF_MAX_KEYS 32

struct mx_rspf_kv {
	char *key;		/* lower-cased */
	char *value;		/* unquoted */
};

struct mx_received_spf {
	char *result;		/* lower-cased result word, "" when none could be read */
	char *comment;		/* the comment after the result, or NULL */
	struct mx_rspf_kv *kv;
	size_t nkv;
	int lenient;		/* not RFC 7208 §9.1 syntax, read anyway */
};

/* Always fills *out; returns 0, or -1 when out of memory. */
int mx_received_spf_parse(const char *buf, size_t len, struct mx_received_spf *out);

/* Value of key (lower-case) or NULL. */
const char *mx_received_spf_get(const struct mx_received_spf *r, const char *key);

void mx_received_spf_finish(struct mx_received_spf *r);

#endif
