/* SPDX-License-Identifier: MIT */
/* Fuzz the queue file reader's parser with arbitrary file images. */
#include <stdint.h>
#include <stddef.h>

#include "core/arena.h"
#include "queue/queue_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct queue_limits lim = QUEUE_LIMITS_DEFAULT;
	struct arena *a = arena_new();
	struct queue_image im;

	(void)queue_image_parse(data, size, &lim, &im, a, NULL);
	arena_free(&a);
	return 0;
}
