/* SPDX-License-Identifier: MIT */
/*
 * Queue id encoding: fixed-width time digits, then the inode number, in
 * Crockford's base-32 alphabet (no I, L, O, U), whose ASCII order matches
 * digit order so that sorting file names sorts by arrival.
 */
#include "queue/queue_id.h"

#include <string.h>

static const char queue_id_digits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define QUEUE_ID_SEC_DIGITS 7
#define QUEUE_ID_USEC_DIGITS 4

static int
queue_id_digit_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(queue_id_digits, c);
	return p == NULL ? -1 : (int)(p - queue_id_digits);
}

/* Fixed-width big-endian digits: width * 5 bits of v. */
static void
queue_id_put_fixed(char *out, size_t width, uint64_t v)
{
	size_t i;

	for (i = width; i > 0; i--) {
		out[i - 1] = queue_id_digits[v & 31];
		v >>= 5;
	}
}

int
queue_id_make(
    uint64_t sec, uint32_t usec, uint64_t ino, char out[QUEUE_ID_SIZE])
{
	char tmp[13];
	size_t n = 0, i;

	if (sec >> (5 * QUEUE_ID_SEC_DIGITS) != 0 || usec >= 1000000)
		return -1;
	queue_id_put_fixed(out, QUEUE_ID_SEC_DIGITS, sec);
	queue_id_put_fixed(
	    out + QUEUE_ID_SEC_DIGITS, QUEUE_ID_USEC_DIGITS, usec);
	do {
		tmp[n++] = queue_id_digits[ino & 31];
		ino >>= 5;
	} while (ino != 0);
	for (i = 0; i < n; i++)
		out[QUEUE_ID_TIME_LEN + i] = tmp[n - 1 - i];
	out[QUEUE_ID_TIME_LEN + n] = '\0';
	return 0;
}

static bool
queue_id_get_digits(const char *s, size_t len, uint64_t *v_out)
{
	uint64_t v = 0;
	size_t i;
	int d;

	for (i = 0; i < len; i++) {
		if ((d = queue_id_digit_value(s[i])) < 0)
			return false;
		v = (v << 5) | (uint64_t)d;
	}
	*v_out = v;
	return true;
}

bool
queue_id_parse(const char *s, size_t len, uint64_t *sec_out, uint32_t *usec_out,
    uint64_t *ino_out)
{
	uint64_t sec, usec, ino;
	size_t ilen;

	if (len < QUEUE_ID_MIN_LEN || len > QUEUE_ID_MAX_LEN)
		return false;
	ilen = len - QUEUE_ID_TIME_LEN;
	/* 13 digits hold 65 bits: the leading one may carry only four. */
	if (ilen == 13 && queue_id_digit_value(s[QUEUE_ID_TIME_LEN]) > 15)
		return false;
	/* One spelling per number, so equal inodes give equal names. */
	if (ilen > 1 && s[QUEUE_ID_TIME_LEN] == '0')
		return false;
	if (!queue_id_get_digits(s, QUEUE_ID_SEC_DIGITS, &sec) ||
	    !queue_id_get_digits(
	        s + QUEUE_ID_SEC_DIGITS, QUEUE_ID_USEC_DIGITS, &usec) ||
	    !queue_id_get_digits(s + QUEUE_ID_TIME_LEN, ilen, &ino))
		return false;
	if (usec >= 1000000)
		return false;
	if (sec_out != NULL)
		*sec_out = sec;
	if (usec_out != NULL)
		*usec_out = (uint32_t)usec;
	if (ino_out != NULL)
		*ino_out = ino;
	return true;
}

bool
queue_id_valid(const char *s)
{
	return queue_id_parse(s, strlen(s), NULL, NULL, NULL);
}
