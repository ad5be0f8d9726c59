/* SPDX-License-Identifier: MIT */
/*
 * One qmgr connection as every delivery agent takes it
 * (deliver_agent.h). qmgr is part of the mail system, but its frame is
 * still decoded defensively (deliver_request_decode).
 */
#include "ipc/deliver_agent.h"

#include <unistd.h>

#include "core/log.h"
#include "ipc/ipc_sock.h"

/* Read the request and its descriptor; the reply goes into reply. */
static void
deliver_agent_take(int fd, int timeout_ms, deliver_agent_fn deliver,
    void *ctx, struct arena *arena, struct ipc_msg *reply)
{
	struct deliver_request req;
	struct deliver_result *results;
	struct ipc_reader rd;
	struct err err;
	int qfd = -1;

	ipc_reader_init(&rd);
	if (ipc_sock_recv(fd, &rd, IPC_FRAME_MAX_DEFAULT, timeout_ms, &err) !=
	    0) {
		log_warning("delivery request: %s", err.text);
		goto out;
	}
	if (deliver_request_decode(&rd, &req, arena, &err) != 0) {
		log_warning("bad delivery request: %s", err.text);
		deliver_reply_error_encode(err.text, reply);
		goto out;
	}
	if ((qfd = ipc_sock_recv_fd(fd, timeout_ms, &err)) < 0) {
		log_warning(
		    "%s: queue file descriptor: %s", req.queue_id, err.text);
		deliver_reply_error_encode(err.text, reply);
		goto out;
	}
	log_set_context(req.queue_id);
	results = arena_zalloc(arena, req.env.nrcpt * sizeof(*results) + 1);
	deliver(ctx, &req, qfd, arena, results);
	deliver_reply_encode(results, req.env.nrcpt, reply);
	log_set_context(NULL);
out:
	if (qfd >= 0)
		close(qfd);
	ipc_reader_deinit(&rd);
}

void
deliver_agent_serve(int fd, int timeout_ms, deliver_agent_fn deliver, void *ctx)
{
	struct arena *arena;
	struct ipc_msg reply;
	struct err err;

	if (ipc_sock_hello_server(fd, DELIVER_SERVICE, DELIVER_VERSION_MAJOR,
	        timeout_ms, &err) != 0) {
		log_warning("handshake: %s", err.text);
		return;
	}
	arena = arena_new();
	ipc_msg_init(&reply);
	deliver_agent_take(fd, timeout_ms, deliver, ctx, arena, &reply);
	/* An empty message (only the length placeholder) means the
	 * connection broke before a request arrived: nothing to say. */
	if (reply.buf.len > 4 &&
	    ipc_sock_send(fd, &reply, timeout_ms, &err) != 0)
		log_warning("reply to qmgr: %s", err.text);
	ipc_msg_deinit(&reply);
	arena_free(&arena);
}
