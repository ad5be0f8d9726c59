/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/core: buf, arena, err, log_escape. */
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"

#include <string.h>

#include "t.h"

static void
buf_grows_and_stays_terminated(void)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	T_EQ_INT(b.len, 0);
	T_EQ_STR(b.data, "");
	for (i = 0; i < 1000; i++)
		buf_putc(&b, 'x');
	T_EQ_INT(b.len, 1000);
	T_EQ_INT(b.data[1000], '\0');
	buf_printf(&b, "%d-%s", 42, "y");
	T_EQ_INT(b.len, 1004);
	T_EQ_STR(b.data + 1000, "42-y");
	buf_deinit(&b);
}

static void
buf_is_binary_safe(void)
{
	struct buf b;

	buf_init(&b);
	buf_append(&b, "a\0b", 3);
	T_EQ_INT(b.len, 3);
	T_CHECK(memcmp(b.data, "a\0b", 3) == 0);
	buf_consume(&b, 2);
	T_EQ_STR(b.data, "b");
	buf_consume(&b, 10);
	T_EQ_INT(b.len, 0);
	buf_set(&b, "hello");
	buf_truncate(&b, 2);
	T_EQ_STR(b.data, "he");
	buf_truncate(&b, 10);
	T_EQ_STR(b.data, "he");
	buf_deinit(&b);
}

static void
buf_printf_longer_than_capacity(void)
{
	struct buf b;
	char big[5000];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b);
	buf_printf(&b, "<%s>", big);
	T_EQ_INT(b.len, sizeof(big) + 1);
	T_EQ_INT(b.data[0], '<');
	T_EQ_INT(b.data[b.len - 1], '>');
	buf_deinit(&b);
}

static void
arena_allocates_and_resets(void)
{
	struct arena *a = arena_new();
	char *s, *big;
	size_t i;

	for (i = 0; i < 5000; i++) {
		s = arena_printf(a, "n%zu", i);
		T_CHECK(s[0] == 'n');
	}
	big = arena_alloc(a, 100000);
	memset(big, 1, 100000);
	T_CHECK(arena_used(a) >= 100000);
	arena_reset(a);
	T_EQ_INT(arena_used(a), 0);
	s = arena_strndup(a, "abcdef", 3);
	T_EQ_STR(s, "abc");
	T_CHECK(((char *)arena_zalloc(a, 16))[15] == 0);
	arena_free(&a);
	T_CHECK(a == NULL);
	arena_free(&a);
}

static void
arena_reset_after_oversized_first(void)
{
	struct arena *a = arena_new();

	(void)arena_alloc(a, 50000);
	arena_reset(a);
	(void)arena_alloc(a, 10);
	arena_reset(a);
	arena_free(&a);
	T_CHECK(a == NULL);
}

static void
err_set_fills_and_scrubs(void)
{
	struct err err;

	err_clear(&err);
	T_EQ_INT(err.kind, ERR_NONE);
	T_EQ_INT(err_set(&err, ERR_TEMP, "4.3.0", "disk %s\r\nfull", "x"),
	    -1);
	T_CHECK(err_is_temp(&err));
	T_EQ_STR(err.dsn, "4.3.0");
	T_EQ_STR(err.text, "disk x  full");
	err_prefix(&err, "file:%d", 3);
	T_EQ_STR(err.text, "file:3: disk x  full");
	T_EQ_INT(err_set(NULL, ERR_PERM, "", "ignored"), -1);
}

static void
log_escape_makes_text_printable(void)
{
	char out[64];

	T_EQ_STR(log_escape("a\r\nb", 4, 100, out, sizeof(out)),
	    "a\\015\\012b");
	T_EQ_STR(log_escape("abcdef", 6, 3, out, sizeof(out)), "abc...");
	T_EQ_STR(log_escape("a\0b", 3, 10, out, sizeof(out)), "a\\000b");
	T_EQ_STR(log_escape("xyz", 3, 10, out, 3), "xy");
}

static void
log_level_names_parse(void)
{
	enum log_level lv;

	T_EQ_INT(log_level_parse("notice", &lv), 0);
	T_EQ_INT(lv, LOG_LEVEL_NOTICE);
	T_EQ_INT(log_level_parse("crit", &lv), 0);
	T_EQ_INT(lv, LOG_LEVEL_CRIT);
	T_EQ_INT(log_level_parse("loud", &lv), -1);
}

T_MAIN(T_CASE(buf_grows_and_stays_terminated), T_CASE(buf_is_binary_safe),
    T_CASE(buf_printf_longer_than_capacity),
    T_CASE(arena_allocates_and_resets),
    T_CASE(arena_reset_after_oversized_first),
    T_CASE(err_set_fills_and_scrubs), T_CASE(log_escape_makes_text_printable),
    T_CASE(log_level_names_parse))
