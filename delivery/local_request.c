/* SPDX-License-Identifier: MIT */
/*
 * One qmgr connection (ipc/deliver_proto.h): handshake, the request
 * frame, the queue file descriptor, then our reply. qmgr is part of the
 * mail system, but its frame is still decoded defensively (by
 * deliver_request_decode), and a request local cannot take at all is
 * answered with status=error so qmgr defers it, never dropped silently.
 * Per request: scan the message, resolve every recipient, deliver the
 * targets by kind, sum the results up.
 */
#include "local.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/event.h"
#include "core/log.h"
#include "ipc/ipc_sock.h"
#include "server/server.h"

/* Deliver one decoded request whose content is in qfd. */
static void
local_request_run(struct local *lc, const struct deliver_request *req, int qfd,
    struct arena *arena, struct deliver_result *results)
{
	struct local_req r;
	struct timespec ts;
	struct err err;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.lc = lc;
	r.arena = arena;
	r.req = req;
	r.start_ms = event_now_ms();
	clock_gettime(CLOCK_REALTIME, &ts);
	r.start_wall_ms =
	    (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	r.msg.fd = qfd;
	r.msg.offset = req->content_offset;
	r.msg.size = req->content_size;
	r.rcpts = arena_zalloc(arena, req->env.nrcpt * sizeof(*r.rcpts));
	if (local_msg_scan(&r.msg, arena, &err) != 0) {
		for (i = 0; i < req->env.nrcpt; i++)
			local_target_fail(&r, i, req->env.rcpts[i].address,
			    err.dsn[0] == '4' ? err.dsn : "4.3.0",
			    "cannot read the queue file: %s", err.text);
	} else {
		for (i = 0; i < req->env.nrcpt; i++) {
			uint64_t t0 = event_now_ms();

			local_resolve(&r, i);
			r.rcpts[i].resolve_ms = event_now_ms() - t0;
		}
	}
	r.resolved_ms = event_now_ms();
	local_mailbox_deliver(&r);
	local_forward_deliver(&r);
	local_helper_deliver(&r);
	for (i = 0; i < req->env.nrcpt; i++)
		local_target_result(&r, i, &results[i]);
}

/* Read the request and its descriptor; the reply goes into reply. */
static void
local_request_take(
    struct local *lc, int fd, struct arena *arena, struct ipc_msg *reply)
{
	struct deliver_request req;
	struct deliver_result *results;
	struct ipc_reader rd;
	struct err err;
	int qfd = -1;

	ipc_reader_init(&rd);
	if (ipc_sock_recv(
	        fd, &rd, IPC_FRAME_MAX_DEFAULT, lc->timeout_ms, &err) != 0) {
		log_warning("delivery request: %s", err.text);
		goto out;
	}
	if (deliver_request_decode(&rd, &req, arena, &err) != 0) {
		log_warning("bad delivery request: %s", err.text);
		deliver_reply_error_encode(err.text, reply);
		goto out;
	}
	if ((qfd = ipc_sock_recv_fd(fd, lc->timeout_ms, &err)) < 0) {
		log_warning(
		    "%s: queue file descriptor: %s", req.queue_id, err.text);
		deliver_reply_error_encode(err.text, reply);
		goto out;
	}
	log_set_context(req.queue_id);
	results = arena_zalloc(arena, req.env.nrcpt * sizeof(*results) + 1);
	local_request_run(lc, &req, qfd, arena, results);
	deliver_reply_encode(results, req.env.nrcpt, reply);
	log_set_context(NULL);
out:
	if (qfd >= 0)
		close(qfd);
	ipc_reader_deinit(&rd);
}

void
local_request_serve(struct server *srv, int fd)
{
	struct local *lc = server_ctx(srv);
	struct arena *arena;
	struct ipc_msg reply;
	struct err err;

	if (ipc_sock_hello_server(fd, DELIVER_SERVICE, DELIVER_VERSION_MAJOR,
	        lc->timeout_ms, &err) != 0) {
		log_warning("handshake: %s", err.text);
		return;
	}
	arena = arena_new();
	ipc_msg_init(&reply);
	local_request_take(lc, fd, arena, &reply);
	/* An empty message (only the length placeholder) means the
	 * connection broke before a request arrived: nothing to say. */
	if (reply.buf.len > 4 &&
	    ipc_sock_send(fd, &reply, lc->timeout_ms, &err) != 0)
		log_warning("reply to qmgr: %s", err.text);
	ipc_msg_deinit(&reply);
	arena_free(&arena);
}
