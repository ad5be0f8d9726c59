/* SPDX-License-Identifier: MIT */
/*
 * The duplicate test (RFC 7352): has a message with the same Message-ID
 * (or :header value, or :uniqueid) been delivered under this :handle
 * within the period? The engine asks the caller (duplicate_seen_fn) and
 * lists what to record in the result, for the caller to store once the
 * delivery succeeded (§3: a failed delivery must not count as seen).
 */
#include "sieve/sieve_run_impl.h"

#include <string.h>

#define SIEVE_DUPLICATE_PERIOD (12 * 3600)	/* default :seconds */

static int
sieve_duplicate_record(struct sieve_run *r, const struct sieve_node *n,
    const char *id)
{
	const struct sieve_tagval *s = sieve_node_tag(n, SIEVE_TAG_SECONDS);
	uint64_t secs = s ? s->arg->number : SIEVE_DUPLICATE_PERIOD;

	if (secs > r->lim->duplicate_max_seconds)
		secs = r->lim->duplicate_max_seconds;
	if (r->dup_count == r->dup_cap) {
		struct sieve_duplicate *nv;

		if (r->dup_count >= r->lim->actions_max)
			return sieve_run_fail(r, n, ERR_PERM, "%s",
			    "too many duplicate tests");
		r->dup_cap = r->dup_cap ? r->dup_cap * 2 : 4;
		nv = arena_alloc(r->arena, r->dup_cap * sizeof(*nv));
		if (r->dup_count > 0)
			memcpy(nv, r->dups, r->dup_count * sizeof(*nv));
		r->dups = nv;
	}
	r->dups[r->dup_count].id = id;
	r->dups[r->dup_count++].seconds = secs;
	return 0;
}

/* The tracked value: :uniqueid, the :header field, or Message-ID. */
static const char *
sieve_duplicate_value(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_tagval *u = sieve_node_tag(n, SIEVE_TAG_UNIQUEID);
	const struct sieve_tagval *h = sieve_node_tag(n, SIEVE_TAG_HEADER);
	const struct sieve_field **f;
	size_t count;

	if (u != NULL)
		return sieve_str(r, &u->arg->strs[0], NULL);
	f = sieve_msg_fields(r, h ? sieve_str(r, &h->arg->strs[0], NULL) :
	    "Message-ID", 1, false, &count);
	return count > 0 ? f[0]->value : NULL;
}

int
sieve_test_duplicate(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_callbacks *cb = &r->in->cb;
	const struct sieve_tagval *h = sieve_node_tag(n, SIEVE_TAG_HANDLE);
	const char *value = sieve_duplicate_value(r, n), *id;
	bool last = sieve_node_tag(n, SIEVE_TAG_LAST) != NULL;
	struct err err;
	size_t i;
	int seen = 0;

	if (value == NULL)
		return 0;
	id = arena_printf(r->arena, "%s\n%s",
	    h ? sieve_str(r, &h->arg->strs[0], NULL) : "", value);
	for (i = 0; i < r->dup_count; i++)
		if (strcmp(r->dups[i].id, id) == 0)
			return 1;
	if (cb->duplicate_seen_fn != NULL) {
		err_clear(&err);
		seen = cb->duplicate_seen_fn(cb->ctx, id, &err);
		if (seen < 0)
			return sieve_run_fail(r, n, ERR_TEMP, "duplicate: %s",
			    err.text);
	}
	/* §3.2: :last restarts the period on every sighting */
	if ((seen == 0 || last) && sieve_duplicate_record(r, n, id) < 0)
		return -1;
	return seen;
}
