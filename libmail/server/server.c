/* SPDX-License-Identifier: MIT */
/*
 * The server skeleton's life cycle: set-up in the order server.h states,
 * the mode's loop, and the one exit path shared by every mode (SIGTERM,
 * max_idle, max_use, server_stop, the master gone). The per-process
 * state is a local of server_main(), reached through the hooks' srv.
 */
#include "server/server_impl.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "server/master_proto.h"

/* ---- exit and idle logic ---- */

void
server_finish(struct server *srv, const char *why)
{
	if (srv->finished)
		return;
	log_debug("exiting: %s", why);
	srv->finished = true;
	srv->retiring = true;
	event_loop_stop(srv->loop);
}

bool
server_used_up(const struct server *srv)
{
	return !srv->spec->persistent &&
	    srv->served >= (unsigned long long)srv->conf->max_use;
}

void
server_master_gone(struct server *srv)
{
	srv->retiring = true;
	/* An event server lets its sessions end; the rest go at once. */
	if (srv->spec->mode == SERVER_EVENT && srv->nclients > 0) {
		log_debug(
		    "master gone: exiting after %zu clients", srv->nclients);
		server_accept_after_client(srv);
		return;
	}
	server_finish(srv, "master gone");
}

static void
server_on_idle(struct event_loop *loop, void *ctx)
{
	struct server *srv = ctx;

	(void)loop;
	srv->idle_timer = 0;
	server_finish(srv, "idle timeout");
}

void
server_idle_arm(struct server *srv)
{
	server_idle_cancel(srv);
	if (srv->spec->persistent || srv->finished)
		return;
	srv->idle_timer = event_timer_add(srv->loop,
	    (uint64_t)srv->conf->max_idle * 1000u, server_on_idle, srv);
}

void
server_idle_cancel(struct server *srv)
{
	if (srv->idle_timer != 0)
		event_timer_cancel(srv->loop, srv->idle_timer);
	srv->idle_timer = 0;
}

static void
server_on_sigterm(struct event_loop *loop, int signo, void *ctx)
{
	(void)loop;
	(void)signo;
	server_finish(ctx, "SIGTERM");
}

/* ---- set-up and run ---- */

static void
server_setup(struct server *srv, int argc, char **argv)
{
	log_init(srv->spec->name);
	server_opts_parse(srv, argc, argv);
	server_status_check_fds(srv);
	server_opts_load_conf(srv);
	server_opts_setup_log(srv);
	/* A peer that goes away must be an error return, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	srv->loop = event_loop_new();
	if (event_signal_add(srv->loop, SIGTERM, server_on_sigterm, srv) != 0)
		log_fatal("cannot watch SIGTERM");
	server_priv_jail(srv);
	if (srv->spec->post_jail != NULL)
		srv->spec->post_jail(srv);
}

static void
server_teardown(struct server *srv)
{
	if (srv->spec->on_exit != NULL)
		srv->spec->on_exit(srv);
	server_trigger_close_all(srv);
	server_idle_cancel(srv);
	/* Freeing the loop unblocks SIGTERM: one pending must not kill us. */
	signal(SIGTERM, SIG_IGN);
	event_loop_free(&srv->loop);
	conf_free(&srv->conf);
	free(srv->overrides);
	(void)close(MASTER_LISTEN_FD);
	(void)close(MASTER_STATUS_FD);
	if (srv->lifeline_open)
		(void)close(MASTER_LIFELINE_FD);
}

int
server_main(int argc, char **argv, const struct server_spec *spec)
{
	struct server srv = {.spec = spec, .listen_fd = MASTER_LISTEN_FD};

	if (spec == NULL || spec->name == NULL)
		PANIC("%s: no server spec", __func__);
	server_setup(&srv, argc, argv);
	server_status_watch_lifeline(&srv);
	if (spec->mode == SERVER_TRIGGER)
		server_trigger_start(&srv);
	else
		server_accept_start(&srv);
	server_idle_arm(&srv);
	/* The first idle record also says "ready" to the master and tests. */
	server_status_report(&srv, false, true);
	log_debug("service %s ready", srv.service);
	while (!srv.finished)
		if (event_loop_run(srv.loop) != 0)
			log_fatal("event loop failed");
	server_teardown(&srv);
	return 0;
}

/* ---- accessors for daemons ---- */

const struct conf *
server_conf(const struct server *srv)
{
	return srv->conf;
}

struct event_loop *
server_loop(struct server *srv)
{
	return srv->loop;
}

const char *
server_service(const struct server *srv)
{
	return srv->service;
}

const char *const *
server_args(const struct server *srv, size_t *nargs_out)
{
	*nargs_out = srv->nargs;
	return srv->args;
}

void
server_set_ctx(struct server *srv, void *ctx)
{
	srv->ctx = ctx;
}

void *
server_ctx(const struct server *srv)
{
	return srv->ctx;
}

void
server_stop(struct server *srv)
{
	srv->retiring = true;
	if (srv->spec->mode == SERVER_EVENT && srv->nclients > 0) {
		server_accept_after_client(srv);
		return;
	}
	server_finish(srv, "stopped by the daemon");
}
