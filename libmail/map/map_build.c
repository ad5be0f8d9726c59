/* SPDX-License-Identifier: MIT */
/*
 * map_build(): compile a table or aliases source into source + ".lmdb"
 * for lmdb: maps. The database is written to a temporary file beside
 * it, synced, given the source's permissions (and owner, as root: a
 * table may hold secrets) and renamed over the old one, so readers see
 * the old table or the new one, never a half-built one. Used by the
 * postern CLI (postern map, newaliases).
 */
#include "map/map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "db/db_lmdb.h"
#include "map/map_impl.h"
#include "map/map_source.h"

#define MAP_BUILD_SOURCE_MAX ((size_t)1 << 30)

struct map_build_ctx {
	const struct map_source_entries *entries;
	size_t *dups; /* indexes of ignored duplicates */
	size_t ndups;
};

/* May run more than once (map growth): it resets what it collects. */
static int
map_build_body(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	struct map_build_ctx *bc = ctx;
	const struct map_source_entry *e;
	size_t i;
	int rc;

	bc->ndups = 0;
	for (i = 0; i < bc->entries->n; i++) {
		e = &bc->entries->v[i];
		rc = db_lmdb_add(txn, e->key, strlen(e->key), e->value,
		    strlen(e->value), err);
		if (rc < 0)
			return -1;
		/* Postfix keeps the first of duplicate keys, and says so. */
		if (rc == 0)
			bc->dups[bc->ndups++] = i;
	}
	return 0;
}

static int
map_build_parse(const char *path, enum map_source_format format,
    struct arena *arena, struct map_source_entries *out, struct err *err)
{
	struct map_source_limits lim = map_source_limits_default();
	struct buf text;
	int rc;

	buf_init(&text);
	if (map_read_file(path, MAP_BUILD_SOURCE_MAX, &text, err) != 0) {
		buf_deinit(&text);
		return -1;
	}
	if (format == MAP_SOURCE_ALIASES)
		rc = map_source_aliases_parse(
		    path, text.data, text.len, &lim, arena, out, err);
	else
		rc = map_source_table_parse(
		    path, text.data, text.len, &lim, arena, out, err);
	buf_deinit(&text);
	return rc;
}

/* Write the entries into a fresh database at tmp. */
static int
map_build_write(const char *tmp, const struct stat *st,
    struct map_build_ctx *bc, struct err *err)
{
	struct db_lmdb_opts o = {
	    .flags = DB_LMDB_CREATE | DB_LMDB_NOLOCK | DB_LMDB_NOSYNC,
	    .mode = 0600,
	};
	struct db_lmdb *db;
	int rc;

	if ((db = db_lmdb_open(tmp, &o, err)) == NULL)
		return -1;
	rc = db_lmdb_write(db, map_build_body, bc, err);
	if (rc == 0)
		rc = db_lmdb_sync(db, err);
	db_lmdb_close(&db);
	if (rc != 0)
		return -1;
	if (chmod(tmp, st->st_mode & 0666) != 0 ||
	    (geteuid() == 0 && chown(tmp, st->st_uid, st->st_gid) != 0))
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", tmp, strerror(errno));
	return 0;
}

/* Make the rename durable: sync the directory that holds it. */
static int
map_build_sync_dir(const char *path, struct err *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL
	    ? xstrdup(".")
	    : xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	int fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fsync(fd) != 0)
		rc = err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

static void
map_build_warn_dups(const char *path, const struct map_build_ctx *bc)
{
	const struct map_source_entry *e;
	char key[256];
	size_t i;

	for (i = 0; i < bc->ndups; i++) {
		e = &bc->entries->v[bc->dups[i]];
		log_warning("%s:%zu: duplicate entry \"%s\" ignored", path,
		    e->lineno,
		    log_escape(e->key, strlen(e->key), 100, key, sizeof(key)));
	}
}

int
map_build(
    const char *source_path, enum map_source_format format, struct err *err)
{
	struct map_source_entries entries = {0};
	struct map_build_ctx bc = {.entries = &entries};
	struct arena *arena = arena_new();
	char *final = xasprintf("%s.lmdb", source_path);
	char *tmp = xasprintf("%s.lmdb.XXXXXX", source_path);
	struct stat st;
	int fd, rc = -1;

	if (stat(source_path, &st) != 0) {
		err_set(err, ERR_TEMP, "4.3.0", "%s: %s", source_path,
		    strerror(errno));
		goto done;
	}
	if (map_build_parse(source_path, format, arena, &entries, err) != 0)
		goto done;
	bc.dups = arena_alloc(arena, (entries.n + 1) * sizeof(size_t));
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		err_set(err, ERR_TEMP, "4.3.0", "%s: %s", tmp, strerror(errno));
		goto done;
	}
	close(fd);
	if (map_build_write(tmp, &st, &bc, err) != 0) {
		(void)unlink(tmp);
		goto done;
	}
	if (rename(tmp, final) != 0) {
		err_set(err, ERR_TEMP, "4.3.0", "rename %s: %s", final,
		    strerror(errno));
		(void)unlink(tmp);
		goto done;
	}
	rc = map_build_sync_dir(final, err);
	map_build_warn_dups(source_path, &bc);
done:
	free(tmp);
	free(final);
	arena_free(&arena);
	return rc;
}
