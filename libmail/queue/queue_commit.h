/* SPDX-License-Identifier: MIT */
/*
 * Group commit of directory fsyncs across processes. Every smtpd
 * process must make its rename into incoming/ durable before it answers
 * 250; instead of one directory fsync each, concurrent committers elect
 * a leader whose single fsync covers every rename finished before it
 * started. Nobody returns before an fsync that began after their own
 * rename has completed. The argument is in docs/queue.md.
 *
 * State is two counters in a small shared file (<dir>/.commit), mapped
 * by every process, and an flock(2) on it that serialises the fsyncs.
 */
#ifndef QUEUE_QUEUE_COMMIT_H
#define QUEUE_QUEUE_COMMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define QUEUE_COMMIT_FILE ".commit"

struct queue_commit;

/*
 * Attach to the committer of the directory dir_fd (borrowed; it must
 * stay open while the committer is used), creating its file with mode
 * 0600 if needed. Caller owns *c_out (queue_commit_close). 0 or -1 with
 * err (ERR_TEMP).
 */
int queue_commit_open(int dir_fd, struct queue_commit **c_out, struct err *err);
void queue_commit_close(struct queue_commit **cp);

/*
 * Take a ticket. Call it after the directory change to be made durable
 * has returned (e.g. after rename(2)), and pass the ticket to
 * queue_commit_wait.
 */
uint64_t queue_commit_ticket(struct queue_commit *c);

/*
 * Return once a directory fsync that began after ticket was taken has
 * completed: either one by another process, or one done here (then
 * *led_out, if not NULL, is set true). Blocks while another process
 * syncs. 0, or -1 with err (ERR_TEMP) when this process's fsync failed.
 */
int queue_commit_wait(
    struct queue_commit *c, uint64_t ticket, bool *led_out, struct err *err);

/*
 * True when c syncs the directory dir_fd refers to (same device and
 * inode), i.e. when it may stand in for fsync(dir_fd).
 */
bool queue_commit_is_for(const struct queue_commit *c, int dir_fd);

/* queue_commit_ticket then queue_commit_wait. */
int queue_commit_sync(struct queue_commit *c, bool *led_out, struct err *err);

#endif
