/* SPDX-License-Identifier: MIT */
/*
 * Compiled Sieve scripts for local delivery: each script file (the
 * sieve_before/sieve_after files, users' active scripts) is compiled
 * once and reused for as long as the file is unchanged (same device,
 * inode, size and modification time), so a process delivering many
 * messages compiles each script once. The cache is small and per
 * process; the oldest entry makes room. Script files are the users'
 * and the admin's: compile errors are reported, never fatal.
 */
#include "local.h"
#include "local_sieve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/xmalloc.h"
#include "sieve/sieve_conf.h"

/* Scripts kept compiled by one local process. */
#define LOCAL_SIEVE_CACHE_MAX 64

struct local_sieve_cache_entry {
	char *path;
	struct stat st;
	struct sieve_script *script;
	uint64_t used; /* generation of the run that last used it */
};

struct local_sieve_cache {
	struct local_sieve_cache_entry e[LOCAL_SIEVE_CACHE_MAX];
	size_t n;
	size_t next; /* where the search for a slot to reuse starts */
	uint64_t gen; /* the current run; its scripts are never evicted */
};

void
local_sieve_cache_begin(struct local *lc)
{
	if (lc->sieve_cache == NULL)
		lc->sieve_cache = xcalloc(1, sizeof(*lc->sieve_cache));
	lc->sieve_cache->gen++;
}

void
local_sieve_cache_free(struct local_sieve_cache **cp)
{
	struct local_sieve_cache *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->e[i].path);
		sieve_script_free(&c->e[i].script);
	}
	free(c);
	*cp = NULL;
}

static bool
local_sieve_cache_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Read the open file fd of sb.st_size octets into text. */
static int
local_sieve_cache_read(
    int fd, const char *path, size_t max, struct buf *text, struct err *err)
{
	char chunk[8192];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		buf_append(text, chunk, (size_t)n);
		if (text->len > max)
			return err_set(err, ERR_PERM, "5.7.0",
			    "%s: larger than sieve_max_script_size", path);
	}
	if (n < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "read %s: %s", path,
		    strerror(errno));
	return 0;
}

/*
 * A free slot for path: its stale entry, an unused one, or the next one
 * the current run does not use (emptied). NULL when the run uses all.
 */
static struct local_sieve_cache_entry *
local_sieve_cache_slot(struct local_sieve_cache *c, const char *path)
{
	struct local_sieve_cache_entry *e = NULL;
	size_t i;

	for (i = 0; i < c->n && e == NULL; i++)
		if (strcmp(c->e[i].path, path) == 0 && c->e[i].used != c->gen)
			e = &c->e[i];
	if (e == NULL && c->n < LOCAL_SIEVE_CACHE_MAX)
		return &c->e[c->n++];
	for (i = 0; i < LOCAL_SIEVE_CACHE_MAX && e == NULL; i++) {
		struct local_sieve_cache_entry *x =
		    &c->e[(c->next + i) % LOCAL_SIEVE_CACHE_MAX];

		if (x->used != c->gen) {
			e = x;
			c->next = (c->next + i + 1) % LOCAL_SIEVE_CACHE_MAX;
		}
	}
	if (e != NULL) {
		free(e->path);
		e->path = NULL;
		sieve_script_free(&e->script);
	}
	return e;
}

/* Compile the file open as fd into a new cache slot. */
static int
local_sieve_cache_load(struct local *lc, int fd, const struct stat *sb,
    const char *path, const char *name, const struct sieve_script **script_out,
    struct err *err)
{
	struct local_sieve_cache *c = lc->sieve_cache;
	struct sieve_limits lim = sieve_limits_from_conf(lc->conf);
	struct local_sieve_cache_entry *e;
	struct sieve_script *script;
	struct sieve_error error;
	struct buf text;

	buf_init(&text);
	if (local_sieve_cache_read(fd, path, lim.script_max, &text, err) != 0) {
		buf_deinit(&text);
		return -1;
	}
	script = sieve_compile(name, text.data, text.len, &lim, &error);
	buf_deinit(&text);
	if (script == NULL) {
		*err = error.err;
		err_prefix(err, "%s", path);
		return -1;
	}
	if ((e = local_sieve_cache_slot(c, path)) == NULL) {
		sieve_script_free(&script);
		return err_set(err, ERR_PERM, "5.7.0",
		    "more than %d Sieve scripts in one run",
		    LOCAL_SIEVE_CACHE_MAX);
	}
	e->path = xstrdup(path);
	e->st = *sb;
	e->script = script;
	e->used = c->gen;
	*script_out = script;
	return 1;
}

int
local_sieve_cache_get(struct local *lc, const char *path, const char *name,
    const struct sieve_script **script_out, struct err *err)
{
	struct stat sb;
	size_t i;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_set(err, ERR_TEMP, "4.3.0", "open %s: %s", path,
		    strerror(errno));
	}
	if (fstat(fd, &sb) != 0) {
		rc = err_set(err, ERR_TEMP, "4.3.0", "stat %s: %s", path,
		    strerror(errno));
		close(fd);
		return rc;
	}
	for (i = 0; i < lc->sieve_cache->n; i++) {
		struct local_sieve_cache_entry *e = &lc->sieve_cache->e[i];

		if (strcmp(e->path, path) == 0 &&
		    local_sieve_cache_same(&e->st, &sb)) {
			close(fd);
			e->used = lc->sieve_cache->gen;
			*script_out = e->script;
			return 1;
		}
	}
	rc = local_sieve_cache_load(lc, fd, &sb, path, name, script_out, err);
	close(fd);
	return rc;
}
