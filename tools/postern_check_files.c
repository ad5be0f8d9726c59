/* SPDX-License-Identifier: MIT */
/*
 * postern check, the file-system half: the instance's directories
 * (present, owned by the right service user when we are root, never
 * writable by others), the tables named in *_maps parameters, and the
 * TLS certificate and key.
 */
#include "postern_check.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/buf.h"
#include "core/xmalloc.h"
#include "map/map.h"
#include "queue/queue_layout.h"

/* The group allowed to write to maildrop/, as postern init makes it. */
#define POSTERN_CHECK_POSTDROP_GROUP "postdrop"

/* Who must own a directory: nobody in particular, root, or a user. */
struct postern_check_dir {
	const char *base;	/* a path parameter's value */
	const char *sub;	/* below it, or NULL */
	const char *owner;	/* user name; NULL: not checked */
	mode_t forbidden;	/* mode bits that must be clear */
};

static void
postern_check_dir(struct postern_check *ck, const struct postern_check_dir *d)
{
	struct passwd *pw;
	struct stat st;
	char path[4096];

	if (snprintf(path, sizeof(path), "%s%s%s", d->base, d->sub ? "/" : "",
	    d->sub ? d->sub : "") >= (int)sizeof(path)) {
		postern_check_error(ck, "%s: path too long", d->base);
		return;
	}
	if (stat(path, &st) != 0) {
		postern_check_error(ck, "%s: %s (run postern init, or fix "
		    "the path in main.cf)", path, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		postern_check_error(ck, "%s: not a directory", path);
		return;
	}
	if ((st.st_mode & d->forbidden) != 0)
		postern_check_error(ck, "%s: mode %04o is too open (chmod "
		    "%04o)", path, (unsigned)(st.st_mode & 07777),
		    (unsigned)(st.st_mode & 07777 & ~d->forbidden));
	if (!ck->as_root || d->owner == NULL)
		return;
	if ((pw = getpwnam(d->owner)) == NULL)
		postern_check_error(ck, "%s: owner %s does not exist (postern "
		    "init creates the service users)", path, d->owner);
	else if (st.st_uid != pw->pw_uid)
		postern_check_error(ck, "%s: owned by uid %u, not %s (chown "
		    "%s)", path, (unsigned)st.st_uid, d->owner, d->owner);
}

/* The queue against libmail's layout table, the one init creates from. */
static void
postern_check_queue(struct postern_check *ck)
{
	const char *qdir = ck->conf->queue_directory;
	struct queue_layout_owner own = { .set_owner = ck->as_root };
	struct passwd *pw;
	struct group *gr;
	struct buf report;
	char *line, *save = NULL;

	if (ck->as_root) {
		if ((pw = getpwnam(ck->conf->mail_owner)) == NULL) {
			postern_check_error(ck, "mail_owner = %s: no such user "
			    "(postern init creates it)", ck->conf->mail_owner);
			return;
		}
		if ((gr = getgrnam(POSTERN_CHECK_POSTDROP_GROUP)) == NULL) {
			postern_check_error(ck, "group %s does not exist "
			    "(postern init creates it)",
			    POSTERN_CHECK_POSTDROP_GROUP);
			return;
		}
		own.owner_uid = pw->pw_uid;
		own.owner_gid = pw->pw_gid;
		own.postdrop_gid = gr->gr_gid;
	}
	buf_init(&report);
	(void)queue_layout_check(qdir, &own, &report);
	for (line = strtok_r(report.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		postern_check_error(ck, "%s: %s", qdir, line);
	buf_deinit(&report);
}

void
postern_check_dirs(struct postern_check *ck)
{
	const struct conf *c = ck->conf;
	const struct postern_check_dir dirs[] = {
		{ c->config_directory, NULL, "root", 0022 },
		{ c->data_directory, NULL, NULL, 0022 },
		{ c->mail_store_directory, NULL, c->mail_store_owner, 0077 },
	};
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		postern_check_dir(ck, &dirs[i]);
	postern_check_queue(ck);
}

/*
 * An lmdb: table is read from name.lmdb; when the source is newer, the
 * admin edited it and forgot to rebuild (postfix check warns alike).
 */
static bool
postern_check_lmdb(struct postern_check *ck, const char *param,
    const char *spec, const char *name)
{
	struct stat src, db;
	char path[4096];
	bool aliases = strstr(param, "alias") != NULL;

	if (snprintf(path, sizeof(path), "%s.lmdb", name) >= (int)sizeof(path))
		return true;
	if (stat(path, &db) != 0) {
		postern_check_error(ck, "%s: %s: %s: %s (run postern %s %s)",
		    param, spec, path, strerror(errno), aliases ? "alias"
		    : "map", aliases ? name : spec);
		return false;
	}
	if (stat(name, &src) == 0 && (src.st_mtim.tv_sec > db.st_mtim.tv_sec ||
	    (src.st_mtim.tv_sec == db.st_mtim.tv_sec &&
	    src.st_mtim.tv_nsec > db.st_mtim.tv_nsec)))
		postern_check_warning(ck, "%s: %s: %s is older than its source "
		    "%s (run postern %s %s)", param, spec, path, name,
		    aliases ? "alias" : "map", aliases ? name : spec);
	return true;
}

static void
postern_check_map(struct postern_check *ck, const char *param,
    const char *spec)
{
	const char *colon = strchr(spec, ':');
	struct map *map;
	struct err err;

	if (colon != NULL && strncmp(spec, "lmdb:", 5) == 0 &&
	    !postern_check_lmdb(ck, param, spec, colon + 1))
		return;
	if ((map = map_open(spec, &err)) == NULL) {
		postern_check_error(ck, "%s: %s: %s", param, spec, err.text);
		return;
	}
	map_close(&map);
}

/* Whether "spec\n" was seen before; records it when not. */
static bool
postern_check_seen(struct buf *seen, const char *spec_nl)
{
	char *needle;
	bool found;

	/* seen starts with '\n', so each entry is "\nspec\n". */
	needle = xasprintf("\n%s", spec_nl);
	found = strstr(seen->data, needle) != NULL;
	if (!found)
		buf_puts(seen, spec_nl);
	free(needle);
	return found;
}

void
postern_check_maps(struct postern_check *ck)
{
	struct buf value, item, seen;
	const char *cursor;
	struct err err;
	size_t i;

	buf_init(&value);
	buf_init(&item);
	/* "\nspec\n" per table: alias_maps and alias_database often agree. */
	buf_init(&seen);
	buf_putc(&seen, '\n');
	for (i = 0; i < conf_nparams; i++) {
		if (conf_params[i].type != CONF_TYPE_MAPS)
			continue;
		if (conf_value(ck->conf, conf_params[i].name, &value, &err)
		    != 1)
			continue;
		cursor = value.data;
		while (conf_list_next(&cursor, &item)) {
			buf_putc(&item, '\n');
			if (postern_check_seen(&seen, item.data))
				continue;
			buf_truncate(&item, item.len - 1);
			postern_check_map(ck, conf_params[i].name, item.data);
		}
	}
	buf_deinit(&seen);
	buf_deinit(&item);
	buf_deinit(&value);
}
