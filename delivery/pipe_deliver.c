/* SPDX-License-Identifier: MIT */
/*
 * One delivery request for a pipe transport: the message file for each
 * run, the expanded arguments, the command (core/command.h), and the
 * outcome as a result per recipient. A command whose arguments name a
 * recipient runs once per recipient; otherwise once for the request,
 * and its outcome is every recipient's.
 */
#include "pipe.h"

#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/command.h"
#include "ipc/deliver_agent.h"
#include "server/server.h"
#include "smtp/smtp_xtext.h"

#define PIPE_ENV_MAX 8

static void
pipe_result(struct deliver_result *res, const char *dsn, const char *reason,
    struct arena *arena)
{
	res->status = dsn[0] == '2' ? DELIVER_SENT
	    : dsn[0] == '4'         ? DELIVER_DEFERRED
	                            : DELIVER_BOUNCED;
	res->dsn = arena_strdup(arena, dsn);
	res->relay = NULL;
	res->reason = reason;
}

/* The command's argument vector for one run; NULL with err. */
static char **
pipe_argv(const struct pipe *p, const struct deliver_request *req,
    const struct pipe_rcpt_view *rv, struct arena *arena, struct err *err)
{
	char **argv = arena_zalloc(arena, (p->args.argc + 1) * sizeof(*argv));
	size_t i;

	for (i = 0; i < p->args.argc; i++)
		if ((argv[i] = pipe_macro_expand(
		         p, req, p->args.argv[i], rv, arena, err)) == NULL)
			return NULL;
	return argv;
}

/* Run the command once for rv; its outcome in res. */
static void
pipe_run(const struct pipe *p, const struct deliver_request *req, int qfd,
    const struct pipe_rcpt_view *rv, struct arena *arena,
    struct deliver_result *res)
{
	char *envp[PIPE_ENV_MAX + 1];
	struct command_result out;
	struct command_job job;
	struct err err;
	char **argv;
	size_t n = 0;

	memset(&job, 0, sizeof(job));
	if ((argv = pipe_argv(p, req, rv, arena, &err)) == NULL) {
		pipe_result(res, err.dsn, arena_strdup(arena, err.text), arena);
		return;
	}
	if ((job.stdin_fd = pipe_msg_build(p, req, qfd, rv, &err)) < 0) {
		pipe_result(res, err.dsn, arena_strdup(arena, err.text), arena);
		return;
	}
	envp[n++] = "PATH=/usr/bin:/bin";
	envp[n++] = "SHELL=/bin/sh";
	envp[n++] = "HOME=/";
	envp[n++] = arena_printf(arena, "LOGNAME=%s", p->user);
	envp[n++] = arena_printf(arena, "USER=%s", p->user);
	envp[n] = NULL;
	job.argv = argv;
	job.envp = envp;
	job.limit_ms = (uint64_t)p->conf->command_time_limit * 1000;
	command_run(&job, &out);
	close(job.stdin_fd);
	if (out.dsn[0] == '2')
		pipe_result(res, out.dsn,
		    arena_printf(arena, "delivered via %s service", p->service),
		    arena);
	else
		pipe_result(res, out.dsn,
		    arena_printf(arena, "command %s failed: %s%s%s", argv[0],
		        out.why, out.output[0] != '\0' ? ". Command output: " : "",
		        out.output),
		    arena);
}

/* deliver_agent_fn for a pipe transport. */
static void
pipe_deliver(void *ctx, const struct deliver_request *req, int qfd,
    struct arena *arena, struct deliver_result *results)
{
	const struct pipe *p = ctx;
	struct pipe_rcpt_view rv = {NULL, NULL};
	size_t i;

	if (p->args.size_limit > 0 && req->content_size > p->args.size_limit) {
		for (i = 0; i < req->env.nrcpt; i++)
			pipe_result(&results[i], "5.2.3",
			    "message too large for the pipe transport", arena);
	} else if (p->args.per_rcpt) {
		for (i = 0; i < req->env.nrcpt; i++) {
			rv.address = req->env.rcpts[i].address;
			rv.original =
			    smtp_orcpt_address(req->env.rcpts[i].orcpt, arena);
			if (rv.original == NULL)
				rv.original = rv.address;
			pipe_run(p, req, qfd, &rv, arena, &results[i]);
		}
	} else if (req->env.nrcpt > 0) {
		pipe_run(p, req, qfd, &rv, arena, &results[0]);
		for (i = 1; i < req->env.nrcpt; i++)
			results[i] = results[0];
	}
	for (i = 0; i < req->env.nrcpt; i++) {
		results[i].relay = p->service;
		deliver_agent_log(req, i, &results[i]);
	}
}

void
pipe_deliver_serve(struct server *srv, int fd)
{
	struct pipe *p = server_ctx(srv);

	deliver_agent_serve(fd, p->timeout_ms, pipe_deliver, p);
}
