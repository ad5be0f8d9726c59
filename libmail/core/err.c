/* SPDX-License-Identifier: MIT */
/*
 * Filling struct err. Texts are truncated, never overflowed, and line
 * breaks are replaced so a reason can be placed in a reply or log line.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void
err_scrub(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			*s = ' ';
}

void
err_clear(struct err *err)
{
	err->kind = ERR_NONE;
	err->dsn[0] = '\0';
	err->text[0] = '\0';
}

int
err_set(struct err *err, enum err_kind kind, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->kind = kind;
	snprintf(err->dsn, sizeof(err->dsn), "%s", dsn != NULL ? dsn : "");
	va_start(ap, fmt);
	/* Truncation is acceptable: the reason is for humans. */
	(void)vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	err_scrub(err->text);
	return -1;
}

void
err_prefix(struct err *err, const char *fmt, ...)
{
	char prefix[256];
	size_t plen, tlen;
	va_list ap;
	int n;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	plen = strlen(prefix);
	memcpy(prefix + plen, ": ", 2);
	plen += 2;
	/* Shift the old text right; what falls off the end is lost. */
	tlen = strnlen(err->text, sizeof(err->text) - 1);
	if (plen + tlen > sizeof(err->text) - 1)
		tlen = sizeof(err->text) - 1 - plen;
	memmove(err->text + plen, err->text, tlen);
	memcpy(err->text, prefix, plen);
	err->text[plen + tlen] = '\0';
	err_scrub(err->text);
}
