/* SPDX-License-Identifier: MIT */
/*
 * The server skeleton: every daemon's main() fills a struct server_spec
 * and calls server_main(). The skeleton alone does the generic work:
 * options, configuration and logging, the listening socket on its fixed
 * descriptor, busy/idle reports to the master, noticing the master's
 * death, chroot and privilege drop (skipped with one log line when not
 * started as root), signals, max_idle and max_use, the event loop.
 */
#ifndef SERVER_SERVER_H
#define SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>

struct conf;
struct event_loop;
struct server;

enum server_mode {
	/* One client at a time; the process is reused up to max_use. */
	SERVER_ONE_CLIENT,
	/* Many clients in one event loop (imapd, authd). */
	SERVER_EVENT,
	/* Woken by bytes on a fifo or unix socket (qmgr, pickup). */
	SERVER_TRIGGER,
};

struct server_spec {
	const char *name;	/* program name, e.g. "smtpd" */
	enum server_mode mode;
	/*
	 * The main.cf parameter naming the user this process runs as
	 * ("mail_owner", "mail_store_owner", "auth_owner").
	 */
	const char *user_param;
	/* As root, before chroot and privilege drop: open what needs root. */
	void (*pre_jail)(struct server *srv);
	/* After the jail, before the first client. */
	void (*post_jail)(struct server *srv);
	/*
	 * SERVER_ONE_CLIENT: serve the connected client to completion; the
	 * skeleton closes fd afterwards. SERVER_EVENT: take fd into the loop
	 * and call server_client_done() when that client ends.
	 */
	void (*on_client)(struct server *srv, int fd);
	/* SERVER_TRIGGER: the bytes that woke us (may be several triggers). */
	void (*on_trigger)(struct server *srv, const char *data, size_t len);
	/* Before a normal exit (max_use, max_idle, SIGTERM, master gone). */
	void (*on_exit)(struct server *srv);
};

/* Parse options, set up, run; returns the process exit status. */
int server_main(int argc, char **argv, const struct server_spec *spec);

/* The validated settings, borrowed for the life of the process. */
const struct conf *server_conf(const struct server *srv);
/* The loop every mode runs on; daemons may add their own watches. */
struct event_loop *server_loop(struct server *srv);
/* The master.cf service name ("smtp", "submission", "127.0.0.1:2525"). */
const char *server_service(const struct server *srv);
/* Extra master.cf arguments after the -o pairs. */
const char *const *server_args(const struct server *srv, size_t *nargs_out);
/* Daemon state, for hooks. */
void server_set_ctx(struct server *srv, void *ctx);
void *server_ctx(const struct server *srv);
/* SERVER_EVENT: one client ended (for idle and max_use accounting). */
void server_client_done(struct server *srv);
/* Ask the skeleton to exit after the current client or event. */
void server_stop(struct server *srv);

#endif
