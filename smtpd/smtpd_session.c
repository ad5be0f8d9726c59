/* SPDX-License-Identifier: MIT */
/*
 * One SMTP session, from the greeting to QUIT, a time-out, the error
 * limit or a lost connection. The session owns an arena for its
 * lifetime, a child arena per mail transaction (reset on RSET, HELO,
 * and after each message) and one per command line. Everything read
 * here is raw network data.
 */
#include "smtpd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "queue/queue_writer.h"
#include "server/server.h"
#include "smtp/smtp_reply.h"

/*
 * Replies held for a client that keeps pipelining without reading are
 * sent once they reach this size, so they cannot pile up in memory.
 */
#define SMTPD_SESSION_OUT_MAX (64 * 1024)

void
smtpd_reply(
    struct smtpd_session *s, int code, const char *dsn, const char *fmt, ...)
{
	struct buf text;
	va_list ap;

	buf_init(&text);
	va_start(ap, fmt);
	buf_vprintf(&text, fmt, ap);
	va_end(ap);
	/* RFC 2034 §3: enhanced codes once ENHANCEDSTATUSCODES was offered. */
	smtp_reply_text(&s->io.out, code, s->esmtp ? dsn : NULL, text.data);
	buf_deinit(&text);
}

void
smtpd_reply_err(struct smtpd_session *s, int code, const struct err *err)
{
	smtp_reply_err(&s->io.out, code, err, s->esmtp);
}

void
smtpd_session_txn_reset(struct smtpd_session *s)
{
	struct buf pending = s->txn.pending;

	queue_writer_free(&s->txn.writer);
	buf_reset(&pending);
	memset(&s->txn, 0, sizeof(s->txn));
	s->txn.pending = pending;
	arena_reset(s->txn_arena);
}

const char *
smtpd_session_protocol(const struct smtpd_session *s)
{
	/* RFC 3848 and RFC 6531 §3.7.3 with-protocol names. */
	static const char *const names[2][2][2] = {
	    {{"ESMTP", "ESMTPA"}, {"ESMTPS", "ESMTPSA"}},
	    {{"UTF8SMTP", "UTF8SMTPA"}, {"UTF8SMTPS", "UTF8SMTPSA"}},
	};
	bool utf8 = s->txn.active && s->txn.mail.smtputf8;

	if (!s->esmtp)
		return "SMTP";
	return names[utf8][s->tls != NULL][s->sasl_user != NULL];
}

void
smtpd_session_lost(struct smtpd_session *s, int errnum)
{
	if (errnum == ETIMEDOUT) {
		smtpd_reply(s, 421, "4.4.2", "%s Error: timeout exceeded",
		    s->conf->myhostname);
		(void)stream_flush(&s->io);
		smtpd_log_event(s, "timeout");
	} else {
		smtpd_log_event(s, "lost connection");
	}
	s->done = true;
}

static void
smtpd_session_loop(struct smtpd_session *s)
{
	size_t max = (size_t)s->conf->line_length_limit;
	const char *line;
	size_t len;
	bool too_long;
	int r;

	while (!s->done) {
		if (stream_line(&s->io, max, &line, &len, &too_long) == 1) {
			smtpd_cmd_line(s, line, len, too_long);
			arena_reset(s->cmd_arena);
			if (s->io.out.len >= SMTPD_SESSION_OUT_MAX &&
			    !s->done && stream_flush(&s->io) != 0) {
				smtpd_session_lost(s, errno);
				return;
			}
			continue;
		}
		/* RFC 2920 §3.2: reply once the client has nothing queued. */
		if (stream_flush(&s->io) != 0) {
			smtpd_session_lost(s, errno);
			return;
		}
		r = stream_fill(&s->io);
		if (r <= 0)
			smtpd_session_lost(s, r == 0 ? 0 : errno);
	}
	(void)stream_flush(&s->io);
}

static struct smtpd_session *
smtpd_session_new(struct smtpd *sd, int fd)
{
	struct smtpd_session *s = xcalloc(1, sizeof(*s));

	s->sd = sd;
	s->conf = sd->conf;
	s->arena = arena_new();
	s->txn_arena = arena_new();
	s->cmd_arena = arena_new();
	buf_init(&s->txn.pending);
	buf_init(&s->helo_buf);
	buf_init(&s->tls_desc);
	buf_init(&s->auth_mechs);
	stream_init(&s->io, fd, (int)(s->conf->smtpd_timeout * 1000));
	s->where = "CONNECT";
	return s;
}

static void
smtpd_session_free(struct smtpd_session **sp)
{
	struct smtpd_session *s = *sp;

	if (s == NULL)
		return;
	smtpd_session_txn_reset(s);
	buf_deinit(&s->txn.pending);
	buf_deinit(&s->helo_buf);
	stream_deinit(&s->io);
	tls_session_free(&s->tls);
	buf_deinit(&s->tls_desc);
	buf_deinit(&s->auth_mechs);
	arena_free(&s->cmd_arena);
	arena_free(&s->txn_arena);
	arena_free(&s->arena);
	free(s);
	*sp = NULL;
}

void
smtpd_session_run(struct server *srv, int fd)
{
	struct smtpd_session *s = smtpd_session_new(server_ctx(srv), fd);

	smtpd_client_identify(s, fd);
	smtpd_log_connect(s);
	if (smtpd_tls_wrapper(s) == 0) {
		smtpd_reply(s, 220, NULL, "%s", s->conf->smtpd_banner);
		smtpd_session_loop(s);
	}
	smtpd_tls_end(s);
	smtpd_session_txn_reset(s);
	smtpd_log_disconnect(s);
	smtpd_session_free(&s);
}
