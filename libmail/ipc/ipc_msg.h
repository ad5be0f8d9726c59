/* SPDX-License-Identifier: MIT */
/*
 * The IPC attribute codec (DESIGN.md section 8, STYLE.md section 7).
 * A frame is a 4-byte big-endian length, then attributes; each attribute
 * is a name ([a-z0-9_], at most IPC_NAME_MAX bytes) and a value, both
 * length-prefixed, so values are binary-safe. Numbers travel as decimal
 * text. A request's first attribute is req=<verb>; a reply's is
 * status=<code>. The same encoding serves on-disk records (user records,
 * queue envelope records) so no raw struct ever reaches a socket or disk.
 */
#ifndef IPC_IPC_MSG_H
#define IPC_IPC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define IPC_NAME_MAX 32
#define IPC_FRAME_MAX_DEFAULT (1024 * 1024)

/* Building a message: attributes appended to a buf, framed on finish. */
struct ipc_msg {
	struct buf buf; /* length prefix placeholder + attributes */
};

/*
 * Names are constants in our code, so a bad name is a bug (PANIC), not
 * an error. ipc_msg_reset empties the message for reuse.
 */
void ipc_msg_init(struct ipc_msg *msg);
void ipc_msg_deinit(struct ipc_msg *msg);
void ipc_msg_reset(struct ipc_msg *msg);
void ipc_msg_add(
    struct ipc_msg *msg, const char *name, const void *value, size_t len);
void ipc_msg_add_str(struct ipc_msg *msg, const char *name, const char *value);
void ipc_msg_add_num(struct ipc_msg *msg, const char *name, long long value);
/* Fill in the length prefix; the frame is msg->buf.data, msg->buf.len. */
void ipc_msg_finish(struct ipc_msg *msg);

/* Reading: a decoded frame, attributes pointing into the frame's bytes. */
struct ipc_attr {
	const char *name; /* NUL-terminated copies inside the reader */
	const char *value; /* NUL-terminated; len excludes the NUL */
	size_t len;
	bool used;
};

struct ipc_reader {
	struct ipc_attr *attrs;
	size_t nattrs;
	struct buf store; /* names and values, NUL-terminated */
};

void ipc_reader_init(struct ipc_reader *rd);
void ipc_reader_deinit(struct ipc_reader *rd);
/*
 * Decode one frame body (without the 4-byte prefix). Fails on truncated
 * or malformed attributes, bad names, duplicates, and an empty body.
 * Pure; memory used is bounded by len. 0 or -1 (ERR_PERM).
 */
int ipc_reader_decode(
    struct ipc_reader *rd, const void *body, size_t len, struct err *err);
/*
 * Fetch an attribute by name. Returns 1 and sets *value_out (borrowed
 * until the next decode), 0 when absent and optional; when absent and
 * required, fills err and returns -1. ipc_get_str also fails (-1) on a
 * value with an embedded NUL; ipc_get_bytes accepts any bytes.
 */
int ipc_get_str(struct ipc_reader *rd, const char *name, bool required,
    const char **value_out, struct err *err);
int ipc_get_bytes(struct ipc_reader *rd, const char *name, bool required,
    const char **value_out, size_t *len_out, struct err *err);
/* A decimal number within [min, max]. Same returns as ipc_get_str. */
int ipc_get_num(struct ipc_reader *rd, const char *name, bool required,
    long long min, long long max, long long *value_out, struct err *err);
/*
 * After reading: unknown attributes are ignored (forward compatibility),
 * but the first attribute (req/status) must have been read. 0 or -1.
 */
int ipc_reader_done(struct ipc_reader *rd, struct err *err);

/*
 * Split a 4-byte prefix off a stream buffer: returns the body length
 * when in[0..len) holds a whole frame, 0 when more bytes are needed,
 * -1 when the announced length exceeds max or is zero (err filled).
 */
long long ipc_frame_complete(
    const void *in, size_t len, size_t max, struct err *err);

#endif
