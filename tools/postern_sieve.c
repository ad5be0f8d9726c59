/* SPDX-License-Identifier: MIT */
/*
 * postern sieve: Sieve scripts from the command line. The subcommand
 * table below; each subcommand lives in tools/postern_sieve_*.c: "test"
 * in postern_sieve_test.c; list, get, put, activate, deactivate and
 * check (the user's stored scripts) in postern_sieve_admin.c.
 */
#include "postern_sieve.h"

#include <stdio.h>
#include <string.h>

struct postern_sieve_cmd {
	const char *name;
	int (*fn)(struct postern_ctx *ctx, int argc, char **argv);
};

static const struct postern_sieve_cmd postern_sieve_cmds[] = {
	{ "test", postern_sieve_test },
	{ "list", postern_sieve_list },
	{ "get", postern_sieve_get },
	{ "put", postern_sieve_put },
	{ "activate", postern_sieve_activate },
	{ "deactivate", postern_sieve_deactivate },
	{ "check", postern_sieve_check },
};

int
postern_cmd_sieve(struct postern_ctx *ctx, int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: postern sieve test SCRIPT MESSAGE "
		    "[--envelope-from A] [--envelope-to B]\n"
		    "       postern sieve list|get|put|activate|deactivate|"
		    "check USER [NAME] [FILE]\n");
		return POSTERN_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(postern_sieve_cmds) /
	    sizeof(postern_sieve_cmds[0]); i++)
		if (strcmp(argv[1], postern_sieve_cmds[i].name) == 0)
			return postern_sieve_cmds[i].fn(ctx, argc - 1,
			    argv + 1);
	postern_error("sieve: unknown subcommand \"%s\"", argv[1]);
	return POSTERN_EXIT_USAGE;
}
