/* SPDX-License-Identifier: MIT */
/*
 * Record encoding for queue files (see queue_rec.h). Reading never trusts
 * a length: every one is checked against the bytes that remain.
 */
#include "queue/queue_rec.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/byteorder.h"
#include "core/log.h"

void
queue_rec_put(struct buf *out, char type, const void *value, size_t len)
{
	unsigned char hdr[QUEUE_REC_HDR_LEN];

	if (len > UINT32_MAX)
		PANIC("%s: record of %zu bytes", __func__, len);
	hdr[0] = (unsigned char)type;
	byteorder_put_be32(hdr + 1, (uint32_t)len);
	buf_append(out, hdr, sizeof(hdr));
	buf_append(out, value, len);
}

void
queue_rec_put_str(struct buf *out, char type, const char *value)
{
	if (value != NULL)
		queue_rec_put(out, type, value, strlen(value));
}

void
queue_rec_put_num(struct buf *out, char type, uint64_t value)
{
	char num[24];
	int n;

	n = snprintf(num, sizeof(num), "%" PRIu64, value);
	if (n < 0 || (size_t)n >= sizeof(num))
		PANIC("%s: snprintf", __func__);
	queue_rec_put(out, type, num, (size_t)n);
}

int
queue_rec_next(const void *in, size_t len, size_t *off, char *type_out,
    const char **value_out, size_t *vlen_out)
{
	const unsigned char *p = in;
	size_t at = *off;
	uint32_t vlen;

	if (at >= len)
		return 0;
	if (len - at < QUEUE_REC_HDR_LEN)
		return -1;
	vlen = byteorder_get_be32(p + at + 1);
	if (vlen > len - at - QUEUE_REC_HDR_LEN)
		return -1;
	*type_out = (char)p[at];
	*value_out = (const char *)p + at + QUEUE_REC_HDR_LEN;
	*vlen_out = vlen;
	*off = at + QUEUE_REC_HDR_LEN + vlen;
	return 1;
}

int
queue_rec_num(const char *value, size_t len, uint64_t *num_out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && value[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (value[i] < '0' || value[i] > '9')
			return -1;
		d = (unsigned)(value[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*num_out = v;
	return 0;
}

uint32_t
queue_rec_crc32(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;
	int k;

	/* Bitwise: the checksummed parts (envelope, log frames) are small. */
	crc = ~crc;
	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

