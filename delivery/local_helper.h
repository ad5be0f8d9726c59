/* SPDX-License-Identifier: MIT */
/*
 * Between local and its helper (local_helper.c, local_helper_run.c,
 * local_helper_job.c): the helper is forked before the privilege drop
 * and runs |command and /file deliveries as default_privs. Over a
 * socketpair, per job: a frame req=command|file with target,
 * time_limit and the command's environment (env_<NAME>), frames
 * req=data with the message bytes (at most LOCAL_HELPER_CHUNK each),
 * req=end; the helper answers status=<dsn> reason=<text>.
 */
#ifndef DELIVERY_LOCAL_HELPER_H
#define DELIVERY_LOCAL_HELPER_H

#include <stdint.h>
#include <sys/types.h>

#include "local.h"

#define LOCAL_HELPER_CHUNK (64 * 1024)
/* Environment variables a command gets (PATH etc. included). */
#define LOCAL_HELPER_ENV_MAX 16

/* One job, as the helper received it. */
struct local_helper_job {
	const char *kind; /* "command" or "file" */
	const char *target; /* the command line or the file */
	uint64_t limit_ms;
	char *envp[LOCAL_HELPER_ENV_MAX + 1]; /* NULL-terminated */
};

/* What became of it. */
struct local_helper_res {
	const char *dsn;
	char text[600];
};

void local_helper_res(struct local_helper_res *res, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The helper process: never returns. fd is its end of the pair,
 * parent local's pid. */
_Noreturn void local_helper_main(const struct conf *conf, int fd, pid_t parent);
/* The jobs, with the message in msgfd (local_helper_job.c). */
void local_helper_command(const struct local_helper_job *job, int msgfd,
    struct local_helper_res *res);
void local_helper_file(const struct local_helper_job *job, int msgfd,
    struct local_helper_res *res);

#endif
