/* SPDX-License-Identifier: MIT */
/*
 * Private to the event loop (core/event.c, core/event_timer.c): the
 * loop's state, shared by the descriptor/signal half and the timer heap.
 */
#ifndef CORE_EVENT_IMPL_H
#define CORE_EVENT_IMPL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

struct event_watch {
	event_fd_fn *fn;
	void *ctx;
	unsigned mask;
	uint32_t gen; /* bumped on add and remove */
	bool active;
	bool in_epoll; /* a paused watch (mask 0) leaves epoll */
};

/* Timers live in a slab; the heap orders slot numbers by (when, seq). */
struct event_timer {
	uint64_t when;
	uint64_t seq;
	event_timer_fn *fn;
	void *ctx;
	size_t heap_idx;
	uint32_t gen; /* ids are (gen << 32 | slot + 1) */
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
	size_t ntimers; /* slab slots in use or free */
	size_t timers_cap;
	uint32_t free_timer; /* head of the free list, UINT32_MAX: none */
	uint32_t *heap;
	size_t heap_len;
	uint64_t next_seq;
	struct event_sig sig[NSIG];
};

/*
 * event_timer.c: fire the timers due now (not ones their callbacks
 * add), and the epoll timeout that wakes us for the next one.
 */
void event_timer_run(struct event_loop *loop);
int event_timer_next_timeout(const struct event_loop *loop, int timeout_ms);

#endif
