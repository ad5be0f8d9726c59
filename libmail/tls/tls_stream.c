/* SPDX-License-Identifier: MIT */
/*
 * TLS under a core/stream: STARTTLS (SMTP, IMAP, POP3 STLS, ManageSieve)
 * and wrapper mode (smtps, imaps, pop3s) both end here, so the
 * plaintext-injection defence lives in one place.
 */
#include "tls/tls_impl.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/stream.h"

static ssize_t
tls_stream_read(void *ctx, int fd, void *p, size_t n, short *want_out)
{
	(void)fd;
	return tls_session_read(ctx, p, n, want_out);
}

static ssize_t
tls_stream_write(void *ctx, int fd, const void *p, size_t n, short *want_out)
{
	(void)fd;
	return tls_session_write(ctx, p, n, want_out);
}

static const struct stream_ops tls_stream_ops = {
    .read = tls_stream_read,
    .write = tls_stream_write,
};

int
tls_stream_start(struct stream *st, struct tls_session *s,
    size_t *discarded_out, struct err *err)
{
	size_t n;

	if (s->fd != st->fd)
		PANIC(
		    "%s: session fd %d, stream fd %d", __func__, s->fd, st->fd);
	if (st->out.len > 0 && stream_flush(st) != 0)
		return err_set(err, ERR_TEMP, "4.4.2",
		    "cannot send before TLS: %s", strerror(errno));
	/*
	 * CVE-2011-0411: whatever the client sent after STARTTLS came in
	 * plaintext, possibly injected by a man in the middle; it must
	 * never be read as if it had arrived over TLS.
	 */
	n = stream_discard_input(st);
	if (discarded_out != NULL)
		*discarded_out = n;
	if (tls_session_handshake(s, st->timeout_ms, err) != 0)
		return -1;
	stream_set_ops(st, &tls_stream_ops, s);
	return 0;
}
