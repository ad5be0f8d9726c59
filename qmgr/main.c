/* SPDX-License-Identifier: MIT */
/*
 * qmgr(8), the queue manager: the server skeleton in SERVER_TRIGGER mode
 * with the hooks of qmgr_server.c. One process (master.cf maxproc 1) that
 * lives as long as the master: the schedule is in its memory.
 */
#include "qmgr_server.h"

#include "server/server.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
	    .name = "qmgr",
	    .mode = SERVER_TRIGGER,
	    .user_param = "mail_owner",
	    .pre_jail = qmgr_server_pre_jail,
	    .post_jail = qmgr_server_post_jail,
	    .on_trigger = qmgr_server_trigger,
	    .on_exit = qmgr_server_exit,
	    .persistent = true,
	};

	return server_main(argc, argv, &spec);
}
