/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/pop3/pop3_cmd: the POP3 command line parser. */
#include "pop3/pop3_cmd.h"

#include <string.h>

#include "t.h"

#define LINE_MAX_TEST 255

struct pop3_case {
	const char *in;
	int rc;
	enum pop3_cmd_verb verb;
	size_t nargs;
	const char *arg0, *arg1;
	uint32_t num0, num1;
	const char *error; /* prefix of the error text */
};

static const struct pop3_case pop3_cases[] = {
    {"USER joe@example.com", 0, POP3_CMD_USER, 1, "joe@example.com", NULL, 0,
        0, NULL},
    {"user  joe \t", 0, POP3_CMD_USER, 1, "joe", NULL, 0, 0, NULL},
    {"PASS two words ", 0, POP3_CMD_PASS, 1, "two words", NULL, 0, 0, NULL},
    {"PASS", -1, POP3_CMD_PASS, 0, NULL, NULL, 0, 0, "Syntax error"},
    {"APOP joe c4c9334bac560ecc979e58001b3e22fb", 0, POP3_CMD_APOP, 2, "joe",
        "c4c9334bac560ecc979e58001b3e22fb", 0, 0, NULL},
    {"APOP joe c4c9334bac560ecc979e58001b3e22f", -1, POP3_CMD_APOP, 2, NULL,
        NULL, 0, 0, "Syntax error"},
    {"AUTH", 0, POP3_CMD_AUTH, 0, NULL, NULL, 0, 0, NULL},
    {"AUTH PLAIN =", 0, POP3_CMD_AUTH, 2, "PLAIN", "=", 0, 0, NULL},
    {"AUTH PLAIN a b", -1, POP3_CMD_AUTH, 2, NULL, NULL, 0, 0,
        "Syntax error"},
    {"STAT", 0, POP3_CMD_STAT, 0, NULL, NULL, 0, 0, NULL},
    {"STAT 1", -1, POP3_CMD_STAT, 0, NULL, NULL, 0, 0, "Syntax error"},
    {"LIST", 0, POP3_CMD_LIST, 0, NULL, NULL, 0, 0, NULL},
    {"LIST 4294967295", 0, POP3_CMD_LIST, 1, "4294967295", NULL,
        4294967295u, 0, NULL},
    {"LIST 4294967296", -1, POP3_CMD_LIST, 1, NULL, NULL, 0, 0,
        "Syntax error"},
    {"LIST 0", -1, POP3_CMD_LIST, 1, NULL, NULL, 0, 0, "Syntax error"},
    {"LIST +1", -1, POP3_CMD_LIST, 1, NULL, NULL, 0, 0, "Syntax error"},
    {"RETR", -1, POP3_CMD_RETR, 0, NULL, NULL, 0, 0, "Syntax error"},
    {"DELE 12", 0, POP3_CMD_DELE, 1, "12", NULL, 12, 0, NULL},
    {"TOP 3 0", 0, POP3_CMD_TOP, 2, "3", "0", 3, 0, NULL},
    {"TOP 0 3", -1, POP3_CMD_TOP, 2, NULL, NULL, 0, 0, "Syntax error"},
    {"TOP 3", -1, POP3_CMD_TOP, 1, NULL, NULL, 0, 0, "Syntax error"},
    {"uidl 2", 0, POP3_CMD_UIDL, 1, "2", NULL, 2, 0, NULL},
    {"STLS", 0, POP3_CMD_STLS, 0, NULL, NULL, 0, 0, NULL},
    {"CAPA", 0, POP3_CMD_CAPA, 0, NULL, NULL, 0, 0, NULL},
    {"QUIT", 0, POP3_CMD_QUIT, 0, NULL, NULL, 0, 0, NULL},
    {"", -1, POP3_CMD_UNKNOWN, 0, NULL, NULL, 0, 0, "Unknown command"},
    {"QUITX", -1, POP3_CMD_UNKNOWN, 0, NULL, NULL, 0, 0, "Unknown command"},
    {"EHLO x", -1, POP3_CMD_UNKNOWN, 0, NULL, NULL, 0, 0, "Unknown command"},
    {"USER \001x", -1, POP3_CMD_UNKNOWN, 0, NULL, NULL, 0, 0,
        "Invalid characters"},
    {"USER a\rb", -1, POP3_CMD_UNKNOWN, 0, NULL, NULL, 0, 0,
        "Invalid characters"},
    {"USER firstname.lastname@department.example.com", 0, POP3_CMD_USER, 1,
        "firstname.lastname@department.example.com", NULL, 0, 0, NULL},
    {"AUTH X-123456789012345678901234567890123456789", -1, POP3_CMD_AUTH, 0,
        NULL, NULL, 0, 0, "Syntax error"},
};

static void
table(void)
{
	struct arena *a = arena_new();
	struct pop3_cmd cmd;
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(pop3_cases) / sizeof(pop3_cases[0]); i++) {
		const struct pop3_case *c = &pop3_cases[i];
		int rc;

		err_clear(&err);
		rc = pop3_cmd_parse(
		    c->in, strlen(c->in), LINE_MAX_TEST, &cmd, a, &err);
		if (!T_EQ_INT(rc, c->rc))
			fprintf(stderr, "  case \"%s\": %s\n", c->in, err.text);
		T_EQ_INT(cmd.verb, c->verb);
		if (rc != 0) {
			T_CHECK(strncmp(err.text, c->error,
			            strlen(c->error)) == 0);
			continue;
		}
		T_EQ_INT(cmd.nargs, c->nargs);
		T_EQ_STR(cmd.arg[0], c->arg0);
		T_EQ_STR(cmd.arg[1], c->arg1);
		T_EQ_INT(cmd.num[0], c->num0);
		T_EQ_INT(cmd.num[1], c->num1);
	}
	arena_free(&a);
}

static void
limits_and_nul(void)
{
	struct arena *a = arena_new();
	struct pop3_cmd cmd;
	struct err err;
	char line[300];

	/* 253 octets + CRLF = 255: the RFC 2449 maximum is accepted. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "PASS ", 5);
	T_EQ_INT(pop3_cmd_parse(line, 253, 255, &cmd, a, &err), 0);
	T_EQ_INT(strlen(cmd.arg[0]), 248);
	T_EQ_INT(pop3_cmd_parse(line, 254, 255, &cmd, a, &err), -1);
	T_EQ_STR(err.text, "Line too long");
	/* An embedded NUL never reaches a C string. */
	T_EQ_INT(pop3_cmd_parse("USER a\0b", 8, 255, &cmd, a, &err), -1);
	T_EQ_STR(err.text, "Invalid characters");
	/* The AUTH initial response is not bound by the 40-octet rule. */
	memcpy(line, "AUTH PLAIN ", 11);
	T_EQ_INT(pop3_cmd_parse(line, 200, 255, &cmd, a, &err), 0);
	T_EQ_INT(strlen(cmd.arg[1]), 189);
	T_EQ_STR(pop3_cmd_verb_name(POP3_CMD_TOP), "TOP");
	T_EQ_STR(pop3_cmd_verb_name(POP3_CMD_UNKNOWN), "UNKNOWN");
	arena_free(&a);
}

T_MAIN(T_CASE(table), T_CASE(limits_and_nul))
