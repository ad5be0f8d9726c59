/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/conf/conf_edit.h: the pure main.cf and
 * master.cf text editors, and the file wrappers that replace a file
 * atomically in a temporary directory.
 */
#include "conf/conf_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"

#include "t.h"

struct edit_case {
	const char *text;
	const char *name; /* or service/type for master.cf */
	const char *value; /* or the entry; NULL removes */
	const char *want; /* result, or NULL for an error */
	const char *error;
};

static void
edit_main_text(void)
{
	static const struct edit_case cases[] = {
	    {"", "myhostname", "a.example", "myhostname = a.example\n", NULL},
	    {"# keep me\nmydomain = x", "myhostname", "a",
	        "# keep me\nmydomain = x\nmyhostname = a\n", NULL},
	    {"# head\nmyhostname = old\n  continued\n# tail\nb = 1\n",
	        "myhostname", "new",
	        "# head\nmyhostname = new\n# tail\nb = 1\n", NULL},
	    {"a = 1\nmyhostname = old,\n# inside\n\n  more\nb = 2\n",
	        "myhostname", "new",
	        "a = 1\nmyhostname = new\n# inside\nb = 2\n", NULL},
	    {"myhostname=1\nx = 2\nmyhostname = 3\n  4\n", "myhostname", "5",
	        "myhostname = 5\nx = 2\n", NULL},
	    {"myhostname_x = 1\nmyhost = 2\n", "myhostname", "3",
	        "myhostname_x = 1\nmyhost = 2\nmyhostname = 3\n", NULL},
	    {"a = 1\r\nmyhostname = 2\r\nb = 3\r\n", "myhostname", "x",
	        "a = 1\r\nmyhostname = x\nb = 3\r\n", NULL},
	    {"a = 1\nno equals here\n", "a", "2", "a = 2\nno equals here\n",
	        NULL},
	    {"a = 1\nb = 2\n", "a", NULL, "b = 2\n", NULL},
	    {"a = 1\n", "b", NULL, "a = 1\n", NULL},
	    {"", "bad name", "x", NULL, "bad parameter name \"bad name\""},
	    {"", "a", "two\nlines", NULL, "a: value contains a line break"},
	    {"a = 1\rb = 2\n", "a", "x", NULL,
	        "main.cf:1: carriage return without line feed"},
	};
	struct buf out;
	struct err err;
	size_t i;
	int rc;

	buf_init(&out);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&err);
		rc = conf_edit_main_text(cases[i].text, strlen(cases[i].text),
		    "main.cf", cases[i].name, cases[i].value, &out, &err);
		if (!T_EQ_INT(rc, cases[i].want ? 0 : -1))
			fprintf(stderr, "  case %zu: %s\n", i, err.text);
		if (cases[i].want != NULL)
			T_EQ_STR(out.data, cases[i].want);
		else
			T_EQ_STR(err.text, cases[i].error);
	}
	buf_deinit(&out);
}

static void
edit_master_text(void)
{
	static const struct edit_case cases[] = {
	    {"# header\nsmtp inet n - n - - smtpd\n  -o a=b\n"
	     "pickup unix n - n 60 1 pickup\n",
	        "smtp/inet", "smtp inet n - y - 5 smtpd -v",
	        "# header\nsmtp inet n - y - 5 smtpd -v\n"
	        "pickup unix n - n 60 1 pickup\n",
	        NULL},
	    {"smtp unix - - n - - smtp\n", "smtp/inet",
	        "smtp inet n - n - - smtpd\n  -o x=y\n",
	        "smtp unix - - n - - smtp\nsmtp inet n - n - - smtpd\n"
	        "  -o x=y\n",
	        NULL},
	    {"smtp inet n - n - - smtpd\nsmtp unix - - n - - smtp\n",
	        "smtp/inet", NULL, "smtp unix - - n - - smtp\n", NULL},
	    {"", "smtp/inet", "smtpd inet n - n - - smtpd", NULL,
	        "new entry must define exactly the service smtp/inet"},
	    {"", "smtp/tcp", "smtp tcp n - n - - smtpd", NULL,
	        "bad type \"tcp\""},
	    {"", "smtp/inet", "smtp inet n - n - -", NULL,
	        "new entry:1: missing command column"},
	    {"", "smtp/inet", "smtp inet n - n - - a\nb inet n - n - - c", NULL,
	        "new entry must define exactly the service smtp/inet"},
	};
	struct buf out;
	struct err err;
	char service[64], *type;
	size_t i;
	int rc;

	buf_init(&out);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&err);
		snprintf(service, sizeof(service), "%s", cases[i].name);
		type = strchr(service, '/');
		*type++ = '\0';
		rc = conf_edit_master_text(cases[i].text, strlen(cases[i].text),
		    "master.cf", service, type, cases[i].value, &out, &err);
		if (!T_EQ_INT(rc, cases[i].want ? 0 : -1))
			fprintf(stderr, "  case %zu: %s\n", i, err.text);
		if (cases[i].want != NULL)
			T_EQ_STR(out.data, cases[i].want);
		else
			T_EQ_STR(err.text, cases[i].error);
	}
	buf_deinit(&out);
}

static char *
slurp(const char *path)
{
	struct buf b;
	char chunk[512], *s;
	size_t n;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	s = buf_detach(&b);
	buf_deinit(&b);
	return s;
}

static void
edit_files(void)
{
	char dir[] = "/tmp/test_conf_edit.XXXXXX";
	char *main_cf, *master_cf, *got;
	struct stat st;
	struct err err;
	FILE *fp;

	if (!T_CHECK(mkdtemp(dir) != NULL))
		return;
	main_cf = xasprintf("%s/main.cf", dir);
	master_cf = xasprintf("%s/master.cf", dir);
	fp = fopen(main_cf, "w");
	if (T_CHECK(fp != NULL)) {
		fputs("# mine\nmyhostname = old\n", fp);
		fclose(fp);
	}
	T_EQ_INT(chmod(main_cf, 0640), 0);
	T_EQ_INT(conf_edit_main(main_cf, "myhostname", "new", &err), 0);
	got = slurp(main_cf);
	T_EQ_STR(got, "# mine\nmyhostname = new\n");
	free(got);
	T_EQ_INT(stat(main_cf, &st), 0);
	T_EQ_INT(st.st_mode & 07777, 0640);
	/* A missing master.cf is created. */
	T_EQ_INT(conf_edit_master(master_cf, "smtp", "inet",
	             "smtp inet n - n - - smtpd", &err),
	    0);
	got = slurp(master_cf);
	T_EQ_STR(got, "smtp inet n - n - - smtpd\n");
	free(got);
	T_EQ_INT(conf_edit_master(master_cf, "smtp", "inet", "bad", &err), -1);
	got = slurp(master_cf);
	T_EQ_STR(got, "smtp inet n - n - - smtpd\n");
	free(got);
	unlink(main_cf);
	unlink(master_cf);
	/* Fails if a temporary file was left behind. */
	T_EQ_INT(rmdir(dir), 0);
	free(main_cf);
	free(master_cf);
}

T_MAIN(T_CASE(edit_main_text), T_CASE(edit_master_text), T_CASE(edit_files))
