/* SPDX-License-Identifier: MIT */
/*
 * Queue ids: the name of a queue file and the label of every log line
 * about its message. Used by smtpd and pickup (which make them), qmgr,
 * the delivery agents and postern (which parse them). Pure functions.
 *
 * An id is 11 characters of arrival time (7 for the seconds, 4 for the
 * microseconds) followed by 1 to 13 characters of the queue file's inode
 * number, all in a 32-character alphabet whose ASCII order is its
 * numeric order. So ids sort by arrival, need no shell quoting, survive
 * case-insensitive tools, and two files that exist at the same time can
 * never share one (they cannot share an inode on one file system).
 */
#ifndef QUEUE_QUEUE_ID_H
#define QUEUE_QUEUE_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUEUE_ID_TIME_LEN 11 /* 7 seconds + 4 microseconds */
#define QUEUE_ID_MIN_LEN (QUEUE_ID_TIME_LEN + 1)
#define QUEUE_ID_MAX_LEN (QUEUE_ID_TIME_LEN + 13)
#define QUEUE_ID_SIZE (QUEUE_ID_MAX_LEN + 1) /* with the NUL */

/*
 * Write the id for a file with inode ino created at sec.usec into
 * out[QUEUE_ID_SIZE], NUL-terminated. Returns 0, or -1 when sec does not
 * fit in 35 bits (after the year 3058) or usec >= 1000000.
 */
int queue_id_make(
    uint64_t sec, uint32_t usec, uint64_t ino, char out[QUEUE_ID_SIZE]);

/*
 * Parse s (len bytes, need not be NUL-terminated): true when it is a
 * well-formed id, with its parts stored through the non-NULL out
 * pointers. A name that fails this test is not a queue file (temporary
 * files and the group-commit file in incoming/ all fail it).
 */
bool queue_id_parse(const char *s, size_t len, uint64_t *sec_out,
    uint32_t *usec_out, uint64_t *ino_out);

/* queue_id_parse on a NUL-terminated string, without the parts. */
bool queue_id_valid(const char *s);

#endif
