/* SPDX-License-Identifier: MIT */
/*
 * The client stub of the master's status socket
 * (queue_directory/pid/master.sock; protocol in docs/master.md) and of
 * its pid file lock, used by postern(1) for start, stop, reload and
 * status.
 */
#ifndef IPC_MASTER_CLIENT_H
#define IPC_MASTER_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

struct arena;

/* One service of a status reply; strings live in the caller's arena. */
struct master_client_svc {
	const char *name;
	const char *type;
	const char *listen;	/* addresses separated by spaces */
	const char *command;
	const char *pids;	/* separated by spaces */
	const char *state;	/* running, throttled, draining */
	long long maxproc;	/* 0 = no limit */
	long long procs;
	long long busy;
	long long started;	/* time_t */
	long long connections;
};

struct master_client_status {
	const char *version;
	const char *config_directory;
	const char *state;	/* running, stopping */
	long long pid;
	long long started;
	long long generation;
	size_t nservices;
	struct master_client_svc *services;
};

/*
 * Send req=<verb> ("status", "reload", "stop") to the master of the
 * instance whose queue directory is queue_dir and read the reply. When
 * status_out is non-NULL the reply is decoded into it, strings in
 * arena a. Blocks up to a few seconds. 0, or -1 with err filled (the
 * master is not reachable, or it answered status=error with a reason).
 */
int master_client_request(const char *queue_dir, const char *verb,
    struct arena *a, struct master_client_status *status_out,
    struct err *err);

/*
 * Whether a master holds the pid file lock: 1 with *pid_out set, 0 when
 * none does (no file, or an unlocked stale one), -1 with err filled.
 */
int master_client_running(const char *queue_dir, pid_t *pid_out,
    struct err *err);

/*
 * Wait until the master holding the pid file lock has exited (its lock
 * is released when the process ends), at most timeout_s seconds. Blocks.
 * 0 when it is gone, -1 with err filled on time-out or error.
 */
int master_client_wait_gone(const char *queue_dir, unsigned timeout_s,
    struct err *err);

#endif
