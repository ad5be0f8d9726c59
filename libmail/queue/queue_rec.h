/* SPDX-License-Identifier: MIT */
/*
 * The typed records of a queue file: a one-byte type, a 4-byte big-endian
 * value length, then the value, so any byte may appear in a value and no
 * host-order integer or raw struct reaches the disk. Numbers are decimal
 * text. A record's value may itself hold records (a recipient does).
 * Also the CRC-32 and big-endian helpers of the file header and result
 * log. Pure functions; input is untrusted file content.
 */
#ifndef QUEUE_QUEUE_REC_H
#define QUEUE_QUEUE_REC_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define QUEUE_REC_HDR_LEN 5 /* type + length */

/* Append one record to out. */
void queue_rec_put(struct buf *out, char type, const void *value, size_t len);
/* A NUL-terminated string value; NULL is written as nothing at all. */
void queue_rec_put_str(struct buf *out, char type, const char *value);
/* A decimal number value. */
void queue_rec_put_num(struct buf *out, char type, uint64_t value);

/*
 * Read the record at *off in in[0..len). Returns 1 with *type_out,
 * *value_out (borrowed, points into in) and *vlen_out set and *off
 * advanced; 0 at the end of the input; -1 when a record header or value
 * runs past the end (truncated or corrupt).
 */
int queue_rec_next(const void *in, size_t len, size_t *off, char *type_out,
    const char **value_out, size_t *vlen_out);

/*
 * A decimal number of at most 20 digits with no sign, no leading zero
 * (except "0") and no other bytes. 0 or -1.
 */
int queue_rec_num(const char *value, size_t len, uint64_t *num_out);

/* CRC-32 (ISO-HDLC, as zlib) of data, continuing from crc (start at 0). */
uint32_t queue_rec_crc32(uint32_t crc, const void *data, size_t len);


#endif
