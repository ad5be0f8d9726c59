/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/ipc: the attribute codec and the socket helpers. */
#include "ipc/ipc_msg.h"
#include "ipc/ipc_sock.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"

/* Body of a finished message (past the 4-byte prefix). */
static const char *
body_of(const struct ipc_msg *m, size_t *len_out)
{
	*len_out = m->buf.len - 4;
	return m->buf.data + 4;
}

static void
build_request(struct ipc_msg *m)
{
	ipc_msg_init(m);
	ipc_msg_add_str(m, "req", "lookup");
	ipc_msg_add_str(m, "name", "alice@example.org");
	ipc_msg_add(m, "blob", "a\0b\0", 4);
	ipc_msg_add_num(m, "count", -42);
	ipc_msg_add_str(m, "empty", "");
	ipc_msg_finish(m);
}

static void
round_trip(void)
{
	struct ipc_msg m;
	struct ipc_reader rd;
	struct err err;
	const char *s, *body;
	size_t len, blen;
	long long n;

	build_request(&m);
	T_EQ_INT(ipc_frame_complete(
	             m.buf.data, m.buf.len, IPC_FRAME_MAX_DEFAULT, &err),
	    (long long)m.buf.len - 4);
	body = body_of(&m, &blen);
	ipc_reader_init(&rd);
	T_EQ_INT(ipc_reader_decode(&rd, body, blen, &err), 0);
	T_EQ_INT(rd.nattrs, 5);
	T_EQ_INT(ipc_get_str(&rd, "req", true, &s, &err), 1);
	T_EQ_STR(s, "lookup");
	T_EQ_INT(ipc_get_str(&rd, "name", true, &s, &err), 1);
	T_EQ_STR(s, "alice@example.org");
	T_EQ_INT(ipc_get_bytes(&rd, "blob", true, &s, &len, &err), 1);
	T_EQ_INT(len, 4);
	T_CHECK(memcmp(s, "a\0b\0", 4) == 0);
	T_EQ_INT(s[4], '\0');
	/* A binary value is refused where a string is expected. */
	T_EQ_INT(ipc_get_str(&rd, "blob", true, &s, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_EQ_INT(ipc_get_num(&rd, "count", true, -100, 100, &n, &err), 1);
	T_EQ_INT(n, -42);
	T_EQ_INT(ipc_get_num(&rd, "count", true, 0, 100, &n, &err), -1);
	T_EQ_INT(ipc_get_num(&rd, "name", true, 0, 100, &n, &err), -1);
	T_EQ_INT(ipc_get_num(&rd, "empty", true, 0, 100, &n, &err), -1);
	T_EQ_INT(ipc_get_str(&rd, "empty", true, &s, &err), 1);
	T_EQ_STR(s, "");
	T_EQ_INT(ipc_get_str(&rd, "absent", false, &s, &err), 0);
	T_EQ_INT(ipc_reader_done(&rd, &err), 0);

	/* The reader is reusable, and reset empties a message. */
	ipc_msg_reset(&m);
	ipc_msg_add_str(&m, "status", "ok");
	ipc_msg_finish(&m);
	body = body_of(&m, &blen);
	T_EQ_INT(ipc_reader_decode(&rd, body, blen, &err), 0);
	T_EQ_INT(rd.nattrs, 1);
	T_EQ_INT(ipc_get_str(&rd, "req", false, &s, &err), 0);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&m);
}

static void
numbers_strict(void)
{
	static const struct {
		const char *text;
		int rc;
		long long value;
	} cases[] = {
	    {"0", 1, 0},
	    {"9223372036854775807", 1, INT64_MAX},
	    {"-9223372036854775808", 1, INT64_MIN},
	    {"9223372036854775808", -1, 0},
	    {"+1", -1, 0},
	    {" 1", -1, 0},
	    {"1 ", -1, 0},
	    {"0x10", -1, 0},
	    {"-", -1, 0},
	    {"", -1, 0},
	};
	struct ipc_msg m;
	struct ipc_reader rd;
	struct err err;
	size_t i, blen;
	long long n;

	ipc_reader_init(&rd);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *body;

		ipc_msg_init(&m);
		ipc_msg_add_str(&m, "n", cases[i].text);
		ipc_msg_finish(&m);
		body = body_of(&m, &blen);
		T_EQ_INT(ipc_reader_decode(&rd, body, blen, &err), 0);
		n = 0;
		if (!T_EQ_INT(ipc_get_num(&rd, "n", true, INT64_MIN, INT64_MAX,
		                  &n, &err),
		        cases[i].rc))
			fprintf(stderr, "  case \"%s\"\n", cases[i].text);
		T_EQ_INT(n, cases[i].value);
		ipc_msg_deinit(&m);
	}
	ipc_reader_deinit(&rd);
}

/* Every prefix of a valid body is rejected, never read past. */
static void
truncated_at_every_split(void)
{
	struct ipc_msg m;
	struct ipc_reader rd;
	struct err err;
	const char *body;
	size_t blen, cut;
	int accepted = 0;

	build_request(&m);
	body = body_of(&m, &blen);
	ipc_reader_init(&rd);
	for (cut = 0; cut < blen; cut++) {
		/* A private copy, so ASan catches any read past the cut. */
		char *copy = malloc(cut ? cut : 1);

		memcpy(copy, body, cut);
		/* Cuts on attribute boundaries are valid shorter messages. */
		if (ipc_reader_decode(&rd, copy, cut, &err) == 0)
			accepted++;
		else
			T_EQ_INT(err.kind, ERR_PERM);
		free(copy);
	}
	/* Boundaries after req, name, blob, count: 4 valid prefixes. */
	T_EQ_INT(accepted, 4);
	/* The stream splitter wants more bytes at every short length. */
	for (cut = 0; cut < m.buf.len; cut++)
		T_EQ_INT(ipc_frame_complete(
		             m.buf.data, cut, IPC_FRAME_MAX_DEFAULT, &err),
		    0);
	T_EQ_INT(ipc_frame_complete(
	             m.buf.data, m.buf.len, IPC_FRAME_MAX_DEFAULT, &err),
	    (long long)blen);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&m);
}

static void
oversize_and_lying_lengths(void)
{
	static const unsigned char big[4] = {0x00, 0x10, 0x00, 0x01};
	static const unsigned char zero[4] = {0, 0, 0, 0};
	/* name "a", value length 0xffffffff, no value bytes. */
	static const unsigned char liar[] = {1, 'a', 0xff, 0xff, 0xff, 0xff};
	struct ipc_reader rd;
	struct err err;

	T_EQ_INT(ipc_frame_complete(big, 4, IPC_FRAME_MAX_DEFAULT, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_EQ_INT(ipc_frame_complete(big, 4, 0x100001, &err), 0);
	T_EQ_INT(ipc_frame_complete(zero, 4, IPC_FRAME_MAX_DEFAULT, &err), -1);
	ipc_reader_init(&rd);
	T_EQ_INT(ipc_reader_decode(&rd, liar, sizeof(liar), &err), -1);
	T_EQ_INT(ipc_reader_decode(&rd, "", 0, &err), -1);
	T_EQ_INT(rd.nattrs, 0);
	ipc_reader_deinit(&rd);
}

static void
bad_and_duplicate_names(void)
{
	static const struct {
		const char *what;
		const char *body;
		size_t len;
	} bad[] = {
	    {"upper case", "\001A\0\0\0\0", 6},
	    {"dash", "\003a-b\0\0\0\0", 8},
	    {"NUL in name", "\002a\0\0\0\0\0", 7},
	    {"empty name", "\000\0\0\0\0", 5},
	    {"name too long", "\041aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0\0\0\0",
	        38},
	    {"duplicate", "\001a\0\0\0\001x\001b\0\0\0\0\001a\0\0\0\0", 19},
	};
	/* 32 bytes is the longest name allowed. */
	static const char max_name[] =
	    "\040aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0\0\0\0";
	struct ipc_reader rd;
	struct err err;
	size_t i;

	ipc_reader_init(&rd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!T_EQ_INT(
		        ipc_reader_decode(&rd, bad[i].body, bad[i].len, &err),
		        -1))
			fprintf(stderr, "  case %s\n", bad[i].what);
	T_EQ_INT(
	    ipc_reader_decode(&rd, max_name, sizeof(max_name) - 1, &err), 0);
	ipc_reader_deinit(&rd);
}

static void
missing_and_unread(void)
{
	struct ipc_msg m;
	struct ipc_reader rd;
	struct err err;
	const char *s, *body;
	size_t blen;

	build_request(&m);
	body = body_of(&m, &blen);
	ipc_reader_init(&rd);
	T_EQ_INT(ipc_reader_decode(&rd, body, blen, &err), 0);
	err_clear(&err);
	T_EQ_INT(ipc_get_str(&rd, "sender", true, &s, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_CHECK(strstr(err.text, "sender") != NULL);
	/* Reading others does not excuse leaving req unread. */
	T_EQ_INT(ipc_get_str(&rd, "name", true, &s, &err), 1);
	T_EQ_INT(ipc_reader_done(&rd, &err), -1);
	T_CHECK(strstr(err.text, "req") != NULL);
	T_EQ_INT(ipc_get_str(&rd, "req", true, &s, &err), 1);
	T_EQ_INT(ipc_reader_done(&rd, &err), 0);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&m);
}

static void
socket_send_recv(void)
{
	struct ipc_msg m;
	struct ipc_reader rd;
	struct err err;
	const char *s;
	int sv[2];

	T_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	build_request(&m);
	/* Two frames back to back: the reader must not eat the second. */
	T_EQ_INT(ipc_sock_send(sv[0], &m, 1000, &err), 0);
	T_EQ_INT(ipc_sock_send(sv[0], &m, 1000, &err), 0);
	ipc_reader_init(&rd);
	T_EQ_INT(
	    ipc_sock_recv(sv[1], &rd, IPC_FRAME_MAX_DEFAULT, 1000, &err), 0);
	T_EQ_INT(ipc_get_str(&rd, "req", true, &s, &err), 1);
	T_EQ_INT(
	    ipc_sock_recv(sv[1], &rd, IPC_FRAME_MAX_DEFAULT, 1000, &err), 0);
	T_EQ_INT(ipc_get_str(&rd, "name", true, &s, &err), 1);
	T_EQ_STR(s, "alice@example.org");
	/* Over the receiver's cap. */
	T_EQ_INT(ipc_sock_send(sv[0], &m, 1000, &err), 0);
	T_EQ_INT(ipc_sock_recv(sv[1], &rd, 8, 1000, &err), -1);
	close(sv[1]);
	sv[1] = -1;
	/* Nothing arrives: time-out, then EOF. */
	T_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	T_EQ_INT(
	    ipc_sock_recv(sv[1], &rd, IPC_FRAME_MAX_DEFAULT, 10, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	close(sv[0]);
	T_EQ_INT(
	    ipc_sock_recv(sv[1], &rd, IPC_FRAME_MAX_DEFAULT, 1000, &err), -1);
	close(sv[1]);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&m);
}

/* Run the server side of the handshake in a child; its exit says how. */
static int
handshake(int client_major, int server_major, const char *client_service,
    struct err *err)
{
	int sv[2], rc, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return -2;
	pid = fork();
	if (pid == 0) {
		struct err serr;

		close(sv[0]);
		_exit(ipc_sock_hello_server(
		          sv[1], "auth", server_major, 2000, &serr) == 0
		        ? 0
		        : 1);
	}
	close(sv[1]);
	rc = ipc_sock_hello_client(
	    sv[0], client_service, client_major, 7, 2000, err);
	close(sv[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -2;
	/* Both sides must agree on the outcome. */
	if ((WEXITSTATUS(status) == 0) != (rc == 0))
		return -3;
	return rc;
}

static void
handshake_versions(void)
{
	struct err err;

	T_EQ_INT(handshake(1, 1, "auth", &err), 0);
	T_EQ_INT(handshake(2, 1, "auth", &err), -1);
	T_CHECK(strstr(err.text, "version") != NULL);
	T_EQ_INT(handshake(1, 1, "qmgr", &err), -1);
}

static void
connect_and_listen(void)
{
	char dir[] = "/tmp/postern-ipc-XXXXXX", path[128];
	struct ipc_msg m;
	struct ipc_reader rd;
	struct err err;
	const char *s;
	int lfd, cfd, afd;

	T_CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/sock", dir);
	T_EQ_INT(ipc_sock_connect(path, 100, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	lfd = ipc_sock_listen(path, 0600, 4, &err);
	T_CHECK(lfd >= 0);
	cfd = ipc_sock_connect(path, 1000, &err);
	T_CHECK(cfd >= 0);
	afd = accept(lfd, NULL, NULL);
	T_CHECK(afd >= 0);
	ipc_msg_init(&m);
	ipc_msg_add_str(&m, "status", "ok");
	ipc_msg_finish(&m);
	T_EQ_INT(ipc_sock_send(afd, &m, 1000, &err), 0);
	ipc_reader_init(&rd);
	T_EQ_INT(ipc_sock_recv(cfd, &rd, 1024, 1000, &err), 0);
	T_EQ_INT(ipc_get_str(&rd, "status", true, &s, &err), 1);
	T_EQ_STR(s, "ok");
	close(afd);
	close(cfd);
	close(lfd);
	/* A stale socket is replaced; a regular file is not. */
	lfd = ipc_sock_listen(path, 0600, 4, &err);
	T_CHECK(lfd >= 0);
	close(lfd);
	unlink(path);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	T_EQ_INT(ipc_sock_listen(path, 0600, 4, &err), -1);
	unlink(path);
	rmdir(dir);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&m);
}

T_MAIN(T_CASE(round_trip), T_CASE(numbers_strict),
    T_CASE(truncated_at_every_split), T_CASE(oversize_and_lying_lengths),
    T_CASE(bad_and_duplicate_names), T_CASE(missing_and_unread),
    T_CASE(socket_send_recv), T_CASE(handshake_versions),
    T_CASE(connect_and_listen))
