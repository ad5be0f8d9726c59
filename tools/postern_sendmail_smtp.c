/* SPDX-License-Identifier: MIT */
/*
 * sendmail -bs: an SMTP conversation on standard input and output, for
 * programs that submit that way (some MUAs, Exim-style wrappers). It is
 * not smtpd: no network client is involved, the peer is the local user
 * who could run sendmail directly, so there are no restrictions, no
 * TLS and no AUTH. Commands are parsed by smtpd's own parser
 * (smtp/smtp_cmd.h); each accepted message goes through postdrop like
 * any sendmail submission, and 250 is said only after postdrop
 * committed it.
 */
#include "postern_sendmail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "postern.h"
#include "smtp/smtp_cmd.h"
#include "smtp/smtp_xtext.h"

struct postern_smtp {
	const struct conf *conf;
	struct postern_sendmail_msg m;
	bool in_txn;
};

static void
postern_smtp_reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
postern_smtp_reply(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputs("\r\n", stdout);
	fflush(stdout);
}

static void
postern_smtp_reset(struct postern_smtp *s)
{
	postern_sendmail_msg_deinit(&s->m);
	postern_sendmail_msg_init(&s->m, s->conf);
	s->in_txn = false;
}

/* DATA: read to the lone ".", undo dot-stuffing (RFC 5321 4.5.2). */
static int
postern_smtp_data(struct postern_smtp *s)
{
	long long limit = s->conf->message_size_limit;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool ended = false, big = false;

	postern_smtp_reply("354 End data with <CR><LF>.<CR><LF>");
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (strcmp(line, ".\r\n") == 0 || strcmp(line, ".\n") == 0) {
			ended = true;
			break;
		}
		if (!big)
			buf_append(&s->m.content, line[0] == '.' ? line + 1 : line,
			    (size_t)n - (line[0] == '.'));
		big |= limit > 0 && s->m.content.len > (size_t)limit;
	}
	free(line);
	if (!ended)
		return -1;
	if (big)
		postern_smtp_reply("552 5.3.4 Message size exceeds fixed limit");
	else if (postern_sendmail_postdrop(s->conf, &s->m) == 0)
		postern_smtp_reply("250 2.0.0 Ok: queued");
	else
		postern_smtp_reply("451 4.3.0 Error: queue file write error");
	postern_smtp_reset(s);
	return 0;
}

static void
postern_smtp_rcpt(struct postern_smtp *s, const struct smtp_cmd *cmd)
{
	const struct smtp_cmd_rcpt *r = &cmd->rcpt;
	struct queue_rcpt *q;
	struct buf orcpt;

	postern_sendmail_add_rcpt(&s->m,
	    address_internal(&r->addr, s->m.arena), r->notify);
	q = &s->m.env.rcpts[s->m.env.nrcpt - 1];
	if (r->orcpt != NULL && r->orcpt_type != NULL && q->orcpt == NULL) {
		/* Kept as received: "type;xtext" (docs/queue.md). */
		buf_init(&orcpt);
		buf_printf(&orcpt, "%s;", r->orcpt_type);
		smtp_xtext_encode(&orcpt, r->orcpt, strlen(r->orcpt));
		q->orcpt = arena_strdup(s->m.arena, orcpt.data);
		buf_deinit(&orcpt);
	}
	postern_smtp_reply("250 2.1.5 Ok");
}

static void
postern_smtp_mail(struct postern_smtp *s, const struct smtp_cmd *cmd)
{
	const struct smtp_cmd_mail *m = &cmd->mail;
	struct buf envid;

	s->m.env.sender = m->null_sender
	    ? ""
	    : postern_sendmail_qualify(
	          &s->m, address_internal(&m->addr, s->m.arena));
	s->m.env.ret = (enum queue_ret)m->ret;
	s->m.env.smtputf8 = m->smtputf8;
	if (m->envid != NULL) {
		buf_init(&envid);
		smtp_xtext_encode(&envid, m->envid, strlen(m->envid));
		s->m.env.envid = arena_strdup(s->m.arena, envid.data);
		buf_deinit(&envid);
	}
	s->in_txn = true;
	postern_smtp_reply("250 2.1.0 Ok");
}

/* One command; -1 when the session ends. */
static int
postern_smtp_command(struct postern_smtp *s, const struct smtp_cmd *cmd)
{
	switch (cmd->verb) {
	case SMTP_CMD_EHLO:
		postern_smtp_reply("250-%s\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
		                   "250-DSN\r\n250 ENHANCEDSTATUSCODES",
		    s->conf->myhostname);
		break;
	case SMTP_CMD_HELO:
		postern_smtp_reply("250 %s", s->conf->myhostname);
		break;
	case SMTP_CMD_MAIL:
		if (s->in_txn)
			postern_smtp_reply("503 5.5.1 Error: nested MAIL command");
		else
			postern_smtp_mail(s, cmd);
		break;
	case SMTP_CMD_RCPT:
		if (!s->in_txn)
			postern_smtp_reply("503 5.5.1 Error: need MAIL command");
		else
			postern_smtp_rcpt(s, cmd);
		break;
	case SMTP_CMD_DATA:
		if (s->m.env.nrcpt == 0)
			postern_smtp_reply("503 5.5.1 Error: need RCPT command");
		else
			return postern_smtp_data(s);
		break;
	case SMTP_CMD_RSET:
		postern_smtp_reset(s);
		postern_smtp_reply("250 2.0.0 Ok");
		break;
	case SMTP_CMD_NOOP:
		postern_smtp_reply("250 2.0.0 Ok");
		break;
	case SMTP_CMD_VRFY:
		postern_smtp_reply("252 2.0.0 Send some mail, I'll try my best");
		break;
	case SMTP_CMD_QUIT:
		postern_smtp_reply("221 2.0.0 Bye");
		return -1;
	default:
		postern_smtp_reply("502 5.5.1 Error: command not implemented");
		break;
	}
	return 0;
}

int
postern_sendmail_smtp(struct postern_ctx *ctx, const struct postern_sendmail *sm)
{
	const struct smtp_cmd_limits lim = {.line_max = 2048, .path_max = 256,
	    .param_max = 10,
	    .ext = SMTP_CMD_EXT_8BITMIME | SMTP_CMD_EXT_SMTPUTF8 |
	        SMTP_CMD_EXT_DSN};
	struct postern_smtp s = {0};
	struct arena *a = arena_new();
	struct smtp_cmd cmd;
	struct err err;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	(void)sm;
	if ((s.conf = postern_ctx_conf(ctx, &err)) == NULL) {
		postern_error("sendmail: %s", err.text);
		return EX_CONFIG;
	}
	postern_sendmail_msg_init(&s.m, s.conf);
	postern_smtp_reply("220 %s ESMTP %s (sendmail -bs)", s.conf->myhostname,
	    s.conf->mail_name);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		arena_reset(a);
		if (smtp_cmd_parse(line, (size_t)n, &lim, &cmd, a, &err) < 0)
			postern_smtp_reply("%d %s %s", cmd.code, err.dsn, err.text);
		else if (postern_smtp_command(&s, &cmd) < 0)
			break;
	}
	free(line);
	postern_sendmail_msg_deinit(&s.m);
	arena_free(&a);
	return EX_OK;
}
