/* SPDX-License-Identifier: MIT */
/* Unit tests for store/sieve_store: names, put/get/list, the active
 * link, delete, rename and the per-user limits, in a temporary store. */
#include "store/sieve_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

/* The maildir root of the last new_store(). */
static char root[128];

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh maildir root under a new temporary directory. */
static struct sieve_store *
new_store(size_t max_scripts, size_t max_size)
{
	struct sieve_store_limits lim = {max_scripts, max_size};
	char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/test_sieve_store.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(root, sizeof(root), "%s/example.org/u/Maildir", dir);
	return sieve_store_new(root, &lim);
}

/* Free the store and remove its temporary directory. */
static void
done_store(struct sieve_store **st)
{
	char *end = strstr(root, "/example.org");

	sieve_store_free(st);
	if (end != NULL) {
		*end = '\0';
		nftw(root, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
}

static void
test_names(void)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
	    {"main", true},
	    {"vacation 2024", true},
	    {"caf\xc3\xa9", true},
	    {"", false},
	    {".hidden", false},
	    {"a/b", false},
	    {"tab\there", false},
	    {"del\x7f", false},
	    {"c1\xc2\x85", false},
	    {"ls\xe2\x80\xa8", false},
	    {"bad\xff", false},
	};
	char longname[SIEVE_STORE_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T_EQ_INT(sieve_store_name_valid(cases[i].name), cases[i].ok);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[SIEVE_STORE_NAME_MAX] = '\0';
	T_CHECK(sieve_store_name_valid(longname));
	longname[SIEVE_STORE_NAME_MAX] = 'a';
	longname[SIEVE_STORE_NAME_MAX + 1] = '\0';
	T_CHECK(!sieve_store_name_valid(longname));
}

static void
test_put_get_list(void)
{
	struct sieve_store *st = new_store(0, 0);
	struct arena *a = arena_new();
	struct sieve_store_entry *list;
	struct buf text;
	struct stat sb;
	struct err err;
	size_t n = 99;
	char path[256];

	buf_init(&text);
	T_EQ_INT(sieve_store_list(st, a, &list, &n, &err), 0);
	T_EQ_INT(n, 0);
	T_EQ_INT(
	    sieve_store_get(st, "main", &text, &err), SIEVE_STORE_NONEXISTENT);
	T_EQ_INT(
	    sieve_store_put(st, "main", "keep;\n", 6, &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_put(st, "b", "a\0b", 3, &err), SIEVE_STORE_OK);
	T_EQ_INT(
	    sieve_store_put(st, "main", "stop;\n", 6, &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_get(st, "main", &text, &err), SIEVE_STORE_OK);
	T_EQ_STR(text.data, "stop;\n");
	T_EQ_INT(sieve_store_get(st, "b", &text, &err), SIEVE_STORE_OK);
	T_EQ_INT(text.len, 3);
	T_EQ_INT(sieve_store_list(st, a, &list, &n, &err), 0);
	T_EQ_INT(n, 2);
	if (n == 2) {
		T_EQ_STR(list[0].name, "b");
		T_EQ_STR(list[1].name, "main");
		T_CHECK(!list[0].active && !list[1].active);
	}
	T_EQ_INT(sieve_store_get(st, "../x", &text, &err), SIEVE_STORE_BADNAME);
	/* Scripts are the owner's alone. */
	snprintf(path, sizeof(path), "%s/sieve/main.sieve", root);
	T_EQ_INT(stat(path, &sb), 0);
	T_EQ_INT(sb.st_mode & 0777, 0600);
	buf_deinit(&text);
	arena_free(&a);
	done_store(&st);
}

static void
test_active(void)
{
	struct sieve_store *st = new_store(0, 0);
	struct arena *a = arena_new();
	struct sieve_store_entry *list;
	struct buf name;
	struct err err;
	size_t n;

	buf_init(&name);
	T_EQ_INT(sieve_store_active(st, &name, &err), 0);
	T_EQ_INT(sieve_store_activate(st, "x", &err), SIEVE_STORE_NONEXISTENT);
	T_EQ_INT(sieve_store_put(st, "x", "keep;", 5, &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_put(st, "y", "keep;", 5, &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_activate(st, "x", &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_active(st, &name, &err), 1);
	T_EQ_STR(name.data, "x");
	T_EQ_INT(sieve_store_list(st, a, &list, &n, &err), 0);
	T_CHECK(n == 2 && list[0].active && !list[1].active);
	T_EQ_INT(sieve_store_delete(st, "x", &err), SIEVE_STORE_ACTIVE);
	T_EQ_INT(sieve_store_rename(st, "x", "y", &err), SIEVE_STORE_EXISTS);
	T_EQ_INT(sieve_store_rename(st, "x", "z", &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_active(st, &name, &err), 1);
	T_EQ_STR(name.data, "z");
	T_EQ_INT(
	    sieve_store_rename(st, "x", "w", &err), SIEVE_STORE_NONEXISTENT);
	T_EQ_INT(sieve_store_activate(st, "", &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_active(st, &name, &err), 0);
	T_EQ_INT(sieve_store_activate(st, NULL, &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_delete(st, "z", &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_delete(st, "z", &err), SIEVE_STORE_NONEXISTENT);
	buf_deinit(&name);
	arena_free(&a);
	done_store(&st);
}

static void
test_limits(void)
{
	struct sieve_store *st = new_store(2, 10);
	struct err err;

	T_EQ_INT(sieve_store_havespace(st, "a", 10, &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_havespace(st, "a", 11, &err), SIEVE_STORE_MAXSIZE);
	T_EQ_INT(sieve_store_put(st, "a", "0123456789x", 11, &err),
	    SIEVE_STORE_MAXSIZE);
	T_EQ_INT(sieve_store_put(st, "a", "keep;", 5, &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_put(st, "b", "keep;", 5, &err), SIEVE_STORE_OK);
	T_EQ_INT(
	    sieve_store_put(st, "c", "keep;", 5, &err), SIEVE_STORE_MAXSCRIPTS);
	/* Replacing an existing script is no new script. */
	T_EQ_INT(sieve_store_put(st, "b", "stop;", 5, &err), SIEVE_STORE_OK);
	T_EQ_INT(sieve_store_havespace(st, "/", 1, &err), SIEVE_STORE_BADNAME);
	done_store(&st);
}

T_MAIN(T_CASE(test_names), T_CASE(test_put_get_list), T_CASE(test_active),
    T_CASE(test_limits))
