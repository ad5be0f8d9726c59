/* SPDX-License-Identifier: MIT */
/*
 * Big-endian fixed-width integers, the only integer form that crosses a
 * socket or reaches disk (IPC frames, queue file headers and logs, the
 * mailbox index). Byte-at-a-time, so alignment and host order never
 * matter.
 */
#ifndef CORE_BYTEORDER_H
#define CORE_BYTEORDER_H

#include <stdint.h>

static inline void
byteorder_put_be32(void *dst, uint32_t v)
{
	unsigned char *p = dst;

	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline uint32_t
byteorder_get_be32(const void *src)
{
	const unsigned char *p = src;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void
byteorder_put_be64(void *dst, uint64_t v)
{
	byteorder_put_be32(dst, (uint32_t)(v >> 32));
	byteorder_put_be32((unsigned char *)dst + 4, (uint32_t)v);
}

static inline uint64_t
byteorder_get_be64(const void *src)
{
	return (uint64_t)byteorder_get_be32(src) << 32 |
	    byteorder_get_be32((const unsigned char *)src + 4);
}

#endif
