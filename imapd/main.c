/* SPDX-License-Identifier: MIT */
/*
 * imapd: the IMAP server (docs/imapd.md). Many sessions per process in
 * one event loop, as the mail store owner, chrooted to the mail store.
 * The skeleton does the generic work; imapd_*.c hold the rest.
 */
#include "imapd.h"
#include "server/server.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
	    .name = "imapd",
	    .mode = SERVER_EVENT,
	    .user_param = "mail_store_owner",
	    .chroot_param = "mail_store_directory",
	    .pre_jail = imapd_setup_pre_jail,
	    .post_jail = imapd_setup_post_jail,
	    .on_client = imapd_session_accept,
	    .on_exit = imapd_setup_exit,
	};

	return server_main(argc, argv, &spec);
}
