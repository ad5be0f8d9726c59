/* SPDX-License-Identifier: MIT */
/*
 * Remote addresses reached through aliases, virtual aliases or a
 * user's forwards are sent on as new mail with the original sender,
 * the way sendmail(1) submits: a queue file written into maildrop/
 * (local runs as mail_store_owner, a member of the postdrop group) and
 * committed -- fsync of file and directory -- before the recipient
 * counts as delivered, then a wake-up for pickup. Were local to crash
 * after the commit but before its reply, qmgr retries the recipient and
 * the forward goes out twice: a duplicate, never a loss. The new
 * message carries one more Delivered-To: field, naming the local
 * address that forwarded it, so a copy that comes back is caught as a
 * loop (local_resolve.c). One new message per recipient and forwarding
 * address; the DSN settings (NOTIFY, ORCPT, RET, ENVID) travel along.
 */
#include "local.h"

#include <string.h>

#include "core/log.h"
#include "ipc/ipc_trigger.h"
#include "queue/queue_dir.h"
#include "queue/queue_writer.h"

/* pickup's socket, relative to queue_directory (our working dir). */
#define LOCAL_FORWARD_PICKUP "public/pickup"

static int
local_forward_sink(void *ctx, const char *data, size_t len, struct err *err)
{
	return queue_writer_write(ctx, data, len, err);
}

/* The targets of one new message: same recipient, same via. */
static size_t
local_forward_collect(struct local_req *r, size_t first,
    struct local_target **group, struct queue_rcpt *rcpts)
{
	const struct queue_rcpt *orig;
	struct local_target *t, *lead = &r->targets[first];
	size_t i, n = 0;

	for (i = first; i < r->ntargets; i++) {
		t = &r->targets[i];
		if (t->kind != LOCAL_TARGET_FORWARD || t->resolved_done ||
		    t->rcpt != lead->rcpt || strcmp(t->via, lead->via) != 0)
			continue;
		orig = &r->req->env.rcpts[t->rcpt];
		memset(&rcpts[n], 0, sizeof(rcpts[n]));
		rcpts[n].address = t->address;
		rcpts[n].orcpt = orig->orcpt;
		rcpts[n].notify = orig->notify;
		group[n++] = t;
	}
	return n;
}

/* Write and commit one message; its id into id_out. 0 or -1. */
static int
local_forward_write(struct local_req *r, struct queue_dir *qd, const char *via,
    struct queue_rcpt *rcpts, size_t n, struct buf *id_out, struct err *err)
{
	struct queue_env env = r->req->env;
	struct queue_writer *w = NULL;
	struct buf hdr;
	int rc = -1;

	env.arrival_sec = 0;
	env.arrival_usec = 0;
	env.client_name = env.client_addr = env.helo = NULL;
	env.sasl_user = NULL;
	env.protocol = "LOCAL";
	env.rcpts = rcpts;
	env.nrcpt = n;
	buf_init(&hdr);
	buf_printf(
	    &hdr, "Delivered-To: %s%s", via, r->msg.crlf ? "\r\n" : "\n");
	if (queue_writer_open(qd, QUEUE_MAILDROP, &w, err) == 0 &&
	    queue_writer_envelope(w, &env, err) == 0 &&
	    queue_writer_write(w, hdr.data, hdr.len, err) == 0 &&
	    local_msg_copy(&r->msg, false, local_forward_sink, w, err) == 0 &&
	    queue_writer_commit(w, NULL, err) == 0) {
		buf_set(id_out, queue_writer_id(w));
		rc = 0;
	}
	queue_writer_free(&w);
	buf_deinit(&hdr);
	return rc;
}

void
local_forward_deliver(struct local_req *r)
{
	struct local_target **group;
	struct queue_rcpt *rcpts;
	struct queue_dir *qd = NULL;
	struct buf id;
	struct err err;
	size_t i, j, n;
	bool wrote = false;

	group = arena_alloc(r->arena, (r->ntargets + 1) * sizeof(*group));
	rcpts = arena_alloc(r->arena, (r->ntargets + 1) * sizeof(*rcpts));
	buf_init(&id);
	for (i = 0; i < r->ntargets; i++) {
		if (r->targets[i].kind != LOCAL_TARGET_FORWARD ||
		    r->targets[i].resolved_done)
			continue;
		n = local_forward_collect(r, i, group, rcpts);
		if ((qd == NULL &&
		        (qd = local_setup_queue(r->lc, &err)) == NULL) ||
		    local_forward_write(
		        r, qd, group[0]->via, rcpts, n, &id, &err) != 0) {
			for (j = 0; j < n; j++)
				local_target_err(r, group[j], &err);
			continue;
		}
		wrote = true;
		for (j = 0; j < n; j++)
			local_target_done(
			    r, group[j], "2.0.0", "forwarded as %s", id.data);
	}
	buf_deinit(&id);
	/* A lost wake-up only delays: pickup also scans on its timer. */
	if (wrote && ipc_trigger_send(LOCAL_FORWARD_PICKUP, "W", 1, &err) != 0)
		log_warning("cannot wake pickup: %s", err.text);
}
