/* SPDX-License-Identifier: MIT */
/*
 * What the helper does for one job, as default_privs: run an alias's
 * "|command" through /bin/sh with the message on standard input and a
 * fixed environment (Postfix local's SENDER, RECIPIENT, ...; the rest is
 * core/command.h), or append the message to an alias's /file. A file
 * append is locked, fsynced, and cut back to the old size when it
 * fails, so the file never ends in half a message.
 */
#include "local_helper.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/command.h"
#include "core/log.h"

void
local_helper_command(
    const struct local_helper_job *job, int msgfd, struct local_helper_res *res)
{
	char *argv[] = {"/bin/sh", "-c", (char *)job->target, NULL};
	struct command_job cmd = {
	    .argv = argv,
	    .envp = (char *const *)job->envp,
	    .stdin_fd = msgfd,
	    .limit_ms = job->limit_ms,
	};
	struct command_result out;

	command_run(&cmd, &out);
	if (out.dsn[0] == '2')
		local_helper_res(
		    res, "2.0.0", "delivered to command: %s", job->target);
	else
		local_helper_res(res, out.dsn, "command \"%s\" failed: %s%s%s",
		    job->target, out.why, out.output[0] != '\0' ? ": " : "",
		    out.output);
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
