/* SPDX-License-Identifier: MIT */
/*
 * local: the local delivery agent (docs/local.md). The skeleton does
 * the generic work; local_setup.c opens what local needs and
 * local_request.c serves qmgr.
 */
#include "local.h"
#include "server/server.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
	    .name = "local",
	    .mode = SERVER_ONE_CLIENT,
	    .user_param = "mail_store_owner",
	    .pre_jail = local_setup_pre_jail,
	    .post_jail = local_setup_post_jail,
	    .on_client = local_request_serve,
	    .on_exit = local_setup_exit,
	};

	return server_main(argc, argv, &spec);
}
