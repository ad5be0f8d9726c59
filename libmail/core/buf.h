/* SPDX-License-Identifier: MIT */
/*
 * struct buf: a growable, binary-safe byte buffer, always NUL-terminated
 * just past len. Appending may move data: hold offsets, never pointers,
 * across an append.
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;	/* never NULL after buf_init */
	size_t len;
	size_t cap;
};

/* Initialise caller storage; buf_deinit releases the memory. */
void buf_init(struct buf *b);
void buf_deinit(struct buf *b);
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Make room for at least extra more bytes (plus the NUL). */
void buf_reserve(struct buf *b, size_t extra);

void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Replace the contents with s. */
void buf_set(struct buf *b, const char *s);
/* Shorten to len bytes (no-op if already shorter). */
void buf_truncate(struct buf *b, size_t len);
/* Remove the first n bytes, moving the rest down. */
void buf_consume(struct buf *b, size_t n);
/* Hand the memory to the caller (free() it) and reinitialise b. */
char *buf_detach(struct buf *b);

#endif
