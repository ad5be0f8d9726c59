/* SPDX-License-Identifier: MIT */
/*
 * Bytes in and out of one IMAP session, non-blocking, over the plain
 * socket or TLS: read what the client sent, feed it to the command
 * reader (imap/imap_parse.h), run each event, and write replies as the
 * socket takes them. Buffers are made when bytes arrive or a reply is
 * queued and freed as soon as they are empty, so an idle session holds
 * none. Output above IMAPD_OUT_HIGH stops the reading of new commands
 * until the client has taken it (a client that never reads cannot make
 * us buffer without end). After STARTTLS every byte the client sent in
 * plaintext is thrown away (CVE-2011-0411).
 */
#include "imapd.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"

void
imapd_io_parser_init(struct imapd_session *s)
{
	const struct conf *c = s->d->conf;
	struct imap_parse_limits lim = {
	    .line_max = (size_t)c->imapd_max_line_length,
	    .literal_max = (uint64_t)c->imapd_max_line_length,
	    .nonsync_max = 4096,
	    .command_max = (size_t)c->imapd_max_line_length,
	    .depth_max = IMAPD_DEPTH_MAX,
	    .args_max = 4096,
	};

	/* Logged in, APPEND may send a message up to APPENDLIMIT. */
	if (s->state != IMAPD_NOTAUTH) {
		lim.literal_max = imapd_append_limit(s->d);
		lim.nonsync_max = lim.literal_max;
		lim.command_max = lim.literal_max + lim.line_max;
	}
	imap_parse_init(&s->parser, &lim);
}

void
imapd_io_parser_reset(struct imapd_session *s)
{
	imap_parse_deinit(&s->parser);
	imapd_io_parser_init(s);
}

struct buf *
imapd_io_out(struct imapd_session *s)
{
	if (s->out == NULL) {
		s->out = xmalloc(sizeof(*s->out));
		buf_init(s->out);
		s->out_off = 0;
	}
	return s->out;
}

static void
imapd_io_drop(struct buf **bp)
{
	if (*bp != NULL) {
		buf_deinit(*bp);
		free(*bp);
		*bp = NULL;
	}
}

void
imapd_io_release(struct imapd_session *s)
{
	imapd_io_drop(&s->in);
	imapd_io_drop(&s->out);
	s->in_off = s->out_off = 0;
}

size_t
imapd_io_pending_out(const struct imapd_session *s)
{
	return s->out != NULL ? s->out->len - s->out_off : 0;
}

bool
imapd_io_flush(struct imapd_session *s)
{
	short want = 0;
	ssize_t n;

	while (imapd_io_pending_out(s) > 0) {
		const char *p = s->out->data + s->out_off;
		size_t len = s->out->len - s->out_off;

		if (s->tls != NULL && s->wait != IMAPD_WAIT_TLS)
			n = tls_session_write(s->tls, p, len, &want);
		else
			n = write(s->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;
		s->out_off += (size_t)n;
	}
	imapd_io_drop(&s->out);
	s->out_off = 0;
	return true;
}

void
imapd_io_watch(struct imapd_session *s)
{
	unsigned mask = 0;

	if (s->wait == IMAPD_WAIT_TLS && s->tls != NULL)
		mask = s->tls_want == POLLOUT ? EVENT_WRITE : EVENT_READ;
	else {
		if (!s->closing && s->wait != IMAPD_WAIT_DELAY &&
		    s->resume == NULL &&
		    imapd_io_pending_out(s) < IMAPD_OUT_HIGH)
			mask |= EVENT_READ;
		if (imapd_io_pending_out(s) > 0)
			mask |= EVENT_WRITE;
	}
	event_fd_modify(s->d->loop, s->fd, mask);
}

void
imapd_io_start_tls(struct imapd_session *s)
{
	size_t dropped = s->in != NULL ? s->in->len - s->in_off : 0;

	if (dropped > 0)
		log_warning("%s: discarded %zu bytes of plaintext pipelined "
		            "after STARTTLS",
		    s->addr, dropped);
	imapd_io_drop(&s->in);
	s->in_off = 0;
	imapd_io_parser_reset(s);
	s->wait = IMAPD_WAIT_TLS;
}

/* One handshake step; false when the session must end. */
static bool
imapd_io_handshake(struct imapd_session *s)
{
	struct err err;
	struct buf desc;
	int rc;

	if (s->tls == NULL) {
		/* The STARTTLS reply goes out in plaintext first. */
		if (imapd_io_pending_out(s) > 0)
			return true;
		if (tls_ctx_check(s->d->tls, &err) < 0)
			log_warning("TLS: keeping the loaded certificate: %s",
			    err.text);
		s->tls = tls_session_server_new(s->d->tls, s->fd, &err);
		if (s->tls == NULL) {
			log_warning("%s: TLS: %s", s->addr, err.text);
			return false;
		}
	}
	rc = tls_session_handshake_step(s->tls, &s->tls_want, &err);
	if (rc == 0)
		return true;
	if (rc < 0) {
		log_info("SSL_accept error from %s: %s", s->addr, err.text);
		return false;
	}
	s->wait = IMAPD_WAIT_NONE;
	buf_init(&desc);
	tls_session_describe(s->tls, &desc);
	log_info("%s TLS connection established from %s: %s",
	    tls_session_trust(s->tls), s->addr, desc.data);
	buf_deinit(&desc);
	imapd_session_tls_ready(s);
	return true;
}

/* Read once; 1 bytes added, 0 nothing now, -1 the session must end. */
static int
imapd_io_read(struct imapd_session *s)
{
	short want = 0;
	ssize_t n;

	if (s->in == NULL) {
		s->in = xmalloc(sizeof(*s->in));
		buf_init(s->in);
		s->in_off = 0;
	} else if (s->in_off > 0) {
		buf_consume(s->in, s->in_off);
		s->in_off = 0;
	}
	buf_reserve(s->in, IMAPD_READ_CHUNK);
	do {
		if (s->tls != NULL)
			n = tls_session_read(s->tls, s->in->data + s->in->len,
			    IMAPD_READ_CHUNK, &want);
		else
			n = read(
			    s->fd, s->in->data + s->in->len, IMAPD_READ_CHUNK);
	} while (n < 0 && errno == EINTR);
	if (n > 0) {
		s->in->len += (size_t)n;
		s->in->data[s->in->len] = '\0';
		return 1;
	}
	if (s->in->len == s->in_off) {
		imapd_io_drop(&s->in);
		s->in_off = 0;
	}
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n == 0)
		log_info("%s: connection closed by the client", s->addr);
	return -1;
}

/* A command boundary: give back what the command needed. */
static void
imapd_io_command_done(struct imapd_session *s)
{
	arena_free(&s->arena);
	if (s->wait != IMAPD_WAIT_TLS)
		imapd_io_parser_reset(s);
	if (s->want_line) {
		s->want_line = false;
		imap_parse_want_line(&s->parser);
	}
	imapd_session_touch(s);
}

/* Feed buffered input to the parser and handle one event. false: no
 * complete event (more input needed). */
static bool
imapd_io_parse(struct imapd_session *s)
{
	struct imap_parse_event ev;
	struct err err;
	size_t used = 0;
	enum imap_parse_status st;

	if (s->arena == NULL)
		s->arena = arena_new();
	err_clear(&err);
	st = imap_parse_feed(&s->parser, s->in->data + s->in_off,
	    s->in->len - s->in_off, &used, s->arena, &ev, &err);
	s->in_off += used;
	switch (st) {
	case IMAP_PARSE_MORE:
		return false;
	case IMAP_PARSE_LITERAL:
		buf_puts(imapd_io_out(s), "+ Ready for literal data\r\n");
		return true;
	case IMAP_PARSE_COMMAND:
		imapd_cmd_run(s, &ev.cmd);
		break;
	case IMAP_PARSE_LINE:
		imapd_cmd_line(s, ev.line, ev.line_len);
		break;
	case IMAP_PARSE_ERROR:
		imapd_reply_err(s, ev.tag != NULL ? ev.tag : "*", &err);
		if (ev.fatal) {
			imapd_untagged(s, "BYE Command stream out of sync");
			s->closing = true;
		}
		break;
	}
	if (s->resume == NULL)
		imapd_io_command_done(s);
	return true;
}

static bool
imapd_io_blocked(const struct imapd_session *s)
{
	return s->wait == IMAPD_WAIT_DELAY || s->wait == IMAPD_WAIT_TLS ||
	    imapd_io_pending_out(s) >= IMAPD_OUT_HIGH;
}

void
imapd_io_pump(struct imapd_session *s)
{
	int rc;

	for (;;) {
		if (!imapd_io_flush(s) ||
		    (s->closing && imapd_io_pending_out(s) == 0)) {
			imapd_session_free(s);
			return;
		}
		if (s->wait == IMAPD_WAIT_TLS) {
			if (!imapd_io_handshake(s)) {
				imapd_session_free(s);
				return;
			}
			if (s->wait == IMAPD_WAIT_TLS)
				break;
			continue;
		}
		if (s->closing || imapd_io_blocked(s))
			break;
		if (s->resume != NULL) {
			s->resume(s);
			if (s->resume == NULL)
				imapd_io_command_done(s);
			continue;
		}
		if (s->in != NULL && s->in_off < s->in->len &&
		    imapd_io_parse(s))
			continue;
		rc = imapd_io_read(s);
		if (rc < 0) {
			imapd_session_free(s);
			return;
		}
		if (rc == 0)
			break;
	}
	if (s->in != NULL && s->in_off == s->in->len) {
		imapd_io_drop(&s->in);
		s->in_off = 0;
	}
	imapd_io_watch(s);
}

void
imapd_io_event(struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	(void)loop;
	(void)fd;
	(void)events;
	imapd_io_pump(ctx);
}
