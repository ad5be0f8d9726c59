/* SPDX-License-Identifier: MIT */
/*
 * Finding work: incoming/ on every trigger, active/ once at start-up,
 * deferred/ on its own timer (queue_run_delay) and on 'D'/'F'/'S'
 * triggers; a flush ('F', or 'S' for one site) marks what it activates
 * so that held transports go too.
 * A deferred file's modification time is its next attempt time (set by
 * qmgr_defer.c), so a scan decides "due" from one fstatat() per file and
 * never opens a message that is not due. Names come from readdir(3) and
 * are checked to be queue ids by queue_dir_scan.
 */
#include "qmgr.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "queue/queue_file.h"

bool
qmgr_known(const struct qmgr *q, const char *id)
{
	const struct qmgr_msg *m;

	for (m = q->msgs[qmgr_hash(id, NULL)]; m != NULL; m = m->next)
		if (strcmp(m->id, id) == 0)
			return true;
	return false;
}

int
qmgr_activate(struct qmgr *q, const char *id, enum queue_sub sub)
{
	struct err err;
	int rc;

	if ((long long)q->nmsgs >= q->conf->qmgr_message_active_limit)
		return -1;
	if (sub != QUEUE_ACTIVE) {
		if (qmgr_known(q, id))
			return 0;
		/* Due by its time stamp, released or requeued: its timer is
		 * not needed any more. */
		qmgr_wait_forget(q, id);
		/*
		 * Not synced: a crash may undo the rename, and start-up looks
		 * in both directories (docs/queue.md, row 6).
		 */
		rc = queue_dir_move(q->qd, id, sub, QUEUE_ACTIVE, false, &err);
		if (rc < 0) {
			log_warning("%s: move to active: %s", id, err.text);
			return 0;
		}
		if (rc == 0)
			return 0;
	}
	qmgr_msg_start(q, id);
	return 1;
}

struct qmgr_scan_ctx {
	struct qmgr *q;
	enum queue_sub sub;
	uint64_t now;
	bool all;
	const char *site; /* only messages with a recipient there */
	int dir_fd;
	bool full; /* the active limit was reached */
};

/* True when id has an unfinished recipient in ctx->site. */
static bool
qmgr_scan_for_site(const struct qmgr_scan_ctx *ctx, const char *id)
{
	const struct queue_limits lim = QUEUE_LIMITS_DEFAULT;
	const struct queue_env *env;
	struct queue_file *qf;
	struct err err;
	bool found = false;
	size_t i;

	if (queue_file_open(ctx->q->qd, ctx->sub, id, false, &lim, &qf,
	        &err) <= 0)
		return false;
	env = queue_file_env(qf);
	for (i = 0; i < env->nrcpt && !found; i++)
		found = env->rcpts[i].state != QUEUE_RCPT_DONE &&
		    env->rcpts[i].state != QUEUE_RCPT_BOUNCED &&
		    qmgr_route_in_site(env->rcpts[i].address, ctx->site);
	queue_file_close(&qf);
	return found;
}

static int
qmgr_scan_one(const char *id, void *vctx)
{
	struct qmgr_scan_ctx *ctx = vctx;
	struct stat st;

	if (ctx->sub == QUEUE_DEFERRED && !ctx->all) {
		if (fstatat(ctx->dir_fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return 0;
		if ((uint64_t)st.st_mtime > ctx->now)
			return 0;
	}
	if (ctx->site != NULL && !qmgr_scan_for_site(ctx, id))
		return 0;
	if (qmgr_activate(ctx->q, id, ctx->sub) < 0) {
		ctx->full = true;
		return 1;
	}
	return 0;
}

static void
qmgr_scan(struct qmgr *q, enum queue_sub sub, bool all, const char *site)
{
	struct qmgr_scan_ctx ctx = {.q = q,
	    .sub = sub,
	    .now = qmgr_now(),
	    .all = all,
	    .site = site};
	struct err err;

	if ((ctx.dir_fd = queue_dir_fd(q->qd, sub, &err)) < 0 ||
	    queue_dir_scan(q->qd, sub, qmgr_scan_one, &ctx, &err) < 0) {
		log_warning("scan %s: %s", queue_dir_sub_name(sub), err.text);
		return;
	}
	if (sub == QUEUE_INCOMING)
		q->incoming_left = ctx.full;
	if (ctx.full)
		log_info("active queue full (qmgr_message_active_limit %lld): "
		         "%s scan stopped",
		    q->conf->qmgr_message_active_limit, queue_dir_sub_name(sub));
}

void
qmgr_scan_incoming(struct qmgr *q)
{
	qmgr_scan(q, QUEUE_INCOMING, true, NULL);
}

void
qmgr_scan_active(struct qmgr *q)
{
	qmgr_scan(q, QUEUE_ACTIVE, true, NULL);
}

void
qmgr_scan_deferred(struct qmgr *q, bool all)
{
	qmgr_scan(q, QUEUE_DEFERRED, all, NULL);
}

void
qmgr_scan_flush(struct qmgr *q, const char *site)
{
	q->flushing = true;
	qmgr_scan(q, QUEUE_DEFERRED, true, site);
	q->flushing = false;
}

static void
qmgr_scan_timer_fire(struct event_loop *loop, void *vq)
{
	struct qmgr *q = vq;

	(void)loop;
	q->scan_timer = 0;
	qmgr_scan_deferred(q, false);
	qmgr_scan_timer_arm(q);
}

void
qmgr_scan_timer_arm(struct qmgr *q)
{
	if (q->scan_timer != 0)
		event_timer_cancel(q->loop, q->scan_timer);
	q->scan_timer = event_timer_add(q->loop,
	    (uint64_t)q->conf->queue_run_delay * 1000, qmgr_scan_timer_fire, q);
}

static void
qmgr_scan_soon_fire(struct event_loop *loop, void *vq)
{
	struct qmgr *q = vq;

	(void)loop;
	q->rescan_timer = 0;
	qmgr_scan_incoming(q);
}

void
qmgr_scan_incoming_soon(struct qmgr *q)
{
	if (q->rescan_timer == 0 && q->loop != NULL)
		q->rescan_timer =
		    event_timer_add(q->loop, 0, qmgr_scan_soon_fire, q);
}
