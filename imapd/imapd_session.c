/* SPDX-License-Identifier: MIT */
/*
 * One IMAP connection's life in the event loop: accept (the per-address
 * session limit, the greeting or the imaps handshake), the auto-logout
 * timers (RFC 9051 §5.4: at least 30 minutes once logged in, shorter
 * before), and the end, which releases everything the session holds.
 */
#include "imapd.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/peer_addr.h"
#include "core/xmalloc.h"
#include "imapd_mailbox.h"
#include "ipc/auth_client.h"
#include "server/server.h"

static size_t
imapd_session_count_addr(const struct imapd *d, const char *addr)
{
	const struct imapd_session *s;
	size_t n = 0;

	for (s = d->sessions; s != NULL; s = s->next)
		n += strcmp(s->addr, addr) == 0;
	return n;
}

size_t
imapd_session_count_user(const struct imapd *d, const char *user)
{
	const struct imapd_session *s;
	size_t n = 0;

	for (s = d->sessions; s != NULL; s = s->next)
		n += s->user != NULL && strcmp(s->user, user) == 0;
	return n;
}

static void
imapd_session_autologout(struct event_loop *loop, void *ctx)
{
	struct imapd_session *s = ctx;

	(void)loop;
	s->logout_timer = 0;
	log_info("autologout: %s%s%s, idle for too long", s->addr,
	    s->user != NULL ? " user=" : "", s->user != NULL ? s->user : "");
	imapd_untagged(s, "BYE Autologout; idle for too long");
	s->closing = true;
	imapd_io_pump(s);
}

void
imapd_session_touch(struct imapd_session *s)
{
	uint64_t secs = s->state == IMAPD_NOTAUTH
	    ? (uint64_t)s->d->conf->imapd_login_timeout
	    : (uint64_t)s->d->conf->imapd_idle_timeout;

	event_timer_cancel(s->d->loop, s->logout_timer);
	s->logout_timer = event_timer_add(
	    s->d->loop, secs * 1000, imapd_session_autologout, s);
}

static void
imapd_session_greet(struct imapd_session *s)
{
	struct buf *out = imapd_io_out(s);

	buf_puts(out, "* OK [CAPABILITY ");
	imapd_cmd_capability_list(s, out);
	buf_puts(out, "] Postern IMAP ready.\r\n");
}

void
imapd_session_accept(struct server *srv, int fd)
{
	struct imapd *d = server_ctx(srv);
	struct imapd_session *s = xcalloc(1, sizeof(*s));

	s->d = d;
	s->fd = fd;
	s->id = ++d->next_id;
	peer_addr(fd, s->addr, sizeof(s->addr));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	imapd_io_parser_init(s);
	s->next = d->sessions;
	if (d->sessions != NULL)
		d->sessions->prev = s;
	d->sessions = s;
	if (event_fd_add(d->loop, fd, EVENT_READ, imapd_io_event, s) != 0)
		log_fatal("event_fd_add failed");
	log_info("connect from %s", s->addr);
	imapd_session_touch(s);
	if (imapd_session_count_addr(d, s->addr) >
	    (size_t)d->conf->imapd_client_session_limit) {
		log_warning("%s: too many sessions from this address (limit "
		            "%lld)",
		    s->addr, (long long)d->conf->imapd_client_session_limit);
		if (d->tls_wrapper) {
			imapd_session_free(s);
			return;
		}
		imapd_untagged(s, "BYE Too many connections from your address");
		s->closing = true;
	} else if (d->tls_wrapper) {
		imapd_io_start_tls(s);
		return;
	} else {
		imapd_session_greet(s);
	}
	imapd_io_pump(s);
}

/* After the imaps handshake. */
void
imapd_session_tls_ready(struct imapd_session *s)
{
	if (s->d->tls_wrapper && s->state == IMAPD_NOTAUTH && s->tag == NULL)
		imapd_session_greet(s);
}

void
imapd_session_free(struct imapd_session *s)
{
	struct imapd *d = s->d;

	log_info("disconnect from %s%s%s", s->addr,
	    s->user != NULL ? " user=" : "", s->user != NULL ? s->user : "");
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		d->sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	if (s->wait == IMAPD_WAIT_AUTH && s->pending != NULL)
		auth_client_sasl_abort(d->auth, s->pending);
	imapd_mailbox_close(s);
	imapd_user_unref(s);
	event_fd_remove(d->loop, s->fd);
	event_timer_cancel(d->loop, s->logout_timer);
	event_timer_cancel(d->loop, s->delay_timer);
	if (s->tls != NULL)
		tls_session_shutdown(s->tls);
	tls_session_free(&s->tls);
	close(s->fd);
	imap_parse_deinit(&s->parser);
	imapd_io_release(s);
	arena_free(&s->arena);
	free(s->tag);
	free(s->pending);
	free(s->user);
	free(s);
	server_client_done(d->srv);
}
