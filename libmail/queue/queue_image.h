/* SPDX-License-Identifier: MIT */
/*
 * Parsing a queue file from its bytes: header, envelope and result log
 * checked together. The reader (queue_file.c) feeds it the sections it
 * read from disk; the fuzz target and tests feed it a whole file image.
 * Pure: no I/O, no logging, no clock. Input is untrusted.
 */
#ifndef QUEUE_QUEUE_IMAGE_H
#define QUEUE_QUEUE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "queue/queue_env.h"
#include "queue/queue_hdr.h"

struct queue_image {
	struct queue_hdr hdr;
	struct queue_env env; /* with recipient states from the log */
	size_t log_valid; /* bytes of whole log frames; more = torn */
};

/*
 * Check and decode a file's sections: hdr (already parsed), the file's
 * size, its envelope bytes (hdr->env_len of them) and its log bytes
 * (everything after the content). Fills out->env (strings in arena) and
 * out->log_valid. Returns 0, or -1 with err (ERR_PERM, corrupt) when the
 * file is shorter than its sections, the envelope checksum or records
 * are bad, or a whole log frame is malformed.
 */
int queue_image_parse_sections(const struct queue_hdr *hdr, uint64_t file_size,
    const void *env, const void *log, size_t log_len,
    const struct queue_limits *lim, struct queue_image *out,
    struct arena *arena, struct err *err);

/* The same for a whole file image in[0..len). */
int queue_image_parse(const void *in, size_t len,
    const struct queue_limits *lim, struct queue_image *out,
    struct arena *arena, struct err *err);

#endif
