/* SPDX-License-Identifier: MIT */
/*
 * The event loop behind every daemon: epoll for descriptors, and
 * signals read from a signalfd so handlers run as ordinary callbacks,
 * never in signal context (timers are in event_timer.c). Callbacks may
 * add, modify and remove watches and timers freely; a watch removed
 * during a round is never called again in that round.
 */
#include "core/event.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/event_impl.h"
#include "core/log.h"
#include "core/xmalloc.h"

#define EVENT_BATCH 64
/* epoll data of the signalfd; fd watches carry (generation << 32 | fd). */
#define EVENT_SIGNAL_TAG UINT64_MAX

struct event_loop *
event_loop_new(void)
{
	struct event_loop *loop = xcalloc(1, sizeof(*loop));

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		log_fatal_errno(errno, "%s: epoll_create1", __func__);
	loop->sigfd = -1;
	sigemptyset(&loop->sigs);
	loop->free_timer = UINT32_MAX;
	return loop;
}

void
event_loop_free(struct event_loop **loopp)
{
	struct event_loop *loop;

	if (loopp == NULL || (loop = *loopp) == NULL)
		return;
	close(loop->epfd);
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	/* Give the signals we took back to normal delivery. */
	if (loop->blocked_any)
		sigprocmask(SIG_SETMASK, &loop->old_mask, NULL);
	free(loop->watches);
	free(loop->timers);
	free(loop->heap);
	free(loop);
	*loopp = NULL;
}

/* ---- descriptors ---- */

static uint32_t
event_epoll_bits(unsigned mask)
{
	uint32_t ev = 0;

	if (mask & EVENT_READ)
		ev |= EPOLLIN | EPOLLRDHUP;
	if (mask & EVENT_WRITE)
		ev |= EPOLLOUT;
	return ev;
}

static int
event_epoll_sync(struct event_loop *loop, int fd, struct event_watch *w)
{
	struct epoll_event ev = {0};
	int op;

	/* epoll always reports HUP and ERR, so a paused watch must leave it. */
	if (w->mask == 0) {
		if (w->in_epoll &&
		    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) != 0)
			return -1;
		w->in_epoll = false;
		return 0;
	}
	ev.events = event_epoll_bits(w->mask);
	ev.data.u64 = ((uint64_t)w->gen << 32) | (uint32_t)fd;
	op = w->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(loop->epfd, op, fd, &ev) != 0)
		return -1;
	w->in_epoll = true;
	return 0;
}

int
event_fd_add(
    struct event_loop *loop, int fd, unsigned mask, event_fd_fn *fn, void *ctx)
{
	struct event_watch *w;

	if (fd < 0 || fn == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)fd >= loop->nwatches) {
		size_t n = loop->nwatches ? loop->nwatches : 16;

		while (n <= (size_t)fd)
			n *= 2;
		loop->watches =
		    xreallocarray(loop->watches, n, sizeof(*loop->watches));
		memset(loop->watches + loop->nwatches, 0,
		    (n - loop->nwatches) * sizeof(*loop->watches));
		loop->nwatches = n;
	}
	w = &loop->watches[fd];
	if (w->active) {
		errno = EEXIST;
		return -1;
	}
	w->fn = fn;
	w->ctx = ctx;
	w->mask = mask & (EVENT_READ | EVENT_WRITE);
	w->gen++;
	w->in_epoll = false;
	if (event_epoll_sync(loop, fd, w) != 0)
		return -1;
	w->active = true;
	return 0;
}

int
event_fd_modify(struct event_loop *loop, int fd, unsigned mask)
{
	struct event_watch *w;

	if (fd < 0 || (size_t)fd >= loop->nwatches ||
	    !loop->watches[fd].active) {
		errno = ENOENT;
		return -1;
	}
	w = &loop->watches[fd];
	w->mask = mask & (EVENT_READ | EVENT_WRITE);
	return event_epoll_sync(loop, fd, w);
}

void
event_fd_remove(struct event_loop *loop, int fd)
{
	struct event_watch *w;

	if (fd < 0 || (size_t)fd >= loop->nwatches || !loop->watches[fd].active)
		return;
	w = &loop->watches[fd];
	if (w->in_epoll)
		(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->in_epoll = false;
	w->active = false;
	/* Events already fetched for this fd in this round are now stale. */
	w->gen++;
}

/* ---- signals ---- */

int
event_signal_add(
    struct event_loop *loop, int signo, event_signal_fn *fn, void *ctx)
{
	sigset_t one, old;
	int fd;

	if (signo <= 0 || signo >= NSIG || fn == NULL ||
	    loop->sig[signo].fn != NULL) {
		errno = EINVAL;
		return -1;
	}
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (sigprocmask(SIG_BLOCK, &one, &old) != 0)
		return -1;
	if (!loop->blocked_any) {
		loop->old_mask = old;
		loop->blocked_any = true;
	}
	sigaddset(&loop->sigs, signo);
	fd = signalfd(loop->sigfd, &loop->sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (loop->sigfd < 0) {
		struct epoll_event ev = {
		    .events = EPOLLIN, .data.u64 = EVENT_SIGNAL_TAG};

		if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			return -1;
		}
		loop->sigfd = fd;
	}
	loop->sig[signo].fn = fn;
	loop->sig[signo].ctx = ctx;
	return 0;
}

static void
event_read_signals(struct event_loop *loop)
{
	struct signalfd_siginfo si;

	while (!loop->stop) {
		ssize_t n = read(loop->sigfd, &si, sizeof(si));
		int signo;

		if (n != (ssize_t)sizeof(si))
			return;
		signo = (int)si.ssi_signo;
		if (signo > 0 && signo < NSIG && loop->sig[signo].fn != NULL)
			loop->sig[signo].fn(loop, signo, loop->sig[signo].ctx);
	}
}

/* ---- running ---- */

static void
event_dispatch(struct event_loop *loop, const struct epoll_event *ev)
{
	int fd = (int)(ev->data.u64 & 0xffffffffu);
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
	struct event_watch *w;
	unsigned fired = 0;

	if (ev->data.u64 == EVENT_SIGNAL_TAG) {
		event_read_signals(loop);
		return;
	}
	if ((size_t)fd >= loop->nwatches)
		return;
	w = &loop->watches[fd];
	if (!w->active || w->gen != gen)
		return;
	if (ev->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		fired |= EVENT_READ;
	if (ev->events & EPOLLOUT)
		fired |= EVENT_WRITE;
	if (fired != 0)
		w->fn(loop, fd, fired, w->ctx);
}

int
event_loop_once(struct event_loop *loop, int timeout_ms)
{
	struct epoll_event evs[EVENT_BATCH];
	int n, i;

	loop->stop = false;
	n = epoll_wait(loop->epfd, evs, EVENT_BATCH,
	    event_timer_next_timeout(loop, timeout_ms));
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return -1;
	}
	for (i = 0; i < n && !loop->stop; i++)
		event_dispatch(loop, &evs[i]);
	if (!loop->stop)
		event_timer_run(loop);
	return 0;
}

int
event_loop_run(struct event_loop *loop)
{
	do {
		if (event_loop_once(loop, -1) != 0)
			return -1;
	} while (!loop->stop);
	return 0;
}

void
event_loop_stop(struct event_loop *loop)
{
	loop->stop = true;
}
