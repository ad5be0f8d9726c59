/* SPDX-License-Identifier: MIT */
/*
 * The event loop: epoll for descriptors, a timer heap, and signals
 * delivered as ordinary events (signalfd), so no handler ever runs in
 * signal context. One loop per process; callbacks run one at a time.
 */
#ifndef CORE_EVENT_H
#define CORE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

struct event_loop;

enum event_mask {
	EVENT_READ = 1 << 0,
	EVENT_WRITE = 1 << 1,
};

/* events: EVENT_READ/EVENT_WRITE that fired; hang-up and error count as READ.
 */
typedef void event_fd_fn(
    struct event_loop *loop, int fd, unsigned events, void *ctx);
typedef void event_timer_fn(struct event_loop *loop, void *ctx);
typedef void event_signal_fn(struct event_loop *loop, int signo, void *ctx);

/* Caller owns the loop; event_loop_free() closes its own descriptors only. */
struct event_loop *event_loop_new(void);
void event_loop_free(struct event_loop **loopp);

/*
 * Watch fd for the events in mask (EVENT_READ | EVENT_WRITE); one watch
 * per fd. event_fd_modify changes the mask (0 pauses the watch).
 * event_fd_remove must be called before the fd is closed. 0 or -1.
 */
int event_fd_add(
    struct event_loop *loop, int fd, unsigned mask, event_fd_fn *fn, void *ctx);
int event_fd_modify(struct event_loop *loop, int fd, unsigned mask);
void event_fd_remove(struct event_loop *loop, int fd);

/*
 * Call fn once after ms milliseconds. Returns a non-zero id for
 * event_timer_cancel(); cancelling a fired or unknown id is a no-op.
 */
uint64_t event_timer_add(
    struct event_loop *loop, uint64_t ms, event_timer_fn *fn, void *ctx);
void event_timer_cancel(struct event_loop *loop, uint64_t id);

/*
 * Deliver signo through the loop (blocks it for normal delivery). One
 * handler per signal. 0 or -1. The signal stays blocked until
 * event_loop_free(), and a blocked mask survives execve(): a process
 * that execs a command must unblock signals in the child first.
 */
int event_signal_add(
    struct event_loop *loop, int signo, event_signal_fn *fn, void *ctx);

/* Run until event_loop_stop(); 0, or -1 if epoll itself fails. */
int event_loop_run(struct event_loop *loop);
/*
 * Run one round of ready events and due timers, waiting at most
 * timeout_ms (-1: forever, or until the next timer). 0, or -1 if epoll
 * fails (an interrupted wait returns 0).
 */
int event_loop_once(struct event_loop *loop, int timeout_ms);
void event_loop_stop(struct event_loop *loop);
/* Monotonic milliseconds, as the loop sees them. */
uint64_t event_now_ms(void);

#endif
