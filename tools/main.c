/* SPDX-License-Identifier: MIT */
/*
 * postern(1): the admin command. Global options, then one entry of the
 * command table below; each command lives in its own tools/postern_*.c.
 * Invoked as "newaliases", it runs that command directly.
 */
#include "postern.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

struct postern_cmd {
	const char *name;
	int (*fn)(struct postern_ctx *ctx, int argc, char **argv);
	const char *usage;	/* arguments after the command name */
	const char *summary;
};

/*
 * The command table. Instance life cycle first, then users, maps and
 * aliases. Add a row here and a declaration in postern.h per command.
 */
static const struct postern_cmd postern_cmds[] = {
	{ "init", postern_cmd_init,
	    "DIR [--domain D] [--hostname H] [--port SERVICE=PORT]... "
	    "[--system] [--demo]", "create a new instance in DIR" },
	{ "start", postern_cmd_start, "[-f]", "start the mail system" },
	{ "stop", postern_cmd_stop, "", "stop the mail system" },
	{ "reload", postern_cmd_reload, "", "re-read the configuration" },
	{ "status", postern_cmd_status, "", "show services and processes" },
	{ "check", postern_cmd_check, "", "validate configuration and files" },
	{ "conf", postern_cmd_conf,
	    "[-d|-n] [name...] | -e name=value... | -M [service[/type]"
	    "[=entry]...]", "show or edit main.cf and master.cf" },
	/* Users, maps and aliases. */
	{ "user", postern_cmd_user,
	    "add|del|passwd|set|show ADDRESS [options] | list",
	    "manage mail users" },
	{ "map", postern_cmd_map, "[-q KEY|-] [-i] [type:]FILE...",
	    "build and query lookup tables" },
	{ "alias", postern_cmd_alias, "[-q NAME|-] [FILE...]",
	    "build and query aliases tables" },
	{ "newaliases", postern_cmd_newaliases, "",
	    "rebuild the aliases database" },
	/* The mail queue and local submission. */
	{ "queue", postern_cmd_queue,
	    "list | show ID | delete|hold|release|requeue ID|ALL [QUEUE] | "
	    "flush", "inspect and manage the mail queue" },
	{ "sendmail", postern_cmd_sendmail,
	    "[-t] [-i] [-f SENDER] [-F NAME] [-bp|-bi|-bs|-q] [RECIPIENT...]",
	    "submit mail from local programs (sendmail(1))" },
	/* Server-side mail rules. */
	{ "sieve", postern_cmd_sieve,
	    "test SCRIPT MESSAGE [--envelope-from A] [--envelope-to B] | "
	    "list|get|put|activate|deactivate|check USER [NAME] [FILE]",
	    "try Sieve scripts on a message, manage users' scripts" },
};

#define POSTERN_NCMDS (sizeof(postern_cmds) / sizeof(postern_cmds[0]))

static void
postern_usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: postern [-c DIR] COMMAND [args]\n\n"
	    "  -c DIR   instance or config directory (default: "
	    "$POSTERN_CONFIG_DIR, else %s)\n\ncommands:\n",
	    POSTERN_DEFAULT_CONFIG_DIR);
	for (i = 0; i < POSTERN_NCMDS; i++)
		fprintf(fp, "  %-11s %s\n", postern_cmds[i].name,
		    postern_cmds[i].summary);
	fprintf(fp, "\n'postern COMMAND --help' describes one command.\n");
}

static const struct postern_cmd *
postern_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < POSTERN_NCMDS; i++)
		if (strcmp(postern_cmds[i].name, name) == 0)
			return &postern_cmds[i];
	return NULL;
}

static bool
postern_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

static int
postern_run(const struct postern_cmd *cmd, const char *progname,
    const char *config_arg, int argc, char **argv)
{
	struct postern_ctx ctx;
	int status;

	if (postern_wants_help(argc, argv)) {
		printf("usage: %s%s%s %s\n%s.\n", progname,
		    strcmp(progname, cmd->name) == 0 ? "" : " ",
		    strcmp(progname, cmd->name) == 0 ? "" : cmd->name,
		    cmd->usage, cmd->summary);
		printf("See docs/postern-%s.md.\n", cmd->name);
		return POSTERN_EXIT_OK;
	}
	postern_ctx_init(&ctx, progname, config_arg);
	/* 0, not 1: GNU getopt then forgets the state of the global scan. */
	optind = 0;
	/* Commands report bad options themselves: postern_bad_option(). */
	opterr = 0;
	status = cmd->fn(&ctx, argc, argv);
	postern_ctx_deinit(&ctx);
	return status;
}

int
main(int argc, char **argv)
{
	const char *config_arg = getenv("POSTERN_CONFIG_DIR");
	const struct postern_cmd *cmd;
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	int c;

	log_init("postern");
	base = base != NULL ? base + 1 : argc > 0 ? argv[0] : "postern";
	if (strcmp(base, "newaliases") == 0)
		return postern_run(postern_cmd_find("newaliases"), "newaliases",
		    config_arg, argc, argv);
	/* sendmail(1) and mailq(1) take sendmail's options, not ours. */
	if (strcmp(base, "sendmail") == 0 || strcmp(base, "mailq") == 0)
		return postern_run(postern_cmd_find("sendmail"), base,
		    config_arg, argc, argv);
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		postern_usage(stdout);
		return POSTERN_EXIT_OK;
	}
	/* '+': stop at the command name; its options are its own. */
	opterr = 0;
	while ((c = getopt(argc, argv, "+c:")) != -1) {
		if (c != 'c') {
			postern_error("unknown option or missing value: %s; "
			    "try 'postern --help'", argv[optind - 1]);
			return POSTERN_EXIT_USAGE;
		}
		config_arg = optarg;
	}
	if (optind >= argc) {
		postern_error("no command given; try 'postern --help'");
		return POSTERN_EXIT_USAGE;
	}
	if ((cmd = postern_cmd_find(argv[optind])) == NULL) {
		postern_error("unknown command \"%s\"; try 'postern --help'",
		    argv[optind]);
		return POSTERN_EXIT_USAGE;
	}
	return postern_run(cmd, "postern", config_arg, argc - optind,
	    argv + optind);
}
