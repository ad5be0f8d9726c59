/* SPDX-License-Identifier: MIT */
/*
 * The editors behind "postern conf -e" and "postern conf -M". Text is
 * transformed purely, by logical line (the same splitting the readers
 * use), so what is replaced is exactly what the reader would have taken
 * as that setting; the file is then replaced atomically.
 */
#include "conf/conf_edit.h"

#include <stdbool.h>
#include <string.h>

#include "conf/conf_file.h"
#include "conf/conf_lines.h"
#include "conf/conf.h"
#include "conf/mastercf.h"

/* Does a logical line set what is being edited? */
typedef bool conf_edit_match_fn(const struct conf_line *ln, const void *key);

struct conf_edit_main_key {
	const char *name;
};

struct conf_edit_master_key {
	const char *service;
	const char *type;
};

static bool
conf_edit_main_match(const struct conf_line *ln, const void *key)
{
	const struct conf_edit_main_key *k = key;
	const char *eq = memchr(ln->text, '=', ln->len);
	size_t n, klen = strlen(k->name);

	if (eq == NULL)
		return false;
	n = (size_t)(eq - ln->text);
	while (n > 0 && conf_lines_blank(ln->text[n - 1]))
		n--;
	return n == klen && memcmp(ln->text, k->name, n) == 0;
}

/* The field of s[0, len) starting at *ip; advances *ip past it. */
static bool
conf_edit_field_is(const char *s, size_t len, size_t *ip, const char *want)
{
	size_t i = *ip, start, wlen = strlen(want);

	while (i < len && conf_lines_blank(s[i]))
		i++;
	for (start = i; i < len && !conf_lines_blank(s[i]); i++)
		;
	*ip = i;
	return i - start == wlen && memcmp(s + start, want, wlen) == 0;
}

static bool
conf_edit_master_match(const struct conf_line *ln, const void *key)
{
	const struct conf_edit_master_key *k = key;
	size_t i = 0;

	return conf_edit_field_is(ln->text, ln->len, &i, k->service) &&
	    conf_edit_field_is(ln->text, ln->len, &i, k->type);
}

/* Comment lines among the continuation lines of [start, end). */
static void
conf_edit_keep_comments(
    const char *text, size_t start, size_t end, struct buf *out)
{
	size_t i = start, eol, j;

	/* The first line is the one replaced. */
	while (i < end && text[i] != '\n')
		i++;
	for (i++; i < end; i = eol + 1) {
		for (eol = i; eol < end && text[eol] != '\n'; eol++)
			;
		for (j = i; j < eol && conf_lines_blank(text[j]); j++)
			;
		if (j < eol && text[j] == '#') {
			buf_append(out, text + i, eol - i);
			buf_putc(out, '\n');
		}
	}
}

/*
 * Copy text to out with every logical line that matches removed, and
 * replacement (which ends in a newline, or is empty) in place of the
 * first one, or at the end when none matched.
 */
static int
conf_edit_replace(const char *text, size_t len, const char *filename,
    size_t max, conf_edit_match_fn *match, const void *key,
    const char *replacement, struct buf *out, struct err *err)
{
	struct conf_lines lx;
	struct conf_line ln;
	size_t copied = 0;
	bool done = false;
	int rc;

	buf_reset(out);
	conf_lines_init(&lx, text, len, filename, max);
	while ((rc = conf_lines_next(&lx, &ln, err)) == 1) {
		if (!match(&ln, key))
			continue;
		buf_append(out, text + copied, ln.start - copied);
		if (!done)
			buf_puts(out, replacement);
		done = true;
		conf_edit_keep_comments(text, ln.start, ln.end, out);
		copied = ln.end;
	}
	conf_lines_deinit(&lx);
	if (rc < 0)
		return -1;
	buf_append(out, text + copied, len - copied);
	if (!done) {
		if (out->len > 0 && out->data[out->len - 1] != '\n' &&
		    replacement[0] != '\0')
			buf_putc(out, '\n');
		buf_puts(out, replacement);
	}
	return 0;
}

int
conf_edit_main_text(const char *text, size_t len, const char *filename,
    const char *name, const char *value, struct buf *out, struct err *err)
{
	struct conf_edit_main_key key = {name};
	struct buf line;
	int rc;

	if (!conf_lines_name_ok(name, strlen(name)))
		return err_set(err, ERR_PERM, "5.3.5",
		    "bad parameter name \"%.64s\"", name);
	if (value != NULL && value[strcspn(value, "\r\n")] != '\0')
		return err_set(err, ERR_PERM, "5.3.5",
		    "%s: value contains a line break", name);
	buf_init(&line);
	if (value != NULL)
		buf_printf(&line, "%s = %s\n", name, value);
	rc = conf_edit_replace(text, len, filename, CONF_LINE_MAX,
	    conf_edit_main_match, &key, line.data, out, err);
	buf_deinit(&line);
	return rc;
}

/* entry must be one service named service/type; ends in a newline. */
static int
conf_edit_master_entry(const char *service, const char *type, const char *entry,
    struct buf *line, struct err *err)
{
	struct mastercf mcf;
	enum mastercf_type t;
	int rc = 0;

	if (mastercf_type_parse(type, &t) < 0)
		return err_set(
		    err, ERR_PERM, "5.3.5", "bad type \"%.64s\"", type);
	if (entry == NULL)
		return 0;
	if (mastercf_parse(entry, strlen(entry), "new entry", &mcf, err) < 0)
		return -1;
	if (mcf.nservices != 1 || mastercf_find(&mcf, service, t) == NULL)
		rc = err_set(err, ERR_PERM, "5.3.5",
		    "new entry must define exactly the service %.64s/%s",
		    service, type);
	mastercf_deinit(&mcf);
	buf_puts(line, entry);
	if (line->len > 0 && line->data[line->len - 1] != '\n')
		buf_putc(line, '\n');
	return rc;
}

int
conf_edit_master_text(const char *text, size_t len, const char *filename,
    const char *service, const char *type, const char *entry, struct buf *out,
    struct err *err)
{
	struct conf_edit_master_key key = {service, type};
	struct buf line;
	int rc;

	buf_init(&line);
	rc = conf_edit_master_entry(service, type, entry, &line, err);
	if (rc == 0)
		rc = conf_edit_replace(text, len, filename, MASTERCF_LINE_MAX,
		    conf_edit_master_match, &key, line.data, out, err);
	buf_deinit(&line);
	return rc;
}

int
conf_edit_main(
    const char *path, const char *name, const char *value, struct err *err)
{
	struct buf text, out;
	int rc;

	buf_init(&text);
	buf_init(&out);
	rc = conf_file_read(path, &text, err);
	if (rc >= 0)
		rc = conf_edit_main_text(
		    text.data, text.len, path, name, value, &out, err);
	if (rc == 0)
		rc = conf_file_replace(path, out.data, out.len, err);
	buf_deinit(&text);
	buf_deinit(&out);
	return rc;
}

int
conf_edit_master(const char *path, const char *service, const char *type,
    const char *entry, struct err *err)
{
	struct buf text, out;
	int rc;

	buf_init(&text);
	buf_init(&out);
	rc = conf_file_read(path, &text, err);
	if (rc >= 0)
		rc = conf_edit_master_text(
		    text.data, text.len, path, service, type, entry, &out, err);
	if (rc == 0)
		rc = conf_file_replace(path, out.data, out.len, err);
	buf_deinit(&text);
	buf_deinit(&out);
	return rc;
}
