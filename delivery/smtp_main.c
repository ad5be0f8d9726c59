/* SPDX-License-Identifier: MIT */
/*
 * smtp: the SMTP delivery agent, which speaks LMTP when its master.cf
 * service is named lmtp (docs/smtp.md). The skeleton does the generic
 * work; smtp_setup.c opens what the agent needs before the chroot and
 * smtp_request.c serves qmgr.
 */
#include "smtp.h"
#include "server/server.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
	    .name = "smtp",
	    .mode = SERVER_ONE_CLIENT,
	    .pre_jail = smtp_setup_pre_jail,
	    .on_client = smtp_request_serve,
	    .on_exit = smtp_setup_exit,
	};

	return server_main(argc, argv, &spec);
}
