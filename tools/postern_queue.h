/* SPDX-License-Identifier: MIT */
/*
 * Private to "postern queue" (tools/postern_queue*.c): the open queue
 * of the instance and the listing helpers the operations share.
 */
#ifndef TOOLS_POSTERN_QUEUE_H
#define TOOLS_POSTERN_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "queue/queue_dir.h"
#include "queue/queue_id.h"

struct conf;

/* One queue file found by a scan. */
struct postern_queue_item {
	char id[QUEUE_ID_SIZE];
	enum queue_sub sub;
};

struct postern_queue {
	const struct conf *conf;
	struct queue_dir *qd;
	struct postern_queue_item *items; /* sorted by id: arrival order */
	size_t nitems;
};

/*
 * Open the instance's queue and list the files in the subdirectories
 * whose bit (1 << QUEUE_x) is set in subs. 0, or -1 after printing why.
 */
int postern_queue_open(struct postern_queue *pq, const struct conf *conf,
    unsigned subs);
void postern_queue_close(struct postern_queue *pq);

/* "postern queue list" and "show ID" (tools/postern_queue_list.c). */
int postern_queue_list(struct postern_queue *pq);
int postern_queue_show(struct postern_queue *pq, const char *id);

/* Wake qmgr with trigger bytes (public/qmgr); prints a warning on failure. */
bool postern_queue_trigger(const struct conf *conf, const char *bytes);

#endif
