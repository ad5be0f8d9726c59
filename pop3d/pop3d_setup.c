/* SPDX-License-Identifier: MIT */
/*
 * pop3d's process state and its privileges, in one place. Before the
 * jail (as root, in queue_directory) it builds the TLS context (the key
 * is root's) and connects to authd, whose socket the mail store chroot
 * cannot reach later; after it (as mail_store_owner) it notes whether
 * the process is confined to mail_store_directory, which changes how
 * mailbox paths are spelled. A setting that cannot work is fatal: the
 * master logs it and retries with back-off.
 */
#include "pop3d.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "server/server.h"
#include "store/store_jail.h"

void
pop3d_setup_pre_jail(struct server *srv)
{
	struct pop3d *pd = xcalloc(1, sizeof(*pd));
	struct buf mechs;
	struct err err;

	pd->srv = srv;
	pd->conf = server_conf(srv);
	pop3d_tls_setup(pd);
	pd->auth = auth_client_new(
	    AUTH_SOCKET, (int)(pd->conf->pop3d_authd_timeout * 1000));
	/*
	 * Connect now: inside the mail store chroot public/auth is out of
	 * reach. A failure here is retried lazily (without a chroot it
	 * works; with one the session answers [SYS/TEMP] and the process
	 * exits so that a fresh one connects).
	 */
	buf_init(&mechs);
	if (auth_client_mechanisms(pd->auth, "pop3", false, &mechs, &err) != 0)
		log_warning("authd: %s", err.text);
	buf_deinit(&mechs);
	/* Its identity, to recognise it as "/" after the jail. */
	if (stat(pd->conf->mail_store_directory, &pd->store) != 0)
		log_warning_errno(errno, "mail_store_directory %s",
		    pd->conf->mail_store_directory);
	server_set_ctx(srv, pd);
}

void
pop3d_setup_post_jail(struct server *srv)
{
	struct pop3d *pd = server_ctx(srv);

	/* The skeleton chroots only when master.cf says so, as root. */
	pd->jailed = store_jail_inside(&pd->store);
}

void
pop3d_setup_exit(struct server *srv)
{
	struct pop3d *pd = server_ctx(srv);

	if (pd == NULL)
		return;
	auth_client_free(&pd->auth);
	tls_ctx_free(&pd->tls);
	free(pd);
	server_set_ctx(srv, NULL);
}
