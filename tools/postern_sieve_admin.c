/* SPDX-License-Identifier: MIT */
/*
 * postern sieve list | get | put | activate | deactivate | check USER
 * [NAME] [FILE]: a user's stored Sieve scripts (store/sieve_store.h),
 * the same ones sieved serves and local delivery runs. The user is
 * looked up in the users database (for the store location), then the
 * command drops to mail_store_owner when run as root, so whatever it
 * creates in the store belongs to the store's owner. Scripts are
 * compiled before they are stored or activated, as sieved does. Input
 * is the administrator's command line and files.
 */
#include "postern_sieve.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "sieve/sieve.h"
#include "sieve/sieve_conf.h"
#include "store/maildir_root.h"
#include "store/sieve_store.h"
#include "userdb/userdb.h"

/* One invocation: the instance and the user's store. */
struct postern_sieve_admin {
	const struct conf *conf;
	struct arena *arena;
	const char *user; /* primary address */
	struct sieve_store *store;
};

/* Become mail_store_owner, for good (root only). 0 or -1 (printed). */
static int
postern_sieve_admin_drop(const struct conf *conf)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(conf->mail_store_owner)) == NULL) {
		postern_error("mail_store_owner %s: no such user",
		    conf->mail_store_owner);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		postern_error(
		    "cannot become %s: %s", pw->pw_name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Find the user and open its store. 0, or an exit status (printed). */
static int
postern_sieve_admin_open(
    struct postern_ctx *ctx, const char *address, struct postern_sieve_admin *a)
{
	struct sieve_store_limits lim;
	struct userdb_user u;
	struct userdb *db;
	struct err err;
	int rc;

	if ((a->conf = postern_ctx_conf(ctx, &err)) == NULL ||
	    (db = userdb_open(a->conf->user_database, USERDB_READ, &err)) ==
	        NULL) {
		postern_error("%s", err.text);
		return POSTERN_EXIT_FAIL;
	}
	rc = userdb_get(db, address, a->arena, &u, &err);
	userdb_close(&db);
	if (rc <= 0) {
		if (rc == 0)
			postern_error("sieve: %s: no such user", address);
		else
			postern_error("sieve: %s: %s", address, err.text);
		return POSTERN_EXIT_FAIL;
	}
	if (postern_sieve_admin_drop(a->conf) != 0)
		return POSTERN_EXIT_FAIL;
	lim.max_scripts = (size_t)a->conf->sieve_max_scripts;
	lim.max_size = (size_t)a->conf->sieve_max_script_size;
	a->user = u.address;
	a->store = sieve_store_new(
	    maildir_root_path(
	        u.store, a->conf->mail_store_directory, u.address, a->arena),
	    &lim);
	return 0;
}

/* Report a failed store operation; returns POSTERN_EXIT_FAIL. */
static int
postern_sieve_admin_fail(const struct postern_sieve_admin *a, const char *name,
    enum sieve_store_status st, const struct err *err)
{
	static const char *const why[] = {
	    [SIEVE_STORE_NONEXISTENT] = "no such script",
	    [SIEVE_STORE_EXISTS] = "a script of that name exists",
	    [SIEVE_STORE_ACTIVE] = "the script is active",
	    [SIEVE_STORE_BADNAME] = "not a valid script name",
	};

	if (st < sizeof(why) / sizeof(why[0]) && why[st] != NULL)
		postern_error("sieve: %s: %s: %s", a->user, name, why[st]);
	else
		postern_error("sieve: %s: %s: %s", a->user, name, err->text);
	return POSTERN_EXIT_FAIL;
}

/* Compile text; 0 or POSTERN_EXIT_FAIL with the error printed. */
static int
postern_sieve_admin_compile(const struct postern_sieve_admin *a,
    const char *name, const char *text, size_t len)
{
	struct sieve_limits lim = sieve_limits_from_conf(a->conf);
	struct sieve_script *script;
	struct sieve_error error;

	if ((script = sieve_compile(name, text, len, &lim, &error)) == NULL) {
		postern_error("sieve: %s: %s", name, error.err.text);
		return POSTERN_EXIT_FAIL;
	}
	sieve_script_free(&script);
	return 0;
}

/* Read FILE ("-" or NULL: stdin) into out. 0, or an exit status. */
static int
postern_sieve_admin_read(const char *path, size_t max, struct buf *out)
{
	FILE *fp =
	    path == NULL || strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[8192];
	size_t n;
	int rc = 0;

	if (fp == NULL) {
		postern_error("sieve: %s: %s", path, strerror(errno));
		return POSTERN_EXIT_FAIL;
	}
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		buf_append(out, chunk, n);
		if (out->len > max) {
			postern_error("sieve: script larger than "
			              "sieve_max_script_size (%zu octets)",
			    max);
			rc = POSTERN_EXIT_FAIL;
		}
	}
	if (rc == 0 && ferror(fp)) {
		postern_error("sieve: %s: read error", path ? path : "stdin");
		rc = POSTERN_EXIT_FAIL;
	}
	if (fp != stdin)
		(void)fclose(fp);
	return rc;
}

static int
postern_sieve_admin_list(struct postern_sieve_admin *a)
{
	struct sieve_store_entry *list;
	struct err err;
	size_t n, i;

	if (sieve_store_list(a->store, a->arena, &list, &n, &err) != 0)
		return postern_sieve_admin_fail(
		    a, "list", SIEVE_STORE_FAIL, &err);
	for (i = 0; i < n; i++)
		printf(
		    "%s%s\n", list[i].name, list[i].active ? " (active)" : "");
	return POSTERN_EXIT_OK;
}

static int
postern_sieve_admin_get(struct postern_sieve_admin *a, const char *name)
{
	enum sieve_store_status st;
	struct buf text;
	struct err err;

	buf_init(&text);
	st = sieve_store_get(a->store, name, &text, &err);
	if (st == SIEVE_STORE_OK)
		(void)fwrite(text.data, 1, text.len, stdout);
	buf_deinit(&text);
	return st == SIEVE_STORE_OK
	    ? POSTERN_EXIT_OK
	    : postern_sieve_admin_fail(a, name, st, &err);
}

static int
postern_sieve_admin_put(
    struct postern_sieve_admin *a, const char *name, const struct buf *text)
{
	enum sieve_store_status st;
	struct err err;
	int rc;

	if ((rc = postern_sieve_admin_compile(a, name, text->data, text->len)))
		return rc;
	st = sieve_store_put(a->store, name, text->data, text->len, &err);
	return st == SIEVE_STORE_OK
	    ? POSTERN_EXIT_OK
	    : postern_sieve_admin_fail(a, name, st, &err);
}

/* check or activate NAME (NULL: the active script, for check). */
static int
postern_sieve_admin_check(
    struct postern_sieve_admin *a, const char *name, bool activate)
{
	enum sieve_store_status st;
	struct buf text, active;
	struct err err;
	int rc;

	buf_init(&text);
	buf_init(&active);
	if (name == NULL) {
		if ((rc = sieve_store_active(a->store, &active, &err)) <= 0) {
			if (rc == 0)
				printf("%s: no active script\n", a->user);
			buf_deinit(&active);
			return rc == 0 ? POSTERN_EXIT_OK
			               : postern_sieve_admin_fail(a, "active",
			                     SIEVE_STORE_FAIL, &err);
		}
		name = active.data;
	}
	st = sieve_store_get(a->store, name, &text, &err);
	if (st != SIEVE_STORE_OK)
		rc = postern_sieve_admin_fail(a, name, st, &err);
	else if ((rc = postern_sieve_admin_compile(
	              a, name, text.data, text.len)) == 0 &&
	    activate &&
	    (st = sieve_store_activate(a->store, name, &err)) != SIEVE_STORE_OK)
		rc = postern_sieve_admin_fail(a, name, st, &err);
	else if (rc == 0 && !activate)
		printf("%s: ok\n", name);
	buf_deinit(&text);
	buf_deinit(&active);
	return rc;
}

/* Arguments after USER that each subcommand takes: min, max. */
static int
postern_sieve_admin_usage(int argc, char **argv, int min, int max)
{
	if (argc - 2 >= min && argc - 2 <= max)
		return 0;
	fprintf(stderr, "usage: postern sieve %s USER%s\n", argv[0],
	    max == 0                   ? ""
	        : max == 1 && min == 1 ? " NAME"
	        : max == 1             ? " [NAME]"
	                               : " NAME [FILE]");
	return POSTERN_EXIT_USAGE;
}

/* Run one subcommand: argv[0] is its name, argv[1] the user. */
static int
postern_sieve_admin_run(
    struct postern_ctx *ctx, int argc, char **argv, int min, int max)
{
	struct postern_sieve_admin a = {.arena = arena_new()};
	const char *verb = argv[0], *name = argc > 2 ? argv[2] : NULL;
	struct buf text;
	struct err err;
	int rc;

	buf_init(&text);
	if ((rc = postern_sieve_admin_usage(argc, argv, min, max)) != 0)
		goto out;
	if ((a.conf = postern_ctx_conf(ctx, &err)) == NULL) {
		postern_error("%s", err.text);
		rc = POSTERN_EXIT_FAIL;
		goto out;
	}
	/* The file is read as the caller, before the privilege drop. */
	if ((strcmp(verb, "put") == 0 &&
	        (rc = postern_sieve_admin_read(argc > 3 ? argv[3] : NULL,
	             (size_t)a.conf->sieve_max_script_size, &text)) != 0) ||
	    (rc = postern_sieve_admin_open(ctx, argv[1], &a)) != 0)
		goto out;
	if (strcmp(verb, "list") == 0)
		rc = postern_sieve_admin_list(&a);
	else if (strcmp(verb, "get") == 0)
		rc = postern_sieve_admin_get(&a, name);
	else if (strcmp(verb, "put") == 0)
		rc = postern_sieve_admin_put(&a, name, &text);
	else if (strcmp(verb, "activate") == 0)
		rc = postern_sieve_admin_check(&a, name, true);
	else if (strcmp(verb, "check") == 0)
		rc = postern_sieve_admin_check(&a, name, false);
	else if (sieve_store_activate(a.store, NULL, &err) != SIEVE_STORE_OK)
		rc = postern_sieve_admin_fail(
		    &a, "deactivate", SIEVE_STORE_FAIL, &err);
out:
	sieve_store_free(&a.store);
	arena_free(&a.arena);
	buf_deinit(&text);
	return rc;
}

int
postern_sieve_list(struct postern_ctx *ctx, int argc, char **argv)
{
	return postern_sieve_admin_run(ctx, argc, argv, 0, 0);
}

int
postern_sieve_get(struct postern_ctx *ctx, int argc, char **argv)
{
	return postern_sieve_admin_run(ctx, argc, argv, 1, 1);
}

int
postern_sieve_put(struct postern_ctx *ctx, int argc, char **argv)
{
	return postern_sieve_admin_run(ctx, argc, argv, 1, 2);
}

int
postern_sieve_activate(struct postern_ctx *ctx, int argc, char **argv)
{
	return postern_sieve_admin_run(ctx, argc, argv, 1, 1);
}

int
postern_sieve_deactivate(struct postern_ctx *ctx, int argc, char **argv)
{
	return postern_sieve_admin_run(ctx, argc, argv, 0, 0);
}

int
postern_sieve_check(struct postern_ctx *ctx, int argc, char **argv)
{
	return postern_sieve_admin_run(ctx, argc, argv, 0, 1);
}
