/* SPDX-License-Identifier: MIT */
/*
 * authd: the users database and login service (docs/authd.md). The skeleton does
 * the generic work; authd_*.c hold the rest.
 */
#include <stdlib.h>

#include "authd.h"
#include "authd_throttle.h"
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
	ad->throttle = authd_throttle_new(&(struct authd_throttle_params){
	    .delay_ms = (uint64_t)ad->conf->auth_failure_delay * 1000,
	    .max_delay_ms = (uint64_t)ad->conf->auth_failure_max_delay * 1000,
	    .window_ms = (uint64_t)ad->conf->auth_failure_window * 1000,
	    .limit = (unsigned)ad->conf->auth_failure_limit,
	});
	authd_peer_init(ad);
	authd_db_open(ad);
	authd_sasl_init(ad);
	server_set_ctx(srv, ad);
}

static void
authd_on_exit(struct server *srv)
{
	struct authd *ad = server_ctx(srv);

	if (ad != NULL) {
		authd_sasl_done(ad);
		authd_throttle_free(&ad->throttle);
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
