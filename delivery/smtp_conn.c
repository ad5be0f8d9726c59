/* SPDX-License-Identifier: MIT */
/*
 * The connection under a session: a TCP or UNIX-domain connect bounded
 * by smtp_connect_timeout, command lines out, whole replies in (read
 * with smtp/smtp_reply.h, each bounded by the stage's time-out), and
 * the Postfix-style reason for a server's reply.
 */
#include "smtp.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/event.h"

/* Most lines in one reply (EHLO answers are the longest). */
#define SMTP_CONN_REPLY_LINES 100

/* Fill a socket address for host. Its length, or 0 with err. */
static socklen_t
smtp_conn_addr(
    const struct smtp_host *host, struct sockaddr_storage *ss, struct err *err)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)(void *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (host->unix_path) {
		if (strlen(host->name) >= sizeof(sun->sun_path)) {
			err_set(err, ERR_TEMP, "4.3.5",
			    "socket path too long: %s", host->name);
			return 0;
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, host->name, strlen(host->name) + 1);
		return sizeof(*sun);
	}
	if (host->addr.family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)host->port);
		memcpy(&sin->sin_addr, host->addr.addr, 4);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)host->port);
	memcpy(&sin6->sin6_addr, host->addr.addr, 16);
	return sizeof(*sin6);
}

int
smtp_conn_open(
    const struct smtp_agent *ag, const struct smtp_host *host, struct err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = smtp_conn_addr(host, &ss, err), elen;
	int fd, e = 0;

	if (len == 0)
		return -1;
	fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(
		    err, ERR_TEMP, "4.4.1", "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
		e = errno;
		if (e == EINPROGRESS &&
		    stream_wait_fd(fd, POLLOUT,
		        event_now_ms() +
		            (uint64_t)ag->conf->smtp_connect_timeout * 1000) !=
		        0)
			e = ETIMEDOUT;
		else if (e == EINPROGRESS) {
			elen = sizeof(e);
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) !=
			    0)
				e = errno;
		}
	}
	if (e == 0)
		return fd;
	close(fd);
	if (host->unix_path)
		return err_set(err, ERR_TEMP, "4.4.1", "connect to %s: %s",
		    host->name, strerror(e));
	return err_set(err, ERR_TEMP, "4.4.1", "connect to %s[%s]:%u: %s",
	    host->name, host->addr_text, host->port, strerror(e));
}

/* Where per-transaction strings go: the job's arena, or the session's
 * own while no job uses it (the QUIT of an idle connection). */
static struct arena *
smtp_conn_arena(const struct smtp_sess *s)
{
	return s->job != NULL ? s->job->arena : s->arena;
}

void
smtp_conn_start(struct smtp_sess *s, int fd)
{
	s->fd = fd;
	stream_init(&s->st, fd, 1000);
	smtp_reply_parser_init(
	    &s->rp, SMTP_REPLY_LINE_MAX * 8, SMTP_CONN_REPLY_LINES);
}

void
smtp_conn_cmd(struct smtp_sess *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&s->st.out, fmt, ap);
	va_end(ap);
	buf_puts(&s->st.out, "\r\n");
}

int
smtp_conn_flush(struct smtp_sess *s, long long timeout_s, struct err *err)
{
	s->st.timeout_ms = (int)(timeout_s * 1000);
	if (stream_flush(&s->st) == 0)
		return 0;
	return err_set(err, ERR_TEMP, "4.4.2", "%s while sending %s to %s",
	    errno == ETIMEDOUT ? "conversation timed out" : "lost connection",
	    s->stage, s->relay);
}

int
smtp_conn_reply(struct smtp_sess *s, long long timeout_s,
    struct smtp_reply *out, struct err *err)
{
	const char *line;
	size_t len;
	bool too_long;
	int rc;

	if (s->st.out.len > 0 && smtp_conn_flush(s, timeout_s, err) != 0)
		return -1;
	s->st.timeout_ms = (int)(timeout_s * 1000);
	for (;;) {
		rc = stream_line(
		    &s->st, SMTP_REPLY_LINE_MAX * 8, &line, &len, &too_long);
		if (rc == 0) {
			if ((rc = stream_fill(&s->st)) > 0)
				continue;
			return err_set(err, ERR_TEMP, "4.4.2",
			    "%s with %s while receiving the reply to %s",
			    rc < 0 && errno == ETIMEDOUT
			        ? "conversation timed out"
			        : "lost connection",
			    s->relay, s->stage);
		}
		if (too_long)
			return err_set(err, ERR_TEMP, "4.5.0",
			    "reply line too long from %s in reply to %s",
			    s->relay, s->stage);
		rc = smtp_reply_parser_line(
		    &s->rp, line, len, out, smtp_conn_arena(s), err);
		if (rc > 0)
			return 0;
		if (rc < 0) {
			err_prefix(err, "malformed reply from %s to %s",
			    s->relay, s->stage);
			smtp_reply_parser_init(&s->rp, SMTP_REPLY_LINE_MAX * 8,
			    SMTP_CONN_REPLY_LINES);
			return -1;
		}
	}
}

const char *
smtp_conn_text(struct smtp_sess *s, const struct smtp_reply *r)
{
	char *text = arena_strndup(smtp_conn_arena(s), r->text, r->text_len),
	     *p;

	for (p = text; *p != '\0'; p++) {
		if (*p == '\n')
			*p = ' ';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return text;
}

const char *
smtp_conn_said(struct smtp_sess *s, const struct smtp_reply *r)
{
	return arena_printf(smtp_conn_arena(s),
	    "host %s said: %d%s%s %s (in reply to %s command)", s->relay,
	    r->code, r->dsn[0] != '\0' ? " " : "", r->dsn, smtp_conn_text(s, r),
	    s->stage);
}
