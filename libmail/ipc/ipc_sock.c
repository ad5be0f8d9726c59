/* SPDX-License-Identifier: MIT */
/*
 * Blocking request/reply I/O over UNIX stream sockets, bounded by a
 * deadline, for client stubs and the master's status socket. The peer
 * is not trusted: frames are capped, and the receive buffer grows with
 * the bytes that really arrive, never with the length a peer announces.
 */
#include "ipc/ipc_sock.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/byteorder.h"
#include "core/event.h"
#include "core/log.h"

#define IPC_SOCK_CHUNK 65536

/* Milliseconds left before deadline; -1 means no deadline. */
static int
ipc_sock_left(uint64_t deadline)
{
	uint64_t now;

	if (deadline == 0)
		return -1;
	now = event_now_ms();
	return now >= deadline ? 0 : (int)(deadline - now);
}

static uint64_t
ipc_sock_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? 0 : event_now_ms() + (uint64_t)timeout_ms;
}

/* Wait for events on fd until the deadline. 0, or -1 with err filled. */
static int
ipc_sock_wait(int fd, short events, uint64_t deadline, struct err *err)
{
	struct pollfd pfd = {.fd = fd, .events = events};

	for (;;) {
		int n = poll(&pfd, 1, ipc_sock_left(deadline));

		if (n > 0)
			return 0;
		if (n == 0)
			return err_set(err, ERR_TEMP, "4.4.2", "time-out");
		if (errno != EINTR)
			return err_set(err, ERR_TEMP, "4.3.0", "poll: %s",
			    strerror(errno));
	}
}

static int
ipc_sock_addr(const char *path, struct sockaddr_un *sun, struct err *err)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return err_set(
		    err, ERR_PERM, "5.3.5", "socket path too long: %s", path);
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

int
ipc_sock_connect(const char *path, int timeout_ms, struct err *err)
{
	uint64_t deadline = ipc_sock_deadline(timeout_ms);
	struct sockaddr_un sun;
	int fd, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (ipc_sock_addr(path, &sun, err) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		if (errno != EINPROGRESS && errno != EINTR) {
			err_set(err, ERR_TEMP, "4.4.1", "connect %s: %s", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (ipc_sock_wait(fd, POLLOUT, deadline, err) != 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 ||
		    soerr != 0) {
			if (soerr != 0)
				err_set(err, ERR_TEMP, "4.4.1",
				    "connect %s: %s", path, strerror(soerr));
			else
				err_prefix(err, "connect %s", path);
			close(fd);
			return -1;
		}
	}
	return fd;
}

int
ipc_sock_listen(const char *path, int mode, int backlog, struct err *err)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	if (ipc_sock_addr(path, &sun, err) != 0)
		return -1;
	/* Remove a stale socket, but never a file of another kind. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return err_set(err, ERR_PERM, "5.3.5",
			    "%s exists and is not a socket", path);
		if (unlink(path) != 0)
			return err_set(err, ERR_TEMP, "4.3.0", "unlink %s: %s",
			    path, strerror(errno));
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chmod(path, (mode_t)mode) != 0 || listen(fd, backlog) != 0) {
		err_set(err, ERR_TEMP, "4.3.0", "listen on %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
ipc_sock_send(
    int fd, const struct ipc_msg *msg, int timeout_ms, struct err *err)
{
	uint64_t deadline = ipc_sock_deadline(timeout_ms);
	size_t off = 0;

	while (off < msg->buf.len) {
		ssize_t n = send(fd, msg->buf.data + off, msg->buf.len - off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return err_set(err, ERR_TEMP, "4.4.2", "send: %s",
			    strerror(errno));
		if (ipc_sock_wait(fd, POLLOUT, deadline, err) != 0)
			return -1;
	}
	return 0;
}

/* Read exactly want more bytes into b, never beyond: frames may follow. */
static int
ipc_sock_read_exact(
    int fd, struct buf *b, size_t want, uint64_t deadline, struct err *err)
{
	while (want > 0) {
		size_t chunk = want < IPC_SOCK_CHUNK ? want : IPC_SOCK_CHUNK;
		ssize_t n;

		buf_reserve(b, chunk);
		n = recv(fd, b->data + b->len, chunk, MSG_DONTWAIT);
		if (n > 0) {
			b->len += (size_t)n;
			b->data[b->len] = '\0';
			want -= (size_t)n;
			continue;
		}
		if (n == 0)
			return err_set(err, ERR_TEMP, "4.4.2",
			    "connection closed by peer");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return err_set(err, ERR_TEMP, "4.4.2", "recv: %s",
			    strerror(errno));
		if (ipc_sock_wait(fd, POLLIN, deadline, err) != 0)
			return -1;
	}
	return 0;
}

int
ipc_sock_recv(
    int fd, struct ipc_reader *rd, size_t max, int timeout_ms, struct err *err)
{
	uint64_t deadline = ipc_sock_deadline(timeout_ms);
	struct buf frame;
	size_t body;
	int rc = -1;

	buf_init(&frame);
	if (ipc_sock_read_exact(fd, &frame, 4, deadline, err) != 0)
		goto out;
	/* With only the prefix in hand this checks the cap and the zero. */
	if (ipc_frame_complete(frame.data, frame.len, max, err) < 0)
		goto out;
	body = byteorder_get_be32(frame.data);
	if (ipc_sock_read_exact(fd, &frame, body, deadline, err) != 0)
		goto out;
	rc = ipc_reader_decode(rd, frame.data + 4, frame.len - 4, err);
out:
	buf_deinit(&frame);
	return rc;
}

/* ---- descriptor passing ---- */

/* The one payload byte that carries a descriptor. */
#define IPC_SOCK_FD_MARK	'F'

int
ipc_sock_send_fd(int sock, int fd, int timeout_ms, struct err *err)
{
	uint64_t deadline = ipc_sock_deadline(timeout_ms);
	union {
		struct cmsghdr hdr;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	char mark = IPC_SOCK_FD_MARK;
	struct iovec iov = { .iov_base = &mark, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.space, .msg_controllen = sizeof(ctl.space),
	};
	struct cmsghdr *cm;

	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	for (;;) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n == 1)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return err_set(err, ERR_TEMP, "4.4.2",
			    "send descriptor: %s", strerror(errno));
		if (ipc_sock_wait(sock, POLLOUT, deadline, err) != 0)
			return -1;
	}
}

/* Close every descriptor in the control data; returns how many. */
static size_t
ipc_sock_close_fds(struct msghdr *mh, int *first_out)
{
	struct cmsghdr *cm;
	size_t count = 0;

	*first_out = -1;
	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		size_t i, nfd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(int));
			if (count++ == 0)
				*first_out = fd;
			else
				close(fd);
		}
	}
	return count;
}

int
ipc_sock_recv_fd(int sock, int timeout_ms, struct err *err)
{
	uint64_t deadline = ipc_sock_deadline(timeout_ms);
	/* Room for a few, so a peer sending more is seen and cleaned up. */
	union {
		struct cmsghdr hdr;
		char space[CMSG_SPACE(8 * sizeof(int))];
	} ctl;
	char mark;
	struct iovec iov = { .iov_base = &mark, .iov_len = 1 };
	struct msghdr mh;
	ssize_t n;
	size_t count;
	int fd;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.space;
		mh.msg_controllen = sizeof(ctl.space);
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return err_set(err, ERR_TEMP, "4.4.2",
			    "receive descriptor: %s", strerror(errno));
		if (ipc_sock_wait(sock, POLLIN, deadline, err) != 0)
			return -1;
	}
	if (n == 0)
		return err_set(err, ERR_TEMP, "4.4.2",
		    "connection closed by peer");
	count = ipc_sock_close_fds(&mh, &fd);
	if (count != 1 || (mh.msg_flags & MSG_CTRUNC) != 0 ||
	    mark != IPC_SOCK_FD_MARK) {
		if (fd >= 0)
			close(fd);
		return err_set(err, ERR_PERM, "5.5.0",
		    "expected one descriptor, got %zu%s", count,
		    (mh.msg_flags & MSG_CTRUNC) != 0 ? " (truncated)" : "");
	}
	return fd;
}

/* ---- handshake ---- */

#define IPC_HELLO_VERB "hello"

void
ipc_sock_hello_encode(
    const char *service, int major, int minor, struct ipc_msg *out)
{
	char version[32];

	if (snprintf(version, sizeof(version), "%d.%d", major, minor) >=
	    (int)sizeof(version))
		PANIC("%s: bad version", __func__);
	ipc_msg_add_str(out, "req", IPC_HELLO_VERB);
	ipc_msg_add_str(out, "service", service);
	ipc_msg_add_str(out, "version", version);
	ipc_msg_finish(out);
}

int
ipc_sock_hello_check(
    struct ipc_reader *rd, const char *service, struct err *err)
{
	const char *status, *reason = NULL;

	if (ipc_get_str(rd, "status", true, &status, err) < 0 ||
	    ipc_get_str(rd, "reason", false, &reason, err) < 0)
		return -1;
	if (strcmp(status, "ok") != 0)
		return err_set(err, ERR_PERM, "5.3.5",
		    "%s refused the handshake: %s", service,
		    reason != NULL ? reason : status);
	return ipc_reader_done(rd, err);
}

int
ipc_sock_hello_client(int fd, const char *service, int major, int minor,
    int timeout_ms, struct err *err)
{
	struct ipc_msg msg;
	struct ipc_reader rd;
	int rc = -1;

	ipc_msg_init(&msg);
	ipc_reader_init(&rd);
	ipc_sock_hello_encode(service, major, minor, &msg);
	if (ipc_sock_send(fd, &msg, timeout_ms, err) == 0 &&
	    ipc_sock_recv(fd, &rd, IPC_FRAME_MAX_DEFAULT, timeout_ms, err) ==
	        0)
		rc = ipc_sock_hello_check(&rd, service, err);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&msg);
	return rc;
}

/* "3.1" → 3; -1 when the text is not major.minor in decimal. */
static long
ipc_sock_version_major(const char *v)
{
	char *end;
	long major;

	if (*v < '0' || *v > '9')
		return -1;
	major = strtol(v, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -1;
	strtol(end + 1, &end, 10);
	return *end == '\0' ? major : -1;
}

static int
ipc_sock_hello_reply(
    int fd, const char *status, const char *reason, int timeout_ms)
{
	struct ipc_msg msg;
	int rc;

	ipc_msg_init(&msg);
	ipc_msg_add_str(&msg, "status", status);
	if (reason != NULL)
		ipc_msg_add_str(&msg, "reason", reason);
	ipc_msg_finish(&msg);
	rc = ipc_sock_send(fd, &msg, timeout_ms, NULL);
	ipc_msg_deinit(&msg);
	return rc;
}

int
ipc_sock_hello_server(
    int fd, const char *service, int major, int timeout_ms, struct err *err)
{
	struct ipc_reader rd;
	const char *verb, *peer_service, *version;
	char shown[80];
	long peer_major;
	int rc = -1;

	ipc_reader_init(&rd);
	if (ipc_sock_recv(fd, &rd, IPC_FRAME_MAX_DEFAULT, timeout_ms, err) !=
	        0 ||
	    ipc_get_str(&rd, "req", true, &verb, err) < 0 ||
	    ipc_get_str(&rd, "service", true, &peer_service, err) < 0 ||
	    ipc_get_str(&rd, "version", true, &version, err) < 0 ||
	    ipc_reader_done(&rd, err) != 0)
		goto out;
	if (strcmp(verb, IPC_HELLO_VERB) != 0) {
		err_set(err, ERR_PERM, "5.5.0", "expected hello");
		goto out;
	}
	if (strcmp(peer_service, service) != 0) {
		ipc_sock_hello_reply(fd, "fail", "wrong service", timeout_ms);
		err_set(err, ERR_PERM, "5.5.0", "client asked for service %s",
		    log_escape(peer_service, strlen(peer_service), 32, shown,
		        sizeof(shown)));
		goto out;
	}
	peer_major = ipc_sock_version_major(version);
	if (peer_major != major) {
		ipc_sock_hello_reply(
		    fd, "fail", "protocol version mismatch", timeout_ms);
		err_set(err, ERR_PERM, "5.5.0",
		    "client speaks %s version %s, we speak %d", service,
		    log_escape(
		        version, strlen(version), 16, shown, sizeof(shown)),
		    major);
		goto out;
	}
	rc = ipc_sock_hello_reply(fd, "ok", NULL, timeout_ms);
	if (rc != 0)
		err_set(err, ERR_TEMP, "4.4.2", "cannot answer the handshake");
out:
	ipc_reader_deinit(&rd);
	return rc;
}
