/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/core/event: fd readiness, timers, signals. */
#include "core/event.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

struct fd_seen {
	int calls;
	unsigned events;
	int fd;
};

static void
on_fd(struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct fd_seen *s = ctx;

	(void)loop;
	s->calls++;
	s->events = events;
	s->fd = fd;
}

static void
fd_readiness(void)
{
	struct event_loop *loop = event_loop_new();
	struct fd_seen seen = {0};
	int p[2];

	T_CHECK(pipe(p) == 0);
	T_EQ_INT(event_fd_add(loop, p[0], EVENT_READ, on_fd, &seen), 0);
	/* A second watch on the same fd is refused. */
	T_EQ_INT(event_fd_add(loop, p[0], EVENT_READ, on_fd, &seen), -1);
	T_EQ_INT(event_loop_once(loop, 0), 0);
	T_EQ_INT(seen.calls, 0);

	T_EQ_INT(write(p[1], "x", 1), 1);
	T_EQ_INT(event_loop_once(loop, 1000), 0);
	T_EQ_INT(seen.calls, 1);
	T_EQ_INT(seen.events, EVENT_READ);
	T_EQ_INT(seen.fd, p[0]);

	/* Paused: no callback even though data (and then EOF) is there. */
	T_EQ_INT(event_fd_modify(loop, p[0], 0), 0);
	close(p[1]);
	T_EQ_INT(event_loop_once(loop, 0), 0);
	T_EQ_INT(seen.calls, 1);
	/* Resumed: hang-up counts as READ. */
	T_EQ_INT(event_fd_modify(loop, p[0], EVENT_READ), 0);
	T_EQ_INT(event_loop_once(loop, 1000), 0);
	T_EQ_INT(seen.calls, 2);
	T_CHECK(seen.events & EVENT_READ);

	event_fd_remove(loop, p[0]);
	T_EQ_INT(event_loop_once(loop, 0), 0);
	T_EQ_INT(seen.calls, 2);
	T_EQ_INT(event_fd_modify(loop, p[0], EVENT_READ), -1);
	close(p[0]);
	event_loop_free(&loop);
	T_CHECK(loop == NULL);
	event_loop_free(&loop);
}

static void
fd_writable(void)
{
	struct event_loop *loop = event_loop_new();
	struct fd_seen seen = {0};
	int p[2];

	T_CHECK(pipe(p) == 0);
	T_EQ_INT(event_fd_add(loop, p[1], EVENT_WRITE, on_fd, &seen), 0);
	T_EQ_INT(event_loop_once(loop, 1000), 0);
	T_EQ_INT(seen.calls, 1);
	T_EQ_INT(seen.events, EVENT_WRITE);
	event_fd_remove(loop, p[1]);
	close(p[0]);
	close(p[1]);
	event_loop_free(&loop);
}

/* Two ready fds; the first callback removes the other's watch. */
struct remover {
	int other;
	int calls;
};

static void
on_remove_other(struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct remover *r = ctx;

	(void)fd;
	(void)events;
	r->calls++;
	event_fd_remove(loop, r->other);
}

static void
fd_removed_during_round_is_not_called(void)
{
	struct event_loop *loop = event_loop_new();
	struct remover ra, rb;
	int a[2], b[2];

	T_CHECK(pipe(a) == 0 && pipe(b) == 0);
	ra = (struct remover){.other = b[0]};
	rb = (struct remover){.other = a[0]};
	T_EQ_INT(event_fd_add(loop, a[0], EVENT_READ, on_remove_other, &ra), 0);
	T_EQ_INT(event_fd_add(loop, b[0], EVENT_READ, on_remove_other, &rb), 0);
	T_EQ_INT(write(a[1], "x", 1), 1);
	T_EQ_INT(write(b[1], "x", 1), 1);
	T_EQ_INT(event_loop_once(loop, 1000), 0);
	T_EQ_INT(ra.calls + rb.calls, 1);
	event_fd_remove(loop, a[0]);
	event_fd_remove(loop, b[0]);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	event_loop_free(&loop);
}

struct order {
	char seen[16];
	size_t n;
	int stop_at;
};

struct timer_arg {
	struct order *o;
	char tag;
};

static void
on_timer(struct event_loop *loop, void *ctx)
{
	struct timer_arg *a = ctx;
	struct order *o = a->o;

	if (o->n < sizeof(o->seen) - 1)
		o->seen[o->n++] = a->tag;
	if ((int)o->n == o->stop_at)
		event_loop_stop(loop);
}

static void
timer_order_and_cancel(void)
{
	struct event_loop *loop = event_loop_new();
	struct order o = {.stop_at = 4};
	struct timer_arg args[6];
	uint64_t ids[6];
	/* Wide gaps, so a slow, loaded machine cannot reorder the adds. */
	uint64_t delays[6] = {120, 40, 80, 40, 20, 160};
	uint64_t start = event_now_ms();
	size_t i;

	for (i = 0; i < 6; i++) {
		args[i] = (struct timer_arg){&o, (char)('a' + i)};
		ids[i] = event_timer_add(loop, delays[i], on_timer, &args[i]);
		T_CHECK(ids[i] != 0);
	}
	/* Cancel c and f; cancelling twice is a no-op. */
	event_timer_cancel(loop, ids[2]);
	event_timer_cancel(loop, ids[2]);
	event_timer_cancel(loop, ids[5]);
	event_timer_cancel(loop, 0);
	event_timer_cancel(loop, 12345);
	T_EQ_INT(event_loop_run(loop), 0);
	/* Equal deadlines fire in the order they were added (b before d). */
	T_EQ_STR(o.seen, "ebda");
	T_CHECK(event_now_ms() - start >= 120);
	/* A fired id is stale: cancelling it must not hit a reused slot. */
	o.n = 0;
	memset(o.seen, 0, sizeof(o.seen));
	o.stop_at = 1;
	ids[0] = event_timer_add(loop, 0, on_timer, &args[0]);
	event_timer_cancel(loop, ids[4]);
	T_EQ_INT(event_loop_run(loop), 0);
	T_EQ_STR(o.seen, "a");
	event_loop_free(&loop);
}

/*
 * Many timers in scrambled order come out sorted by deadline. The loop
 * computes each deadline itself, somewhere in [lo, hi] as bracketed by
 * clock reads around the add; a timer firing before one whose deadline
 * is surely earlier (max lo so far > its hi) breaks the order.
 */
struct heap_check {
	uint64_t max_lo;
	int fired;
	bool sorted;
	bool early;
};

struct heap_arg {
	struct heap_check *hc;
	uint64_t lo, hi;
};

static void
on_heap_timer(struct event_loop *loop, void *ctx)
{
	struct heap_arg *a = ctx;

	(void)loop;
	if (a->hc->max_lo > a->hi)
		a->hc->sorted = false;
	if (a->lo > a->hc->max_lo)
		a->hc->max_lo = a->lo;
	if (event_now_ms() < a->lo)
		a->hc->early = true;
	a->hc->fired++;
}

static void
timer_heap_many(void)
{
	struct event_loop *loop = event_loop_new();
	struct heap_check hc = {.sorted = true};
	struct heap_arg args[200];
	uint64_t ids[200];
	size_t i;
	int want = 0;

	for (i = 0; i < 200; i++) {
		uint64_t delay = ((i * 37) % 23) * 2;

		args[i].hc = &hc;
		args[i].lo = event_now_ms() + delay;
		ids[i] = event_timer_add(loop, delay, on_heap_timer, &args[i]);
		args[i].hi = event_now_ms() + delay;
	}
	for (i = 0; i < 200; i += 3)
		event_timer_cancel(loop, ids[i]);
	for (i = 0; i < 200; i++)
		want += i % 3 != 0;
	while (hc.fired < want)
		T_EQ_INT(event_loop_once(loop, 1000), 0);
	T_EQ_INT(hc.fired, want);
	T_CHECK(hc.sorted);
	T_CHECK(!hc.early);
	event_loop_free(&loop);
}

static void
on_signal(struct event_loop *loop, int signo, void *ctx)
{
	int *got = ctx;

	*got = signo;
	event_loop_stop(loop);
}

static void
signal_delivery(void)
{
	struct event_loop *loop = event_loop_new();
	int got = 0;

	T_EQ_INT(event_signal_add(loop, SIGUSR1, on_signal, &got), 0);
	T_EQ_INT(event_signal_add(loop, SIGUSR1, on_signal, &got), -1);
	T_EQ_INT(event_signal_add(loop, SIGUSR2, on_signal, &got), 0);
	/* Blocked now, so raise() leaves it pending for the signalfd. */
	T_EQ_INT(raise(SIGUSR2), 0);
	T_EQ_INT(event_loop_run(loop), 0);
	T_EQ_INT(got, SIGUSR2);
	got = 0;
	T_EQ_INT(kill(getpid(), SIGUSR1), 0);
	T_EQ_INT(event_loop_run(loop), 0);
	T_EQ_INT(got, SIGUSR1);
	event_loop_free(&loop);
}

T_MAIN(T_CASE(fd_readiness), T_CASE(fd_writable),
    T_CASE(fd_removed_during_round_is_not_called),
    T_CASE(timer_order_and_cancel), T_CASE(timer_heap_many),
    T_CASE(signal_delivery))
