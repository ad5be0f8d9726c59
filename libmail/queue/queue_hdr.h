/* SPDX-License-Identifier: MIT */
/*
 * The fixed header at the start of every queue file: magic, format
 * version, and where the envelope, the message content and the result
 * log lie. All integers are big-endian; a CRC-32 covers the header and
 * another the envelope section. Pure functions.
 *
 * File layout:  header (QUEUE_HDR_LEN) | envelope (env_len)
 *               | content (content_len) | result log (to end of file)
 */
#ifndef QUEUE_QUEUE_HDR_H
#define QUEUE_QUEUE_HDR_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define QUEUE_HDR_LEN 40
#define QUEUE_HDR_MAGIC "POSTERNQ" /* 8 bytes, no NUL */
/* Major format version: a reader rejects any other. */
#define QUEUE_HDR_VERSION 1

struct queue_hdr {
	uint32_t version;
	uint32_t env_len; /* bytes of envelope records */
	uint32_t env_crc; /* CRC-32 of the envelope section */
	uint64_t content_len; /* bytes of message content */
	uint64_t body_offset; /* offset in the content of the body */
};

/* Offsets of the sections in the file. */
static inline uint64_t
queue_hdr_content_offset(const struct queue_hdr *h)
{
	return QUEUE_HDR_LEN + (uint64_t)h->env_len;
}

static inline uint64_t
queue_hdr_log_offset(const struct queue_hdr *h)
{
	return queue_hdr_content_offset(h) + h->content_len;
}

/* Encode h (version is set to QUEUE_HDR_VERSION) into out. */
void queue_hdr_encode(
    const struct queue_hdr *h, unsigned char out[QUEUE_HDR_LEN]);

/*
 * Decode the first len bytes of a file. Returns 0, or -1 with err
 * (ERR_PERM, corrupt) when len is short, the magic, version or CRC is
 * wrong, or body_offset lies past the content.
 */
int queue_hdr_parse(
    const void *in, size_t len, struct queue_hdr *h_out, struct err *err);

#endif
