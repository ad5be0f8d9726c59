/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/map: map_open for every type, map_build with
 * the lmdb: type (atomic replacement, growth past the initial map), and
 * the maps_* lookup orders.
 */
#include "map/map.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/xmalloc.h"
#include "db/db_lmdb.h"

#include "t.h"

static char t_dir[64];

/* A fresh path in the test directory; caller frees. */
static char *
t_path(const char *name)
{
	if (t_dir[0] == '\0') {
		snprintf(t_dir, sizeof(t_dir), "/tmp/postern-test-map.XXXXXX");
		if (mkdtemp(t_dir) == NULL)
			abort();
	}
	return xasprintf("%s/%s", t_dir, name);
}

static char *
t_write(const char *name, const char *text)
{
	char *path = t_path(name);
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0)
		abort();
	return path;
}

/* Open spec, look key up, compare; want NULL means "not found". */
static void
t_lookup(const char *spec, const char *key, const char *want)
{
	struct map *m;
	struct buf v;
	struct err err;

	buf_init(&v);
	m = map_open(spec, &err);
	if (!T_CHECK(m != NULL)) {
		fprintf(stderr, "  %s: %s\n", spec, err.text);
		return;
	}
	T_EQ_STR(map_spec(m), spec);
	if (!T_EQ_INT(map_lookup(m, key, &v, &err), want != NULL ? 1 : 0))
		fprintf(stderr, "  %s: key %s\n", spec, key);
	else if (want != NULL)
		T_EQ_STR(v.data, want);
	map_close(&m);
	T_CHECK(m == NULL);
	buf_deinit(&v);
}

static void
map_static_and_inline(void)
{
	t_lookup("static:OK", "anything", "OK");
	t_lookup("static:{ 550 go away }", "x", "550 go away");
	t_lookup("inline:{a=1, B=2}", "b", "2");
	t_lookup("inline:{a=1, b=2}", "A", "1");
	t_lookup("inline:{a=1, b=2}", "c", NULL);
	t_lookup("inline:{ { key = text, with comma }, z=9 }", "KEY",
	    "text, with comma");
	t_lookup("inline:{d=first, d=second}", "d", "first");
	t_lookup("inline:{}", "a", NULL);
}

static void
map_open_errors(void)
{
	static const struct {
		const char *spec;
		enum err_kind kind;
		const char *err;
	} cases[] = {
	    {"nocolon", ERR_PERM, "nocolon: expected type:name"},
	    {":x", ERR_PERM, ":x: expected type:name"},
	    {"bogus:x", ERR_PERM, "bogus:x: unknown map type \"bogus\""},
	    {"static:", ERR_PERM, "static:: empty value"},
	    {"static:{ }", ERR_PERM, "static:{ }: empty value"},
	    {"inline:a=b", ERR_PERM, "inline:a=b: expected {key=value, ...}"},
	    {"inline:{a=b", ERR_PERM, "inline:{a=b: expected {key=value, ...}"},
	    {"inline:{a}", ERR_PERM, "inline:{a}: missing '=' in \"a\""},
	    {"inline:{=b}", ERR_PERM, "inline:{=b}: empty key in \"=b\""},
	    {"inline:{a=}", ERR_PERM, "inline:{a=}: empty value in \"a=\""},
	    {"inline:{a=b, {c=d}", ERR_PERM,
	        "inline:{a=b, {c=d}: missing '}' in \"a=b, {c=d\""},
	    {"pcre:/nonexistent/x.pcre", ERR_TEMP,
	        "/nonexistent/x.pcre: No such file or directory"},
	    {"lmdb:/nonexistent/x", ERR_TEMP,
	        "/nonexistent/x.lmdb: No such file or directory"},
	};
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		T_CHECK(map_open(cases[i].spec, &err) == NULL);
		T_EQ_INT(err.kind, cases[i].kind);
		if (!T_EQ_STR(err.text, cases[i].err))
			fprintf(stderr, "  case %zu\n", i);
	}
}

static void
map_file_types_report_file_line(void)
{
	char *pcre = t_write("bad.pcre", "/ok/ 1\n/a(/ 2\n");
	char *cidr = t_write("bad.cidr", "10.0.0.0/8 a\n\n10.0.0.1/8 b\n");
	char *spec;
	struct err err;

	spec = xasprintf("pcre:%s", pcre);
	T_CHECK(map_open(spec, &err) == NULL);
	T_EQ_INT(err.kind, ERR_PERM);
	T_CHECK(strstr(err.text, "bad.pcre:2: pattern error") != NULL);
	free(spec);
	spec = xasprintf("cidr:%s", cidr);
	T_CHECK(map_open(spec, &err) == NULL);
	T_CHECK(strstr(err.text, "bad.cidr:3: non-zero host bits") != NULL);
	free(spec);
	free(pcre);
	free(cidr);
}

static void
map_pcre_and_cidr_files(void)
{
	char *pcre = t_write("t.pcre", "/^(.*)@example\\.com$/ local $1\n");
	char *cidr = t_write("t.cidr", "127.0.0.0/8 loopback\n");
	char *spec;

	spec = xasprintf("pcre:%s", pcre);
	/* pcre: keys are not case-folded: the pattern decides (i flag). */
	t_lookup(spec, "Bob@EXAMPLE.com", "local Bob");
	free(spec);
	spec = xasprintf("cidr:%s", cidr);
	t_lookup(spec, "127.1.2.3", "loopback");
	t_lookup(spec, "128.0.0.1", NULL);
	free(spec);
	free(pcre);
	free(cidr);
}

static void
map_build_table_and_aliases(void)
{
	char *table = t_write("access",
	    "Example.COM  REJECT\n1.2.3.4 OK\n"
	    "# comment\nuser@x.org   550 no\n  such user\nexample.com dup\n");
	char *aliases = t_write("aliases",
	    "Root: admin, \"|/bin/x y\"\n"
	    "admin: ops@example.com\n");
	char *empty = t_write("empty", "");
	char *spec;
	struct err err;

	T_EQ_INT(map_build(table, MAP_SOURCE_TABLE, &err), 0);
	spec = xasprintf("lmdb:%s", table);
	t_lookup(spec, "EXAMPLE.com", "REJECT");
	/* A continuation line joins without the newline. */
	t_lookup(spec, "user@x.org", "550 no  such user");
	free(spec);
	spec = xasprintf("hash:%s", table);
	t_lookup(spec, "1.2.3.4", "OK");
	t_lookup(spec, "User@X.org", "550 no  such user");
	/* Of duplicate keys the first wins. */
	t_lookup(spec, "example.com", "REJECT");
	t_lookup(spec, "2.3.4.5", NULL);
	free(spec);
	T_EQ_INT(map_build(aliases, MAP_SOURCE_ALIASES, &err), 0);
	spec = xasprintf("lmdb:%s", aliases);
	t_lookup(spec, "root", "admin, \"|/bin/x y\"");
	t_lookup(spec, "ADMIN", "ops@example.com");
	free(spec);
	T_EQ_INT(map_build(empty, MAP_SOURCE_TABLE, &err), 0);
	spec = xasprintf("lmdb:%s", empty);
	t_lookup(spec, "anything", NULL);
	free(spec);
	free(table);
	free(aliases);
	free(empty);
}

/* Temporary files map_build leaves behind: none, whatever happened. */
static int
t_count_temps(void)
{
	struct dirent *de;
	DIR *d = opendir(t_dir);
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".lmdb.") != NULL)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static void
map_build_replaces_atomically(void)
{
	struct db_lmdb_opts ro = {.flags = DB_LMDB_RDONLY | DB_LMDB_NOLOCK};
	char *src = t_write("virtual", "k one\n");
	char *db_path = xasprintf("%s.lmdb", src);
	char *spec = xasprintf("lmdb:%s", src);
	struct db_lmdb *old_db;
	struct map *map;
	struct stat st1, st2;
	struct buf v;
	struct err err;

	buf_init(&v);
	T_EQ_INT(chmod(src, 0640), 0);
	T_EQ_INT(map_build(src, MAP_SOURCE_TABLE, &err), 0);
	T_EQ_INT(stat(db_path, &st1), 0);
	T_EQ_INT(st1.st_mode & 0777, 0640);
	old_db = db_lmdb_open(db_path, &ro, &err);
	map = map_open(spec, &err);
	if (!T_CHECK(old_db != NULL && map != NULL))
		goto done;
	/* A failed build leaves the old table in place, and no debris. */
	free(t_write("virtual", "k two\nbroken\n"));
	T_EQ_INT(map_build(src, MAP_SOURCE_TABLE, &err), -1);
	T_CHECK(strstr(err.text, "virtual:2: expected") != NULL);
	T_EQ_INT(map_lookup(map, "k", &v, &err), 1);
	T_EQ_STR(v.data, "one");
	T_EQ_INT(t_count_temps(), 0);
	/* A good build: a new file renamed over the old one. */
	free(t_write("virtual", "k two\n"));
	T_EQ_INT(map_build(src, MAP_SOURCE_TABLE, &err), 0);
	T_EQ_INT(stat(db_path, &st2), 0);
	T_CHECK(st1.st_ino != st2.st_ino);
	T_EQ_INT(t_count_temps(), 0);
	/* Who had the old file open still reads the old table intact... */
	T_EQ_INT(db_lmdb_lookup(old_db, "k", 1, &v, &err), 1);
	T_EQ_STR(v.data, "one");
	/* ...and an open map notices the new file on its next lookup. */
	T_EQ_INT(map_lookup(map, "k", &v, &err), 1);
	T_EQ_STR(v.data, "two");
done:
	map_close(&map);
	db_lmdb_close(&old_db);
	buf_deinit(&v);
	free(spec);
	free(db_path);
	free(src);
}

static void
map_build_grows_past_initial_map(void)
{
	char *src = t_path("big");
	char *spec = xasprintf("lmdb:%s", src);
	char value[201], *want;
	FILE *fp = fopen(src, "w");
	struct err err;
	int i;

	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	/* About 7 MB of records against a 1 MiB initial map. */
	for (i = 0; fp != NULL && i < 30000; i++)
		fprintf(fp, "key%05d %s%d\n", i, value, i);
	T_CHECK(fp != NULL && fclose(fp) == 0);
	if (!T_EQ_INT(map_build(src, MAP_SOURCE_TABLE, &err), 0))
		fprintf(stderr, "  %s\n", err.text);
	want = xasprintf("%s29999", value);
	t_lookup(spec, "KEY29999", want);
	free(want);
	free(spec);
	free(src);
}

static void
map_build_errors(void)
{
	char *missing = t_path("no-such-source");
	char *longkey = xcalloc(1, 600);
	char *src;
	struct err err;

	T_EQ_INT(map_build(missing, MAP_SOURCE_TABLE, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	memset(longkey, 'k', 520);
	memcpy(longkey + 520, " v\n", 3);
	src = t_write("longkey", longkey);
	T_EQ_INT(map_build(src, MAP_SOURCE_TABLE, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_CHECK(strstr(err.text, "longkey:1: key longer than 511") != NULL);
	T_EQ_INT(t_count_temps(), 0);
	free(src);
	free(longkey);
	free(missing);
}

typedef int t_order_fn(struct maps *maps, struct buf *v, struct err *err);

/*
 * The order a lookup tries keys: put every candidate key in an inline
 * map (value = key), look up, drop the winner, repeat until nothing
 * matches. Candidates that must never be tried are decoys.
 */
static void
t_order(const char *const *keys, size_t n, t_order_fn *fn, const char *want)
{
	bool *gone = xcalloc(n, sizeof(*gone));
	struct buf spec, got, v;
	struct maps *maps;
	struct err err;
	size_t i, round;

	buf_init(&spec);
	buf_init(&got);
	buf_init(&v);
	for (round = 0; round <= n; round++) {
		buf_set(&spec, "inline:{");
		for (i = 0; i < n; i++)
			if (!gone[i])
				buf_printf(&spec, "{%s=%s},", keys[i], keys[i]);
		buf_puts(&spec, "}");
		if (!T_CHECK((maps = maps_open(spec.data, &err)) != NULL))
			break;
		if (fn(maps, &v, &err) != 1) {
			maps_close(&maps);
			break;
		}
		buf_printf(&got, "%s%s", got.len ? " " : "", v.data);
		for (i = 0; i < n; i++)
			if (strcmp(keys[i], v.data) == 0)
				gone[i] = true;
		maps_close(&maps);
	}
	T_EQ_STR(got.data, want);
	buf_deinit(&spec);
	buf_deinit(&got);
	buf_deinit(&v);
	free(gone);
}

static const char *const t_addr_keys[] = {
    "user+ext@example.com",
    "user@example.com",
    "user+ext",
    "user",
    "@example.com",
    "example.com",
    "user@",
    "ext",
    ".example.com",
    "user+ext@",
    "com",
};
#define T_NKEYS(a) (sizeof(a) / sizeof((a)[0]))

static int
t_addr_local(struct maps *m, struct buf *v, struct err *err)
{
	return maps_lookup_address(
	    m, "User+Ext@Example.COM", true, "+-", v, err);
}

static int
t_addr_remote(struct maps *m, struct buf *v, struct err *err)
{
	return maps_lookup_address(
	    m, "user+ext@example.com", false, "+", v, err);
}

static int
t_addr_nodelim(struct maps *m, struct buf *v, struct err *err)
{
	return maps_lookup_address(m, "user+ext@example.com", true, "", v, err);
}

static int
t_addr_nodomain(struct maps *m, struct buf *v, struct err *err)
{
	return maps_lookup_address(m, "user+ext", false, "+", v, err);
}

static int
t_access(struct maps *m, struct buf *v, struct err *err)
{
	return maps_lookup_access(m, "user+ext@mail.example.com", "+", v, err);
}

static int
t_client4(struct maps *m, struct buf *v, struct err *err)
{
	return maps_lookup_client(m, "Mail.Example.com", "192.168.1.7", v, err);
}

static int
t_client6(struct maps *m, struct buf *v, struct err *err)
{
	return maps_lookup_client(m, NULL, "2001:db8::1", v, err);
}

static void
maps_lookup_orders(void)
{
	static const char *const access_keys[] = {
	    "user+ext@mail.example.com",
	    "user@mail.example.com",
	    "mail.example.com",
	    ".example.com",
	    "example.com",
	    ".com",
	    "com",
	    "user+ext@",
	    "user@",
	    "user",
	    "@mail.example.com",
	    "user+ext",
	};
	static const char *const client_keys[] = {
	    "mail.example.com",
	    ".example.com",
	    "example.com",
	    ".com",
	    "com",
	    "192.168.1.7",
	    "192.168.1",
	    "192.168",
	    "192",
	    "mail",
	    "168.1.7",
	    "2001:db8::1",
	    "2001:db8:",
	    "2001:db8",
	    "2001",
	    "db8::1",
	};

	/* virtual(5): the bare-user forms only for a local domain. */
	t_order(t_addr_keys, T_NKEYS(t_addr_keys), t_addr_local,
	    "user+ext@example.com user@example.com user+ext user "
	    "@example.com");
	t_order(t_addr_keys, T_NKEYS(t_addr_keys), t_addr_remote,
	    "user+ext@example.com user@example.com @example.com");
	t_order(t_addr_keys, T_NKEYS(t_addr_keys), t_addr_nodelim,
	    "user+ext@example.com user+ext @example.com");
	t_order(t_addr_keys, T_NKEYS(t_addr_keys), t_addr_nodomain,
	    "user+ext user");
	/* access(5). */
	t_order(access_keys, T_NKEYS(access_keys), t_access,
	    "user+ext@mail.example.com user@mail.example.com "
	    "mail.example.com .example.com example.com .com com user+ext@ "
	    "user@");
	/* check_client_access. */
	t_order(client_keys, T_NKEYS(client_keys), t_client4,
	    "mail.example.com .example.com example.com .com com "
	    "192.168.1.7 192.168.1 192.168 192");
	t_order(client_keys, T_NKEYS(client_keys), t_client6,
	    "2001:db8::1 2001:db8: 2001:db8 2001");
}

/* Each key is tried in every map before the next, less specific, key. */
static void
maps_key_major_and_patterns(void)
{
	char *pcre = t_write("orders.pcre", "/^(.*)$/ pcre saw $1\n");
	char *cidr = t_write("orders.cidr", "192.168.0.0/16 cidr\n");
	char *spec = xasprintf("inline:{user=first-map}, pcre:%s", pcre);
	char *cspec = xasprintf("cidr:%s, inline:{example.com=domain}", cidr);
	struct maps *maps;
	struct buf v;
	struct err err;

	buf_init(&v);
	maps =
	    maps_open("inline:{user=first}, inline:{user@d.org=second}", &err);
	if (T_CHECK(maps != NULL)) {
		T_EQ_INT(
		    maps_lookup_address(maps, "user@d.org", true, "", &v, &err),
		    1);
		T_EQ_STR(v.data, "second");
		T_EQ_INT(maps_lookup(maps, "USER", &v, &err), 1);
		T_EQ_STR(v.data, "first");
	}
	maps_close(&maps);
	/* A pattern map sees the whole address, never a derived key. */
	maps = maps_open(spec, &err);
	if (T_CHECK(maps != NULL)) {
		T_EQ_INT(maps_lookup_address(
		             maps, "User+x@d.org", true, "+", &v, &err),
		    1);
		T_EQ_STR(v.data, "pcre saw User+x@d.org");
	}
	maps_close(&maps);
	/* cidr: the whole client address only; hostnames do not parse. */
	maps = maps_open(cspec, &err);
	if (T_CHECK(maps != NULL)) {
		T_EQ_INT(maps_lookup_client(
		             maps, "mx.example.com", "192.168.3.4", &v, &err),
		    1);
		T_EQ_STR(v.data, "domain");
		T_EQ_INT(maps_lookup_client(
		             maps, "mx.example.net", "192.168.3.4", &v, &err),
		    1);
		T_EQ_STR(v.data, "cidr");
	}
	maps_close(&maps);
	buf_deinit(&v);
	free(spec);
	free(cspec);
	free(pcre);
	free(cidr);
}

static void
maps_temporary_failure_stops_search(void)
{
	char *pcre = t_write("slow.pcre", "/^(a+)+$/ never\n");
	char *spec = xasprintf("pcre:%s, static:would-match", pcre);
	char key[64];
	struct maps *maps;
	struct buf v;
	struct err err;

	memset(key, 'a', 40);
	memcpy(key + 40, "!", 2);
	buf_init(&v);
	maps = maps_open(spec, &err);
	if (T_CHECK(maps != NULL)) {
		T_EQ_INT(maps_lookup(maps, key, &v, &err), -1);
		T_EQ_INT(err.kind, ERR_TEMP);
		T_EQ_INT(maps_lookup_client(maps, NULL, key, &v, &err), -1);
		T_EQ_INT(
		    maps_lookup_address(maps, key, true, "", &v, &err), -1);
		T_EQ_INT(maps_lookup(maps, "b", &v, &err), 1);
	}
	maps_close(&maps);
	maps_close(&maps);
	buf_deinit(&v);
	free(spec);
	free(pcre);
}

static void
maps_open_lists(void)
{
	struct maps *maps;
	struct buf v;
	struct err err;

	buf_init(&v);
	maps = maps_open("", &err);
	if (T_CHECK(maps != NULL))
		T_EQ_INT(
		    maps_lookup_client(maps, "a.b", "1.2.3.4", &v, &err), 0);
	maps_close(&maps);
	maps = maps_open(" ,inline:{a=1},\n static:{two words} ", &err);
	if (T_CHECK(maps != NULL)) {
		T_EQ_INT(maps_lookup(maps, "a", &v, &err), 1);
		T_EQ_STR(v.data, "1");
		T_EQ_INT(maps_lookup(maps, "b", &v, &err), 1);
		T_EQ_STR(v.data, "two words");
	}
	maps_close(&maps);
	T_CHECK(maps_open("inline:{a=1}, bogus:x", &err) == NULL);
	T_EQ_STR(err.text, "bogus:x: unknown map type \"bogus\"");
	T_CHECK(maps_open("inline:{a=1}}", &err) == NULL);
	buf_deinit(&v);
}

static void
t_cleanup(void)
{
	char cmd[128];

	if (t_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", t_dir);
	}
}

T_MAIN(T_CASE(map_static_and_inline), T_CASE(map_open_errors),
    T_CASE(map_file_types_report_file_line), T_CASE(map_pcre_and_cidr_files),
    T_CASE(map_build_table_and_aliases), T_CASE(map_build_replaces_atomically),
    T_CASE(map_build_grows_past_initial_map), T_CASE(map_build_errors),
    T_CASE(maps_lookup_orders), T_CASE(maps_key_major_and_patterns),
    T_CASE(maps_temporary_failure_stops_search), T_CASE(maps_open_lists),
    T_CASE(t_cleanup))
