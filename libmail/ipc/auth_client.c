/* SPDX-License-Identifier: MIT */
/*
 * The authd client stub: the connection (lazy, reconnected once), and
 * account lookups for smtpd and local with the account attributes both
 * sides share, so the names live in one file. Logins are in
 * auth_client_login.c. A reply is authd's word, but a malformed one is
 * treated as a temporary failure, never as "no such user".
 */
#include "ipc/auth_client.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "ipc/auth_client_impl.h"
#include "ipc/ipc_sock.h"

struct auth_client *
auth_client_new(const char *socket_path, int timeout_ms)
{
	struct auth_client *ac = xcalloc(1, sizeof(*ac));

	ac->path = xstrdup(socket_path);
	ac->timeout_ms = timeout_ms;
	ac->fd = -1;
	return ac;
}

static void
auth_client_disconnect(struct auth_client *ac)
{
	if (ac->fd >= 0)
		close(ac->fd);
	ac->fd = -1;
}

void
auth_client_free(struct auth_client **acp)
{
	if (*acp == NULL)
		return;
	auth_client_disconnect(*acp);
	free((*acp)->path);
	free(*acp);
	*acp = NULL;
}

static int
auth_client_connect(struct auth_client *ac, struct err *err)
{
	ac->fd = ipc_sock_connect(ac->path, ac->timeout_ms, err);
	if (ac->fd < 0)
		return -1;
	if (ipc_sock_hello_client(ac->fd, AUTH_SERVICE, AUTH_VERSION_MAJOR,
	        AUTH_VERSION_MINOR, ac->timeout_ms, err) != 0) {
		auth_client_disconnect(ac);
		return -1;
	}
	return 0;
}

void
auth_account_encode(const struct auth_account *acct, struct ipc_msg *out)
{
	ipc_msg_add_str(out, "status", AUTH_STATUS_OK);
	ipc_msg_add_str(out, "address", acct->address);
	ipc_msg_add_num(out, "mail_enabled", acct->mail_enabled ? 1 : 0);
	ipc_msg_add_str(out, "protocols", acct->protocols);
	ipc_msg_add_num(out, "quota", (long long)acct->quota);
	ipc_msg_add_str(out, "store", acct->store);
	ipc_msg_add_str(out, "forwards", acct->forwards);
	ipc_msg_add_num(out, "keep_copy", acct->keep_copy ? 1 : 0);
	ipc_msg_add_str(out, "sieve_script", acct->sieve_script);
}

/* A required string attribute, copied into arena. */
static int
auth_account_str(struct ipc_reader *rd, const char *name, const char **out,
    struct arena *arena, struct err *err)
{
	const char *v;

	if (ipc_get_str(rd, name, true, &v, err) < 0)
		return -1;
	*out = arena_strdup(arena, v);
	return 0;
}

int
auth_account_decode(struct ipc_reader *rd, struct auth_account *out,
    struct arena *arena, struct err *err)
{
	long long enabled, quota, keep;

	memset(out, 0, sizeof(*out));
	if (auth_account_str(rd, "address", &out->address, arena, err) < 0 ||
	    ipc_get_num(rd, "mail_enabled", true, 0, 1, &enabled, err) < 0 ||
	    auth_account_str(rd, "protocols", &out->protocols, arena, err) <
	        0 ||
	    ipc_get_num(rd, "quota", true, 0, LLONG_MAX, &quota, err) < 0 ||
	    auth_account_str(rd, "store", &out->store, arena, err) < 0 ||
	    auth_account_str(rd, "forwards", &out->forwards, arena, err) < 0 ||
	    ipc_get_num(rd, "keep_copy", true, 0, 1, &keep, err) < 0 ||
	    auth_account_str(
	        rd, "sieve_script", &out->sieve_script, arena, err) < 0 ||
	    ipc_reader_done(rd, err) < 0) {
		err->kind = ERR_TEMP;
		err_prefix(err, "bad reply from authd");
		return -1;
	}
	out->mail_enabled = enabled != 0;
	out->quota = (uint64_t)quota;
	out->keep_copy = keep != 0;
	return 0;
}

/* Interpret one reply frame: 1, 0 or -1 as auth_client_lookup. */
static int
auth_client_reply(struct ipc_reader *rd, struct auth_account *out,
    struct arena *arena, struct err *err)
{
	const char *status, *reason = NULL;

	if (ipc_get_str(rd, "status", true, &status, err) < 0 ||
	    ipc_get_str(rd, "reason", false, &reason, err) < 0) {
		err->kind = ERR_TEMP;
		return -1;
	}
	if (strcmp(status, AUTH_STATUS_OK) == 0)
		return auth_account_decode(rd, out, arena, err) < 0 ? -1 : 1;
	if (strcmp(status, AUTH_STATUS_NOTFOUND) == 0)
		return ipc_reader_done(rd, err) < 0 ? -1 : 0;
	return err_set(err, ERR_TEMP, "4.3.0", "authd: %s: %s", status,
	    reason != NULL ? reason : "no reason given");
}

/* One request/reply on the current connection; *io_failed on I/O. */
static int
auth_client_exchange(struct auth_client *ac, const struct ipc_msg *msg,
    struct ipc_reader *rd, bool *io_failed, struct err *err)
{
	*io_failed = false;
	if (ipc_sock_send(ac->fd, msg, ac->timeout_ms, err) != 0 ||
	    ipc_sock_recv(
	        ac->fd, rd, AUTH_CLIENT_REPLY_MAX, ac->timeout_ms, err) != 0) {
		*io_failed = true;
		return -1;
	}
	return 0;
}

int
auth_client_call(struct auth_client *ac, const struct ipc_msg *msg,
    bool retry, struct ipc_reader *rd, struct err *err)
{
	bool fresh, io_failed;
	int attempt, rc = -1;

	/* A kept connection may have been closed by authd meanwhile
	 * (idle time-out, restart): one fresh attempt, never more. */
	for (attempt = 0; attempt < 2; attempt++) {
		fresh = ac->fd < 0;
		if (fresh && auth_client_connect(ac, err) != 0)
			break;
		rc = auth_client_exchange(ac, msg, rd, &io_failed, err);
		if (!io_failed)
			break;
		auth_client_disconnect(ac);
		if (fresh || !retry)
			break;
	}
	if (rc < 0) {
		err->kind = ERR_TEMP;
		if (err->dsn[0] != '4')
			snprintf(err->dsn, sizeof(err->dsn), "4.3.0");
	}
	return rc;
}

int
auth_client_lookup(struct auth_client *ac, const char *address,
    struct auth_account *out, struct arena *arena, struct err *err)
{
	struct ipc_msg msg;
	struct ipc_reader rd;
	int rc;

	ipc_msg_init(&msg);
	ipc_reader_init(&rd);
	ipc_msg_add_str(&msg, "req", AUTH_REQ_LOOKUP);
	ipc_msg_add_str(&msg, "address", address);
	ipc_msg_finish(&msg);
	rc = auth_client_call(ac, &msg, true, &rd, err);
	if (rc == 0)
		rc = auth_client_reply(&rd, out, arena, err);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&msg);
	if (rc < 0) {
		err->kind = ERR_TEMP;
		if (err->dsn[0] != '4')
			snprintf(err->dsn, sizeof(err->dsn), "4.3.0");
	}
	return rc;
}
