/* SPDX-License-Identifier: MIT */
/*
 * Private header of "postern user" (tools/postern_user*.c): opening the
 * users database for a command, reading passwords, and the show/list
 * subcommands. Input is the administrator's command line and terminal.
 */
#ifndef TOOLS_POSTERN_USER_H
#define TOOLS_POSTERN_USER_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "postern.h"
#include "userdb/userdb.h"

/* Longest password read from stdin or a terminal, in bytes. */
#define POSTERN_USER_PASSWORD_MAX 511

/*
 * Open the instance's users database (user_database). Prints its own
 * error. USERDB_READ on a database not created yet gives *db_out NULL
 * and POSTERN_EXIT_OK, so callers can behave as for an empty one.
 * Returns a POSTERN_EXIT_* status; the caller closes *db_out.
 */
int postern_user_db_open(
    struct postern_ctx *ctx, enum userdb_mode mode, struct userdb **db_out);
/*
 * After a write by root: hand the database and its lock file to
 * auth_owner, so authd (its only other user) can open them. A no-op
 * when not root; a warning when auth_owner does not exist.
 */
void postern_user_db_owner(const struct conf *conf, const char *path);

/*
 * Read a password into out: one line from stdin when from_stdin (a
 * script), else from the terminal without echo, asked twice when
 * confirm. Fails when stdin is not a terminal and from_stdin is false,
 * when the two entries differ, or the password is empty or too long.
 * Blocks on the terminal. 0 or -1 with err filled; the caller wipes out.
 */
int postern_user_read_password(
    bool from_stdin, bool confirm, struct buf *out, struct err *err);

enum postern_user_form {
	POSTERN_USER_FORM_ADD, /* add's options, ADDRESS */
	POSTERN_USER_FORM_SET, /* set's options, ADDRESS */
	POSTERN_USER_FORM_PASSWD, /* passwd's options, ADDRESS */
	POSTERN_USER_FORM_SHOW, /* --show-hash, ADDRESS */
	POSTERN_USER_FORM_ADDRESS, /* ADDRESS alone */
	POSTERN_USER_FORM_NONE, /* nothing */
};

/* What the command line asks; -1 in a tri-state means "leave as is". */
struct postern_user_opts {
	struct arena *arena;
	bool password_stdin, no_password, show_hash;
	int cram_secret, enabled, keep_copy;
	const char *quota, *protocols, *store, *sieve_script;
	const char *secret_for; /* set --secret-for LIST */
	const char **add_aliases, **del_aliases, **forwards;
	size_t nadd, ndel, nforwards;
	bool forwards_set;
	const char *address; /* the one operand */
};

/*
 * Parse "SUB [options] [ADDRESS]" (argv[0] is the subcommand) for form
 * into o, whose arena must be set; address operands and option
 * addresses are checked and lowercased into it. Prints its own errors.
 * A POSTERN_EXIT_* status.
 */
int postern_user_parse(int argc, char **argv, enum postern_user_form form,
    struct postern_user_opts *o);
/*
 * Apply the parsed options to u (new strings in arena) and check the
 * result with userdb_user_check(). 0, or -1 with the message printed.
 */
int postern_user_apply(const struct postern_user_opts *o, struct userdb_user *u,
    struct arena *arena);

/* postern user show ADDRESS [--show-hash] / postern user list. */
int postern_user_show(struct postern_ctx *ctx, int argc, char **argv,
    struct postern_user_opts *o);
int postern_user_list(struct postern_ctx *ctx, int argc, char **argv,
    struct postern_user_opts *o);

#endif
