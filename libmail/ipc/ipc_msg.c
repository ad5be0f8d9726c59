/* SPDX-License-Identifier: MIT */
/*
 * The IPC attribute codec. Wire layout of a frame:
 *   u32 body length (big-endian), then per attribute:
 *   u8 name length (1..IPC_NAME_MAX), name bytes [a-z0-9_],
 *   u32 value length (big-endian), value bytes (any octets).
 * Decoding is pure and treats its input as hostile: every length is
 * checked against the bytes actually present before it is used, so a
 * lying length can never make us read past the body or allocate more
 * than the body's own size.
 */
#include "ipc/ipc_msg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/byteorder.h"
#include "core/log.h"
#include "core/xmalloc.h"

#define IPC_LEN_BYTES 4
/* Smallest attribute: one-byte name length, one name byte, value length. */
#define IPC_ATTR_MIN (1 + 1 + IPC_LEN_BYTES)

static bool
ipc_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > IPC_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		        c == '_'))
			return false;
	}
	return true;
}

/* ---- building ---- */

void
ipc_msg_init(struct ipc_msg *msg)
{
	buf_init(&msg->buf);
	ipc_msg_reset(msg);
}

void
ipc_msg_deinit(struct ipc_msg *msg)
{
	buf_deinit(&msg->buf);
}

void
ipc_msg_reset(struct ipc_msg *msg)
{
	static const char zero[IPC_LEN_BYTES];

	buf_reset(&msg->buf);
	buf_append(&msg->buf, zero, sizeof(zero));
}

void
ipc_msg_add(
    struct ipc_msg *msg, const char *name, const void *value, size_t len)
{
	size_t nlen = strlen(name);
	char hdr[IPC_LEN_BYTES];

	/* Names are compile-time constants in our code: a bad one is a bug. */
	if (!ipc_name_valid(name, nlen))
		PANIC("%s: bad attribute name \"%s\"", __func__, name);
	if (len > UINT32_MAX)
		PANIC("%s: value of %s too long", __func__, name);
	buf_putc(&msg->buf, (char)nlen);
	buf_append(&msg->buf, name, nlen);
	byteorder_put_be32(hdr, (uint32_t)len);
	buf_append(&msg->buf, hdr, sizeof(hdr));
	buf_append(&msg->buf, value, len);
}

void
ipc_msg_add_str(struct ipc_msg *msg, const char *name, const char *value)
{
	ipc_msg_add(msg, name, value, strlen(value));
}

void
ipc_msg_add_num(struct ipc_msg *msg, const char *name, long long value)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%lld", value);

	if (n < 0 || (size_t)n >= sizeof(text))
		PANIC("%s: number formatting failed", __func__);
	ipc_msg_add(msg, name, text, (size_t)n);
}

void
ipc_msg_finish(struct ipc_msg *msg)
{
	size_t body = msg->buf.len - IPC_LEN_BYTES;

	if (body > UINT32_MAX)
		PANIC("%s: message too long", __func__);
	byteorder_put_be32(msg->buf.data, (uint32_t)body);
}

/* ---- reading ---- */

void
ipc_reader_init(struct ipc_reader *rd)
{
	rd->attrs = NULL;
	rd->nattrs = 0;
	buf_init(&rd->store);
}

void
ipc_reader_deinit(struct ipc_reader *rd)
{
	free(rd->attrs);
	rd->attrs = NULL;
	rd->nattrs = 0;
	buf_deinit(&rd->store);
}

/*
 * Walk the body once, checking every length against what is left.
 * Returns the attribute count, or -1 with err filled.
 */
static long long
ipc_reader_scan(const unsigned char *p, size_t len, struct err *err)
{
	size_t off = 0;
	long long n = 0;

	while (off < len) {
		size_t nlen, vlen;

		nlen = p[off];
		if (len - off < 1 + nlen + IPC_LEN_BYTES)
			return err_set(err, ERR_PERM, "5.5.0",
			    "truncated attribute at offset %zu", off);
		if (!ipc_name_valid((const char *)p + off + 1, nlen))
			return err_set(err, ERR_PERM, "5.5.0",
			    "bad attribute name at offset %zu", off);
		off += 1 + nlen;
		vlen = byteorder_get_be32(p + off);
		off += IPC_LEN_BYTES;
		if (vlen > len - off)
			return err_set(err, ERR_PERM, "5.5.0",
			    "attribute value longer than the frame");
		off += vlen;
		n++;
	}
	if (n == 0)
		return err_set(err, ERR_PERM, "5.5.0", "empty message");
	return n;
}

static int
ipc_attr_cmp(const void *a, const void *b)
{
	const struct ipc_attr *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Sorting keeps duplicate detection O(n log n) on hostile input. */
static int
ipc_reader_check_dups(struct ipc_reader *rd, struct err *err)
{
	const struct ipc_attr **sorted;
	size_t i;
	int rc = 0;

	if (rd->nattrs < 2)
		return 0;
	sorted = xreallocarray(NULL, rd->nattrs, sizeof(*sorted));
	for (i = 0; i < rd->nattrs; i++)
		sorted[i] = &rd->attrs[i];
	qsort(sorted, rd->nattrs, sizeof(*sorted), ipc_attr_cmp);
	for (i = 1; i < rd->nattrs && rc == 0; i++)
		if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0)
			rc = err_set(err, ERR_PERM, "5.5.0",
			    "duplicate attribute %s", sorted[i]->name);
	free(sorted);
	return rc;
}

int
ipc_reader_decode(
    struct ipc_reader *rd, const void *body, size_t len, struct err *err)
{
	const unsigned char *p = body;
	long long n;
	size_t off = 0, i, *offs;

	free(rd->attrs);
	rd->attrs = NULL;
	rd->nattrs = 0;
	buf_reset(&rd->store);
	if ((n = ipc_reader_scan(p, len, err)) < 0)
		return -1;
	/* n <= len / IPC_ATTR_MIN: bounded by the bytes we really hold. */
	rd->attrs = xcalloc((size_t)n, sizeof(*rd->attrs));
	offs = xcalloc((size_t)n * 2, sizeof(*offs));
	/* Each attribute stores name+NUL and value+NUL: no more than len. */
	buf_reserve(&rd->store, len);
	for (i = 0; i < (size_t)n; i++) {
		size_t nlen = p[off], vlen;

		offs[2 * i] = rd->store.len;
		buf_append(&rd->store, p + off + 1, nlen);
		buf_putc(&rd->store, '\0');
		off += 1 + nlen;
		vlen = byteorder_get_be32(p + off);
		off += IPC_LEN_BYTES;
		offs[2 * i + 1] = rd->store.len;
		buf_append(&rd->store, p + off, vlen);
		buf_putc(&rd->store, '\0');
		rd->attrs[i].len = vlen;
		off += vlen;
	}
	/* Pointers only now: the store no longer moves. */
	for (i = 0; i < (size_t)n; i++) {
		rd->attrs[i].name = rd->store.data + offs[2 * i];
		rd->attrs[i].value = rd->store.data + offs[2 * i + 1];
		rd->attrs[i].used = false;
	}
	free(offs);
	rd->nattrs = (size_t)n;
	if (ipc_reader_check_dups(rd, err) != 0) {
		ipc_reader_deinit(rd);
		ipc_reader_init(rd);
		return -1;
	}
	return 0;
}

static struct ipc_attr *
ipc_reader_find(struct ipc_reader *rd, const char *name)
{
	size_t i;

	for (i = 0; i < rd->nattrs; i++)
		if (strcmp(rd->attrs[i].name, name) == 0)
			return &rd->attrs[i];
	return NULL;
}

int
ipc_get_bytes(struct ipc_reader *rd, const char *name, bool required,
    const char **value_out, size_t *len_out, struct err *err)
{
	struct ipc_attr *a = ipc_reader_find(rd, name);

	if (a == NULL) {
		if (required)
			return err_set(err, ERR_PERM, "5.5.0",
			    "missing attribute %s", name);
		return 0;
	}
	a->used = true;
	*value_out = a->value;
	if (len_out != NULL)
		*len_out = a->len;
	return 1;
}

int
ipc_get_str(struct ipc_reader *rd, const char *name, bool required,
    const char **value_out, struct err *err)
{
	const char *v;
	size_t len;
	int rc = ipc_get_bytes(rd, name, required, &v, &len, err);

	if (rc != 1)
		return rc;
	/* A NUL inside a string would let "a\0b" pass as "a". */
	if (memchr(v, '\0', len) != NULL)
		return err_set(err, ERR_PERM, "5.5.0",
		    "attribute %s contains a NUL byte", name);
	*value_out = v;
	return 1;
}

int
ipc_get_num(struct ipc_reader *rd, const char *name, bool required,
    long long min, long long max, long long *value_out, struct err *err)
{
	const char *v, *p;
	long long n;
	char *end;
	int rc = ipc_get_str(rd, name, required, &v, err);

	if (rc != 1)
		return rc;
	/* Strict decimal: no spaces, no '+', no hex, no empty value. */
	p = *v == '-' ? v + 1 : v;
	if (*p < '0' || *p > '9')
		return err_set(err, ERR_PERM, "5.5.0",
		    "attribute %s is not a number", name);
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end != '\0')
		return err_set(err, ERR_PERM, "5.5.0",
		    "attribute %s is not a number", name);
	if (errno == ERANGE || n < min || n > max)
		return err_set(
		    err, ERR_PERM, "5.5.0", "attribute %s out of range", name);
	*value_out = n;
	return 1;
}

int
ipc_reader_done(struct ipc_reader *rd, struct err *err)
{
	if (rd->nattrs == 0)
		return err_set(err, ERR_PERM, "5.5.0", "empty message");
	if (!rd->attrs[0].used)
		return err_set(err, ERR_PERM, "5.5.0",
		    "first attribute %s was not read", rd->attrs[0].name);
	return 0;
}

long long
ipc_frame_complete(const void *in, size_t len, size_t max, struct err *err)
{
	uint32_t body;

	if (len < IPC_LEN_BYTES)
		return 0;
	body = byteorder_get_be32(in);
	if (body > max)
		return err_set(err, ERR_PERM, "5.3.4",
		    "frame of %lu bytes exceeds the limit of %zu",
		    (unsigned long)body, max);
	if (body == 0)
		return err_set(err, ERR_PERM, "5.5.0", "empty frame");
	if (len - IPC_LEN_BYTES < body)
		return 0;
	return (long long)body;
}
