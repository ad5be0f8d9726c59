/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/conf/mastercf.h: the master.cf parser. */
#include "conf/mastercf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xmalloc.h"

#include "t.h"

static int
parse(const char *text, struct mastercf *mcf, struct err *err)
{
	err_clear(err);
	return mastercf_parse(text, strlen(text), "master.cf", mcf, err);
}

static void
empty_and_comments(void)
{
	static const char *const texts[] = {
	    "", "\n\n", "# only\n  # two\n", "#\n\t\n"};
	struct mastercf mcf;
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		T_EQ_INT(parse(texts[i], &mcf, &err), 0);
		T_EQ_INT(mcf.nservices, 0);
		mastercf_deinit(&mcf);
		T_CHECK(mcf.arena == NULL);
	}
	mastercf_deinit(NULL);
}

static void
defaults_and_columns(void)
{
	static const char text[] =
	    "# service type private unpriv chroot wakeup maxproc command\n"
	    "smtp      inet  n       -       y       -       -       smtpd\n"
	    "pickup    unix  -       -       -       60      1       pickup\n"
	    "qmgr      unix  n       n       n       300?    0       qmgr -v\n"
	    "flush     fifo  y       y       n       1000?   100     flush\n";
	const struct mastercf_service *s;
	struct mastercf mcf;
	struct err err;

	if (!T_EQ_INT(parse(text, &mcf, &err), 0)) {
		fprintf(stderr, "  %s\n", err.text);
		return;
	}
	T_EQ_INT(mcf.nservices, 4);
	s = mastercf_find(&mcf, "smtp", MASTERCF_INET);
	if (T_CHECK(s != NULL)) {
		T_CHECK(s->host == NULL);
		T_EQ_STR(s->port, "smtp");
		T_CHECK(!s->private_svc && s->unpriv && s->chroot);
		T_EQ_INT(s->wakeup, 0);
		T_EQ_INT(s->maxproc, -1);
		T_EQ_STR(s->command, "smtpd");
		T_EQ_INT(s->nargs, 0);
		T_EQ_INT(s->line, 2);
		T_EQ_STR(s->file, "master.cf");
	}
	s = mastercf_find(&mcf, "pickup", MASTERCF_UNIX);
	if (T_CHECK(s != NULL)) {
		T_CHECK(s->private_svc && s->unpriv && !s->chroot);
		T_CHECK(s->host == NULL && s->port == NULL);
		T_EQ_INT(s->wakeup, 60);
		T_CHECK(!s->wakeup_if_used);
		T_EQ_INT(s->maxproc, 1);
	}
	s = mastercf_find(&mcf, "qmgr", MASTERCF_UNIX);
	if (T_CHECK(s != NULL)) {
		T_CHECK(!s->private_svc && !s->unpriv && !s->chroot);
		T_EQ_INT(s->wakeup, 300);
		T_CHECK(s->wakeup_if_used);
		T_EQ_INT(s->maxproc, 0);
		T_EQ_INT(s->nargs, 1);
		T_EQ_STR(s->args[0], "-v");
	}
	T_CHECK(mastercf_find(&mcf, "qmgr", MASTERCF_INET) == NULL);
	T_CHECK(mastercf_find(&mcf, "flush", MASTERCF_FIFO) != NULL);
	mastercf_deinit(&mcf);
}

static void
overrides_and_continuation(void)
{
	static const char text[] =
	    "submission inet n - n - - smtpd\n"
	    "  -o syslog_name=postern/submission\n"
	    "# a comment inside the entry\n"
	    "  -osmtpd_tls_security_level=encrypt -v\n"
	    "  -o { smtpd_client_restrictions = permit_sasl_authenticated, "
	    "reject }\n"
	    "  -o empty= -t unix\n"
	    "127.0.0.1:2525 inet n - n - 10 smtpd\n"
	    "[::1]:2525 inet n - n - - smtpd -o {a=b c}\n";
	const struct mastercf_service *s;
	struct mastercf mcf;
	struct err err;

	if (!T_EQ_INT(parse(text, &mcf, &err), 0)) {
		fprintf(stderr, "  %s\n", err.text);
		return;
	}
	T_EQ_INT(mcf.nservices, 3);
	s = &mcf.services[0];
	T_EQ_STR(s->name, "submission");
	T_EQ_INT(s->noverrides, 4);
	T_EQ_STR(s->overrides[0], "syslog_name=postern/submission");
	T_EQ_STR(s->overrides[1], "smtpd_tls_security_level=encrypt");
	T_EQ_STR(s->overrides[2],
	    "smtpd_client_restrictions=permit_sasl_authenticated, reject");
	T_EQ_STR(s->overrides[3], "empty=");
	T_EQ_INT(s->nargs, 3);
	T_EQ_STR(s->args[0], "-v");
	T_EQ_STR(s->args[1], "-t");
	T_EQ_STR(s->args[2], "unix");
	s = &mcf.services[1];
	T_EQ_STR(s->host, "127.0.0.1");
	T_EQ_STR(s->port, "2525");
	T_EQ_INT(s->maxproc, 10);
	T_EQ_INT(s->line, 7);
	s = mastercf_find(&mcf, "[::1]:2525", MASTERCF_INET);
	if (T_CHECK(s != NULL)) {
		T_EQ_STR(s->host, "::1");
		T_EQ_STR(s->port, "2525");
		T_EQ_STR(s->overrides[0], "a=b c");
	}
	mastercf_deinit(&mcf);
}

static void
bad_entries(void)
{
	static const struct {
		const char *text;
		const char *error;
	} cases[] = {
	    {"smtp tcp n - n - - smtpd\n",
	        "master.cf:1: bad type \"tcp\" (want inet, unix, fifo or "
	        "pass)"},
	    {"smtp inet n - x - - smtpd\n",
	        "master.cf:1: bad chroot column \"x\" (want y, n or -)"},
	    {"\nsmtp inet yes - n - - smtpd\n",
	        "master.cf:2: bad private column \"yes\" (want y, n or -)"},
	    {"smtp inet n - n - -\n", "master.cf:1: missing command column"},
	    {"smtp\n", "master.cf:1: missing type column"},
	    {"smtp inet n - n - - smtpd\n# c\nsmtp inet n - n - - smtpd\n",
	        "master.cf:3: duplicate service smtp/inet (first at line 1)"},
	    {"smtp inet y - n - - smtpd\n",
	        "master.cf:1: an inet service cannot be private"},
	    {"smtp inet - - n - - smtpd\n"
	     "pickup unix - - n 60?? 1 pickup\n",
	        "master.cf:2: bad wakeup column \"60??\""},
	    {"pickup unix - - n -1 1 pickup\n",
	        "master.cf:1: bad wakeup column \"-1\""},
	    {"pickup unix - - n 31536001 1 pickup\n",
	        "master.cf:1: bad wakeup column \"31536001\""},
	    {"pickup unix - - n 1 x pickup\n",
	        "master.cf:1: bad maxproc column \"x\""},
	    {"::1:25 inet n - n - - smtpd\n",
	        "master.cf:1: bad inet service \"::1:25\" (want host:port, "
	        "[address]:port or port)"},
	    {"[::1]25 inet n - n - - smtpd\n",
	        "master.cf:1: bad inet service \"[::1]25\" (want "
	        "[address]:port)"},
	    {"host: inet n - n - - smtpd\n",
	        "master.cf:1: bad port in service \"host:\""},
	    {"65536 inet n - n - - smtpd\n",
	        "master.cf:1: bad port in service \"65536\""},
	    {"../x unix - - n - - smtpd\n",
	        "master.cf:1: bad unix service name \"../x\""},
	    {"a/b fifo - - n - - smtpd\n",
	        "master.cf:1: bad fifo service name \"a/b\""},
	    {"smtp inet n - n - - smtpd -o\n",
	        "master.cf:1: -o without name=value"},
	    {"smtp inet n - n - - smtpd -o novalue\n",
	        "master.cf:1: bad -o argument \"novalue\" (want name=value)"},
	    {"smtp inet n - n - - smtpd -o=x\n",
	        "master.cf:1: bad -o argument \"=x\" (want name=value)"},
	    {"smtp inet n - n - - smtpd -o { a=b\n",
	        "master.cf:1: missing '}'"},
	    {"smtp inet n - n - - smtpd -o {a=b}c\n",
	        "master.cf:1: text after '}'"},
	    {"  smtp inet n - n - - smtpd\n",
	        "master.cf:1: continuation line with no line before it"},
	    {"smtp inet n - n - - smtpd\r",
	        "master.cf:1: carriage return "
	        "without line feed"},
	};
	struct mastercf mcf;
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!T_EQ_INT(parse(cases[i].text, &mcf, &err), -1))
			fprintf(stderr, "  case %zu\n", i);
		T_EQ_STR(err.text, cases[i].error);
		T_CHECK(mcf.arena == NULL && mcf.nservices == 0);
	}
}

static void
limits(void)
{
	struct mastercf mcf;
	struct buf text;
	struct err err;
	int i;

	/* NUL byte. */
	T_EQ_INT(
	    mastercf_parse("a unix - - n - - b\0c\n", 20, "m.cf", &mcf, &err),
	    -1);
	T_EQ_STR(err.text, "m.cf:1: NUL byte in text");
	/* Exactly MASTERCF_ARGS_MAX arguments, then one more. */
	buf_init(&text);
	buf_puts(&text, "a unix - - n - - cmd");
	for (i = 0; i < MASTERCF_ARGS_MAX; i++)
		buf_puts(&text, " x");
	T_EQ_INT(parse(text.data, &mcf, &err), 0);
	T_EQ_INT(mcf.services[0].nargs, MASTERCF_ARGS_MAX);
	mastercf_deinit(&mcf);
	buf_puts(&text, " x");
	T_EQ_INT(parse(text.data, &mcf, &err), -1);
	T_EQ_STR(err.text, "master.cf:1: more than 256 arguments");
	/* An overlong logical line. */
	buf_set(&text, "a unix - - n - - cmd\n");
	while (text.len <= MASTERCF_LINE_MAX) {
		buf_puts(&text, " ");
		for (i = 0; i < 1000; i++)
			buf_putc(&text, 'x');
		buf_puts(&text, "\n");
	}
	T_EQ_INT(parse(text.data, &mcf, &err), -1);
	T_EQ_STR(err.text, "master.cf:1: logical line longer than 65536 bytes");
	buf_deinit(&text);
}

static void
types_and_read(void)
{
	static const char *const names[] = {"inet", "unix", "fifo", "pass"};
	enum mastercf_type t;
	struct mastercf mcf;
	struct err err;
	char path[] = "/tmp/test_mastercf.XXXXXX";
	size_t i;
	int fd;

	for (i = 0; i < 4; i++) {
		T_EQ_INT(mastercf_type_parse(names[i], &t), 0);
		T_EQ_STR(mastercf_type_name(t), names[i]);
	}
	T_EQ_INT(mastercf_type_parse("INET", &t), -1);
	T_EQ_INT(mastercf_type_parse("", &t), -1);
	fd = mkstemp(path);
	if (!T_CHECK(fd >= 0))
		return;
	T_CHECK(write(fd, "x pass - - n - - y\n", 19) == 19);
	close(fd);
	T_EQ_INT(mastercf_read(path, &mcf, &err), 0);
	T_EQ_INT(mcf.nservices, 1);
	T_EQ_STR(mcf.services[0].file, path);
	mastercf_deinit(&mcf);
	unlink(path);
	T_EQ_INT(mastercf_read(path, &mcf, &err), -1);
	T_CHECK(strstr(err.text, "file not found") != NULL);
}

T_MAIN(T_CASE(empty_and_comments), T_CASE(defaults_and_columns),
    T_CASE(overrides_and_continuation), T_CASE(bad_entries), T_CASE(limits),
    T_CASE(types_and_read))
