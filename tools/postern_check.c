/* SPDX-License-Identifier: MIT */
/*
 * postern check: validate an instance before (re)starting it, as
 * "postfix check" does. main.cf and master.cf are parsed exactly as the
 * daemons parse them; then programs, directories, maps and TLS files.
 * Each problem is one line, with file:line where there is one. Errors
 * make the exit status 1; warnings (an unknown parameter, a program not
 * built yet, a table older than its source) do not.
 */
#include "postern_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/mastercf.h"
#include "core/buf.h"
#include "core/xmalloc.h"
#include "postern.h"

void
postern_check_error(struct postern_check *ck, const char *fmt, ...)
{
	va_list ap;

	ck->errors++;
	fputs("postern: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
postern_check_warning(struct postern_check *ck, const char *fmt, ...)
{
	va_list ap;

	ck->warnings++;
	fputs("postern: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* main.cf with extra "name=value" settings from origin; NULL on error. */
static struct conf *
postern_check_load(struct postern_check *ck, const char *const *extra,
    size_t nextra, const char *origin, struct buf *unknown_out,
    struct err *err)
{
	struct conf *conf = conf_new();
	char *path = xasprintf("%s/main.cf", ck->config_dir);
	const char *eq;
	char *name;
	size_t i;
	int rc;

	rc = conf_read_file(conf, path, err);
	free(path);
	if (rc == 0)
		rc = conf_set(conf, "config_directory", ck->config_dir,
		    "command line", err);
	for (i = 0; rc == 0 && i < nextra; i++) {
		if ((eq = strchr(extra[i], '=')) == NULL)
			continue;
		name = xstrndup(extra[i], (size_t)(eq - extra[i]));
		rc = conf_set(conf, name, eq + 1, origin, err);
		free(name);
	}
	if (rc == 0)
		rc = conf_finish(conf, unknown_out, err);
	if (rc != 0)
		conf_free(&conf);
	return conf;
}

/* main.cf alone; each unknown parameter is a warning. */
static struct conf *
postern_check_main(struct postern_check *ck)
{
	struct buf unknown;
	struct conf *conf;
	struct err err;
	char *line, *save = NULL;

	buf_init(&unknown);
	conf = postern_check_load(ck, NULL, 0, NULL, &unknown, &err);
	if (conf == NULL)
		postern_check_error(ck, "%s", err.text);
	for (line = strtok_r(unknown.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		postern_check_warning(ck, "%s", line);
	buf_deinit(&unknown);
	return conf;
}

/* The -o overrides of one service: known names, a valid result. */
static void
postern_check_overrides(struct postern_check *ck, const char *where,
    const struct mastercf_service *s)
{
	struct conf *conf;
	struct err err;
	char name[65];
	size_t i, len;

	for (i = 0; i < s->noverrides; i++) {
		len = strcspn(s->overrides[i], "=");
		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, s->overrides[i], len);
		name[len] = '\0';
		if (conf_param_find(name) == NULL)
			postern_check_warning(ck, "%s: service %s/%s: -o %s: "
			    "unknown parameter", where, s->name,
			    mastercf_type_name(s->type), name);
	}
	conf = postern_check_load(ck, s->overrides, s->noverrides, where,
	    NULL, &err);
	if (conf == NULL)
		postern_check_error(ck, "%s: service %s/%s: %s", where,
		    s->name, mastercf_type_name(s->type), err.text);
	conf_free(&conf);
}

void
postern_check_services(struct postern_check *ck, const struct mastercf *mcf)
{
	const struct mastercf_service *s;
	char *program, *where;
	size_t i;

	for (i = 0; i < mcf->nservices; i++) {
		s = &mcf->services[i];
		where = xasprintf("%s:%d", s->file, s->line);
		program = xasprintf("%s/%s", ck->conf->daemon_directory,
		    s->command);
		/* Daemons land one by one; the master skips missing ones. */
		if (access(program, X_OK) != 0)
			postern_check_warning(ck, "%s: service %s/%s: program "
			    "%s is not installed; the master skips it", where,
			    s->name, mastercf_type_name(s->type), program);
		else if (s->noverrides > 0)
			postern_check_overrides(ck, where, s);
		free(program);
		free(where);
	}
}

static void
postern_check_master(struct postern_check *ck)
{
	struct mastercf mcf;
	struct err err;
	char *path = xasprintf("%s/master.cf", ck->config_dir);

	if (mastercf_read(path, &mcf, &err) != 0) {
		postern_check_error(ck, "%s", err.text);
	} else {
		if (ck->conf != NULL)
			postern_check_services(ck, &mcf);
		mastercf_deinit(&mcf);
	}
	free(path);
}

int
postern_cmd_check(struct postern_ctx *ctx, int argc, char **argv)
{
	struct postern_check ck = { .as_root = geteuid() == 0 };
	struct conf *conf;
	struct err err;

	if (getopt(argc, argv, "") != -1)
		return postern_bad_option("check", argv);
	if (optind < argc) {
		postern_error("check: unexpected argument \"%s\"",
		    argv[optind]);
		return POSTERN_EXIT_USAGE;
	}
	if ((ck.config_dir = postern_ctx_config_dir(ctx, &err)) == NULL) {
		postern_error("check: %s", err.text);
		return POSTERN_EXIT_FAIL;
	}
	conf = postern_check_main(&ck);
	ck.conf = conf;
	postern_check_master(&ck);
	if (conf != NULL) {
		postern_check_dirs(&ck);
		postern_check_maps(&ck);
		postern_check_tls(&ck);
	}
	conf_free(&conf);
	if (ck.errors > 0) {
		postern_error("check: %d error%s, %d warning%s in %s",
		    ck.errors, ck.errors == 1 ? "" : "s", ck.warnings,
		    ck.warnings == 1 ? "" : "s", ck.config_dir);
		return POSTERN_EXIT_FAIL;
	}
	printf("postern: %s is valid (%d warning%s)\n", ck.config_dir,
	    ck.warnings, ck.warnings == 1 ? "" : "s");
	return POSTERN_EXIT_OK;
}
