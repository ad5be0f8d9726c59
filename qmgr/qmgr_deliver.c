/* SPDX-License-Identifier: MIT */
/*
 * One conversation with a delivery agent (ipc/deliver_proto.h): connect
 * to private/<transport>, send the hello, the request and the queue
 * file's descriptor at once (the agent reads them in order), then wait
 * in the event loop for the two answers, so qmgr never blocks on a slow
 * delivery. The agent's reply is untrusted and decoded by one checked
 * codec; each result is recorded in the queue file before the job ends.
 * Agents log their own "to=" lines (Postfix's split); qmgr logs the
 * results it decides itself (no agent, a broken agent, a time-out).
 */
#include "qmgr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "ipc/deliver_proto.h"
#include "ipc/ipc_sock.h"
#include "queue/queue_file.h"

/* An agent socket is local: connecting either works at once or not. */
#define QMGR_DELIVER_CONNECT_MS 2000
#define QMGR_DELIVER_SEND_MS 10000
#define QMGR_DELIVER_REPLY_MAX IPC_FRAME_MAX_DEFAULT
#define QMGR_DELIVER_CHUNK 65536

/* Defer every recipient of the job with one reason, then end it. */
static void
qmgr_deliver_fail(struct qmgr *q, struct qmgr_job *job, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
qmgr_deliver_fail(struct qmgr *q, struct qmgr_job *job, const char *dsn,
    const char *fmt, ...)
{
	char reason[600];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	for (i = 0; i < job->nrcpt; i++)
		qmgr_msg_record(q, job->msg, job->rcpt[i], QUEUE_RCPT_DEFERRED,
		    dsn, reason, NULL, true);
	qmgr_dest_job_end(q, job);
}

static void
qmgr_deliver_request(const struct qmgr_job *job, struct ipc_msg *out)
{
	const struct queue_env *env = queue_file_env(job->msg->qf);
	struct deliver_request req = {
	    .queue_id = job->msg->id,
	    .transport = job->dest->transport,
	    .nexthop = job->dest->nexthop,
	    .content_offset = job->msg->content_offset,
	    .content_size = queue_file_content_size(job->msg->qf),
	    .env = *env,
	    .rcpt_index = job->rcpt,
	};
	size_t i;

	req.env.rcpts = xcalloc(job->nrcpt, sizeof(*req.env.rcpts));
	req.env.nrcpt = job->nrcpt;
	for (i = 0; i < job->nrcpt; i++)
		req.env.rcpts[i] = env->rcpts[job->rcpt[i]];
	deliver_request_encode(&req, out);
	free(req.env.rcpts);
}

/*
 * True when no server of the destination answered: every recipient is
 * deferred with relay "none" (what the smtp agent reports when it could
 * not talk to any server; local and pipe always name themselves).
 */
static bool
qmgr_deliver_unreachable(const struct deliver_result *res, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].status != DELIVER_DEFERRED || res[i].relay == NULL ||
		    strcmp(res[i].relay, "none") != 0)
			return false;
	return n > 0;
}

void
qmgr_deliver_suspended(struct qmgr *q, struct qmgr_job *job, const char *reason)
{
	qmgr_deliver_fail(q, job, "4.4.1", "delivery temporarily suspended: %s",
	    reason);
}

static void
qmgr_deliver_apply(struct qmgr *q, struct qmgr_job *job, struct ipc_reader *rd)
{
	static const enum queue_rcpt_state states[] = {
	    [DELIVER_SENT] = QUEUE_RCPT_DONE,
	    [DELIVER_DEFERRED] = QUEUE_RCPT_DEFERRED,
	    [DELIVER_BOUNCED] = QUEUE_RCPT_BOUNCED,
	};
	const struct queue_env *env = queue_file_env(job->msg->qf);
	struct deliver_result *res;
	struct arena *arena = arena_new();
	struct err err;
	size_t i;

	res = xcalloc(job->nrcpt, sizeof(*res));
	if (deliver_reply_decode(rd, job->nrcpt, res, arena, &err) < 0) {
		free(res);
		arena_free(&arena);
		if (err.kind == ERR_TEMP)
			qmgr_deliver_fail(q, job, "4.3.0", "%s", err.text);
		else
			qmgr_deliver_fail(q, job, "4.3.0",
			    "bad answer from the %s delivery agent: %s",
			    job->dest->transport, err.text);
		return;
	}
	for (i = 0; i < job->nrcpt; i++) {
		size_t idx = job->rcpt[i];

		qmgr_msg_record(q, job->msg, idx, states[res[i].status],
		    res[i].dsn, res[i].reason, res[i].relay, false);
		if (res[i].status == DELIVER_SENT &&
		    (env->rcpts[idx].notify & QUEUE_NOTIFY_SUCCESS) != 0)
			job->msg->success[idx] = true;
	}
	if (qmgr_deliver_unreachable(res, job->nrcpt))
		qmgr_dest_suspend(q, job->dest, res[0].reason);
	free(res);
	arena_free(&arena);
	qmgr_dest_job_end(q, job);
}

/*
 * Handle the complete frames in job->in: first the hello answer, then
 * the reply. 1 when the job ended, 0 when more bytes are needed.
 */
static int
qmgr_deliver_frames(struct qmgr *q, struct qmgr_job *job)
{
	struct ipc_reader rd;
	struct err err;
	long long body;

	while ((body = ipc_frame_complete(job->in.data, job->in.len,
	            QMGR_DELIVER_REPLY_MAX, &err)) > 0) {
		ipc_reader_init(&rd);
		if (ipc_reader_decode(&rd, job->in.data + 4, (size_t)body,
		        &err) < 0 ||
		    (!job->hello_done &&
		        ipc_sock_hello_check(&rd, DELIVER_SERVICE, &err) < 0)) {
			ipc_reader_deinit(&rd);
			qmgr_deliver_fail(q, job, "4.3.0",
			    "bad answer from the %s delivery agent: %s",
			    job->dest->transport, err.text);
			return 1;
		}
		if (job->hello_done) {
			qmgr_deliver_apply(q, job, &rd);
			ipc_reader_deinit(&rd);
			return 1;
		}
		ipc_reader_deinit(&rd);
		job->hello_done = true;
		buf_consume(&job->in, 4 + (size_t)body);
	}
	if (body < 0) {
		qmgr_deliver_fail(q, job, "4.3.0",
		    "bad answer from the %s delivery agent: %s",
		    job->dest->transport, err.text);
		return 1;
	}
	return 0;
}

static void
qmgr_deliver_on_read(
    struct event_loop *loop, int fd, unsigned events, void *vjob)
{
	struct qmgr_job *job = vjob;
	struct qmgr *q = job->q;
	ssize_t n;

	(void)loop;
	(void)events;
	for (;;) {
		buf_reserve(&job->in, QMGR_DELIVER_CHUNK);
		n = recv(fd, job->in.data + job->in.len, QMGR_DELIVER_CHUNK,
		    MSG_DONTWAIT);
		if (n > 0) {
			job->in.len += (size_t)n;
			job->in.data[job->in.len] = '\0';
			if (qmgr_deliver_frames(q, job))
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		break;
	}
	/* A crash of the agent mid-delivery: the recipients in flight may
	 * be delivered twice, never lost (DESIGN.md section 5). */
	qmgr_deliver_fail(q, job, "4.3.0",
	    "lost connection with the %s delivery agent%s%s",
	    job->dest->transport, n < 0 ? ": " : "",
	    n < 0 ? strerror(errno) : "");
}

static void
qmgr_deliver_on_timeout(struct event_loop *loop, void *vjob)
{
	struct qmgr_job *job = vjob;

	(void)loop;
	job->timer = 0;
	qmgr_deliver_fail(job->q, job, "4.4.2",
	    "the %s delivery agent did not answer in time",
	    job->dest->transport);
}

/* Hello, request and descriptor, back to back. 0 or -1 with err. */
static int
qmgr_deliver_send(const struct qmgr_job *job, struct err *err)
{
	struct ipc_msg hello, req;
	int rc;

	ipc_msg_init(&hello);
	ipc_msg_init(&req);
	ipc_sock_hello_encode(DELIVER_SERVICE, DELIVER_VERSION_MAJOR,
	    DELIVER_VERSION_MINOR, &hello);
	qmgr_deliver_request(job, &req);
	rc = ipc_sock_send(job->fd, &hello, QMGR_DELIVER_SEND_MS, err);
	if (rc == 0)
		rc = ipc_sock_send(job->fd, &req, QMGR_DELIVER_SEND_MS, err);
	if (rc == 0)
		rc = ipc_sock_send_fd(
		    job->fd, job->msg->fd, QMGR_DELIVER_SEND_MS, err);
	ipc_msg_deinit(&hello);
	ipc_msg_deinit(&req);
	return rc;
}

void
qmgr_deliver_start(struct qmgr *q, struct qmgr_job *job)
{
	struct buf path;
	struct err err;

	buf_init(&path);
	/* Relative: the working directory is the queue, chroot or not. */
	buf_printf(&path, "private/%s", job->dest->transport);
	job->fd = ipc_sock_connect(path.data, QMGR_DELIVER_CONNECT_MS, &err);
	buf_deinit(&path);
	if (job->fd < 0) {
		qmgr_deliver_fail(q, job, "4.3.0",
		    "mail transport unavailable: %s", err.text);
		return;
	}
	if (qmgr_deliver_send(job, &err) < 0) {
		qmgr_deliver_fail(q, job, "4.3.0",
		    "cannot send to the %s delivery agent: %s",
		    job->dest->transport, err.text);
		return;
	}
	if (event_fd_add(q->loop, job->fd, EVENT_READ, qmgr_deliver_on_read,
	        job) < 0) {
		qmgr_deliver_fail(q, job, "4.3.0", "cannot watch the agent");
		return;
	}
	job->watched = true;
	job->timer = event_timer_add(q->loop,
	    (uint64_t)q->conf->qmgr_ipc_timeout * 1000, qmgr_deliver_on_timeout,
	    job);
}
