/* SPDX-License-Identifier: MIT */
/*
 * lmdb: maps: name + ".lmdb", built by map_build() and never written in
 * place, so it is opened read-only without a lock file. A rebuilt table
 * is a new file renamed over the old one; a lookup that sees a new inode
 * at the path reopens, so long-running daemons pick up "postern map"
 * without a restart.
 */
#include "map/map_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/xmalloc.h"
#include "db/db_lmdb.h"

struct map_lmdb {
	char *path;
	struct db_lmdb *db;
	dev_t dev;
	ino_t ino;
};

static int
map_lmdb_attach(struct map_lmdb *m, struct err *err)
{
	struct db_lmdb_opts o = {
	    .flags = DB_LMDB_RDONLY | DB_LMDB_NOLOCK,
	};
	struct db_lmdb *db;
	struct stat st;

	/* stat first: if the file is replaced meanwhile we reopen later. */
	if (stat(m->path, &st) != 0)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", m->path, strerror(errno));
	if ((db = db_lmdb_open(m->path, &o, err)) == NULL)
		return -1;
	db_lmdb_close(&m->db);
	m->db = db;
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	return 0;
}

static void
map_lmdb_close(void *impl)
{
	struct map_lmdb *m = impl;

	db_lmdb_close(&m->db);
	free(m->path);
	free(m);
}

static void *
map_lmdb_open(const char *name, struct err *err)
{
	struct map_lmdb *m = xcalloc(1, sizeof(*m));

	m->path = xasprintf("%s.lmdb", name);
	if (map_lmdb_attach(m, err) != 0) {
		map_lmdb_close(m);
		return NULL;
	}
	return m;
}

static int
map_lmdb_lookup(
    void *impl, const char *key, struct buf *value_out, struct err *err)
{
	struct map_lmdb *m = impl;
	struct stat st;

	/*
	 * A vanished file keeps serving the old table (our mapping stays
	 * valid); a failed reopen too, until the next lookup tries again.
	 */
	if (stat(m->path, &st) == 0 &&
	    (st.st_ino != m->ino || st.st_dev != m->dev))
		(void)map_lmdb_attach(m, NULL);
	return db_lmdb_lookup(m->db, key, strlen(key), value_out, err);
}

const struct map_ops map_lmdb_ops = {
    .type = "lmdb",
    .pattern = false,
    .fold = true,
    .open = map_lmdb_open,
    .lookup = map_lmdb_lookup,
    .close = map_lmdb_close,
};
