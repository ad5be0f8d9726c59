/* SPDX-License-Identifier: MIT */
/*
 * Private header of the master, the supervisor daemon. The master runs as
 * root when root starts it; it reads main.cf and master.cf, opens the
 * listeners, forks the services on demand, reaps them, and serves its
 * status socket to postern(1). It never parses network input: the only
 * untrusted bytes it reads are its children's status records.
 */
#ifndef MASTER_MASTER_H
#define MASTER_MASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "conf/mastercf.h"
#include "core/buf.h"
#include "core/err.h"

struct arena;
struct conf;
struct event_loop;

/* Command-line options (main.c). */
struct master_opts {
	const char *config_dir;
	bool foreground; /* -f: stay attached, log to stderr */
	bool verbose; /* -v */
	bool check; /* -t: validate the configuration and exit */
};

/* main.cf and master.cf, read together and replaced together. */
struct master_config {
	struct conf *conf;
	struct mastercf mcf;
	bool have_mcf;
	uid_t owner_uid; /* mail_owner, when the master is root */
	gid_t owner_gid;
};

/* One address a service listens on: an inet sockaddr or a path. */
struct master_addr {
	char *text; /* "127.0.0.1:2525", "[::1]:2525", a path */
	struct sockaddr_storage sa;
	socklen_t salen; /* 0 for unix sockets and fifos */
};

/*
 * What master.cf and main.cf say about one service, resolved: program
 * path, exec arguments, limits and addresses. Lives in its own arena so a
 * reload can swap it as a whole.
 */
struct master_svcdef {
	struct arena *arena;
	const char *name;
	enum mastercf_type type;
	const char *path; /* daemon_directory/command */
	const char *cmdline; /* command and arguments, for status */
	char **argv; /* exec arguments, NULL-terminated */
	bool private_svc;
	bool chroot;
	int wakeup; /* seconds; 0 = none */
	bool wakeup_if_used;
	int maxproc; /* 0 = no limit */
	struct master_addr *addrs;
	size_t naddrs;
	struct master_svcdef *next;
};

/*
 * An open listener. Each one runs its own pool of processes (a child gets
 * exactly one listening descriptor), sharing the service's maxproc.
 */
struct master_listener {
	struct master_service *svc;
	struct master_addr addr; /* text is heap-owned */
	int fd;
	int avail; /* current-generation processes not busy */
	bool registered; /* fd is in the event loop */
	bool watching; /* the master polls fd to spawn on demand */
	bool claimed; /* scratch flag during a reload */
};

/*
 * One child. Owned by svc->procs and freed only by the reaper, once the
 * child has been waited for; everybody else (status records, the status
 * socket) looks it up by pid and keeps no pointer across callbacks.
 */
struct master_proc {
	pid_t pid;
	struct master_service *svc;
	/*
	 * Borrowed from svc->lst; NULL once the process is retired (reload)
	 * or its listener is retired or closed (master_listen_retire/close
	 * clear it first), so it is never left dangling.
	 */
	struct master_listener *lst;
	unsigned gen;
	bool busy;
	time_t started;
	struct master_proc *next;
};

struct master_service {
	struct master *m;
	struct master_svcdef *def;
	struct master_listener **lst;
	size_t nlst;
	int status_fd[2]; /* children write [1]; the master reads [0] */
	struct buf status_in; /* partial status record */
	struct master_proc *procs;
	int nprocs;
	int nbusy;
	time_t started;
	unsigned long long connections;
	bool used; /* a process was started at least once */
	bool draining; /* removed by a reload; freed when empty */
	bool mark; /* scratch flag during a reload */
	bool throttled;
	uint64_t throttle_timer;
	long long backoff_ms;
	uint64_t wakeup_timer;
	struct master_service *next;
};

struct master_statconn;

/* The state of the running master; one per process, owned by main. */
struct master {
	struct master_opts opts;
	struct master_config cfg;
	struct event_loop *loop;
	struct master_service *services;
	bool root;
	unsigned gen;
	int lifeline[2]; /* current generation: children get [0] */
	int devnull;
	int lock_fd;
	int stat_fd;
	char *pid_path;
	char *sock_path;
	char **env; /* children's environment */
	struct arena *env_arena;
	time_t started;
	bool stopping;
	uint64_t stop_timer;
	struct master_statconn *conns;
	/*
	 * Listeners a reload dropped. Old processes may still hold them; they
	 * are shut down once no old process could accept again (see
	 * master_status_sweep), so a removed address stops taking clients.
	 */
	struct master_listener **retired;
	size_t nretired;
};

/* master_run.c: the whole life of the daemon; returns the exit status. */
int master_run(const struct master_opts *opts);

/* master_daemon.c */
/*
 * Detach from the terminal: fork, setsid. The parent waits until the
 * child calls master_daemon_ready() and exits 0, or exits 1 when the
 * child dies first. *ready_fd_out is -1 in the foreground.
 */
void master_daemon_detach(int *ready_fd_out);
/* Tell the waiting parent we are up; stdio becomes /dev/null. */
void master_daemon_ready(int *ready_fd, int devnull);

/* master_config.c */
/*
 * Read <dir>/main.cf and <dir>/master.cf and check what the master
 * itself needs (mail_owner exists when root). The caller owns cfg_out
 * (master_config_deinit). 0 or -1 with err filled (file:line where known).
 */
int master_config_load(
    const char *dir, bool root, struct master_config *cfg_out, struct err *err);
void master_config_deinit(struct master_config *cfg);
/* Apply log_level, maillog_file and syslog_enable of cfg. */
void master_config_logging(const struct master_config *cfg, bool verbose);

/* master_service.c */
/*
 * Build the service definitions from cfg, in master.cf order, into
 * *list_out (caller frees with master_service_free_defs; NULL when
 * nothing is runnable). A service whose program does not exist is
 * logged as a warning and left out. Returns 0, or -1 with err filled
 * ("master.cf:7: service smtp/inet: ...") when an address cannot be
 * resolved; nothing is left allocated then.
 */
int master_service_build(const struct master *m,
    const struct master_config *cfg, struct master_svcdef **list_out,
    struct err *err);
/* Free a list, or one definition; *p becomes NULL; NULL is a no-op. */
void master_service_free_defs(struct master_svcdef **listp);
void master_service_free_def(struct master_svcdef **defp);
/* The active (not draining) service name/type, or NULL. */
struct master_service *master_service_find(
    const struct master *m, const char *name, enum mastercf_type type);
/* A new service from def (takes def); opens its status pipe. */
struct master_service *master_service_new(
    struct master *m, struct master_svcdef *def);
/* Unlink svc from m->services and free it; it must have no processes. */
void master_service_free(struct master_service *svc);

/* master_listen.c */
/*
 * Resolve where a service listens: inet host:port, or each address of
 * inet_interfaces for the protocols of inet_protocols; a path below
 * queue_directory for unix and fifo. Addresses go in def's arena.
 */
int master_listen_resolve(const struct conf *conf,
    const struct mastercf_service *ent, struct master_svcdef *def,
    struct err *err);
/*
 * Open a listener for addr of a service of def's type. Unix sockets and
 * fifos below private/ are 0600 owned by mail_owner (when root), below
 * public/ 0666 (fifos 0622). Caller owns the result. NULL with err.
 */
struct master_listener *master_listen_open(const struct master *m,
    const struct master_config *cfg, const struct master_svcdef *def,
    const struct master_addr *addr, struct err *err);
/*
 * Stop watching and close; does not unlink socket files. NULL is a no-op.
 * Processes of lst's service that borrow it are detached from it first.
 */
void master_listen_close(struct master *m, struct master_listener **lstp);
/*
 * Take lst out of service (its processes are detached from it, as for
 * master_listen_close); it stays open until master_listen_shutdown.
 */
void master_listen_retire(struct master *m, struct master_listener *lst);
/*
 * Shut the socket down for every process that shares it (a listening TCP
 * or unix socket stops accepting at once), remove its path unless an
 * active listener uses it, and close it.
 */
void master_listen_shutdown(struct master *m, struct master_listener **lstp);
/* Create queue_directory/private and public when missing. 0 or -1. */
int master_listen_dirs(
    const struct master *m, const struct master_config *cfg, struct err *err);

/* master_spawn.c */
/* Build def->argv per master_proto.h. */
void master_spawn_argv(const struct master *m,
    const struct mastercf_service *ent, struct master_svcdef *def);
/* The children's environment from import_environment. */
void master_spawn_env(struct master *m, const struct conf *conf);
/* Start one process for lst; logs and returns -1 when fork fails. */
int master_spawn(struct master *m, struct master_listener *lst);

/* master_status.c */
/* Watch svc's status pipe (fatal if the loop refuses); stop watching. */
void master_status_attach(struct master_service *svc);
void master_status_detach(struct master_service *svc);
/*
 * The on-demand policy: watch each listener that has no idle process
 * while the service is below maxproc and not throttled; stop otherwise.
 * Call after every change of a service's or a process's state.
 */
void master_status_listen(struct master_service *svc);
/* Register the first watch of a fresh listener (paused). */
void master_status_listener_add(struct master *m, struct master_listener *lst);
/* Retire every process: none is counted available any more. */
void master_status_retire_all(struct master *m);
/*
 * Shut down the retired listeners once every process of an older
 * generation is busy or gone: a busy one checks its lifeline before it
 * accepts again and exits, so nobody takes a client from them any more.
 * With all=true, shut them down regardless (stop).
 */
void master_status_sweep(struct master *m, bool all);

/* master_reap.c */
/* Reap children through SIGCHLD on the event loop. 0 or -1 (errno). */
int master_reap_init(struct master *m);
/* Collect every exited child now; returns how many are left in total. */
int master_reap_now(struct master *m);
/*
 * Pause spawning for svc after a failure: 1 s, doubling per failure up
 * to service_throttle_time; a clean exit resets the back-off.
 */
void master_reap_throttle(struct master_service *svc);
/* Drop any throttle of svc (reload, removal). */
void master_reap_unthrottle(struct master_service *svc);
/* svc's process pid (borrowed until it is reaped), or NULL. */
struct master_proc *master_reap_find(
    const struct master_service *svc, pid_t pid);

/* master_wakeup.c */
/* (Re)arm the wakeup timer of svc from its definition; none when 0. */
void master_wakeup_start(struct master_service *svc);
/* Cancel it; safe when none is armed. */
void master_wakeup_stop(struct master_service *svc);

/* master_reload.c */
/*
 * Make the service table match cfg: update services in place, start
 * added ones, drain removed ones, keep listeners whose address did not
 * change. Every new listener is opened before anything changes, so a
 * failure leaves the running table untouched. Takes cfg on success.
 */
int master_reload_apply(
    struct master *m, struct master_config *cfg, struct err *err);
/*
 * Re-read both files and apply them. 0, or -1 with err filled and the
 * running configuration kept; either way the outcome is logged.
 */
int master_reload(struct master *m, struct err *err);
/* SIGHUP through the loop. 0 or -1 (errno). */
int master_reload_init(struct master *m);

/* master_lock.c */
/*
 * Create and lock queue_directory/pid/master.pid and write our pid.
 * -1 with err "the Postern master is already running (pid N)" when
 * another master holds it.
 */
int master_lock_acquire(
    struct master *m, const char *queue_dir, struct err *err);
/* Unlink and close the pid file; a no-op when not held. */
void master_lock_release(struct master *m);

/* master_statsock.c */
/*
 * Listen on queue_directory/pid/master.sock (0600) and serve it from the
 * loop (protocol in docs/master.md). 0 or -1 with err.
 */
int master_statsock_open(
    struct master *m, const char *queue_dir, struct err *err);
/* Close every client, the socket, and remove its path; idempotent. */
void master_statsock_close(struct master *m);

/* master_stop.c */
/* SIGTERM/SIGINT through the loop. 0 or -1 (errno). */
int master_stop_init(struct master *m);
/*
 * Graceful stop: close listeners, end the lifeline, SIGTERM children,
 * SIGKILL what is left after MASTER_STOP_MS, then leave the loop.
 */
void master_stop_begin(struct master *m, const char *why);
/* All children are gone (or killed): clean up and leave the loop. */
void master_stop_finish(struct master *m);

#define MASTER_STOP_MS 5000

#endif
