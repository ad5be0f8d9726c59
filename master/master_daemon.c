/* SPDX-License-Identifier: MIT */
/*
 * Becoming a daemon without losing errors: the parent stays attached to
 * the terminal until the child reports that it is listening, and exits 1
 * if the child dies first, so "master" fails visibly on a bad start.
 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/log.h"

void
master_daemon_detach(int *ready_fd_out)
{
	int p[2];
	ssize_t n;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		log_fatal_errno(errno, "pipe");
	pid = fork();
	if (pid < 0)
		log_fatal_errno(errno, "fork");
	if (pid > 0) {
		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0)
		log_fatal_errno(errno, "setsid");
	*ready_fd_out = p[1];
}

void
master_daemon_ready(int *ready_fd, int devnull)
{
	int fd;

	if (*ready_fd < 0)
		return;
	/* From now on maillog_file and syslog carry the log. */
	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		(void)dup2(devnull, fd);
	log_to_stderr(false);
	if (write(*ready_fd, "1", 1) != 1)
		log_warning_errno(errno, "tell the parent we are up");
	close(*ready_fd);
	*ready_fd = -1;
}
