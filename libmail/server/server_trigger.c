/* SPDX-License-Identifier: MIT */
/*
 * SERVER_TRIGGER: wake-up bytes (DESIGN.md section 8) on a fifo the
 * master opened read-write (so it never reports EOF), or on a unix
 * socket whose clients write a few bytes and hang up. The bytes are
 * passed to on_trigger as they arrive; a client that lingers is dropped
 * after a time-out so it cannot pin a descriptor.
 */
#include "server/server_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"

#define SERVER_TRIGGER_BUF 1024
#define SERVER_TRIGGER_TIMEOUT_MS 10000

struct server_trigger_conn {
	struct server *srv;
	int fd;
	uint64_t timer;
	struct server_trigger_conn *next;
};

static void
server_trigger_deliver(struct server *srv, const char *data, size_t len)
{
	server_idle_cancel(srv);
	server_status_report(srv, true, false);
	srv->served++;
	srv->spec->on_trigger(srv, data, len);
	if (srv->retiring || server_used_up(srv)) {
		server_finish(srv, srv->retiring ? "stopped" : "max_use");
		return;
	}
	server_status_report(srv, false, false);
	server_idle_arm(srv);
}

static void
server_trigger_on_fifo(
    struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct server *srv = ctx;
	char data[SERVER_TRIGGER_BUF];
	ssize_t n;

	(void)loop;
	(void)events;
	if (srv->finished)
		return;
	n = read(fd, data, sizeof(data));
	if (n > 0) {
		server_trigger_deliver(srv, data, (size_t)n);
		return;
	}
	if (n < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	/* EOF on a fifo means no writer: it was not opened read-write. */
	log_fatal("service %s: trigger fifo: %s", srv->service,
	    n == 0 ? "end of file (not opened read-write)" : "read error");
}

static void
server_trigger_conn_close(struct server_trigger_conn *conn)
{
	struct server *srv = conn->srv;
	struct server_trigger_conn **pp;

	for (pp = &srv->trigger_conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == conn) {
			*pp = conn->next;
			break;
		}
	event_timer_cancel(srv->loop, conn->timer);
	event_fd_remove(srv->loop, conn->fd);
	close(conn->fd);
	free(conn);
}

static void
server_trigger_on_timeout(struct event_loop *loop, void *ctx)
{
	struct server_trigger_conn *conn = ctx;

	(void)loop;
	conn->timer = 0;
	log_debug("trigger client timed out");
	server_trigger_conn_close(conn);
}

static void
server_trigger_on_conn(
    struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct server_trigger_conn *conn = ctx;
	struct server *srv = conn->srv;
	char data[SERVER_TRIGGER_BUF];
	ssize_t n;

	(void)loop;
	(void)events;
	if (srv->finished)
		return;
	n = read(fd, data, sizeof(data));
	if (n < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		server_trigger_conn_close(conn);
		return;
	}
	server_trigger_deliver(srv, data, (size_t)n);
}

static void
server_trigger_on_accept(
    struct event_loop *loop, int lfd, unsigned events, void *ctx)
{
	struct server *srv = ctx;
	struct server_trigger_conn *conn;
	int fd;

	(void)events;
	if (srv->finished)
		return;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warning_errno(errno, "trigger socket: accept");
		return;
	}
	conn = xcalloc(1, sizeof(*conn));
	conn->srv = srv;
	conn->fd = fd;
	if (event_fd_add(loop, fd, EVENT_READ, server_trigger_on_conn, conn) !=
	    0) {
		log_warning_errno(errno, "trigger socket: watch client");
		close(fd);
		free(conn);
		return;
	}
	conn->timer = event_timer_add(
	    loop, SERVER_TRIGGER_TIMEOUT_MS, server_trigger_on_timeout, conn);
	conn->next = srv->trigger_conns;
	srv->trigger_conns = conn;
}

void
server_trigger_start(struct server *srv)
{
	event_fd_fn *fn;
	struct stat st;

	if (srv->spec->on_trigger == NULL)
		PANIC("%s: service %s has no on_trigger hook", __func__,
		    srv->spec->name);
	if (fstat(srv->listen_fd, &st) != 0)
		log_fatal_errno(
		    errno, "service %s: listen descriptor", srv->service);
	if (S_ISFIFO(st.st_mode))
		fn = server_trigger_on_fifo;
	else if (S_ISSOCK(st.st_mode))
		fn = server_trigger_on_accept;
	else
		log_fatal("service %s: listen descriptor is neither a fifo "
		          "nor a socket",
		    srv->service);
	if (event_fd_add(srv->loop, srv->listen_fd, EVENT_READ, fn, srv) != 0)
		log_fatal_errno(errno, "watch the trigger descriptor");
	srv->listen_watched = true;
}

void
server_trigger_close_all(struct server *srv)
{
	while (srv->trigger_conns != NULL)
		server_trigger_conn_close(srv->trigger_conns);
}
