/* SPDX-License-Identifier: MIT */
/*
 * One authd client in the event loop: non-blocking reads, frames cut by
 * their length prefix, replies queued and written as the socket allows.
 * The peer is hostile: its frames are capped, a client that neither
 * sends nor reads for authd_timeout is dropped, and one that does not
 * read its replies is not read from either, so no client can make authd
 * buffer without bound or wait for it.
 */
#include "authd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "server/server.h"

struct authd_conn {
	struct authd *ad;
	int fd;
	struct buf in;
	struct buf out;
	uint64_t timer;
	bool hello_done;
	bool closing; /* close once out is flushed */
	struct authd_logins logins; /* open SASL exchanges */
};

static void authd_conn_event(
    struct event_loop *loop, int fd, unsigned events, void *ctx);
static void authd_conn_timeout(struct event_loop *loop, void *ctx);

static void
authd_conn_close(struct authd_conn *c)
{
	struct server *srv = c->ad->srv;
	struct event_loop *loop = server_loop(srv);

	event_timer_cancel(loop, c->timer);
	authd_sasl_close_all(&c->logins);
	event_fd_remove(loop, c->fd);
	close(c->fd);
	buf_deinit(&c->in);
	buf_deinit(&c->out);
	free(c);
	server_client_done(srv);
}

static void
authd_conn_arm(struct authd_conn *c)
{
	struct event_loop *loop = server_loop(c->ad->srv);

	event_timer_cancel(loop, c->timer);
	c->timer = event_timer_add(
	    loop, (uint64_t)c->ad->timeout_ms, authd_conn_timeout, c);
}

static void
authd_conn_timeout(struct event_loop *loop, void *ctx)
{
	struct authd_conn *c = ctx;

	(void)loop;
	c->timer = 0;
	log_info("client timed out after %d ms", c->ad->timeout_ms);
	authd_conn_close(c);
}

/* Queue one finished frame for the client. */
static void
authd_conn_queue(struct authd_conn *c, struct ipc_msg *reply)
{
	ipc_msg_finish(reply);
	buf_append(&c->out, reply->buf.data, reply->buf.len);
}

/*
 * Answer every whole frame in c->in. Returns false when the stream
 * cannot be followed any more (bad length prefix): the refusal is
 * queued and the connection closes after it.
 */
static bool
authd_conn_frames(struct authd_conn *c)
{
	struct ipc_msg reply;
	struct ipc_reader rd;
	struct err err;
	long long body;
	bool ok = true;

	ipc_msg_init(&reply);
	ipc_reader_init(&rd);
	while (!c->closing && c->out.len < AUTHD_OUT_MAX) {
		body = ipc_frame_complete(
		    c->in.data, c->in.len, AUTHD_FRAME_MAX, &err);
		if (body == 0)
			break;
		ipc_msg_reset(&reply);
		if (body < 0) {
			log_warning("bad frame from client: %s", err.text);
			authd_req_refuse(err.text, &reply);
			authd_conn_queue(c, &reply);
			ok = false;
			break;
		}
		if (ipc_reader_decode(
		        &rd, c->in.data + 4, (size_t)body, &err) != 0) {
			log_warning("malformed request: %s", err.text);
			authd_req_refuse(err.text, &reply);
		} else if (!authd_req_handle(c->ad, &rd, &c->hello_done,
		               &c->logins, &reply))
			c->closing = true;
		authd_conn_queue(c, &reply);
		/* The frame may have held a password. */
		explicit_bzero(c->in.data, 4 + (size_t)body);
		buf_consume(&c->in, 4 + (size_t)body);
	}
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&reply);
	if (!ok)
		c->closing = true;
	return ok;
}

/* Write what the socket takes. 0, or -1 when the client is gone. */
static int
authd_conn_flush(struct authd_conn *c)
{
	while (c->out.len > 0) {
		ssize_t n = send(c->fd, c->out.data, c->out.len,
		    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			buf_consume(&c->out, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
	return 0;
}

/* Read what is there. 0, or -1 on EOF or error. */
static int
authd_conn_read(struct authd_conn *c)
{
	char data[4096];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, data, sizeof(data), MSG_DONTWAIT);
		if (n > 0) {
			buf_append(&c->in, data, (size_t)n);
			/* A whole frame fits well below this; stop reading
			 * and let authd_conn_frames refuse the rest. */
			if (c->in.len > AUTHD_FRAME_MAX + 4)
				return 0;
			continue;
		}
		if (n == 0)
			return -1;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	}
}

static void
authd_conn_event(struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct authd_conn *c = ctx;
	unsigned mask;

	(void)fd;
	if ((events & EVENT_READ) && !c->closing &&
	    c->out.len < AUTHD_OUT_MAX) {
		int eof = authd_conn_read(c);

		authd_conn_frames(c);
		if (eof < 0 && c->out.len == 0) {
			authd_conn_close(c);
			return;
		}
		if (eof < 0)
			c->closing = true;
	}
	if (authd_conn_flush(c) < 0 || (c->closing && c->out.len == 0)) {
		authd_conn_close(c);
		return;
	}
	/* Frames left unanswered because out was full are taken up once
	 * the client has read enough. */
	if (!c->closing && c->out.len < AUTHD_OUT_MAX && c->in.len > 0)
		authd_conn_frames(c);
	mask = c->out.len > 0 ? EVENT_WRITE : 0;
	if (!c->closing && c->out.len < AUTHD_OUT_MAX)
		mask |= EVENT_READ;
	event_fd_modify(loop, c->fd, mask);
	authd_conn_arm(c);
}

void
authd_conn_accept(struct server *srv, int fd)
{
	struct authd *ad = server_ctx(srv);
	struct authd_conn *c;
	int flags;

	if (!authd_peer_allowed(ad, fd)) {
		close(fd);
		server_client_done(srv);
		return;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		log_warning_errno(errno, "client socket");
		close(fd);
		server_client_done(srv);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->ad = ad;
	c->fd = fd;
	buf_init(&c->in);
	buf_init(&c->out);
	if (event_fd_add(
	        server_loop(srv), fd, EVENT_READ, authd_conn_event, c) != 0) {
		log_warning_errno(errno, "watch client");
		close(fd);
		buf_deinit(&c->in);
		buf_deinit(&c->out);
		free(c);
		server_client_done(srv);
		return;
	}
	authd_conn_arm(c);
}
