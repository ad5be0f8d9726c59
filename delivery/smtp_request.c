/* SPDX-License-Identifier: MIT */
/*
 * One qmgr request, taken by ipc/deliver_agent.h: find the servers for
 * the next hop and try them in order until one takes the transaction;
 * every recipient the servers left without a result is deferred with
 * the last reason. Results are logged in Postfix's shape.
 */
#include "smtp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/event.h"
#include "core/log.h"
#include "ipc/deliver_agent.h"
#include "server/server.h"

/* Longest reason logged (server text, escaped). */
#define SMTP_REQUEST_LOG_MAX 1000

size_t
smtp_request_pending(const struct smtp_job *job)
{
	size_t i, n = 0;

	for (i = 0; i < job->req->env.nrcpt; i++)
		n += !job->final[i];
	return n;
}

static void
smtp_request_vresult(struct smtp_job *job, size_t i, const char *relay,
    const char *dsn, const char *fmt, va_list ap)
{
	struct deliver_result *res = &job->results[i];
	uint64_t ms = event_now_ms() - job->start_ms;
	char esc[SMTP_REQUEST_LOG_MAX * 4 + 1];

	if (job->final[i])
		return;
	job->final[i] = true;
	res->status = dsn[0] == '2' ? DELIVER_SENT
	    : dsn[0] == '5'         ? DELIVER_BOUNCED
	                            : DELIVER_DEFERRED;
	res->dsn = arena_strdup(job->arena, dsn);
	res->relay = arena_strdup(job->arena, relay);
	res->reason = arena_vprintf(job->arena, fmt, ap);
	log_info("to=<%s>, relay=%s, delay=%llu.%llu, dsn=%s, status=%s (%s)",
	    job->req->env.rcpts[i].address, relay,
	    (unsigned long long)(ms / 1000),
	    (unsigned long long)(ms % 1000 / 100), dsn,
	    deliver_status_name(res->status),
	    log_escape(res->reason, strlen(res->reason), SMTP_REQUEST_LOG_MAX,
	        esc, sizeof(esc)));
}

void
smtp_request_result(struct smtp_job *job, size_t i, const char *relay,
    const char *dsn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtp_request_vresult(job, i, relay, dsn, fmt, ap);
	va_end(ap);
}

void
smtp_request_result_all(struct smtp_job *job, const char *relay,
    const char *dsn, const char *fmt, ...)
{
	size_t i;
	va_list ap;

	for (i = 0; i < job->req->env.nrcpt; i++) {
		va_start(ap, fmt);
		smtp_request_vresult(job, i, relay, dsn, fmt, ap);
		va_end(ap);
	}
}

/* The class of err as a status code for every open recipient. */
static const char *
smtp_request_err_dsn(const struct err *err)
{
	if (err->dsn[0] == (err->kind == ERR_PERM ? '5' : '4'))
		return err->dsn;
	return err->kind == ERR_PERM ? "5.0.0" : "4.0.0";
}

static void
smtp_request_deliver(void *ctx, const struct deliver_request *req, int qfd,
    struct arena *arena, struct deliver_result *results)
{
	struct smtp_job job = {
	    .ag = ctx,
	    .req = req,
	    .qfd = qfd,
	    .arena = arena,
	    .results = results,
	    .start_ms = event_now_ms(),
	};
	struct smtp_host *hosts;
	size_t i, n;
	struct err err;
	char esc[SMTP_REQUEST_LOG_MAX * 4 + 1];
	int rc = -1;

	job.final = arena_zalloc(arena, req->env.nrcpt + 1);
	if (smtp_cache_run(&job, &err) == 0)
		return;
	if (smtp_nexthop_hosts(&job, &hosts, &n, &err) != 0) {
		smtp_request_result_all(
		    &job, "none", smtp_request_err_dsn(&err), "%s", err.text);
		return;
	}
	for (i = 0; i < n && rc != 0; i++) {
		if ((rc = smtp_session_run(&job, &hosts[i], &err)) == 0)
			break;
		log_info("%s",
		    log_escape(err.text, strlen(err.text), SMTP_REQUEST_LOG_MAX,
		        esc, sizeof(esc)));
		if (err.kind == ERR_PERM)
			break;
	}
	if (rc != 0)
		smtp_request_result_all(&job,
		    n == 1 && hosts[0].unix_path ? hosts[0].name : "none",
		    smtp_request_err_dsn(&err), "%s", err.text);
}

void
smtp_request_serve(struct server *srv, int fd)
{
	struct smtp_agent *ag = server_ctx(srv);

	deliver_agent_serve(fd, ag->ipc_timeout_ms, smtp_request_deliver, ag);
}
