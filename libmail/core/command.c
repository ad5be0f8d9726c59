/* SPDX-License-Identifier: MIT */
/*
 * External commands for delivery agents (command.h): fork, set up the
 * child (new session, clean signals, stdin, one pipe for stdout and
 * stderr, the user), exec, then drain the output until the command
 * closes it or the time limit passes.
 */
#include "core/command.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/event.h"
#include "core/log.h"

/* sysexits(3) -> enhanced status code, as MTAs read them. */
static const struct {
	int code;
	const char *dsn;
	const char *meaning;
} command_exits[] = {
    {64, "5.3.0", "command line usage error"}, /* EX_USAGE */
    {65, "5.6.0", "data format error"}, /* EX_DATAERR */
    {66, "5.3.0", "cannot open input"}, /* EX_NOINPUT */
    {67, "5.1.1", "user unknown"}, /* EX_NOUSER */
    {68, "5.1.2", "host name unknown"}, /* EX_NOHOST */
    {69, "5.3.0", "service unavailable"}, /* EX_UNAVAILABLE */
    {70, "5.3.0", "internal software error"}, /* EX_SOFTWARE */
    {71, "4.3.0", "system resource problem"}, /* EX_OSERR */
    {72, "5.3.0", "critical OS file missing"}, /* EX_OSFILE */
    {73, "5.2.0", "cannot create output file"}, /* EX_CANTCREAT */
    {74, "4.3.0", "input/output error"}, /* EX_IOERR */
    {75, "4.3.0", "temporary failure"}, /* EX_TEMPFAIL */
    {76, "5.5.0", "remote error in protocol"}, /* EX_PROTOCOL */
    {77, "5.7.0", "permission denied"}, /* EX_NOPERM */
    {78, "5.3.5", "local configuration error"}, /* EX_CONFIG */
};

const char *
command_exit_dsn(int code, const char **meaning)
{
	size_t i;

	for (i = 0; i < sizeof(command_exits) / sizeof(command_exits[0]); i++)
		if (command_exits[i].code == code) {
			*meaning = command_exits[i].meaning;
			return command_exits[i].dsn;
		}
	*meaning = NULL;
	return "5.3.0";
}

/* The child: never returns. */
static _Noreturn void
command_exec(const struct command_job *job, int outfd)
{
	sigset_t none;

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (lseek(job->stdin_fd, 0, SEEK_SET) != 0 ||
	    dup2(job->stdin_fd, 0) != 0 || dup2(outfd, 1) != 1 ||
	    dup2(outfd, 2) != 2 || chdir("/") != 0)
		_exit(71); /* EX_OSERR */
	if (job->switch_user &&
	    (setgroups(1, &job->gid) != 0 || setgid(job->gid) != 0 ||
	        setuid(job->uid) != 0 || (job->uid != 0 && setuid(0) == 0)))
		_exit(71);
	execve(job->argv[0], job->argv, job->envp);
	_exit(errno == ENOENT ? 69 : 71); /* EX_UNAVAILABLE, EX_OSERR */
}

/*
 * Read the command's output (keeping its start) until it closes it or
 * the time limit passes, killing its process group then; wait for it
 * and return its wait status.
 */
static int
command_wait(pid_t pid, int outfd, uint64_t limit_ms, char *out,
    size_t *outlen, bool *timed_out)
{
	struct pollfd pfd = {.fd = outfd, .events = POLLIN};
	uint64_t deadline = event_now_ms() + limit_ms;
	char chunk[4096];
	int status = 0;
	ssize_t n;

	*timed_out = false;
	for (;;) {
		uint64_t now = event_now_ms();
		int rc;

		if (now >= deadline) {
			*timed_out = true;
			break;
		}
		rc = poll(&pfd, 1, (int)(deadline - now));
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		n = read(outfd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (*outlen < COMMAND_OUTPUT_MAX) {
			size_t take = (size_t)n;

			if (take > COMMAND_OUTPUT_MAX - *outlen)
				take = COMMAND_OUTPUT_MAX - *outlen;
			memcpy(out + *outlen, chunk, take);
			*outlen += take;
		}
	}
	if (*timed_out)
		kill(-pid, SIGKILL);
	/* The command closed its output: it is ending. A daemonised
	 * grandchild that kept it open was cut off by the time limit. */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* Fill res from the wait status. */
static void
command_outcome(int status, bool timed_out, struct command_result *res)
{
	const char *meaning;

	res->exit_code = -1;
	if (timed_out) {
		res->dsn = "4.3.0";
		snprintf(res->why, sizeof(res->why), "time limit exceeded");
	} else if (WIFSIGNALED(status)) {
		res->dsn = "4.3.0";
		snprintf(res->why, sizeof(res->why), "killed by signal %d",
		    WTERMSIG(status));
	} else if ((res->exit_code = WEXITSTATUS(status)) == 0) {
		res->dsn = "2.0.0";
	} else {
		res->dsn = command_exit_dsn(res->exit_code, &meaning);
		snprintf(res->why, sizeof(res->why), "status %d%s%s%s",
		    res->exit_code, meaning != NULL ? " (" : "",
		    meaning != NULL ? meaning : "", meaning != NULL ? ")" : "");
	}
}

void
command_run(const struct command_job *job, struct command_result *res)
{
	char out[COMMAND_OUTPUT_MAX + 1];
	size_t outlen = 0;
	int pipefd[2], status;
	bool timed_out;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	res->dsn = "4.3.0";
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		snprintf(res->why, sizeof(res->why), "pipe: %s",
		    strerror(errno));
		return;
	}
	if ((pid = fork()) < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		snprintf(res->why, sizeof(res->why), "fork: %s",
		    strerror(errno));
		return;
	}
	if (pid == 0) {
		close(pipefd[0]);
		command_exec(job, pipefd[1]);
	}
	close(pipefd[1]);
	status = command_wait(
	    pid, pipefd[0], job->limit_ms, out, &outlen, &timed_out);
	close(pipefd[0]);
	out[outlen] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	log_escape(out, strlen(out), COMMAND_OUTPUT_MAX, res->output,
	    sizeof(res->output));
	command_outcome(status, timed_out, res);
}
