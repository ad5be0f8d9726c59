/* SPDX-License-Identifier: MIT */
/*
 * The event loop's timers: a slab of timer records and a binary heap of
 * slot numbers ordered by (deadline, insertion), so equal deadlines
 * fire in the order they were added. Ids carry a generation, so
 * cancelling a timer that already fired never hits a reused slot.
 */
#include "core/event.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/event_impl.h"
#include "core/log.h"
#include "core/xmalloc.h"

uint64_t
event_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		PANIC("%s: clock_gettime: %s", __func__, strerror(errno));
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool
event_timer_before(const struct event_loop *loop, uint32_t a, uint32_t b)
{
	const struct event_timer *ta = &loop->timers[a], *tb = &loop->timers[b];

	return ta->when < tb->when ||
	    (ta->when == tb->when && ta->seq < tb->seq);
}

static void
event_timer_heap_set(struct event_loop *loop, size_t i, uint32_t slot)
{
	loop->heap[i] = slot;
	loop->timers[slot].heap_idx = i;
}

static void
event_timer_heap_up(struct event_loop *loop, size_t i)
{
	uint32_t slot = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!event_timer_before(loop, slot, loop->heap[parent]))
			break;
		event_timer_heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	event_timer_heap_set(loop, i, slot);
}

static void
event_timer_heap_down(struct event_loop *loop, size_t i)
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
		event_timer_heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	event_timer_heap_set(loop, i, slot);
}

static void
event_timer_heap_remove(struct event_loop *loop, size_t i)
{
	uint32_t last = loop->heap[--loop->heap_len];

	if (i == loop->heap_len)
		return;
	event_timer_heap_set(loop, i, last);
	event_timer_heap_down(loop, i);
	event_timer_heap_up(loop, loop->timers[last].heap_idx);
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
		loop->timers = xreallocarray(
		    loop->timers, loop->timers_cap, sizeof(*loop->timers));
		loop->heap = xreallocarray(
		    loop->heap, loop->timers_cap, sizeof(*loop->heap));
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
event_timer_add(
    struct event_loop *loop, uint64_t ms, event_timer_fn *fn, void *ctx)
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
	event_timer_heap_up(loop, loop->heap_len - 1);
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
	event_timer_heap_remove(loop, loop->timers[slot].heap_idx);
	event_timer_release(loop, slot);
}

/*
 * Fire the timers due now, but not ones added by these callbacks: a
 * zero-delay timer re-armed from its own callback runs next round.
 */
void
event_timer_run(struct event_loop *loop)
{
	uint64_t now = event_now_ms(), seq_limit = loop->next_seq;

	while (loop->heap_len > 0 && !loop->stop) {
		uint32_t slot = loop->heap[0];
		struct event_timer *t = &loop->timers[slot];
		event_timer_fn *fn = t->fn;
		void *ctx = t->ctx;

		if (t->when > now || t->seq >= seq_limit)
			break;
		event_timer_heap_remove(loop, 0);
		event_timer_release(loop, slot);
		fn(loop, ctx);
	}
}

int
event_timer_next_timeout(const struct event_loop *loop, int timeout_ms)
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
