/* SPDX-License-Identifier: MIT */
/*
 * postern user: add, del, passwd, set (here), show and list
 * (postern_user_show.c) mail users in the users database, plus
 * postern_user_create() for postern init --demo. Input is the
 * administrator's command line; every address is syntax-checked.
 */
#include "postern_user.h"

#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "core/arena.h"

/* Read, hash and set the password (and the CRAM secret if asked). */
static int
postern_user_set_secrets(const struct postern_user_opts *o,
    struct userdb_user *u, struct arena *a, bool confirm)
{
	struct buf password, hash;
	struct err err;
	int rc;

	buf_init(&password);
	buf_init(&hash);
	rc = postern_user_read_password(
	    o->password_stdin, confirm, &password, &err);
	if (rc == 0)
		rc = userdb_password_hash(password.data, &hash, &err);
	if (rc == 0) {
		u->password_hash = arena_strdup(a, hash.data);
		u->secret =
		    o->cram_secret == 1 ? arena_strdup(a, password.data) : "";
	} else {
		postern_error("%s", err.text);
	}
	explicit_bzero(password.data, password.len);
	buf_deinit(&password);
	buf_deinit(&hash);
	return rc;
}

/*
 * set --secret-for LIST: read the secret like a password and keep it for
 * the mechanisms listed ("none" drops it). It must be the user's current
 * password, so every mechanism accepts the same one. 0 or -1 (printed).
 */
static int
postern_user_secret_for(const struct postern_user_opts *o,
    struct userdb_user *u, struct arena *a)
{
	struct buf secret;
	struct err err;
	unsigned bits;
	int rc;

	if (userdb_secret_for_parse(o->secret_for, &bits, &err) < 0) {
		postern_error("--secret-for: %s", err.text);
		return -1;
	}
	if (bits == 0) {
		u->secret = "";
		u->secret_for = USERDB_SECRET_ALL;
		return 0;
	}
	buf_init(&secret);
	rc = postern_user_read_password(o->password_stdin, true, &secret, &err);
	if (rc < 0)
		postern_error("%s", err.text);
	else if (!userdb_password_verify(u->password_hash, secret.data)) {
		postern_error("%s: the secret must be the user's current "
		              "password (postern user passwd sets a new one)",
		    u->address);
		rc = -1;
	} else {
		u->secret = arena_strdup(a, secret.data);
		u->secret_for = bits;
	}
	explicit_bzero(secret.data, secret.len);
	buf_deinit(&secret);
	return rc;
}

/* Store u and hand the file to auth_owner; a POSTERN_EXIT_* status. */
static int
postern_user_put(struct postern_ctx *ctx, struct userdb *db,
    const struct userdb_user *u, enum userdb_put_how how)
{
	struct err err;
	int status = POSTERN_EXIT_OK;

	if (userdb_put(db, u, how, &err) < 0) {
		postern_error("%s", err.text);
		status = POSTERN_EXIT_FAIL;
	}
	postern_user_db_owner(ctx->conf, userdb_path(db));
	return status;
}

/*
 * Refuse early, before any prompt, an address that belongs to a user
 * other than self (NULL: to any user). 0 free, 1 taken, -1 failure.
 */
static int
postern_user_taken_one(struct userdb *db, const char *address, const char *self,
    struct arena *arena)
{
	struct userdb_user other;
	struct err err;
	int rc = userdb_get(db, address, arena, &other, &err);

	if (rc < 0)
		postern_error("%s", err.text);
	else if (rc == 1 && self != NULL && strcmp(other.address, self) == 0)
		rc = 0;
	else if (rc == 1 && strcmp(other.address, address) == 0)
		postern_error("user %s already exists", address);
	else if (rc == 1)
		postern_error("address %s already belongs to user %s", address,
		    other.address);
	return rc;
}

static int
postern_user_taken(struct userdb *db, const struct userdb_user *u,
    const char *self, struct arena *arena)
{
	size_t i;
	int rc = postern_user_taken_one(db, u->address, self, arena);

	for (i = 0; rc == 0 && i < u->naliases; i++)
		rc = postern_user_taken_one(db, u->aliases[i], self, arena);
	return rc;
}

static int
postern_user_add(
    struct postern_ctx *ctx, int argc, char **argv, struct postern_user_opts *o)
{
	struct userdb_user u;
	struct userdb *db;
	int status;

	status = postern_user_parse(argc, argv, POSTERN_USER_FORM_ADD, o);
	if (status != POSTERN_EXIT_OK)
		return status;
	if (o->no_password && (o->password_stdin || o->cram_secret == 1)) {
		postern_error("user add: --no-password excludes "
		              "--password-stdin and --cram-secret");
		return POSTERN_EXIT_USAGE;
	}
	userdb_user_init(&u, o->address);
	if (postern_user_apply(o, &u, o->arena) < 0)
		return POSTERN_EXIT_USAGE;
	if ((status = postern_user_db_open(ctx, USERDB_WRITE, &db)) != 0)
		return status;
	if (postern_user_taken(db, &u, NULL, o->arena) != 0 ||
	    (!o->no_password &&
	        postern_user_set_secrets(o, &u, o->arena, true) < 0))
		status = POSTERN_EXIT_FAIL;
	else
		status = postern_user_put(ctx, db, &u, USERDB_PUT_ADD);
	userdb_user_wipe(&u);
	userdb_close(&db);
	return status;
}

/* The user whose primary address is o->address, into u; a status. */
static int
postern_user_fetch(
    struct userdb *db, const struct postern_user_opts *o, struct userdb_user *u)
{
	struct err err;
	int rc = userdb_get(db, o->address, o->arena, u, &err);

	if (rc < 0) {
		postern_error("%s", err.text);
		return POSTERN_EXIT_FAIL;
	}
	if (rc == 0) {
		postern_error("no user %s", o->address);
		return POSTERN_EXIT_FAIL;
	}
	if (strcmp(u->address, o->address) != 0) {
		postern_error("%s is an additional address of user %s; name "
		              "the user by its address",
		    o->address, u->address);
		return POSTERN_EXIT_FAIL;
	}
	return POSTERN_EXIT_OK;
}

static int
postern_user_set(
    struct postern_ctx *ctx, int argc, char **argv, struct postern_user_opts *o)
{
	struct userdb_user u;
	struct userdb *db;
	int status;

	status = postern_user_parse(argc, argv, POSTERN_USER_FORM_SET, o);
	if (status != POSTERN_EXIT_OK)
		return status;
	if ((status = postern_user_db_open(ctx, USERDB_WRITE, &db)) != 0)
		return status;
	userdb_user_init(&u, "");
	status = postern_user_fetch(db, o, &u);
	if (status == POSTERN_EXIT_OK &&
	    postern_user_apply(o, &u, o->arena) < 0)
		status = POSTERN_EXIT_USAGE;
	if (status == POSTERN_EXIT_OK &&
	    postern_user_taken(db, &u, u.address, o->arena) != 0)
		status = POSTERN_EXIT_FAIL;
	if (status == POSTERN_EXIT_OK && o->secret_for != NULL &&
	    postern_user_secret_for(o, &u, o->arena) < 0)
		status = POSTERN_EXIT_FAIL;
	if (status == POSTERN_EXIT_OK)
		status = postern_user_put(ctx, db, &u, USERDB_PUT_REPLACE);
	userdb_user_wipe(&u);
	userdb_close(&db);
	return status;
}

static int
postern_user_del(
    struct postern_ctx *ctx, int argc, char **argv, struct postern_user_opts *o)
{
	struct userdb_user u;
	struct userdb *db;
	struct err err;
	int status;

	status = postern_user_parse(argc, argv, POSTERN_USER_FORM_ADDRESS, o);
	if (status != POSTERN_EXIT_OK)
		return status;
	if ((status = postern_user_db_open(ctx, USERDB_WRITE, &db)) != 0)
		return status;
	userdb_user_init(&u, "");
	/* Names the owner when o->address is only an additional address. */
	status = postern_user_fetch(db, o, &u);
	if (status == POSTERN_EXIT_OK &&
	    userdb_delete(db, o->address, &err) != 1) {
		postern_error("%s", err.text);
		status = POSTERN_EXIT_FAIL;
	}
	userdb_user_wipe(&u);
	userdb_close(&db);
	return status;
}

static int
postern_user_passwd(
    struct postern_ctx *ctx, int argc, char **argv, struct postern_user_opts *o)
{
	struct userdb_user u;
	struct userdb *db;
	int status;

	status = postern_user_parse(argc, argv, POSTERN_USER_FORM_PASSWD, o);
	if (status != POSTERN_EXIT_OK)
		return status;
	if ((status = postern_user_db_open(ctx, USERDB_WRITE, &db)) != 0)
		return status;
	userdb_user_init(&u, "");
	status = postern_user_fetch(db, o, &u);
	userdb_user_wipe(&u);
	/*
	 * The whole record is rewritten, with the secret either the new
	 * password (--cram-secret) or cleared: it was the old password.
	 */
	if (status == POSTERN_EXIT_OK &&
	    postern_user_set_secrets(o, &u, o->arena, true) < 0)
		status = POSTERN_EXIT_FAIL;
	if (status == POSTERN_EXIT_OK)
		status = postern_user_put(ctx, db, &u, USERDB_PUT_REPLACE);
	userdb_user_wipe(&u);
	userdb_close(&db);
	return status;
}

int
postern_user_create(const struct conf *conf, const char *address,
    const char *password, struct err *err)
{
	struct userdb_user u;
	struct userdb *db;
	struct buf norm, hash;
	int rc;

	buf_init(&norm);
	buf_init(&hash);
	rc = userdb_address_normalize(address, &norm, err);
	if (rc == 0)
		rc = userdb_password_hash(password, &hash, err);
	if (rc == 0 &&
	    (db = userdb_open(conf->user_database, USERDB_WRITE, err)) !=
	        NULL) {
		userdb_user_init(&u, norm.data);
		u.password_hash = hash.data;
		rc = userdb_put(db, &u, USERDB_PUT_ADD, err);
		userdb_close(&db);
	} else if (rc == 0) {
		rc = -1;
	}
	buf_deinit(&norm);
	buf_deinit(&hash);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(
	    struct postern_ctx *, int, char **, struct postern_user_opts *);
} postern_user_subcmds[] = {
    {"add", postern_user_add},
    {"del", postern_user_del},
    {"passwd", postern_user_passwd},
    {"set", postern_user_set},
    {"show", postern_user_show},
    {"list", postern_user_list},
};

static void
postern_user_usage(void)
{
	fprintf(stderr,
	    "usage: postern user add ADDRESS [--password-stdin | "
	    "--no-password] [--cram-secret]\n"
	    "           [--quota SIZE] [--alias ADDR]... [--forward ADDR]... "
	    "[--keep-copy]\n"
	    "           [--protocols imap,pop3,smtp,sieve] [--disabled] "
	    "[--store PATH]\n"
	    "       postern user del ADDRESS\n"
	    "       postern user passwd ADDRESS [--password-stdin] "
	    "[--cram-secret]\n"
	    "       postern user show ADDRESS [--show-hash]\n"
	    "       postern user list\n"
	    "       postern user set ADDRESS [--quota SIZE] [--add-alias ADDR] "
	    "[--del-alias ADDR]\n"
	    "           [--forward ADDR | --no-forward] [--keep-copy | "
	    "--no-keep-copy]\n"
	    "           [--protocols LIST] [--enable | --disable] "
	    "[--store PATH]\n"
	    "           [--sieve-script NAME] [--no-cram-secret]\n"
	    "           [--secret-for cram-md5,apop,scram-sha-256|all|none "
	    "[--password-stdin]]\n");
}

int
postern_cmd_user(struct postern_ctx *ctx, int argc, char **argv)
{
	struct postern_user_opts o = {0};
	size_t i;
	int status = -1;

	if (argc < 2) {
		postern_user_usage();
		return POSTERN_EXIT_USAGE;
	}
	o.arena = arena_new();
	for (i = 0;
	     i < sizeof(postern_user_subcmds) / sizeof(postern_user_subcmds[0]);
	     i++)
		if (strcmp(argv[1], postern_user_subcmds[i].name) == 0)
			status = postern_user_subcmds[i].fn(
			    ctx, argc - 1, argv + 1, &o);
	arena_free(&o.arena);
	if (status == -1) {
		postern_error("user: unknown subcommand \"%s\"", argv[1]);
		postern_user_usage();
		status = POSTERN_EXIT_USAGE;
	}
	return status;
}
