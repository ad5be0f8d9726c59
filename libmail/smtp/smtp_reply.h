/* SPDX-License-Identifier: MIT */
/*
 * SMTP replies (RFC 5321 §4.2) with RFC 2034/3463 enhanced status codes:
 * a builder used by smtpd (and LMTP) to write replies into a buf, and a
 * parser used by the smtp/lmtp client to read a server's possibly
 * multi-line reply. Reply text given to the builder may come from a
 * client or a map, so it is sanitised; replies fed to the parser come
 * from a remote server and are untrusted. Pure: no I/O, no logging.
 */
#ifndef SMTP_SMTP_REPLY_H
#define SMTP_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

/* RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets with CRLF. */
#define SMTP_REPLY_LINE_MAX 512

/*
 * Append one reply line "CODE-DSN text\r\n" (more: '-', more lines follow)
 * or "CODE DSN text\r\n" (last line) to out. dsn NULL or "" leaves the
 * enhanced code out: callers pass NULL to clients that did not get
 * ENHANCEDSTATUSCODES. text (len bytes) is sanitised: control octets
 * (CR and LF included) and octets that are not well-formed UTF-8 become
 * '?', so nothing the text holds can end the line or start a new reply;
 * it is cut (at a character boundary) to keep the line within
 * SMTP_REPLY_LINE_MAX. code must be 200..599 and dsn at most 11 octets
 * (a caller bug otherwise: PANIC).
 */
void smtp_reply_line(struct buf *out, int code, const char *dsn, bool more,
    const char *text, size_t len);

/*
 * Append a whole reply: text is split at each '\n' into lines, all sent
 * with the same code and enhanced code, "CODE-" on all but the last.
 * Empty text gives one line with the code (and dsn) only.
 */
void smtp_reply_text(
    struct buf *out, int code, const char *dsn, const char *text);

/* smtp_reply_text() with printf formatting. */
void smtp_reply_printf(struct buf *out, int code, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Reply for a failed request: code, then err's enhanced code (when
 * enhanced is true and err->dsn is set) and err's text.
 */
void smtp_reply_err(
    struct buf *out, int code, const struct err *err, bool enhanced);

/* A complete server reply as read by the client. */
struct smtp_reply {
	int code; /* 200..599 */
	char dsn[16]; /* enhanced code of the first line, or "" */
	char *text; /* lines joined with '\n', each without its
	               reply code and enhanced code; in arena */
	size_t text_len;
	size_t lines;
};

struct smtp_reply_piece;

/* Accumulates the lines of one reply; caller storage, nothing to free. */
struct smtp_reply_parser {
	size_t line_max; /* longest line accepted, CRLF excluded */
	size_t lines_max; /* most lines in one reply */
	size_t lines;
	size_t text_len;
	int code;
	char dsn[16];
	struct smtp_reply_piece *head, *tail; /* in the caller's arena */
};

/* Start reading replies with these limits. */
void smtp_reply_parser_init(
    struct smtp_reply_parser *p, size_t line_max, size_t lines_max);

/*
 * Feed one line of a server reply (CRLF removed). Returns 1 when the line
 * ended the reply: out is filled (text in arena) and the parser is ready
 * for the next reply; 0 when more lines are needed (the line is kept in
 * arena, which must live until the reply completes); -1 when the reply
 * is malformed (bad code, code changed between lines, a line or the line
 * count over its limit): err is ERR_TEMP "4.5.0" (a protocol error
 * defers mail), and the parser must be re-initialised before reuse.
 */
int smtp_reply_parser_line(struct smtp_reply_parser *p, const char *line,
    size_t len, struct smtp_reply *out, struct arena *arena, struct err *err);

#endif
