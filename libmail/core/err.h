/* SPDX-License-Identifier: MIT */
/*
 * struct err: why one request failed, filled where the failure happens
 * and turned into a protocol reply (or a config message) by the caller.
 * A temporary failure must never be reported as permanent or as "not
 * found": it becomes a 4xx reply.
 */
#ifndef CORE_ERR_H
#define CORE_ERR_H

#include <stdbool.h>

enum err_kind {
	ERR_NONE = 0,
	ERR_TEMP,	/* try again later: 4xx, defer */
	ERR_PERM,	/* will not work as asked: 5xx, bounce, config error */
};

struct err {
	enum err_kind kind;
	char dsn[16];	/* enhanced status code, e.g. "5.1.1"; may be "" */
	char text[512];	/* human-readable reason, no CR/LF */
};

void err_clear(struct err *err);
/*
 * Fill err and return -1, so callers can write
 * "return err_set(err, ERR_PERM, "5.5.2", "bad syntax");".
 * err may be NULL when the caller does not care why.
 */
int err_set(struct err *err, enum err_kind kind, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Prepend "prefix: " to the text, keeping kind and dsn. */
void err_prefix(struct err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline bool
err_is_temp(const struct err *err)
{
	return err->kind == ERR_TEMP;
}

#endif
