/* SPDX-License-Identifier: MIT */
/*
 * postern(1)'s client of the master: requests on its status socket in
 * the IPC codec (docs/master.md) and the fcntl lock on its pid file,
 * which tells whether a master runs and when it has gone. The master's
 * replies are checked like any peer's: bounded numbers, required names.
 */
#include "ipc/master_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/xmalloc.h"
#include "ipc/ipc_msg.h"
#include "ipc/ipc_sock.h"
#include "server/master_proto.h"

#define MASTER_CLIENT_IO_MS		5000
/* Far above any real master.cf; bounds what a reply can make us allocate. */
#define MASTER_CLIENT_MAX_SERVICES	10000

static const char *
master_client_str(struct ipc_reader *rd, struct arena *a, const char *name,
    struct err *err)
{
	const char *value;

	if (ipc_get_str(rd, name, true, &value, err) != 1)
		return NULL;
	return arena_strdup(a, value);
}

static int
master_client_decode_svc(struct ipc_reader *rd, struct arena *a, size_t i,
    struct master_client_svc *s, struct err *err)
{
	char n[IPC_NAME_MAX + 1];

#define SVC(field) (snprintf(n, sizeof(n), "svc%zu_%s", i, field), n)
	if ((s->name = master_client_str(rd, a, SVC("name"), err)) == NULL ||
	    (s->type = master_client_str(rd, a, SVC("type"), err)) == NULL ||
	    (s->listen = master_client_str(rd, a, SVC("listen"), err))
	    == NULL ||
	    (s->command = master_client_str(rd, a, SVC("command"), err))
	    == NULL ||
	    (s->pids = master_client_str(rd, a, SVC("pids"), err)) == NULL ||
	    (s->state = master_client_str(rd, a, SVC("state"), err)) == NULL)
		return -1;
	if (ipc_get_num(rd, SVC("maxproc"), true, 0, INT_MAX, &s->maxproc,
	    err) != 1 ||
	    ipc_get_num(rd, SVC("procs"), true, 0, INT_MAX, &s->procs, err)
	    != 1 ||
	    ipc_get_num(rd, SVC("busy"), true, 0, INT_MAX, &s->busy, err)
	    != 1 ||
	    ipc_get_num(rd, SVC("started"), true, 0, LLONG_MAX, &s->started,
	    err) != 1 ||
	    ipc_get_num(rd, SVC("connections"), true, 0, LLONG_MAX,
	    &s->connections, err) != 1)
		return -1;
#undef SVC
	return 0;
}

static int
master_client_decode(struct ipc_reader *rd, struct arena *a,
    struct master_client_status *st, struct err *err)
{
	long long n;
	size_t i;

	if ((st->version = master_client_str(rd, a, "version", err)) == NULL ||
	    (st->config_directory = master_client_str(rd, a,
	    "config_directory", err)) == NULL ||
	    (st->state = master_client_str(rd, a, "state", err)) == NULL ||
	    ipc_get_num(rd, "pid", true, 1, INT_MAX, &st->pid, err) != 1 ||
	    ipc_get_num(rd, "started", true, 0, LLONG_MAX, &st->started, err)
	    != 1 ||
	    ipc_get_num(rd, "generation", true, 0, LLONG_MAX,
	    &st->generation, err) != 1 ||
	    ipc_get_num(rd, "services", true, 0, MASTER_CLIENT_MAX_SERVICES,
	    &n, err) != 1)
		return -1;
	st->nservices = (size_t)n;
	st->services = arena_zalloc(a, sizeof(*st->services) * (st->nservices
	    + 1));
	for (i = 0; i < st->nservices; i++)
		if (master_client_decode_svc(rd, a, i, &st->services[i], err)
		    != 0)
			return -1;
	return 0;
}

/* Read the reply's status; status=error carries the master's reason. */
static int
master_client_reply(struct ipc_reader *rd, struct arena *a,
    struct master_client_status *status_out, struct err *err)
{
	const char *status, *reason;

	if (ipc_get_str(rd, "status", true, &status, err) != 1)
		return -1;
	if (strcmp(status, "ok") != 0) {
		if (ipc_get_str(rd, "reason", false, &reason, err) != 1)
			reason = status;
		return err_set(err, ERR_PERM, "", "the master refused: %s",
		    reason);
	}
	if (status_out != NULL &&
	    master_client_decode(rd, a, status_out, err) != 0)
		return -1;
	return ipc_reader_done(rd, err);
}

int
master_client_request(const char *queue_dir, const char *verb,
    struct arena *a, struct master_client_status *status_out,
    struct err *err)
{
	char *path = xasprintf("%s/%s", queue_dir, MASTER_STATUS_SOCKET);
	struct ipc_reader rd;
	struct ipc_msg msg;
	int fd, rc;

	fd = ipc_sock_connect(path, MASTER_CLIENT_IO_MS, err);
	if (fd < 0) {
		err_prefix(err, "%s", path);
		free(path);
		return -1;
	}
	free(path);
	ipc_msg_init(&msg);
	ipc_reader_init(&rd);
	ipc_msg_add_str(&msg, "req", verb);
	ipc_msg_finish(&msg);
	rc = ipc_sock_hello_client(fd, MASTER_IPC_SERVICE,
	    MASTER_IPC_MAJOR, MASTER_IPC_MINOR, MASTER_CLIENT_IO_MS,
	    err);
	if (rc == 0)
		rc = ipc_sock_send(fd, &msg, MASTER_CLIENT_IO_MS, err);
	if (rc == 0)
		rc = ipc_sock_recv(fd, &rd, IPC_FRAME_MAX_DEFAULT,
		    MASTER_CLIENT_IO_MS, err);
	if (rc == 0)
		rc = master_client_reply(&rd, a, status_out, err);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&msg);
	close(fd);
	return rc;
}

int
master_client_running(const char *queue_dir, pid_t *pid_out,
    struct err *err)
{
	char *path = xasprintf("%s/%s", queue_dir, MASTER_PID_FILE);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno != ENOENT)
			rc = err_set(err, ERR_TEMP, "", "open %s: %s", path,
			    strerror(errno));
	} else if (fcntl(fd, F_GETLK, &fl) != 0) {
		rc = err_set(err, ERR_TEMP, "", "lock test %s: %s", path,
		    strerror(errno));
	} else if (fl.l_type != F_UNLCK) {
		*pid_out = fl.l_pid;
		rc = 1;
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

/* Only interrupts the blocking lock wait below. */
static void
master_client_alarm(int sig)
{
	(void)sig;
}

int
master_client_wait_gone(const char *queue_dir, unsigned timeout_s,
    struct err *err)
{
	char *path = xasprintf("%s/%s", queue_dir, MASTER_PID_FILE);
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	struct sigaction sa = { .sa_handler = master_client_alarm }, old;
	int fd, e, rc = 0;

	/* No file: the master unlinked it on its way out. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno != ENOENT)
			rc = err_set(err, ERR_TEMP, "", "open %s: %s", path,
			    strerror(errno));
		free(path);
		return rc;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarm(timeout_s);
	/* The master's write lock blocks this read lock until it exits. */
	if (fcntl(fd, F_SETLKW, &fl) != 0) {
		e = errno;
		if (e == EINTR)
			rc = err_set(err, ERR_TEMP, "", "the master did not "
			    "stop within %u seconds", timeout_s);
		else
			rc = err_set(err, ERR_TEMP, "", "waiting for the "
			    "master: %s", strerror(e));
	}
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	close(fd);
	free(path);
	return rc;
}
