/* SPDX-License-Identifier: MIT */
/*
 * authd's requests: the version handshake every connection opens with
 * (as ipc_sock_hello_server answers it, but without blocking the event
 * loop), then req=lookup here and the logins (authd_login.c). Input is a decoded frame from a hostile peer:
 * every attribute is checked before use, and anything unexpected gets
 * status=error with a reason while the connection stays usable.
 */
#include "authd.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "userdb/userdb.h"

#define AUTHD_HELLO "hello"

void
authd_req_refuse(const char *reason, struct ipc_msg *reply)
{
	ipc_msg_add_str(reply, "status", AUTH_STATUS_ERROR);
	ipc_msg_add_str(reply, "reason", reason);
}

/* "1.0" -> 1; -1 unless the text is <digits>.<digits>. */
static long
authd_req_major(const char *v)
{
	const char *p = v;
	long major = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((major = major * 10 + (*p - '0')) > 1000000)
			return -1;
	if (*p++ != '.' || *p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0' ? major : -1;
}

/* The handshake; false when the client must be dropped. */
static bool
authd_req_hello(struct ipc_reader *rd, bool *hello_done, struct ipc_msg *reply)
{
	const char *verb, *service, *version;
	struct err err;

	if (ipc_get_str(rd, "req", true, &verb, &err) < 0 ||
	    strcmp(verb, AUTHD_HELLO) != 0) {
		authd_req_refuse("expected hello", reply);
		return false;
	}
	if (ipc_get_str(rd, "service", true, &service, &err) < 0 ||
	    ipc_get_str(rd, "version", true, &version, &err) < 0 ||
	    ipc_reader_done(rd, &err) < 0) {
		authd_req_refuse(err.text, reply);
		return false;
	}
	if (strcmp(service, AUTH_SERVICE) != 0) {
		ipc_msg_add_str(reply, "status", "fail");
		ipc_msg_add_str(reply, "reason", "wrong service");
		return false;
	}
	if (authd_req_major(version) != AUTH_VERSION_MAJOR) {
		ipc_msg_add_str(reply, "status", "fail");
		ipc_msg_add_str(reply, "reason", "protocol version mismatch");
		return false;
	}
	ipc_msg_add_str(reply, "status", "ok");
	*hello_done = true;
	return true;
}

/*
 * An address worth a database lookup: bounded, printable, no space.
 * Anything else is refused before it reaches LMDB or a log line.
 */
static bool
authd_req_address_ok(const char *addr, size_t len)
{
	size_t i;

	if (len == 0 || len > USERDB_ADDRESS_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)addr[i];

		if (ch <= ' ' || ch == 0x7f)
			return false;
	}
	return true;
}

static void
authd_req_lookup(struct authd *ad, struct ipc_reader *rd, struct ipc_msg *reply)
{
	struct auth_account acct;
	struct arena *arena;
	const char *addr;
	size_t len;
	struct err err;
	char shown[80];
	int rc;

	if (ipc_get_bytes(rd, "address", true, &addr, &len, &err) < 0 ||
	    ipc_reader_done(rd, &err) < 0) {
		authd_req_refuse(err.text, reply);
		return;
	}
	if (memchr(addr, '\0', len) != NULL ||
	    !authd_req_address_ok(addr, len)) {
		log_warning("lookup refused: bad address \"%s\"",
		    log_escape(addr, len, 64, shown, sizeof(shown)));
		authd_req_refuse("bad address", reply);
		return;
	}
	arena = arena_new();
	rc = authd_db_lookup(ad, addr, &acct, arena, &err);
	if (rc > 0)
		auth_account_encode(&acct, reply);
	else if (rc == 0)
		ipc_msg_add_str(reply, "status", AUTH_STATUS_NOTFOUND);
	else {
		log_warning("lookup %s: %s",
		    log_escape(addr, len, 64, shown, sizeof(shown)), err.text);
		ipc_msg_add_str(reply, "status", AUTH_STATUS_TEMPFAIL);
		ipc_msg_add_str(reply, "reason", err.text);
	}
	arena_free(&arena);
}

bool
authd_req_handle(struct authd *ad, struct ipc_reader *rd, bool *hello_done,
    struct authd_logins *logins, struct ipc_msg *reply)
{
	const char *verb;
	struct err err;
	char shown[40];

	if (!*hello_done)
		return authd_req_hello(rd, hello_done, reply);
	if (ipc_get_str(rd, "req", true, &verb, &err) < 0) {
		authd_req_refuse(err.text, reply);
		return true;
	}
	if (strcmp(verb, AUTH_REQ_LOOKUP) == 0)
		authd_req_lookup(ad, rd, reply);
	else if (!authd_login_handle(ad, logins, verb, rd, reply)) {
		log_warning("unknown request \"%s\"",
		    log_escape(verb, strlen(verb), 16, shown, sizeof(shown)));
		authd_req_refuse("unknown request", reply);
	}
	return true;
}
