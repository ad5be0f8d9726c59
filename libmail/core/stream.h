/* SPDX-License-Identifier: MIT */
/*
 * struct stream: buffered, deadline-bounded I/O over one connected
 * descriptor, for the line protocols (SMTP, IMAP, POP3, ManageSieve).
 * Bytes move through a plain fd or through a layer (TLS, tls/tls.h)
 * plugged in as a struct stream_ops. Input is raw network data: lines
 * are capped, and an over-long line is discarded whole.
 */
#ifndef CORE_STREAM_H
#define CORE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"

/*
 * A byte layer under the stream. Both return what read(2)/write(2)
 * return; after -1 with errno EAGAIN, *want_out is POLLIN or POLLOUT:
 * the readiness of fd to wait for before calling again (a TLS read may
 * need to write, and the reverse). ctx is the layer's own state.
 */
struct stream_ops {
	ssize_t (*read)(void *ctx, int fd, void *p, size_t n, short *want_out);
	ssize_t (*write)(
	    void *ctx, int fd, const void *p, size_t n, short *want_out);
};

/* Caller storage; fields are private to stream.c except where noted. */
struct stream {
	int fd; /* borrowed: never closed here */
	int timeout_ms; /* per fill or flush; may be changed */
	const struct stream_ops *ops; /* the plain fd layer by default */
	void *ops_ctx;
	struct buf in; /* received; unconsumed from in_off on */
	size_t in_off;
	bool discarding; /* skipping the rest of an over-long line */
	struct buf out; /* queued output; callers may append */
};

/*
 * Initialise st over fd (made non-blocking, so only the deadlines
 * decide how long a call waits). timeout_ms bounds each stream_fill()
 * and stream_flush(). Release with stream_deinit(), which does not
 * close fd.
 */
void stream_init(struct stream *st, int fd, int timeout_ms);
void stream_deinit(struct stream *st);
/*
 * Put a layer under the stream (NULL ops: back to the plain fd). ops
 * and ctx are borrowed until the next stream_set_ops or stream_deinit.
 * Buffered input is kept: a caller switching to TLS after STARTTLS
 * must call stream_discard_input() first.
 */
void stream_set_ops(struct stream *st, const struct stream_ops *ops, void *ctx);
/*
 * Read what the peer has sent, waiting at most timeout_ms. 1 when bytes
 * were added to the input buffer, 0 at end of file, -1 on a time-out
 * (errno ETIMEDOUT) or a read error (errno set). Blocks.
 */
int stream_fill(struct stream *st);
/*
 * The next line from the input buffer, without its line end (CR LF, or
 * a bare LF). 1 with *line_out and *len_out borrowed until the next stream
 * call; 1 with *too_long_out set (and len 0) for a line longer than max
 * bytes with its line end, whose whole text is discarded so its tail is
 * never taken for a command; 0 when no complete line is buffered yet
 * (call stream_fill). max must be at least 1. Does no I/O.
 */
int stream_line(struct stream *st, size_t max, const char **line_out,
    size_t *len_out, bool *too_long_out);
/* Buffered, unconsumed input: *len_out bytes, borrowed until the next
 * stream call. */
const char *stream_peek(const struct stream *st, size_t *len_out);
/* Mark n bytes of stream_peek() consumed; more than buffered is a bug. */
void stream_consume(struct stream *st, size_t n);
/*
 * Throw away every buffered, unconsumed input byte and return how many
 * there were. Call it when the stream changes hands, above all right
 * before a STARTTLS handshake: bytes the client pipelined after the
 * STARTTLS command arrived in plaintext and must never be read as if
 * they came over TLS (CVE-2011-0411, RFC 3207 §4.2).
 */
size_t stream_discard_input(struct stream *st);
/* Queue output (sent by stream_flush). */
void stream_write(struct stream *st, const void *p, size_t n);
void stream_printf(struct stream *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Send all queued output, waiting at most timeout_ms for each chunk to
 * be taken. 0, or -1 with errno (ETIMEDOUT, EPIPE, ...); the output
 * buffer is empty afterwards either way. Blocks.
 */
int stream_flush(struct stream *st);
/*
 * Wait until fd is ready for want (POLLIN/POLLOUT) or the absolute
 * deadline (event_now_ms() clock) passes. 0 ready, -1 with errno
 * ETIMEDOUT or poll's errno. Blocks; for layers that need to wait
 * outside a fill or flush (a TLS handshake).
 */
int stream_wait_fd(int fd, short want, uint64_t deadline_ms);

#endif
