/* SPDX-License-Identifier: MIT */
/*
 * Connection reuse: after a transaction, the connection stays open for
 * smtp_connection_cache_time_limit, so the next request this process
 * takes for the same next hop skips the connect, greeting, EHLO, TLS
 * handshake and AUTH. One idle connection per process (qmgr spreads a
 * destination's messages over the processes of the transport). A kept
 * connection is checked with RSET before use; a timer closes it when it
 * has idled too long, and smtp_connection_reuse_count_limit bounds how
 * many transactions one connection carries.
 */
#include "smtp.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "server/server.h"

void
smtp_cache_drop(struct smtp_agent *ag)
{
	if (ag->cache_timer != 0)
		event_timer_cancel(server_loop(ag->srv), ag->cache_timer);
	ag->cache_timer = 0;
	smtp_session_free(&ag->cache, true);
	free(ag->cache_nexthop);
	ag->cache_nexthop = NULL;
}

static void
smtp_cache_expire(struct event_loop *loop, void *ctx)
{
	struct smtp_agent *ag = ctx;

	(void)loop;
	ag->cache_timer = 0;
	smtp_cache_drop(ag);
}

void
smtp_cache_put(struct smtp_sess *s)
{
	struct smtp_agent *ag = s->ag;
	long long limit = ag->conf->smtp_connection_cache_time_limit;

	if (++s->txns >=
	        (unsigned)ag->conf->smtp_connection_reuse_count_limit ||
	    limit == 0 || s->broken) {
		smtp_session_free(&s, true);
		return;
	}
	smtp_cache_drop(ag);
	ag->cache = s;
	ag->cache_nexthop = xstrdup(s->job->req->nexthop);
	s->job = NULL; /* the job ends before the connection */
	ag->cache_timer = event_timer_add(server_loop(ag->srv),
	    (uint64_t)limit * 1000, smtp_cache_expire, ag);
}

int
smtp_cache_run(struct smtp_job *job, struct err *err)
{
	struct smtp_agent *ag = job->ag;
	struct smtp_sess *s = ag->cache;
	struct smtp_reply r;
	int rc;

	if (s == NULL || strcmp(ag->cache_nexthop, job->req->nexthop) != 0)
		return err_set(err, ERR_TEMP, "4.4.1", "no cached connection");
	/* Ours now: the timer must not close it under us. */
	event_timer_cancel(server_loop(ag->srv), ag->cache_timer);
	ag->cache_timer = 0;
	ag->cache = NULL;
	s->job = job;
	s->stage = "RSET";
	smtp_conn_cmd(s, "RSET");
	rc = smtp_conn_reply(s, ag->conf->smtp_helo_timeout, &r, err);
	if (rc == 0 && r.code / 100 != 2)
		rc = err_set(
		    err, ERR_TEMP, "4.4.2", "%s", smtp_conn_said(s, &r));
	if (rc == 0)
		rc = smtp_txn_run(s, err);
	if (rc != 0) {
		log_debug("cached connection to %s: %s", s->relay, err->text);
		smtp_session_free(&s, false);
		return -1;
	}
	log_debug("reused the connection to %s (%u transactions)", s->relay,
	    s->txns + 1);
	smtp_cache_put(s);
	return 0;
}
