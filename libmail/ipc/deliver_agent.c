/* SPDX-License-Identifier: MIT */
/*
 * One qmgr connection as every delivery agent takes it
 * (deliver_agent.h), and local's usage questions. qmgr is part of the
 * mail system, but its frame is still decoded defensively
 * (deliver_request_decode).
 */
#include "ipc/deliver_agent.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "ipc/deliver_usage.h"
#include "ipc/ipc_sock.h"

/* When the request being served was taken (ms since the epoch); one
 * request at a time per process. */
static uint64_t deliver_agent_taken_ms;

static uint64_t
deliver_agent_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Seconds as Postfix shows delays: 0.012, 1.3, 1234. */
static const char *
deliver_agent_secs(uint64_t ms, char *out, size_t size)
{
	double v = (double)ms / 1000;

	snprintf(out, size, v >= 10 ? "%.0f" : v >= 1 ? "%.1f" : "%.2g", v);
	return out;
}

void
deliver_agent_log(const struct deliver_request *req, size_t i,
    const struct deliver_result *res)
{
	const struct queue_env *env = &req->env;
	uint64_t now = deliver_agent_wall_ms();
	uint64_t arrival = env->arrival_sec * 1000 + env->arrival_usec / 1000;
	uint64_t before = deliver_agent_taken_ms > arrival
	    ? deliver_agent_taken_ms - arrival
	    : 0;
	uint64_t in_agent = now - deliver_agent_taken_ms;
	const char *addr = env->rcpts[i].address, *why = res->reason;
	char eaddr[1024], ewhy[2048], d[3][32];

	log_info("to=<%s>, relay=%s, delay=%s, delays=%s/0/0/%s, "
	         "dsn=%s, status=%s (%s)",
	    log_escape(addr, strlen(addr), 254, eaddr, sizeof(eaddr)),
	    res->relay != NULL ? res->relay : "none",
	    deliver_agent_secs(before + in_agent, d[0], sizeof(d[0])),
	    deliver_agent_secs(before, d[1], sizeof(d[1])),
	    deliver_agent_secs(in_agent, d[2], sizeof(d[2])), res->dsn,
	    deliver_status_name(res->status),
	    log_escape(why != NULL ? why : "", why != NULL ? strlen(why) : 0,
	        400, ewhy, sizeof(ewhy)));
}

/* A usage question (deliver_usage.h), answered into reply. */
static void
deliver_agent_usage(struct ipc_reader *rd, deliver_agent_usage_fn usage,
    void *ctx, struct ipc_msg *reply)
{
	const char *address;
	uint64_t used;
	struct err err;

	if (ipc_get_str(rd, "address", true, &address, &err) < 0 ||
	    ipc_reader_done(rd, &err) < 0 ||
	    usage(ctx, address, &used, &err) < 0) {
		log_warning("usage question: %s", err.text);
		deliver_reply_error_encode(err.text, reply);
		return;
	}
	deliver_usage_reply(used, reply);
}

/* Read the request and its descriptor; the reply goes into reply. */
static void
deliver_agent_take(int fd, int timeout_ms, deliver_agent_fn deliver,
    deliver_agent_usage_fn usage, void *ctx, struct arena *arena,
    struct ipc_msg *reply)
{
	struct deliver_request req;
	struct deliver_result *results;
	struct ipc_reader rd;
	const char *verb;
	struct err err;
	int qfd = -1;

	ipc_reader_init(&rd);
	if (ipc_sock_recv(fd, &rd, IPC_FRAME_MAX_DEFAULT, timeout_ms, &err) !=
	    0) {
		log_warning("delivery request: %s", err.text);
		goto out;
	}
	if (usage != NULL && ipc_get_str(&rd, "req", false, &verb, &err) == 1 &&
	    strcmp(verb, DELIVER_USAGE_VERB) == 0) {
		deliver_agent_usage(&rd, usage, ctx, reply);
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
	deliver_agent_taken_ms = deliver_agent_wall_ms();
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
deliver_agent_serve_usage(int fd, int timeout_ms, deliver_agent_fn deliver,
    deliver_agent_usage_fn usage, void *ctx)
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
	deliver_agent_take(fd, timeout_ms, deliver, usage, ctx, arena, &reply);
	/* An empty message (only the length placeholder) means the
	 * connection broke before a request arrived: nothing to say. */
	if (reply.buf.len > 4 &&
	    ipc_sock_send(fd, &reply, timeout_ms, &err) != 0)
		log_warning("reply to qmgr: %s", err.text);
	ipc_msg_deinit(&reply);
	arena_free(&arena);
}

void
deliver_agent_serve(int fd, int timeout_ms, deliver_agent_fn deliver, void *ctx)
{
	deliver_agent_serve_usage(fd, timeout_ms, deliver, NULL, ctx);
}
