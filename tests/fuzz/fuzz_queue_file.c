/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the queue file parsers: the bytes as a whole file image, then as
 * a bare envelope section and result log (past the checksums that would
 * otherwise turn most mutations away).
 */
#include <stdint.h>
#include <stddef.h>

#include "core/arena.h"
#include "queue/queue_image.h"
#include "queue/queue_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct queue_limits lim = QUEUE_LIMITS_DEFAULT;
	struct arena *a = arena_new();
	struct queue_image im;
	size_t valid;

	(void)queue_image_parse(data, size, &lim, &im, a, NULL);
	if (queue_env_parse(data, size, &lim, &im.env, a, NULL) == 0)
		(void)queue_log_apply(data, size, &im.env, a, &valid, NULL);
	arena_free(&a);
	return 0;
}
