/* SPDX-License-Identifier: MIT */
/*
 * smtpd: the SMTP server (RFC 5321) for the smtp, submission and smtps
 * services. One client per process, reused up to max_use; runs as
 * mail_owner, chrooted to queue_directory when master.cf says so.
 */
#include "server/server.h"
#include "smtpd.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
	    .name = "smtpd",
	    .mode = SERVER_ONE_CLIENT,
	    .user_param = "mail_owner",
	    .pre_jail = smtpd_setup_pre_jail,
	    .post_jail = smtpd_setup_post_jail,
	    .on_client = smtpd_session_run,
	    .on_exit = smtpd_setup_exit,
	};

	return server_main(argc, argv, &spec);
}
