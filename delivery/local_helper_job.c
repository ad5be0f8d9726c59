/* SPDX-License-Identifier: MIT */
/*
 * What the helper does for one job, as default_privs: run an alias's
 * "|command" with the message on standard input, or append the message
 * to an alias's /file. A command runs in a new session with a fixed
 * environment (Postfix local's SENDER, RECIPIENT, ...), is killed with
 * its process group at command_time_limit, and only the start of its
 * output is kept, for the bounce text. A file append is locked,
 * fsynced, and cut back to the old size when it fails, so the file
 * never ends in half a message.
 */
#include "local_helper.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/event.h"
#include "core/log.h"

/* Output kept from a command for its bounce text. */
#define LOCAL_HELPER_OUTPUT 512

/*
 * Read the command's output (keeping its start) until it closes it or
 * the time limit passes, killing its process group then; wait for it
 * and return its wait status.
 */
static int
local_helper_wait(pid_t pid, int outfd, uint64_t limit_ms, char *out,
    size_t *outlen, bool *timed_out)
{
	struct pollfd pfd = {.fd = outfd, .events = POLLIN};
	uint64_t deadline = event_now_ms() + limit_ms;
	char chunk[4096];
	int status = 0;
	ssize_t n;

	*timed_out = false;
	/* Drain the output (keeping its start) until EOF or time-out. */
	while (pfd.fd >= 0) {
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
		if (*outlen < LOCAL_HELPER_OUTPUT) {
			size_t take = (size_t)n;

			if (take > LOCAL_HELPER_OUTPUT - *outlen)
				take = LOCAL_HELPER_OUTPUT - *outlen;
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

/* The child: a new session, the message on stdin, output to outfd. */
static _Noreturn void
local_helper_exec(const struct local_helper_job *job, int msgfd, int outfd)
{
	sigset_t none;

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (lseek(msgfd, 0, SEEK_SET) != 0 || dup2(msgfd, 0) != 0 ||
	    dup2(outfd, 1) != 1 || dup2(outfd, 2) != 2 || chdir("/") != 0)
		_exit(71); /* EX_OSERR */
	execle("/bin/sh", "sh", "-c", job->target, (char *)NULL, job->envp);
	_exit(71);
}

/* sysexits(3) codes that mean "try again later". */
static bool
local_helper_soft(int code)
{
	return code == 75 || code == 71 || code == 74; /* TEMPFAIL OSERR IO */
}

void
local_helper_command(
    const struct local_helper_job *job, int msgfd, struct local_helper_res *res)
{
	char out[LOCAL_HELPER_OUTPUT + 1], shown[LOCAL_HELPER_OUTPUT * 4 + 1];
	size_t outlen = 0;
	int pipefd[2], status, code;
	bool timed_out;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		local_helper_res(res, "4.3.0", "pipe: %s", strerror(errno));
		return;
	}
	if ((pid = fork()) < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		local_helper_res(res, "4.3.0", "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(pipefd[0]);
		local_helper_exec(job, msgfd, pipefd[1]);
	}
	close(pipefd[1]);
	status = local_helper_wait(
	    pid, pipefd[0], job->limit_ms, out, &outlen, &timed_out);
	close(pipefd[0]);
	out[outlen] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	log_escape(out, strlen(out), LOCAL_HELPER_OUTPUT, shown, sizeof(shown));
	if (timed_out)
		local_helper_res(res, "4.3.0",
		    "command time limit exceeded: \"%s\"", job->target);
	else if (WIFSIGNALED(status))
		local_helper_res(res, "4.3.0",
		    "command killed by signal %d: "
		    "\"%s\"",
		    WTERMSIG(status), job->target);
	else if ((code = WEXITSTATUS(status)) == 0)
		local_helper_res(
		    res, "2.0.0", "delivered to command: %s", job->target);
	else
		local_helper_res(res,
		    local_helper_soft(code) ? "4.3.0" : "5.3.0",
		    "command \"%s\" failed with status %d%s%s", job->target,
		    code, shown[0] != '\0' ? ": " : "", shown);
}

/* Copy msgfd to the end of fd. 0 or -1 with errno. */
static int
local_helper_append(int msgfd, int fd)
{
	char buf[65536];
	off_t off = 0;
	ssize_t n, w;
	size_t done;

	for (;;) {
		n = pread(msgfd, buf, sizeof(buf), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		off += n;
		for (done = 0; done < (size_t)n; done += (size_t)w) {
			w = write(fd, buf + done, (size_t)n - done);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return -1;
		}
	}
}

void
local_helper_file(
    const struct local_helper_job *job, int msgfd, struct local_helper_res *res)
{
	struct stat st;
	int fd, e;

	fd = open(job->target,
	    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		local_helper_res(res, "4.3.0", "cannot append to file %s: %s",
		    job->target, strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		local_helper_res(res, "5.3.0",
		    "cannot append to file %s: "
		    "not a regular file",
		    job->target);
		return;
	}
	/* Other writers of mbox files lock with flock (or fcntl, which
	 * Linux keeps separate); the size is read once we hold it. */
	while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
		;
	if (fstat(fd, &st) != 0 || local_helper_append(msgfd, fd) != 0 ||
	    fsync(fd) != 0) {
		e = errno;
		if (ftruncate(fd, st.st_size) != 0)
			log_error_errno(errno,
			    "%s: cannot cut back a failed "
			    "append",
			    job->target);
		close(fd);
		local_helper_res(res, e == ENOSPC ? "4.3.1" : "4.3.0",
		    "cannot append to file %s: %s", job->target, strerror(e));
		return;
	}
	close(fd);
	local_helper_res(res, "2.0.0", "delivered to file: %s", job->target);
}
