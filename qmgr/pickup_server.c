/* SPDX-License-Identifier: MIT */
/*
 * pickup's hooks: open the queue inside the chroot, and on every trigger
 * (sendmail's, or the master's wakeup) take everything in maildrop/,
 * then wake qmgr once.
 */
#include "pickup.h"

#include <time.h>

#include "core/log.h"
#include "ipc/ipc_trigger.h"
#include "queue/queue_dir.h"
#include "server/server.h"

/* Leftovers of a postdrop that died before committing. */
#define PICKUP_TEMP_MAX_AGE (24 * 3600)
#define PICKUP_QMGR_TRIGGER "public/qmgr"

struct pickup_scan {
	struct queue_dir *qd;
	const struct conf *conf;
	unsigned queued;
};

void
pickup_server_post_jail(struct server *srv)
{
	struct queue_dir *qd;
	struct err err;

	if (queue_dir_open(".", &qd, &err) < 0)
		log_fatal("%s", err.text);
	server_set_ctx(srv, qd);
	/* Whatever waits from before we started. */
	pickup_server_trigger(srv, "W", 1);
}

static int
pickup_server_one(const char *id, void *vctx)
{
	struct pickup_scan *scan = vctx;

	if (pickup_copy(scan->qd, scan->conf, id) > 0)
		scan->queued++;
	return 0;
}

void
pickup_server_trigger(struct server *srv, const char *data, size_t len)
{
	struct pickup_scan scan = {
	    .qd = server_ctx(srv), .conf = server_conf(srv)};
	unsigned removed = 0;
	struct err err;

	(void)data;
	(void)len;
	if (queue_dir_scan(scan.qd, QUEUE_MAILDROP, pickup_server_one, &scan,
	        &err) < 0)
		log_warning("scan maildrop: %s", err.text);
	if (queue_dir_clean_temp(scan.qd, QUEUE_MAILDROP,
	        (int64_t)time(NULL) - PICKUP_TEMP_MAX_AGE, &removed, &err) == 0 &&
	    removed > 0)
		log_info("removed %u stale temporary files from maildrop",
		    removed);
	/* A lost trigger only delays mail: qmgr also has a wakeup timer. */
	if (scan.queued > 0 &&
	    ipc_trigger_send(PICKUP_QMGR_TRIGGER, "A", 1, &err) < 0)
		log_warning("cannot wake qmgr: %s", err.text);
}

void
pickup_server_exit(struct server *srv)
{
	struct queue_dir *qd = server_ctx(srv);

	queue_dir_close(&qd);
	server_set_ctx(srv, NULL);
}
