/* SPDX-License-Identifier: MIT */
/*
 * ManageSieve responses (RFC 5804 §1.3, §4): OK, NO or BYE with an
 * optional response code and human-readable text, and strings sent as
 * quoted strings or, when they hold line ends or are long, as literals
 * "{n}" CRLF data. The text may carry client data (script names, a
 * compile error quoting the script): the string forms keep it from
 * ever ending a line early.
 */
#include "sieved.h"

#include <stdarg.h>
#include <string.h>

#include "core/log.h"

/* RFC 5804 §4: quoted strings are best kept under 1024 octets. */
#define SIEVED_REPLY_QUOTED_MAX 1000

void
sieved_reply_string(struct sieved_session *s, const char *data, size_t len)
{
	size_t i;

	if (len > SIEVED_REPLY_QUOTED_MAX || memchr(data, '\r', len) != NULL ||
	    memchr(data, '\n', len) != NULL ||
	    memchr(data, '\0', len) != NULL) {
		stream_printf(&s->io, "{%zu}\r\n", len);
		stream_write(&s->io, data, len);
		return;
	}
	stream_write(&s->io, "\"", 1);
	for (i = 0; i < len; i++) {
		if (data[i] == '"' || data[i] == '\\')
			stream_write(&s->io, "\\", 1);
		stream_write(&s->io, &data[i], 1);
	}
	stream_write(&s->io, "\"", 1);
}

void
sieved_reply(struct sieved_session *s, const char *status, const char *code,
    const char *fmt, ...)
{
	struct buf text;
	va_list ap;

	stream_printf(&s->io, "%s", status);
	if (code != NULL)
		stream_printf(&s->io, " (%s)", code);
	if (fmt != NULL) {
		buf_init(&text);
		va_start(ap, fmt);
		buf_vprintf(&text, fmt, ap);
		va_end(ap);
		stream_write(&s->io, " ", 1);
		sieved_reply_string(s, text.data, text.len);
		buf_deinit(&text);
	}
	stream_write(&s->io, "\r\n", 2);
}

void
sieved_reply_temp(struct sieved_session *s, const struct err *err)
{
	log_warning("[%s]%s%s: %s", s->addr, s->user != NULL ? " user=" : "",
	    s->user != NULL ? s->user : "", err->text);
	sieved_reply(
	    s, "NO", "TRYLATER", "Temporary server failure, try again later");
}
