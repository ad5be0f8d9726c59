/* SPDX-License-Identifier: MIT */
/*
 * One mail transaction on a ready session: checks against what the
 * server announced (SIZE, SMTPUTF8, 8BITMIME), MAIL FROM and RCPT TO
 * with the DSN parameters passed on (RFC 3461), DATA, the content
 * (smtp_body.c), and the replies: one for SMTP, one per accepted
 * recipient for LMTP (RFC 2033 section 4.2). With PIPELINING (RFC 2920)
 * MAIL, every RCPT and DATA go out in one write.
 */
#include "smtp.h"

#include <stdio.h>
#include <string.h>

#include "conf/conf.h"

/* The enhanced code of a reply, or the generic one of its class. */
static const char *
smtp_txn_dsn(const struct smtp_reply *r)
{
	static const char *generic[] = {"2.0.0", "4.0.0", "5.0.0"};
	int cls = r->code / 100;

	if (r->dsn[0] - '0' == cls && (cls == 2 || cls == 4 || cls == 5))
		return r->dsn;
	/* A reply of an unexpected class (3xx to MAIL) is a protocol
	 * error, which defers. */
	return generic[cls == 2 ? 0 : cls == 5 ? 2 : 1];
}

/* Result of recipient i from reply r: sent with the reply, else the
 * server's words. */
static void
smtp_txn_result(struct smtp_sess *s, size_t i, const struct smtp_reply *r)
{
	if (r->code / 100 == 2)
		smtp_request_result(s->job, i, s->relay, smtp_txn_dsn(r),
		    "%d%s%s %s", r->code, r->dsn[0] != '\0' ? " " : "", r->dsn,
		    smtp_conn_text(s, r));
	else
		smtp_request_result(s->job, i, s->relay, smtp_txn_dsn(r), "%s",
		    smtp_conn_said(s, r));
}

static bool
smtp_txn_ascii(const char *p)
{
	for (; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return false;
	return true;
}

/* RCPT TO with NOTIFY and ORCPT when the server has DSN. */
static void
smtp_txn_rcpt(struct smtp_sess *s, const struct queue_rcpt *rc)
{
	static const char *names[] = {"NEVER", "SUCCESS", "FAILURE", "DELAY"};
	struct buf line;
	size_t b;
	char sep = '=';

	buf_init(&line);
	buf_printf(&line, "RCPT TO:<%s>", rc->address);
	if ((s->ext & SMTP_EXT_DSN) != 0 && rc->notify != 0) {
		buf_puts(&line, " NOTIFY");
		for (b = 0; b < 4; b++) {
			if ((rc->notify & (1u << b)) != 0) {
				buf_printf(&line, "%c%s", sep, names[b]);
				sep = ',';
			}
		}
	}
	if ((s->ext & SMTP_EXT_DSN) != 0 && rc->orcpt != NULL &&
	    strpbrk(rc->orcpt, " \t\r\n") == NULL)
		buf_printf(&line, " ORCPT=%s", rc->orcpt);
	smtp_conn_cmd(s, "%s", line.data);
	buf_deinit(&line);
}

/* MAIL FROM with the parameters the server supports. */
static void
smtp_txn_mail(struct smtp_sess *s, bool utf8)
{
	const struct deliver_request *req = s->job->req;
	const struct queue_env *env = &req->env;
	struct buf line;

	buf_init(&line);
	buf_printf(&line, "MAIL FROM:<%s>", env->sender);
	if ((s->ext & SMTP_EXT_SIZE) != 0)
		buf_printf(
		    &line, " SIZE=%llu", (unsigned long long)req->content_size);
	if ((s->ext & SMTP_EXT_8BITMIME) != 0 &&
	    env->body == QUEUE_BODY_8BITMIME)
		buf_puts(&line, " BODY=8BITMIME");
	if (utf8)
		buf_puts(&line, " SMTPUTF8");
	if ((s->ext & SMTP_EXT_DSN) != 0 && env->ret != QUEUE_RET_NONE)
		buf_puts(&line,
		    env->ret == QUEUE_RET_FULL ? " RET=FULL" : " RET=HDRS");
	if ((s->ext & SMTP_EXT_DSN) != 0 && env->envid != NULL &&
	    strpbrk(env->envid, " \t\r\n") == NULL)
		buf_printf(&line, " ENVID=%s", env->envid);
	smtp_conn_cmd(s, "%s", line.data);
	buf_deinit(&line);
}

/*
 * What must hold before MAIL: 1 go on, 0 every recipient has a result
 * (bounced), -1 with err. *convert_out: 8-bit content must become
 * quoted-printable.
 */
static int
smtp_txn_check(
    struct smtp_sess *s, bool *utf8_out, bool *convert_out, struct err *err)
{
	struct smtp_job *job = s->job;
	const struct queue_env *env = &job->req->env;
	bool needs_utf8 = !smtp_txn_ascii(env->sender), has8;
	size_t i;

	for (i = 0; i < env->nrcpt; i++)
		needs_utf8 |=
		    !job->final[i] && !smtp_txn_ascii(env->rcpts[i].address);
	if (s->size_max > 0 && job->req->content_size > s->size_max) {
		smtp_request_result_all(job, s->relay, "5.3.4",
		    "message size %llu exceeds size limit %llu of server %s",
		    (unsigned long long)job->req->content_size,
		    (unsigned long long)s->size_max, s->relay);
		return 0;
	}
	*utf8_out = env->smtputf8 && (s->ext & SMTP_EXT_SMTPUTF8) != 0;
	if (env->smtputf8 && needs_utf8 && !*utf8_out) {
		smtp_request_result_all(job, s->relay, "5.6.7",
		    "SMTPUTF8 is required, but was not offered by host %s",
		    s->relay);
		return 0;
	}
	*convert_out = false;
	if ((s->ext & SMTP_EXT_8BITMIME) != 0 ||
	    job->ag->conf->disable_mime_output_conversion)
		return 1;
	if (smtp_body_has8bit(job, &has8, err) != 0)
		return -1;
	*convert_out = has8;
	return 1;
}

/* The replies after the content: one, or one per accepted recipient. */
static int
smtp_txn_done(
    struct smtp_sess *s, const size_t *acc, size_t nacc, struct err *err)
{
	long long t = s->job->ag->conf->smtp_data_done_timeout;
	struct smtp_reply r;
	size_t i;

	s->stage = "end of DATA";
	for (i = 0; i < nacc; i++) {
		if ((i == 0 || s->job->ag->lmtp) &&
		    smtp_conn_reply(s, t, &r, err) != 0)
			return -1;
		smtp_txn_result(s, acc[i], &r);
	}
	return 0;
}

/* Read the replies to MAIL, the RCPTs and DATA; send the content. */
static int
smtp_txn_replies(
    struct smtp_sess *s, bool pipelined, bool convert, struct err *err)
{
	const struct conf *conf = s->job->ag->conf;
	const struct queue_env *env = &s->job->req->env;
	size_t *acc =
	    arena_alloc(s->job->arena, (env->nrcpt + 1) * sizeof(*acc));
	size_t i, nacc = 0;
	struct smtp_reply r;

	s->stage = "MAIL FROM";
	if (smtp_conn_reply(s, conf->smtp_mail_timeout, &r, err) != 0)
		return -1;
	if (r.code / 100 != 2) {
		for (i = 0; i < env->nrcpt; i++)
			smtp_txn_result(s, i, &r);
		/* The pipelined RCPT and DATA replies are moot, and still
		 * unread: the connection cannot be reused. */
		s->broken = pipelined;
		return 0;
	}
	s->stage = "RCPT TO";
	for (i = 0; i < env->nrcpt; i++) {
		if (s->job->final[i])
			continue;
		if (!pipelined)
			smtp_txn_rcpt(s, &env->rcpts[i]);
		if (smtp_conn_reply(s, conf->smtp_rcpt_timeout, &r, err) != 0)
			return -1;
		if (r.code / 100 == 2)
			acc[nacc++] = i;
		else
			smtp_txn_result(s, i, &r);
	}
	if (nacc == 0 && !pipelined)
		return 0;
	s->stage = "DATA";
	if (!pipelined)
		smtp_conn_cmd(s, "DATA");
	if (smtp_conn_reply(s, conf->smtp_data_init_timeout, &r, err) != 0)
		return -1;
	if (r.code / 100 == 2) /* "sent" without the content: never */
		return err_set(
		    err, ERR_TEMP, "4.5.0", "%s", smtp_conn_said(s, &r));
	if (r.code != 354) {
		for (i = 0; i < nacc; i++)
			smtp_txn_result(s, acc[i], &r);
		return 0;
	}
	/* A server that took DATA with no recipient gets an empty body,
	 * and the connection, its last reply unread, is not reused. */
	if (smtp_body_send(s, convert && nacc > 0, nacc == 0, err) != 0)
		return -1;
	s->broken |= nacc == 0;
	return smtp_txn_done(s, acc, nacc, err);
}

int
smtp_txn_run(struct smtp_sess *s, struct err *err)
{
	const struct queue_env *env = &s->job->req->env;
	bool pipelined =
	    (s->ext & SMTP_EXT_PIPELINING) != 0 || s->job->ag->lmtp;
	bool utf8, convert;
	size_t i;
	int rc;

	if ((rc = smtp_txn_check(s, &utf8, &convert, err)) <= 0)
		return rc;
	smtp_txn_mail(s, utf8);
	if (pipelined) {
		for (i = 0; i < env->nrcpt; i++)
			if (!s->job->final[i])
				smtp_txn_rcpt(s, &env->rcpts[i]);
		smtp_conn_cmd(s, "DATA");
	}
	/* On a failure mid-way, recipients still without a result are
	 * tried at the next server. */
	return smtp_txn_replies(s, pipelined, convert, err);
}
