/* SPDX-License-Identifier: MIT */
/*
 * The agent's side of one delivery request (deliver_proto.h), shared by
 * every delivery agent (local, smtp/lmtp, pipe): the handshake, the
 * request frame, the queue file descriptor, the agent's work, then one
 * reply with a result per recipient. A request the agent cannot take at
 * all is answered with status=error, so qmgr defers it instead of
 * waiting; the agent itself only ever sees a decoded request.
 */
#ifndef IPC_DELIVER_AGENT_H
#define IPC_DELIVER_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "ipc/deliver_proto.h"

/*
 * Deliver req, whose content is in the queue file qfd (positional reads
 * only: qmgr shares the open file), filling results[0 .. env.nrcpt-1].
 * Strings may live in arena, which lasts until the reply is sent.
 */
typedef void (*deliver_agent_fn)(void *ctx, const struct deliver_request *req,
    int qfd, struct arena *arena, struct deliver_result *results);

/*
 * Answer a usage question (ipc/deliver_usage.h) for address: the bytes
 * its mailbox uses, or -1 with err.
 */
typedef int (*deliver_agent_usage_fn)(
    void *ctx, const char *address, uint64_t *used_out, struct err *err);

/*
 * Serve the qmgr connection fd: at most one request, answered with
 * deliver(ctx, ...). The log context is the queue ID while it runs.
 * Problems with the connection itself are logged as warnings.
 */
void deliver_agent_serve(
    int fd, int timeout_ms, deliver_agent_fn deliver, void *ctx);
/* The same for an agent that also answers usage questions (local). */
void deliver_agent_serve_usage(int fd, int timeout_ms, deliver_agent_fn deliver,
    deliver_agent_usage_fn usage, void *ctx);

/*
 * Log the result of recipient i of the request being served, in
 * Postfix's shape: "to=<...>, relay=..., delay=D, delays=a/0/0/d,
 * dsn=..., status=... (reason)", where a is the time before the agent
 * took the request and d the time since. Untrusted text is escaped.
 */
void deliver_agent_log(const struct deliver_request *req, size_t i,
    const struct deliver_result *res);

#endif
