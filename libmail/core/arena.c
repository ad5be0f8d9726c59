/* SPDX-License-Identifier: MIT */
/*
 * A bump allocator over a list of blocks. Large requests get a block of
 * their own so a big literal does not waste a whole standard block.
 */
#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/xmalloc.h"

#define ARENA_BLOCK_SIZE 8192

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char mem[];
};

struct arena {
	struct arena_block *head;	/* newest standard block first */
	struct arena_block *first;	/* kept across arena_reset() */
	size_t used;
};

static struct arena_block *
arena_block_new(size_t size)
{
	struct arena_block *blk;

	blk = xmalloc(sizeof(*blk) + size);
	blk->next = NULL;
	blk->size = size;
	blk->used = 0;
	return blk;
}

struct arena *
arena_new(void)
{
	struct arena *a = xcalloc(1, sizeof(*a));

	a->head = a->first = arena_block_new(ARENA_BLOCK_SIZE);
	return a;
}

static void
arena_free_blocks(struct arena_block *blk)
{
	struct arena_block *next;

	for (; blk != NULL; blk = next) {
		next = blk->next;
		free(blk);
	}
}

void
arena_free(struct arena **ap)
{
	if (*ap == NULL)
		return;
	arena_free_blocks((*ap)->head);
	free(*ap);
	*ap = NULL;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *blk, *next;

	for (blk = a->head; blk != NULL; blk = next) {
		next = blk->next;
		if (blk != a->first)
			free(blk);
	}
	a->head = a->first;
	a->first->next = NULL;
	a->first->used = 0;
	a->used = 0;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct arena_block *blk = a->head;
	size_t need;
	void *p;

	if (size > SIZE_MAX - align)
		log_fatal("%s: allocation overflow", __func__);
	need = (size + align - 1) & ~(align - 1);
	if (need == 0)
		need = align;
	if (blk->size - blk->used < need) {
		if (need > ARENA_BLOCK_SIZE / 4) {
			/* Oversized: its own block, behind the current one. */
			struct arena_block *big = arena_block_new(need);

			big->used = need;
			big->next = blk->next;
			blk->next = big;
			a->used += size;
			return big->mem;
		}
		blk = arena_block_new(ARENA_BLOCK_SIZE);
		blk->next = a->head;
		a->head = blk;
	}
	p = blk->mem + blk->used;
	blk->used += need;
	a->used += size;
	return p;
}

void *
arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	memset(p, 0, size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		log_fatal("%s: bad format \"%s\"", __func__, fmt);
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}
