/* SPDX-License-Identifier: MIT */
/*
 * postern user show and postern user list: read-only views of the users
 * database. Neither prints a password hash unless --show-hash asks, and
 * a plaintext-equivalent secret is never printed, only whether one is
 * stored. Input is the administrator's command line.
 */
#include "postern_user.h"

#include <stdio.h>

static void
postern_user_show_list(const char *name, const char *const *list, size_t n)
{
	size_t i;

	printf("%s:", name);
	for (i = 0; i < n; i++)
		printf("%s %s", i == 0 ? "" : ",", list[i]);
	putchar('\n');
}

static void
postern_user_print(const struct userdb_user *u, bool show_hash)
{
	struct buf protos;

	buf_init(&protos);
	userdb_user_protocols_format(u->protocols, &protos);
	printf("address: %s\n", u->address);
	postern_user_show_list("additional_addresses", u->aliases, u->naliases);
	printf("mail: %s\n", u->mail_enabled ? "enabled" : "disabled");
	printf("protocols: %s\n", protos.data);
	if (u->quota == 0)
		printf("quota: none\n");
	else
		printf("quota: %lld\n", u->quota);
	printf("store: %s\n", u->store[0] != '\0' ? u->store : "default");
	postern_user_show_list("forwards", u->forwards, u->nforwards);
	printf("keep_copy: %s\n", u->keep_copy ? "yes" : "no");
	printf("sieve_script: %s\n",
	    u->sieve_script[0] != '\0' ? u->sieve_script : "none");
	printf("password: %s\n", u->password_hash[0] != '\0' ? "set" : "none");
	if (show_hash)
		printf("password_hash: %s\n", u->password_hash);
	printf("cram_secret: %s\n", u->secret[0] != '\0' ? "set" : "none");
	if (u->secret[0] != '\0') {
		userdb_secret_for_format(u->secret_for, &protos);
		printf("secret_for: %s\n", protos.data);
	}
	buf_deinit(&protos);
}

int
postern_user_show(
    struct postern_ctx *ctx, int argc, char **argv, struct postern_user_opts *o)
{
	struct userdb_user u;
	struct userdb *db;
	struct err err;
	int status, rc = 0;

	status = postern_user_parse(argc, argv, POSTERN_USER_FORM_SHOW, o);
	if (status != POSTERN_EXIT_OK)
		return status;
	if ((status = postern_user_db_open(ctx, USERDB_READ, &db)) != 0)
		return status;
	if (db != NULL)
		rc = userdb_get(db, o->address, o->arena, &u, &err);
	if (rc < 0) {
		postern_error("%s", err.text);
		status = POSTERN_EXIT_FAIL;
	} else if (rc == 0) {
		postern_error("no user %s", o->address);
		status = POSTERN_EXIT_FAIL;
	} else {
		postern_user_print(&u, o->show_hash);
		userdb_user_wipe(&u);
	}
	userdb_close(&db);
	return status;
}

static int
postern_user_list_one(const struct userdb_user *u, void *ctx)
{
	(void)ctx;
	printf("%s\n", u->address);
	return 0;
}

int
postern_user_list(
    struct postern_ctx *ctx, int argc, char **argv, struct postern_user_opts *o)
{
	struct userdb *db;
	struct err err;
	int status;

	status = postern_user_parse(argc, argv, POSTERN_USER_FORM_NONE, o);
	if (status != POSTERN_EXIT_OK)
		return status;
	if ((status = postern_user_db_open(ctx, USERDB_READ, &db)) != 0 ||
	    db == NULL)
		return status;
	if (userdb_iterate(db, postern_user_list_one, NULL, &err) < 0) {
		postern_error("%s", err.text);
		status = POSTERN_EXIT_FAIL;
	}
	userdb_close(&db);
	return status;
}
