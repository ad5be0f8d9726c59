/* SPDX-License-Identifier: MIT */
/*
 * ipc_trigger_send (ipc_trigger.h): fifo or UNIX socket, decided by
 * what the path is, never blocking the caller (smtpd answers a client
 * right after it).
 */
#include "ipc/ipc_trigger.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int
ipc_trigger_fifo(
    const char *path, const void *data, size_t len, struct err *err)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	/* ENXIO: no reader has the fifo open. */
	if (fd < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "open %s: %s", path,
		    strerror(errno));
	n = write(fd, data, len);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		int e = errno;

		close(fd);
		return err_set(
		    err, ERR_TEMP, "4.3.0", "write %s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

static int
ipc_trigger_socket(
    const char *path, const void *data, size_t len, struct err *err)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, n;

	n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path))
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: path too long", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;

		close(fd);
		/* EAGAIN: the backlog is full of wake-ups already. */
		if (e == EAGAIN || e == EWOULDBLOCK)
			return 0;
		return err_set(err, ERR_TEMP, "4.3.0", "connect %s: %s", path,
		    strerror(e));
	}
	(void)send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
	return 0;
}

int
ipc_trigger_send(
    const char *path, const void *data, size_t len, struct err *err)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", path, strerror(errno));
	if (S_ISFIFO(st.st_mode))
		return ipc_trigger_fifo(path, data, len, err);
	if (S_ISSOCK(st.st_mode))
		return ipc_trigger_socket(path, data, len, err);
	return err_set(
	    err, ERR_TEMP, "4.3.0", "%s: neither a fifo nor a socket", path);
}
