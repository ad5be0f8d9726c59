/* SPDX-License-Identifier: MIT */
/*
 * Internals of the Sieve script store, shared by sieve_store.c (reads)
 * and sieve_store_write.c (changes) only.
 */
#ifndef STORE_SIEVE_STORE_IMPL_H
#define STORE_SIEVE_STORE_IMPL_H

#include "store/sieve_store.h"

/* The link naming the active script, inside the sieve directory. */
#define SIEVE_STORE_ACTIVE_LINK ".active"
#define SIEVE_STORE_SUFFIX ".sieve"

struct sieve_store {
	char *root; /* the maildir root */
	char *dir; /* root + "/sieve" */
	struct sieve_store_limits lim;
	unsigned tmp_seq; /* for unique temporary names */
};

/* Does the script exist? 1, 0, -1 with err. */
int sieve_store_exists(
    struct sieve_store *st, const char *name, struct err *err);
/* Count the scripts: 0 with *n_out, or -1 with err. */
int sieve_store_count(struct sieve_store *st, size_t *n_out, struct err *err);
/* Fill err for an I/O failure of op on path (ERR_TEMP); returns
 * SIEVE_STORE_FAIL. */
enum sieve_store_status sieve_store_io_error(
    struct err *err, int errnum, const char *op, const char *path);

#endif
