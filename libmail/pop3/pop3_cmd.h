/* SPDX-License-Identifier: MIT */
/*
 * POP3 command line parser (RFC 1939 §3, RFC 2449 CAPA and the command
 * syntax rules, RFC 2595 STLS, RFC 5034 AUTH with initial response).
 * Used by pop3d on every line a client sends; input is raw network
 * data. Pure: no I/O, no logging, the limit is an argument, strings are
 * copied into the caller's arena.
 *
 * Tolerance, decided to match what Dovecot accepts: the keyword is
 * case-insensitive; one or more SP or TAB separate arguments; trailing
 * white space is ignored. PASS takes the rest of the line as its one
 * argument (RFC 1939 §7: a password may contain spaces), with leading
 * white space after the keyword removed but inner spaces kept.
 */
#ifndef POP3_POP3_CMD_H
#define POP3_POP3_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

enum pop3_cmd_verb {
	POP3_CMD_UNKNOWN = 0,
	POP3_CMD_USER,
	POP3_CMD_PASS,
	POP3_CMD_APOP,
	POP3_CMD_AUTH,
	POP3_CMD_STLS,
	POP3_CMD_CAPA,
	POP3_CMD_QUIT,
	POP3_CMD_STAT,
	POP3_CMD_LIST,
	POP3_CMD_RETR,
	POP3_CMD_DELE,
	POP3_CMD_NOOP,
	POP3_CMD_RSET,
	POP3_CMD_TOP,
	POP3_CMD_UIDL,
};
#define POP3_CMD_NVERB (POP3_CMD_UIDL + 1)

/* RFC 2449 §4: a keyword or argument is at most 40 octets (applied to
 * AUTH mechanism names; user names may be longer). */
#define POP3_CMD_ARG_MAX 40

struct pop3_cmd {
	enum pop3_cmd_verb verb; /* set whenever the keyword was known */
	size_t nargs; /* arguments given (0..2) */
	/*
	 * The arguments, NUL-terminated, in arena; NULL past nargs. PASS:
	 * the password, and AUTH arg[1]: the initial response, are secrets
	 * that must never be logged.
	 */
	char *arg[2];
	/*
	 * Numeric arguments (message numbers of LIST, UIDL, RETR, DELE,
	 * TOP, and TOP's line count), valid when nargs says they are there.
	 */
	uint32_t num[2];
};

/*
 * Parse one command line of len bytes, CRLF already removed; line_max
 * is the longest line accepted, CRLF included. 0 with out filled, or -1
 * with err (ERR_PERM, no dsn) whose text is the reply after "-ERR ":
 *   "Line too long"            over line_max
 *   "Invalid characters"       NUL or other control octets
 *   "Unknown command"          out->verb is POP3_CMD_UNKNOWN
 *   "Syntax error ..."         wrong number of arguments, an AUTH
 *                              mechanism name over POP3_CMD_ARG_MAX, a
 *                              number that is not 1..4294967295 (TOP's
 *                              line count may be 0), an APOP digest that
 *                              is not 32 hex digits
 * Out->verb is set even when the arguments were refused. Never blocks.
 */
int pop3_cmd_parse(const char *in, size_t len, size_t line_max,
    struct pop3_cmd *out, struct arena *arena, struct err *err);

/* The upper-case keyword of a verb ("RETR"), "UNKNOWN" for unknown. */
const char *pop3_cmd_verb_name(enum pop3_cmd_verb verb);

#endif
