/* SPDX-License-Identifier: MIT */
/*
 * One pass of a message through the active queue: open its file (a
 * file that does not parse goes to corrupt/), log the "from=" line, plan
 * one delivery job per destination for the recipients still to do, and,
 * when the last job has ended, decide: every recipient finished means
 * notices then removal; otherwise expiry, notices, a delay warning and
 * a move to deferred/ (qmgr_defer.c).
 */
#include "qmgr.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "queue/queue_file.h"
#include "queue/queue_hdr.h"

#define QMGR_LOG_ADDR_MAX 300

uint64_t
qmgr_now(void)
{
	return (uint64_t)time(NULL);
}

/* FNV-1a: ids and host names are short; buckets stay small. */
size_t
qmgr_hash(const char *a, const char *b)
{
	uint32_t h = 2166136261u;
	const char *p;

	for (p = a; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	if (b != NULL) {
		h = (h ^ 0xFFu) * 16777619u;
		for (p = b; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
	}
	return h % QMGR_HASH_SIZE;
}

const char *
qmgr_esc(const char *s, char *out, size_t outsz)
{
	return log_escape(s, strlen(s), QMGR_LOG_ADDR_MAX, out, outsz);
}

void
qmgr_msg_free(struct qmgr *q, struct qmgr_msg **msgp)
{
	struct qmgr_msg *msg = *msgp, **pp;

	if (msg == NULL)
		return;
	for (pp = &q->msgs[qmgr_hash(msg->id, NULL)]; *pp != NULL;
	     pp = &(*pp)->next)
		if (*pp == msg) {
			*pp = msg->next;
			q->nmsgs--;
			break;
		}
	queue_file_close(&msg->qf);
	if (msg->fd >= 0)
		close(msg->fd);
	free(msg->success);
	free(msg);
	*msgp = NULL;
	/* Room again: take what the active limit left in incoming/. */
	if (q->incoming_left)
		qmgr_scan_incoming_soon(q);
}

void
qmgr_msg_log_rcpt(const struct qmgr_msg *msg, size_t idx, const char *relay,
    const char *dsn, const char *status, const char *reason)
{
	const struct queue_env *env = queue_file_env(msg->qf);
	uint64_t now = qmgr_now();
	double before = (double)msg->active_since - (double)env->arrival_sec;
	double in_qmgr = (double)now - (double)msg->active_since;
	char addr[QMGR_LOG_ADDR_MAX * 4 + 1], why[1024];

	if (before < 0)
		before = 0;
	log_info("%s: to=<%s>, relay=%s, delay=%.0f, delays=%.0f/%.0f/0/0, "
	         "dsn=%s, status=%s (%s)",
	    msg->id, qmgr_esc(env->rcpts[idx].address, addr, sizeof(addr)),
	    relay != NULL ? relay : "none", before + in_qmgr, before,
	    in_qmgr, dsn != NULL ? dsn : "4.0.0", status,
	    log_escape(reason != NULL ? reason : "", reason ? strlen(reason) : 0,
	        250, why, sizeof(why)));
}

void
qmgr_msg_record(struct qmgr *q, struct qmgr_msg *msg, size_t idx,
    enum queue_rcpt_state state, const char *dsn, const char *reason,
    const char *relay, bool log)
{
	struct err err;

	(void)q;
	if (queue_file_mark(msg->qf, idx, state, dsn, reason, &err) < 0) {
		log_warning("%s: cannot record the result of recipient %zu: %s",
		    msg->id, idx, err.text);
		return;
	}
	if (log)
		qmgr_msg_log_rcpt(msg, idx, relay, dsn,
		    state == QUEUE_RCPT_DONE       ? "sent"
		        : state == QUEUE_RCPT_BOUNCED ? "bounced"
		                                      : "deferred",
		    reason);
}

/* A file that cannot be opened: corrupt/, or back to deferred/. */
static void
qmgr_msg_unreadable(struct qmgr *q, const char *id, const struct err *why)
{
	struct err err;

	if (why->kind == ERR_PERM) {
		if (queue_dir_move(q->qd, id, QUEUE_ACTIVE, QUEUE_CORRUPT, true,
		        &err) < 0)
			log_error("%s: %s; cannot move it to corrupt: %s", id,
			    why->text, err.text);
		else
			log_warning("%s: %s; moved to corrupt", id, why->text);
		return;
	}
	log_warning("%s: %s; will try again later", id, why->text);
	qmgr_defer_file(
	    q, id, qmgr_now() + (uint64_t)q->conf->minimal_backoff_time);
}

/*
 * The read-only descriptor agents get, and where the content starts in
 * it. 1, 0 when the file is gone, -1 with err.
 */
static int
qmgr_msg_open_fd(struct qmgr *q, struct qmgr_msg *msg, struct err *err)
{
	unsigned char raw[QUEUE_HDR_LEN];
	struct queue_hdr hdr;
	int dir_fd = queue_dir_fd(q->qd, QUEUE_ACTIVE, err);
	ssize_t n;

	if (dir_fd < 0)
		return -1;
	msg->fd = openat(dir_fd, msg->id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (msg->fd < 0)
		return errno == ENOENT ? 0 : queue_dir_io_error(err, errno, "open");
	n = pread(msg->fd, raw, sizeof(raw), 0);
	if (n != (ssize_t)sizeof(raw))
		return queue_dir_io_error(err, n < 0 ? errno : EIO, "read");
	if (queue_hdr_parse(raw, sizeof(raw), &hdr, err) < 0)
		return -1;
	msg->content_offset = queue_hdr_content_offset(&hdr);
	return 1;
}

/* The job being filled for dest in this pass, created on first use. */
struct qmgr_plan {
	struct qmgr_job **jobs;
	size_t n;
};

static void
qmgr_msg_plan_add(struct qmgr *q, struct qmgr_plan *plan,
    struct qmgr_msg *msg, struct qmgr_dest *dest, size_t idx)
{
	struct qmgr_job *job = NULL;
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (plan->jobs[i] != NULL && plan->jobs[i]->dest == dest) {
			job = plan->jobs[i];
			break;
		}
	if (job == NULL) {
		job = xcalloc(1, sizeof(*job));
		job->q = q;
		job->msg = msg;
		job->dest = dest;
		job->fd = -1;
		job->rcpt = xcalloc(dest->recipient_limit, sizeof(size_t));
		buf_init(&job->in);
		plan->jobs = xrealloc(
		    plan->jobs, (plan->n + 1) * sizeof(*plan->jobs));
		plan->jobs[plan->n++] = job;
		i = plan->n - 1;
	}
	job->rcpt[job->nrcpt++] = idx;
	if (job->nrcpt == dest->recipient_limit) {
		plan->jobs[i] = NULL;
		msg->jobs++;
		qmgr_dest_enqueue(q, job);
	}
}

/* Route every unfinished recipient and queue the jobs. */
static void
qmgr_msg_plan(struct qmgr *q, struct qmgr_msg *msg)
{
	const struct queue_env *env = queue_file_env(msg->qf);
	struct qmgr_plan plan = {NULL, 0};
	struct qmgr_route route;
	const char *held;
	struct err err;
	size_t i;

	buf_init(&route.transport);
	buf_init(&route.nexthop);
	for (i = 0; i < env->nrcpt; i++) {
		const struct queue_rcpt *r = &env->rcpts[i];

		if (r->state == QUEUE_RCPT_DONE ||
		    r->state == QUEUE_RCPT_BOUNCED)
			continue;
		if (qmgr_route(q, r->address, &route, &err) < 0) {
			qmgr_msg_record(q, msg, i, QUEUE_RCPT_DEFERRED, "4.3.0",
			    err.text, NULL, true);
			continue;
		}
		if (!msg->flush && (held = qmgr_route_held(q, &route)) != NULL) {
			qmgr_msg_record(q, msg, i, QUEUE_RCPT_DEFERRED, "4.3.2",
			    held, route.transport.data, true);
			continue;
		}
		qmgr_msg_plan_add(q, &plan, msg,
		    qmgr_dest_get(q, &route, r->address), i);
	}
	for (i = 0; i < plan.n; i++)
		if (plan.jobs[i] != NULL) {
			msg->jobs++;
			qmgr_dest_enqueue(q, plan.jobs[i]);
		}
	free(plan.jobs);
	buf_deinit(&route.transport);
	buf_deinit(&route.nexthop);
}

void
qmgr_msg_start(struct qmgr *q, const char *id)
{
	const struct queue_limits lim = QUEUE_LIMITS_DEFAULT;
	const struct queue_env *env;
	struct qmgr_msg *msg;
	char sender[QMGR_LOG_ADDR_MAX * 4 + 1];
	struct err err;
	int rc;

	msg = xcalloc(1, sizeof(*msg));
	memcpy(msg->id, id, strlen(id) + 1);
	msg->fd = -1;
	rc = queue_file_open(q->qd, QUEUE_ACTIVE, id, true, &lim, &msg->qf,
	    &err);
	if (rc > 0)
		rc = qmgr_msg_open_fd(q, msg, &err);
	if (rc <= 0) {
		if (rc < 0)
			qmgr_msg_unreadable(q, id, &err);
		queue_file_close(&msg->qf);
		free(msg);
		return;
	}
	env = queue_file_env(msg->qf);
	msg->active_since = qmgr_now();
	msg->flush = q->flushing;
	msg->success = xcalloc(env->nrcpt, sizeof(bool));
	msg->next = q->msgs[qmgr_hash(id, NULL)];
	q->msgs[qmgr_hash(id, NULL)] = msg;
	q->nmsgs++;
	log_info("%s: from=<%s>, size=%" PRIu64 ", nrcpt=%zu (queue active)",
	    id, qmgr_esc(env->sender, sender, sizeof(sender)),
	    queue_file_content_size(msg->qf), env->nrcpt);
	/* Held by one extra count so an agent that fails at once cannot
	 * end the pass while jobs are still being planned. */
	msg->jobs = 1;
	qmgr_msg_plan(q, msg);
	qmgr_msg_job_done(q, msg);
}

/* Every recipient is finished: notices, then the file goes. */
static void
qmgr_msg_finish(struct qmgr *q, struct qmgr_msg *msg)
{
	struct err err;
	int rc;

	if (qmgr_bounce_failed(q, msg) < 0) {
		/* The notice is owed still: keep the file, try later. */
		qmgr_defer_msg(q, msg);
		return;
	}
	qmgr_bounce_success(q, msg);
	rc = queue_dir_remove(q->qd, QUEUE_ACTIVE, msg->id, &err);
	if (rc < 0)
		log_warning("%s: remove: %s", msg->id, err.text);
	else if (rc > 0)
		log_info("%s: removed", msg->id);
	qmgr_msg_free(q, &msg);
}

void
qmgr_msg_job_done(struct qmgr *q, struct qmgr_msg *msg)
{
	if (msg->jobs == 0)
		PANIC("%s: %s: no job to end", __func__, msg->id);
	if (--msg->jobs > 0)
		return;
	if (queue_file_finished(msg->qf) || qmgr_defer_expire(q, msg)) {
		qmgr_msg_finish(q, msg);
		return;
	}
	if (qmgr_bounce_failed(q, msg) == 0)
		qmgr_bounce_success(q, msg);
	qmgr_defer_warn(q, msg);
	qmgr_defer_msg(q, msg);
}
