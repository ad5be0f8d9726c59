/* SPDX-License-Identifier: MIT */
/*
 * The server skeleton: every daemon's main() fills a struct server_spec
 * and calls server_main(). The skeleton alone does the generic work:
 * options, configuration and logging, the listening socket on its fixed
 * descriptor, busy/idle reports to the master, noticing the master's
 * death, chroot and privilege drop (skipped with one log line when not
 * started as root), signals, max_idle and max_use, the event loop.
 *
 * Start-up order: options; the master's descriptors (a process started
 * by hand without them fails with a clear message); conf_load() of
 * <config_directory>/main.cf with the -o overrides; logging (log_level,
 * maillog_file, syslog_enable; -v means debug, -f adds stderr); chdir to
 * queue_directory; pre_jail; as root, the lookup of the user named by
 * user_param, chroot to queue_directory when -r was given, then
 * initgroups, setgid, setuid and a check that root cannot be regained;
 * post_jail; the first "I" status record, which also tells the master
 * (and tests) that the process is ready; the mode's loop.
 *
 * The working directory is always queue_directory (inside or outside
 * the chroot), so daemons reach queue files by relative paths.
 *
 * Status records (server/master_proto.h), per mode:
 *   SERVER_ONE_CLIENT  "B" on accept, "I" after on_client returns.
 *   SERVER_EVENT       "B" only while the process cannot take another
 *                      client (client_limit reached, or max_use used up
 *                      and the process is draining), so the master starts
 *                      another; "I" again when it can.
 *   SERVER_TRIGGER     "B" while on_trigger runs, "I" after.
 *
 * Exits (each runs on_exit once, then server_main returns 0): SIGTERM
 * between clients; max_idle seconds without a client; max_use clients
 * (SERVER_EVENT: once the last of them has ended); server_stop(); EOF
 * on the lifeline, i.e. the master is gone or reloaded (SERVER_EVENT
 * stops accepting and exits when its last client ends, so a reload
 * drops no session). While a SERVER_ONE_CLIENT process serves a client,
 * SIGTERM ends it at once with status 0, without on_exit: the session
 * code blocks, and the master's stop must not wait for a slow client.
 * SIGPIPE is ignored in every mode, and SIGTERM is blocked (read through
 * the loop's signalfd); both survive execve(), so a daemon that runs a
 * command must restore SIGPIPE and unblock signals in the child.
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
	const char *name; /* program name, e.g. "smtpd" */
	enum server_mode mode;
	/*
	 * The main.cf parameter naming the user this process runs as
	 * ("mail_owner", "mail_store_owner", "auth_owner"); NULL means
	 * "mail_owner". That user must not be root.
	 */
	const char *user_param;
	/*
	 * When set, the user is named by the master.cf argument
	 * "<user_arg>=name" instead (pipe: "user"), which is then required;
	 * root is refused as with user_param.
	 */
	const char *user_arg;
	/*
	 * The main.cf parameter naming the directory this process chroots
	 * to when master.cf says chroot y ("mail_store_directory" for
	 * imapd); NULL means queue_directory. The working directory after
	 * the jail is its root.
	 */
	const char *chroot_param;
	/* As root, before chroot and privilege drop: open what needs root. */
	void (*pre_jail)(struct server *srv);
	/* After the jail, before the first client. */
	void (*post_jail)(struct server *srv);
	/*
	 * SERVER_ONE_CLIENT: serve the connected client to completion; the
	 * skeleton closes fd afterwards. SERVER_EVENT: take fd into the loop
	 * and call server_client_done() when that client ends. fd is
	 * blocking and close-on-exec.
	 */
	void (*on_client)(struct server *srv, int fd);
	/*
	 * SERVER_TRIGGER: the bytes that woke us (may be several triggers),
	 * read from the fifo, or from one client of the unix socket; data
	 * is borrowed for the call.
	 */
	void (*on_trigger)(struct server *srv, const char *data, size_t len);
	/* Before a normal exit (max_use, max_idle, SIGTERM, master gone). */
	void (*on_exit)(struct server *srv);
	/*
	 * Ignore max_idle and max_use: the process lives until SIGTERM or
	 * the master goes away (qmgr, which holds the schedule in memory).
	 */
	bool persistent;
};

/*
 * Parse options (-n service -t type -c config_directory -o name=value
 * ... -S -r -f -v, then the master.cf arguments), set up, run; returns
 * the process exit status (0) after a normal exit. Set-up failures are
 * fatal (log_fatal: exit 1). Call once per process.
 */
int server_main(int argc, char **argv, const struct server_spec *spec);

/* The validated settings, borrowed for the life of the process. */
const struct conf *server_conf(const struct server *srv);
/* The loop every mode runs on; daemons may add their own watches. */
struct event_loop *server_loop(struct server *srv);
/* The master.cf service name ("smtp", "submission", "127.0.0.1:2525"). */
const char *server_service(const struct server *srv);
/* Extra master.cf arguments after the -o pairs; borrowed from argv. */
const char *const *server_args(const struct server *srv, size_t *nargs_out);
/* Daemon state, for hooks. */
void server_set_ctx(struct server *srv, void *ctx);
void *server_ctx(const struct server *srv);
/*
 * SERVER_EVENT: one client ended (for idle and max_use accounting); the
 * daemon has closed or will close its fd itself.
 */
void server_client_done(struct server *srv);
/*
 * Ask the skeleton to exit after the current client or event
 * (SERVER_EVENT: stop accepting, exit when the last client ends).
 */
void server_stop(struct server *srv);

#endif
