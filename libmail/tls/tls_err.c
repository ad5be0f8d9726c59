/* SPDX-License-Identifier: MIT */
/*
 * OpenSSL reports failures on a per-thread error queue. Every failing
 * call in libmail/tls drains it into the struct err it returns, so no
 * stale entry is blamed on a later, unrelated call.
 */
#include "tls/tls_impl.h"

#include <stdarg.h>
#include <stdio.h>

#include <openssl/err.h>

int
tls_err_set(struct err *err, enum err_kind kind, const char *fmt, ...)
{
	char what[256], lib[256], text[sizeof(err->text)];
	unsigned long e;
	const char *sep = ": ";
	size_t off;
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* Truncation is acceptable: the reason is for humans. */
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	n = snprintf(text, sizeof(text), "%s", what);
	off = n < 0 ? 0 : (size_t)n;
	while ((e = ERR_get_error()) != 0) {
		if (off >= sizeof(text) - 1)
			continue;
		ERR_error_string_n(e, lib, sizeof(lib));
		n = snprintf(text + off, sizeof(text) - off, "%s%s", sep, lib);
		sep = "; ";
		off = n < 0 ? sizeof(text) : off + (size_t)n;
	}
	return err_set(
	    err, kind, kind == ERR_PERM ? "5.7.0" : "4.7.0", "%s", text);
}
