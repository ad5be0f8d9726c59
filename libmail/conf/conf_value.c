/* SPDX-License-Identifier: MIT */
/*
 * Typed main.cf values: text in, number or boolean out. Pure. White space
 * is not trimmed here: the main.cf reader already removed it around the
 * value, so any that is left is an error.
 */
#include "conf/conf_value.h"

#include <limits.h>
#include <stdint.h>
#include <strings.h>

/* Longest value quoted back in a message. */
#define CONF_VALUE_QUOTE 64

/*
 * Decimal digits at *sp, at least one, up to a value of max; advances
 * *sp past them. 0 or -1 (no digit, or overflow).
 */
static int
conf_value_digits(
    const char **sp, unsigned long long max, unsigned long long *out)
{
	const char *s = *sp;
	unsigned long long v = 0;
	unsigned d;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

int
conf_value_int(const char *s, long long *out, struct err *err)
{
	const char *p = s;
	unsigned long long v;
	bool neg = false;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (conf_value_digits(&p, LLONG_MAX, &v) < 0 || *p != '\0')
		return err_set(err, ERR_PERM, "5.3.5", "bad integer \"%.*s\"",
		    CONF_VALUE_QUOTE, s);
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

/* A number followed by at most one unit letter from units/scales. */
static int
conf_value_scaled(
    const char *s, const char *units, const long long *scales, long long *out)
{
	const char *p = s;
	unsigned long long v;
	long long scale = 1;
	size_t i;

	if (conf_value_digits(&p, LLONG_MAX, &v) < 0)
		return -1;
	if (*p != '\0') {
		for (i = 0; units[i] != '\0'; i++)
			if ((*p | 0x20) == units[i])
				break;
		if (units[i] == '\0' || p[1] != '\0')
			return -1;
		scale = scales[i];
	}
	if (v > (unsigned long long)(LLONG_MAX / scale))
		return -1;
	*out = (long long)v * scale;
	return 0;
}

int
conf_value_size(const char *s, long long *out, struct err *err)
{
	static const long long scales[] = {1, 1LL << 10, 1LL << 20, 1LL << 30};

	if (conf_value_scaled(s, "bkmg", scales, out) < 0)
		return err_set(err, ERR_PERM, "5.3.5", "bad size \"%.*s\"",
		    CONF_VALUE_QUOTE, s);
	return 0;
}

int
conf_value_time(const char *s, long long *out, struct err *err)
{
	static const long long scales[] = {1, 60, 3600, 86400, 604800};

	if (conf_value_scaled(s, "smhdw", scales, out) < 0)
		return err_set(err, ERR_PERM, "5.3.5", "bad time \"%.*s\"",
		    CONF_VALUE_QUOTE, s);
	return 0;
}

int
conf_value_bool(const char *s, bool *out, struct err *err)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return err_set(err, ERR_PERM, "5.3.5", "bad boolean \"%.*s\"",
	    CONF_VALUE_QUOTE, s);
}
