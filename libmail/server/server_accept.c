/* SPDX-License-Identifier: MIT */
/*
 * Accepting clients on the listening socket the master passes:
 * SERVER_ONE_CLIENT (serve one client to completion, then the next, up
 * to max_use) and SERVER_EVENT (many clients in the loop, up to
 * client_limit at once). Sibling processes share the socket, so a
 * wake-up may find the connection already taken: EAGAIN is normal.
 */
#include "server/server_impl.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"

static void
server_accept_sigterm_exit(int signo)
{
	(void)signo;
	_exit(0);
}

/*
 * While on_client blocks, the loop cannot read SIGTERM from its
 * signalfd; let it end the process at once instead (server.h).
 */
static void
server_accept_term_now(bool on)
{
	struct sigaction sa = {0};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigemptyset(&sa.sa_mask);
	if (on) {
		sa.sa_handler = server_accept_sigterm_exit;
		sigaction(SIGTERM, &sa, NULL);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	} else {
		sigprocmask(SIG_BLOCK, &set, NULL);
		sa.sa_handler = SIG_DFL;
		sigaction(SIGTERM, &sa, NULL);
	}
}

/* A new client, or -1 when there is none to take now. */
static int
server_accept_fd(struct server *srv)
{
	int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
		return -1;
	case EMFILE:
	case ENFILE:
		/* Out of descriptors: take no more until a client ends. */
		if (srv->spec->mode == SERVER_EVENT && srv->nclients > 0) {
			log_warning_errno(errno,
			    "accept: holding at %zu "
			    "clients",
			    srv->nclients);
			srv->client_limit = (long long)srv->nclients;
			server_accept_after_client(srv);
			return -1;
		}
		break;
	default:
		break;
	}
	log_fatal_errno(errno, "service %s: accept", srv->service);
}

static void
server_accept_one(struct server *srv)
{
	int fd = server_accept_fd(srv);

	if (fd < 0)
		return;
	server_idle_cancel(srv);
	server_status_report(srv, true, false);
	srv->served++;
	server_accept_term_now(true);
	srv->spec->on_client(srv, fd);
	server_accept_term_now(false);
	close(fd);
	if (srv->retiring || server_used_up(srv)) {
		server_finish(srv, srv->retiring ? "stopped" : "max_use");
		return;
	}
	/* Do not offer ourselves as idle to a master that is gone. */
	if (server_status_lifeline_gone(srv)) {
		server_master_gone(srv);
		return;
	}
	server_status_report(srv, false, false);
	server_idle_arm(srv);
}

static void
server_accept_event(struct server *srv)
{
	int fd = server_accept_fd(srv);

	if (fd < 0)
		return;
	server_idle_cancel(srv);
	srv->nclients++;
	srv->served++;
	srv->spec->on_client(srv, fd);
	server_accept_after_client(srv);
}

static void
server_accept_on_listen(
    struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct server *srv = ctx;

	(void)loop;
	(void)fd;
	(void)events;
	if (srv->finished || srv->retiring)
		return;
	if (srv->spec->mode == SERVER_ONE_CLIENT)
		server_accept_one(srv);
	else
		server_accept_event(srv);
}

void
server_accept_start(struct server *srv)
{
	if (srv->spec->on_client == NULL)
		PANIC("%s: service %s has no on_client hook", __func__,
		    srv->spec->name);
	if (event_fd_add(srv->loop, srv->listen_fd, EVENT_READ,
	        server_accept_on_listen, srv) != 0)
		log_fatal_errno(errno, "watch the listening socket");
	srv->listen_watched = true;
}

static void
server_accept_unwatch(struct server *srv)
{
	if (!srv->listen_watched)
		return;
	event_fd_remove(srv->loop, srv->listen_fd);
	srv->listen_watched = false;
}

void
server_accept_after_client(struct server *srv)
{
	bool at_limit;

	if (srv->spec->mode != SERVER_EVENT || srv->finished)
		return;
	if (srv->retiring || server_used_up(srv)) {
		srv->retiring = true;
		server_accept_unwatch(srv);
		if (srv->nclients == 0) {
			server_finish(srv, "retired, last client done");
			return;
		}
		/* Busy for good: the master must start a fresh process. */
		server_status_report(srv, true, false);
		return;
	}
	/* A limit lowered by EMFILE holds until the process is empty. */
	if (srv->nclients == 0)
		srv->client_limit = srv->conf->client_limit;
	at_limit = srv->nclients >= (size_t)srv->client_limit;
	if (at_limit != srv->paused) {
		if (event_fd_modify(srv->loop, srv->listen_fd,
		        at_limit ? 0 : EVENT_READ) != 0)
			log_fatal_errno(errno, "watch the listening socket");
		srv->paused = at_limit;
	}
	server_status_report(srv, at_limit, false);
	if (srv->nclients == 0)
		server_idle_arm(srv);
}

void
server_client_done(struct server *srv)
{
	if (srv->spec->mode != SERVER_EVENT || srv->nclients == 0)
		PANIC("%s: no client to end", __func__);
	srv->nclients--;
	server_accept_after_client(srv);
}
