/* SPDX-License-Identifier: MIT */
/*
 * sieved: the ManageSieve server (RFC 5804), through which users store
 * and activate their Sieve scripts. One client per process, reused up
 * to max_use; runs as mail_store_owner, chrooted to the mail store when
 * master.cf says so.
 */
#include "server/server.h"
#include "sieved.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
	    .name = "sieved",
	    .mode = SERVER_ONE_CLIENT,
	    .user_param = "mail_store_owner",
	    .chroot_param = "mail_store_directory",
	    .pre_jail = sieved_setup_pre_jail,
	    .post_jail = sieved_setup_post_jail,
	    .on_client = sieved_session_run,
	    .on_exit = sieved_setup_exit,
	};

	return server_main(argc, argv, &spec);
}
