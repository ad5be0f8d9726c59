/* SPDX-License-Identifier: MIT */
/*
 * The context shared by postern(1) commands: which instance they act on
 * (-c DIR, POSTERN_CONFIG_DIR or /etc/postern; an instance directory or
 * its config directory), its settings loaded on demand, and the one-line
 * error format every command uses.
 */
#include "postern.h"

#include <stdarg.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "core/xmalloc.h"

void
postern_ctx_init(struct postern_ctx *ctx, const char *progname,
    const char *config_arg)
{
	ctx->progname = progname;
	ctx->config_arg = config_arg != NULL && *config_arg != '\0'
	    ? config_arg : POSTERN_DEFAULT_CONFIG_DIR;
	ctx->config_dir = NULL;
	ctx->conf = NULL;
}

void
postern_ctx_deinit(struct postern_ctx *ctx)
{
	free(ctx->config_dir);
	ctx->config_dir = NULL;
	conf_free(&ctx->conf);
}

static bool
postern_ctx_has_main_cf(const char *dir)
{
	struct stat st;
	char *path = xasprintf("%s/main.cf", dir);
	bool found = stat(path, &st) == 0 && S_ISREG(st.st_mode);

	free(path);
	return found;
}

const char *
postern_ctx_config_dir(struct postern_ctx *ctx, struct err *err)
{
	char *etc;

	if (ctx->config_dir != NULL)
		return ctx->config_dir;
	etc = xasprintf("%s/etc", ctx->config_arg);
	/* An instance directory made by postern init holds etc/main.cf. */
	if (postern_ctx_has_main_cf(etc)) {
		ctx->config_dir = etc;
		return etc;
	}
	free(etc);
	if (postern_ctx_has_main_cf(ctx->config_arg)) {
		ctx->config_dir = xstrdup(ctx->config_arg);
		return ctx->config_dir;
	}
	err_set(err, ERR_PERM, "", "no main.cf in %s or %s/etc "
	    "(use -c DIR or POSTERN_CONFIG_DIR)", ctx->config_arg,
	    ctx->config_arg);
	return NULL;
}

const struct conf *
postern_ctx_conf(struct postern_ctx *ctx, struct err *err)
{
	const char *dir;

	if (ctx->conf != NULL)
		return ctx->conf;
	if ((dir = postern_ctx_config_dir(ctx, err)) == NULL)
		return NULL;
	ctx->conf = conf_load(dir, NULL, 0, err);
	return ctx->conf;
}

static void postern_vmessage(const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
postern_vmessage(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "postern: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int
postern_bad_option(const char *cmd, char **argv)
{
	postern_error("%s: unknown option or missing value: %s (see "
	    "postern %s --help)", cmd, optind > 0 ? argv[optind - 1] : "?",
	    cmd);
	return POSTERN_EXIT_USAGE;
}

void
postern_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	postern_vmessage("", fmt, ap);
	va_end(ap);
}

void
postern_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	postern_vmessage("warning: ", fmt, ap);
	va_end(ap);
}
