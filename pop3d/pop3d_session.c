/* SPDX-License-Identifier: MIT */
/*
 * One POP3 session, from the greeting to QUIT, the idle time-out
 * (pop3d_timeout), the error limit or a lost connection. The session
 * owns an arena for its lifetime and one per command line. Replies are
 * sent when the client has no further command buffered (RFC 2449
 * PIPELINING), or when they pile up past a cap. Everything read here is
 * raw network data.
 */
#include "pop3d.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/peer_addr.h"
#include "core/xmalloc.h"
#include "server/server.h"

/* Output held before it is sent even if the client keeps pipelining. */
#define POP3D_SESSION_OUT_MAX (64 * 1024)

void
pop3d_ok(struct pop3d_session *s, const char *fmt, ...)
{
	va_list ap;

	buf_puts(&s->io.out, "+OK ");
	va_start(ap, fmt);
	buf_vprintf(&s->io.out, fmt, ap);
	va_end(ap);
	buf_puts(&s->io.out, "\r\n");
}

void
pop3d_err(struct pop3d_session *s, const char *code, const char *fmt, ...)
{
	va_list ap;

	buf_puts(&s->io.out, "-ERR ");
	if (code != NULL)
		buf_printf(&s->io.out, "[%s] ", code);
	va_start(ap, fmt);
	buf_vprintf(&s->io.out, fmt, ap);
	va_end(ap);
	buf_puts(&s->io.out, "\r\n");
	/* Our own trouble is not the client's error. */
	if (code != NULL && (strncmp(code, "SYS/", 4) == 0 ||
	                        strcmp(code, "IN-USE") == 0))
		return;
	if (++s->errors >= s->conf->pop3d_hard_error_limit && !s->done) {
		buf_puts(&s->io.out, "-ERR Too many errors, closing\r\n");
		log_info("too many errors from [%s]", s->addr);
		s->done = true;
	}
}

/* The client went away or stalled: log it once, end the session. */
static void
pop3d_session_lost(struct pop3d_session *s, int errnum)
{
	if (errnum == ETIMEDOUT) {
		buf_puts(&s->io.out, "-ERR Disconnected for inactivity\r\n");
		(void)stream_flush(&s->io);
		log_info("timeout from [%s]", s->addr);
	} else {
		log_info("lost connection from [%s]", s->addr);
	}
	buf_reset(&s->io.out);
	s->done = true;
}

int
pop3d_session_drain(struct pop3d_session *s)
{
	if (s->io.out.len < POP3D_SESSION_OUT_MAX)
		return 0;
	if (stream_flush(&s->io) == 0)
		return 0;
	pop3d_session_lost(s, errno);
	return -1;
}

int
pop3d_session_read_line(
    struct pop3d_session *s, const char **line_out, size_t *len_out)
{
	size_t max = (size_t)s->conf->pop3d_line_length_limit;
	bool too_long;
	int r;

	if (stream_flush(&s->io) != 0) {
		pop3d_session_lost(s, errno);
		return -1;
	}
	while (stream_line(&s->io, max, line_out, len_out, &too_long) != 1) {
		r = stream_fill(&s->io);
		if (r <= 0) {
			pop3d_session_lost(s, r == 0 ? 0 : errno);
			return -1;
		}
	}
	return too_long ? 0 : 1;
}

void
pop3d_session_login_ctx(
    const struct pop3d_session *s, struct auth_login_ctx *ctx_out)
{
	ctx_out->service = "pop3";
	ctx_out->client_addr = s->addr;
	ctx_out->tls = s->tls != NULL;
}

static void
pop3d_session_loop(struct pop3d_session *s)
{
	size_t max = (size_t)s->conf->pop3d_line_length_limit;
	const char *line;
	size_t len;
	bool too_long;
	int r;

	while (!s->done) {
		if (stream_line(&s->io, max, &line, &len, &too_long) == 1) {
			if (too_long)
				pop3d_err(s, NULL, "Line too long");
			else
				pop3d_cmd_line(s, line, len);
			arena_reset(s->cmd_arena);
			if (!s->done)
				(void)pop3d_session_drain(s);
			continue;
		}
		if (stream_flush(&s->io) != 0) {
			pop3d_session_lost(s, errno);
			return;
		}
		r = stream_fill(&s->io);
		if (r <= 0)
			pop3d_session_lost(s, r == 0 ? 0 : errno);
	}
	(void)stream_flush(&s->io);
}

static struct pop3d_session *
pop3d_session_new(struct pop3d *pd, int fd)
{
	struct pop3d_session *s = xcalloc(1, sizeof(*s));

	s->pd = pd;
	s->conf = pd->conf;
	s->arena = arena_new();
	s->cmd_arena = arena_new();
	s->lock_fd = -1;
	stream_init(&s->io, fd, (int)(s->conf->pop3d_timeout * 1000));
	return s;
}

static void
pop3d_session_free(struct pop3d_session **sp)
{
	struct pop3d_session *s = *sp;

	stream_deinit(&s->io);
	tls_session_free(&s->tls);
	arena_free(&s->cmd_arena);
	arena_free(&s->arena);
	free(s);
	*sp = NULL;
}

void
pop3d_session_run(struct server *srv, int fd)
{
	struct pop3d_session *s = pop3d_session_new(server_ctx(srv), fd);

	peer_addr(fd, s->addr, sizeof(s->addr));
	log_info("connect from [%s]", s->addr);
	if (pop3d_tls_wrapper(s) == 0) {
		pop3d_auth_banner_timestamp(s);
		pop3d_ok(s, "%s ready.%s%s", s->conf->mail_name,
		    s->timestamp[0] != '\0' ? " " : "", s->timestamp);
		pop3d_session_loop(s);
	}
	pop3d_tls_end(s);
	/* Unlocked before the log says so: the next session may follow. */
	pop3d_mailbox_close(s);
	if (s->user != NULL)
		log_info("logout: user=<%s>, top=%u, retr=%u/%llu, del=%u/%zu",
		    s->user, s->ntop, s->nretr,
		    (unsigned long long)s->retr_bytes, s->nexpunged, s->nmsgs);
	log_info("disconnect from [%s]", s->addr);
	pop3d_session_free(&s);
}
