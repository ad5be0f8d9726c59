/* SPDX-License-Identifier: MIT */
/*
 * What "postern user" subcommands share with the outside world: the
 * users database file of the instance (and who owns it), and passwords
 * typed at a terminal or piped in by a script. Input is the
 * administrator's terminal or stdin.
 */
#include "postern_user.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/xmalloc.h"

int
postern_user_db_open(
    struct postern_ctx *ctx, enum userdb_mode mode, struct userdb **db_out)
{
	const struct conf *conf;
	struct err err;

	*db_out = NULL;
	if ((conf = postern_ctx_conf(ctx, &err)) == NULL) {
		postern_error("%s", err.text);
		return POSTERN_EXIT_FAIL;
	}
	if (conf->user_database[0] != '/') {
		postern_error("user_database must be an absolute path, not "
		              "\"%s\"",
		    conf->user_database);
		return POSTERN_EXIT_FAIL;
	}
	*db_out = userdb_open(conf->user_database, mode, &err);
	if (*db_out != NULL)
		return POSTERN_EXIT_OK;
	if (mode == USERDB_READ && errno == ENOENT)
		return POSTERN_EXIT_OK;
	postern_error("%s", err.text);
	return POSTERN_EXIT_FAIL;
}

void
postern_user_db_owner(const struct conf *conf, const char *path)
{
	struct passwd *pw;
	char *lock;

	if (geteuid() != 0)
		return;
	if ((pw = getpwnam(conf->auth_owner)) == NULL) {
		postern_warning("no system user %s (auth_owner): %s stays "
		                "owned by root",
		    conf->auth_owner, path);
		return;
	}
	lock = xasprintf("%s-lock", path);
	if (chown(path, pw->pw_uid, pw->pw_gid) < 0 ||
	    (chown(lock, pw->pw_uid, pw->pw_gid) < 0 && errno != ENOENT))
		postern_warning("cannot give %s to %s: %s", path,
		    conf->auth_owner, strerror(errno));
	free(lock);
}

/* One line from fp without its line end; -1 on EOF, NUL or overlength. */
static int
postern_user_read_line(FILE *fp, struct buf *out, struct err *err)
{
	int c;

	buf_reset(out);
	while ((c = getc(fp)) != EOF && c != '\n') {
		if (c == '\0')
			return err_set(
			    err, ERR_PERM, "", "NUL byte in password");
		if (out->len >= POSTERN_USER_PASSWORD_MAX)
			return err_set(err, ERR_PERM, "",
			    "password longer than "
			    "%d bytes",
			    POSTERN_USER_PASSWORD_MAX);
		buf_putc(out, (char)c);
	}
	if (c == EOF && out->len == 0)
		return err_set(err, ERR_PERM, "", "no password on stdin");
	if (out->len > 0 && out->data[out->len - 1] == '\r')
		buf_truncate(out, out->len - 1);
	return 0;
}

/* Prompt on stderr and read stdin (a terminal) with echo off. */
static int
postern_user_prompt(const char *prompt, struct buf *out, struct err *err)
{
	struct termios saved, quiet;
	int rc;

	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return err_set(err, ERR_PERM, "",
		    "cannot read the terminal: %s", strerror(errno));
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	fputs(prompt, stderr);
	fflush(stderr);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
		return err_set(err, ERR_PERM, "", "cannot turn echo off: %s",
		    strerror(errno));
	rc = postern_user_read_line(stdin, out, err);
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	return rc;
}

static int
postern_user_read_tty(bool confirm, struct buf *out, struct err *err)
{
	struct buf again;
	int rc;

	if (!isatty(STDIN_FILENO))
		return err_set(err, ERR_PERM, "",
		    "stdin is not a terminal: "
		    "use --password-stdin to pipe the password in");
	if (postern_user_prompt("New password: ", out, err) < 0)
		return -1;
	if (!confirm)
		return 0;
	buf_init(&again);
	rc = postern_user_prompt("Retype new password: ", &again, err);
	if (rc == 0 &&
	    (again.len != out->len ||
	        memcmp(again.data, out->data, out->len) != 0))
		rc = err_set(err, ERR_PERM, "", "the passwords do not match");
	explicit_bzero(again.data, again.len);
	buf_deinit(&again);
	return rc;
}

int
postern_user_read_password(
    bool from_stdin, bool confirm, struct buf *out, struct err *err)
{
	int rc = from_stdin ? postern_user_read_line(stdin, out, err)
	                    : postern_user_read_tty(confirm, out, err);

	if (rc == 0 && out->len == 0)
		rc = err_set(err, ERR_PERM, "", "empty password");
	return rc;
}
