/* SPDX-License-Identifier: MIT */
/*
 * The server skeleton's side of server/master_proto.h: checking the
 * descriptors the master passes, busy/idle status records, and the
 * lifeline whose EOF says the master is gone (or reloaded).
 */
#include "server/server_impl.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/event.h"
#include "core/log.h"
#include "server/master_proto.h"

static_assert(MASTER_STATUS_LEN == 13, "status record: 'B' ' ' 10 digits LF");

void
server_status_check_fds(const struct server *srv)
{
	static const int fds[] = {
	    MASTER_STATUS_FD, MASTER_LIFELINE_FD, MASTER_LISTEN_FD};
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fcntl(fds[i], F_GETFD) < 0)
			log_fatal("descriptor %d is not open: %s must be "
			          "started by the postern master, not by hand",
			    fds[i], srv->spec->name);
	/* The daemon's own children (pipe, commands) must not inherit them. */
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0)
			log_fatal_errno(errno, "descriptor %d", fds[i]);
	/* Siblings race for each connection; the losers must not block. */
	if (fcntl(MASTER_LISTEN_FD, F_SETFL,
	        fcntl(MASTER_LISTEN_FD, F_GETFL) | O_NONBLOCK) < 0)
		log_fatal_errno(errno, "descriptor %d", MASTER_LISTEN_FD);
}

void
server_status_report(struct server *srv, bool busy, bool force)
{
	char rec[MASTER_STATUS_LEN + 1];
	ssize_t n;
	int len;

	if (srv->status_broken || (!force && busy == srv->busy_reported))
		return;
	srv->busy_reported = busy;
	len = snprintf(rec, sizeof(rec), "%c %010ld\n",
	    busy ? MASTER_STATUS_BUSY : MASTER_STATUS_IDLE, (long)getpid());
	if (len != MASTER_STATUS_LEN)
		PANIC("%s: status record of %d bytes", __func__, len);
	/* One write() of less than PIPE_BUF bytes: atomic on a pipe. */
	do
		n = write(MASTER_STATUS_FD, rec, MASTER_STATUS_LEN);
	while (n < 0 && errno == EINTR);
	if (n == MASTER_STATUS_LEN)
		return;
	if (n < 0 && errno == EPIPE) {
		/* Nobody reads our records any more: the master is gone. */
		srv->status_broken = true;
		if (!srv->retiring)
			server_master_gone(srv);
		return;
	}
	log_warning_errno(n < 0 ? errno : EIO, "status report to the master");
}

static void
server_status_lifeline_close(struct server *srv)
{
	if (!srv->lifeline_open)
		return;
	event_fd_remove(srv->loop, MASTER_LIFELINE_FD);
	close(MASTER_LIFELINE_FD);
	srv->lifeline_open = false;
}

/* The master never writes: readable means EOF (or an error), i.e. gone. */
static bool
server_status_lifeline_read(struct server *srv)
{
	char c;
	ssize_t n;

	do
		n = read(MASTER_LIFELINE_FD, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return false;
	if (n > 0)
		return false;
	server_status_lifeline_close(srv);
	return true;
}

static void
server_status_on_lifeline(
    struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct server *srv = ctx;

	(void)loop;
	(void)fd;
	(void)events;
	if (server_status_lifeline_read(srv))
		server_master_gone(srv);
}

void
server_status_watch_lifeline(struct server *srv)
{
	if (fcntl(MASTER_LIFELINE_FD, F_SETFL,
	        fcntl(MASTER_LIFELINE_FD, F_GETFL) | O_NONBLOCK) < 0)
		log_fatal_errno(errno, "descriptor %d", MASTER_LIFELINE_FD);
	if (event_fd_add(srv->loop, MASTER_LIFELINE_FD, EVENT_READ,
	        server_status_on_lifeline, srv) != 0)
		log_fatal_errno(
		    errno, "watch descriptor %d", MASTER_LIFELINE_FD);
	srv->lifeline_open = true;
}

bool
server_status_lifeline_gone(struct server *srv)
{
	if (!srv->lifeline_open)
		return true;
	return server_status_lifeline_read(srv);
}
