/* SPDX-License-Identifier: MIT */
/*
 * The queue file of one transaction (queue/queue_writer.h): created at
 * the first accepted recipient so its id is known early, the envelope
 * and Received: header written when content starts, content streamed
 * as it is decoded, and the group commit before any 250 (DESIGN.md
 * section 5, invariant 1). Then qmgr is woken. Also the free-space
 * checks of queue_minfree.
 */
#include "smtpd.h"

#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "conf/conf.h"
#include "core/log.h"
#include "ipc/ipc_trigger.h"
#include "queue/queue_writer.h"
#include "smtp/smtp_xtext.h"

/* Hand content to the writer in pieces of at least this size. */
#define SMTPD_QUEUE_CHUNK (64 * 1024)
/* Look at the free space again after this much content. */
#define SMTPD_QUEUE_SPACE_EVERY (1024 * 1024)

int
smtpd_queue_open(struct smtpd_session *s, struct err *err)
{
	struct smtpd_txn *t = &s->txn;

	if (queue_writer_open(s->sd->qd, QUEUE_INCOMING, &t->writer, err) != 0)
		return -1;
	snprintf(t->id, sizeof(t->id), "%s", queue_writer_id(t->writer));
	return 0;
}

static enum queue_body
smtpd_queue_body(enum smtp_cmd_body body)
{
	switch (body) {
	case SMTP_CMD_BODY_7BIT:
		return QUEUE_BODY_7BIT;
	case SMTP_CMD_BODY_8BITMIME:
		return QUEUE_BODY_8BITMIME;
	case SMTP_CMD_BODY_BINARYMIME:
		return QUEUE_BODY_BINARYMIME;
	case SMTP_CMD_BODY_NONE:
		break;
	}
	return QUEUE_BODY_NONE;
}

static enum queue_ret
smtpd_queue_ret(enum smtp_cmd_ret ret)
{
	switch (ret) {
	case SMTP_CMD_RET_FULL:
		return QUEUE_RET_FULL;
	case SMTP_CMD_RET_HDRS:
		return QUEUE_RET_HDRS;
	case SMTP_CMD_RET_NONE:
		break;
	}
	return QUEUE_RET_NONE;
}

int
smtpd_queue_start(struct smtpd_session *s, struct err *err)
{
	struct smtpd_txn *t = &s->txn;
	struct queue_env env = {0};
	struct buf envid;
	int rc;

	buf_init(&envid);
	env.sender = t->sender;
	if (t->mail.envid != NULL) {
		/* The queue keeps ENVID as received: xtext (RFC 3461 §4.4). */
		smtp_xtext_encode(&envid, t->mail.envid, strlen(t->mail.envid));
		env.envid = envid.data;
	}
	env.ret = smtpd_queue_ret(t->mail.ret);
	env.body = smtpd_queue_body(t->mail.body);
	env.smtputf8 = t->mail.smtputf8;
	env.client_name = s->name;
	env.client_addr = s->addr;
	env.helo = s->helo;
	env.protocol = smtpd_session_protocol(s);
	env.sasl_user = s->sasl_user;
	env.rcpts = t->rcpts;
	env.nrcpt = t->nrcpt;
	rc = queue_writer_envelope(t->writer, &env, err);
	buf_deinit(&envid);
	if (rc != 0)
		return -1;
	buf_reset(&t->pending);
	smtpd_received(s, &t->pending);
	return 0;
}

/* Mid-message: is the file system still above queue_minfree? */
static int
smtpd_queue_minfree(struct smtpd_session *s, struct err *err)
{
	uint64_t minfree = (uint64_t)s->conf->queue_minfree;
	struct statvfs sv;

	if (minfree == 0 || statvfs(".", &sv) != 0)
		return 0;
	if ((uint64_t)sv.f_bavail * sv.f_frsize < minfree)
		return err_set(
		    err, ERR_TEMP, "4.3.1", "Insufficient system storage");
	return 0;
}

int
smtpd_queue_write(struct smtpd_session *s, bool force, struct err *err)
{
	struct smtpd_txn *t = &s->txn;

	if (t->pending.len == 0 ||
	    (!force && t->pending.len < SMTPD_QUEUE_CHUNK))
		return 0;
	if (queue_writer_write(
	        t->writer, t->pending.data, t->pending.len, err) != 0)
		return -1;
	t->since_space_check += t->pending.len;
	buf_reset(&t->pending);
	if (t->since_space_check >= SMTPD_QUEUE_SPACE_EVERY || force) {
		t->since_space_check = 0;
		return smtpd_queue_minfree(s, err);
	}
	return 0;
}

int
smtpd_queue_commit(struct smtpd_session *s, struct err *err)
{
	struct err terr;

	if (queue_writer_commit(s->txn.writer, s->sd->commit, err) != 0) {
		log_warning("%s: commit: %s", s->txn.id, err->text);
		return -1;
	}
	/* A lost wake-up only delays: qmgr also scans on its timer. */
	if (ipc_trigger_send(SMTPD_QMGR_TRIGGER_PATH, SMTPD_QMGR_TRIGGER_BYTE,
	        1, &terr) != 0)
		log_debug("trigger qmgr: %s", terr.text);
	return 0;
}

int
smtpd_queue_space(struct smtpd_session *s, uint64_t size, struct err *err)
{
	uint64_t minfree = (uint64_t)s->conf->queue_minfree;
	uint64_t limit = (uint64_t)s->conf->message_size_limit;
	uint64_t avail;
	struct statvfs sv;

	if (statvfs(".", &sv) != 0) {
		log_warning("statvfs of the queue directory failed");
		return 0;
	}
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	/* As Postfix: room for one and a half messages of the largest size. */
	if (limit > 0 && minfree < limit + limit / 2)
		minfree = limit + limit / 2;
	if (avail < minfree || size > avail - minfree)
		return err_set(
		    err, ERR_TEMP, "4.3.1", "Insufficient system storage");
	return 0;
}
