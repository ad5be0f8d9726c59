/* SPDX-License-Identifier: MIT */
/*
 * aliases(5) for the domains in mydestination: the alias_maps entry of
 * an address (looked up as smtpd does, so both agree on who exists),
 * whose items are addresses, "|command", /file and :include:/file. An
 * include file holds more items, one or more per line, '#' comments
 * and continuation lines as in the aliases file; it is read with
 * local's own rights (mail_store_owner). Commands and files are honoured
 * only where allow_mail_to_commands / allow_mail_to_files name the kind
 * of table they came from ("alias", "include"), as in Postfix.
 */
#include "local.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "map/map.h"
#include "map/map_source.h"

/* Include files are lists of addresses, not mail archives. */
#define LOCAL_ALIAS_INCLUDE_MAX (1024 * 1024)

static void local_alias_include(struct local_req *r, const struct local_walk *w,
    const char *address, const char *path);

/* A command or file item, if the table it came from may have them. */
static void
local_alias_special(struct local_req *r, const struct local_walk *w,
    const char *address, enum local_target_kind kind, const char *text)
{
	const struct conf *conf = r->lc->conf;
	const char *allow = kind == LOCAL_TARGET_COMMAND
	    ? conf->allow_mail_to_commands
	    : conf->allow_mail_to_files;
	struct local_target *t;

	if (!conf_list_has(allow, w->klass)) {
		local_target_fail(r, w->rcpt, address, "5.7.1",
		    "mail to %s is restricted (allow_mail_to_%s)",
		    kind == LOCAL_TARGET_COMMAND ? "command" : "file",
		    kind == LOCAL_TARGET_COMMAND ? "commands" : "files");
		return;
	}
	t = local_target_add(r, w->rcpt, kind, text, address);
	if (t != NULL)
		t->path = t->key;
}

/* Resolve the items of one alias value (or include file line). */
static void
local_alias_items(struct local_req *r, const struct local_walk *w,
    const char *address, const char *value)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_source_alias_item *items;
	struct buf q;
	struct err err;
	size_t i, n;

	if (map_source_aliases_split(value, &lim, r->arena, &items, &n, &err) !=
	    0) {
		local_target_fail(r, w->rcpt, address, "4.3.5",
		    "bad alias entry for <%s>: %s", address, err.text);
		return;
	}
	buf_init(&q);
	for (i = 0; i < n; i++) {
		switch (items[i].kind) {
		case MAP_SOURCE_ALIAS_ADDRESS:
			buf_set(&q, items[i].text);
			if (strchr(q.data, '@') == NULL)
				buf_printf(&q, "@%s", r->lc->conf->myorigin);
			local_resolve_address(r, w, q.data,
			    strcasecmp(q.data, address) == 0
			        ? LOCAL_SKIP_ALIAS | LOCAL_SKIP_VIRTUAL
			        : 0);
			break;
		case MAP_SOURCE_ALIAS_COMMAND:
			local_alias_special(
			    r, w, address, LOCAL_TARGET_COMMAND, items[i].text);
			break;
		case MAP_SOURCE_ALIAS_FILE:
			local_alias_special(
			    r, w, address, LOCAL_TARGET_FILE, items[i].text);
			break;
		case MAP_SOURCE_ALIAS_INCLUDE:
			local_alias_include(r, w, address, items[i].text);
			break;
		}
	}
	buf_deinit(&q);
}

/* Read an include file into text. 0, or -1 with err. */
static int
local_alias_read(const char *path, struct buf *text, struct err *err)
{
	char chunk[8192];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "cannot open include file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(err, ERR_PERM, "5.3.5",
		    "include file %s is not a regular file", path);
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || text->len + (size_t)n > LOCAL_ALIAS_INCLUDE_MAX) {
			close(fd);
			return err_set(err, ERR_TEMP, "4.3.0",
			    "include file %s: %s", path,
			    n < 0 ? strerror(errno) : "too large");
		}
		buf_append(text, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

static void
local_alias_include(struct local_req *r, const struct local_walk *w,
    const char *address, const char *path)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_source_reader rd;
	struct local_walk sub = *w;
	struct buf text, line;
	struct err err;
	size_t lineno;
	int rc;

	/* An include file that includes itself ends here. */
	sub.depth++;
	sub.klass = "include";
	if (sub.depth > (unsigned)r->lc->conf->local_recursion_limit) {
		local_target_fail(r, w->rcpt, address, "5.4.6",
		    "mail forwarding loop for <%s>: include files nested "
		    "more than %lld levels",
		    address, r->lc->conf->local_recursion_limit);
		return;
	}
	buf_init(&text);
	buf_init(&line);
	if (local_alias_read(path, &text, &err) != 0) {
		local_target_fail(r, w->rcpt, address,
		    err.kind == ERR_TEMP ? "4.3.0" : "5.3.5", "%s", err.text);
		goto out;
	}
	map_source_reader_init(&rd, path, text.data, text.len, &lim);
	while ((rc = map_source_next(&rd, &line, &lineno, &err)) == 1)
		local_alias_items(r, &sub, address, line.data);
	if (rc < 0)
		local_target_fail(r, w->rcpt, address, "4.3.5", "%s", err.text);
out:
	buf_deinit(&line);
	buf_deinit(&text);
}

int
local_alias_expand(
    struct local_req *r, const struct local_walk *w, const char *address)
{
	struct local *lc = r->lc;
	struct buf value;
	struct err err;
	int rc;

	if (lc->alias_unusable) {
		local_target_fail(r, w->rcpt, address, "4.3.0",
		    "alias_maps cannot be opened");
		return 1;
	}
	if (lc->alias_maps == NULL)
		return 0;
	buf_init(&value);
	rc = maps_lookup_address(lc->alias_maps, address, true,
	    lc->conf->recipient_delimiter, &value, &err);
	if (rc < 0)
		local_target_fail(r, w->rcpt, address, "4.3.0",
		    "alias lookup of <%s> failed: %s", address, err.text);
	else if (rc > 0) {
		struct local_walk sub = *w;

		sub.klass = "alias";
		local_alias_items(r, &sub, address, value.data);
	}
	buf_deinit(&value);
	return rc != 0;
}
