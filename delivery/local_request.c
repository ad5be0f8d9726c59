/* SPDX-License-Identifier: MIT */
/*
 * One qmgr connection, taken by ipc/deliver_agent.h. Per request: scan
 * the message, resolve every recipient, deliver the targets by kind,
 * sum the results up.
 */
#include "local.h"

#include <string.h>
#include <time.h>

#include "core/event.h"
#include "ipc/deliver_agent.h"
#include "server/server.h"

/* Deliver one decoded request whose content is in qfd. */
static void
local_request_run(void *ctx, const struct deliver_request *req, int qfd,
    struct arena *arena, struct deliver_result *results)
{
	struct local *lc = ctx;
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
	local_sieve_apply(&r);
	local_mailbox_deliver(&r);
	local_forward_deliver(&r);
	local_helper_deliver(&r);
	for (i = 0; i < req->env.nrcpt; i++)
		local_target_result(&r, i, &results[i]);
}

void
local_request_serve(struct server *srv, int fd)
{
	struct local *lc = server_ctx(srv);

	deliver_agent_serve_usage(
	    fd, lc->timeout_ms, local_request_run, local_quota_answer, lc);
}
