/* SPDX-License-Identifier: MIT */
/*
 * Message content: DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030). The
 * bytes go through the smuggling-safe decoder (smtp/smtp_data.h), so
 * only CR LF "." CR LF ends a DATA message and BDAT takes exactly the
 * announced octets; what follows in the input is the next command.
 * Failures met while content flows (size, disk, queue_minfree) are
 * remembered and answered at the end: nothing is acknowledged, nothing
 * stays in the queue. Input is raw network data.
 */
#include "smtpd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "core/log.h"

/* Remember the first failure; the end-of-content reply reports it. */
static void
smtpd_data_fail(struct smtpd_session *s, int code, const struct err *err)
{
	if (s->txn.fail_code == 0) {
		s->txn.fail_code = code;
		s->txn.fail = *err;
	}
}

/* Hand decoded content to the queue file unless the message failed. */
static void
smtpd_data_store(struct smtpd_session *s)
{
	struct smtpd_txn *t = &s->txn;
	struct err err;

	if (t->data.oversize && t->fail_code == 0) {
		err_set(&err, ERR_PERM, "5.3.4",
		    "Message size exceeds fixed limit");
		smtpd_data_fail(s, 552, &err);
	}
	if (t->fail_code != 0) {
		buf_reset(&t->pending);
		return;
	}
	if (smtpd_queue_write(s, false, &err) != 0)
		smtpd_data_fail(
		    s, strcmp(err.dsn, "4.3.1") == 0 ? 452 : 451, &err);
}

/* "DATA (1234 bytes)": where a time-out or lost connection happened. */
static void
smtpd_data_where(struct smtpd_session *s, const char *verb)
{
	s->where = arena_printf(
	    s->cmd_arena, "%s (%" PRIu64 " bytes)", verb, s->txn.data.size);
}

/* Wait for more content; false when the session is over. */
static bool
smtpd_data_more(struct smtpd_session *s, const char *verb)
{
	int r = stream_fill(&s->io);

	if (r > 0)
		return true;
	smtpd_data_where(s, verb);
	smtpd_session_lost(s, r == 0 ? 0 : errno);
	smtpd_session_txn_reset(s);
	return false;
}

/* Can content start? -1 with the reply queued when not. */
static int
smtpd_data_ready(struct smtpd_session *s, const char *stage)
{
	struct smtpd_check chk = {.stage = stage};
	struct smtpd_verdict v;

	if (!s->txn.active) {
		smtpd_reply(s, 503, "5.5.1", "Error: need RCPT command");
		return -1;
	}
	if (s->txn.nrcpt == 0) {
		smtpd_reply(s, 554, "5.5.1", "Error: no valid recipients");
		return -1;
	}
	if (smtpd_policy_check(s, SMTPD_LIST_DATA, &chk, &v) != 0) {
		smtpd_reply(s, v.code, v.dsn, "%s", v.text);
		smtpd_log_reject(s, stage, &v, NULL);
		return -1;
	}
	return 0;
}

/* Start the content: decoder, envelope, Received: header. */
static void
smtpd_data_begin(struct smtpd_session *s)
{
	struct smtp_data_opts opts = {
	    .bare_lf = s->sd->bare_lf,
	    .size_max = (uint64_t)s->conf->message_size_limit,
	};
	struct err err;

	smtp_data_init(&s->txn.data, &opts);
	s->txn.content_started = true;
	if (smtpd_queue_start(s, &err) != 0)
		smtpd_data_fail(
		    s, strcmp(err.dsn, "4.3.1") == 0 ? 452 : 451, &err);
}

/* The whole message is in: refuse it, or commit it and say 250. */
static int
smtpd_data_end(struct smtpd_session *s, const char *stage)
{
	struct smtpd_txn *t = &s->txn;
	struct smtpd_verdict v;
	struct err err;
	int code;

	if (t->fail_code == 0 && smtp_data_finish(&t->data, &code, &err) != 0)
		smtpd_data_fail(s, code, &err);
	if (t->fail_code == 0 && smtpd_queue_write(s, true, &err) != 0)
		smtpd_data_fail(
		    s, strcmp(err.dsn, "4.3.1") == 0 ? 452 : 451, &err);
	if (t->fail_code == 0 && smtpd_queue_commit(s, &err) != 0)
		smtpd_data_fail(s, 451, &err);
	if (t->fail_code != 0) {
		v.code = t->fail_code;
		snprintf(v.dsn, sizeof(v.dsn), "%s", t->fail.dsn);
		snprintf(v.text, sizeof(v.text), "%s", t->fail.text);
		smtpd_reply_err(s, t->fail_code, &t->fail);
		smtpd_log_reject(s, stage, &v, NULL);
		smtpd_session_txn_reset(s);
		return -1;
	}
	smtpd_reply(s, 250, "2.0.0", "Ok: queued as %s", t->id);
	smtpd_session_txn_reset(s);
	return 0;
}

int
smtpd_data(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	struct smtpd_txn *t = &s->txn;
	const char *p;
	size_t len, n;

	(void)cmd;
	if (t->bdat) {
		smtpd_reply(s, 503, "5.5.1", "Error: DATA after BDAT");
		return -1;
	}
	if (smtpd_data_ready(s, "DATA") != 0)
		return -1;
	smtpd_data_begin(s);
	smtpd_reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
	/* The client waits for 354 before it sends anything (RFC 2920). */
	if (stream_flush(&s->io) != 0) {
		smtpd_session_lost(s, errno);
		smtpd_session_txn_reset(s);
		return -1;
	}
	while (!t->data.done) {
		p = stream_peek(&s->io, &len);
		if (len == 0) {
			if (!smtpd_data_more(s, "DATA"))
				return -1;
			continue;
		}
		n = smtp_data_feed(&t->data, p, len, &t->pending);
		stream_consume(&s->io, n);
		smtpd_data_store(s);
	}
	return smtpd_data_end(s, "END-OF-MESSAGE");
}

/* Read and drop a chunk nobody will take; false when the session ended. */
static bool
smtpd_data_skip(struct smtpd_session *s, uint64_t size)
{
	size_t len, n;

	while (size > 0) {
		(void)stream_peek(&s->io, &len);
		if (len == 0) {
			if (!smtpd_data_more(s, "BDAT"))
				return false;
			continue;
		}
		n = len < size ? len : (size_t)size;
		stream_consume(&s->io, n);
		size -= n;
	}
	return true;
}

/* The first chunk of a message: -1 (reply queued) if it cannot start. */
static int
smtpd_bdat_first(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	if (smtpd_data_ready(s, "BDAT") != 0) {
		/* RFC 3030 §3: the chunk's octets are read even so. */
		(void)smtpd_data_skip(s, cmd->bdat.size);
		return -1;
	}
	smtpd_data_begin(s);
	s->txn.bdat = true;
	return 0;
}

int
smtpd_bdat(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	struct smtpd_txn *t = &s->txn;
	const char *p;
	size_t len, n;

	if (!t->bdat && smtpd_bdat_first(s, cmd) != 0)
		return -1;
	smtp_data_chunk(&t->data, cmd->bdat.size, cmd->bdat.last);
	while (t->data.chunk_left > 0) {
		p = stream_peek(&s->io, &len);
		if (len == 0) {
			if (!smtpd_data_more(s, "BDAT"))
				return -1;
			continue;
		}
		n = smtp_data_feed_chunk(&t->data, p, len, &t->pending);
		stream_consume(&s->io, n);
		smtpd_data_store(s);
	}
	if (cmd->bdat.last)
		return smtpd_data_end(s, "END-OF-MESSAGE");
	if (t->fail_code != 0) {
		smtpd_reply_err(s, t->fail_code, &t->fail);
		return -1;
	}
	smtpd_reply(
	    s, 250, "2.0.0", "Ok: %" PRIu64 " octets received", cmd->bdat.size);
	return 0;
}
