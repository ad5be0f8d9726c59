/* SPDX-License-Identifier: MIT */
/*
 * Stopping (SIGTERM, SIGINT, req=stop): no new processes, listeners
 * closed, the lifeline ended, SIGTERM to every child, SIGKILL to those
 * still there after MASTER_STOP_MS; then the pid file and the status
 * socket are removed and the loop ends.
 */
#include "master.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>

#include "core/event.h"
#include "core/log.h"

static void
master_stop_signal_all(struct master *m, int signo)
{
	struct master_service *svc;
	struct master_proc *proc;

	for (svc = m->services; svc != NULL; svc = svc->next) {
		for (proc = svc->procs; proc != NULL; proc = proc->next)
			(void)kill(proc->pid, signo);
	}
}

static void
master_stop_timeout(struct event_loop *loop, void *ctx)
{
	struct master *m = ctx;

	(void)loop;
	m->stop_timer = 0;
	log_warning("processes still running after %d s: killing them",
	    MASTER_STOP_MS / 1000);
	/* The SIGCHLD handler finishes the stop once the last one is gone. */
	master_stop_signal_all(m, SIGKILL);
}

void
master_stop_begin(struct master *m, const char *why)
{
	struct master_service *svc;
	size_t i;

	if (m->stopping)
		return;
	m->stopping = true;
	log_info("%s", why);
	for (svc = m->services; svc != NULL; svc = svc->next) {
		master_wakeup_stop(svc);
		master_reap_unthrottle(svc);
		for (i = 0; i < svc->nlst; i++)
			master_listen_close(m, &svc->lst[i]);
		svc->nlst = 0;
	}
	master_status_sweep(m, true);
	if (m->lifeline[1] >= 0) {
		close(m->lifeline[0]);
		close(m->lifeline[1]);
		m->lifeline[0] = m->lifeline[1] = -1;
	}
	master_stop_signal_all(m, SIGTERM);
	if (master_reap_now(m) == 0) {
		master_stop_finish(m);
		return;
	}
	m->stop_timer =
	    event_timer_add(m->loop, MASTER_STOP_MS, master_stop_timeout, m);
}

void
master_stop_finish(struct master *m)
{
	if (m->stop_timer != 0)
		event_timer_cancel(m->loop, m->stop_timer);
	m->stop_timer = 0;
	master_statsock_close(m);
	master_lock_release(m);
	event_loop_stop(m->loop);
}

static void
master_stop_on_signal(struct event_loop *loop, int signo, void *ctx)
{
	struct master *m = ctx;
	char why[64];

	(void)loop;
	snprintf(why, sizeof(why), "terminating on signal %d", signo);
	master_stop_begin(m, why);
}

int
master_stop_init(struct master *m)
{
	if (event_signal_add(m->loop, SIGTERM, master_stop_on_signal, m) < 0 ||
	    event_signal_add(m->loop, SIGINT, master_stop_on_signal, m) < 0)
		return -1;
	return 0;
}
