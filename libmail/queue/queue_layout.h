/* SPDX-License-Identifier: MIT */
/*
 * Creating and checking the queue directory tree, its owners and modes,
 * for "postern init" and "postern check" (run as root, or as the single
 * user of an unprivileged instance):
 *
 *   <queue_directory>/           root        0755
 *     maildrop/                  owner:postdrop  0730  (sendmail drops)
 *     public/                    owner:postdrop  0710  (pickup trigger)
 *     incoming/ active/ deferred/ hold/ corrupt/ private/
 *                                owner       0700
 *     pid/                       root        0755
 *
 * "owner" is mail_owner. The queue files are readable by it alone.
 */
#ifndef QUEUE_QUEUE_LAYOUT_H
#define QUEUE_QUEUE_LAYOUT_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"

struct queue_layout_owner {
	uid_t owner_uid; /* mail_owner */
	gid_t owner_gid; /* its primary group */
	gid_t postdrop_gid; /* group of sendmail's setgid helper */
	bool set_owner; /* chown/check owners: only when root */
};

/*
 * Create what is missing under root (the root directory itself too, not
 * its parents) and set owner and mode of every directory, whether new or
 * old; also create incoming/.commit (queue_commit.h). Idempotent, so
 * "postern check --fix" can call it. Refuses to follow a symbolic link
 * or to treat a non-directory as one. 0, or -1 with err (ERR_TEMP for
 * system call failures, ERR_PERM for a wrong file type).
 */
int queue_layout_create(
    const char *root, const struct queue_layout_owner *own, struct err *err);

/*
 * Compare the tree under root with the table above and append one line
 * per problem to report ("queue: incoming: mode 0755, want 0700").
 * Owners are compared only when own->set_owner. Returns the number of
 * problems (0 = all well); a missing root counts as one. Never changes
 * anything.
 */
int queue_layout_check(
    const char *root, const struct queue_layout_owner *own, struct buf *report);

#endif
