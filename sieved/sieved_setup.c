/* SPDX-License-Identifier: MIT */
/*
 * sieved's process state and its privileges, in one place. Before the
 * jail (as root, in queue_directory) it builds the TLS context (the key
 * is root's) and connects to authd, whose socket the mail store chroot
 * cannot reach later; after it (as mail_store_owner) it notes whether
 * it is confined to mail_store_directory, which changes how Maildir
 * paths are spelled (store/store_jail.h). A lost authd connection
 * cannot be re-made inside the jail: the session answers TRYLATER and
 * the process exits, so the master starts a fresh one.
 */
#include "sieved.h"

#include <errno.h>
#include <stdlib.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "ipc/auth_client.h"
#include "server/server.h"
#include "store/store_jail.h"

void
sieved_setup_pre_jail(struct server *srv)
{
	struct sieved *sd = xcalloc(1, sizeof(*sd));
	struct buf mechs;
	struct err err;

	sd->srv = srv;
	sd->conf = server_conf(srv);
	sieved_tls_setup(sd);
	sd->auth = auth_client_new(
	    AUTH_SOCKET, (int)(sd->conf->sieved_authd_timeout * 1000));
	/* Connect now: the first request does. */
	buf_init(&mechs);
	if (auth_client_mechanisms(sd->auth, "sieve", false, &mechs, &err) != 0)
		log_warning("authd: %s", err.text);
	buf_deinit(&mechs);
	if (stat(sd->conf->mail_store_directory, &sd->store) != 0)
		log_warning_errno(errno, "mail_store_directory %s",
		    sd->conf->mail_store_directory);
	server_set_ctx(srv, sd);
}

void
sieved_setup_post_jail(struct server *srv)
{
	struct sieved *sd = server_ctx(srv);

	sd->jailed = store_jail_inside(&sd->store);
}

void
sieved_setup_exit(struct server *srv)
{
	struct sieved *sd = server_ctx(srv);

	if (sd == NULL)
		return;
	auth_client_free(&sd->auth);
	tls_ctx_free(&sd->tls);
	free(sd);
	server_set_ctx(srv, NULL);
}
