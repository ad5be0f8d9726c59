/* SPDX-License-Identifier: MIT */
/*
 * The authd client stub: the account attributes both sides share, and
 * the client's answers against a scripted peer on a real UNIX socket --
 * found, not found, authd's temporary failure, a malformed reply, a
 * connection authd closed meanwhile (one reconnect), and no authd at all
 * (always a temporary failure, never "no such user").
 */
#include "ipc/auth_client.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc/ipc_sock.h"
#include "t.h"

static const struct auth_account t_acct = {
    .address = "alice@example.com",
    .mail_enabled = true,
    .protocols = "imap,pop3",
    .quota = 1048576,
    .store = "/srv/mail",
    .forwards = "a@remote.test,b@remote.test",
    .keep_copy = true,
    .sieve_script = "main",
};

static void
t_encode_decode(void)
{
	struct auth_account got;
	struct arena *a = arena_new();
	struct ipc_reader rd;
	struct ipc_msg msg;
	const char *status;
	struct err err;

	ipc_msg_init(&msg);
	ipc_reader_init(&rd);
	auth_account_encode(&t_acct, &msg);
	ipc_msg_finish(&msg);
	T_EQ_INT(
	    ipc_reader_decode(&rd, msg.buf.data + 4, msg.buf.len - 4, &err), 0);
	T_EQ_INT(ipc_get_str(&rd, "status", true, &status, &err), 1);
	T_EQ_STR(status, AUTH_STATUS_OK);
	T_EQ_INT(auth_account_decode(&rd, &got, a, &err), 0);
	T_EQ_STR(got.address, t_acct.address);
	T_CHECK(got.mail_enabled);
	T_EQ_STR(got.protocols, t_acct.protocols);
	T_EQ_INT(got.quota, 1048576);
	T_EQ_STR(got.store, t_acct.store);
	T_EQ_STR(got.forwards, t_acct.forwards);
	T_CHECK(got.keep_copy);
	T_EQ_STR(got.sieve_script, "main");
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&msg);
	arena_free(&a);
}

/* A reply with one field wrong or missing is authd's fault: ERR_TEMP. */
static void
t_decode_bad(void)
{
	static const char *const bad[][2] = {
	    {"mail_enabled", "2"},
	    {"quota", "-1"},
	    {"keep_copy", "yes"},
	    {"address", NULL},
	    {"sieve_script", NULL},
	};
	struct auth_account got;
	struct arena *a = arena_new();
	struct ipc_reader rd;
	struct ipc_msg msg;
	struct err err;
	size_t i;

	ipc_msg_init(&msg);
	ipc_reader_init(&rd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ipc_msg_reset(&msg);
		ipc_msg_add_str(&msg, "status", "ok");
#define T_FIELD(name, value)                                                   \
	do {                                                                   \
		if (strcmp(bad[i][0], name) != 0)                              \
			ipc_msg_add_str(&msg, name, value);                    \
		else if (bad[i][1] != NULL)                                    \
			ipc_msg_add_str(&msg, name, bad[i][1]);                \
	} while (0)
		T_FIELD("address", "x@example.com");
		T_FIELD("mail_enabled", "1");
		T_FIELD("protocols", "imap");
		T_FIELD("quota", "0");
		T_FIELD("store", "");
		T_FIELD("forwards", "");
		T_FIELD("keep_copy", "0");
		T_FIELD("sieve_script", "");
#undef T_FIELD
		ipc_msg_finish(&msg);
		T_EQ_INT(ipc_reader_decode(
		             &rd, msg.buf.data + 4, msg.buf.len - 4, &err),
		    0);
		T_EQ_INT(auth_account_decode(&rd, &got, a, &err), -1);
		T_EQ_INT(err.kind, ERR_TEMP);
	}
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&msg);
	arena_free(&a);
}

/* The scripted peer's answer to one lookup; false: close instead. */
static bool
t_peer_answer(const char *addr, struct ipc_msg *out)
{
	if (strcmp(addr, "ok@x.test") == 0 || strcmp(addr, "bye@x.test") == 0)
		auth_account_encode(&t_acct, out);
	else if (strcmp(addr, "tf@x.test") == 0) {
		ipc_msg_add_str(out, "status", AUTH_STATUS_TEMPFAIL);
		ipc_msg_add_str(out, "reason", "database busy");
	} else if (strcmp(addr, "junk@x.test") == 0)
		ipc_msg_add_str(out, "status", "ok");
	else if (strcmp(addr, "mute@x.test") == 0)
		return false;
	else
		ipc_msg_add_str(out, "status", AUTH_STATUS_NOTFOUND);
	return true;
}

/* One connection: hello, then lookups until "bye" or EOF. */
static void
t_peer_conn(int fd)
{
	struct ipc_reader rd;
	struct ipc_msg out;
	const char *addr;
	struct err err;
	bool go = true;

	ipc_reader_init(&rd);
	ipc_msg_init(&out);
	if (ipc_sock_hello_server(
	        fd, AUTH_SERVICE, AUTH_VERSION_MAJOR, 5000, &err) != 0)
		go = false;
	while (go && ipc_sock_recv(fd, &rd, 65536, 5000, &err) == 0 &&
	    ipc_get_str(&rd, "address", true, &addr, &err) == 1) {
		ipc_msg_reset(&out);
		if (!t_peer_answer(addr, &out))
			break;
		go = strcmp(addr, "bye@x.test") != 0;
		ipc_msg_finish(&out);
		if (ipc_sock_send(fd, &out, 5000, &err) != 0)
			break;
	}
	ipc_msg_deinit(&out);
	ipc_reader_deinit(&rd);
	close(fd);
}

static pid_t
t_peer_start(const char *path)
{
	struct err err;
	int lfd = ipc_sock_listen(path, 0600, 8, &err);
	pid_t pid;

	if (!T_CHECK(lfd >= 0))
		return -1;
	if ((pid = fork()) == 0) {
		int fd;

		while ((fd = accept(lfd, NULL, NULL)) >= 0)
			t_peer_conn(fd);
		_exit(0);
	}
	close(lfd);
	return pid;
}

static void
t_lookups(void)
{
	char dir[] = "/tmp/test-auth-client-XXXXXX", path[128];
	struct auth_client *ac;
	struct auth_account acct;
	struct arena *a = arena_new();
	struct err err;
	pid_t pid;

	T_CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/auth", dir);
	if ((pid = t_peer_start(path)) < 0)
		return;
	ac = auth_client_new(path, 2000);
	T_EQ_INT(auth_client_lookup(ac, "ok@x.test", &acct, a, &err), 1);
	T_EQ_STR(acct.address, "alice@example.com");
	T_EQ_INT(auth_client_lookup(ac, "no@x.test", &acct, a, &err), 0);
	T_EQ_INT(auth_client_lookup(ac, "tf@x.test", &acct, a, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	T_CHECK(strstr(err.text, "database busy") != NULL);
	T_EQ_INT(auth_client_lookup(ac, "junk@x.test", &acct, a, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	/* The peer closes after this one: the next lookup reconnects. */
	T_EQ_INT(auth_client_lookup(ac, "bye@x.test", &acct, a, &err), 1);
	T_EQ_INT(auth_client_lookup(ac, "ok@x.test", &acct, a, &err), 1);
	/* No answer at all, even after the reconnect: temporary. */
	T_EQ_INT(auth_client_lookup(ac, "mute@x.test", &acct, a, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	T_CHECK(err.dsn[0] == '4');
	auth_client_free(&ac);
	T_CHECK(ac == NULL);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(path);
	rmdir(dir);
	arena_free(&a);
}

static void
t_no_authd(void)
{
	struct auth_client *ac = auth_client_new("/nonexistent/auth", 500);
	struct auth_account acct;
	struct arena *a = arena_new();
	struct err err;

	T_EQ_INT(auth_client_lookup(ac, "ok@x.test", &acct, a, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	T_CHECK(err.dsn[0] == '4');
	auth_client_free(&ac);
	auth_client_free(&ac);
	arena_free(&a);
}

T_MAIN(T_CASE(t_encode_decode), T_CASE(t_decode_bad), T_CASE(t_lookups),
    T_CASE(t_no_authd))
