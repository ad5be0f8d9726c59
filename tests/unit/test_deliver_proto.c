/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/ipc/deliver_proto.c (the qmgr <-> delivery agent
 * request and reply) and for descriptor passing in ipc_sock.c.
 */
#include "ipc/deliver_proto.h"

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "ipc/ipc_sock.h"
#include "t.h"

/* Decode a finished message into rd (skipping the length prefix). */
static int
decode(const struct ipc_msg *m, struct ipc_reader *rd)
{
	struct err err;

	return ipc_reader_decode(rd, m->buf.data + 4, m->buf.len - 4, &err);
}

static void
request_round_trip(void)
{
	struct queue_rcpt rcpts[2] = {
	    {.address = "alice@example.org",
	        .orcpt = "rfc822;Alice@Example.org",
	        .notify = QUEUE_NOTIFY_FAILURE | QUEUE_NOTIFY_DELAY},
	    {.address = "bob@example.org"},
	};
	size_t index[2] = {3, 7};
	struct deliver_request req = {
	    .queue_id = "1JN7W8000051A",
	    .transport = "local",
	    .nexthop = "",
	    .content_offset = 123,
	    .content_size = 4567,
	    .env = {.arrival_sec = 1700000000, .arrival_usec = 42,
	        .sender = "", .envid = "abc+2Bdef", .ret = QUEUE_RET_HDRS,
	        .body = QUEUE_BODY_8BITMIME, .smtputf8 = true,
	        .client_addr = "127.0.0.1", .protocol = "ESMTP",
	        .rcpts = rcpts, .nrcpt = 2},
	    .rcpt_index = index,
	};
	struct deliver_request out;
	struct ipc_reader rd;
	struct ipc_msg m;
	struct arena *a = arena_new();
	struct err err;

	ipc_msg_init(&m);
	deliver_request_encode(&req, &m);
	ipc_reader_init(&rd);
	T_EQ_INT(decode(&m, &rd), 0);
	T_EQ_INT(deliver_request_decode(&rd, &out, a, &err), 0);
	T_EQ_STR(out.queue_id, "1JN7W8000051A");
	T_EQ_STR(out.transport, "local");
	T_EQ_STR(out.nexthop, "");
	T_EQ_INT(out.content_offset, 123);
	T_EQ_INT(out.content_size, 4567);
	T_EQ_INT(out.env.arrival_sec, 1700000000);
	T_EQ_INT(out.env.arrival_usec, 42);
	T_EQ_STR(out.env.sender, "");
	T_EQ_STR(out.env.envid, "abc+2Bdef");
	T_EQ_INT(out.env.ret, QUEUE_RET_HDRS);
	T_EQ_INT(out.env.body, QUEUE_BODY_8BITMIME);
	T_CHECK(out.env.smtputf8);
	T_EQ_STR(out.env.client_name, NULL);
	T_EQ_STR(out.env.client_addr, "127.0.0.1");
	T_EQ_STR(out.env.protocol, "ESMTP");
	T_EQ_INT(out.env.nrcpt, 2);
	T_EQ_STR(out.env.rcpts[0].address, "alice@example.org");
	T_EQ_STR(out.env.rcpts[0].orcpt, "rfc822;Alice@Example.org");
	T_EQ_INT(out.env.rcpts[0].notify, 12);
	T_EQ_STR(out.env.rcpts[1].orcpt, NULL);
	T_EQ_INT(out.env.rcpts[1].notify, 0);
	T_EQ_INT(out.rcpt_index[0], 3);
	T_EQ_INT(out.rcpt_index[1], 7);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&m);
	arena_free(&a);
}

/* A hand-made request with one attribute changed or left out. */
static int
decode_request_with(const char *name, const char *value)
{
	static const char *const base[][2] = {
	    {"req", "deliver"}, {"queue_id", "1JN7W8000051A"},
	    {"transport", "local"}, {"nexthop", ""}, {"offset", "0"},
	    {"size", "10"}, {"arrival_sec", "1"}, {"arrival_usec", "0"},
	    {"sender", "a@b"}, {"ret", ""}, {"body", ""}, {"smtputf8", "0"},
	    {"nrcpt", "1"}, {"rcpt_0", "c@d"}, {"notify_0", "0"},
	    {"index_0", "0"},
	};
	struct deliver_request out;
	struct ipc_reader rd;
	struct ipc_msg m;
	struct arena *a = arena_new();
	struct err err;
	size_t i;
	int rc;

	ipc_msg_init(&m);
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		const char *v = base[i][1];

		if (strcmp(base[i][0], name) == 0) {
			if (value == NULL)
				continue;
			v = value;
		}
		ipc_msg_add_str(&m, base[i][0], v);
	}
	ipc_msg_finish(&m);
	ipc_reader_init(&rd);
	rc = decode(&m, &rd);
	if (rc == 0)
		rc = deliver_request_decode(&rd, &out, a, &err);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&m);
	arena_free(&a);
	return rc;
}

static void
request_rejects_malformed(void)
{
	T_EQ_INT(decode_request_with("none", NULL), 0);
	T_EQ_INT(decode_request_with("req", "lookup"), -1);
	T_EQ_INT(decode_request_with("queue_id", NULL), -1);
	T_EQ_INT(decode_request_with("nrcpt", "0"), -1);
	T_EQ_INT(decode_request_with("nrcpt", "2"), -1);
	T_EQ_INT(decode_request_with("nrcpt", "-1"), -1);
	T_EQ_INT(decode_request_with("nrcpt", "99999999999"), -1);
	T_EQ_INT(decode_request_with("ret", "SOME"), -1);
	T_EQ_INT(decode_request_with("body", "8bit"), -1);
	T_EQ_INT(decode_request_with("smtputf8", "2"), -1);
	T_EQ_INT(decode_request_with("notify_0", "16"), -1);
	T_EQ_INT(decode_request_with("index_0", "x"), -1);
	T_EQ_INT(decode_request_with("offset", "-5"), -1);
	T_EQ_INT(decode_request_with("size", "9223372036854775807"), 0);
	T_EQ_INT(decode_request_with("offset", "9223372036854775807"), -1);
	T_EQ_INT(decode_request_with("arrival_usec", "1000000"), -1);
	T_EQ_INT(decode_request_with("rcpt_0", NULL), -1);
}

static void
reply_round_trip(void)
{
	struct deliver_result in[3] = {
	    {DELIVER_SENT, "2.0.0", "local", "delivered to maildir"},
	    {DELIVER_DEFERRED, "4.2.2", NULL, "mailbox full"},
	    {DELIVER_BOUNCED, "5.1.1", "local", NULL},
	};
	struct deliver_result out[3];
	struct ipc_reader rd;
	struct ipc_msg m;
	struct arena *a = arena_new();
	struct err err;

	ipc_msg_init(&m);
	deliver_reply_encode(in, 3, &m);
	ipc_reader_init(&rd);
	T_EQ_INT(decode(&m, &rd), 0);
	T_EQ_INT(deliver_reply_decode(&rd, 3, out, a, &err), 0);
	T_EQ_INT(out[0].status, DELIVER_SENT);
	T_EQ_STR(out[0].dsn, "2.0.0");
	T_EQ_STR(out[0].relay, "local");
	T_EQ_STR(out[0].reason, "delivered to maildir");
	T_EQ_INT(out[1].status, DELIVER_DEFERRED);
	T_EQ_STR(out[1].relay, NULL);
	T_EQ_INT(out[2].status, DELIVER_BOUNCED);
	T_EQ_STR(out[2].reason, NULL);
	/* The same frame against a request of another size. */
	ipc_reader_deinit(&rd);
	ipc_reader_init(&rd);
	T_EQ_INT(decode(&m, &rd), 0);
	T_EQ_INT(deliver_reply_decode(&rd, 2, out, a, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&m);
	arena_free(&a);
}

static int
decode_one_result(const char *status, const char *dsn)
{
	struct deliver_result in = {DELIVER_SENT, dsn, NULL, NULL};
	struct deliver_result out;
	struct ipc_reader rd;
	struct ipc_msg m;
	struct arena *a = arena_new();
	struct err err;
	int rc;

	ipc_msg_init(&m);
	if (status == NULL)
		deliver_reply_encode(&in, 1, &m);
	else {
		ipc_msg_add_str(&m, "status", "ok");
		ipc_msg_add_str(&m, "nrcpt", "1");
		ipc_msg_add_str(&m, "r0_status", status);
		ipc_msg_add_str(&m, "r0_dsn", dsn);
		ipc_msg_finish(&m);
	}
	ipc_reader_init(&rd);
	rc = decode(&m, &rd);
	if (rc == 0)
		rc = deliver_reply_decode(&rd, 1, &out, a, &err);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&m);
	arena_free(&a);
	return rc;
}

static void
reply_rejects_malformed(void)
{
	T_EQ_INT(decode_one_result(NULL, "2.0.0"), 0);
	T_EQ_INT(decode_one_result("deferred", "4.4.1"), 0);
	T_EQ_INT(decode_one_result("bounced", "5.123.999"), 0);
	/* The code's class must match the status word. */
	T_EQ_INT(decode_one_result("sent", "5.0.0"), -1);
	T_EQ_INT(decode_one_result("deferred", "2.0.0"), -1);
	T_EQ_INT(decode_one_result("bounced", "4.0.0"), -1);
	T_EQ_INT(decode_one_result("lost", "2.0.0"), -1);
	T_EQ_INT(decode_one_result("sent", ""), -1);
	T_EQ_INT(decode_one_result("sent", "2.0"), -1);
	T_EQ_INT(decode_one_result("sent", "2.0.0 "), -1);
	T_EQ_INT(decode_one_result("sent", "2.1234.0"), -1);
	T_EQ_INT(decode_one_result("sent", "2..0"), -1);
}

static void
reply_error_is_temporary(void)
{
	struct deliver_result out;
	struct ipc_reader rd;
	struct ipc_msg m;
	struct arena *a = arena_new();
	struct err err;

	ipc_msg_init(&m);
	deliver_reply_error_encode("no descriptor", &m);
	ipc_reader_init(&rd);
	T_EQ_INT(decode(&m, &rd), 0);
	T_EQ_INT(deliver_reply_decode(&rd, 1, &out, a, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	T_CHECK(strstr(err.text, "no descriptor") != NULL);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&m);
	arena_free(&a);
}

static void
status_names(void)
{
	T_EQ_STR(deliver_status_name(DELIVER_SENT), "sent");
	T_EQ_STR(deliver_status_name(DELIVER_DEFERRED), "deferred");
	T_EQ_STR(deliver_status_name(DELIVER_BOUNCED), "bounced");
	T_EQ_STR(deliver_status_name((enum deliver_status)9), "?");
}

/* The same open file on both sides: same device and inode. */
static bool
same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void
fd_passing(void)
{
	struct err err;
	int sv[2], fd, got;

	T_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	T_CHECK(fd >= 0);
	T_EQ_INT(ipc_sock_send_fd(sv[0], fd, 1000, &err), 0);
	got = ipc_sock_recv_fd(sv[1], 1000, &err);
	T_CHECK(got >= 0 && got != fd);
	T_CHECK(same_file(fd, got));
	T_CHECK((fcntl(got, F_GETFD) & FD_CLOEXEC) != 0);
	close(got);
	/* Nothing sent: a time-out, not a hang. */
	T_EQ_INT(ipc_sock_recv_fd(sv[1], 10, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	/* A plain byte without a descriptor is refused. */
	T_EQ_INT(write(sv[0], "F", 1), 1);
	T_EQ_INT(ipc_sock_recv_fd(sv[1], 1000, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	/* The peer hung up. */
	close(sv[0]);
	T_EQ_INT(ipc_sock_recv_fd(sv[1], 1000, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	close(sv[1]);
	close(fd);
}

/* A hostile peer sends two descriptors: both are closed, none returned. */
static void
fd_passing_refuses_two(void)
{
	union {
		struct cmsghdr hdr;
		char space[CMSG_SPACE(2 * sizeof(int))];
	} ctl;
	char mark = 'F';
	struct iovec iov = {.iov_base = &mark, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl.space, .msg_controllen = sizeof(ctl.space)};
	struct cmsghdr *cm;
	struct err err;
	int sv[2], fds[2], probe;

	T_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fds[0] = open("/dev/null", O_RDONLY);
	fds[1] = open("/dev/zero", O_RDONLY);
	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	T_EQ_INT(sendmsg(sv[0], &mh, 0), 1);
	close(fds[0]);
	close(fds[1]);
	/* The lowest free descriptor before and after must be the same. */
	probe = dup(0);
	close(probe);
	T_EQ_INT(ipc_sock_recv_fd(sv[1], 1000, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	fds[0] = dup(0);
	T_EQ_INT(fds[0], probe);
	close(fds[0]);
	close(sv[0]);
	close(sv[1]);
}

T_MAIN(T_CASE(request_round_trip), T_CASE(request_rejects_malformed),
    T_CASE(reply_round_trip), T_CASE(reply_rejects_malformed),
    T_CASE(reply_error_is_temporary), T_CASE(status_names),
    T_CASE(fd_passing), T_CASE(fd_passing_refuses_two))
