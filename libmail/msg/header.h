/* SPDX-License-Identifier: MIT */
/*
 * Push parser for a message's header section (RFC 5322 §2.2, §3.6): feed
 * bytes in any chunks, then pull events: each header field (name, value
 * unfolded, and the raw bytes), the end of the header section, then body
 * bytes. Used by cleanup, sendmail -t, local delivery and the IMAP
 * indexer. Input is an untrusted message; the events never depend on how
 * the input was chunked (only BODY events may be cut differently: their
 * concatenation is the same). Pure: no I/O, no logging.
 *
 * Decisions:
 * - CR LF and bare LF both end a line; a bare CR is ordinary content.
 * - A line starting with SP or HTAB continues the previous field.
 * - A field name is 1*(%d33-57 / %d59-126); white space between the name
 *   and ':' is tolerated (RFC 5322 §4.5 obs-optional).
 * - Like Postfix, the first line that is not a header field (no colon, or
 *   a continuation line with no field before it) ends the header section
 *   without an empty line: END has malformed set and that line is the
 *   first body bytes.
 * - An empty line ends the section and belongs to neither side.
 */
#ifndef MSG_HEADER_H
#define MSG_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct header_limits {
	size_t line_max; /* longest physical line, line end excluded
	                    (RFC 5322 §2.1.1: 998) */
	size_t count_max; /* most header fields */
	size_t size_max; /* most octets in the header section, line
	                    ends included (Postfix header_size_limit) */
};

enum header_event_kind {
	HEADER_EV_FIELD, /* one complete header field */
	HEADER_EV_END, /* the header section is over */
	HEADER_EV_BODY, /* body bytes */
};

/*
 * One event. Pointers are borrowed: they stay valid until the next call
 * of header_next() or header_feed() on the same parser.
 */
struct header_event {
	enum header_event_kind kind;
	const char *name; /* FIELD: the field name (not NUL-terminated) */
	size_t name_len;
	const char *value; /* FIELD: after ':', line breaks of folding
	                      removed, leading white space skipped;
	                      NUL-terminated */
	size_t value_len;
	const char *raw; /* FIELD: the field as received, folding and
	                    line ends included; BODY: the body bytes */
	size_t raw_len;
	bool malformed; /* END: ended by a non-header line (which is
	                   the first body line), not an empty line */
	bool eof; /* END: the input ended in the header section */
};

struct header_parser {
	struct header_limits lim;
	struct buf field; /* raw bytes of the field being read */
	struct buf value; /* unfolded value of the last FIELD event */
	const char *in; /* fed bytes not yet consumed (borrowed) */
	size_t in_len;
	int state;
	size_t line_start; /* offset of the current line in field */
	bool cont; /* the current line continues a field */
	bool clear; /* field must be emptied before going on */
	bool finished; /* header_finish() was called */
	size_t count; /* fields seen */
	size_t size; /* header octets seen */
	struct err err; /* the error, once failed */
};

/* Initialise caller storage; lim is copied. header_deinit() frees. */
void header_init(struct header_parser *p, const struct header_limits *lim);
void header_deinit(struct header_parser *p);

/*
 * Hand the parser len more bytes. They are borrowed, not copied, until
 * header_next() returns 0; call header_feed() again only then (a caller
 * bug otherwise: PANIC).
 */
void header_feed(struct header_parser *p, const char *data, size_t len);

/* No more input will come: the pending field and END can be produced. */
void header_finish(struct header_parser *p);

/*
 * Produce the next event. Returns 1 with ev filled; 0 when all fed bytes
 * are used (feed more, or after header_finish() the message is done);
 * -1 when a limit was exceeded (a line over line_max inside a field, more
 * than count_max fields, more than size_max octets): err is ERR_PERM
 * "5.6.0" and every later call returns -1 too. Never blocks.
 */
int header_next(
    struct header_parser *p, struct header_event *ev, struct err *err);

#endif
