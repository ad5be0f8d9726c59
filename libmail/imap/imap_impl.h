/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the imap_*.c parsers only.
 */
#ifndef IMAP_IMAP_IMPL_H
#define IMAP_IMAP_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "imap/imap_parse.h"

/*
 * Tokenise one complete command held in buf (len bytes: lines ending in
 * LF with literal contents inline, each literal followed by one extra
 * NUL the reader adds). Literal strings point into buf. On error,
 * *tag_out is the tag when one was read. 0, or -1 with err.
 */
int imap_lex_command(const char *buf, size_t len,
    const struct imap_parse_limits *lim, struct imap_cmd *out,
    const char **tag_out, struct arena *a, struct err *err);

/* RFC 3501 ASTRING-CHAR minus '+': a tag character. */
bool imap_lex_is_tag_char(unsigned char c);

/* Fill err with a syntax error (BAD, dsn "") and return -1. */
int imap_syntax_error(struct err *err, const char *what);

/* Growable arena array: append one element of size sz. */
void *imap_array_push(
    struct arena *a, void *arr, size_t *n, size_t *cap, size_t sz);

/* What imap_search_parse_from() reads before the keys. */
enum {
	IMAP_SEARCH_FROM_RETURN = 1 << 0, /* an optional RETURN (...) */
	IMAP_SEARCH_FROM_CHARSET = 1 << 1, /* a charset without "CHARSET" */
};

struct imap_search;
struct imap_search_limits;

/* RETURN options list (RFC 4731) into IMAP_SEARCH_RET_*: 0 or -1. */
int imap_search_return_opts(
    const struct imap_arg *list, unsigned *ret_out, struct err *err);

/*
 * The search program shared by SEARCH, SORT and THREAD: optional RETURN,
 * the charset (after the word CHARSET, optional, for SEARCH; bare and
 * required for SORT/THREAD), then the keys.
 */
int imap_search_parse_from(const struct imap_arg *args, size_t count,
    unsigned what, const struct imap_search_limits *lim,
    struct imap_search *out, struct arena *a, struct err *err);

#endif
