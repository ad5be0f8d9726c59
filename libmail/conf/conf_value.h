/* SPDX-License-Identifier: MIT */
/*
 * Pure value parsers for main.cf types: text in, typed value or error
 * out. No globals, no I/O; each has a fuzz target through the main.cf
 * parser.
 */
#ifndef CONF_CONF_VALUE_H
#define CONF_CONF_VALUE_H

#include <stdbool.h>

#include "core/err.h"

/* Decimal integer, optional sign. 0 or -1 (ERR_PERM). */
int conf_value_int(const char *s, long long *out, struct err *err);
/* Size with optional unit: b, k, m, g (powers of 1024): "10m". */
int conf_value_size(const char *s, long long *out, struct err *err);
/* Duration with optional unit: s, m, h, d, w; no unit means seconds. */
int conf_value_time(const char *s, long long *out, struct err *err);
/* yes/no, true/false, on/off, 1/0 (case-insensitive). */
int conf_value_bool(const char *s, bool *out, struct err *err);

#endif
