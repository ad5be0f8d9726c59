/* SPDX-License-Identifier: MIT */
/*
 * The result log of a queue file: after the message content, one frame
 * is appended per delivery result ("recipient 3 deferred, 4.4.1,
 * connection refused"). A frame is a 4-byte big-endian payload length,
 * the payload (records, queue_rec.h) and a CRC-32 of length and payload,
 * so a frame torn by a crash is recognised and ignored: its result was
 * never acknowledged to anyone. The last result for a recipient wins.
 * Pure functions; input is untrusted file content.
 */
#ifndef QUEUE_QUEUE_LOG_H
#define QUEUE_QUEUE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "queue/queue_env.h"

/* Length prefix and CRC around each frame's payload. */
#define QUEUE_LOG_OVERHEAD 8
/* A reason longer than this is cut (remote replies can be long). */
#define QUEUE_LOG_REASON_MAX 1000
#define QUEUE_LOG_DSN_MAX 15

/*
 * Append one frame to out: recipient number idx (its position in the
 * envelope) reached state at time now, with enhanced status dsn and
 * reason (either may be NULL; reason is cut at QUEUE_LOG_REASON_MAX
 * bytes and stops at the first CR or LF). state must not be PENDING.
 */
void queue_log_encode(struct buf *out, size_t idx, enum queue_rcpt_state state,
    uint64_t now, const char *dsn, const char *reason);

/*
 * Apply the frames in in[0..len) in order to env->rcpts (state, dsn,
 * reason, state_time, attempts); strings live in arena. Stops at the
 * first frame that is incomplete or fails its CRC, and sets *valid_out
 * to the bytes before it (len when every frame is whole): the rest is a
 * torn tail. Returns 0, or -1 with err (ERR_PERM, corrupt) when a whole,
 * checksummed frame is malformed or names no such recipient.
 */
int queue_log_apply(const void *in, size_t len, struct queue_env *env,
    struct arena *arena, size_t *valid_out, struct err *err);

#endif
