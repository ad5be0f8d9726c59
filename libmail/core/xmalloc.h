/* SPDX-License-Identifier: MIT */
/*
 * Allocation that never fails quietly: each function returns memory or
 * calls log_fatal(). Call sites never test for NULL. Used by every process.
 */
#ifndef CORE_XMALLOC_H
#define CORE_XMALLOC_H

#include <stddef.h>

/* Caller owns the result; release with free(). */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* reallocarray(3) with the same never-NULL contract. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);
/* printf into a fresh heap string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
