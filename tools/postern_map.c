/* SPDX-License-Identifier: MIT */
/*
 * postern map [-q KEY] [-i] [type:]FILE...: postmap's role. Builds
 * FILE.lmdb from FILE, queries any map type, and adds entries from
 * stdin (postern_map_add.c). Input is the administrator's command line
 * and the table files they name.
 */
#include "postern_map.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/xmalloc.h"

/* Types whose "name" is a source file compiled into name + ".lmdb". */
static const char *const postern_map_built_types[] = {"lmdb", "hash", "btree"};

bool
postern_map_operand(
    const char *operand, struct buf *spec_out, struct buf *name_out)
{
	size_t tlen = strspn(operand, "abcdefghijklmnopqrstuvwxyz0123456789");
	size_t i;

	/* "type:" is letters and digits; anything else is a path. */
	if (tlen == 0 || operand[tlen] != ':') {
		buf_set(spec_out, "lmdb:");
		buf_puts(spec_out, operand);
		buf_set(name_out, operand);
		return true;
	}
	buf_set(spec_out, operand);
	buf_set(name_out, operand + tlen + 1);
	for (i = 0; i < sizeof(postern_map_built_types) /
	         sizeof(postern_map_built_types[0]);
	     i++)
		if (strlen(postern_map_built_types[i]) == tlen &&
		    strncmp(operand, postern_map_built_types[i], tlen) == 0)
			return true;
	return false;
}

int
postern_map_build_one(const char *operand, enum map_source_format format)
{
	struct buf spec, name;
	struct map *map;
	struct err err;
	int rc = 0;

	buf_init(&spec);
	buf_init(&name);
	if (postern_map_operand(operand, &spec, &name)) {
		if (map_build(name.data, format, &err) < 0) {
			postern_error("%s", err.text);
			rc = -1;
		}
	} else if ((map = map_open(spec.data, &err)) == NULL) {
		/* Read in place by the daemons: checking it is all we do. */
		postern_error("%s", err.text);
		rc = -1;
	} else {
		map_close(&map);
	}
	buf_deinit(&spec);
	buf_deinit(&name);
	return rc;
}

/* The first map with key: 1 found (value in out), 0, -1 (printed). */
static int
postern_map_find(struct map **maps, size_t n, const char *key, struct buf *out)
{
	struct err err;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = map_lookup(maps[i], key, out, &err);
		if (rc < 0) {
			postern_error("%s: %s", map_spec(maps[i]), err.text);
			return -1;
		}
		if (rc == 1)
			return 1;
	}
	return 0;
}

static int
postern_map_query_stdin(struct map **maps, size_t n, struct buf *value)
{
	struct buf key;
	int status = POSTERN_MAP_NOT_FOUND, rc, c;

	buf_init(&key);
	for (;;) {
		buf_reset(&key);
		while ((c = getchar()) != EOF && c != '\n')
			buf_putc(&key, (char)c);
		if (key.len > 0 && key.data[key.len - 1] == '\r')
			buf_truncate(&key, key.len - 1);
		if (key.len > 0) {
			rc = postern_map_find(maps, n, key.data, value);
			if (rc < 0) {
				status = POSTERN_MAP_ERROR;
				break;
			}
			if (rc == 1) {
				printf("%s %s\n", key.data, value->data);
				status = POSTERN_MAP_FOUND;
			}
		}
		if (c == EOF)
			break;
	}
	buf_deinit(&key);
	return status;
}

int
postern_map_query(char *const *specs, size_t nspecs, const char *key)
{
	struct map **maps = xcalloc(nspecs, sizeof(*maps));
	struct buf spec, name, value;
	struct err err;
	size_t i, n = 0;
	int status = POSTERN_MAP_ERROR, rc;

	buf_init(&spec);
	buf_init(&name);
	buf_init(&value);
	for (i = 0; i < nspecs; i++) {
		(void)postern_map_operand(specs[i], &spec, &name);
		if ((maps[n] = map_open(spec.data, &err)) == NULL) {
			postern_error("%s", err.text);
			goto out;
		}
		n++;
	}
	if (strcmp(key, "-") == 0) {
		status = postern_map_query_stdin(maps, n, &value);
	} else if ((rc = postern_map_find(maps, n, key, &value)) >= 0) {
		if (rc == 1)
			printf("%s\n", value.data);
		status = rc == 1 ? POSTERN_MAP_FOUND : POSTERN_MAP_NOT_FOUND;
	}
out:
	for (i = 0; i < n; i++)
		map_close(&maps[i]);
	free(maps);
	buf_deinit(&spec);
	buf_deinit(&name);
	buf_deinit(&value);
	return status;
}

int
postern_map_read_fd(int fd, size_t max, struct buf *out, struct err *err)
{
	ssize_t n;

	buf_reset(out);
	for (;;) {
		buf_reserve(out, 65536);
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(
			    err, ERR_TEMP, "", "read: %s", strerror(errno));
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		if (out->len > max)
			return err_set(
			    err, ERR_PERM, "", "more than %zu bytes", max);
	}
	return 0;
}

static void
postern_map_usage(void)
{
	fprintf(stderr,
	    "usage: postern map [type:]FILE...\n"
	    "       postern map -q KEY|- [type:]NAME...\n"
	    "       postern map -i [type:]FILE   (\"key value\" lines on "
	    "stdin)\n");
}

int
postern_cmd_map(struct postern_ctx *ctx, int argc, char **argv)
{
	const char *query = NULL;
	bool incremental = false;
	int c, i;

	(void)ctx;
	optind = 0;
	opterr = 0;
	while ((c = getopt(argc, argv, "+q:i")) != -1) {
		if (c == 'q') {
			query = optarg;
		} else if (c == 'i') {
			incremental = true;
		} else {
			postern_error("map: unknown option or missing value: "
			              "%s",
			    argv[optind - 1]);
			postern_map_usage();
			return POSTERN_EXIT_USAGE;
		}
	}
	if (optind >= argc || (query != NULL && incremental) ||
	    (incremental && argc - optind != 1)) {
		postern_map_usage();
		return query != NULL ? POSTERN_MAP_ERROR : POSTERN_EXIT_USAGE;
	}
	if (query != NULL)
		return postern_map_query(
		    argv + optind, (size_t)(argc - optind), query);
	if (incremental)
		return postern_map_incremental(argv[optind]);
	for (i = optind; i < argc; i++)
		if (postern_map_build_one(argv[i], MAP_SOURCE_TABLE) < 0)
			return POSTERN_EXIT_FAIL;
	return POSTERN_EXIT_OK;
}
