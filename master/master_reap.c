/* SPDX-License-Identifier: MIT */
/*
 * Child death: SIGCHLD arrives through the event loop, every exited child
 * is collected, abnormal exits are logged in Postfix's words, and a
 * service whose process failed is throttled with a doubling back-off so
 * a daemon that crashes at start-up does not spin.
 */
#include "master.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"

struct master_proc *
master_reap_find(const struct master_service *svc, pid_t pid)
{
	struct master_proc *proc;

	for (proc = svc->procs; proc != NULL; proc = proc->next) {
		if (proc->pid == pid)
			return proc;
	}
	return NULL;
}

/* Unlink pid's process from its service; NULL when it is not ours. */
static struct master_proc *
master_reap_unlink(struct master *m, pid_t pid)
{
	struct master_service *svc;
	struct master_proc **pp, *proc;

	for (svc = m->services; svc != NULL; svc = svc->next) {
		for (pp = &svc->procs; (proc = *pp) != NULL; pp = &proc->next) {
			if (proc->pid != pid)
				continue;
			*pp = proc->next;
			svc->nprocs--;
			if (proc->busy)
				svc->nbusy--;
			else if (proc->lst != NULL)
				proc->lst->avail--;
			return proc;
		}
	}
	return NULL;
}

static void
master_reap_unthrottle_event(struct event_loop *loop, void *ctx)
{
	struct master_service *svc = ctx;

	(void)loop;
	svc->throttle_timer = 0;
	svc->throttled = false;
	master_status_listen(svc);
}

void
master_reap_throttle(struct master_service *svc)
{
	long long max_ms = svc->m->cfg.conf->service_throttle_time * 1000;

	if (svc->throttled || svc->draining || svc->m->stopping)
		return;
	svc->backoff_ms = svc->backoff_ms == 0 ? 1000 : svc->backoff_ms * 2;
	if (svc->backoff_ms > max_ms)
		svc->backoff_ms = max_ms;
	svc->throttled = true;
	svc->throttle_timer = event_timer_add(svc->m->loop,
	    (uint64_t)svc->backoff_ms, master_reap_unthrottle_event, svc);
	log_warning("service %s/%s: throttled for %lld ms after a failure",
	    svc->def->name, mastercf_type_name(svc->def->type),
	    svc->backoff_ms);
	master_status_listen(svc);
}

void
master_reap_unthrottle(struct master_service *svc)
{
	if (svc->throttle_timer != 0)
		event_timer_cancel(svc->m->loop, svc->throttle_timer);
	svc->throttle_timer = 0;
	svc->throttled = false;
	svc->backoff_ms = 0;
}

/* Log like Postfix; returns true when the exit was abnormal. */
static bool
master_reap_log(
    const struct master *m, const struct master_proc *proc, int status)
{
	const char *path = proc->svc->def->path;
	long pid = (long)proc->pid;

	if (WIFSIGNALED(status)) {
		/* During a stop we sent those signals ourselves. */
		if (m->stopping)
			log_debug("process %s pid %ld killed by signal %d",
			    path, pid, WTERMSIG(status));
		else
			log_warning("process %s pid %ld killed by signal %d",
			    path, pid, WTERMSIG(status));
		return true;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		log_warning("process %s pid %ld exit status %d", path, pid,
		    WEXITSTATUS(status));
		return true;
	}
	log_debug("process %s pid %ld exited", path, pid);
	return false;
}

static void
master_reap_one(struct master *m, pid_t pid, int status)
{
	struct master_proc *proc = master_reap_unlink(m, pid);
	struct master_service *svc;

	if (proc == NULL) {
		log_debug("reaped unknown child pid %ld", (long)pid);
		return;
	}
	svc = proc->svc;
	if (master_reap_log(m, proc, status))
		master_reap_throttle(svc);
	else
		svc->backoff_ms = 0;
	free(proc);
	if (svc->draining && svc->procs == NULL)
		master_service_free(svc);
	else
		master_status_listen(svc);
	master_status_sweep(m, false);
}

int
master_reap_now(struct master *m)
{
	const struct master_service *svc;
	int status, left = 0;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			break;
		master_reap_one(m, pid, status);
	}
	for (svc = m->services; svc != NULL; svc = svc->next)
		left += svc->nprocs;
	return left;
}

static void
master_reap_signal(struct event_loop *loop, int signo, void *ctx)
{
	struct master *m = ctx;

	(void)loop;
	(void)signo;
	if (master_reap_now(m) == 0 && m->stopping)
		master_stop_finish(m);
}

int
master_reap_init(struct master *m)
{
	return event_signal_add(m->loop, SIGCHLD, master_reap_signal, m);
}
