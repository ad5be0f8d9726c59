/* SPDX-License-Identifier: MIT */
/*
 * postern map -i: entries from stdin join an lmdb: table. Daemons read
 * lmdb: tables without locks because a table is only ever replaced by a
 * rename, never written in place; so the entries are appended to the
 * source file and the table is rebuilt from it, which also keeps them
 * through the next full rebuild. Input is stdin and the admin's file.
 */
#include "postern_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/arena.h"
#include "map/map_source.h"

/* True if key is one of the first n entries. */
static bool
postern_map_add_has(
    const struct map_source_entries *e, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(e->v[i].key, key) == 0)
			return true;
	return false;
}

/*
 * The lines to append: new keys only, as postmap keeps the existing
 * entry of a duplicate (with a warning). Returns how many were taken.
 */
static size_t
postern_map_add_lines(const struct map_source_entries *old,
    const struct map_source_entries *add, const struct buf *source,
    struct buf *out)
{
	size_t i, taken = 0;

	buf_reset(out);
	if (source->len > 0 && source->data[source->len - 1] != '\n')
		buf_putc(out, '\n');
	for (i = 0; i < add->n; i++) {
		const struct map_source_entry *e = &add->v[i];

		if (postern_map_add_has(old, old->n, e->key) ||
		    postern_map_add_has(add, i, e->key)) {
			postern_warning("stdin:%zu: duplicate entry \"%s\" "
			                "ignored",
			    e->lineno, e->key);
			continue;
		}
		buf_printf(out, "%s %s\n", e->key, e->value);
		taken++;
	}
	return taken;
}

static int
postern_map_add_write(int fd, const struct buf *lines, struct err *err)
{
	size_t off = 0;
	ssize_t n;

	while (off < lines->len) {
		n = write(fd, lines->data + off, lines->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(
			    err, ERR_TEMP, "", "write: %s", strerror(errno));
		off += (size_t)n;
	}
	if (fsync(fd) < 0)
		return err_set(err, ERR_TEMP, "", "fsync: %s", strerror(errno));
	return 0;
}

/* Parse stdin and the source under the lock, append, rebuild. */
static int
postern_map_add_locked(
    const char *path, int fd, struct arena *arena, struct err *err)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_source_entries old = {0}, add = {0};
	struct buf in, source, lines;
	int rc;

	buf_init(&in);
	buf_init(&source);
	buf_init(&lines);
	rc =
	    postern_map_read_fd(STDIN_FILENO, POSTERN_MAP_SOURCE_MAX, &in, err);
	if (rc == 0)
		rc = map_source_table_parse(
		    "stdin", in.data, in.len, &lim, arena, &add, err);
	if (rc == 0 &&
	    (rc = postern_map_read_fd(
	         fd, POSTERN_MAP_SOURCE_MAX, &source, err)) < 0)
		err_prefix(err, "%s", path);
	if (rc == 0)
		rc = map_source_table_parse(
		    path, source.data, source.len, &lim, arena, &old, err);
	if (rc == 0 && postern_map_add_lines(&old, &add, &source, &lines) > 0 &&
	    (rc = postern_map_add_write(fd, &lines, err)) < 0)
		err_prefix(err, "%s", path);
	/* Rebuild even with nothing new: -i also means "bring it up to date".
	 */
	if (rc == 0)
		rc = map_build(path, MAP_SOURCE_TABLE, err);
	buf_deinit(&in);
	buf_deinit(&source);
	buf_deinit(&lines);
	return rc;
}

int
postern_map_incremental(const char *operand)
{
	struct buf spec, path;
	struct arena *arena;
	struct err err;
	int fd, rc = -1;

	buf_init(&spec);
	buf_init(&path);
	if (!postern_map_operand(operand, &spec, &path)) {
		postern_error("map -i: %s is not built from a file; only lmdb: "
		              "tables take entries",
		    spec.data);
		buf_deinit(&spec);
		buf_deinit(&path);
		return POSTERN_EXIT_USAGE;
	}
	arena = arena_new();
	/* The lock serialises concurrent -i runs on one source file. */
	fd = open(path.data, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		err_set(
		    &err, ERR_TEMP, "", "%s: %s", path.data, strerror(errno));
	else if (flock(fd, LOCK_EX) < 0)
		err_set(&err, ERR_TEMP, "", "%s: lock: %s", path.data,
		    strerror(errno));
	else
		rc = postern_map_add_locked(path.data, fd, arena, &err);
	if (rc < 0)
		postern_error("%s", err.text);
	if (fd >= 0)
		close(fd);
	arena_free(&arena);
	buf_deinit(&spec);
	buf_deinit(&path);
	return rc < 0 ? POSTERN_EXIT_FAIL : POSTERN_EXIT_OK;
}
