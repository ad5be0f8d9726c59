/* SPDX-License-Identifier: MIT */
/*
 * The wire form of logins (ipc/auth_login.c): context and reply round
 * trips for every status, and replies a hostile or broken authd could
 * send -- missing fields, unknown status, an oversize or unprintable
 * challenge, a delay out of range, status=error -- which must all decode
 * as a temporary failure.
 */
#include "ipc/auth_client.h"

#include <string.h>

#include "core/xmalloc.h"
#include "t.h"

/* Decode msg's frame into rd. */
static int
t_frame(struct ipc_msg *msg, struct ipc_reader *rd)
{
	struct err err;

	ipc_msg_finish(msg);
	return ipc_reader_decode(rd, msg->buf.data + 4, msg->buf.len - 4, &err);
}

static void
t_ctx_roundtrip(void)
{
	static const struct auth_login_ctx in = {
	    .service = "imap", .client_addr = "2001:db8::1", .tls = true};
	struct auth_login_ctx got;
	struct arena *a = arena_new();
	struct ipc_reader rd;
	struct ipc_msg msg;
	struct err err;

	ipc_msg_init(&msg);
	ipc_reader_init(&rd);
	ipc_msg_add_str(&msg, "req", "password");
	auth_login_ctx_encode(&in, &msg);
	T_EQ_INT(t_frame(&msg, &rd), 0);
	T_EQ_INT(auth_login_ctx_decode(&rd, &got, a, &err), 0);
	T_EQ_STR(got.service, "imap");
	T_EQ_STR(got.client_addr, "2001:db8::1");
	T_CHECK(got.tls);
	/* A client address with a space is refused. */
	ipc_msg_reset(&msg);
	ipc_msg_add_str(&msg, "service", "imap");
	ipc_msg_add_str(&msg, "client_addr", "1.2.3.4 x");
	ipc_msg_add_num(&msg, "tls", 0);
	T_EQ_INT(t_frame(&msg, &rd), 0);
	T_EQ_INT(auth_login_ctx_decode(&rd, &got, a, &err), -1);
	/* tls out of range. */
	ipc_msg_reset(&msg);
	ipc_msg_add_str(&msg, "service", "imap");
	ipc_msg_add_str(&msg, "client_addr", "");
	ipc_msg_add_num(&msg, "tls", 2);
	T_EQ_INT(t_frame(&msg, &rd), 0);
	T_EQ_INT(auth_login_ctx_decode(&rd, &got, a, &err), -1);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&msg);
	arena_free(&a);
}

static void
t_reply_roundtrip(void)
{
	static const struct auth_login_reply cases[] = {
	    {.status = AUTH_LOGIN_CONTINUE, .id = "7", .challenge = "PDE+"},
	    {.status = AUTH_LOGIN_CONTINUE, .id = "8", .challenge = ""},
	    {.status = AUTH_LOGIN_OK, .user = "a@b.test", .delay_ms = 0},
	    {.status = AUTH_LOGIN_FAIL, .delay_ms = 2000},
	    {.status = AUTH_LOGIN_TEMPFAIL, .delay_ms = AUTH_DELAY_MAX_MS},
	};
	struct auth_login_reply got;
	struct arena *a = arena_new();
	struct ipc_reader rd;
	struct ipc_msg msg;
	struct err err;
	size_t i;

	ipc_msg_init(&msg);
	ipc_reader_init(&rd);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ipc_msg_reset(&msg);
		auth_login_reply_encode(&cases[i], &msg);
		T_EQ_INT(t_frame(&msg, &rd), 0);
		T_EQ_INT(auth_login_reply_decode(&rd, &got, a, &err), 0);
		T_EQ_INT(got.status, cases[i].status);
		T_EQ_INT(got.delay_ms, cases[i].delay_ms);
		if (cases[i].status == AUTH_LOGIN_CONTINUE) {
			T_EQ_STR(got.id, cases[i].id);
			T_EQ_STR(got.challenge, cases[i].challenge);
		}
		if (cases[i].status == AUTH_LOGIN_OK)
			T_EQ_STR(got.user, cases[i].user);
	}
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&msg);
	arena_free(&a);
}

/* One bad reply: attribute pairs, NULL-terminated. */
static void
t_reply_bad_one(const char *const *attrs)
{
	struct auth_login_reply got;
	struct arena *a = arena_new();
	struct ipc_reader rd;
	struct ipc_msg msg;
	struct err err;

	ipc_msg_init(&msg);
	ipc_reader_init(&rd);
	for (; attrs[0] != NULL; attrs += 2)
		ipc_msg_add_str(&msg, attrs[0], attrs[1]);
	T_EQ_INT(t_frame(&msg, &rd), 0);
	T_EQ_INT(auth_login_reply_decode(&rd, &got, a, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&msg);
	arena_free(&a);
}

static void
t_reply_bad(void)
{
	static const char *const no_id[] = {
	    "status", "continue", "challenge", "", NULL};
	static const char *const no_user[] = {"status", "ok", NULL};
	static const char *const unknown[] = {"status", "maybe", NULL};
	static const char *const refused[] = {
	    "status", "error", "reason", "unknown request", NULL};
	static const char *const delay[] = {
	    "status", "fail", "delay_ms", "600001", NULL};
	static const char *const neg[] = {
	    "status", "fail", "delay_ms", "-1", NULL};
	static const char *const spacey[] = {
	    "status", "continue", "id", "1", "challenge", "a b", NULL};
	static const char *const first[] = {"user", "x", NULL};
	const char *big_attrs[] = {
	    "status", "continue", "id", "1", "challenge", NULL, NULL};
	char *big = xcalloc(1, AUTH_SASL_B64_MAX + 2);

	t_reply_bad_one(no_id);
	t_reply_bad_one(no_user);
	t_reply_bad_one(unknown);
	t_reply_bad_one(refused);
	t_reply_bad_one(delay);
	t_reply_bad_one(neg);
	t_reply_bad_one(spacey);
	t_reply_bad_one(first);
	memset(big, 'A', AUTH_SASL_B64_MAX + 1);
	big_attrs[5] = big;
	t_reply_bad_one(big_attrs);
	free(big);
}

T_MAIN(T_CASE(t_ctx_roundtrip), T_CASE(t_reply_roundtrip),
    T_CASE(t_reply_bad))
