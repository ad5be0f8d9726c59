/* SPDX-License-Identifier: MIT */
/*
 * The event loop behind every daemon: epoll for descriptors, a binary
 * heap of timers with O(log n) cancel, and signals read from a signalfd
 * so handlers run as ordinary callbacks, never in signal context.
 * Callbacks may add, modify and remove watches and timers freely; a
 * watch removed during a round is never called again in that round.
 */
#include "core/event.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"

#define EVENT_BATCH		64
/* epoll data of the signalfd; fd watches carry (generation << 32 | fd). */
#define EVENT_SIGNAL_TAG	UINT64_MAX

struct event_watch {
	event_fd_fn *fn;
	void *ctx;
	unsigned mask;
	uint32_t gen;		/* bumped on add and remove */
	bool active;
	bool in_epoll;		/* a paused watch (mask 0) leaves epoll */
};

/* Timers live in a slab; the heap orders slot numbers by (when, seq). */
struct event_timer {
	uint64_t when;
	uint64_t seq;
	event_timer_fn *fn;
	void *ctx;
	size_t heap_idx;
	uint32_t gen;		/* ids are (gen << 32 | slot + 1) */
	bool active;
	uint32_t next_free;
};

struct event_sig {
	event_signal_fn *fn;
	void *ctx;
};

struct event_loop {
	int epfd;
	int sigfd;
	sigset_t sigs;
	sigset_t old_mask;
	bool blocked_any;
	bool stop;
	struct event_watch *watches;
	size_t nwatches;
	struct event_timer *timers;
	size_t ntimers;		/* slab slots in use or free */
	size_t timers_cap;
	uint32_t free_timer;	/* head of the free list, UINT32_MAX: none */
	uint32_t *heap;
	size_t heap_len;
	uint64_t next_seq;
	struct event_sig sig[NSIG];
};

uint64_t
event_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		PANIC("%s: clock_gettime: %s", __func__, strerror(errno));
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

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
	struct epoll_event ev = { 0 };
	int op;

	/* epoll always reports HUP and ERR, so a paused watch must leave it. */
	if (w->mask == 0) {
		if (w->in_epoll && epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd,
		    NULL) != 0)
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
event_fd_add(struct event_loop *loop, int fd, unsigned mask,
    event_fd_fn *fn, void *ctx)
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
		loop->watches = xreallocarray(loop->watches, n,
		    sizeof(*loop->watches));
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

	if (fd < 0 || (size_t)fd >= loop->nwatches ||
	    !loop->watches[fd].active)
		return;
	w = &loop->watches[fd];
	if (w->in_epoll)
		(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->in_epoll = false;
	w->active = false;
	/* Events already fetched for this fd in this round are now stale. */
	w->gen++;
}

/* ---- timers ---- */

static bool
event_timer_before(const struct event_loop *loop, uint32_t a, uint32_t b)
{
	const struct event_timer *ta = &loop->timers[a], *tb = &loop->timers[b];

	return ta->when < tb->when || (ta->when == tb->when &&
	    ta->seq < tb->seq);
}

static void
event_heap_set(struct event_loop *loop, size_t i, uint32_t slot)
{
	loop->heap[i] = slot;
	loop->timers[slot].heap_idx = i;
}

static void
event_heap_up(struct event_loop *loop, size_t i)
{
	uint32_t slot = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!event_timer_before(loop, slot, loop->heap[parent]))
			break;
		event_heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	event_heap_set(loop, i, slot);
}

static void
event_heap_down(struct event_loop *loop, size_t i)
{
	uint32_t slot = loop->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= loop->heap_len)
			break;
		if (c + 1 < loop->heap_len &&
		    event_timer_before(loop, loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!event_timer_before(loop, loop->heap[c], slot))
			break;
		event_heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	event_heap_set(loop, i, slot);
}

static void
event_heap_remove(struct event_loop *loop, size_t i)
{
	uint32_t last = loop->heap[--loop->heap_len];

	if (i == loop->heap_len)
		return;
	event_heap_set(loop, i, last);
	event_heap_down(loop, i);
	event_heap_up(loop, loop->timers[last].heap_idx);
}

static uint32_t
event_timer_slot(struct event_loop *loop)
{
	uint32_t slot;

	if (loop->free_timer != UINT32_MAX) {
		slot = loop->free_timer;
		loop->free_timer = loop->timers[slot].next_free;
		return slot;
	}
	if (loop->ntimers >= UINT32_MAX - 1)
		PANIC("%s: too many timers", __func__);
	if (loop->ntimers == loop->timers_cap) {
		loop->timers_cap = loop->timers_cap ? loop->timers_cap * 2 : 16;
		loop->timers = xreallocarray(loop->timers, loop->timers_cap,
		    sizeof(*loop->timers));
		loop->heap = xreallocarray(loop->heap, loop->timers_cap,
		    sizeof(*loop->heap));
	}
	memset(&loop->timers[loop->ntimers], 0, sizeof(*loop->timers));
	return (uint32_t)loop->ntimers++;
}

static void
event_timer_release(struct event_loop *loop, uint32_t slot)
{
	struct event_timer *t = &loop->timers[slot];

	t->active = false;
	t->gen++;
	t->next_free = loop->free_timer;
	loop->free_timer = slot;
}

uint64_t
event_timer_add(struct event_loop *loop, uint64_t ms, event_timer_fn *fn,
    void *ctx)
{
	uint32_t slot = event_timer_slot(loop);
	struct event_timer *t = &loop->timers[slot];

	t->when = event_now_ms() + ms;
	t->seq = loop->next_seq++;
	t->fn = fn;
	t->ctx = ctx;
	t->active = true;
	if (t->gen == 0)
		t->gen = 1;
	loop->heap[loop->heap_len++] = slot;
	event_heap_up(loop, loop->heap_len - 1);
	return ((uint64_t)t->gen << 32) | ((uint64_t)slot + 1);
}

void
event_timer_cancel(struct event_loop *loop, uint64_t id)
{
	uint64_t low = id & 0xffffffffu;
	uint32_t slot;

	if (low == 0 || low > loop->ntimers)
		return;
	slot = (uint32_t)(low - 1);
	if (!loop->timers[slot].active ||
	    loop->timers[slot].gen != (uint32_t)(id >> 32))
		return;
	event_heap_remove(loop, loop->timers[slot].heap_idx);
	event_timer_release(loop, slot);
}

/*
 * Fire the timers due now, but not ones added by these callbacks: a
 * zero-delay timer re-armed from its own callback runs next round.
 */
static void
event_run_timers(struct event_loop *loop)
{
	uint64_t now = event_now_ms(), seq_limit = loop->next_seq;

	while (loop->heap_len > 0 && !loop->stop) {
		uint32_t slot = loop->heap[0];
		struct event_timer *t = &loop->timers[slot];
		event_timer_fn *fn = t->fn;
		void *ctx = t->ctx;

		if (t->when > now || t->seq >= seq_limit)
			break;
		event_heap_remove(loop, 0);
		event_timer_release(loop, slot);
		fn(loop, ctx);
	}
}

static int
event_next_timeout(const struct event_loop *loop, int timeout_ms)
{
	uint64_t now, when, wait;

	if (loop->heap_len == 0)
		return timeout_ms;
	when = loop->timers[loop->heap[0]].when;
	now = event_now_ms();
	wait = when > now ? when - now : 0;
	if (wait > INT32_MAX)
		wait = INT32_MAX;
	if (timeout_ms >= 0 && (uint64_t)timeout_ms < wait)
		return timeout_ms;
	return (int)wait;
}

/* ---- signals ---- */

int
event_signal_add(struct event_loop *loop, int signo, event_signal_fn *fn,
    void *ctx)
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
		struct epoll_event ev = { .events = EPOLLIN,
		    .data.u64 = EVENT_SIGNAL_TAG };

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
	    event_next_timeout(loop, timeout_ms));
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return -1;
	}
	for (i = 0; i < n && !loop->stop; i++)
		event_dispatch(loop, &evs[i]);
	if (!loop->stop)
		event_run_timers(loop);
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
