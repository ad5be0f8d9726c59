/* SPDX-License-Identifier: MIT */
/*
 * The Sieve engine's settings from main.cf: the limits of a run and the
 * environment facts every recipient shares (recipient_delimiter, the
 * spamtest/virustest headers). Used by local delivery, sieved and
 * postern sieve, so they all apply the same limits.
 */
#ifndef SIEVE_SIEVE_CONF_H
#define SIEVE_SIEVE_CONF_H

#include "conf/conf.h"
#include "sieve/sieve.h"

/* The limits the sieve_* parameters (and sieve_max_script_size) set. */
struct sieve_limits sieve_limits_from_conf(const struct conf *conf);
/*
 * Fill recipient_delimiter and the spam/virus sources of env from conf
 * (strings borrowed from conf); the other fields are left alone.
 */
void sieve_environment_from_conf(struct sieve_environment *env,
    const struct conf *conf);

#endif
