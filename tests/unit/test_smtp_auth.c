/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/smtp/smtp_auth: the SMTP AUTH state machine. */
#include "smtp/smtp_auth.h"

#include <string.h>

#include "t.h"

static const struct smtp_auth_ctx ctx_ok = {
    .enabled = true,
    .esmtp = true,
    .mechs = "PLAIN LOGIN",
};

/* Parse an AUTH line and begin; the arena holds the command. */
static void
begin(struct smtp_auth *a, const struct smtp_auth_ctx *ctx, const char *line,
    struct smtp_auth_next *next, struct arena *arena)
{
	struct smtp_cmd_limits lim = {.line_max = 2048, .path_max = 258};
	struct smtp_cmd cmd;

	memset(a, 0, sizeof(*a));
	if (!T_EQ_INT(
	        smtp_cmd_parse(line, strlen(line), &lim, &cmd, arena, NULL), 0))
		return;
	smtp_auth_begin(a, ctx, &cmd, next);
}

static void
auth_base64(void)
{
	static const struct {
		const char *in;
		bool ok;
	} cases[] = {
	    {"", true},
	    {"AGFsaWNlAHNlY3JldA==", true},
	    {"YWJj", true},
	    {"YWI=", true},
	    {"YQ==", true},
	    {"YQ=", false},
	    {"Y===", false},
	    {"YQ==YWJj", false},
	    {"Y=Jj", false},
	    {"YW J", false},
	    {"YWJ*", false},
	    {"=", false},
	    {"====", false},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!T_EQ_INT(
		        smtp_auth_is_base64(cases[i].in, strlen(cases[i].in)),
		        cases[i].ok))
			fprintf(stderr, "  case \"%s\"\n", cases[i].in);
	T_CHECK(!smtp_auth_is_base64("YW\0j", 4));
}

static void
auth_mech_list(void)
{
	T_CHECK(smtp_auth_mech_listed("PLAIN LOGIN", "LOGIN"));
	T_CHECK(smtp_auth_mech_listed(" PLAIN  LOGIN ", "plain"));
	T_CHECK(!smtp_auth_mech_listed("PLAIN LOGIN", "LOG"));
	T_CHECK(!smtp_auth_mech_listed("CRAM-MD5", "CRAM"));
	T_CHECK(!smtp_auth_mech_listed("", "PLAIN"));
	T_CHECK(!smtp_auth_mech_listed(NULL, "PLAIN"));
}

static void
auth_refusals(void)
{
	static const struct {
		struct smtp_auth_ctx ctx;
		const char *line;
		int code;
		const char *dsn;
	} cases[] = {
	    {{.esmtp = true, .mechs = "PLAIN"}, "AUTH PLAIN", 503, "5.5.1"},
	    {{.enabled = true, .mechs = "PLAIN"}, "AUTH PLAIN", 503, "5.5.1"},
	    {{.enabled = true,
	         .esmtp = true,
	         .authenticated = true,
	         .mechs = "PLAIN"},
	        "AUTH PLAIN", 503, "5.5.1"},
	    {{.enabled = true, .esmtp = true, .in_txn = true, .mechs = "PLAIN"},
	        "AUTH PLAIN", 503, "5.5.1"},
	    {{.enabled = true, .esmtp = true, .mechs = "CRAM-MD5"},
	        "AUTH PLAIN", 504, "5.5.4"},
	    {{.enabled = true, .esmtp = true, .mechs = NULL}, "AUTH PLAIN", 454,
	        "4.7.0"},
	    {{.enabled = true,
	         .esmtp = true,
	         .mechs = "",
	         .tls_mechs = "PLAIN LOGIN"},
	        "AUTH login", 538, "5.7.11"},
	    {{.enabled = true, .esmtp = true, .mechs = "PLAIN"},
	        "AUTH PLAIN YWJ", 501, "5.5.2"},
	};
	struct arena *arena = arena_new();
	struct smtp_auth_next next;
	struct smtp_auth a;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		begin(&a, &cases[i].ctx, cases[i].line, &next, arena);
		T_EQ_INT(next.what, SMTP_AUTH_DO_REPLY);
		T_EQ_INT(next.code, cases[i].code);
		T_EQ_STR(next.dsn, cases[i].dsn);
		T_EQ_INT(a.state, SMTP_AUTH_IDLE);
	}
	arena_free(&arena);
}

static void
auth_initial_response(void)
{
	struct arena *arena = arena_new();
	struct smtp_auth_next next;
	struct smtp_auth a;
	struct auth_login_reply ok = {.status = AUTH_LOGIN_OK, .user = "u"};

	begin(&a, &ctx_ok, "AUTH plain AGFsaWNlAHNlY3JldA==", &next, arena);
	T_EQ_INT(next.what, SMTP_AUTH_DO_START);
	T_EQ_STR(next.mech, "PLAIN");
	T_EQ_STR(next.response, "AGFsaWNlAHNlY3JldA==");
	smtp_auth_answer(&a, &ok, &next);
	T_EQ_INT(next.what, SMTP_AUTH_DO_OK);
	T_EQ_INT(next.code, 235);
	T_EQ_STR(next.dsn, "2.7.0");
	/* "=" is an empty initial response; none at all is NULL. */
	begin(&a, &ctx_ok, "AUTH PLAIN =", &next, arena);
	T_EQ_STR(next.response, "");
	begin(&a, &ctx_ok, "AUTH PLAIN", &next, arena);
	T_EQ_INT(next.what, SMTP_AUTH_DO_START);
	T_CHECK(next.response == NULL);
	arena_free(&arena);
}

static void
auth_challenges(void)
{
	struct arena *arena = arena_new();
	struct smtp_auth_next next;
	struct smtp_auth a;
	struct auth_login_reply more = {.status = AUTH_LOGIN_CONTINUE,
	    .id = "1",
	    .challenge = "VXNlcm5hbWU6"};
	struct auth_login_reply fail = {.status = AUTH_LOGIN_FAIL};
	struct buf b;

	begin(&a, &ctx_ok, "AUTH LOGIN", &next, arena);
	smtp_auth_answer(&a, &more, &next);
	T_EQ_INT(next.what, SMTP_AUTH_DO_CHALLENGE);
	T_EQ_INT(a.state, SMTP_AUTH_CLIENT);
	buf_init(&b);
	smtp_auth_challenge(&b, next.text);
	T_EQ_STR(b.data, "334 VXNlcm5hbWU6\r\n");
	buf_deinit(&b);
	smtp_auth_response(&a, "YWxpY2U=xx", 8, false, &next, arena);
	T_EQ_INT(next.what, SMTP_AUTH_DO_STEP);
	T_EQ_STR(next.response, "YWxpY2U=");
	smtp_auth_answer(&a, &more, &next);
	/* An empty line is an empty response. */
	smtp_auth_response(&a, "", 0, false, &next, arena);
	T_EQ_INT(next.what, SMTP_AUTH_DO_STEP);
	T_EQ_STR(next.response, "");
	smtp_auth_answer(&a, &fail, &next);
	T_EQ_INT(next.what, SMTP_AUTH_DO_REPLY);
	T_EQ_INT(next.code, 535);
	T_EQ_STR(next.dsn, "5.7.8");
	T_EQ_INT(a.state, SMTP_AUTH_IDLE);
	arena_free(&arena);
}

static void
auth_client_ends(void)
{
	static const struct {
		const char *line;
		bool too_long;
		int code;
		const char *dsn;
	} cases[] = {
	    {"*", false, 501, "5.7.0"},
	    {"not base64", false, 501, "5.5.2"},
	    {"=", false, 501, "5.5.2"},
	    {"", true, 500, "5.5.6"},
	};
	struct auth_login_reply more = {
	    .status = AUTH_LOGIN_CONTINUE, .id = "1", .challenge = ""};
	struct arena *arena = arena_new();
	struct smtp_auth_next next;
	struct smtp_auth a;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		begin(&a, &ctx_ok, "AUTH PLAIN", &next, arena);
		smtp_auth_answer(&a, &more, &next);
		smtp_auth_response(&a, cases[i].line, strlen(cases[i].line),
		    cases[i].too_long, &next, arena);
		T_EQ_INT(next.what, SMTP_AUTH_DO_ABORT);
		T_EQ_INT(next.code, cases[i].code);
		T_EQ_STR(next.dsn, cases[i].dsn);
		T_EQ_INT(a.state, SMTP_AUTH_IDLE);
	}
	arena_free(&arena);
}

static void
auth_authd_trouble(void)
{
	struct auth_login_reply temp = {.status = AUTH_LOGIN_TEMPFAIL};
	struct auth_login_reply bad = {.status = AUTH_LOGIN_CONTINUE,
	    .id = "1",
	    .challenge = "a\r\n250 x"};
	struct arena *arena = arena_new();
	struct smtp_auth_next next;
	struct smtp_auth a;

	/* authd unreachable before it held an exchange: nothing to abort. */
	begin(&a, &ctx_ok, "AUTH PLAIN", &next, arena);
	smtp_auth_answer(&a, NULL, &next);
	T_EQ_INT(next.what, SMTP_AUTH_DO_REPLY);
	T_EQ_INT(next.code, 454);
	T_EQ_STR(next.dsn, "4.7.0");
	begin(&a, &ctx_ok, "AUTH PLAIN", &next, arena);
	smtp_auth_answer(&a, &temp, &next);
	T_EQ_INT(next.what, SMTP_AUTH_DO_REPLY);
	T_EQ_INT(next.code, 454);
	/* A challenge that would break the 334 line is never sent. */
	begin(&a, &ctx_ok, "AUTH PLAIN", &next, arena);
	smtp_auth_answer(&a, &bad, &next);
	T_EQ_INT(next.what, SMTP_AUTH_DO_ABORT);
	T_EQ_INT(next.code, 454);
	arena_free(&arena);
}

T_MAIN(T_CASE(auth_base64), T_CASE(auth_mech_list), T_CASE(auth_refusals),
    T_CASE(auth_initial_response), T_CASE(auth_challenges),
    T_CASE(auth_client_ends), T_CASE(auth_authd_trouble))
