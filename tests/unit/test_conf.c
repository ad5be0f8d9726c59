/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/conf/conf.h: reading main.cf text, $name
 * expansion, typed conversion with bounds and conf_load. Value
 * parsers and LIST iteration are tested in test_conf_value.c, the
 * editors in test_conf_edit.c.
 */
#include "conf/conf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"

#include "t.h"

/* Read text (len bytes) as "main.cf" and finish; NULL error = success. */
struct read_case {
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *error; /* expected err.text, or NULL */
};

static int
read_and_finish(const char *text, size_t len, struct conf **confp,
    struct buf *unknown, struct err *err)
{
	*confp = conf_new();
	if (conf_read_text(*confp, text, len, "main.cf", err) < 0)
		return -1;
	return conf_finish(*confp, unknown, err);
}

static void
run_read_cases(const struct read_case *cases, size_t n)
{
	struct conf *conf;
	struct err err;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		err_clear(&err);
		rc = read_and_finish(cases[i].text,
		    cases[i].len ? cases[i].len : strlen(cases[i].text), &conf,
		    NULL, &err);
		if (!T_EQ_INT(rc, cases[i].error ? -1 : 0))
			fprintf(stderr, "  case %zu: %s\n", i, err.text);
		if (cases[i].error != NULL)
			T_EQ_STR(err.text, cases[i].error);
		conf_free(&conf);
	}
}

static void
read_syntax(void)
{
	static const struct read_case cases[] = {
	    {"", 0, NULL},
	    {"# only a comment\n\n   # indented comment\n", 0, NULL},
	    {"myhostname = a.example\n", 0, NULL},
	    {"myhostname=a.example", 0, NULL},
	    {"myhostname = a.example\r\n", 0, NULL},
	    {"myhostname a.example\n", 0,
	        "main.cf:1: missing '=' after parameter name"},
	    {"\n\nmy-host = x\n", 0,
	        "main.cf:3: bad parameter name \"my-host\""},
	    {" = x\n", 0,
	        "main.cf:1: continuation line with no line before it"},
	    {"= x\n", 0, "main.cf:1: bad parameter name \"\""},
	    {"a = 1\nb = 2\rc = 3\n", 0,
	        "main.cf:2: carriage return without line feed"},
	    {"a = 1\nb = 2\r", 0,
	        "main.cf:2: carriage return without line feed"},
	    {"a = 1\nb = x\0y\n", 12, "main.cf:2: NUL byte in text"},
	    {"# c\0mment\n", 10, "main.cf:1: NUL byte in text"},
	};

	run_read_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Check that "name = value" on line 2 fails with want, or succeeds. */
static void
check_typed(const char *name, const char *value, const char *want)
{
	struct conf *conf;
	struct err err;
	char *text = xasprintf("# typed\n%s = %s\n", name, value);
	char *msg = want ? xasprintf("main.cf:2: %s: %s", name, want) : NULL;

	err_clear(&err);
	if (!T_EQ_INT(read_and_finish(text, strlen(text), &conf, NULL, &err),
	        want ? -1 : 0))
		fprintf(stderr, "  %s = %s: %s\n", name, value, err.text);
	if (want != NULL)
		T_EQ_STR(err.text, msg);
	conf_free(&conf);
	free(text);
	free(msg);
}

/*
 * Bad values and bounds, for the first parameter of each type in the
 * table and for every bounded number: min and max pass, one past fails.
 */
static void
typed_values(void)
{
	static const char *const bad[] = {[CONF_TYPE_INT] = "many",
	    [CONF_TYPE_SIZE] = "10q",
	    [CONF_TYPE_TIME] = "10y",
	    [CONF_TYPE_BOOL] = "maybe"};
	static const char *const want[] = {
	    [CONF_TYPE_INT] = "bad integer \"many\"",
	    [CONF_TYPE_SIZE] = "bad size \"10q\"",
	    [CONF_TYPE_TIME] = "bad time \"10y\"",
	    [CONF_TYPE_BOOL] = "bad boolean \"maybe\""};
	bool seen[CONF_TYPE_MAPS + 1] = {false};
	char v[64], range[128];
	size_t i;

	for (i = 0; i < conf_nparams; i++) {
		const struct conf_param *p = &conf_params[i];

		if (p->type <= CONF_TYPE_BOOL && !seen[p->type]) {
			seen[p->type] = true;
			check_typed(p->name, bad[p->type], want[p->type]);
		}
		if (p->type > CONF_TYPE_TIME || (p->min == 0 && p->max == 0))
			continue;
		snprintf(range, sizeof(range), "is out of range %lld..%lld",
		    p->min, p->max);
		snprintf(v, sizeof(v), "%lld", p->min);
		check_typed(p->name, v, NULL);
		snprintf(v, sizeof(v), "%lld", p->max);
		check_typed(p->name, v, NULL);
		if (p->max < 0x7fffffffffffffffLL) {
			char msg[256];

			snprintf(v, sizeof(v), "%lld", p->max + 1);
			snprintf(msg, sizeof(msg), "\"%s\" %s", v, range);
			check_typed(p->name, v, msg);
		}
		if (p->min > 0) {
			char msg[256];

			snprintf(v, sizeof(v), "%lld", p->min - 1);
			snprintf(msg, sizeof(msg), "\"%s\" %s", v, range);
			check_typed(p->name, v, msg);
		}
	}
	T_CHECK(seen[CONF_TYPE_INT] && seen[CONF_TYPE_TIME] &&
	    seen[CONF_TYPE_BOOL]);
}

static void
read_continuation_and_override(void)
{
	static const char text[] = "myhostname = first\n"
	                           "inet_interfaces = 127.0.0.1,\n"
	                           "# a comment between continuation lines\n"
	                           "\n"
	                           "\t::1   \n"
	                           "  192.0.2.1\n"
	                           "myhostname = second # not a comment\n";
	struct conf *conf;
	struct err err;
	const char **names;

	T_EQ_INT(read_and_finish(text, strlen(text), &conf, NULL, &err), 0);
	T_EQ_STR(conf->inet_interfaces, "127.0.0.1, ::1 192.0.2.1");
	T_EQ_STR(conf->myhostname, "second # not a comment");
	T_EQ_STR(conf_origin(conf, "myhostname"), "main.cf:7");
	T_EQ_STR(conf_origin(conf, "inet_interfaces"), "main.cf:2");
	T_EQ_STR(conf_raw(conf, "myhostname"), "second # not a comment");
	T_EQ_STR(conf_raw(conf, "mydomain"), NULL);
	T_EQ_STR(conf_origin(conf, "mydomain"), NULL);
	T_EQ_INT(conf_set_names(conf, &names), 2);
	T_EQ_STR(names[0], "myhostname");
	T_EQ_STR(names[1], "inet_interfaces");
	T_EQ_INT(
	    conf_set(conf, "myhostname", "third", "command line", &err), 0);
	T_EQ_INT(conf_set(conf, "bad name", "x", "command line", &err), -1);
	T_EQ_STR(err.text, "command line: bad parameter name \"bad name\"");
	T_EQ_INT(conf_finish(conf, NULL, &err), 0);
	T_EQ_STR(conf->myhostname, "third");
	T_EQ_STR(conf_origin(conf, "myhostname"), "command line");
	conf_free(&conf);
	T_CHECK(conf == NULL);
	conf_free(&conf);
}

static void
read_line_limit(void)
{
	struct conf *conf;
	struct buf text;
	struct err err;
	size_t vlen = CONF_LINE_MAX - strlen("myhostname = ");

	/* Exactly the limit, then one byte more, split over two lines. */
	buf_init(&text);
	buf_puts(&text, "myhostname = ");
	while (text.len < CONF_LINE_MAX - 10)
		buf_putc(&text, 'a');
	buf_puts(&text, "\n ");
	while (text.len < CONF_LINE_MAX + 1)
		buf_putc(&text, 'b');
	buf_putc(&text, '\n');
	T_EQ_INT(read_and_finish(text.data, text.len, &conf, NULL, &err), 0);
	T_EQ_INT(strlen(conf->myhostname), vlen);
	conf_free(&conf);
	buf_truncate(&text, text.len - 1);
	buf_puts(&text, "b\n");
	T_EQ_INT(read_and_finish(text.data, text.len, &conf, NULL, &err), -1);
	T_EQ_STR(err.text, "main.cf:1: logical line longer than 65536 bytes");
	conf_free(&conf);
	buf_deinit(&text);
}

static void
read_error_keeps_conf(void)
{
	struct conf *conf = conf_new();
	struct err err;

	T_EQ_INT(
	    conf_read_text(conf, "mydomain = a\nbad\n", 17, "x.cf", &err), -1);
	T_EQ_STR(err.text, "x.cf:2: missing '=' after parameter name");
	T_EQ_STR(conf_raw(conf, "mydomain"), NULL);
	conf_free(&conf);
}

struct expand_case {
	const char *text;
	const char *name; /* parameter to expand */
	const char *want; /* expanded value, or NULL for an error */
	const char *error;
};

static void
expansion(void)
{
	static const struct expand_case cases[] = {
	    {"a = x\nb = $a-${a}-$(a)\n", "b", "x-x-x", NULL},
	    {"b = [$$a]\n", "b", "[$a]", NULL},
	    {"b = $nosuch.${nosuch}.\n", "b", "..", NULL},
	    {"a = x\nb = ${a?yes}${a:no}\n", "b", "yes", NULL},
	    {"a =\nb = ${a?yes}${a:no}\n", "b", "no", NULL},
	    {"b = ${nosuch?yes}${nosuch:no}\n", "b", "no", NULL},
	    {"a = x\nb = ${a?${a}$(a)}\n", "b", "xx", NULL},
	    {"a = x\nb = $(a?{braces})\n", "b", "{braces}", NULL},
	    {"c = 1\nb = ${a?$b}\n", "b", "", NULL},
	    {"a = x\nb = ${a?{yes $a}:{no}}\n", "b", "yes x", NULL},
	    {"b = ${a?{yes}:{no $$}}\n", "b", "no $", NULL},
	    {"a = x\nb = $(a?{y}:{n})\n", "b", "y", NULL},
	    {"a = x\nb = ${a?{}:{n}}\n", "b", "", NULL},
	    {"b = ${a?{y}:{}}\n", "b", "", NULL},
	    {"a = x\nb = ${a?{y}:{n}z}\n", "b", "{y}:{n}z", NULL},
	    {"a = x\nb = ${a?{y}}\n", "b", "{y}", NULL},
	    {"myhostname = mx.example\n", "myorigin", "mx.example", NULL},
	    {"", "myorigin", "localhost", NULL},
	    {"a = $b\nb = $a\n", "a", NULL,
	        "main.cf:1: a: expansion loop via $b"},
	    {"myorigin = $myhostname\nmyhostname = x.$myorigin\n", "myorigin",
	        NULL, "main.cf:1: myorigin: expansion loop via $myhostname"},
	    {"a = x$a\n", "a", NULL, "main.cf:1: a: expansion loop via $a"},
	    {"a = ${b\n", "a", NULL, "main.cf:1: a: unterminated ${"},
	    {"a = $(b\n", "a", NULL, "main.cf:1: a: unterminated $("},
	    {"x = 1\na = $b\nb = ${c?${d}\n", "a", NULL,
	        "main.cf:3: b: unterminated ${"},
	    {"a = ${}\n", "a", NULL,
	        "main.cf:1: a: missing parameter name after ${"},
	    {"a = ${b!c}\n", "a", NULL,
	        "main.cf:1: a: unexpected character after parameter "
	        "name: !"},
	    {"a = cost: 5$\n", "a", NULL,
	        "main.cf:1: a: '$' not followed by a parameter name (write "
	        "$$ for a literal '$')"},
	};
	struct conf *conf;
	struct buf out;
	struct err err;
	size_t i;
	int rc;

	buf_init(&out);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		conf = conf_new();
		err_clear(&err);
		T_EQ_INT(conf_read_text(conf, cases[i].text,
		             strlen(cases[i].text), "main.cf", &err),
		    0);
		rc = conf_value(conf, cases[i].name, &out, &err);
		if (!T_EQ_INT(rc, cases[i].want ? 1 : -1))
			fprintf(stderr, "  case %zu: %s\n", i, err.text);
		if (cases[i].want != NULL)
			T_EQ_STR(out.data, cases[i].want);
		else
			T_EQ_STR(err.text, cases[i].error);
		/* conf_finish reports the same errors. */
		T_EQ_INT(conf_finish(conf, NULL, &err), cases[i].want ? 0 : -1);
		conf_free(&conf);
	}
	buf_deinit(&out);
}

static void
expansion_limits(void)
{
	struct conf *conf = conf_new();
	struct buf text, out;
	struct err err;
	int i;

	/* A chain one longer than the depth limit. */
	buf_init(&text);
	buf_init(&out);
	for (i = 0; i < 40; i++)
		buf_printf(&text, "p%d = $p%d\n", i, i + 1);
	T_EQ_INT(conf_read_text(conf, text.data, text.len, "main.cf", &err), 0);
	T_EQ_INT(conf_value(conf, "p0", &out, &err), -1);
	T_EQ_STR(err.text,
	    "main.cf:32: p31: parameter references nested deeper than 32");
	T_EQ_INT(conf_value(conf, "p8", &out, &err), 1);
	T_EQ_STR(out.data, "");
	conf_free(&conf);
	/* Doubling at each step: stopped by the length limit. */
	conf = conf_new();
	buf_reset(&text);
	buf_puts(
	    &text, "d0 = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
	for (i = 1; i < 30; i++)
		buf_printf(&text, "d%d = $d%d$d%d\n", i, i - 1, i - 1);
	T_EQ_INT(conf_read_text(conf, text.data, text.len, "main.cf", &err), 0);
	T_EQ_INT(conf_value(conf, "d29", &out, &err), -1);
	T_CHECK(strstr(err.text, "expanded value longer than") != NULL);
	T_EQ_INT(conf_finish(conf, NULL, &err), -1);
	conf_free(&conf);
	buf_deinit(&text);
	buf_deinit(&out);
}

static void
unknown_parameters(void)
{
	static const char text[] = "myhostname = x\n"
	                           "typo_hostname = y\n"
	                           "mua_restrictions = permit\n"
	                           "smtpd_banner_x = $mua_restrictions\n";
	struct conf *conf;
	struct buf unknown, out;
	struct err err;

	buf_init(&unknown);
	buf_init(&out);
	T_EQ_INT(read_and_finish(text, strlen(text), &conf, &unknown, &err), 0);
	T_EQ_STR(unknown.data,
	    "main.cf:2: unknown parameter typo_hostname\n"
	    "main.cf:4: unknown parameter smtpd_banner_x\n");
	T_EQ_INT(conf_value(conf, "smtpd_banner_x", &out, &err), 1);
	T_EQ_STR(out.data, "permit");
	T_EQ_INT(conf_value(conf, "never_set", &out, &err), 0);
	T_EQ_INT(conf_value(conf, "mydomain", &out, &err), 1);
	T_EQ_STR(out.data, "localdomain");
	conf_free(&conf);
	buf_deinit(&unknown);
	buf_deinit(&out);
}

static bool
field_in_bounds(const struct conf *conf, const struct conf_param *p)
{
	long long v;

	memcpy(&v, (const char *)conf + p->offset, sizeof(v));
	if (p->min == 0 && p->max == 0)
		return true;
	return v >= p->min && v <= p->max;
}

static void
every_default_parses_within_bounds(void)
{
	struct conf *conf = conf_new();
	struct buf unknown;
	struct err err;
	size_t i, j;

	buf_init(&unknown);
	T_CHECK(conf_nparams > 0);
	if (!T_EQ_INT(conf_finish(conf, &unknown, &err), 0))
		fprintf(stderr, "  %s\n", err.text);
	T_EQ_STR(unknown.data, "");
	for (i = 0; i < conf_nparams; i++) {
		const struct conf_param *p = &conf_params[i];

		T_CHECK(conf_param_find(p->name) == p);
		T_CHECK(p->desc != NULL && p->desc[0] != '\0');
		T_CHECK(p->owner != NULL && p->owner[0] != '\0');
		T_CHECK(strcmp(conf_type_name(p->type), "unknown") != 0);
		T_CHECK(p->min <= p->max);
		for (j = 0; j < i; j++)
			T_CHECK(strcmp(conf_params[j].name, p->name) != 0);
		if ((p->type == CONF_TYPE_INT || p->type == CONF_TYPE_SIZE ||
		        p->type == CONF_TYPE_TIME) &&
		    !T_CHECK(field_in_bounds(conf, p)))
			fprintf(stderr, "  default of %s\n", p->name);
	}
	T_CHECK(conf_param_find("no_such_parameter") == NULL);
	T_EQ_STR(conf_type_name(CONF_TYPE_SIZE), "size");
	T_EQ_STR(conf->config_directory, "/etc/postern");
	T_EQ_INT(conf->max_idle, 100);
	T_EQ_INT(conf->syslog_enable, 1);
	buf_deinit(&unknown);
	conf_free(&conf);
}

static char *
make_dir_with(const char *main_cf)
{
	char *dir = xstrdup("/tmp/test_conf.XXXXXX");
	char *path;
	FILE *fp;

	if (mkdtemp(dir) == NULL) {
		free(dir);
		return NULL;
	}
	if (main_cf != NULL) {
		path = xasprintf("%s/main.cf", dir);
		fp = fopen(path, "w");
		fputs(main_cf, fp);
		fclose(fp);
		free(path);
	}
	return dir;
}

static void
remove_dir(char *dir)
{
	char *path = xasprintf("%s/main.cf", dir);

	unlink(path);
	free(path);
	path = xasprintf("%s/master.cf", dir);
	unlink(path);
	free(path);
	rmdir(dir);
	free(dir);
}

static void
load(void)
{
	static const char *const good[] = {
	    "mydomain = over.example", "max_use=7"};
	static const char *const bad[] = {"no equals sign"};
	char *dir = make_dir_with("config_directory = /elsewhere\n"
	                          "myhostname = mx.$mydomain\n"
	                          "mydomain = file.example\n");
	struct conf *conf;
	struct err err;
	char *want;

	if (!T_CHECK(dir != NULL))
		return;
	conf = conf_load(dir, good, 2, &err);
	if (T_CHECK(conf != NULL)) {
		T_EQ_STR(conf->config_directory, dir);
		T_EQ_STR(conf->myhostname, "mx.over.example");
		T_EQ_STR(conf->myorigin, "mx.over.example");
		T_EQ_INT(conf->max_use, 7);
		T_EQ_STR(conf_origin(conf, "max_use"), "command line");
		want = xasprintf("%s/main.cf:2", dir);
		T_EQ_STR(conf_origin(conf, "myhostname"), want);
		free(want);
		conf_free(&conf);
	}
	T_CHECK(conf_load(dir, bad, 1, &err) == NULL);
	T_EQ_STR(err.text,
	    "command line: bad override \"no equals sign\" "
	    "(want name=value)");
	remove_dir(dir);
	dir = make_dir_with(NULL);
	T_CHECK(conf_load(dir, NULL, 0, &err) == NULL);
	want = xasprintf("%s/main.cf: file not found", dir);
	T_EQ_STR(err.text, want);
	free(want);
	remove_dir(dir);
}

T_MAIN(T_CASE(read_syntax), T_CASE(typed_values),
    T_CASE(read_continuation_and_override), T_CASE(read_line_limit),
    T_CASE(read_error_keeps_conf), T_CASE(expansion), T_CASE(expansion_limits),
    T_CASE(unknown_parameters), T_CASE(every_default_parses_within_bounds),
    T_CASE(load))
