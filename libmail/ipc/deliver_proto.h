/* SPDX-License-Identifier: MIT */
/*
 * The delivery request between qmgr and a delivery agent (local, smtp,
 * lmtp, pipe), over the agent's UNIX socket private/<transport> after the
 * handshake (service "deliver", version 1.0). qmgr passes the open queue
 * file with the request (SCM_RIGHTS through ipc_sock_send_fd), so an
 * agent needs no access to the queue directory and no re-parsing of the
 * envelope: everything it needs is in the request.
 *
 * The agent answers with one result per recipient. qmgr alone records
 * results in the queue file, so a crash between delivery and that record
 * gives a duplicate for the recipients in flight, never a loss.
 */
#ifndef IPC_DELIVER_PROTO_H
#define IPC_DELIVER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "ipc/ipc_msg.h"
#include "queue/queue_env.h"

#define DELIVER_SERVICE		"deliver"
#define DELIVER_VERSION_MAJOR	1
#define DELIVER_VERSION_MINOR	0

struct deliver_request {
	const char *queue_id;
	const char *transport;	/* "local", "smtp" ... */
	const char *nexthop;	/* domain or [host]:port; "" for local */
	uint64_t content_offset;	/* message content in the passed file */
	uint64_t content_size;
	/* Envelope fields as queued; rcpts[i].state is unused here. */
	struct queue_env env;
	/* Index of each rcpts[i] in the queue file's recipient list. */
	size_t *rcpt_index;
};

enum deliver_status {
	DELIVER_SENT,		/* 2xx: delivered, record done */
	DELIVER_DEFERRED,	/* 4xx: try again later */
	DELIVER_BOUNCED,	/* 5xx: failed for good, a notice is owed */
};

struct deliver_result {
	enum deliver_status status;
	const char *dsn;	/* enhanced status code, "2.0.0" */
	const char *relay;	/* "local", "mx.example.com[192.0.2.1]:25" */
	const char *reason;	/* diagnostic for the log and the DSN */
};

/*
 * On the wire, after the handshake: qmgr sends the request frame, then
 * the queue file descriptor (ipc_sock_send_fd); the agent answers one
 * reply frame and the connection ends. One request per connection.
 *
 * Encode a request / a reply (one result per request recipient, in the
 * request's order) into out (initialised by the caller; finished here).
 * deliver_reply_error_encode answers a request the agent could not take
 * at all (malformed, no descriptor): qmgr defers all its recipients.
 */
void deliver_request_encode(const struct deliver_request *req,
    struct ipc_msg *out);
void deliver_reply_encode(const struct deliver_result *results, size_t n,
    struct ipc_msg *out);
void deliver_reply_error_encode(const char *reason, struct ipc_msg *out);
/*
 * Decode from a reader holding one frame; strings live in arena. 0, or
 * -1 with err (ERR_PERM: malformed; the agent answers status=error).
 * deliver_reply_decode also returns -1, with ERR_TEMP and the agent's
 * reason, for a status=error reply, and ERR_PERM when the reply does not
 * hold exactly nrcpt well-formed results (a status word, and an enhanced
 * status code whose class matches it: 2 sent, 4 deferred, 5 bounced).
 */
int deliver_request_decode(struct ipc_reader *rd, struct deliver_request *out,
    struct arena *arena, struct err *err);
int deliver_reply_decode(struct ipc_reader *rd, size_t nrcpt,
    struct deliver_result *results_out, struct arena *arena,
    struct err *err);
const char *deliver_status_name(enum deliver_status status);

#endif
