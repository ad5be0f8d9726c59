/* SPDX-License-Identifier: MIT */
/*
 * pickup(8): moves what sendmail(1) dropped into maildrop/ into the
 * queue (pickup_server.c, pickup_copy.c). SERVER_TRIGGER: woken by
 * sendmail's trigger and by the master every wakeup seconds.
 */
#include "pickup.h"

#include "server/server.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
	    .name = "pickup",
	    .mode = SERVER_TRIGGER,
	    .user_param = "mail_owner",
	    .post_jail = pickup_server_post_jail,
	    .on_trigger = pickup_server_trigger,
	    .on_exit = pickup_server_exit,
	};

	return server_main(argc, argv, &spec);
}
