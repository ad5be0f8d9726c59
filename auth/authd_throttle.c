/* SPDX-License-Identifier: MIT */
/*
 * The failed-login throttle of authd (policy: authd_throttle.h). Two
 * small chained hash tables, one keyed by client address, one by user;
 * keys come from clients, so each table is capped and sheds its stalest
 * entries rather than grow.
 */
#include "authd_throttle.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

#define AUTHD_THROTTLE_BUCKETS 4096

struct authd_throttle_entry {
	struct authd_throttle_entry *next;
	unsigned failures;
	uint64_t last_ms; /* time of the last failure */
	char key[];
};

struct authd_throttle_table {
	struct authd_throttle_entry *buckets[AUTHD_THROTTLE_BUCKETS];
	size_t count;
};

struct authd_throttle {
	struct authd_throttle_params params;
	struct authd_throttle_table addrs;
	struct authd_throttle_table users;
};

struct authd_throttle *
authd_throttle_new(const struct authd_throttle_params *params)
{
	struct authd_throttle *t = xcalloc(1, sizeof(*t));

	t->params = *params;
	return t;
}

static void
authd_throttle_table_clear(struct authd_throttle_table *tab)
{
	struct authd_throttle_entry *e, *next;
	size_t i;

	for (i = 0; i < AUTHD_THROTTLE_BUCKETS; i++) {
		for (e = tab->buckets[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
		tab->buckets[i] = NULL;
	}
	tab->count = 0;
}

void
authd_throttle_free(struct authd_throttle **tp)
{
	if (*tp == NULL)
		return;
	authd_throttle_table_clear(&(*tp)->addrs);
	authd_throttle_table_clear(&(*tp)->users);
	free(*tp);
	*tp = NULL;
}

uint64_t
authd_throttle_delay_for(const struct authd_throttle_params *p, unsigned n)
{
	uint64_t d = p->delay_ms;

	if (n == 0)
		return 0;
	/* Double n-1 times, stopping at the cap (no overflow). */
	while (--n > 0 && d > 0 && d < p->max_delay_ms)
		d *= 2;
	return d < p->max_delay_ms ? d : p->max_delay_ms;
}

/* FNV-1a. */
static size_t
authd_throttle_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % AUTHD_THROTTLE_BUCKETS;
}

static bool
authd_throttle_expired(
    const struct authd_throttle *t, const struct authd_throttle_entry *e,
    uint64_t now_ms)
{
	return now_ms >= e->last_ms && now_ms - e->last_ms >= t->params.window_ms;
}

/*
 * Drop expired entries; when none was, drop the stalest one, so a full
 * table always has room. O(n), only when the table is full.
 */
static void
authd_throttle_shed(struct authd_throttle *t, struct authd_throttle_table *tab,
    uint64_t now_ms)
{
	struct authd_throttle_entry **pp, **stalest = NULL, *e;
	size_t i, before = tab->count;

	for (i = 0; i < AUTHD_THROTTLE_BUCKETS; i++) {
		for (pp = &tab->buckets[i]; (e = *pp) != NULL;) {
			if (authd_throttle_expired(t, e, now_ms)) {
				*pp = e->next;
				free(e);
				tab->count--;
				continue;
			}
			if (stalest == NULL || e->last_ms < (*stalest)->last_ms)
				stalest = pp;
			pp = &e->next;
		}
	}
	if (tab->count == before && stalest != NULL) {
		e = *stalest;
		*stalest = e->next;
		free(e);
		tab->count--;
	}
}

/* The live entry for key, or NULL; an expired one is removed. */
static struct authd_throttle_entry *
authd_throttle_find(struct authd_throttle *t, struct authd_throttle_table *tab,
    const char *key, uint64_t now_ms)
{
	struct authd_throttle_entry **pp, *e;

	for (pp = &tab->buckets[authd_throttle_hash(key)]; (e = *pp) != NULL;
	     pp = &e->next) {
		if (strcmp(e->key, key) != 0)
			continue;
		if (authd_throttle_expired(t, e, now_ms)) {
			*pp = e->next;
			free(e);
			tab->count--;
			return NULL;
		}
		return e;
	}
	return NULL;
}

/* Count one more failure for key; returns the new count. */
static unsigned
authd_throttle_count(struct authd_throttle *t,
    struct authd_throttle_table *tab, const char *key, uint64_t now_ms)
{
	struct authd_throttle_entry *e = authd_throttle_find(t, tab, key, now_ms);
	size_t len, b;

	if (e == NULL) {
		if (tab->count >= AUTHD_THROTTLE_KEYS_MAX)
			authd_throttle_shed(t, tab, now_ms);
		len = strlen(key);
		e = xcalloc(1, sizeof(*e) + len + 1);
		memcpy(e->key, key, len);
		b = authd_throttle_hash(key);
		e->next = tab->buckets[b];
		tab->buckets[b] = e;
		tab->count++;
	}
	if (e->failures < UINT32_MAX)
		e->failures++;
	e->last_ms = now_ms;
	return e->failures;
}

unsigned
authd_throttle_count_addr(
    struct authd_throttle *t, const char *addr, uint64_t now_ms)
{
	struct authd_throttle_entry *e =
	    authd_throttle_find(t, &t->addrs, addr, now_ms);

	return e != NULL ? e->failures : 0;
}

unsigned
authd_throttle_count_user(
    struct authd_throttle *t, const char *user, uint64_t now_ms)
{
	struct authd_throttle_entry *e =
	    authd_throttle_find(t, &t->users, user, now_ms);

	return e != NULL ? e->failures : 0;
}

bool
authd_throttle_blocked(
    struct authd_throttle *t, const char *addr, uint64_t now_ms)
{
	return authd_throttle_count_addr(t, addr, now_ms) >= t->params.limit;
}

uint64_t
authd_throttle_failure(struct authd_throttle *t, const char *addr,
    const char *user, uint64_t now_ms)
{
	uint64_t da, du = 0;

	da = authd_throttle_delay_for(&t->params,
	    authd_throttle_count(t, &t->addrs, addr, now_ms));
	if (user[0] != '\0')
		du = authd_throttle_delay_for(&t->params,
		    authd_throttle_count(t, &t->users, user, now_ms));
	return da > du ? da : du;
}

uint64_t
authd_throttle_success(struct authd_throttle *t, const char *addr,
    const char *user, uint64_t now_ms)
{
	struct authd_throttle_entry **pp, *e;

	for (pp = &t->users.buckets[authd_throttle_hash(user)];
	     (e = *pp) != NULL; pp = &e->next) {
		if (strcmp(e->key, user) == 0) {
			*pp = e->next;
			free(e);
			t->users.count--;
			break;
		}
	}
	return authd_throttle_delay_for(
	    &t->params, authd_throttle_count_addr(t, addr, now_ms));
}
