/* SPDX-License-Identifier: MIT */
/*
 * Delivery status notifications (RFC 3464, with RFC 3461 NOTIFY/RET and
 * RFC 6522 multipart/report): the text of a non-delivery, delay or
 * success notice. qmgr composes them (qmgr_bounce.c) and writes them as
 * new queue files with the null sender; kept in libmail so any process
 * that must report on a message can share one composer, and so it is
 * unit-tested. Pure: no I/O, no clock (times are arguments), no logging.
 *
 * A notice is written in three steps, because the original message may
 * be large and is streamed from its queue file by the caller:
 *
 *   dsn_write_head   headers, the human-readable part, the
 *                    message/delivery-status part, and the header of
 *                    the part that returns the original;
 *   (the caller)     the original: its header section, or all of it;
 *   dsn_write_tail   the closing boundary.
 *
 * Every line ends in CR LF. Strings taken from the envelope or from a
 * delivery agent (addresses, reasons) are untrusted: CR, LF and other
 * control characters are replaced, and reasons are cut to a safe length,
 * so nothing a remote server says can add a header field or a MIME part.
 */
#ifndef MSG_DSN_H
#define MSG_DSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* What the notice reports (decides Subject and the explanation). */
enum dsn_kind {
	DSN_KIND_FAILURE, /* some recipients failed for good */
	DSN_KIND_DELAY, /* some recipients are still being retried */
	DSN_KIND_SUCCESS, /* delivered, as NOTIFY=SUCCESS asked */
};

/* RFC 3464 section 2.3.3 Action values. */
enum dsn_action {
	DSN_ACTION_FAILED,
	DSN_ACTION_DELAYED,
	DSN_ACTION_DELIVERED,
	DSN_ACTION_RELAYED,
	DSN_ACTION_EXPANDED,
};

struct dsn_rcpt {
	const char *address; /* Final-Recipient (rfc822), never NULL */
	/* Original-Recipient, already xtext-decoded ("rfc822;a@b"), or NULL */
	const char *orcpt;
	enum dsn_action action;
	const char *status; /* "5.1.1"; NULL means a generic one */
	const char *diagnostic; /* reason text, or NULL */
	uint64_t last_attempt; /* seconds since the epoch; 0 = none */
	uint64_t retry_until; /* DELAYED: Will-Retry-Until; 0 = none */
};

struct dsn_report {
	enum dsn_kind kind;
	const char *reporting_mta; /* our host name ($myhostname) */
	const char *mail_name; /* "Postern", for the explanation */
	const char *from; /* "MAILER-DAEMON@host" */
	const char *to; /* the original sender */
	const char *message_id; /* "<...>" of the notice */
	const char *boundary; /* unique MIME boundary, [A-Za-z0-9./=-] */
	const char *queue_id; /* of the original message */
	const char *envid; /* ENVID, xtext-decoded, or NULL */
	uint64_t arrival; /* arrival of the original (Arrival-Date) */
	uint64_t now; /* Date: of the notice */
	/* The part that follows holds the whole original (message/rfc822),
	 * or only its header section (text/rfc822-headers); see RET. */
	bool full_original;
	/* No original follows at all (it could not be read). */
	bool no_original;
	const struct dsn_rcpt *rcpts;
	size_t nrcpt;
};

/*
 * Append to out everything up to the body of the original part (or up
 * to the closing boundary when r->no_original). Never fails.
 */
void dsn_write_head(const struct dsn_report *r, struct buf *out);

/* Append the line end the original may lack and the closing boundary. */
void dsn_write_tail(const struct dsn_report *r, bool original_ended_in_newline,
    struct buf *out);

/* RFC 5322 date-time in UTC ("Tue, 14 Nov 2023 22:13:20 +0000"). */
void dsn_format_date(uint64_t when, struct buf *out);

/* "failed", "delayed", ...: static strings. */
const char *dsn_action_name(enum dsn_action action);

#endif
