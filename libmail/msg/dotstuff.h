/* SPDX-License-Identifier: MIT */
/*
 * The dot-stuffed, CR LF form of a message for a multi-line reply or a
 * DATA transfer (RFC 1939 §3, RFC 5321 §4.5.2): a push encoder fed
 * with a stored message in chunks of any size (Maildir files have LF
 * line ends, files from other tools may have CR LF; both become CR LF),
 * optionally stopping after the header and a number of body lines (POP3
 * TOP). The output does not depend on how the input was chunked. Pure:
 * no I/O; the caller streams the file through it.
 */
#ifndef MSG_DOTSTUFF_H
#define MSG_DOTSTUFF_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

/* Caller storage; fields are private to dotstuff.c. */
struct dotstuff {
	bool bol; /* the next octet starts a line */
	bool cr; /* a CR ended the last chunk: held back */
	bool in_body; /* the empty line after the header has passed */
	bool limited; /* stop after body_lines lines of the body */
	bool done; /* the limit was reached: input is ignored */
	uint64_t line_len; /* octets of the current line so far */
	uint64_t lines_left; /* body lines still to send, when limited */
};

/*
 * Start a message. limited: send the header, the empty line and then
 * only body_lines lines of the body (TOP msg n); else everything.
 */
void dotstuff_init(struct dotstuff *d, bool limited, uint64_t body_lines);
/*
 * Append the encoded form of len input octets to out. Returns true once
 * the line limit has been reached (the caller may stop reading; later
 * input is ignored), false otherwise.
 */
bool dotstuff_feed(struct dotstuff *d, const char *p, size_t len,
    struct buf *out);
/*
 * Finish: a CR held back is sent as it was, an unterminated last line
 * gets its CR LF, then the terminating ".\r\n" is appended to out.
 */
void dotstuff_end(struct dotstuff *d, struct buf *out);

#endif
