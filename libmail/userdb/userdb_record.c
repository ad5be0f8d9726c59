/* SPDX-License-Identifier: MIT */
/*
 * The on-disk form of a user record: one IPC attribute frame whose first
 * attribute is the format version, then named fields; lists are a count
 * plus numbered attributes. Decoding treats the bytes as untrusted (a
 * damaged or hand-edited database must fail cleanly) and is pure.
 */
#include "userdb/userdb.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "ipc/ipc_msg.h"

#define USERDB_RECORD_MAX IPC_FRAME_MAX_DEFAULT

/* "alias_255": the names stay far below IPC_NAME_MAX. */
static void
userdb_record_item_name(char *name, size_t size, const char *item, size_t i)
{
	int len = snprintf(name, size, "%s_%zu", item, i);

	if (len < 0 || (size_t)len >= size)
		PANIC("%s: attribute name %s_%zu too long", __func__, item, i);
}

static void
userdb_record_add_list(struct ipc_msg *msg, const char *count_name,
    const char *item, const char *const *list, size_t n)
{
	char name[IPC_NAME_MAX + 1];
	size_t i;

	ipc_msg_add_num(msg, count_name, (long long)n);
	for (i = 0; i < n; i++) {
		userdb_record_item_name(name, sizeof(name), item, i);
		ipc_msg_add_str(msg, name, list[i]);
	}
}

void
userdb_record_encode(const struct userdb_user *u, struct buf *out)
{
	struct ipc_msg msg;
	struct buf text;

	ipc_msg_init(&msg);
	buf_init(&text);
	userdb_user_protocols_format(u->protocols, &text);
	ipc_msg_add_num(&msg, "userdb_format", USERDB_FORMAT_VERSION);
	ipc_msg_add_str(&msg, "address", u->address);
	ipc_msg_add_str(&msg, "password", u->password_hash);
	ipc_msg_add_num(&msg, "mail_enabled", u->mail_enabled);
	ipc_msg_add_str(&msg, "protocols", text.data);
	ipc_msg_add_num(&msg, "quota", u->quota);
	ipc_msg_add_str(&msg, "store", u->store);
	ipc_msg_add_num(&msg, "keep_copy", u->keep_copy);
	ipc_msg_add_str(&msg, "sieve_script", u->sieve_script);
	ipc_msg_add_str(&msg, "secret", u->secret);
	userdb_secret_for_format(u->secret_for, &text);
	ipc_msg_add_str(&msg, "secret_for", text.data);
	userdb_record_add_list(
	    &msg, "aliases", "alias", u->aliases, u->naliases);
	userdb_record_add_list(
	    &msg, "forwards", "forward", u->forwards, u->nforwards);
	ipc_msg_finish(&msg);
	buf_append(out, msg.buf.data, msg.buf.len);
	/* The frame holds the hash and the secret. */
	explicit_bzero(msg.buf.data, msg.buf.len);
	ipc_msg_deinit(&msg);
	buf_deinit(&text);
}

/*
 * A text field: no embedded NUL, at most max bytes, copied into arena.
 * An absent optional field leaves *out unchanged (the default).
 */
static int
userdb_record_get_str(struct ipc_reader *rd, const char *name, bool required,
    size_t max, struct arena *arena, const char **out, struct err *err)
{
	const char *value;
	size_t len;
	int rc;

	rc = ipc_get_bytes(rd, name, required, &value, &len, err);
	if (rc <= 0)
		return rc;
	if (len > max || memchr(value, '\0', len) != NULL)
		return err_set(
		    err, ERR_PERM, "5.3.0", "malformed attribute %s", name);
	*out = arena_strndup(arena, value, len);
	return 1;
}

static int
userdb_record_get_bool(
    struct ipc_reader *rd, const char *name, bool *out, struct err *err)
{
	long long v;
	int rc;

	rc = ipc_get_num(rd, name, false, 0, 1, &v, err);
	if (rc == 1)
		*out = v != 0;
	return rc;
}

static int
userdb_record_get_list(struct ipc_reader *rd, const char *count_name,
    const char *item, struct arena *arena, const char ***list_out,
    size_t *n_out, struct err *err)
{
	char name[IPC_NAME_MAX + 1];
	const char **list;
	long long n;
	size_t i;
	int rc;

	rc = ipc_get_num(rd, count_name, false, 0, USERDB_LIST_MAX, &n, err);
	if (rc <= 0)
		return rc;
	list = arena_alloc(arena, ((size_t)n + 1) * sizeof(*list));
	for (i = 0; i < (size_t)n; i++) {
		userdb_record_item_name(name, sizeof(name), item, i);
		if (userdb_record_get_str(rd, name, true, USERDB_ADDRESS_MAX,
		        arena, &list[i], err) < 0)
			return -1;
	}
	*list_out = list;
	*n_out = (size_t)n;
	return 1;
}

static int
userdb_record_get_fields(struct ipc_reader *rd, struct arena *arena,
    struct userdb_user *u, struct err *err)
{
	const char *protos = NULL, *secret_for = NULL;

	if (userdb_record_get_str(rd, "address", true, USERDB_ADDRESS_MAX,
	        arena, &u->address, err) < 0 ||
	    userdb_record_get_str(rd, "password", false, USERDB_FIELD_MAX,
	        arena, &u->password_hash, err) < 0 ||
	    userdb_record_get_bool(rd, "mail_enabled", &u->mail_enabled, err) <
	        0 ||
	    userdb_record_get_str(
	        rd, "protocols", false, 256, arena, &protos, err) < 0 ||
	    ipc_get_num(rd, "quota", false, 0, LLONG_MAX, &u->quota, err) < 0 ||
	    userdb_record_get_str(rd, "store", false, USERDB_FIELD_MAX, arena,
	        &u->store, err) < 0 ||
	    userdb_record_get_bool(rd, "keep_copy", &u->keep_copy, err) < 0 ||
	    userdb_record_get_str(rd, "sieve_script", false, 255, arena,
	        &u->sieve_script, err) < 0 ||
	    userdb_record_get_str(rd, "secret", false, USERDB_FIELD_MAX, arena,
	        &u->secret, err) < 0 ||
	    userdb_record_get_str(
	        rd, "secret_for", false, 256, arena, &secret_for, err) < 0 ||
	    userdb_record_get_list(rd, "aliases", "alias", arena, &u->aliases,
	        &u->naliases, err) < 0 ||
	    userdb_record_get_list(rd, "forwards", "forward", arena,
	        &u->forwards, &u->nforwards, err) < 0)
		return -1;
	if (protos != NULL &&
	    userdb_user_protocols_parse(protos, &u->protocols, err) < 0)
		return -1;
	if (secret_for != NULL &&
	    userdb_secret_for_parse(secret_for, &u->secret_for, err) < 0)
		return -1;
	return 0;
}

static int
userdb_record_decode_frame(struct ipc_reader *rd, const unsigned char *data,
    size_t len, struct arena *arena, struct userdb_user *u, struct err *err)
{
	long long body, version;

	if (len < 4)
		return err_set(err, ERR_PERM, "5.3.0", "truncated record");
	body = ipc_frame_complete(data, len, USERDB_RECORD_MAX, err);
	if (body < 0)
		return -1;
	if (body == 0 || (size_t)body != len - 4)
		return err_set(err, ERR_PERM, "5.3.0",
		    "record length does not match its frame");
	if (ipc_reader_decode(rd, data + 4, len - 4, err) < 0)
		return -1;
	/* The version comes first, so any future layout can be told apart. */
	if (rd->nattrs == 0 || strcmp(rd->attrs[0].name, "userdb_format") != 0)
		return err_set(err, ERR_PERM, "5.3.0",
		    "record does not start with its format version");
	if (ipc_get_num(
	        rd, "userdb_format", true, 1, LLONG_MAX, &version, err) < 0)
		return -1;
	if (version > USERDB_FORMAT_VERSION)
		return err_set(err, ERR_PERM, "5.3.0",
		    "record format %lld is newer than this program (%d)",
		    version, USERDB_FORMAT_VERSION);
	userdb_user_init(u, "");
	if (userdb_record_get_fields(rd, arena, u, err) < 0 ||
	    ipc_reader_done(rd, err) < 0)
		return -1;
	/* What was stored must have been valid; anything else is damage. */
	return userdb_user_check(u, err);
}

int
userdb_record_decode(const void *data, size_t len, struct arena *arena,
    struct userdb_user *user_out, struct err *err)
{
	struct ipc_reader rd;
	int rc;

	ipc_reader_init(&rd);
	rc = userdb_record_decode_frame(&rd, data, len, arena, user_out, err);
	/* The reader's copies include the hash and the secret. */
	if (rd.store.data != NULL)
		explicit_bzero(rd.store.data, rd.store.len);
	ipc_reader_deinit(&rd);
	if (rc < 0)
		err_prefix(err, "user record");
	return rc;
}
