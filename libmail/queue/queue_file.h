/* SPDX-License-Identifier: MIT */
/*
 * Reading a queue file and recording delivery results in it: used by
 * qmgr (envelope, recipient states, retries), the delivery agents
 * (content stream, marking their recipients) and postern (listing).
 * The file is untrusted: a file that does not parse is reported as
 * corrupt and the caller moves it to corrupt/. All calls may block on
 * disk I/O.
 */
#ifndef QUEUE_QUEUE_FILE_H
#define QUEUE_QUEUE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"
#include "queue/queue_dir.h"
#include "queue/queue_env.h"

struct queue_file;

/*
 * Open queue file id in subdirectory sub of qd and read its envelope
 * and result log. With update, the file is opened for queue_file_mark.
 * lim bounds what is believed (QUEUE_LIMITS_DEFAULT suits). Caller owns
 * *qf_out (queue_file_close). Returns
 *    1  opened;
 *    0  no such file (moved or removed meanwhile);
 *   -1  with err: ERR_PERM when the file is corrupt (move it to
 *       corrupt/), ERR_TEMP for I/O trouble (try again later).
 */
int queue_file_open(struct queue_dir *qd, enum queue_sub sub, const char *id,
    bool update, const struct queue_limits *lim, struct queue_file **qf_out,
    struct err *err);
void queue_file_close(struct queue_file **qfp);

/* The id; borrowed until close. */
const char *queue_file_id(const struct queue_file *qf);

/*
 * The envelope with each recipient's latest state; borrowed until close
 * (queue_file_mark and queue_file_refresh update it in place).
 */
const struct queue_env *queue_file_env(const struct queue_file *qf);

/* Content size, and the offset in the content where the body starts
 * (the content size when there is no body). */
uint64_t queue_file_content_size(const struct queue_file *qf);
uint64_t queue_file_body_offset(const struct queue_file *qf);

/*
 * Read up to len content bytes starting at content offset off into buf.
 * Returns the bytes read (0 at the end of the content), or -1 with err
 * (ERR_TEMP). Independent of other reads: no file position is kept.
 */
ssize_t queue_file_read(struct queue_file *qf, uint64_t off, void *buf,
    size_t len, struct err *err);

/*
 * Durably record that recipient idx reached state (DONE, DEFERRED or
 * BOUNCED) with enhanced status dsn and reason (each may be NULL),
 * stamped with the current time. Appends one log frame under an
 * exclusive lock shared with every other process marking this file,
 * after reading their frames and cutting off a tail torn by a crash,
 * and returns after fdatasync(2). 0, or -1 with err (ERR_TEMP for I/O,
 * ERR_PERM when the file turned out corrupt). Needs update mode.
 */
int queue_file_mark(struct queue_file *qf, size_t idx,
    enum queue_rcpt_state state, const char *dsn, const char *reason,
    struct err *err);

/* Read results appended by other processes since open. 0 or -1. */
int queue_file_refresh(struct queue_file *qf, struct err *err);

/* True when every recipient is DONE or BOUNCED. */
bool queue_file_finished(const struct queue_file *qf);

#endif
