/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/conf/conf_value.h (int, size, time and boolean
 * values) and for LIST iteration (conf_list_next, conf_list_has).
 */
#include "conf/conf_value.h"

#include <limits.h>
#include <string.h>

#include "conf/conf.h"
#include "core/buf.h"

#include "t.h"

struct number_case {
	int (*fn)(const char *, long long *, struct err *);
	const char *text;
	long long want;
	const char *error; /* NULL: success */
};

static void
numbers(void)
{
	static const struct number_case cases[] = {
	    {conf_value_int, "0", 0, NULL},
	    {conf_value_int, "-17", -17, NULL},
	    {conf_value_int, "+17", 17, NULL},
	    {conf_value_int, "9223372036854775807", LLONG_MAX, NULL},
	    {conf_value_int, "-9223372036854775807", -LLONG_MAX, NULL},
	    {conf_value_int, "9223372036854775808", 0,
	        "bad integer \"9223372036854775808\""},
	    {conf_value_int, "", 0, "bad integer \"\""},
	    {conf_value_int, "-", 0, "bad integer \"-\""},
	    {conf_value_int, " 1", 0, "bad integer \" 1\""},
	    {conf_value_int, "1 ", 0, "bad integer \"1 \""},
	    {conf_value_int, "0x10", 0, "bad integer \"0x10\""},
	    {conf_value_int, "10k", 0, "bad integer \"10k\""},
	    {conf_value_size, "10240000", 10240000, NULL},
	    {conf_value_size, "0", 0, NULL},
	    {conf_value_size, "10b", 10, NULL},
	    {conf_value_size, "512k", 512 * 1024, NULL},
	    {conf_value_size, "10m", 10 * 1024 * 1024, NULL},
	    {conf_value_size, "10M", 10 * 1024 * 1024, NULL},
	    {conf_value_size, "2g", 2LL << 30, NULL},
	    {conf_value_size, "8589934591g", 8589934591LL << 30, NULL},
	    {conf_value_size, "8589934592g", 0, "bad size \"8589934592g\""},
	    {conf_value_size, "10q", 0, "bad size \"10q\""},
	    {conf_value_size, "10mb", 0, "bad size \"10mb\""},
	    {conf_value_size, "m", 0, "bad size \"m\""},
	    {conf_value_size, "-1", 0, "bad size \"-1\""},
	    {conf_value_size, "1.5m", 0, "bad size \"1.5m\""},
	    {conf_value_time, "300", 300, NULL},
	    {conf_value_time, "300s", 300, NULL},
	    {conf_value_time, "5m", 300, NULL},
	    {conf_value_time, "1h", 3600, NULL},
	    {conf_value_time, "3d", 3 * 86400, NULL},
	    {conf_value_time, "2w", 14 * 86400, NULL},
	    {conf_value_time, "2W", 14 * 86400, NULL},
	    {conf_value_time, "1y", 0, "bad time \"1y\""},
	    {conf_value_time, "", 0, "bad time \"\""},
	    {conf_value_time, "-5s", 0, "bad time \"-5s\""},
	    {conf_value_time, "15250284452471w", 15250284452471LL * 604800,
	        NULL},
	    {conf_value_time, "15250284452472w", 0,
	        "bad time \"15250284452472w\""},
	};
	struct err err;
	long long v;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&err);
		v = -1;
		rc = cases[i].fn(cases[i].text, &v, &err);
		if (!T_EQ_INT(rc, cases[i].error ? -1 : 0))
			fprintf(
			    stderr, "  case %zu \"%s\"\n", i, cases[i].text);
		if (cases[i].error == NULL) {
			T_EQ_INT(v, cases[i].want);
		} else {
			T_EQ_STR(err.text, cases[i].error);
			T_EQ_INT(err.kind, ERR_PERM);
		}
	}
}

static void
booleans(void)
{
	static const struct {
		const char *text;
		int want; /* -1: error */
	} cases[] = {
	    {"yes", 1},
	    {"YES", 1},
	    {"true", 1},
	    {"On", 1},
	    {"1", 1},
	    {"no", 0},
	    {"False", 0},
	    {"off", 0},
	    {"0", 0},
	    {"", -1},
	    {"y", -1},
	    {"2", -1},
	    {"yes ", -1},
	    {"nope", -1},
	};
	struct err err;
	bool b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].want < 0) {
			T_EQ_INT(conf_value_bool(cases[i].text, &b, &err), -1);
			T_CHECK(strncmp(err.text, "bad boolean \"", 13) == 0);
		} else if (T_EQ_INT(
		               conf_value_bool(cases[i].text, &b, &err), 0)) {
			T_EQ_INT(b, cases[i].want);
		}
	}
}

static void
list_items(void)
{
	static const struct {
		const char *value;
		const char *items; /* joined with '|' */
	} cases[] = {
	    {"", ""},
	    {" , ,\t", ""},
	    {"a", "a"},
	    {"a,b c\t,, d ", "a|b|c|d"},
	    {"lmdb:/x, inline:{a=1, b=2} static:ok",
	        "lmdb:/x|inline:{a=1, "
	        "b=2}|static:ok"},
	    {"{ text with  spaces }, x", "text with  spaces|x"},
	    {"{}", ""},
	    {"a {b", "a|{b"},
	};
	struct buf item, joined;
	const char *cursor;
	size_t i;

	buf_init(&item);
	buf_init(&joined);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&joined);
		cursor = cases[i].value;
		while (conf_list_next(&cursor, &item))
			buf_printf(
			    &joined, "%s%s", joined.len ? "|" : "", item.data);
		T_EQ_STR(joined.data, cases[i].items);
		T_CHECK(!conf_list_next(&cursor, &item));
	}
	cursor = NULL;
	T_CHECK(!conf_list_next(&cursor, &item));
	T_CHECK(conf_list_has("ipv4, IPv6", "ipv6"));
	T_CHECK(conf_list_has("all", "ALL"));
	T_CHECK(!conf_list_has("ipv4, ipv6x", "ipv6"));
	T_CHECK(!conf_list_has("", "ipv6"));
	buf_deinit(&item);
	buf_deinit(&joined);
}

T_MAIN(T_CASE(numbers), T_CASE(booleans), T_CASE(list_items))
