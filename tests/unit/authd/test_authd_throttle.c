/* SPDX-License-Identifier: MIT */
/*
 * authd's failed-login throttle (auth/authd_throttle.c), with a clock
 * the test drives: the delay sequence and its cap, the per-address limit
 * and window, a correct password from another address never slowed by
 * someone else's failures, the per-user delay, and a full table shedding
 * its stalest keys. Built by auth/CMakeLists.txt, since it links a
 * daemon's file rather than libmail alone.
 */
#include "authd_throttle.h"

#include <stdio.h>

#include "t.h"

static const struct authd_throttle_params t_params = {
    .delay_ms = 1000, .max_delay_ms = 15000, .window_ms = 600000, .limit = 5};

static void
t_delay_for(void)
{
	static const struct {
		unsigned n;
		uint64_t want;
	} cases[] = {{0, 0}, {1, 1000}, {2, 2000}, {3, 4000}, {4, 8000},
	    {5, 15000}, {6, 15000}, {4000000000u, 15000}};
	struct authd_throttle_params zero = t_params;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T_EQ_INT(authd_throttle_delay_for(&t_params, cases[i].n),
		    cases[i].want);
	zero.delay_ms = 0;
	T_EQ_INT(authd_throttle_delay_for(&zero, 4000000000u), 0);
}

static void
t_limit_and_window(void)
{
	struct authd_throttle *t = authd_throttle_new(&t_params);
	uint64_t now = 1000000;
	unsigned i;

	for (i = 1; i <= 5; i++) {
		T_CHECK(!authd_throttle_blocked(t, "192.0.2.1", now));
		T_EQ_INT(authd_throttle_failure(t, "192.0.2.1", "a@x.test", now),
		    authd_throttle_delay_for(&t_params, i));
		now += 10;
	}
	T_CHECK(authd_throttle_blocked(t, "192.0.2.1", now));
	/* Another address is not blocked, and its right password is not
	 * slowed (a different user). */
	T_CHECK(!authd_throttle_blocked(t, "192.0.2.2", now));
	T_EQ_INT(authd_throttle_success(t, "192.0.2.2", "b@x.test", now), 0);
	/* Still blocked just before the window ends, free after. */
	T_CHECK(authd_throttle_blocked(t, "192.0.2.1", now - 10 + 599999));
	T_CHECK(!authd_throttle_blocked(t, "192.0.2.1", now - 10 + 600000));
	T_EQ_INT(authd_throttle_count_addr(t, "192.0.2.1", now + 600000), 0);
	authd_throttle_free(&t);
	T_CHECK(t == NULL);
	authd_throttle_free(&t);
}

static void
t_user_delay(void)
{
	struct authd_throttle *t = authd_throttle_new(&t_params);
	uint64_t now = 5;

	/* Three addresses fail once each against the same user. */
	T_EQ_INT(authd_throttle_failure(t, "198.51.100.1", "u@x.test", now), 1000);
	T_EQ_INT(authd_throttle_failure(t, "198.51.100.2", "u@x.test", now), 2000);
	T_EQ_INT(authd_throttle_failure(t, "198.51.100.3", "u@x.test", now), 4000);
	T_EQ_INT(authd_throttle_count_user(t, "u@x.test", now), 3);
	/* The user's right password from a fresh address: no delay, and
	 * the user's failures are forgiven; the addresses keep theirs. */
	T_EQ_INT(authd_throttle_success(t, "198.51.100.9", "u@x.test", now), 0);
	T_EQ_INT(authd_throttle_count_user(t, "u@x.test", now), 0);
	T_EQ_INT(authd_throttle_success(t, "198.51.100.1", "u@x.test", now), 1000);
	/* An unknown user ("") counts against the address only. */
	T_EQ_INT(authd_throttle_failure(t, "198.51.100.4", "", now), 1000);
	T_EQ_INT(authd_throttle_count_user(t, "", now), 0);
	authd_throttle_free(&t);
}

static void
t_full_table(void)
{
	struct authd_throttle *t = authd_throttle_new(&t_params);
	char addr[32];
	unsigned i;

	for (i = 0; i < AUTHD_THROTTLE_KEYS_MAX + 10; i++) {
		snprintf(addr, sizeof(addr), "10.%u.%u.%u", (i >> 16) & 255,
		    (i >> 8) & 255, i & 255);
		(void)authd_throttle_failure(t, addr, "", 1000 + i);
	}
	/* The first keys went, the last ones stay. */
	T_EQ_INT(authd_throttle_count_addr(t, "10.0.0.0", 1000 + i), 0);
	T_EQ_INT(authd_throttle_count_addr(t, addr, 1000 + i), 1);
	authd_throttle_free(&t);
}

T_MAIN(T_CASE(t_delay_for), T_CASE(t_limit_and_window), T_CASE(t_user_delay),
    T_CASE(t_full_table))
