/* SPDX-License-Identifier: MIT */
/*
 * "type:name" dispatch for lookup tables. Types register here; each
 * lives in its own file (map_static.c, map_inline.c, map_cidr.c,
 * map_pcre.c, map_lmdb.c). Used by every process that reads a map.
 */
#include "map/map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "map/map_impl.h"

/* hash: and btree: are what Postfix admins' configs say; both are LMDB. */
static const struct {
	const char *type;
	const struct map_ops *ops;
} map_types[] = {
    {"lmdb", &map_lmdb_ops},
    {"hash", &map_lmdb_ops},
    {"btree", &map_lmdb_ops},
    {"pcre", &map_pcre_ops},
    {"cidr", &map_cidr_ops},
    {"inline", &map_inline_ops},
    {"static", &map_static_ops},
};

static const struct map_ops *
map_find_type(const char *type, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (strlen(map_types[i].type) == len &&
		    memcmp(map_types[i].type, type, len) == 0)
			return map_types[i].ops;
	return NULL;
}

struct map *
map_open(const char *spec, struct err *err)
{
	const char *colon = strchr(spec, ':');
	const struct map_ops *ops;
	struct map *map;
	void *impl;

	if (colon == NULL || colon == spec) {
		err_set(err, ERR_PERM, "", "%s: expected type:name", spec);
		return NULL;
	}
	if ((ops = map_find_type(spec, (size_t)(colon - spec))) == NULL) {
		err_set(err, ERR_PERM, "", "%s: unknown map type \"%.*s\"",
		    spec, (int)(colon - spec), spec);
		return NULL;
	}
	if ((impl = ops->open(colon + 1, err)) == NULL)
		return NULL;
	map = xcalloc(1, sizeof(*map));
	map->ops = ops;
	map->impl = impl;
	map->spec = xstrdup(spec);
	buf_init(&map->key);
	return map;
}

void
map_close(struct map **mapp)
{
	struct map *map = *mapp;

	if (map == NULL)
		return;
	map->ops->close(map->impl);
	buf_deinit(&map->key);
	free(map->spec);
	free(map);
	*mapp = NULL;
}

int
map_lookup(
    struct map *map, const char *key, struct buf *value_out, struct err *err)
{
	size_t i;

	if (!map->ops->fold)
		return map->ops->lookup(map->impl, key, value_out, err);
	buf_set(&map->key, key);
	for (i = 0; i < map->key.len; i++)
		if (map->key.data[i] >= 'A' && map->key.data[i] <= 'Z')
			map->key.data[i] = (char)(map->key.data[i] + 32);
	return map->ops->lookup(map->impl, map->key.data, value_out, err);
}

const char *
map_spec(const struct map *map)
{
	return map->spec;
}

int
map_read_file(const char *path, size_t max, struct buf *out, struct err *err)
{
	struct stat st;
	ssize_t n;
	int fd;

	buf_reset(out);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && (size_t)st.st_size > max) {
		close(fd);
		return err_set(
		    err, ERR_PERM, "", "%s: larger than %zu bytes", path, max);
	}
	for (;;) {
		buf_reserve(out, 65536);
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len > max) {
			close(fd);
			return err_set(err, ERR_PERM, "",
			    "%s: larger than %zu bytes", path, max);
		}
	}
	if (n < 0) {
		int e = errno;

		close(fd);
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}
