/* SPDX-License-Identifier: MIT */
/*
 * postern conf: postconf(1) for Postern. Prints parameters as
 * "name = value" (all, defaults with -d, only main.cf's with -n, value
 * only with -h), edits main.cf with -e, and hands -M (master.cf) to
 * postern_conf_master.c. Values are shown as written, unexpanded, as
 * postconf does. Input is the administrator's command line and main.cf.
 */
#include "postern_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_edit.h"
#include "core/arena.h"
#include "core/xmalloc.h"
#include "postern.h"

enum postern_conf_mode {
	POSTERN_CONF_ALL,	/* effective value of every parameter */
	POSTERN_CONF_DEFAULTS,	/* -d */
	POSTERN_CONF_SET,	/* -n */
	POSTERN_CONF_EDIT,	/* -e */
	POSTERN_CONF_MASTER,	/* -M */
};

struct postern_conf_opts {
	enum postern_conf_mode mode;
	bool value_only;	/* -h */
};

/* Read main.cf alone: no expansion, so a broken value still shows. */
static struct conf *
postern_conf_read(struct postern_ctx *ctx, char **path_out)
{
	const char *dir;
	struct conf *conf;
	struct err err;
	char *path;

	if ((dir = postern_ctx_config_dir(ctx, &err)) == NULL) {
		postern_error("conf: %s", err.text);
		return NULL;
	}
	path = xasprintf("%s/main.cf", dir);
	conf = conf_new();
	if (conf_read_file(conf, path, &err) != 0) {
		postern_error("conf: %s", err.text);
		conf_free(&conf);
		free(path);
		return NULL;
	}
	*path_out = path;
	return conf;
}

static void
postern_conf_print(const struct postern_conf_opts *o, const char *name,
    const char *value)
{
	if (o->value_only)
		printf("%s\n", value);
	else if (value[0] == '\0')
		printf("%s =\n", name);
	else
		printf("%s = %s\n", name, value);
}

/* The value to show for name under mode; NULL when it has none. */
static const char *
postern_conf_shown(const struct postern_conf_opts *o, const struct conf *conf,
    const char *name)
{
	const struct conf_param *p = conf_param_find(name);
	const char *raw = conf != NULL ? conf_raw(conf, name) : NULL;

	switch (o->mode) {
	case POSTERN_CONF_DEFAULTS:
		return p != NULL ? p->def : NULL;
	case POSTERN_CONF_SET:
		return raw;
	default:
		return raw != NULL ? raw : p != NULL ? p->def : NULL;
	}
}

static int
postern_conf_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every name to list, sorted as postconf does. Caller frees the array. */
static size_t
postern_conf_names(const struct postern_conf_opts *o, const struct conf *conf,
    const char ***names_out)
{
	const char **set = NULL, **names;
	size_t nset = 0, n = 0, i;

	if (conf != NULL)
		nset = conf_set_names(conf, &set);
	names = xcalloc(conf_nparams + nset + 1, sizeof(*names));
	if (o->mode != POSTERN_CONF_SET)
		for (i = 0; i < conf_nparams; i++)
			names[n++] = conf_params[i].name;
	/* Names set in main.cf but not declared: -n shows them too. */
	for (i = 0; i < nset; i++)
		if (o->mode == POSTERN_CONF_SET ||
		    (o->mode == POSTERN_CONF_ALL && conf_param_find(set[i])
		    == NULL))
			names[n++] = set[i];
	qsort(names, n, sizeof(*names), postern_conf_cmp);
	*names_out = names;
	return n;
}

static int
postern_conf_show(struct postern_ctx *ctx, const struct postern_conf_opts *o,
    int argc, char **argv)
{
	struct conf *conf = NULL;
	const char **names, *value;
	char *path = NULL;
	size_t n, i;
	int status = POSTERN_EXIT_OK;

	/* Defaults need no instance; everything else reads main.cf. */
	if (o->mode != POSTERN_CONF_DEFAULTS &&
	    (conf = postern_conf_read(ctx, &path)) == NULL)
		return POSTERN_EXIT_FAIL;
	if (argc > 0) {
		for (i = 0; i < (size_t)argc; i++) {
			if ((value = postern_conf_shown(o, conf, argv[i]))
			    != NULL)
				postern_conf_print(o, argv[i], value);
			else if (conf_param_find(argv[i]) == NULL) {
				postern_warning("%s: unknown parameter",
				    argv[i]);
				status = POSTERN_EXIT_FAIL;
			}
		}
	} else {
		n = postern_conf_names(o, conf, &names);
		for (i = 0; i < n; i++)
			if ((value = postern_conf_shown(o, conf, names[i]))
			    != NULL)
				postern_conf_print(o, names[i], value);
		free(names);
	}
	conf_free(&conf);
	free(path);
	return status;
}

/*
 * Split "name=value" (white space around either side is dropped, so
 * 'name = value' works too) into the arena. 0 or -1.
 */
static int
postern_conf_split(struct arena *a, const char *arg, const char **name_out,
    const char **value_out)
{
	const char *eq = strchr(arg, '='), *end, *v;

	if (eq == NULL)
		return -1;
	for (end = eq; end > arg && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
		;
	if (end == arg)
		return -1;
	*name_out = arena_strndup(a, arg, (size_t)(end - arg));
	*value_out = arena_strdup(a, v);
	return 0;
}

/*
 * -e: apply every assignment to a copy first and check that the result
 * still loads, so a bad value never reaches main.cf; then edit.
 */
static int
postern_conf_edit(struct postern_ctx *ctx, int argc, char **argv)
{
	struct arena *a = arena_new();
	const char **names = arena_zalloc(a, sizeof(*names) * (size_t)argc);
	const char **values = arena_zalloc(a, sizeof(*values) * (size_t)argc);
	struct conf *conf;
	char *path = NULL;
	struct err err;
	int i, status = POSTERN_EXIT_FAIL;

	if (argc == 0) {
		postern_error("conf: -e needs name=value arguments");
		status = POSTERN_EXIT_USAGE;
		goto out;
	}
	if ((conf = postern_conf_read(ctx, &path)) == NULL)
		goto out;
	for (i = 0; i < argc; i++) {
		if (postern_conf_split(a, argv[i], &names[i], &values[i])
		    != 0) {
			postern_error("conf: -e %s: expected name=value",
			    argv[i]);
			conf_free(&conf);
			goto out;
		}
		if (conf_set(conf, names[i], values[i], "command line", &err)
		    != 0)
			break;
		if (conf_param_find(names[i]) == NULL)
			postern_warning("%s: unknown parameter", names[i]);
	}
	if (i < argc || conf_finish(conf, NULL, &err) != 0) {
		postern_error("conf: %s; main.cf not changed", err.text);
		conf_free(&conf);
		goto out;
	}
	conf_free(&conf);
	for (i = 0; i < argc; i++)
		if (conf_edit_main(path, names[i], values[i], &err) != 0) {
			postern_error("conf: %s", err.text);
			goto out;
		}
	status = POSTERN_EXIT_OK;
out:
	free(path);
	arena_free(&a);
	return status;
}

static int
postern_conf_parse(struct postern_conf_opts *o, int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "dnehM")) != -1) {
		enum postern_conf_mode m;

		switch (c) {
		case 'd': m = POSTERN_CONF_DEFAULTS; break;
		case 'n': m = POSTERN_CONF_SET; break;
		case 'e': m = POSTERN_CONF_EDIT; break;
		case 'M': m = POSTERN_CONF_MASTER; break;
		case 'h': o->value_only = true; continue;
		default: return postern_bad_option("conf", argv);
		}
		if (o->mode != POSTERN_CONF_ALL && o->mode != m) {
			postern_error("conf: -d, -n, -e and -M exclude each "
			    "other");
			return POSTERN_EXIT_USAGE;
		}
		o->mode = m;
	}
	return 0;
}

int
postern_cmd_conf(struct postern_ctx *ctx, int argc, char **argv)
{
	struct postern_conf_opts o = { .mode = POSTERN_CONF_ALL };
	int status;

	if ((status = postern_conf_parse(&o, argc, argv)) != 0)
		return status;
	argc -= optind;
	argv += optind;
	switch (o.mode) {
	case POSTERN_CONF_EDIT:
		return postern_conf_edit(ctx, argc, argv);
	case POSTERN_CONF_MASTER:
		return postern_conf_master(ctx, argc, argv);
	default:
		return postern_conf_show(ctx, &o, argc, argv);
	}
}
