/* SPDX-License-Identifier: MIT */
/*
 * authd's failed-login throttle: failure counts per client address and
 * per user, forgotten auth_failure_window after the last failure. Pure
 * bookkeeping with the clock passed in, so it is tested without waiting
 * (tests/unit/authd/test_authd_throttle.c). authd never sleeps: the
 * delays computed here travel in the reply as delay_ms.
 *
 * Policy (docs/authd.md): a failure counts against its client address
 * and its user. Every answer to a client address waits that address's
 * delay; a failed answer also waits the user's delay; a correct password
 * is never slowed by the failures of other addresses. From auth_failure_
 * limit failures on, an address gets only temporary failures until its
 * window passes. A user is never locked out, so nobody can lock a user
 * out by guessing.
 */
#ifndef AUTH_AUTHD_THROTTLE_H
#define AUTH_AUTHD_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

struct authd_throttle_params {
	uint64_t delay_ms; /* after the first failure; doubles after each */
	uint64_t max_delay_ms; /* cap of the delay */
	uint64_t window_ms; /* failures are forgotten this long after */
	unsigned limit; /* address failures before temporary refusals */
};

/* Each table keeps at most this many keys; the stalest go first. */
#define AUTHD_THROTTLE_KEYS_MAX 16384

struct authd_throttle;

/* Caller owns the result; free with authd_throttle_free. */
struct authd_throttle *authd_throttle_new(
    const struct authd_throttle_params *params);
void authd_throttle_free(struct authd_throttle **tp);

/* The delay after n failures: 0, then delay_ms doubling, capped. Pure. */
uint64_t authd_throttle_delay_for(
    const struct authd_throttle_params *params, unsigned n);
/* True when addr has reached the limit within its window. */
bool authd_throttle_blocked(
    struct authd_throttle *t, const char *addr, uint64_t now_ms);
/*
 * Record a failed login of user (may be "" when unknown) from addr and
 * return the delay its answer must wait.
 */
uint64_t authd_throttle_failure(struct authd_throttle *t, const char *addr,
    const char *user, uint64_t now_ms);
/*
 * A successful login: user's failures are forgiven; the address keeps
 * its own (a valid account must not wash a guesser clean). Returns the
 * delay of the answer: the address's current delay.
 */
uint64_t authd_throttle_success(struct authd_throttle *t, const char *addr,
    const char *user, uint64_t now_ms);
/* Failures counted for addr / user now (0 when forgotten); for tests. */
unsigned authd_throttle_count_addr(
    struct authd_throttle *t, const char *addr, uint64_t now_ms);
unsigned authd_throttle_count_user(
    struct authd_throttle *t, const char *user, uint64_t now_ms);

#endif
