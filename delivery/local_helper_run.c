/* SPDX-License-Identifier: MIT */
/*
 * The helper process (local_helper.h): forked by local while still
 * root, it lets go of the master's descriptors and blocked signals,
 * becomes default_privs, and then serves its parent's jobs one at a
 * time until the parent goes away. The message of a job is collected
 * in an anonymous memory file (memfd), so a command can read it as an
 * ordinary standard input and a file append can be retried as a whole.
 * Its peer is local only, but frames are still checked: a job the
 * helper cannot make sense of is answered with a deferral.
 */
#include "local_helper.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/log.h"
#include "ipc/ipc_sock.h"
#include "server/master_proto.h"

/* Environment variables local may send: attribute, variable. */
static const char *const local_helper_env[][2] = {
    {"env_sender", "SENDER"},
    {"env_recipient", "RECIPIENT"},
    {"env_original_recipient", "ORIGINAL_RECIPIENT"},
    {"env_local", "LOCAL"},
    {"env_domain", "DOMAIN"},
    {"env_extension", "EXTENSION"},
};
#define LOCAL_HELPER_NENV                                                      \
	(sizeof(local_helper_env) / sizeof(local_helper_env[0]))

void
local_helper_res(
    struct local_helper_res *res, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	res->dsn = dsn;
	va_start(ap, fmt);
	vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
}

/* Become default_privs; NULL, or why not (a static text). */
static const char *
local_helper_drop(const struct conf *conf, struct passwd *pw_out)
{
	struct passwd *pw = getpwnam(conf->default_privs);

	if (pw == NULL)
		return "default_privs names no user";
	*pw_out = *pw;
	pw_out->pw_name = strdup(pw->pw_name);
	if (geteuid() != 0)
		return NULL;
	if (pw->pw_uid == 0)
		return "default_privs must not be root";
	if (setgroups(1, &pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0)
		return "cannot switch to default_privs";
	if (setuid(0) == 0)
		PANIC("%s: root regained after dropping it", __func__);
	return NULL;
}

/* Fill job (strings in arena) from its first frame; false if bad. */
static bool
local_helper_job_read(struct ipc_reader *rd, struct local_helper_job *job,
    const char *user, struct arena *arena)
{
	const char *kind, *target, *v;
	long long limit;
	struct err err;
	size_t i, n = 0;

	if (ipc_get_str(rd, "req", true, &kind, &err) < 0 ||
	    (strcmp(kind, "command") != 0 && strcmp(kind, "file") != 0) ||
	    ipc_get_str(rd, "target", true, &target, &err) < 0 ||
	    target[0] == '\0' ||
	    ipc_get_num(rd, "time_limit", true, 1, 86400, &limit, &err) < 0)
		return false;
	job->kind = arena_strdup(arena, kind);
	job->target = arena_strdup(arena, target);
	job->limit_ms = (uint64_t)limit * 1000;
	job->envp[n++] = "PATH=/usr/bin:/bin";
	job->envp[n++] = "SHELL=/bin/sh";
	job->envp[n++] = "HOME=/";
	job->envp[n++] = arena_printf(arena, "LOGNAME=%s", user);
	job->envp[n++] = arena_printf(arena, "USER=%s", user);
	for (i = 0; i < LOCAL_HELPER_NENV; i++)
		if (ipc_get_str(rd, local_helper_env[i][0], false, &v, &err) ==
		    1)
			job->envp[n++] = arena_printf(
			    arena, "%s=%s", local_helper_env[i][1], v);
	job->envp[n] = NULL;
	return true;
}

/*
 * Collect the data frames into msgfd (skipped when it is -1), always
 * up to req=end so the stream stays in step. 1 all stored, 0 something
 * was wrong, -1 the parent went away.
 */
static int
local_helper_data(int fd, int msgfd, struct ipc_reader *rd)
{
	const char *verb, *data;
	struct err err;
	size_t len, off;
	ssize_t n;
	int rc = msgfd >= 0 ? 1 : 0;

	for (;;) {
		if (ipc_sock_recv(fd, rd, LOCAL_HELPER_CHUNK * 2, -1, &err) !=
		    0)
			return -1;
		if (ipc_get_str(rd, "req", true, &verb, &err) < 0)
			return -1;
		if (strcmp(verb, "end") == 0)
			return rc;
		if (strcmp(verb, "data") != 0 ||
		    ipc_get_bytes(rd, "data", true, &data, &len, &err) < 0) {
			rc = 0;
			continue;
		}
		for (off = 0; rc > 0 && off < len; off += (size_t)n) {
			n = write(msgfd, data + off, len - off);
			if (n < 0 && errno == EINTR)
				n = 0;
			else if (n < 0)
				rc = 0;
		}
	}
}

/* One job: its frames, the work, the answer. false: parent gone. */
static bool
local_helper_serve(int fd, const char *user, const char *refuse)
{
	struct local_helper_job job;
	struct local_helper_res res;
	struct ipc_reader rd;
	struct ipc_msg reply;
	struct arena *arena = arena_new();
	struct err err;
	bool ok, alive = false;
	int msgfd = -1, rc;

	ipc_reader_init(&rd);
	ipc_msg_init(&reply);
	if (ipc_sock_recv(fd, &rd, LOCAL_HELPER_CHUNK * 2, -1, &err) != 0)
		goto out;
	ok = local_helper_job_read(&rd, &job, user, arena);
	msgfd = memfd_create("postern-local", MFD_CLOEXEC);
	rc = local_helper_data(fd, msgfd, &rd);
	if (rc < 0)
		goto out;
	if (refuse != NULL)
		local_helper_res(&res, "4.3.0", "%s: %s",
		    "command and file deliveries are off", refuse);
	else if (!ok || rc == 0 || msgfd < 0)
		local_helper_res(&res, "4.3.0", "helper: bad job");
	else if (strcmp(job.kind, "command") == 0)
		local_helper_command(&job, msgfd, &res);
	else
		local_helper_file(&job, msgfd, &res);
	ipc_msg_add_str(&reply, "status", res.dsn);
	ipc_msg_add_str(&reply, "reason", res.text);
	ipc_msg_finish(&reply);
	alive = ipc_sock_send(fd, &reply, -1, &err) == 0;
out:
	if (msgfd >= 0)
		close(msgfd);
	ipc_msg_deinit(&reply);
	ipc_reader_deinit(&rd);
	arena_free(&arena);
	return alive;
}

_Noreturn void
local_helper_main(const struct conf *conf, int fd, pid_t parent)
{
	struct passwd pw;
	const char *refuse;
	sigset_t none;

	/* The master's descriptors belong to local alone. */
	close(MASTER_STATUS_FD);
	close(MASTER_LIFELINE_FD);
	close(MASTER_LISTEN_FD);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	memset(&pw, 0, sizeof(pw));
	refuse = local_helper_drop(conf, &pw);
	/* After the drop, which would clear it: die with local, whose
	 * end of the pair is the only way to reach us. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(0);
	if (refuse != NULL)
		log_error("helper: %s (%s): commands and files in aliases "
		          "are deferred",
		    refuse, conf->default_privs);
	while (local_helper_serve(
	    fd, pw.pw_name != NULL ? pw.pw_name : "nobody", refuse))
		;
	_exit(0);
}
