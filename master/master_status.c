/* SPDX-License-Identifier: MIT */
/*
 * Busy/idle accounting and the on-demand process policy, as in Postfix:
 * while a listener has no idle process and its service is below maxproc
 * and not throttled, the master itself watches the listener and starts a
 * process when a client (or trigger) is waiting. Status records come
 * from unprivileged children and are checked strictly; a bad one is
 * logged and skipped, never trusted.
 */
#include "master.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/event.h"
#include "core/log.h"
#include "server/master_proto.h"

/* Bound the bytes kept while resynchronising after garbage. */
#define MASTER_STATUS_BUFMAX (MASTER_STATUS_LEN * 256)

/* "B 0000012345\n": kind, pid. 0, or -1 when malformed. */
static int
master_status_parse(const char *rec, char *kind_out, pid_t *pid_out)
{
	long long pid = 0;
	int i;

	if ((rec[0] != MASTER_STATUS_BUSY && rec[0] != MASTER_STATUS_IDLE) ||
	    rec[1] != ' ' || rec[MASTER_STATUS_LEN - 1] != '\n')
		return -1;
	for (i = 2; i < MASTER_STATUS_LEN - 1; i++) {
		if (rec[i] < '0' || rec[i] > '9')
			return -1;
		pid = pid * 10 + (rec[i] - '0');
	}
	if (pid <= 0 || (long long)(pid_t)pid != pid)
		return -1;
	*kind_out = rec[0];
	*pid_out = (pid_t)pid;
	return 0;
}

static void
master_status_record(struct master_service *svc, char kind, pid_t pid)
{
	struct master_proc *proc = master_reap_find(svc, pid);

	/* A process may write its last record and be reaped before we read. */
	if (proc == NULL) {
		log_debug("service %s: status for unknown pid %ld",
		    svc->def->name, (long)pid);
		return;
	}
	if (kind == MASTER_STATUS_BUSY && !proc->busy) {
		proc->busy = true;
		svc->nbusy++;
		svc->connections++;
		if (proc->lst != NULL)
			proc->lst->avail--;
	} else if (kind == MASTER_STATUS_IDLE && proc->busy) {
		proc->busy = false;
		svc->nbusy--;
		if (proc->lst != NULL)
			proc->lst->avail++;
	}
}

/* Consume whole records; after garbage, skip to the next newline. */
static void
master_status_drain(struct master_service *svc)
{
	struct buf *in = &svc->status_in;
	const char *nl;
	pid_t pid;
	char kind;

	while (in->len >= MASTER_STATUS_LEN) {
		if (master_status_parse(in->data, &kind, &pid) == 0) {
			master_status_record(svc, kind, pid);
			buf_consume(in, MASTER_STATUS_LEN);
			continue;
		}
		log_warning("service %s: malformed status record ignored",
		    svc->def->name);
		nl = memchr(in->data, '\n', in->len);
		buf_consume(
		    in, nl != NULL ? (size_t)(nl - in->data) + 1 : in->len);
	}
}

static void
master_status_event(struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct master_service *svc = ctx;
	char chunk[MASTER_STATUS_LEN * 64];
	ssize_t n;

	(void)loop;
	(void)events;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_append(&svc->status_in, chunk, (size_t)n);
		master_status_drain(svc);
		if (svc->status_in.len > MASTER_STATUS_BUFMAX)
			buf_reset(&svc->status_in);
	}
	if (n < 0 && errno != EAGAIN)
		log_warning_errno(
		    errno, "service %s: read status", svc->def->name);
	master_status_listen(svc);
	master_status_sweep(svc->m, false);
}

void
master_status_attach(struct master_service *svc)
{
	if (event_fd_add(svc->m->loop, svc->status_fd[0], EVENT_READ,
	        master_status_event, svc) < 0)
		log_fatal_errno(
		    errno, "service %s: watch status pipe", svc->def->name);
}

void
master_status_detach(struct master_service *svc)
{
	event_fd_remove(svc->m->loop, svc->status_fd[0]);
}

/* A client or trigger waits and nobody takes it: start a process. */
static void
master_status_listener_event(
    struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct master_listener *lst = ctx;
	struct master_service *svc = lst->svc;

	(void)loop;
	(void)fd;
	(void)events;
	if (!lst->watching)
		return;
	if (master_spawn(svc->m, lst) < 0)
		master_reap_throttle(svc);
}

void
master_status_listener_add(struct master *m, struct master_listener *lst)
{
	if (event_fd_add(
	        m->loop, lst->fd, 0, master_status_listener_event, lst) < 0)
		log_fatal_errno(errno, "watch listener %s", lst->addr.text);
	lst->registered = true;
	lst->watching = false;
}

void
master_status_listen(struct master_service *svc)
{
	const struct master *m = svc->m;
	int maxproc = svc->def->maxproc;
	bool room, want;
	size_t i;

	room = !svc->draining && !svc->throttled && !m->stopping &&
	    (maxproc == 0 || svc->nprocs < maxproc);
	for (i = 0; i < svc->nlst; i++) {
		struct master_listener *lst = svc->lst[i];

		want = room && lst->avail <= 0;
		if (want == lst->watching || !lst->registered)
			continue;
		if (event_fd_modify(m->loop, lst->fd, want ? EVENT_READ : 0) <
		    0)
			log_fatal_errno(
			    errno, "watch listener %s", lst->addr.text);
		lst->watching = want;
	}
}

void
master_status_retire_all(struct master *m)
{
	struct master_service *svc;
	struct master_proc *proc;
	size_t i;

	for (svc = m->services; svc != NULL; svc = svc->next) {
		for (proc = svc->procs; proc != NULL; proc = proc->next)
			proc->lst = NULL;
		for (i = 0; i < svc->nlst; i++)
			svc->lst[i]->avail = 0;
	}
}

void
master_status_sweep(struct master *m, bool all)
{
	const struct master_service *svc;
	const struct master_proc *proc;
	size_t i;

	if (m->nretired == 0)
		return;
	for (svc = m->services; svc != NULL && !all; svc = svc->next) {
		for (proc = svc->procs; proc != NULL; proc = proc->next) {
			/* Idle, or started and not yet reported busy. */
			if (proc->gen != m->gen && !proc->busy)
				return;
		}
	}
	for (i = 0; i < m->nretired; i++) {
		log_debug(
		    "closing retired listener %s", m->retired[i]->addr.text);
		master_listen_shutdown(m, &m->retired[i]);
	}
	free(m->retired);
	m->retired = NULL;
	m->nretired = 0;
}
