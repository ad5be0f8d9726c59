/* SPDX-License-Identifier: MIT */
/*
 * imapd's process state: what must be opened before the jail (the TLS
 * key, readable by root only; the authd socket, which lives in the
 * queue directory outside the mail store chroot), the working directory
 * inside the jail (the mail store root, so users' Maildirs are reached
 * by relative paths whether or not we are chrooted), and the exit.
 */
#include "imapd.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "imapd_mailbox.h"
#include "ipc/auth_client.h"
#include "server/server.h"
#include "tls/tls_daemon.h"

static void
imapd_setup_tls(struct imapd *d)
{
	struct tls_daemon t;

	tls_daemon_setup(d->conf, "imapd", &t);
	d->tls = t.ctx;
	d->tls_level = t.level;
	d->tls_wrapper = t.wrapper;
}

/* The mechanism lists, asked once per process: they only change when
 * the configuration does, and a reload starts new processes. */
static char *
imapd_setup_mechs(struct imapd *d, bool tls)
{
	struct buf b;
	struct err err;
	char *list;

	buf_init(&b);
	if (auth_client_mechanisms(d->auth, "imap", tls, &b, &err) != 0) {
		log_warning(
		    "authd: cannot read the IMAP mechanisms: %s", err.text);
		buf_reset(&b);
	}
	list = buf_detach(&b);
	buf_deinit(&b); /* buf_detach left b initialised */
	return list;
}

uint64_t
imapd_append_limit(const struct imapd *d)
{
	/* 0 means no limit of our own; a literal still needs a bound. */
	return d->conf->imapd_append_limit > 0
	    ? (uint64_t)d->conf->imapd_append_limit
	    : (uint64_t)1 << 32;
}

void
imapd_setup_pre_jail(struct server *srv)
{
	struct imapd *d = xcalloc(1, sizeof(*d));
	struct stat store;

	d->srv = srv;
	d->conf = server_conf(srv);
	d->inotify_fd = -1;
	server_set_ctx(srv, d);
	if (stat(d->conf->mail_store_directory, &store) != 0)
		log_fatal_errno(errno, "mail_store_directory %s",
		    d->conf->mail_store_directory);
	d->store_dev = store.st_dev;
	d->store_ino = store.st_ino;
	imapd_setup_tls(d);
	/* The socket is outside the jail: connect now (the first request
	 * does), and retire the process when the connection is lost. */
	d->auth = auth_client_new(
	    AUTH_SOCKET, (int)(d->conf->imapd_authd_timeout * 1000));
	d->mechs_plain = imapd_setup_mechs(d, false);
	d->mechs_tls = imapd_setup_mechs(d, true);
}

/*
 * authd drops a client silent for authd_timeout, and a chrooted imapd
 * could not connect again: ask it something cheap well before that.
 */
static void
imapd_setup_keepalive(struct event_loop *loop, void *ctx)
{
	struct imapd *d = ctx;
	struct buf b;
	struct err err;

	buf_init(&b);
	if (auth_client_mechanisms(d->auth, "imap", false, &b, &err) != 0) {
		log_warning("authd: %s", err.text);
		if (d->chrooted && !d->auth_lost) {
			d->auth_lost = true;
			server_stop(d->srv);
		}
	}
	buf_deinit(&b);
	d->keepalive_timer =
	    event_timer_add(loop, (uint64_t)d->conf->authd_timeout * 1000 / 3,
	        imapd_setup_keepalive, d);
}

void
imapd_setup_post_jail(struct server *srv)
{
	struct imapd *d = server_ctx(srv);
	struct stat root;

	d->loop = server_loop(srv);
	/* Chrooted, "/" is the mail store; otherwise go there. */
	if (stat("/", &root) != 0)
		log_fatal_errno(errno, "stat /");
	d->chrooted =
	    root.st_dev == d->store_dev && root.st_ino == d->store_ino;
	if (chdir(d->chrooted ? "/" : d->conf->mail_store_directory) != 0)
		log_fatal_errno(
		    errno, "chdir %s", d->conf->mail_store_directory);
	maildir_name_uniq_init(&d->uniq, d->conf->myhostname);
	imapd_mailbox_watch_init(d);
	d->keepalive_timer = event_timer_add(d->loop,
	    (uint64_t)d->conf->authd_timeout * 1000 / 3, imapd_setup_keepalive,
	    d);
}

void
imapd_setup_exit(struct server *srv)
{
	struct imapd *d = server_ctx(srv);

	if (d == NULL)
		return;
	while (d->sessions != NULL)
		imapd_session_free(d->sessions);
	event_timer_cancel(d->loop, d->keepalive_timer);
	imapd_mailbox_watch_deinit(d);
	auth_client_free(&d->auth);
	tls_ctx_free(&d->tls);
	free(d->mechs_plain);
	free(d->mechs_tls);
	free(d);
	server_set_ctx(srv, NULL);
}
