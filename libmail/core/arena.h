/* SPDX-License-Identifier: MIT */
/*
 * Arenas: one lifetime, one release. A session owns an arena; a mail
 * transaction owns a child arena that is reset on RSET or after DATA.
 * Parsers allocate only from the arena they are handed.
 */
#ifndef CORE_ARENA_H
#define CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* Caller owns the arena; release it with arena_free(). */
struct arena *arena_new(void);
/* Release every block; sets *ap to NULL; NULL is a no-op. */
void arena_free(struct arena **ap);
/* Forget every allocation but keep the first block for reuse. */
void arena_reset(struct arena *a);

/* Memory lives until the arena is reset or freed. Never NULL. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_zalloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Total bytes handed out since the last reset (for limits and tests). */
size_t arena_used(const struct arena *a);

#endif
