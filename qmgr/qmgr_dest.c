/* SPDX-License-Identifier: MIT */
/*
 * Destinations and their concurrency. A destination is a transport and
 * a next hop (for the local transport: one recipient, as Postfix does,
 * so one slow mailbox cannot hold up the others). Each has a queue of
 * jobs and starts at most <transport>_destination_concurrency_limit of
 * them at once (default_destination_concurrency_limit when the
 * transport has no parameter of its own); a request carries at most
 * <transport>_destination_recipient_limit recipients. Idle destinations
 * are freed, so memory follows the work in progress. A destination none
 * of whose servers answered is suspended for minimal_backoff_time (as
 * Postfix marks a site dead): its mail is deferred without a connection
 * attempt per message.
 */
#include "qmgr.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_value.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"

/* A per-transport override of a default limit, as Postfix reads them. */
static unsigned
qmgr_dest_limit(const struct conf *conf, const char *transport,
    const char *suffix, long long def)
{
	struct buf name, value;
	struct err err;
	long long v = def;

	buf_init(&name);
	buf_init(&value);
	buf_printf(&name, "%s_destination_%s_limit", transport, suffix);
	if (conf_value(conf, name.data, &value, &err) == 1 &&
	    value.len > 0 && conf_value_int(value.data, &v, &err) == 0 &&
	    v >= 1 && v <= 100000)
		def = v;
	buf_deinit(&name);
	buf_deinit(&value);
	return (unsigned)def;
}

struct qmgr_dest *
qmgr_dest_get(struct qmgr *q, const struct qmgr_route *r, const char *address)
{
	const char *hop = r->local ? address : r->nexthop.data;
	size_t tlen = r->transport.len, hlen = strlen(hop);
	size_t b = qmgr_hash(r->transport.data, hop);
	struct qmgr_dest *d;

	for (d = q->dests[b]; d != NULL; d = d->next)
		if (strcmp(d->key, r->transport.data) == 0 &&
		    strcmp(d->key + tlen + 1, hop) == 0)
			return d;
	d = xcalloc(1, sizeof(*d));
	d->key = xmalloc(tlen + hlen + 2);
	memcpy(d->key, r->transport.data, tlen + 1);
	memcpy(d->key + tlen + 1, hop, hlen + 1);
	d->q = q;
	d->transport = xstrdup(r->transport.data);
	d->nexthop = xstrdup(r->nexthop.data);
	d->limit = qmgr_dest_limit(q->conf, d->transport, "concurrency",
	    q->conf->default_destination_concurrency_limit);
	d->recipient_limit = qmgr_dest_limit(q->conf, d->transport,
	    "recipient", q->conf->default_destination_recipient_limit);
	d->next = q->dests[b];
	q->dests[b] = d;
	return d;
}

static void
qmgr_dest_free(struct qmgr *q, struct qmgr_dest *d)
{
	struct qmgr_dest **pp;

	for (pp = &q->dests[qmgr_hash(d->key, d->key + strlen(d->key) + 1)];
	     *pp != NULL; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	if (d->dead_timer != 0)
		event_timer_cancel(q->loop, d->dead_timer);
	free(d->dead_reason);
	free(d->key);
	free(d->transport);
	free(d->nexthop);
	free(d);
}

static void
qmgr_dest_dispatch(struct qmgr *q, struct qmgr_dest *d)
{
	if (d->dispatching)
		return;
	/* A job may end at once (no agent): its end must not recurse here. */
	d->dispatching = true;
	while (d->head != NULL && d->running < d->limit) {
		struct qmgr_job *job = d->head;

		d->head = job->next;
		if (d->head == NULL)
			d->tail = NULL;
		job->next = d->busy;
		d->busy = job;
		d->running++;
		if (d->dead_timer != 0)
			qmgr_deliver_suspended(q, job, d->dead_reason);
		else
			qmgr_deliver_start(q, job);
	}
	d->dispatching = false;
	if (d->running == 0 && d->head == NULL && d->dead_timer == 0)
		qmgr_dest_free(q, d);
}

static void
qmgr_dest_revive(struct qmgr *q, struct qmgr_dest *d)
{
	d->dead_timer = 0;
	free(d->dead_reason);
	d->dead_reason = NULL;
	if (!d->dispatching)
		qmgr_dest_dispatch(q, d);
}

static void
qmgr_dest_on_revive(struct event_loop *loop, void *vd)
{
	struct qmgr_dest *d = vd;
	struct qmgr *q = d->q;

	(void)loop;
	d->dead_timer = 0;
	qmgr_dest_revive(q, d);
}

void
qmgr_dest_suspend(struct qmgr *q, struct qmgr_dest *d, const char *reason)
{
	if (d->dead_timer != 0)
		return;
	d->dead_reason = xstrdup(reason);
	d->dead_timer = event_timer_add(q->loop,
	    (uint64_t)q->conf->minimal_backoff_time * 1000, qmgr_dest_on_revive,
	    d);
	log_info("%s:%s: delivery temporarily suspended: %s", d->transport,
	    d->nexthop, reason);
}

void
qmgr_dest_resume_all(struct qmgr *q)
{
	struct qmgr_dest *d, *next;
	size_t i;

	for (i = 0; i < QMGR_HASH_SIZE; i++)
		for (d = q->dests[i]; d != NULL; d = next) {
			next = d->next;
			if (d->dead_timer != 0) {
				event_timer_cancel(q->loop, d->dead_timer);
				qmgr_dest_revive(q, d);
			}
		}
}

void
qmgr_dest_enqueue(struct qmgr *q, struct qmgr_job *job)
{
	struct qmgr_dest *d = job->dest;

	job->next = NULL;
	if (d->tail != NULL)
		d->tail->next = job;
	else
		d->head = job;
	d->tail = job;
	qmgr_dest_dispatch(q, d);
}

static void
qmgr_dest_job_free(struct qmgr *q, struct qmgr_job *job)
{
	if (job->timer != 0)
		event_timer_cancel(q->loop, job->timer);
	if (job->watched)
		event_fd_remove(q->loop, job->fd);
	if (job->fd >= 0)
		close(job->fd);
	buf_deinit(&job->in);
	free(job->rcpt);
	free(job);
}

void
qmgr_dest_job_end(struct qmgr *q, struct qmgr_job *job)
{
	struct qmgr_dest *d = job->dest;
	struct qmgr_msg *msg = job->msg;
	struct qmgr_job **pp;

	for (pp = &d->busy; *pp != NULL; pp = &(*pp)->next)
		if (*pp == job) {
			*pp = job->next;
			break;
		}
	d->running--;
	qmgr_dest_job_free(q, job);
	qmgr_msg_job_done(q, msg);
	if (!d->dispatching)
		qmgr_dest_dispatch(q, d);
}

/* Free a destination's jobs, waiting and running, then itself. */
static void
qmgr_dest_drop(struct qmgr *q, struct qmgr_dest *d)
{
	while (d->head != NULL) {
		struct qmgr_job *job = d->head;

		d->head = job->next;
		qmgr_dest_job_free(q, job);
	}
	while (d->busy != NULL) {
		struct qmgr_job *job = d->busy;

		d->busy = job->next;
		qmgr_dest_job_free(q, job);
	}
	qmgr_dest_free(q, d);
}

void
qmgr_dest_free_all(struct qmgr *q)
{
	size_t i;

	for (i = 0; i < QMGR_HASH_SIZE; i++)
		while (q->dests[i] != NULL)
			qmgr_dest_drop(q, q->dests[i]);
}
