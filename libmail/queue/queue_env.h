/* SPDX-License-Identifier: MIT */
/*
 * The envelope of a queued message: what smtpd or pickup learned about
 * it (sender, recipients and their DSN parameters, the client) and, per
 * recipient, the delivery state recorded since. Delivery agents read it
 * from here and never from the message text.
 *
 * The envelope section of a queue file is a sequence of records
 * (queue_rec.h); queue_env_encode writes it and queue_env_parse, a pure
 * parser over untrusted bytes, reads it back.
 */
#ifndef QUEUE_QUEUE_ENV_H
#define QUEUE_QUEUE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

/* RFC 3461 NOTIFY; 0 means the parameter was not given. */
enum queue_notify {
	QUEUE_NOTIFY_NEVER = 1 << 0,
	QUEUE_NOTIFY_SUCCESS = 1 << 1,
	QUEUE_NOTIFY_FAILURE = 1 << 2,
	QUEUE_NOTIFY_DELAY = 1 << 3,
};
#define QUEUE_NOTIFY_ALL 0xFu

/* RFC 3461 RET. */
enum queue_ret {
	QUEUE_RET_NONE = 0, /* not given */
	QUEUE_RET_FULL,
	QUEUE_RET_HDRS,
};

/* RFC 6152 / RFC 3030 BODY. */
enum queue_body {
	QUEUE_BODY_NONE = 0, /* not given */
	QUEUE_BODY_7BIT,
	QUEUE_BODY_8BITMIME,
	QUEUE_BODY_BINARYMIME,
};

enum queue_rcpt_state {
	QUEUE_RCPT_PENDING = 0, /* no attempt recorded yet */
	QUEUE_RCPT_DEFERRED, /* last attempt failed temporarily */
	QUEUE_RCPT_DONE, /* delivered: never try again */
	QUEUE_RCPT_BOUNCED, /* failed for good: a notice is owed */
};

struct queue_rcpt {
	const char *address; /* envelope recipient, never NULL */
	const char *orcpt; /* ORCPT as received ("rfc822;..."), or NULL */
	unsigned notify; /* enum queue_notify bits, 0 = not given */
	/* Filled from the result log by the reader; ignored by the writer. */
	enum queue_rcpt_state state;
	uint64_t state_time; /* seconds since the epoch of the last result */
	const char *dsn; /* last enhanced status code, or NULL */
	const char *reason; /* last reason text, or NULL */
	uint32_t attempts; /* results recorded for this recipient */
};

struct queue_env {
	uint64_t arrival_sec;
	uint32_t arrival_usec;
	const char *sender; /* "" for the null sender, never NULL */
	const char *envid; /* ENVID in its xtext form, or NULL */
	enum queue_ret ret;
	enum queue_body body;
	bool smtputf8;
	/* Each NULL when unknown (e.g. a local submission has no client). */
	const char *client_name;
	const char *client_addr;
	const char *helo;
	const char *protocol; /* "ESMTP", "ESMTPSA", "LOCAL" ... */
	const char *sasl_user;
	struct queue_rcpt *rcpts;
	size_t nrcpt;
};

/* Bounds applied to untrusted queue file content. */
struct queue_limits {
	size_t max_envelope; /* bytes in the envelope section */
	size_t max_rcpts; /* recipients per file */
	size_t max_field; /* bytes in any one text field */
	size_t max_log; /* bytes of result log read into memory */
};

/* Generous defaults, far above what smtpd accepts. */
#define QUEUE_LIMITS_DEFAULT                                                   \
	{                                                                      \
		.max_envelope = 64u << 20, .max_rcpts = 100000,                \
		.max_field = 65536, .max_log = 256u << 20                      \
	}

/*
 * Append the envelope records of env to out (the per-recipient state
 * is not part of the envelope and is ignored). Returns 0, or -1 with
 * err (ERR_PERM) when a field holds a NUL byte, the sender is NULL, or
 * there is no recipient.
 */
int queue_env_encode(
    const struct queue_env *env, struct buf *out, struct err *err);

/*
 * Parse an envelope section in[0..len) into *env_out; every string and
 * the recipient array live in arena. Recipients start PENDING. Unknown
 * record types are skipped, so later minor versions can add fields.
 * Returns 0, or -1 with err (ERR_PERM, "corrupt queue file: ...") on a
 * truncated or malformed section, a duplicate or missing field, or a
 * limit exceeded. Pure: no I/O, no logging.
 */
int queue_env_parse(const void *in, size_t len, const struct queue_limits *lim,
    struct queue_env *env_out, struct arena *arena, struct err *err);

/* "pending", "deferred", "done", "bounced"; static strings. */
const char *queue_env_state_name(enum queue_rcpt_state state);

#endif
