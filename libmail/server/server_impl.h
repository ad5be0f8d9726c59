/* SPDX-License-Identifier: MIT */
/*
 * Private to the server skeleton (libmail/server/server_*.c): the state
 * of the one server of this process, and the functions the skeleton's
 * files share. Daemons include server.h only.
 */
#ifndef SERVER_SERVER_IMPL_H
#define SERVER_SERVER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/server.h"

struct server_trigger_conn;

struct server {
	const struct server_spec *spec;
	/* Options (server_opts.c). */
	const char *service;
	const char *type;
	const char *config_dir;
	const char **overrides; /* "name=value", borrowed from argv */
	size_t noverrides;
	const char *const *args;
	size_t nargs;
	bool master_root; /* -S */
	bool chroot; /* -r */
	bool foreground; /* -f */
	bool verbose; /* -v */

	struct conf *conf;
	struct event_loop *loop;
	void *ctx;
	int listen_fd;
	bool lifeline_open;

	/* Accounting for max_use, max_idle and the status records. */
	unsigned long long served;
	size_t nclients;
	long long client_limit;
	bool listen_watched; /* the listen fd is in the loop */
	bool paused; /* listen watch off (SERVER_EVENT at limit) */
	bool status_broken; /* the status pipe gave EPIPE */
	bool retiring; /* accept no more clients */
	bool finished; /* the loop is stopping for good */
	bool busy_reported;
	uint64_t idle_timer;
	struct server_trigger_conn *trigger_conns;
};

/* server_opts.c: argv, then configuration and logging. Fatal on error. */
void server_opts_parse(struct server *srv, int argc, char **argv);
void server_opts_load_conf(struct server *srv);
void server_opts_setup_log(struct server *srv);

/* server_priv.c: working directory, pre_jail, chroot, privilege drop. */
void server_priv_jail(struct server *srv);

/*
 * server_status.c: the master's descriptors. check_fds is fatal when
 * they are missing; report writes one "B"/"I" record (only on a change
 * unless force); the lifeline watch calls server_master_gone().
 */
void server_status_check_fds(const struct server *srv);
void server_status_report(struct server *srv, bool busy, bool force);
void server_status_watch_lifeline(struct server *srv);
/* A non-blocking look at the lifeline between clients; true if gone. */
bool server_status_lifeline_gone(struct server *srv);

/* server.c: the shared exit and idle logic of all modes. */
void server_finish(struct server *srv, const char *why);
void server_master_gone(struct server *srv);
void server_idle_arm(struct server *srv);
void server_idle_cancel(struct server *srv);
/* True when this process has served its max_use (never if persistent). */
bool server_used_up(const struct server *srv);

/*
 * server_accept.c and server_trigger.c: install the mode's watches.
 * server_accept_after_client re-evaluates a SERVER_EVENT process after
 * its client count or retiring flag changed: listen watch, status
 * record, idle timer, exit once retired and empty.
 */
void server_accept_start(struct server *srv);
void server_accept_after_client(struct server *srv);
void server_trigger_start(struct server *srv);
void server_trigger_close_all(struct server *srv);

#endif
