/* SPDX-License-Identifier: MIT */
/*
 * The ManageSieve (RFC 5804) command parser: one client command, or one
 * AUTHENTICATE continuation line, from buffered input. Pure: no I/O, no
 * logging; allocation only from the arena given. Input is raw network
 * data: every size is bounded by struct managesieve_limits, and a
 * literal's announced length is checked before any of it is awaited.
 *
 * Grammar (RFC 5804 §4): command = atom *(SP argument) CRLF, argument =
 * quoted / literal / number / atom; quoted = DQUOTE *(safe char / "\"
 * DQUOTE / "\" "\") DQUOTE; literal = "{" number ["+"] "}" CRLF *OCTET.
 * ManageSieve has no continuation request for literals, so "{n}" and
 * "{n+}" are read alike. A bare LF ends a line as CR LF does.
 */
#ifndef MANAGESIEVE_MANAGESIEVE_CMD_H
#define MANAGESIEVE_MANAGESIEVE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

struct managesieve_limits {
	size_t line_max; /* octets of a line outside literals (with CRLF) */
	size_t quoted_max; /* octets of one quoted string */
	size_t literal_max; /* octets of one literal */
	size_t args_max; /* arguments of one command */
};

enum managesieve_arg_type {
	MANAGESIEVE_ARG_STRING, /* quoted or literal */
	MANAGESIEVE_ARG_NUMBER, /* digits only, fits in 32 bits */
	MANAGESIEVE_ARG_ATOM, /* anything else unquoted */
};

struct managesieve_arg {
	enum managesieve_arg_type type;
	const char *data; /* NUL-terminated copy in the arena; may hold
	                     NULs when literal (len says) */
	size_t len;
	uint32_t number; /* NUMBER */
	bool literal; /* STRING sent as a literal */
};

struct managesieve_cmd {
	const char *name; /* upper-cased verb in the arena; NULL for a
	                     continuation line */
	struct managesieve_arg *args; /* in the arena */
	size_t nargs;
	size_t consumed; /* octets of input the line took */
};

/*
 * Parse the first command in in[0..len). with_name false parses an
 * AUTHENTICATE continuation line (arguments only). Returns:
 *   1   a complete line: *out filled, out->consumed octets used;
 *   0   incomplete: read more input and call again with all of it;
 *  -1   a protocol error, with err: drop *skip_out octets (the bad line
 *       through its end, as far as buffered; or the whole announced
 *       literal, which may be more than len) and, when *eol_out, then
 *       everything up to the next line end. A line over line_max with no
 *       end in sight gives skip = len with eol set. skip SIZE_MAX: the
 *       input cannot be resynchronised (a literal length of more than
 *       10 digits); end the session.
 */
int managesieve_cmd_parse(const char *in, size_t len, bool with_name,
    const struct managesieve_limits *lim, struct managesieve_cmd *out,
    struct arena *arena, size_t *skip_out, bool *eol_out, struct err *err);

#endif
