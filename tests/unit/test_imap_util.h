/* SPDX-License-Identifier: MIT */
/*
 * Helper shared by the IMAP argument and SEARCH tests: tokenise the
 * arguments of one command with the real command reader.
 */
#ifndef TESTS_UNIT_TEST_IMAP_UTIL_H
#define TESTS_UNIT_TEST_IMAP_UTIL_H

#include <string.h>

#include "imap/imap_parse.h"
#include "t.h"

static const struct imap_parse_limits timap_lim = {
    .line_max = 8192,
    .literal_max = 1000,
    .nonsync_max = 1000,
    .command_max = 10000,
    .depth_max = 64,
    .args_max = 500,
};

/*
 * Tokenise "t X <args>\r\n" with p, accepting every literal. The
 * command, in arena a, or NULL after a syntax error; literal tokens stay
 * valid until p is fed again or freed.
 */
static inline const struct imap_cmd *
timap_lex_with(struct imap_parser *p, const char *args, struct arena *a)
{
	struct imap_cmd *cmd = arena_zalloc(a, sizeof(*cmd));
	char *line = arena_printf(a, "t X %s\r\n", args);
	struct imap_parse_event ev;
	size_t used, pos = 0, len = strlen(line);

	while (imap_parse_feed(p, line + pos, len - pos, &used, a, &ev, NULL) ==
	    IMAP_PARSE_LITERAL)
		pos += used;
	if (ev.status != IMAP_PARSE_COMMAND)
		return NULL;
	*cmd = ev.cmd;
	return cmd;
}

/* For arguments without literals: the reader can go at once. */
static inline const struct imap_cmd *
timap_lex(const char *args, struct arena *a)
{
	struct imap_parser p;
	const struct imap_cmd *cmd;

	imap_parse_init(&p, &timap_lim);
	cmd = timap_lex_with(&p, args, a);
	imap_parse_deinit(&p);
	return cmd;
}

#endif
