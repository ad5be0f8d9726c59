/* SPDX-License-Identifier: MIT */
/*
 * Private header of pickup: the daemon that takes local submissions from
 * maildrop/ (written by any local user through postdrop, so untrusted),
 * checks them, completes their headers and writes a proper queue file
 * into incoming/. See docs/pickup.md.
 */
#ifndef QMGR_PICKUP_H
#define QMGR_PICKUP_H

#include <stddef.h>

struct conf;
struct queue_dir;
struct server;

/* Skeleton hooks (pickup_server.c). */
void pickup_server_post_jail(struct server *srv);
void pickup_server_trigger(struct server *srv, const char *data, size_t len);
void pickup_server_exit(struct server *srv);

/*
 * Move maildrop/<id> into the queue: a new file in incoming/, committed,
 * then the maildrop file removed. A file that is not a valid submission
 * goes to corrupt/. Returns 1 when a message was queued, 0 when nothing
 * was (gone, corrupt, or a temporary failure left it for the next scan).
 */
int pickup_copy(struct queue_dir *qd, const struct conf *conf, const char *id);

#endif
