/* SPDX-License-Identifier: MIT */
/*
 * postern alias [-q KEY] [FILE...] and newaliases: postalias's role.
 * Builds aliases tables ("name: a, b" sources) into FILE.lmdb; without
 * FILE, every table of the alias_database parameter. -q looks a name up
 * in FILE or in alias_maps, as the local delivery agent would. Input is
 * the administrator's command line and aliases files.
 */
#include "postern_map.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"
#include "core/xmalloc.h"

/* The items of a maps-type parameter, as a NULL-free vector. */
static size_t
postern_alias_param_maps(const char *value, char ***items_out)
{
	const char *cursor = value;
	struct buf item;
	char **items = NULL;
	size_t n = 0;

	buf_init(&item);
	while (conf_list_next(&cursor, &item)) {
		items = xreallocarray(items, n + 1, sizeof(*items));
		items[n++] = xstrdup(item.data);
	}
	buf_deinit(&item);
	*items_out = items;
	return n;
}

static void
postern_alias_free_maps(char **items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* Build (or query) the tables of a parameter of the instance. */
static int
postern_alias_from_param(
    struct postern_ctx *ctx, bool maps_param, const char *query)
{
	const struct conf *conf;
	struct err err;
	char **items;
	size_t n, i;
	int status = POSTERN_EXIT_OK;

	if ((conf = postern_ctx_conf(ctx, &err)) == NULL) {
		postern_error("%s", err.text);
		return query != NULL ? POSTERN_MAP_ERROR : POSTERN_EXIT_FAIL;
	}
	n = postern_alias_param_maps(
	    maps_param ? conf->alias_maps : conf->alias_database, &items);
	if (query != NULL)
		status = n == 0 ? POSTERN_MAP_NOT_FOUND
		                : postern_map_query(items, n, query);
	for (i = 0; query == NULL && i < n; i++)
		if (postern_map_build_one(items[i], MAP_SOURCE_ALIASES) < 0)
			status = POSTERN_EXIT_FAIL;
	postern_alias_free_maps(items, n);
	return status;
}

static void
postern_alias_usage(void)
{
	fprintf(stderr,
	    "usage: postern alias [FILE...]\n"
	    "       postern alias -q NAME|- [FILE...]\n"
	    "       newaliases\n");
}

int
postern_cmd_alias(struct postern_ctx *ctx, int argc, char **argv)
{
	const char *query = NULL;
	int c, i, status = POSTERN_EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt(argc, argv, "+q:")) != -1) {
		if (c != 'q') {
			postern_error("alias: unknown option or missing value: "
			              "%s",
			    argv[optind - 1]);
			postern_alias_usage();
			return POSTERN_EXIT_USAGE;
		}
		query = optarg;
	}
	if (optind == argc)
		return postern_alias_from_param(ctx, query != NULL, query);
	if (query != NULL)
		return postern_map_query(
		    argv + optind, (size_t)(argc - optind), query);
	for (i = optind; i < argc; i++)
		if (postern_map_build_one(argv[i], MAP_SOURCE_ALIASES) < 0)
			status = POSTERN_EXIT_FAIL;
	return status;
}

int
postern_cmd_newaliases(struct postern_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		postern_error("newaliases takes no arguments; "
		              "'postern alias FILE' builds one file");
		return POSTERN_EXIT_USAGE;
	}
	return postern_alias_from_param(ctx, false, NULL);
}
