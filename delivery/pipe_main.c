/* SPDX-License-Identifier: MIT */
/*
 * pipe: the delivery agent for external commands (docs/pipe.md). The
 * skeleton drops to the entry's user= before any request is read; the
 * arguments are parsed once, and a bad entry stops the service with a
 * message naming it, rather than deferring every message silently.
 */
#include "pipe.h"

#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "server/server.h"

/* qmgr sends its request right after connecting. */
#define PIPE_IPC_TIMEOUT_MS (300 * 1000)

/*
 * Expand every argument once with a sample message, so that a
 * misspelt macro stops the service at start-up with its name instead of
 * bouncing every message later.
 */
static void
pipe_check_macros(const struct pipe *p)
{
	struct pipe_rcpt_view rv = {"user+ext@example.test",
	    "user+ext@example.test"};
	struct deliver_request req;
	struct arena *arena = arena_new();
	struct err err;
	size_t i;

	memset(&req, 0, sizeof(req));
	req.queue_id = req.transport = req.nexthop = req.env.sender = "";
	for (i = 0; i < p->args.argc; i++)
		if (pipe_macro_expand(p, &req, p->args.argv[i], &rv, arena,
		        &err) == NULL)
			log_fatal("service %s: %s", p->service, err.text);
	arena_free(&arena);
}

static void
pipe_post_jail(struct server *srv)
{
	struct pipe *p = xcalloc(1, sizeof(*p));
	const char *const *args;
	struct passwd *pw;
	struct err err;
	size_t nargs;

	p->srv = srv;
	p->conf = server_conf(srv);
	p->service = server_service(srv);
	p->timeout_ms = PIPE_IPC_TIMEOUT_MS;
	args = server_args(srv, &nargs);
	if (pipe_args_parse(args, nargs, &p->args, &err) != 0)
		log_fatal("service %s: %s", p->service, err.text);
	pipe_check_macros(p);
	pw = getpwuid(getuid());
	p->user = xstrdup(pw != NULL ? pw->pw_name : "nobody");
	server_set_ctx(srv, p);
}

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
	    .name = "pipe",
	    .mode = SERVER_ONE_CLIENT,
	    .user_arg = "user",
	    .post_jail = pipe_post_jail,
	    .on_client = pipe_deliver_serve,
	};

	return server_main(argc, argv, &spec);
}
