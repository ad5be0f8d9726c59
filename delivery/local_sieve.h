/* SPDX-License-Identifier: MIT */
/*
 * Private to local's Sieve files (local_sieve*.c): the compiled-script
 * cache and the actions that need more than a target.
 */
#ifndef DELIVERY_LOCAL_SIEVE_H
#define DELIVERY_LOCAL_SIEVE_H

#include "local.h"
#include "sieve/sieve.h"

/* ---- local_sieve_cache.c ---- */

/* A new run starts: scripts it fetches are kept until the next one. */
void local_sieve_cache_begin(struct local *lc);
/*
 * The compiled script in the file at path (name for error messages),
 * compiled now or reused while the file is unchanged. Borrowed until
 * the next local_sieve_cache_begin. 1 found, 0 no such file, -1 with
 * err (ERR_PERM: it does not compile, the text says where; ERR_TEMP:
 * it cannot be read).
 */
int local_sieve_cache_get(struct local *lc, const char *path, const char *name,
    const struct sieve_script **script_out, struct err *err);

/* ---- local_sieve_vacation.c ---- */

/*
 * RFC 5230 vacation for mailbox target ti: unless the engine found a
 * reason not to answer, or this sender had a reply from this handle
 * within the period (tracked in the user's store), queue the reply with
 * the null sender. Failures are logged: the delivery goes on.
 */
void local_sieve_vacation(
    struct local_req *r, size_t ti, const struct sieve_vacation *v);

#endif
