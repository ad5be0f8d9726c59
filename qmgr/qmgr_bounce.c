/* SPDX-License-Identifier: MIT */
/*
 * Notices to the sender (RFC 3464 via msg/dsn.h), written as new queue
 * files in incoming/ with the null sender, so they are delivered, retried
 * and expired like any mail.
 *
 * - Failure: for BOUNCED recipients whose NOTIFY allows it (not given,
 *   or FAILURE). BOUNCED means "failed, notice owed": once the notice is
 *   committed and the message stays queued for other recipients, they
 *   are re-marked DONE, so a crash before that repeats the notice and
 *   nothing loses it.
 * - Success: NOTIFY=SUCCESS recipients delivered in this pass.
 * - Delay: once per message (qmgr_defer.c).
 * No notice for null-sender mail, except that a failed notice of ours
 * (protocol "DSN") goes to double_bounce_notice_recipient, marked
 * "DSN2", whose own failure is only logged: no loops.
 * The original is returned whole for failures unless RET=HDRS or it is
 * larger than bounce_size_limit; delay and success notices carry its
 * header section only.
 */
#include "qmgr.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "msg/dsn.h"
#include "queue/queue_file.h"
#include "queue/queue_writer.h"
#include "smtp/smtp_xtext.h"

#define QMGR_BOUNCE_PROTO "DSN"
#define QMGR_BOUNCE_PROTO2 "DSN2"
#define QMGR_BOUNCE_CHUNK 65536

struct qmgr_notice {
	enum dsn_kind kind;
	const char *to;
	const char *protocol;
	bool full;
	struct dsn_rcpt *rcpts;
	size_t nrcpt;
	uint64_t retry_until;
};

/* Copy the original (headers or all) into the notice; 0 or -1. */
static int
qmgr_bounce_copy(struct qmgr_msg *msg, struct queue_writer *w, bool full,
    bool *nl_out, struct err *err)
{
	uint64_t end = full ? queue_file_content_size(msg->qf)
	                    : queue_file_body_offset(msg->qf);
	uint64_t off = 0;
	char *chunk = xmalloc(QMGR_BOUNCE_CHUNK);
	int rc = 0;

	*nl_out = true;
	while (off < end && rc == 0) {
		size_t want = end - off < QMGR_BOUNCE_CHUNK
		    ? (size_t)(end - off)
		    : QMGR_BOUNCE_CHUNK;
		ssize_t n = queue_file_read(msg->qf, off, chunk, want, err);

		if (n <= 0) {
			rc = -1;
			break;
		}
		rc = queue_writer_write(w, chunk, (size_t)n, err);
		*nl_out = chunk[n - 1] == '\n';
		off += (uint64_t)n;
	}
	free(chunk);
	return rc;
}

static void
qmgr_bounce_report(struct qmgr *q, struct qmgr_msg *msg,
    const struct qmgr_notice *n, const char *newid, struct dsn_report *r,
    struct arena *a)
{
	const struct queue_env *env = queue_file_env(msg->qf);
	uint64_t now = qmgr_now();
	size_t len;

	memset(r, 0, sizeof(*r));
	r->kind = n->kind;
	r->reporting_mta = q->conf->myhostname;
	r->mail_name = q->conf->mail_name;
	r->from = arena_printf(a, "MAILER-DAEMON@%s", q->conf->myhostname);
	r->to = n->to;
	r->message_id = arena_printf(a, "<%s@%s>", newid, q->conf->myhostname);
	r->boundary = arena_printf(a, "%s.%llu/%s", newid,
	    (unsigned long long)now, q->conf->myhostname);
	r->queue_id = msg->id;
	r->envid = env->envid != NULL
	    ? smtp_xtext_decode(env->envid, strlen(env->envid), a, &len)
	    : NULL;
	r->arrival = env->arrival_sec;
	r->now = now;
	r->full_original = n->full;
	r->rcpts = n->rcpts;
	r->nrcpt = n->nrcpt;
}

/* Write and commit one notice; logs it. 0 or -1. */
static int
qmgr_bounce_write(struct qmgr *q, struct qmgr_msg *msg,
    const struct qmgr_notice *n, const char *what)
{
	struct queue_rcpt rcpt = {.address = n->to};
	struct queue_env env = {.sender = "", .protocol = n->protocol,
	    .rcpts = &rcpt, .nrcpt = 1};
	struct queue_writer *w = NULL;
	struct arena *a = arena_new();
	struct dsn_report r;
	struct buf text;
	struct err err;
	bool nl = true;
	int rc = -1;

	buf_init(&text);
	if (queue_writer_open(q->qd, QUEUE_INCOMING, &w, &err) < 0 ||
	    queue_writer_envelope(w, &env, &err) < 0)
		goto out;
	qmgr_bounce_report(q, msg, n, queue_writer_id(w), &r, a);
	dsn_write_head(&r, &text);
	if (queue_writer_write(w, text.data, text.len, &err) < 0 ||
	    qmgr_bounce_copy(msg, w, n->full, &nl, &err) < 0)
		goto out;
	buf_reset(&text);
	dsn_write_tail(&r, nl, &text);
	if (queue_writer_write(w, text.data, text.len, &err) < 0 ||
	    queue_writer_commit(w, NULL, &err) < 0)
		goto out;
	log_info("%s: sender %s notification: %s", msg->id, what,
	    queue_writer_id(w));
	qmgr_scan_incoming_soon(q);
	rc = 0;
out:
	if (rc < 0)
		log_warning("%s: cannot write the %s notification: %s", msg->id,
		    what, err.text);
	queue_writer_free(&w);
	buf_deinit(&text);
	arena_free(&a);
	return rc;
}

/* Who hears about failures of this message; NULL: nobody. */
static const char *
qmgr_bounce_to(struct qmgr *q, const struct queue_env *env, struct arena *a,
    const char **protocol_out)
{
	const char *pm = q->conf->double_bounce_notice_recipient;

	*protocol_out = QMGR_BOUNCE_PROTO;
	if (env->sender[0] != '\0')
		return env->sender;
	if (env->protocol == NULL ||
	    strcmp(env->protocol, QMGR_BOUNCE_PROTO) != 0 || pm[0] == '\0')
		return NULL;
	*protocol_out = QMGR_BOUNCE_PROTO2;
	return strchr(pm, '@') != NULL
	    ? pm
	    : arena_printf(a, "%s@%s", pm, q->conf->myorigin);
}

static void
qmgr_bounce_rcpt(const struct queue_rcpt *r, enum dsn_action action,
    struct dsn_rcpt *out, struct arena *a)
{
	const char *semi = r->orcpt != NULL ? strchr(r->orcpt, ';') : NULL;
	size_t len;

	memset(out, 0, sizeof(*out));
	out->address = r->address;
	/* RFC 3461 section 4.2: ORCPT is "type;xtext"; the DSN wants it
	 * decoded. An undecodable one is left out. */
	if (semi != NULL) {
		char *addr = smtp_xtext_decode(
		    semi + 1, strlen(semi + 1), a, &len);

		if (addr != NULL)
			out->orcpt = arena_printf(a, "%.*s;%s",
			    (int)(semi - r->orcpt), r->orcpt, addr);
	}
	out->action = action;
	out->status = r->dsn;
	out->diagnostic = r->reason;
	out->last_attempt = r->state_time;
}

int
qmgr_bounce_failed(struct qmgr *q, struct qmgr_msg *msg)
{
	const struct queue_env *env = queue_file_env(msg->qf);
	struct qmgr_notice n = {.kind = DSN_KIND_FAILURE};
	struct arena *a = arena_new();
	bool owed = false;
	size_t i;

	n.to = qmgr_bounce_to(q, env, a, &n.protocol);
	n.rcpts = arena_zalloc(a, env->nrcpt * sizeof(*n.rcpts));
	for (i = 0; i < env->nrcpt; i++) {
		const struct queue_rcpt *r = &env->rcpts[i];

		if (r->state != QUEUE_RCPT_BOUNCED)
			continue;
		owed = true;
		if (r->notify == 0 || (r->notify & QUEUE_NOTIFY_FAILURE) != 0)
			qmgr_bounce_rcpt(
			    r, DSN_ACTION_FAILED, &n.rcpts[n.nrcpt++], a);
	}
	n.full = env->ret != QUEUE_RET_HDRS &&
	    queue_file_content_size(msg->qf) <=
	        (uint64_t)q->conf->bounce_size_limit;
	if (owed && n.to != NULL && n.nrcpt > 0 &&
	    qmgr_bounce_write(q, msg, &n, "non-delivery") < 0) {
		arena_free(&a);
		return -1;
	}
	arena_free(&a);
	if (!owed || queue_file_finished(msg->qf))
		return 0;
	/* Staying queued: the notice is no longer owed. */
	for (i = 0; i < env->nrcpt; i++)
		if (env->rcpts[i].state == QUEUE_RCPT_BOUNCED)
			qmgr_msg_record(q, msg, i, QUEUE_RCPT_DONE,
			    env->rcpts[i].dsn, env->rcpts[i].reason, NULL,
			    false);
	return 0;
}

void
qmgr_bounce_success(struct qmgr *q, struct qmgr_msg *msg)
{
	const struct queue_env *env = queue_file_env(msg->qf);
	struct qmgr_notice n = {.kind = DSN_KIND_SUCCESS,
	    .to = env->sender, .protocol = QMGR_BOUNCE_PROTO};
	struct arena *a = arena_new();
	size_t i;

	n.rcpts = arena_zalloc(a, env->nrcpt * sizeof(*n.rcpts));
	for (i = 0; i < env->nrcpt; i++)
		if (msg->success[i]) {
			qmgr_bounce_rcpt(&env->rcpts[i], DSN_ACTION_DELIVERED,
			    &n.rcpts[n.nrcpt++], a);
			msg->success[i] = false;
		}
	/* Best effort: a lost success notice costs no mail. */
	if (n.nrcpt > 0 && env->sender[0] != '\0')
		(void)qmgr_bounce_write(q, msg, &n, "delivery status");
	arena_free(&a);
}

int
qmgr_bounce_delay(struct qmgr *q, struct qmgr_msg *msg, uint64_t until)
{
	const struct queue_env *env = queue_file_env(msg->qf);
	struct qmgr_notice n = {.kind = DSN_KIND_DELAY, .to = env->sender,
	    .protocol = QMGR_BOUNCE_PROTO, .retry_until = until};
	struct arena *a = arena_new();
	size_t i;
	int rc = 0;

	n.rcpts = arena_zalloc(a, env->nrcpt * sizeof(*n.rcpts));
	for (i = 0; i < env->nrcpt; i++) {
		const struct queue_rcpt *r = &env->rcpts[i];

		if (r->state != QUEUE_RCPT_DEFERRED &&
		    r->state != QUEUE_RCPT_PENDING)
			continue;
		if (r->notify != 0 && (r->notify & QUEUE_NOTIFY_DELAY) == 0)
			continue;
		qmgr_bounce_rcpt(r, DSN_ACTION_DELAYED, &n.rcpts[n.nrcpt], a);
		n.rcpts[n.nrcpt++].retry_until = until;
	}
	if (n.nrcpt > 0 && env->sender[0] != '\0')
		rc = qmgr_bounce_write(q, msg, &n, "delay");
	arena_free(&a);
	return rc;
}
