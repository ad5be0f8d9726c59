/* SPDX-License-Identifier: MIT */
/*
 * pop3d: the POP3 server (RFC 1939) for the pop3 and pop3s services.
 * One client per process, reused up to max_use; runs as
 * mail_store_owner, chrooted to mail_store_directory when master.cf
 * says so (DESIGN.md section 3).
 */
#include "pop3d.h"
#include "server/server.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
	    .name = "pop3d",
	    .mode = SERVER_ONE_CLIENT,
	    .user_param = "mail_store_owner",
	    .chroot_param = "mail_store_directory",
	    .pre_jail = pop3d_setup_pre_jail,
	    .post_jail = pop3d_setup_post_jail,
	    .on_client = pop3d_session_run,
	    .on_exit = pop3d_setup_exit,
	};

	return server_main(argc, argv, &spec);
}
