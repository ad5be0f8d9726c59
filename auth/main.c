/* SPDX-License-Identifier: MIT */
/*
 * authd: the users database service (docs/authd.md). The skeleton does
 * the generic work; authd_*.c hold the rest.
 */
#include <stdlib.h>

#include "authd.h"
#include "conf/conf.h"
#include "core/xmalloc.h"
#include "server/server.h"

static void
authd_post_jail(struct server *srv)
{
	struct authd *ad = xcalloc(1, sizeof(*ad));

	ad->srv = srv;
	ad->conf = server_conf(srv);
	ad->timeout_ms = (int)(ad->conf->authd_timeout * 1000);
	authd_peer_init(ad);
	authd_db_open(ad);
	server_set_ctx(srv, ad);
}

static void
authd_on_exit(struct server *srv)
{
	struct authd *ad = server_ctx(srv);

	if (ad != NULL) {
		authd_db_close(ad);
		free(ad);
		server_set_ctx(srv, NULL);
	}
}

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
	    .name = "authd",
	    .mode = SERVER_EVENT,
	    .user_param = "auth_owner",
	    .post_jail = authd_post_jail,
	    .on_client = authd_conn_accept,
	    .on_exit = authd_on_exit,
	};

	return server_main(argc, argv, &spec);
}
