/* SPDX-License-Identifier: MIT */
/*
 * Queue file header (queue_hdr.h). Byte layout:
 *   0 magic[8]  8 version  12 env_len  16 env_crc  20 content_len(8)
 *  28 body_offset(8)  36 CRC-32 of bytes 0..35
 */
#include "queue/queue_hdr.h"

#include <string.h>

#include "core/byteorder.h"

#include "queue/queue_rec.h"

#define QUEUE_HDR_CRC_AT 36

void
queue_hdr_encode(const struct queue_hdr *h, unsigned char out[QUEUE_HDR_LEN])
{
	memcpy(out, QUEUE_HDR_MAGIC, 8);
	byteorder_put_be32(out + 8, QUEUE_HDR_VERSION);
	byteorder_put_be32(out + 12, h->env_len);
	byteorder_put_be32(out + 16, h->env_crc);
	byteorder_put_be64(out + 20, h->content_len);
	byteorder_put_be64(out + 28, h->body_offset);
	byteorder_put_be32(
	    out + QUEUE_HDR_CRC_AT, queue_rec_crc32(0, out, QUEUE_HDR_CRC_AT));
}

int
queue_hdr_parse(
    const void *in, size_t len, struct queue_hdr *h_out, struct err *err)
{
	const unsigned char *p = in;

	if (len < QUEUE_HDR_LEN)
		return err_set(
		    err, ERR_PERM, "4.3.0", "corrupt queue file: short header");
	if (memcmp(p, QUEUE_HDR_MAGIC, 8) != 0)
		return err_set(
		    err, ERR_PERM, "4.3.0", "corrupt queue file: bad magic");
	if (queue_rec_crc32(0, p, QUEUE_HDR_CRC_AT) !=
	    byteorder_get_be32(p + QUEUE_HDR_CRC_AT))
		return err_set(err, ERR_PERM, "4.3.0",
		    "corrupt queue file: header checksum");
	h_out->version = byteorder_get_be32(p + 8);
	if (h_out->version != QUEUE_HDR_VERSION)
		return err_set(err, ERR_PERM, "4.3.0",
		    "queue file format version %u, want %u", h_out->version,
		    QUEUE_HDR_VERSION);
	h_out->env_len = byteorder_get_be32(p + 12);
	h_out->env_crc = byteorder_get_be32(p + 16);
	h_out->content_len = byteorder_get_be64(p + 20);
	h_out->body_offset = byteorder_get_be64(p + 28);
	/* Keep every offset sum far from overflow. */
	if (h_out->content_len > (UINT64_MAX >> 2) ||
	    h_out->body_offset > h_out->content_len)
		return err_set(err, ERR_PERM, "4.3.0",
		    "corrupt queue file: bad section sizes");
	return 0;
}
