/* SPDX-License-Identifier: MIT */
/*
 * postern sieve test SCRIPT MESSAGE [--envelope-from A] [--envelope-to B]:
 * compile a Sieve script and print the actions it would take on a
 * message, without delivering anything. Limits and recipient_delimiter
 * come from the instance's main.cf when there is one. "include" finds
 * personal scripts next to SCRIPT (NAME.sieve); mailboxexists is false
 * and duplicate never sees a duplicate, as nothing is looked up. Input
 * is the administrator's files.
 */
#include "postern_sieve.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/conf.h"
#include "core/xmalloc.h"
#include "sieve/sieve.h"
#include "sieve/sieve_conf.h"

#define POSTERN_SIEVE_MESSAGE_MAX (256u << 20)

/* Included scripts, compiled once and freed at the end. */
struct postern_sieve_includes {
	char *dir;			/* directory of SCRIPT */
	const struct sieve_limits *lim;
	struct sieve_script **v;
	size_t count;
};

/*
 * Read path (at most max octets) into out: 1, 0 when it does not exist,
 * -1 with err.
 */
static int
postern_sieve_read(const char *path, size_t max, struct buf *out,
    struct err *err)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (fp == NULL) {
		int saved = errno;

		(void)err_set(err, ERR_PERM, "", "%s: %s", path,
		    strerror(saved));
		return saved == ENOENT ? 0 : -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (out->len + n > max) {
			(void)fclose(fp);
			return err_set(err, ERR_PERM, "",
			    "%s: larger than %zu octets", path, max);
		}
		buf_append(out, chunk, n);
	}
	if (ferror(fp)) {
		(void)fclose(fp);
		return err_set(err, ERR_PERM, "", "%s: read error", path);
	}
	(void)fclose(fp);
	return 1;
}

static int
postern_sieve_include(void *vctx, enum sieve_location loc, const char *name,
    const struct sieve_script **out, struct err *err)
{
	struct postern_sieve_includes *inc = vctx;
	struct sieve_error error;
	struct sieve_script *s;
	struct buf text;
	char *path;
	int rc;

	if (loc == SIEVE_LOCATION_GLOBAL)
		return 0;	/* no global script directory here */
	path = xasprintf("%s/%s.sieve", inc->dir, name);
	buf_init(&text);
	if ((rc = postern_sieve_read(path, inc->lim->script_max, &text,
	    err)) <= 0) {
		free(path);
		buf_deinit(&text);
		return rc;
	}
	s = sieve_compile(path, text.data, text.len, inc->lim, &error);
	buf_deinit(&text);
	free(path);
	if (s == NULL)
		return err_set(err, ERR_PERM, "", "%s", error.err.text);
	inc->v = xreallocarray(inc->v, inc->count + 1, sizeof(*inc->v));
	inc->v[inc->count++] = s;
	*out = s;
	return 1;
}

static void
postern_sieve_print_action(const struct sieve_action *a)
{
	const struct sieve_vacation *v = &a->vacation;
	size_t i;

	printf("%s", sieve_action_name(a->kind));
	if (a->mailbox != NULL)
		printf(" \"%s\"", a->mailbox);
	if (a->address != NULL)
		printf(" <%s>", a->address);
	if (a->reason != NULL)
		printf(" reason \"%s\"", a->reason);
	printf("%s%s%s", a->create ? " :create" : "", a->copy ? " :copy" : "",
	    a->implicit ? " (implicit keep)" : "");
	for (i = 0; i < a->flag_count; i++)
		printf("%s%s", i == 0 ? " flags " : " ", a->flags[i]);
	if (a->kind == SIEVE_ACTION_VACATION) {
		printf(" to <%s> subject \"%s\" every %llus handle \"%s\"%s",
		    v->to, v->subject, (unsigned long long)v->seconds,
		    v->handle, v->mime ? " :mime" : "");
		if (v->from != NULL)
			printf(" from \"%s\"", v->from);
		if (v->skip_reason != NULL)
			printf(" (not sent: %s)", v->skip_reason);
	}
	if (a->line > 0)
		printf("  [line %u]", a->line);
	printf("\n");
}

static void
postern_sieve_print(const struct sieve_result *res)
{
	size_t i;

	for (i = 0; i < res->action_count; i++)
		postern_sieve_print_action(&res->actions[i]);
	for (i = 0; i < res->edit_count; i++) {
		const struct sieve_edit *e = &res->edits[i];

		if (e->kind == SIEVE_EDIT_ADD)
			printf("addheader%s \"%s: %s\"\n", e->last ?
			    " :last" : "", e->name, e->value);
		else
			printf("deleteheader \"%s\" (field %zu)\n", e->name,
			    e->field + 1);
	}
	for (i = 0; i < res->duplicate_count; i++)
		printf("duplicate: remember for %llus\n",
		    (unsigned long long)res->duplicates[i].seconds);
}

/* Compile SCRIPT and run it on MESSAGE with the envelope given. */
static int
postern_sieve_test_run(const char *script_path, const char *msg_path,
    struct sieve_input *in, const struct sieve_limits *lim)
{
	struct postern_sieve_includes inc = { .lim = lim };
	struct buf script, msg;
	struct sieve_error error;
	struct sieve_script *s = NULL;
	const struct sieve_script *v[1];
	struct sieve_result res;
	struct arena *arena = arena_new();
	const char *slash = strrchr(script_path, '/');
	int status = POSTERN_EXIT_FAIL;
	size_t i;

	buf_init(&script);
	buf_init(&msg);
	inc.dir = slash ? xstrndup(script_path, (size_t)(slash -
	    script_path)) : xstrdup(".");
	if (postern_sieve_read(script_path, lim->script_max, &script,
	    &error.err) <= 0 || postern_sieve_read(msg_path,
	    POSTERN_SIEVE_MESSAGE_MAX, &msg, &error.err) <= 0) {
		postern_error("sieve: %s", error.err.text);
	} else if ((s = sieve_compile(script_path, script.data, script.len,
	    lim, &error)) == NULL) {
		postern_error("sieve: %s:%s", script_path, error.err.text);
	} else {
		v[0] = s;
		in->msg.data = msg.data;
		in->msg.len = msg.len;
		in->cb.include_fn = postern_sieve_include;
		in->cb.ctx = &inc;
		if (sieve_run(v, 1, in, lim, arena, &res, &error) < 0) {
			postern_error("sieve: %s: %s error: %s%s", script_path,
			    err_is_temp(&error.err) ? "temporary" : "runtime",
			    error.err.text, err_is_temp(&error.err) ?
			    "; delivery would be deferred" :
			    "; delivery would keep the message in INBOX");
		} else {
			postern_sieve_print(&res);
			status = POSTERN_EXIT_OK;
		}
	}
	sieve_script_free(&s);
	for (i = 0; i < inc.count; i++)
		sieve_script_free(&inc.v[i]);
	free(inc.v);
	free(inc.dir);
	arena_free(&arena);
	buf_deinit(&script);
	buf_deinit(&msg);
	return status;
}

static const struct option postern_sieve_test_options[] = {
	{ "envelope-from", required_argument, NULL, 'f' },
	{ "envelope-to", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

int
postern_sieve_test(struct postern_ctx *ctx, int argc, char **argv)
{
	struct sieve_input in;
	struct sieve_limits lim;
	const struct conf *conf;
	struct err err;
	struct tm tm;
	int c;

	memset(&in, 0, sizeof(in));
	in.env.from = "sender@example.org";
	in.env.to = "recipient@example.com";
	optind = 0;	/* GNU: full reset, argv is a new vector */
	while ((c = getopt_long(argc, argv, "", postern_sieve_test_options,
	    NULL)) != -1) {
		if (c == 'f')
			in.env.from = optarg;
		else if (c == 't')
			in.env.to = optarg;
		else
			return postern_bad_option("sieve test", argv);
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: postern sieve test SCRIPT MESSAGE "
		    "[--envelope-from A] [--envelope-to B]\n");
		return POSTERN_EXIT_USAGE;
	}
	lim = sieve_limits_default();
	if ((conf = postern_ctx_conf(ctx, &err)) != NULL) {
		lim = sieve_limits_from_conf(conf);
		sieve_environment_from_conf(&in.environment, conf);
	} else {
		postern_warning("sieve: %s: using the built-in Sieve limits",
		    err.text);
	}
	in.environment.user_addresses = &in.env.to;
	in.environment.user_address_count = 1;
	in.environment.now = time(NULL);
	localtime_r(&in.environment.now, &tm);
	in.environment.zone_minutes = (int)(tm.tm_gmtoff / 60);
	return postern_sieve_test_run(argv[optind], argv[optind + 1], &in,
	    &lim);
}
