/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for queue ids: round trips at the limits, rejected
 * spellings, and ordering by arrival time. (Uniqueness across processes
 * is tested with real files in test_queue_writer.c.)
 */
#include "queue/queue_id.h"

#include <stdint.h>
#include <string.h>

#include "t.h"

static void
queue_id_round_trip(void)
{
	static const struct {
		uint64_t sec;
		uint32_t usec;
		uint64_t ino;
	} cases[] = {
	    {0, 0, 0},
	    {1700000000, 123456, 42},
	    {1700000000, 999999, UINT64_MAX},
	    {(1ull << 35) - 1, 0, 1ull << 63},
	};
	char id[QUEUE_ID_SIZE];
	uint64_t sec, ino;
	uint32_t usec;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		T_EQ_INT(queue_id_make(
		             cases[i].sec, cases[i].usec, cases[i].ino, id),
		    0);
		T_CHECK(strlen(id) >= QUEUE_ID_MIN_LEN);
		T_CHECK(strlen(id) <= QUEUE_ID_MAX_LEN);
		T_CHECK(queue_id_parse(id, strlen(id), &sec, &usec, &ino));
		T_EQ_INT(sec, cases[i].sec);
		T_EQ_INT(usec, cases[i].usec);
		T_CHECK(ino == cases[i].ino);
	}
	T_EQ_INT(queue_id_make(1ull << 35, 0, 1, id), -1);
	T_EQ_INT(queue_id_make(0, 1000000, 1, id), -1);
	T_EQ_INT(queue_id_make(1700000000, 5, 42, id), 0);
	T_EQ_STR(id,
	    "1JN7W80"
	    "0005"
	    "1A");
}

static void
queue_id_rejects(void)
{
	static const char *const bad[] = {
	    "",
	    "1KMBWG00005",
	    "1KMBWG000051a",
	    "1KMBWG00005-1",
	    "1KMBWG0000501",
	    "1KMBWG0000I1",
	    "1KMBWGZZZZZ1",
	    "1KMBWG00005"
	    "GZZZZZZZZZZZZ",
	    "1KMBWG00005"
	    "ZZZZZZZZZZZZZZ",
	    ".tmp.abcdef",
	    "1KMBWG00005 1",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_CHECK(!queue_id_valid(bad[i]));
	T_CHECK(queue_id_valid("1KMBWG00005"
	                       "FZZZZZZZZZZZZ"));
	T_CHECK(queue_id_valid("1KMBWG000050"));
	/* Not NUL-terminated input: only len bytes are looked at. */
	T_CHECK(queue_id_parse("1KMBWG000051Axyz", 13, NULL, NULL, NULL));
}

static void
queue_id_sorts_by_time(void)
{
	char a[QUEUE_ID_SIZE], b[QUEUE_ID_SIZE];

	queue_id_make(1700000000, 999999, 1, a);
	queue_id_make(1700000001, 0, 0, b);
	T_CHECK(strcmp(a, b) < 0);
	queue_id_make(1700000000, 10, UINT64_MAX, a);
	queue_id_make(1700000000, 11, 1, b);
	T_CHECK(strcmp(a, b) < 0);
	queue_id_make(1, 0, 5, a);
	queue_id_make(1700000000, 0, 5, b);
	T_CHECK(strcmp(a, b) < 0);
}

T_MAIN(T_CASE(queue_id_round_trip), T_CASE(queue_id_rejects),
    T_CASE(queue_id_sorts_by_time))
