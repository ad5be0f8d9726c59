/* SPDX-License-Identifier: MIT */
/*
 * sendmail(1), mailq(1): the interface local programs expect. postern
 * runs this when invoked as "sendmail" or "mailq" (symbolic links made
 * by the build and by make install) or as "postern sendmail".
 *
 * It runs as the invoking user. It reads the message, builds the
 * envelope (-f, -t, -N, -R, -V and the recipients), and hands both to
 * postdrop, the small set-group-id helper that alone may write into
 * maildrop/ (tools/postdrop.c; docs/sendmail.md). Exit statuses follow
 * sysexits.h, as every sendmail does: 0 only once postdrop has committed
 * the message to disk.
 */
#include "postern.h"

#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/buf.h"
#include "postern_sendmail.h"

static int
postern_sendmail_usage(const char *why)
{
	postern_error("sendmail: %s", why);
	return EX_USAGE;
}

/* -N never | success,failure,delay (RFC 3461 NOTIFY). */
static int
postern_sendmail_notify(const char *arg, unsigned *out)
{
	const char *cursor = arg;
	struct buf item;
	int rc = 0;

	*out = 0;
	buf_init(&item);
	while (rc == 0 && conf_list_next(&cursor, &item)) {
		if (strcasecmp(item.data, "never") == 0)
			*out |= QUEUE_NOTIFY_NEVER;
		else if (strcasecmp(item.data, "success") == 0)
			*out |= QUEUE_NOTIFY_SUCCESS;
		else if (strcasecmp(item.data, "failure") == 0)
			*out |= QUEUE_NOTIFY_FAILURE;
		else if (strcasecmp(item.data, "delay") == 0)
			*out |= QUEUE_NOTIFY_DELAY;
		else
			rc = -1;
	}
	buf_deinit(&item);
	if ((*out & QUEUE_NOTIFY_NEVER) != 0 && *out != QUEUE_NOTIFY_NEVER)
		rc = -1;
	return rc;
}

/* One option; 0, or an exit status for a bad one. */
static int
postern_sendmail_opt(struct postern_ctx *ctx, struct postern_sendmail *sm,
    int c, const char *arg)
{
	switch (c) {
	case 'b':
		if (strchr("mpisd", arg[0]) == NULL || arg[1] != '\0')
			return postern_sendmail_usage(
			    "-b: only -bm, -bp, -bi and -bs are supported");
		if (arg[0] == 'd')
			return postern_sendmail_usage(
			    "-bd: the mail system runs smtpd; see postern start");
		sm->mode = arg[0];
		break;
	case 'C':
		ctx->config_arg = arg;
		break;
	case 'F':
		sm->fullname = arg;
		break;
	case 'f':
	case 'r':
		sm->sender = arg;
		break;
	case 'I':
		sm->mode = 'i';
		break;
	case 'i':
		sm->dot_ends = false;
		break;
	case 'N':
		if (postern_sendmail_notify(arg, &sm->notify) < 0)
			return postern_sendmail_usage("-N: never, or a list of "
			                              "success, failure, delay");
		break;
	case 'o':
		if (strcmp(arg, "i") == 0)
			sm->dot_ends = false;
		break;
	case 'q':
		sm->mode = 'q';
		break;
	case 'R':
		if (strcasecmp(arg, "full") == 0)
			sm->ret = QUEUE_RET_FULL;
		else if (strcasecmp(arg, "hdrs") == 0)
			sm->ret = QUEUE_RET_HDRS;
		else
			return postern_sendmail_usage("-R: full or hdrs");
		break;
	case 't':
		sm->extract = true;
		break;
	case 'V':
		sm->envid = arg;
		break;
	case 'B': /* body type: the content says it */
	case 'h': case 'L': case 'O': case 'X': case 'e': case 'p':
	case 'A': case 'G': case 'U': case 'c': case 'm': case 'n':
	case 'v': case 'x':
		break; /* accepted and ignored, as Postfix does */
	default:
		return postern_sendmail_usage(
		    "unknown option; see docs/sendmail.md");
	}
	return 0;
}

static int
postern_sendmail_options(struct postern_ctx *ctx, struct postern_sendmail *sm,
    int argc, char **argv)
{
	int c, rc;

	/* '+': the first recipient ends the options, as in Postfix. */
	while ((c = getopt(argc, argv,
	            "+A:B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:q::r:tvx")) != -1) {
		if (c == '?' || c == ':')
			return postern_bad_option("sendmail", argv);
		if ((rc = postern_sendmail_opt(ctx, sm, c,
		         optarg != NULL ? optarg : "")) != 0)
			return rc;
	}
	sm->rcpts = argv + optind;
	sm->nrcpts = (size_t)(argc - optind);
	return 0;
}

/* The login name of the invoking user, for the default sender. */
static const char *
postern_sendmail_login(struct arena *a)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL)
		return arena_strdup(a, pw->pw_name);
	return arena_printf(a, "uid%lu", (unsigned long)getuid());
}

static int
postern_sendmail_submit(struct postern_ctx *ctx, struct postern_sendmail *sm)
{
	struct postern_sendmail_msg m;
	const struct conf *conf;
	struct err err;
	int rc;

	if ((conf = postern_ctx_conf(ctx, &err)) == NULL) {
		postern_error("sendmail: %s", err.text);
		return EX_CONFIG;
	}
	postern_sendmail_msg_init(&m, conf);
	if (sm->sender == NULL)
		sm->sender = postern_sendmail_login(m.arena);
	rc = postern_sendmail_read(sm, &m, stdin);
	if (rc == 0)
		rc = postern_sendmail_build(sm, &m);
	if (rc == 0)
		rc = postern_sendmail_postdrop(conf, &m);
	postern_sendmail_msg_deinit(&m);
	return rc;
}

/* sendmail -q, postern queue flush: through postdrop, for any user. */
static int
postern_sendmail_flush(struct postern_ctx *ctx)
{
	const struct conf *conf;
	struct err err;

	if ((conf = postern_ctx_conf(ctx, &err)) == NULL) {
		postern_error("sendmail: %s", err.text);
		return EX_CONFIG;
	}
	return postern_sendmail_run_postdrop(conf, "-F", NULL, 0);
}

int
postern_cmd_sendmail(struct postern_ctx *ctx, int argc, char **argv)
{
	struct postern_sendmail sm = {
	    .mode = 'm', .dot_ends = true, .ret = QUEUE_RET_NONE};
	char *queue_argv[] = {"queue", "list", NULL};
	int rc;

	/* A reader that went away must not kill us before we report. */
	signal(SIGPIPE, SIG_IGN);
	if ((rc = postern_sendmail_options(ctx, &sm, argc, argv)) != 0)
		return rc;
	if (strcmp(ctx->progname, "mailq") == 0)
		sm.mode = 'p';
	switch (sm.mode) {
	case 'p':
		return postern_cmd_queue(ctx, 2, queue_argv);
	case 'i':
		return postern_cmd_newaliases(ctx, 1, argv);
	case 'q':
		return postern_sendmail_flush(ctx);
	case 's':
		return postern_sendmail_smtp(ctx, &sm);
	default:
		break;
	}
	if (sm.nrcpts == 0 && !sm.extract)
		return postern_sendmail_usage("no recipients given (and no -t)");
	return postern_sendmail_submit(ctx, &sm);
}
