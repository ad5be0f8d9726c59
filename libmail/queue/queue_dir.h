/* SPDX-License-Identifier: MIT */
/*
 * An open queue directory: descriptors for its subdirectories, opened on
 * first use (sendmail may reach only maildrop/), and the operations on
 * whole queue files: move between subdirectories, remove, list, sweep
 * the temporary files of crashed writers. Every path is relative to the
 * queue root, so smtpd and qmgr work the same inside their chroot.
 * Used by smtpd, pickup, qmgr, the delivery agents and postern.
 */
#ifndef QUEUE_QUEUE_DIR_H
#define QUEUE_QUEUE_DIR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

enum queue_sub {
	QUEUE_MAILDROP, /* local submissions, written by sendmail */
	QUEUE_INCOMING, /* accepted, not yet seen by qmgr */
	QUEUE_ACTIVE, /* in qmgr's memory, being delivered */
	QUEUE_DEFERRED, /* waiting for a retry */
	QUEUE_HOLD, /* held by the admin; never delivered */
	QUEUE_CORRUPT, /* unreadable; kept for the admin */
	QUEUE_NSUB
};

/* Temporary files of writers start with this; no queue id does. */
#define QUEUE_DIR_TEMP_PREFIX ".tmp."

struct queue_dir;

/* "maildrop", "incoming", ...: static strings. */
const char *queue_dir_sub_name(enum queue_sub sub);
/* The reverse; 0 or -1 for an unknown name. */
int queue_dir_sub_parse(const char *name, enum queue_sub *sub_out);

/*
 * Open the queue directory at path ("/" or "." inside a chroot). Only
 * the root is opened here. Caller owns *qd_out (queue_dir_close).
 * 0, or -1 with err (ERR_TEMP) when the directory cannot be opened.
 */
int queue_dir_open(
    const char *path, struct queue_dir **qd_out, struct err *err);
void queue_dir_close(struct queue_dir **qdp);

/*
 * The descriptor of a subdirectory, borrowed until queue_dir_close.
 * -1 with err (ERR_TEMP) when it cannot be opened.
 */
int queue_dir_fd(struct queue_dir *qd, enum queue_sub sub, struct err *err);

/* fsync(2) a subdirectory, making renames into and out of it durable. */
int queue_dir_sync(struct queue_dir *qd, enum queue_sub sub, struct err *err);

/*
 * Move queue file id from one subdirectory to another by rename(2),
 * never replacing a file of the same name. With sync, both directories
 * are fsync()ed (destination first) before returning, so the move
 * survives a crash; without, the caller batches queue_dir_sync calls.
 * Returns 1 moved, 0 when id is not in from (someone else moved it),
 * -1 with err (ERR_TEMP). May block on disk I/O.
 */
int queue_dir_move(struct queue_dir *qd, const char *id, enum queue_sub from,
    enum queue_sub to, bool sync, struct err *err);

/*
 * Delete queue file id. Not synced: if a crash undoes the unlink, the
 * file comes back with every recipient still marked finished, and qmgr
 * deletes it again. 1 removed, 0 absent, -1 with err.
 */
int queue_dir_remove(
    struct queue_dir *qd, enum queue_sub sub, const char *id, struct err *err);

/*
 * Call fn for each queue file in sub, in no particular order, skipping
 * names that are not queue ids. fn returns 0 to go on, anything else to
 * stop (that value is returned). -1 with err when the directory cannot
 * be read.
 */
typedef int queue_dir_scan_fn(const char *id, void *ctx);
int queue_dir_scan(struct queue_dir *qd, enum queue_sub sub,
    queue_dir_scan_fn *fn, void *ctx, struct err *err);

/*
 * Remove writers' temporary files in sub last modified before
 * older_than (seconds since the epoch): leftovers of writers that
 * crashed before committing, whose senders never got a 250. Sets
 * *removed_out. 0 or -1 with err.
 */
int queue_dir_clean_temp(struct queue_dir *qd, enum queue_sub sub,
    int64_t older_than, unsigned *removed_out, struct err *err);

/*
 * rename(2) from from_fd/from to to_fd/to that never replaces an
 * existing name (EEXIST instead), falling back to link+unlink where the
 * file system lacks RENAME_NOREPLACE. 0, or -1 with errno set.
 */
int queue_dir_rename_noreplace(
    int from_fd, const char *from, int to_fd, const char *to);

/*
 * Fill err for a failed system call: ENOSPC and EDQUOT become
 * "4.3.1 insufficient system storage", anything else 4.3.0; always
 * ERR_TEMP. what names the operation. Returns -1.
 */
int queue_dir_io_error(struct err *err, int errnum, const char *what);

#endif
