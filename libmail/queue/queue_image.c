/* SPDX-License-Identifier: MIT */
/*
 * Whole-file checks of a queue file (queue_image.h). A file shorter
 * than its header says was cut by a crash or a full disk before it was
 * committed, or damaged since: either way it is corrupt, never
 * half-delivered.
 */
#include "queue/queue_image.h"

#include <string.h>

#include "queue/queue_log.h"
#include "queue/queue_rec.h"

int
queue_image_parse_sections(const struct queue_hdr *hdr, uint64_t file_size,
    const void *env, const void *log, size_t log_len,
    const struct queue_limits *lim, struct queue_image *out,
    struct arena *arena, struct err *err)
{
	out->hdr = *hdr;
	out->log_valid = 0;
	if (file_size < queue_hdr_log_offset(hdr) ||
	    file_size - queue_hdr_log_offset(hdr) != log_len)
		return err_set(
		    err, ERR_PERM, "4.3.0", "corrupt queue file: truncated");
	if (hdr->env_len > lim->max_envelope)
		return err_set(err, ERR_PERM, "4.3.0",
		    "corrupt queue file: envelope too large");
	if (queue_rec_crc32(0, env, hdr->env_len) != hdr->env_crc)
		return err_set(err, ERR_PERM, "4.3.0",
		    "corrupt queue file: envelope checksum");
	if (queue_env_parse(env, hdr->env_len, lim, &out->env, arena, err) < 0)
		return -1;
	return queue_log_apply(
	    log, log_len, &out->env, arena, &out->log_valid, err);
}

int
queue_image_parse(const void *in, size_t len, const struct queue_limits *lim,
    struct queue_image *out, struct arena *arena, struct err *err)
{
	const unsigned char *p = in;
	struct queue_hdr hdr;
	uint64_t log_at;

	memset(out, 0, sizeof(*out));
	if (queue_hdr_parse(in, len, &hdr, err) < 0)
		return -1;
	log_at = queue_hdr_log_offset(&hdr);
	if (len < log_at)
		return err_set(
		    err, ERR_PERM, "4.3.0", "corrupt queue file: truncated");
	return queue_image_parse_sections(&hdr, len, p + QUEUE_HDR_LEN,
	    p + log_at, len - (size_t)log_at, lim, out, arena, err);
}
