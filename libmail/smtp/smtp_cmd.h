/* SPDX-License-Identifier: MIT */
/*
 * SMTP command line parser (RFC 5321 §4.1 with the ESMTP parameters of
 * RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 3030 CHUNKING/BINARYMIME, RFC 3461
 * DSN, RFC 4954 AUTH and RFC 6531 SMTPUTF8). Used by smtpd on every line a
 * client sends; input is raw network data. Pure: no I/O, no logging, all
 * limits are arguments, results live in the caller's arena.
 *
 * Tolerance, decided to match what Postfix accepts by default:
 * - verbs and keywords are case-insensitive; SP or TAB separate words and
 *   runs of them count as one; trailing white space is ignored;
 * - "MAIL FROM: <a@b>" (white space after the colon) is accepted;
 * - a path without angle brackets ("MAIL FROM:a@b") is accepted up to the
 *   next white space and flagged no_brackets, unless the caller sets
 *   SMTP_CMD_STRICT_PATH (Postfix strict_rfc821_envelopes), which refuses it.
 */
#ifndef SMTP_SMTP_CMD_H
#define SMTP_SMTP_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "msg/address.h"

enum smtp_cmd_verb {
	SMTP_CMD_UNKNOWN = 0,
	SMTP_CMD_EHLO,
	SMTP_CMD_HELO,
	SMTP_CMD_MAIL,
	SMTP_CMD_RCPT,
	SMTP_CMD_DATA,
	SMTP_CMD_BDAT,
	SMTP_CMD_RSET,
	SMTP_CMD_NOOP,
	SMTP_CMD_QUIT,
	SMTP_CMD_HELP,
	SMTP_CMD_VRFY,
	SMTP_CMD_EXPN,
	SMTP_CMD_AUTH,
	SMTP_CMD_STARTTLS,
};

/* Extensions the server announced; their parameters are refused otherwise. */
enum {
	SMTP_CMD_EXT_SIZE = 1 << 0, /* SIZE= */
	SMTP_CMD_EXT_8BITMIME = 1 << 1, /* BODY=7BIT|8BITMIME */
	SMTP_CMD_EXT_BINARYMIME = 1 << 2, /* BODY=BINARYMIME */
	SMTP_CMD_EXT_SMTPUTF8 = 1 << 3, /* SMTPUTF8, UTF-8 paths */
	SMTP_CMD_EXT_DSN = 1 << 4, /* RET ENVID NOTIFY ORCPT */
	SMTP_CMD_EXT_AUTH = 1 << 5, /* AUTH= on MAIL */
};

/* Behaviour flags. */
enum {
	/* Refuse MAIL/RCPT paths without angle brackets. */
	SMTP_CMD_STRICT_PATH = 1 << 0,
	/* The transaction's MAIL carried SMTPUTF8: RCPT may use UTF-8. */
	SMTP_CMD_UTF8_TXN = 1 << 1,
};

struct smtp_cmd_limits {
	size_t line_max; /* longest line, CRLF included; RFC 5321
	                    §4.5.3.1.4 says 512, more with ESMTP
	                    parameters (Postfix uses 2048) */
	size_t path_max; /* longest path, "<" and ">" included; RFC 5321
	                    §4.5.3.1.3 says 256 */
	size_t param_max; /* most ESMTP parameters on one MAIL/RCPT */
	unsigned ext; /* SMTP_CMD_EXT_* */
	unsigned flags; /* SMTP_CMD_STRICT_PATH, SMTP_CMD_UTF8_TXN */
};

enum smtp_cmd_body {
	SMTP_CMD_BODY_NONE = 0, /* no BODY= given */
	SMTP_CMD_BODY_7BIT,
	SMTP_CMD_BODY_8BITMIME,
	SMTP_CMD_BODY_BINARYMIME,
};

enum smtp_cmd_ret {
	SMTP_CMD_RET_NONE = 0,
	SMTP_CMD_RET_FULL,
	SMTP_CMD_RET_HDRS,
};

/* NOTIFY= bits (RFC 3461 §4.1); 0 when NOTIFY was not given. */
enum {
	SMTP_CMD_NOTIFY_NEVER = 1 << 0,
	SMTP_CMD_NOTIFY_SUCCESS = 1 << 1,
	SMTP_CMD_NOTIFY_FAILURE = 1 << 2,
	SMTP_CMD_NOTIFY_DELAY = 1 << 3,
};

struct smtp_cmd_mail {
	struct address addr; /* zeroed for the null sender */
	bool null_sender; /* MAIL FROM:<> */
	bool no_brackets; /* path given without "<" ">" */
	bool has_size;
	uint64_t size; /* SIZE=, when has_size */
	enum smtp_cmd_body body;
	bool smtputf8; /* SMTPUTF8 given */
	enum smtp_cmd_ret ret;
	char *envid; /* ENVID= decoded from xtext, NULL if absent */
	char *auth; /* AUTH= decoded from xtext ("<>" stays
	               "<>"), NULL if absent */
};

struct smtp_cmd_rcpt {
	struct address addr; /* <Postmaster>: local "Postmaster", domain
	                        NULL (RFC 5321 §4.1.1.3) */
	bool postmaster; /* the bare <Postmaster> form */
	bool no_brackets;
	unsigned notify; /* SMTP_CMD_NOTIFY_* bits, 0 if absent */
	char *orcpt_type; /* ORCPT= address type ("rfc822"), or NULL */
	char *orcpt; /* ORCPT= address decoded from xtext, or NULL */
};

struct smtp_cmd {
	enum smtp_cmd_verb verb; /* set whenever the verb was known */
	/*
	 * The text after the verb, trailing white space removed, "" if none.
	 * For AUTH it holds the initial response, a secret: never log it.
	 */
	char *arg;
	int code; /* after -1: 500, 501, 504 or 555 */
	struct smtp_cmd_mail mail; /* SMTP_CMD_MAIL */
	struct smtp_cmd_rcpt rcpt; /* SMTP_CMD_RCPT */
	struct {
		uint64_t size;
		bool last;
	} bdat; /* SMTP_CMD_BDAT */
	struct {
		char *mech; /* upper-cased mechanism name */
		char *initial; /* initial response as sent (base64 or "="),
		                  NULL if absent; a secret */
	} auth; /* SMTP_CMD_AUTH */
	struct {
		char *name; /* the argument as given */
		bool valid; /* a domain or address literal */
		enum address_domain_kind kind;
	} helo; /* SMTP_CMD_HELO, SMTP_CMD_EHLO */
};

/*
 * Parse one command line of len bytes, CRLF already removed. Returns 0 with
 * out filled (strings in arena), or -1 with out->code and err (ERR_PERM,
 * enhanced code, reply text without the codes) telling the reply:
 *   500 5.5.6  line longer than lim->line_max
 *   500 5.5.2  NUL octet in the line
 *   500 5.5.1  unknown command (out->verb is SMTP_CMD_UNKNOWN)
 *   501 5.5.4  wrong arguments for the verb, bad parameter value,
 *              duplicate parameter, more than lim->param_max parameters
 *   501 5.5.2  MAIL/RCPT without "FROM:"/"TO:", AUTH response not base64
 *   501 5.1.7  bad sender path (MAIL), also longer than lim->path_max
 *   501 5.1.3  bad recipient path (RCPT), also longer than lim->path_max
 *   504 5.5.4  BODY=BINARYMIME when BINARYMIME was not offered
 *   555 5.5.4  MAIL/RCPT parameter not recognised or its extension not
 *              offered (RFC 5321 §4.1.1.11)
 * Never blocks.
 */
int smtp_cmd_parse(const char *in, size_t len,
    const struct smtp_cmd_limits *lim, struct smtp_cmd *out,
    struct arena *arena, struct err *err);

/* The upper-case name of a verb ("MAIL"), "UNKNOWN" for SMTP_CMD_UNKNOWN. */
const char *smtp_cmd_verb_name(enum smtp_cmd_verb verb);

#endif
