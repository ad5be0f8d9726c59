/* SPDX-License-Identifier: MIT */
/*
 * Private header of the postern(1) admin command: the context every
 * command receives and the command entry points. Only files in tools/
 * include it. Input is the administrator's command line and files.
 *
 * A command is "int postern_cmd_<name>(struct postern_ctx *ctx, int argc,
 * char **argv)": argv[0] is the command name, so getopt() works as usual
 * (main resets optind before the call). It returns the process
 * exit status (0 success, 1 failure, 2 usage error) and prints its own
 * error lines with postern_error(). "--help" anywhere in argv is handled
 * by main before the call, from the table's usage text.
 */
#ifndef TOOLS_POSTERN_H
#define TOOLS_POSTERN_H

#include <stdbool.h>

#include "core/err.h"

struct conf;

#define POSTERN_EXIT_OK		0
#define POSTERN_EXIT_FAIL	1
#define POSTERN_EXIT_USAGE	2

/* Default instance when neither -c nor POSTERN_CONFIG_DIR is given. */
#define POSTERN_DEFAULT_CONFIG_DIR	"/etc/postern"

struct postern_ctx {
	const char *progname;	/* "postern", or "newaliases" via argv[0] */
	/* -c DIR or POSTERN_CONFIG_DIR as given, or the default. */
	const char *config_arg;
	/* Set by postern_ctx_config_dir(): the directory holding main.cf. */
	char *config_dir;
	/* Set by postern_ctx_conf(): the loaded settings. */
	struct conf *conf;
};

/* Fill ctx for progname and config_arg (borrowed); no I/O. */
void postern_ctx_init(struct postern_ctx *ctx, const char *progname,
    const char *config_arg);
/* Release what the ctx loaded. */
void postern_ctx_deinit(struct postern_ctx *ctx);
/*
 * The config directory of the instance: config_arg itself when it holds
 * main.cf, else config_arg/etc when that does (an instance directory made
 * by postern init). Borrowed from ctx. NULL with err filled when neither
 * holds a main.cf.
 */
const char *postern_ctx_config_dir(struct postern_ctx *ctx, struct err *err);
/*
 * The instance's settings (conf_load of the config directory), loaded on
 * first use, borrowed from ctx. Unknown parameters are not reported here
 * (postern check does). NULL with err filled.
 */
const struct conf *postern_ctx_conf(struct postern_ctx *ctx,
    struct err *err);

/*
 * After getopt returned '?' or ':' (main sets opterr = 0): print
 * "postern: <cmd>: unknown option or missing value: <arg>" and return
 * POSTERN_EXIT_USAGE.
 */
int postern_bad_option(const char *cmd, char **argv);
/* Print "postern: <text>" as one line on stderr. */
void postern_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Print "postern: warning: <text>" as one line on stderr. */
void postern_warning(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Commands of the instance life cycle (tools/postern_init*.c, ...). */
int postern_cmd_init(struct postern_ctx *ctx, int argc, char **argv);
int postern_cmd_start(struct postern_ctx *ctx, int argc, char **argv);
int postern_cmd_stop(struct postern_ctx *ctx, int argc, char **argv);
int postern_cmd_reload(struct postern_ctx *ctx, int argc, char **argv);
int postern_cmd_status(struct postern_ctx *ctx, int argc, char **argv);
int postern_cmd_check(struct postern_ctx *ctx, int argc, char **argv);
int postern_cmd_conf(struct postern_ctx *ctx, int argc, char **argv);

/*
 * Commands of users, maps and aliases (tools/postern_user.c,
 * postern_map.c, postern_alias.c). postern_cmd_newaliases also runs when
 * the program is invoked as "newaliases".
 */
int postern_cmd_user(struct postern_ctx *ctx, int argc, char **argv);
int postern_cmd_map(struct postern_ctx *ctx, int argc, char **argv);
int postern_cmd_alias(struct postern_ctx *ctx, int argc, char **argv);
int postern_cmd_newaliases(struct postern_ctx *ctx, int argc, char **argv);

/*
 * The mail queue (tools/postern_queue.c) and the sendmail(1)
 * compatibility interface (tools/postern_sendmail.c), which also runs
 * when the program is invoked as "sendmail" or "mailq".
 */
int postern_cmd_queue(struct postern_ctx *ctx, int argc, char **argv);
int postern_cmd_sendmail(struct postern_ctx *ctx, int argc, char **argv);

/* Sieve scripts: "postern sieve test" (tools/postern_sieve*.c). */
int postern_cmd_sieve(struct postern_ctx *ctx, int argc, char **argv);

/*
 * Create a mail user with the given password in the users database
 * named by conf (tools/postern_user.c); used by postern init --demo.
 * 0 or -1 with err filled (the address exists, the database failed).
 */
int postern_user_create(const struct conf *conf, const char *address,
    const char *password, struct err *err);

#endif
