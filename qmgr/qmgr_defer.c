/* SPDX-License-Identifier: MIT */
/*
 * After a pass that left recipients to retry: the next attempt time,
 * the move to deferred/, the in-memory wake-up, expiry and the one
 * delay notice.
 *
 * Decisions (docs/qmgr.md):
 * - The next attempt time is the deferred file's modification time, as
 *   in Postfix: it survives a qmgr restart, costs no write to the file,
 *   and a scan of deferred/ needs one fstatat() per file to see what is
 *   due. The wait is the message's age, clamped to [minimal_backoff_time,
 *   maximal_backoff_time]: 300 s, 300, 600, 1200, ... doubling up to the
 *   maximum, counted from arrival, so a restart does not reset it.
 * - "Delay notice sent" is the owner-execute bit of the queue file
 *   (the file is otherwise 0600): durable, no rewrite of the file, and
 *   unknown to every other reader.
 */
#include "qmgr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "queue/queue_file.h"

#define QMGR_DEFER_WARNED S_IXUSR

uint64_t
qmgr_defer_backoff(const struct conf *conf, uint64_t arrival, uint64_t now)
{
	uint64_t age = now > arrival ? now - arrival : 0;
	uint64_t lo = (uint64_t)conf->minimal_backoff_time;
	uint64_t hi = (uint64_t)conf->maximal_backoff_time;

	if (hi < lo)
		hi = lo;
	if (age < lo)
		age = lo;
	if (age > hi)
		age = hi;
	return now + age;
}

static void
qmgr_wait_fire(struct event_loop *loop, void *vw)
{
	struct qmgr_wait *w = vw, **pp;
	struct qmgr *q = w->q;

	(void)loop;
	for (pp = &q->waits[qmgr_hash(w->id, NULL)]; *pp != NULL;
	     pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	/* Gone (deleted, held, requeued): nothing to do. Active queue
	 * full: the file is due, so the next deferred/ scan takes it. */
	(void)qmgr_activate(q, w->id, QUEUE_DEFERRED);
	free(w);
}

void
qmgr_wait_add(struct qmgr *q, const char *id, uint64_t due)
{
	uint64_t now = qmgr_now();
	struct qmgr_wait *w = xcalloc(1, sizeof(*w));

	memcpy(w->id, id, strlen(id) + 1);
	w->q = q;
	w->timer = event_timer_add(
	    q->loop, due > now ? (due - now) * 1000 : 0, qmgr_wait_fire, w);
	w->next = q->waits[qmgr_hash(id, NULL)];
	q->waits[qmgr_hash(id, NULL)] = w;
}

void
qmgr_wait_forget(struct qmgr *q, const char *id)
{
	struct qmgr_wait **pp, *w;

	for (pp = &q->waits[qmgr_hash(id, NULL)]; (w = *pp) != NULL;
	     pp = &w->next)
		if (strcmp(w->id, id) == 0) {
			*pp = w->next;
			event_timer_cancel(q->loop, w->timer);
			free(w);
			return;
		}
}

void
qmgr_wait_cancel_all(struct qmgr *q)
{
	size_t i;

	for (i = 0; i < QMGR_HASH_SIZE; i++)
		while (q->waits[i] != NULL) {
			struct qmgr_wait *w = q->waits[i];

			q->waits[i] = w->next;
			event_timer_cancel(q->loop, w->timer);
			free(w);
		}
}

void
qmgr_defer_file(struct qmgr *q, const char *id, uint64_t due)
{
	struct timespec times[2] = {
	    {.tv_sec = (time_t)qmgr_now()}, {.tv_sec = (time_t)due}};
	struct err err;
	int dir_fd, rc;

	if ((dir_fd = queue_dir_fd(q->qd, QUEUE_ACTIVE, &err)) < 0 ||
	    utimensat(dir_fd, id, times, AT_SYMLINK_NOFOLLOW) < 0) {
		/* Gone meanwhile, or the time cannot be set: it is then due
		 * at once, which costs an early retry, nothing worse. */
		if (dir_fd >= 0 && errno == ENOENT)
			return;
	}
	rc = queue_dir_move(q->qd, id, QUEUE_ACTIVE, QUEUE_DEFERRED, true, &err);
	if (rc < 0) {
		/* Still in active/: the next qmgr start picks it up. */
		log_error("%s: move to deferred: %s", id, err.text);
		return;
	}
	if (rc > 0)
		qmgr_wait_add(q, id, due);
}

void
qmgr_defer_msg(struct qmgr *q, struct qmgr_msg *msg)
{
	const struct queue_env *env = queue_file_env(msg->qf);
	uint64_t due = qmgr_defer_backoff(q->conf, env->arrival_sec, qmgr_now());
	char id[QUEUE_ID_SIZE];

	memcpy(id, msg->id, sizeof(id));
	qmgr_msg_free(q, &msg);
	qmgr_defer_file(q, id, due);
}

static uint64_t
qmgr_defer_lifetime(const struct qmgr *q, const struct queue_env *env)
{
	return (uint64_t)(env->sender[0] == '\0'
	        ? q->conf->bounce_queue_lifetime
	        : q->conf->maximal_queue_lifetime);
}

/* RFC 3463: keep the last temporary code; 4.4.7 when there was none. */
static const char *
qmgr_defer_expiry_dsn(const struct queue_rcpt *r)
{
	return r->dsn != NULL && r->dsn[0] == '4' ? r->dsn : "4.4.7";
}

bool
qmgr_defer_expire(struct qmgr *q, struct qmgr_msg *msg)
{
	const struct queue_env *env = queue_file_env(msg->qf);
	uint64_t now = qmgr_now();
	char sender[1300];
	size_t i;

	if (now < env->arrival_sec + qmgr_defer_lifetime(q, env))
		return false;
	for (i = 0; i < env->nrcpt; i++) {
		const struct queue_rcpt *r = &env->rcpts[i];

		if (r->state == QUEUE_RCPT_DONE ||
		    r->state == QUEUE_RCPT_BOUNCED)
			continue;
		qmgr_msg_record(q, msg, i, QUEUE_RCPT_BOUNCED,
		    qmgr_defer_expiry_dsn(r),
		    r->reason != NULL ? r->reason : "delivery time expired",
		    NULL, false);
	}
	log_info("%s: from=<%s>, status=expired, returned to sender", msg->id,
	    qmgr_esc(env->sender, sender, sizeof(sender)));
	/* A record that failed leaves its recipient to the next pass. */
	return queue_file_finished(msg->qf);
}

void
qmgr_defer_warn(struct qmgr *q, struct qmgr_msg *msg)
{
	const struct queue_env *env = queue_file_env(msg->qf);
	uint64_t now = qmgr_now();
	struct stat st;

	if (q->conf->delay_warning_time <= 0 ||
	    now < env->arrival_sec + (uint64_t)q->conf->delay_warning_time)
		return;
	if (fstat(msg->fd, &st) < 0 || (st.st_mode & QMGR_DEFER_WARNED) != 0)
		return;
	if (qmgr_bounce_delay(q, msg,
	        env->arrival_sec + qmgr_defer_lifetime(q, env)) < 0)
		return;
	if (fchmod(msg->fd, (st.st_mode & 07777) | QMGR_DEFER_WARNED) < 0)
		log_warning("%s: cannot record the delay notice: %m", msg->id);
}
