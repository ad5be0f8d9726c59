/* SPDX-License-Identifier: MIT */
/*
 * Prefix iteration for the LMDB wrapper. A cursor belongs to one
 * transaction and is closed with it; its errors feed the same recovery
 * as every other operation (db_lmdb.c).
 */
#include "db/db_lmdb.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "db/db_lmdb_impl.h"

struct db_lmdb_cursor {
	struct db_lmdb_txn *txn;
	MDB_cursor *cur;
	struct db_lmdb_cursor *next;
	char *prefix;
	size_t plen;
	char *start; /* where the next call positions */
	size_t slen;
	bool positioned; /* start consumed: the next call steps on */
	bool current; /* on an entry db_lmdb_cursor_next() returned */
};

static void
db_lmdb_cursor_set_start(struct db_lmdb_cursor *c, const void *key, size_t klen)
{
	free(c->start);
	c->start = xmalloc(klen + 1);
	if (klen > 0)
		memcpy(c->start, key, klen);
	c->slen = klen;
	c->positioned = false;
	c->current = false;
}

struct db_lmdb_cursor *
db_lmdb_cursor_open(
    struct db_lmdb_txn *txn, const void *prefix, size_t plen, struct err *err)
{
	struct db_lmdb_cursor *c;
	MDB_cursor *cur;
	int rc;

	if ((rc = mdb_cursor_open(txn->txn, txn->db->dbi, &cur)) != 0) {
		db_lmdb_fail(txn->db, txn, rc, "cursor", err);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->txn = txn;
	c->cur = cur;
	c->prefix = xmalloc(plen + 1);
	if (plen > 0)
		memcpy(c->prefix, prefix, plen);
	c->plen = plen;
	db_lmdb_cursor_set_start(c, prefix, plen);
	c->next = txn->cursors;
	txn->cursors = c;
	return c;
}

static bool
db_lmdb_cursor_in_prefix(const struct db_lmdb_cursor *c, const MDB_val *k)
{
	return k->mv_size >= c->plen &&
	    (c->plen == 0 || memcmp(k->mv_data, c->prefix, c->plen) == 0);
}

int
db_lmdb_cursor_next(struct db_lmdb_cursor *c, struct db_lmdb_val *key_out,
    struct db_lmdb_val *val_out, struct err *err)
{
	MDB_val k = {0}, v = {0};
	int rc;

	if (!c->positioned) {
		k.mv_size = c->slen;
		k.mv_data = c->start;
		rc = mdb_cursor_get(
		    c->cur, &k, &v, c->slen == 0 ? MDB_FIRST : MDB_SET_RANGE);
		c->positioned = true;
	} else
		rc = mdb_cursor_get(c->cur, &k, &v, MDB_NEXT);
	c->current = false;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return db_lmdb_fail(c->txn->db, c->txn, rc, "cursor", err);
	if (!db_lmdb_cursor_in_prefix(c, &k))
		return 0;
	c->current = true;
	key_out->data = k.mv_data;
	key_out->len = k.mv_size;
	if (val_out != NULL) {
		val_out->data = v.mv_data;
		val_out->len = v.mv_size;
	}
	return 1;
}

int
db_lmdb_cursor_seek(
    struct db_lmdb_cursor *c, const void *key, size_t klen, struct err *err)
{
	size_t n = klen < c->plen ? klen : c->plen;
	int cmp = n == 0 ? 0 : memcmp(key, c->prefix, n);

	(void)err;
	/* Before the prefix: start at the prefix. */
	if (cmp < 0 || (cmp == 0 && klen < c->plen))
		db_lmdb_cursor_set_start(c, c->prefix, c->plen);
	else
		db_lmdb_cursor_set_start(c, key, klen);
	return 0;
}

int
db_lmdb_cursor_del(struct db_lmdb_cursor *c, struct err *err)
{
	int rc;

	if (!c->txn->write)
		PANIC("%s: delete in a read transaction on %s", __func__,
		    c->txn->db->path);
	if (!c->current)
		PANIC("%s: no current entry", __func__);
	if ((rc = mdb_cursor_del(c->cur, 0)) != 0)
		return db_lmdb_fail(
		    c->txn->db, c->txn, rc, "cursor delete", err);
	c->current = false;
	return 0;
}

static void
db_lmdb_cursor_free(struct db_lmdb_cursor *c)
{
	mdb_cursor_close(c->cur);
	free(c->prefix);
	free(c->start);
	free(c);
}

void
db_lmdb_cursor_close(struct db_lmdb_cursor **cp)
{
	struct db_lmdb_cursor *c = *cp, **pp;

	if (c == NULL)
		return;
	for (pp = &c->txn->cursors; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	db_lmdb_cursor_free(c);
	*cp = NULL;
}

void
db_lmdb_cursor_close_all(struct db_lmdb_txn *txn)
{
	struct db_lmdb_cursor *c, *next;

	for (c = txn->cursors; c != NULL; c = next) {
		next = c->next;
		db_lmdb_cursor_free(c);
	}
	txn->cursors = NULL;
}
