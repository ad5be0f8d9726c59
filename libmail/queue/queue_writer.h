/* SPDX-License-Identifier: MIT */
/*
 * Writing a new queue file: used by smtpd (one message per DATA/BDAT)
 * and pickup, and by sendmail into maildrop/. The file is written under
 * a temporary name, made durable, then renamed to its queue id; only
 * when queue_writer_commit returns 0 may the caller acknowledge the
 * message (250, or exit status 0). All calls may block on disk I/O.
 *
 *   queue_writer_open -> queue_writer_envelope -> queue_writer_write ...
 *   -> queue_writer_commit -> queue_writer_free
 *
 * queue_writer_free without a successful commit removes the file.
 */
#ifndef QUEUE_QUEUE_WRITER_H
#define QUEUE_QUEUE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "queue/queue_commit.h"
#include "queue/queue_dir.h"
#include "queue/queue_env.h"

struct queue_writer;

/*
 * Create a temporary file in sub (QUEUE_INCOMING or QUEUE_MAILDROP) of
 * qd (borrowed; keep it open until queue_writer_free) and derive the
 * queue id from its inode and the current time. Caller owns *w_out.
 * 0, or -1 with err (ERR_TEMP, 4.3.x).
 */
int queue_writer_open(struct queue_dir *qd, enum queue_sub sub,
    struct queue_writer **w_out, struct err *err);

/* The queue id, known from open on; borrowed until queue_writer_free. */
const char *queue_writer_id(const struct queue_writer *w);

/* Arrival time (from the id) for log lines and the envelope. */
void queue_writer_arrival(
    const struct queue_writer *w, uint64_t *sec_out, uint32_t *usec_out);

/*
 * Write the envelope; exactly once, before any content. env is copied
 * out at once (borrowed for the call). When env->arrival_sec is 0 the
 * arrival time of the id is recorded. 0, or -1 with err (ERR_PERM for a
 * bad envelope, ERR_TEMP for I/O).
 */
int queue_writer_envelope(
    struct queue_writer *w, const struct queue_env *env, struct err *err);

/*
 * Append message content (dot-unstuffed, byte for byte as it will be
 * delivered). The header/body boundary is found on the way: the first
 * empty line, with LF or CRLF endings. 0, or -1 with err (ERR_TEMP; disk
 * full is 4.3.1); after a failure only queue_writer_free is allowed.
 */
int queue_writer_write(
    struct queue_writer *w, const void *data, size_t len, struct err *err);

/* Content bytes accepted so far (for message_size_limit). */
uint64_t queue_writer_size(const struct queue_writer *w);

/*
 * Make the message durable and visible: write the header, fsync the
 * file, rename it to its id, and fsync the directory -- through the
 * group committer gc when it is not NULL, else directly. Returns 0 only
 * when all of that is on disk; -1 with err (ERR_TEMP) otherwise, and the
 * file is removed (best effort) by queue_writer_free.
 */
int queue_writer_commit(
    struct queue_writer *w, struct queue_commit *gc, struct err *err);

/* Release the writer; removes the file unless it was committed. */
void queue_writer_free(struct queue_writer **wp);

#endif
