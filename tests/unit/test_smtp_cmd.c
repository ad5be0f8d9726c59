/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/smtp: smtp_cmd (command lines) and smtp_xtext. */
#include "smtp/smtp_cmd.h"
#include "smtp/smtp_xtext.h"

#include <string.h>

#include "t.h"

#define EXT_ALL                                                                \
	(SMTP_CMD_EXT_SIZE | SMTP_CMD_EXT_8BITMIME | SMTP_CMD_EXT_BINARYMIME | \
	    SMTP_CMD_EXT_SMTPUTF8 | SMTP_CMD_EXT_DSN | SMTP_CMD_EXT_AUTH)

static const struct smtp_cmd_limits lim_all = {
    .line_max = 512,
    .path_max = 256,
    .param_max = 8,
    .ext = EXT_ALL,
};

struct cmd_case {
	const char *in;
	int code; /* 0: success */
	const char *dsn;
	enum smtp_cmd_verb verb;
};

/* Verb recognition and argument syntax for every verb. */
static const struct cmd_case verb_cases[] = {
    {"EHLO mail.example.com", 0, NULL, SMTP_CMD_EHLO},
    {"ehlo [192.0.2.1]", 0, NULL, SMTP_CMD_EHLO},
    {"HELO x", 0, NULL, SMTP_CMD_HELO},
    {"EHLO", 501, "5.5.4", SMTP_CMD_EHLO},
    {"HELO   ", 501, "5.5.4", SMTP_CMD_HELO},
    {"DATA", 0, NULL, SMTP_CMD_DATA},
    {"data ", 0, NULL, SMTP_CMD_DATA},
    {"DATA x", 501, "5.5.4", SMTP_CMD_DATA},
    {"RSET", 0, NULL, SMTP_CMD_RSET},
    {"RSET now", 501, "5.5.4", SMTP_CMD_RSET},
    {"QUIT", 0, NULL, SMTP_CMD_QUIT},
    {"StartTLS", 0, NULL, SMTP_CMD_STARTTLS},
    {"STARTTLS x", 501, "5.5.4", SMTP_CMD_STARTTLS},
    {"NOOP", 0, NULL, SMTP_CMD_NOOP},
    {"NOOP anything at all", 0, NULL, SMTP_CMD_NOOP},
    {"HELP", 0, NULL, SMTP_CMD_HELP},
    {"HELP MAIL", 0, NULL, SMTP_CMD_HELP},
    {"VRFY user", 0, NULL, SMTP_CMD_VRFY},
    {"VRFY", 501, "5.5.4", SMTP_CMD_VRFY},
    {"EXPN list", 0, NULL, SMTP_CMD_EXPN},
    {"EXPN", 501, "5.5.4", SMTP_CMD_EXPN},
    {"BDAT 100", 0, NULL, SMTP_CMD_BDAT},
    {"BDAT 0 LAST", 0, NULL, SMTP_CMD_BDAT},
    {"BDAT", 501, "5.5.4", SMTP_CMD_BDAT},
    {"BDAT x", 501, "5.5.4", SMTP_CMD_BDAT},
    {"BDAT 10 FIRST", 501, "5.5.4", SMTP_CMD_BDAT},
    {"BDAT 10 LAST x", 501, "5.5.4", SMTP_CMD_BDAT},
    {"BDAT 99999999999999999999", 501, "5.5.4", SMTP_CMD_BDAT},
    {"BDAT 18446744073709551615", 0, NULL, SMTP_CMD_BDAT},
    {"BDAT 18446744073709551616", 501, "5.5.4", SMTP_CMD_BDAT},
    {"AUTH PLAIN", 0, NULL, SMTP_CMD_AUTH},
    {"AUTH plain dGVzdAB0ZXN0AHRlc3Q=", 0, NULL, SMTP_CMD_AUTH},
    {"AUTH PLAIN =", 0, NULL, SMTP_CMD_AUTH},
    {"AUTH", 501, "5.5.4", SMTP_CMD_AUTH},
    {"AUTH PLAIN a b", 501, "5.5.4", SMTP_CMD_AUTH},
    {"AUTH PLAIN not*base64", 501, "5.5.2", SMTP_CMD_AUTH},
    {"AUTH BAD!MECH", 501, "5.5.4", SMTP_CMD_AUTH},
    {"AUTH ABCDEFGHIJKLMNOPQRSTU", 501, "5.5.4", SMTP_CMD_AUTH},
    {"", 500, "5.5.1", SMTP_CMD_UNKNOWN},
    {"   ", 500, "5.5.1", SMTP_CMD_UNKNOWN},
    {"XYZZY", 500, "5.5.1", SMTP_CMD_UNKNOWN},
    {"MAILFROM:<a@b.c>", 500, "5.5.1", SMTP_CMD_UNKNOWN},
    {"GET / HTTP/1.1", 500, "5.5.1", SMTP_CMD_UNKNOWN},
    {"\tNOOP", 0, NULL, SMTP_CMD_NOOP},
};

/* MAIL and RCPT paths and parameters. */
static const struct cmd_case path_cases[] = {
    {"MAIL FROM:<user@example.com>", 0, NULL, SMTP_CMD_MAIL},
    {"mail from:<user@example.com>", 0, NULL, SMTP_CMD_MAIL},
    {"MAIL FROM: <user@example.com>", 0, NULL, SMTP_CMD_MAIL},
    {"MAIL FROM:user@example.com", 0, NULL, SMTP_CMD_MAIL},
    {"MAIL FROM:<>", 0, NULL, SMTP_CMD_MAIL},
    {"MAIL FROM:<> SIZE=100", 0, NULL, SMTP_CMD_MAIL},
    {"MAIL FROM:<\"a>b\"@example.com>", 0, NULL, SMTP_CMD_MAIL},
    {"MAIL FROM:<@r.example:u@example.com>", 0, NULL, SMTP_CMD_MAIL},
    {"MAIL FROM:", 501, "5.5.2", SMTP_CMD_MAIL},
    {"MAIL", 501, "5.5.2", SMTP_CMD_MAIL},
    {"MAIL TO:<a@example.com>", 501, "5.5.2", SMTP_CMD_MAIL},
    {"MAIL FROM <a@example.com>", 501, "5.5.2", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com", 501, "5.1.7", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com>SIZE=1", 501, "5.1.7", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@@example.com>", 501, "5.1.7", SMTP_CMD_MAIL},
    {"MAIL FROM:<a b@example.com>", 501, "5.1.7", SMTP_CMD_MAIL},
    {"MAIL FROM:<j\xc3\xb6rg@example.com>", 501, "5.1.7", SMTP_CMD_MAIL},
    {"MAIL FROM:<j\xc3\xb6rg@example.com> SMTPUTF8", 0, NULL, SMTP_CMD_MAIL},
    {"RCPT TO:<user@example.com>", 0, NULL, SMTP_CMD_RCPT},
    {"RCPT TO: <user@example.com>", 0, NULL, SMTP_CMD_RCPT},
    {"RCPT TO:<Postmaster>", 0, NULL, SMTP_CMD_RCPT},
    {"RCPT TO:<postmaster@example.com>", 0, NULL, SMTP_CMD_RCPT},
    {"RCPT TO:<>", 501, "5.1.3", SMTP_CMD_RCPT},
    {"RCPT TO:<user>", 501, "5.1.3", SMTP_CMD_RCPT},
    {"RCPT FROM:<user@example.com>", 501, "5.5.2", SMTP_CMD_RCPT},
    {"RCPT TO:<j\xc3\xb6rg@example.com>", 501, "5.1.3", SMTP_CMD_RCPT},
    /* Parameters. */
    {"MAIL FROM:<a@example.com> SIZE=12345 BODY=8BITMIME", 0, NULL,
        SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com>   size=1   body=7bit  ", 0, NULL,
        SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> SIZE=", 501, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> SIZE", 501, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> SIZE=12x", 501, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> SIZE=123456789012345678901", 501, "5.5.4",
        SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> SIZE=1 SIZE=2", 501, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> BODY=9BIT", 501, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> BODY=BINARYMIME", 0, NULL, SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> SMTPUTF8=yes", 501, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> RET=HDRS ENVID=QQ314159", 0, NULL,
        SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> RET=ALL", 501, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> ENVID=bad+2", 501, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> AUTH=<>", 0, NULL, SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> AUTH=e+3Dmc2@example.com", 0, NULL,
        SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> XFOO=1", 555, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> NOTIFY=NEVER", 555, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> -BAD=1", 501, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> K=v=w", 501, "5.5.4", SMTP_CMD_MAIL},
    {"MAIL FROM:<a@example.com> =1", 501, "5.5.4", SMTP_CMD_MAIL},
    {"RCPT TO:<a@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+40b", 0,
        NULL, SMTP_CMD_RCPT},
    {"RCPT TO:<a@example.com> NOTIFY=NEVER", 0, NULL, SMTP_CMD_RCPT},
    {"RCPT TO:<a@example.com> NOTIFY=NEVER,DELAY", 501, "5.5.4", SMTP_CMD_RCPT},
    {"RCPT TO:<a@example.com> NOTIFY=SUCCESS,", 501, "5.5.4", SMTP_CMD_RCPT},
    {"RCPT TO:<a@example.com> NOTIFY=SOMETIMES", 501, "5.5.4", SMTP_CMD_RCPT},
    {"RCPT TO:<a@example.com> ORCPT=rfc822", 501, "5.5.4", SMTP_CMD_RCPT},
    {"RCPT TO:<a@example.com> ORCPT=;a@b", 501, "5.5.4", SMTP_CMD_RCPT},
    {"RCPT TO:<a@example.com> SIZE=10", 555, "5.5.4", SMTP_CMD_RCPT},
    {"RCPT TO:<a@example.com> NOTIFY=NEVER NOTIFY=NEVER", 501, "5.5.4",
        SMTP_CMD_RCPT},
};

static void
run_cases(
    const struct cmd_case *cases, size_t n, const struct smtp_cmd_limits *lim)
{
	struct arena *a = arena_new();
	struct smtp_cmd cmd;
	struct err err;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		err_clear(&err);
		rc = smtp_cmd_parse(
		    cases[i].in, strlen(cases[i].in), lim, &cmd, a, &err);
		if (!T_EQ_INT(rc, cases[i].code ? -1 : 0) ||
		    !T_EQ_INT(cmd.verb, cases[i].verb)) {
			fprintf(stderr, "  case \"%s\": %s %s\n", cases[i].in,
			    err.dsn, err.text);
			continue;
		}
		if (rc == 0)
			continue;
		if (!T_EQ_INT(cmd.code, cases[i].code) ||
		    !T_EQ_STR(err.dsn, cases[i].dsn))
			fprintf(stderr, "  case \"%s\": %s\n", cases[i].in,
			    err.text);
		T_CHECK(err.kind == ERR_PERM);
		T_CHECK(err.text[0] != '\0');
	}
	arena_free(&a);
}

static void
cmd_verbs(void)
{
	run_cases(
	    verb_cases, sizeof(verb_cases) / sizeof(verb_cases[0]), &lim_all);
}

static void
cmd_paths_and_params(void)
{
	run_cases(
	    path_cases, sizeof(path_cases) / sizeof(path_cases[0]), &lim_all);
}

static int
parse(const char *in, const struct smtp_cmd_limits *lim, struct smtp_cmd *cmd,
    struct arena *a, struct err *err)
{
	return smtp_cmd_parse(in, strlen(in), lim, cmd, a, err);
}

static void
cmd_mail_fields(void)
{
	struct arena *a = arena_new();
	struct smtp_cmd c;
	struct err err;

	T_EQ_INT(parse("MAIL FROM:<User@Example.COM> SIZE=12345 BODY=8BITMIME "
	               "RET=HDRS ENVID=QQ+2B314159 AUTH=e+3Dmc2@example.com",
	             &lim_all, &c, a, &err),
	    0);
	T_EQ_STR(c.mail.addr.local, "User");
	T_EQ_STR(c.mail.addr.domain, "Example.COM");
	T_CHECK(c.mail.has_size);
	T_EQ_INT(c.mail.size, 12345);
	T_EQ_INT(c.mail.body, SMTP_CMD_BODY_8BITMIME);
	T_EQ_INT(c.mail.ret, SMTP_CMD_RET_HDRS);
	T_EQ_STR(c.mail.envid, "QQ+314159");
	T_EQ_STR(c.mail.auth, "e=mc2@example.com");
	T_CHECK(!c.mail.null_sender && !c.mail.no_brackets && !c.mail.smtputf8);

	T_EQ_INT(parse("MAIL FROM:<>", &lim_all, &c, a, &err), 0);
	T_CHECK(c.mail.null_sender);
	T_CHECK(!c.mail.has_size);
	T_EQ_INT(c.mail.body, SMTP_CMD_BODY_NONE);
	T_CHECK(c.mail.envid == NULL && c.mail.auth == NULL);

	T_EQ_INT(
	    parse("MAIL FROM:a@example.com SIZE=5", &lim_all, &c, a, &err), 0);
	T_CHECK(c.mail.no_brackets);
	T_EQ_STR(c.mail.addr.local, "a");
	T_EQ_INT(c.mail.size, 5);

	T_EQ_INT(parse("MAIL FROM:<j\xc3\xb6rg@example.com> SMTPUTF8", &lim_all,
	             &c, a, &err),
	    0);
	T_CHECK(c.mail.smtputf8 && c.mail.addr.utf8);
	arena_free(&a);
}

static void
cmd_rcpt_fields(void)
{
	struct smtp_cmd_limits utf8 = lim_all;
	struct arena *a = arena_new();
	struct smtp_cmd c;
	struct err err;

	T_EQ_INT(parse("RCPT TO:<a@example.com> NOTIFY=success,delay "
	               "ORCPT=rfc822;a+2Bx@example.com",
	             &lim_all, &c, a, &err),
	    0);
	T_EQ_INT(
	    c.rcpt.notify, SMTP_CMD_NOTIFY_SUCCESS | SMTP_CMD_NOTIFY_DELAY);
	T_EQ_STR(c.rcpt.orcpt_type, "rfc822");
	T_EQ_STR(c.rcpt.orcpt, "a+x@example.com");

	T_EQ_INT(parse("RCPT TO:<POSTMASTER>", &lim_all, &c, a, &err), 0);
	T_CHECK(c.rcpt.postmaster);
	T_EQ_STR(c.rcpt.addr.local, "Postmaster");
	T_CHECK(c.rcpt.addr.domain == NULL);
	T_EQ_INT(c.rcpt.notify, 0);

	T_EQ_INT(parse("RCPT TO:<@a.example,@b.example:u%v@c.example>",
	             &lim_all, &c, a, &err),
	    0);
	T_EQ_STR(c.rcpt.addr.route, "@a.example,@b.example");
	T_EQ_INT(address_routing(&c.rcpt.addr),
	    ADDRESS_ROUTE_SOURCE | ADDRESS_ROUTE_PERCENT);

	/* UTF-8 recipients only inside an SMTPUTF8 transaction. */
	utf8.flags = SMTP_CMD_UTF8_TXN;
	T_EQ_INT(
	    parse("RCPT TO:<j\xc3\xb6rg@example.com>", &utf8, &c, a, &err), 0);
	arena_free(&a);
}

static void
cmd_other_fields(void)
{
	struct arena *a = arena_new();
	struct smtp_cmd c;
	struct err err;

	T_EQ_INT(parse("BDAT 1000 last", &lim_all, &c, a, &err), 0);
	T_EQ_INT(c.bdat.size, 1000);
	T_CHECK(c.bdat.last);
	T_EQ_INT(parse("BDAT 18446744073709551615", &lim_all, &c, a, &err), 0);
	T_CHECK(c.bdat.size == UINT64_MAX && !c.bdat.last);

	T_EQ_INT(parse("auth cram-md5", &lim_all, &c, a, &err), 0);
	T_EQ_STR(c.auth.mech, "CRAM-MD5");
	T_CHECK(c.auth.initial == NULL);
	T_EQ_INT(parse("AUTH PLAIN AGZvbwBiYXI=", &lim_all, &c, a, &err), 0);
	T_EQ_STR(c.auth.initial, "AGZvbwBiYXI=");

	T_EQ_INT(parse("EHLO client.example.org  ", &lim_all, &c, a, &err), 0);
	T_EQ_STR(c.helo.name, "client.example.org");
	T_CHECK(c.helo.valid);
	T_EQ_INT(c.helo.kind, ADDRESS_DOMAIN_NAME);
	T_EQ_INT(parse("HELO [IPv6:::1]", &lim_all, &c, a, &err), 0);
	T_CHECK(c.helo.valid);
	T_EQ_INT(c.helo.kind, ADDRESS_DOMAIN_IPV6);
	T_EQ_INT(parse("HELO bad_host!name", &lim_all, &c, a, &err), 0);
	T_CHECK(!c.helo.valid);

	T_EQ_INT(parse("VRFY  John Smith ", &lim_all, &c, a, &err), 0);
	T_EQ_STR(c.arg, "John Smith");
	T_EQ_STR(smtp_cmd_verb_name(SMTP_CMD_STARTTLS), "STARTTLS");
	T_EQ_STR(smtp_cmd_verb_name(SMTP_CMD_UNKNOWN), "UNKNOWN");
	arena_free(&a);
}

static void
cmd_extensions_not_offered(void)
{
	struct smtp_cmd_limits none = lim_all;
	struct arena *a = arena_new();
	struct smtp_cmd c;
	struct err err;
	static const char *const refused[] = {
	    "MAIL FROM:<a@example.com> SIZE=1",
	    "MAIL FROM:<a@example.com> BODY=8BITMIME",
	    "MAIL FROM:<a@example.com> SMTPUTF8",
	    "MAIL FROM:<a@example.com> RET=FULL",
	    "MAIL FROM:<a@example.com> ENVID=x",
	    "MAIL FROM:<a@example.com> AUTH=<>",
	    "RCPT TO:<a@example.com> NOTIFY=NEVER",
	    "RCPT TO:<a@example.com> ORCPT=rfc822;a@example.com",
	};
	size_t i;

	none.ext = 0;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		T_EQ_INT(parse(refused[i], &none, &c, a, &err), -1);
		T_EQ_INT(c.code, 555);
		T_EQ_STR(err.dsn, "5.5.4");
	}
	/* BINARYMIME is a value of BODY: 8BITMIME offered, BINARYMIME not. */
	none.ext = SMTP_CMD_EXT_8BITMIME;
	T_EQ_INT(parse("MAIL FROM:<a@example.com> BODY=BINARYMIME", &none, &c,
	             a, &err),
	    -1);
	T_EQ_INT(c.code, 504);
	T_EQ_STR(err.dsn, "5.5.4");
	arena_free(&a);
}

static void
cmd_limits(void)
{
	struct smtp_cmd_limits lim = lim_all;
	struct arena *a = arena_new();
	struct smtp_cmd c;
	struct err err;
	char line[600], path[300];
	size_t n;

	/* Line length: exactly line_max with CRLF passes, one more fails. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "NOOP ", 5);
	T_EQ_INT(smtp_cmd_parse(line, 510, &lim, &c, a, &err), 0);
	T_EQ_INT(smtp_cmd_parse(line, 511, &lim, &c, a, &err), -1);
	T_EQ_INT(c.code, 500);
	T_EQ_STR(err.dsn, "5.5.6");

	/* Path length: 256 with brackets passes, 257 fails. */
	n = 256 - 2 - strlen("@example.com");
	memset(path, 'a', n);
	snprintf(path + n, sizeof(path) - n, "@example.com");
	snprintf(line, sizeof(line), "RCPT TO:<%s>", path);
	T_EQ_INT(parse(line, &lim, &c, a, &err), 0);
	snprintf(line, sizeof(line), "RCPT TO:<a%s>", path);
	T_EQ_INT(parse(line, &lim, &c, a, &err), -1);
	T_EQ_INT(c.code, 501);
	T_EQ_STR(err.dsn, "5.1.3");
	snprintf(line, sizeof(line), "MAIL FROM:<a%s>", path);
	T_EQ_INT(parse(line, &lim, &c, a, &err), -1);
	T_EQ_STR(err.dsn, "5.1.7");

	/* Parameter count: exactly param_max passes, one more fails. */
	lim.param_max = 2;
	T_EQ_INT(parse("MAIL FROM:<> SIZE=1 BODY=7BIT", &lim, &c, a, &err), 0);
	T_EQ_INT(
	    parse("MAIL FROM:<> SIZE=1 BODY=7BIT RET=FULL", &lim, &c, a, &err),
	    -1);
	T_EQ_INT(c.code, 501);
	T_EQ_INT(
	    parse("MAIL FROM:<> SIZE=1 BODY=7BIT X=1", &lim, &c, a, &err), -1);
	T_EQ_INT(c.code, 501);

	/* Strict paths refuse missing brackets. */
	lim.flags = SMTP_CMD_STRICT_PATH;
	T_EQ_INT(parse("MAIL FROM:a@example.com", &lim, &c, a, &err), -1);
	T_EQ_INT(c.code, 501);
	T_EQ_STR(err.dsn, "5.5.2");
	T_EQ_INT(parse("MAIL FROM:<a@example.com>", &lim, &c, a, &err), 0);
	arena_free(&a);
}

static void
cmd_embedded_nul(void)
{
	struct arena *a = arena_new();
	struct smtp_cmd c;
	struct err err;

	T_EQ_INT(smtp_cmd_parse(
	             "RCPT TO:<a\0b@example.com>", 25, &lim_all, &c, a, &err),
	    -1);
	T_EQ_INT(c.code, 500);
	T_EQ_STR(err.dsn, "5.5.2");
	/* A stray CR is part of the word: "QUIT\r" is no known verb. */
	T_EQ_INT(smtp_cmd_parse("QUIT\r", 5, &lim_all, &c, a, &err), -1);
	T_EQ_INT(c.code, 500);
	T_EQ_STR(err.dsn, "5.5.1");
	T_EQ_INT(smtp_cmd_parse("DATA \r", 6, &lim_all, &c, a, &err), -1);
	T_EQ_INT(c.code, 501);
	arena_free(&a);
}

static void
xtext_roundtrip(void)
{
	struct arena *a = arena_new();
	struct buf b;
	size_t n;
	char *s;

	T_EQ_STR(smtp_xtext_decode("abc", 3, a, &n), "abc");
	T_EQ_STR(smtp_xtext_decode("a+2Bb+3Dc", 9, a, &n), "a+b=c");
	T_EQ_INT(n, 5);
	T_EQ_STR(smtp_xtext_decode("+2b", 3, a, NULL), "+");
	T_EQ_STR(smtp_xtext_decode("", 0, a, NULL), "");
	T_CHECK(smtp_xtext_decode("a+", 2, a, NULL) == NULL);
	T_CHECK(smtp_xtext_decode("a+2", 3, a, NULL) == NULL);
	T_CHECK(smtp_xtext_decode("a+ZZ", 4, a, NULL) == NULL);
	T_CHECK(smtp_xtext_decode("a+00", 4, a, NULL) == NULL);
	T_CHECK(smtp_xtext_decode("a=b", 3, a, NULL) == NULL);
	T_CHECK(smtp_xtext_decode("a b", 3, a, NULL) == NULL);
	T_CHECK(smtp_xtext_decode("\xc3\xa9", 2, a, NULL) == NULL);

	buf_init(&b);
	smtp_xtext_encode(&b, "a+b=c d\xc3\xa9", 9);
	T_EQ_STR(b.data, "a+2Bb+3Dc+20d+C3+A9");
	s = smtp_xtext_decode(b.data, b.len, a, &n);
	T_CHECK(s != NULL && n == 9 && memcmp(s, "a+b=c d\xc3\xa9", 9) == 0);
	buf_deinit(&b);
	arena_free(&a);
}

T_MAIN(T_CASE(cmd_verbs), T_CASE(cmd_paths_and_params), T_CASE(cmd_mail_fields),
    T_CASE(cmd_rcpt_fields), T_CASE(cmd_other_fields),
    T_CASE(cmd_extensions_not_offered), T_CASE(cmd_limits),
    T_CASE(cmd_embedded_nul), T_CASE(xtext_roundtrip))
