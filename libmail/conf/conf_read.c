/* SPDX-License-Identifier: MIT */
/*
 * Reading "name = value" settings into a conf: main.cf text, single
 * overrides (master.cf -o, command line), and conf_load(), the whole
 * sequence a process runs at startup and on reload. The text is an
 * admin's file; every error names file and line.
 */
#include "conf/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_file.h"
#include "conf/conf_impl.h"
#include "conf/conf_lines.h"
#include "core/xmalloc.h"

/* A setting parsed from a logical line, kept until the file is good. */
struct conf_read_item {
	char *name;
	char *value;
	int line;
};

static void
conf_read_trim(const char **sp, size_t *lenp)
{
	const char *s = *sp;
	size_t len = *lenp;

	while (len > 0 && conf_lines_blank(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && conf_lines_blank(s[len - 1]))
		len--;
	*sp = s;
	*lenp = len;
}

/* Split one logical line at its first '='. */
static int
conf_read_split(const struct conf_line *ln, const char *filename,
    struct conf_read_item *item, struct err *err)
{
	const char *eq = memchr(ln->text, '=', ln->len);
	const char *name = ln->text, *value;
	size_t nlen, vlen;

	if (eq == NULL)
		return err_set(err, ERR_PERM, "5.3.5",
		    "%s:%d: missing '=' after parameter name", filename,
		    ln->line);
	nlen = (size_t)(eq - name);
	conf_read_trim(&name, &nlen);
	if (!conf_lines_name_ok(name, nlen))
		return err_set(err, ERR_PERM, "5.3.5",
		    "%s:%d: bad parameter name \"%.*s\"", filename, ln->line,
		    (int)(nlen > 64 ? 64 : nlen), name);
	value = eq + 1;
	vlen = ln->len - (size_t)(value - ln->text);
	conf_read_trim(&value, &vlen);
	item->name = xstrndup(name, nlen);
	item->value = xstrndup(value, vlen);
	item->line = ln->line;
	return 0;
}

static void
conf_read_items_free(struct conf_read_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(items[i].name);
		free(items[i].value);
	}
	free(items);
}

/*
 * The whole text is checked before anything is stored, so a bad file
 * leaves conf as it was.
 */
int
conf_read_text(struct conf *conf, const char *text, size_t len,
    const char *filename, struct err *err)
{
	struct conf_read_item *items = NULL;
	size_t n = 0, cap = 0, i;
	struct conf_lines lx;
	struct conf_line ln;
	char origin[4096];
	int rc;

	conf_lines_init(&lx, text, len, filename, CONF_LINE_MAX);
	while ((rc = conf_lines_next(&lx, &ln, err)) == 1) {
		if (n == cap) {
			cap = cap == 0 ? 32 : cap * 2;
			items = xreallocarray(items, cap, sizeof(*items));
		}
		if ((rc = conf_read_split(&ln, filename, &items[n], err)) < 0)
			break;
		n++;
	}
	conf_lines_deinit(&lx);
	for (i = 0; rc == 0 && i < n; i++) {
		/* A file name that does not fit is cut; only messages see it.
		 */
		(void)snprintf(
		    origin, sizeof(origin), "%s:%d", filename, items[i].line);
		conf_store_set(
		    conf->store, items[i].name, items[i].value, origin);
	}
	conf_read_items_free(items, n);
	return rc < 0 ? -1 : 0;
}

int
conf_read_file(struct conf *conf, const char *path, struct err *err)
{
	struct buf text;
	int rc;

	buf_init(&text);
	rc = conf_file_read(path, &text, err);
	if (rc == 0)
		rc =
		    err_set(err, ERR_PERM, "5.3.5", "%s: file not found", path);
	else if (rc > 0)
		rc = conf_read_text(conf, text.data, text.len, path, err);
	buf_deinit(&text);
	return rc;
}

int
conf_set(struct conf *conf, const char *name, const char *value,
    const char *origin, struct err *err)
{
	if (!conf_lines_name_ok(name, strlen(name)))
		return err_set(err, ERR_PERM, "5.3.5",
		    "%s: bad parameter name \"%.64s\"", origin, name);
	conf_store_set(conf->store, name, value, origin);
	return 0;
}

/* "name=value", white space around either part ignored. */
static int
conf_read_override(struct conf *conf, const char *text, struct err *err)
{
	const char *eq = strchr(text, '='), *name = text, *value;
	size_t nlen, vlen;
	char *n, *v;
	int rc;

	if (eq == NULL)
		return err_set(err, ERR_PERM, "5.3.5",
		    "command line: bad override \"%.64s\" (want name=value)",
		    text);
	nlen = (size_t)(eq - text);
	conf_read_trim(&name, &nlen);
	value = eq + 1;
	vlen = strlen(value);
	conf_read_trim(&value, &vlen);
	n = xstrndup(name, nlen);
	v = xstrndup(value, vlen);
	rc = conf_set(conf, n, v, "command line", err);
	free(n);
	free(v);
	return rc;
}

struct conf *
conf_load(const char *config_directory, const char *const *overrides,
    size_t noverrides, struct err *err)
{
	struct conf *conf = conf_new();
	char *path = xasprintf("%s/main.cf", config_directory);
	size_t i;
	int rc;

	rc = conf_read_file(conf, path, err);
	free(path);
	/* The directory actually read wins over what main.cf claims. */
	if (rc == 0)
		rc = conf_set(conf, "config_directory", config_directory,
		    "command line", err);
	for (i = 0; rc == 0 && i < noverrides; i++)
		rc = conf_read_override(conf, overrides[i], err);
	if (rc == 0)
		rc = conf_finish(conf, NULL, err);
	if (rc < 0)
		conf_free(&conf);
	return conf;
}
