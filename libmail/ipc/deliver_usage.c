/* SPDX-License-Identifier: MIT */
/*
 * The usage question and its answer (deliver_usage.h). The agent's
 * answer is untrusted like any reply: a malformed one is a temporary
 * failure, never a number.
 */
#include "ipc/deliver_usage.h"

#include <string.h>
#include <unistd.h>

#include "ipc/deliver_proto.h"
#include "ipc/ipc_sock.h"

/* The answer is one short frame. */
#define DELIVER_USAGE_REPLY_MAX 4096

void
deliver_usage_reply(uint64_t used, struct ipc_msg *out)
{
	ipc_msg_add_str(out, "status", "ok");
	ipc_msg_add_num(out, "used", (long long)used);
	ipc_msg_finish(out);
}

static int
deliver_usage_read(struct ipc_reader *rd, uint64_t *used_out, struct err *err)
{
	const char *status, *reason;
	long long used;

	if (ipc_get_str(rd, "status", true, &status, err) < 0)
		return -1;
	if (strcmp(status, "ok") != 0) {
		if (ipc_get_str(rd, "reason", false, &reason, err) != 1)
			reason = status;
		return err_set(err, ERR_TEMP, "4.3.0", "%s", reason);
	}
	if (ipc_get_num(rd, "used", true, 0, INT64_MAX, &used, err) < 0 ||
	    ipc_reader_done(rd, err) < 0)
		return -1;
	*used_out = (uint64_t)used;
	return 0;
}

int
deliver_usage_query(const char *socket_path, const char *address,
    int timeout_ms, uint64_t *used_out, struct err *err)
{
	struct ipc_reader rd;
	struct ipc_msg req;
	int fd, rc;

	if ((fd = ipc_sock_connect(socket_path, timeout_ms, err)) < 0)
		return -1;
	ipc_msg_init(&req);
	ipc_msg_add_str(&req, "req", DELIVER_USAGE_VERB);
	ipc_msg_add_str(&req, "address", address);
	ipc_msg_finish(&req);
	ipc_reader_init(&rd);
	rc = ipc_sock_hello_client(fd, DELIVER_SERVICE, DELIVER_VERSION_MAJOR,
	    DELIVER_VERSION_MINOR, timeout_ms, err);
	if (rc == 0)
		rc = ipc_sock_send(fd, &req, timeout_ms, err);
	if (rc == 0)
		rc = ipc_sock_recv(fd, &rd, DELIVER_USAGE_REPLY_MAX, timeout_ms,
		    err);
	if (rc == 0)
		rc = deliver_usage_read(&rd, used_out, err);
	if (rc != 0) {
		err->kind = ERR_TEMP;
		err_prefix(err, "mailbox usage from %s", socket_path);
	}
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&req);
	close(fd);
	return rc;
}
