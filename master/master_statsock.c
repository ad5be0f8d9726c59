/* SPDX-License-Identifier: MIT */
/*
 * The status socket, queue_directory/pid/master.sock (0600, so only the
 * master's own user can connect): postern(1) asks for live state
 * (req=status), a reload (req=reload) or a stop (req=stop), in the IPC
 * codec after the usual handshake. The protocol is in docs/master.md.
 * Clients are local and privileged, but a bad frame still only closes
 * the connection.
 */
#include "master.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "ipc/ipc_msg.h"
#include "ipc/ipc_sock.h"
#include "server/master_proto.h"

/* Each step runs when the socket is readable: a whole frame is near. */
#define MASTER_STATSOCK_IO_MS 1000
#define MASTER_STATSOCK_IDLE_MS 30000

struct master_statconn {
	struct master *m;
	int fd;
	bool greeted;
	uint64_t timer;
	struct master_statconn *next;
};

static void
master_statsock_drop(struct master_statconn *c)
{
	struct master_statconn **pp;

	for (pp = &c->m->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->timer != 0)
		event_timer_cancel(c->m->loop, c->timer);
	event_fd_remove(c->m->loop, c->fd);
	close(c->fd);
	free(c);
}

static const char *
master_statsock_state(const struct master_service *svc)
{
	if (svc->draining)
		return "draining";
	if (svc->throttled)
		return "throttled";
	return "running";
}

/* The attribute name svc<i>_<field>, in name (IPC_NAME_MAX + 1 bytes). */
static const char *
master_statsock_attr(char *name, size_t i, const char *field)
{
	int n = snprintf(name, IPC_NAME_MAX + 1, "svc%zu_%s", i, field);

	if (n < 0 || n > IPC_NAME_MAX)
		PANIC(
		    "%s: attribute name for service %zu too long", __func__, i);
	return name;
}

/* One service as attributes svc<i>_<field>. */
static void
master_statsock_service(
    struct ipc_msg *msg, size_t i, const struct master_service *svc)
{
	const struct master_proc *proc;
	char n[IPC_NAME_MAX + 1];
	struct buf b;
	size_t j;

	buf_init(&b);
	ipc_msg_add_str(
	    msg, master_statsock_attr(n, i, "name"), svc->def->name);
	ipc_msg_add_str(msg, master_statsock_attr(n, i, "type"),
	    mastercf_type_name(svc->def->type));
	for (j = 0; j < svc->nlst; j++)
		buf_printf(&b, "%s%s", j ? " " : "", svc->lst[j]->addr.text);
	ipc_msg_add_str(msg, master_statsock_attr(n, i, "listen"), b.data);
	ipc_msg_add_str(
	    msg, master_statsock_attr(n, i, "command"), svc->def->cmdline);
	ipc_msg_add_num(
	    msg, master_statsock_attr(n, i, "maxproc"), svc->def->maxproc);
	ipc_msg_add_num(msg, master_statsock_attr(n, i, "procs"), svc->nprocs);
	ipc_msg_add_num(msg, master_statsock_attr(n, i, "busy"), svc->nbusy);
	buf_reset(&b);
	for (proc = svc->procs; proc != NULL; proc = proc->next)
		buf_printf(&b, "%s%ld", b.len ? " " : "", (long)proc->pid);
	ipc_msg_add_str(msg, master_statsock_attr(n, i, "pids"), b.data);
	ipc_msg_add_num(msg, master_statsock_attr(n, i, "started"),
	    (long long)svc->started);
	ipc_msg_add_num(msg, master_statsock_attr(n, i, "connections"),
	    (long long)svc->connections);
	ipc_msg_add_str(msg, master_statsock_attr(n, i, "state"),
	    master_statsock_state(svc));
	buf_deinit(&b);
}

static void
master_statsock_status(const struct master *m, struct ipc_msg *msg)
{
	const struct master_service *svc;
	size_t n = 0;

	ipc_msg_add_str(msg, "status", "ok");
	ipc_msg_add_str(msg, "version", POSTERN_VERSION);
	ipc_msg_add_num(msg, "pid", (long long)getpid());
	ipc_msg_add_str(msg, "config_directory", m->opts.config_dir);
	ipc_msg_add_num(msg, "started", (long long)m->started);
	ipc_msg_add_num(msg, "generation", m->gen);
	ipc_msg_add_str(msg, "state", m->stopping ? "stopping" : "running");
	for (svc = m->services; svc != NULL; svc = svc->next)
		n++;
	ipc_msg_add_num(msg, "services", (long long)n);
	n = 0;
	for (svc = m->services; svc != NULL; svc = svc->next)
		master_statsock_service(msg, n++, svc);
}

static void
master_statsock_error(struct ipc_msg *msg, const char *reason)
{
	ipc_msg_add_str(msg, "status", "error");
	ipc_msg_add_str(msg, "reason", reason);
}

/* Answer one request; returns true when the master should stop. */
static bool
master_statsock_answer(struct master *m, const char *verb, struct ipc_msg *msg)
{
	struct err err;

	err_clear(&err);
	if (strcmp(verb, "status") == 0) {
		master_statsock_status(m, msg);
	} else if (strcmp(verb, "reload") == 0) {
		if (master_reload(m, &err) < 0)
			master_statsock_error(msg, err.text);
		else
			ipc_msg_add_str(msg, "status", "ok");
	} else if (strcmp(verb, "stop") == 0) {
		ipc_msg_add_str(msg, "status", "ok");
		return true;
	} else {
		master_statsock_error(msg, "unknown request");
	}
	return false;
}

static void
master_statsock_request(struct master_statconn *c)
{
	struct master *m = c->m;
	struct ipc_reader rd;
	struct ipc_msg msg;
	const char *verb;
	struct err err;
	bool stop = false;
	int rc;

	err_clear(&err);
	ipc_reader_init(&rd);
	ipc_msg_init(&msg);
	rc = ipc_sock_recv(
	    c->fd, &rd, IPC_FRAME_MAX_DEFAULT, MASTER_STATSOCK_IO_MS, &err);
	if (rc == 0)
		rc = ipc_get_str(&rd, "req", true, &verb, &err) < 0 ? -1 : 0;
	if (rc == 0) {
		stop = master_statsock_answer(m, verb, &msg);
		rc = ipc_reader_done(&rd, &err);
	}
	if (rc == 0) {
		ipc_msg_finish(&msg);
		rc = ipc_sock_send(c->fd, &msg, MASTER_STATSOCK_IO_MS, &err);
	}
	ipc_msg_deinit(&msg);
	ipc_reader_deinit(&rd);
	/* EOF after a complete exchange is how a client says goodbye. */
	if (rc < 0 && strcmp(err.text, "connection closed by peer") != 0)
		log_warning("status socket: %s", err.text);
	if (rc < 0 || stop)
		master_statsock_drop(c);
	if (stop)
		master_stop_begin(m, "terminating on a stop request");
}

static void
master_statsock_conn_event(
    struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct master_statconn *c = ctx;
	struct err err;

	(void)loop;
	(void)fd;
	(void)events;
	if (c->greeted) {
		master_statsock_request(c);
		return;
	}
	err_clear(&err);
	if (ipc_sock_hello_server(c->fd, MASTER_IPC_SERVICE, MASTER_IPC_MAJOR,
	        MASTER_STATSOCK_IO_MS, &err) < 0) {
		log_warning("status socket: handshake: %s", err.text);
		master_statsock_drop(c);
		return;
	}
	c->greeted = true;
}

static void
master_statsock_idle(struct event_loop *loop, void *ctx)
{
	struct master_statconn *c = ctx;

	(void)loop;
	c->timer = 0;
	master_statsock_drop(c);
}

static void
master_statsock_accept(
    struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct master *m = ctx;
	struct master_statconn *c;
	int cfd;

	(void)events;
	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warning_errno(errno, "status socket: accept");
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->m = m;
	c->fd = cfd;
	if (event_fd_add(loop, cfd, EVENT_READ, master_statsock_conn_event, c) <
	    0) {
		log_warning_errno(errno, "status socket: watch");
		close(cfd);
		free(c);
		return;
	}
	c->timer = event_timer_add(
	    loop, MASTER_STATSOCK_IDLE_MS, master_statsock_idle, c);
	c->next = m->conns;
	m->conns = c;
}

int
master_statsock_open(struct master *m, const char *queue_dir, struct err *err)
{
	m->sock_path = xasprintf("%s/%s", queue_dir, MASTER_STATUS_SOCKET);
	m->stat_fd = ipc_sock_listen(m->sock_path, 0600, 16, err);
	if (m->stat_fd < 0)
		return -1;
	if (event_fd_add(m->loop, m->stat_fd, EVENT_READ,
	        master_statsock_accept, m) < 0) {
		err_set(err, ERR_TEMP, "", "watch %s: %s", m->sock_path,
		    strerror(errno));
		master_statsock_close(m);
		return -1;
	}
	return 0;
}

void
master_statsock_close(struct master *m)
{
	while (m->conns != NULL)
		master_statsock_drop(m->conns);
	if (m->stat_fd >= 0) {
		event_fd_remove(m->loop, m->stat_fd);
		close(m->stat_fd);
		m->stat_fd = -1;
	}
	if (m->sock_path != NULL) {
		(void)unlink(m->sock_path);
		free(m->sock_path);
		m->sock_path = NULL;
	}
}
