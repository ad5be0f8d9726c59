/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers for map source text: the logical-line reader every map
 * file format shares (comments, continuation lines), and the two formats
 * map_build() compiles: tables ("key value", as postmap reads them) and
 * aliases ("name: a, b", as newaliases reads them). Input is an admin's
 * file, treated as untrusted bytes: no I/O, logging or globals here;
 * every error names name:line. Fuzzed by fuzz_map_table/fuzz_map_aliases.
 */
#ifndef MAP_MAP_SOURCE_H
#define MAP_MAP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

struct map_source_limits {
	size_t line_max; /* bytes in one logical line */
	size_t key_max; /* bytes in a key (LMDB allows 511) */
	size_t items_max; /* items in one alias */
	size_t nest_max; /* if..endif depth (pcre:) */
};

/* The limits map_open() and map_build() use. */
struct map_source_limits map_source_limits_default(void);

/*
 * Logical lines: a line whose first byte is white space continues the
 * previous one (the newline is dropped, the white space kept); empty,
 * white-space-only and '#' comment lines are skipped; a trailing CR is
 * dropped. The reader does not copy: lines are assembled in a caller's
 * buf.
 */
struct map_source_reader {
	const char *text;
	size_t len;
	size_t pos;
	size_t lineno; /* physical line of the next read */
	const char *name; /* for error messages */
	const struct map_source_limits *lim;
};

void map_source_reader_init(struct map_source_reader *r, const char *name,
    const char *text, size_t len, const struct map_source_limits *lim);
/*
 * Next logical line into line_out (replacing its contents, without the
 * newline) and its first physical line number into lineno_out. 1 line,
 * 0 end of text, -1 with err ("name:line: ...", ERR_PERM): NUL byte,
 * line longer than line_max, continuation with nothing to continue.
 */
int map_source_next(struct map_source_reader *r, struct buf *line_out,
    size_t *lineno_out, struct err *err);

/* One compiled record; strings live in the arena given to the parser. */
struct map_source_entry {
	const char *key; /* lowercased */
	const char *value;
	size_t lineno;
};

struct map_source_entries {
	struct map_source_entry *v;
	size_t n;
	size_t cap;
};

/* Append to entries (arena-backed growth). */
void map_source_entries_add(struct map_source_entries *e, struct arena *arena,
    const char *key, const char *value, size_t lineno);

/*
 * Parse a postmap-style table: each logical line is a key, white space,
 * and a value (the rest of the line, trimmed). Entries are appended in
 * file order, duplicates included (map_build keeps the first). 0, or -1
 * with err naming name:line (no value, key longer than key_max, the
 * reader's errors). Output lives in arena.
 */
int map_source_table_parse(const char *name, const char *text, size_t len,
    const struct map_source_limits *lim, struct arena *arena,
    struct map_source_entries *out, struct err *err);

/*
 * Parse an aliases file: "name: item, item, ...", the name optionally
 * "quoted". Items are addresses, "|command", /file, :include:/path;
 * any part of an item may be "quoted" (with \" and \\ inside) to hold
 * commas or white space. Each entry's value is the canonical list
 * (items joined by ", ", quoted where needed) that
 * map_source_aliases_split() reads back. 0 or -1 with err naming
 * name:line. Output lives in arena.
 */
int map_source_aliases_parse(const char *name, const char *text, size_t len,
    const struct map_source_limits *lim, struct arena *arena,
    struct map_source_entries *out, struct err *err);

enum map_source_alias_kind {
	MAP_SOURCE_ALIAS_ADDRESS,
	MAP_SOURCE_ALIAS_COMMAND, /* "|command": text without the bar */
	MAP_SOURCE_ALIAS_FILE, /* "/path": text is the path */
	MAP_SOURCE_ALIAS_INCLUDE, /* :include: file; text is its path */
};

struct map_source_alias_item {
	enum map_source_alias_kind kind;
	const char *text;
};

/*
 * Split an alias value (as stored by map_build, or as written after the
 * colon) into items, unquoted and classified, in arena. Empty items
 * (",,", a trailing comma) are skipped. 0 with items_out and n_out set, or -1
 * with err (ERR_PERM: unterminated quote, more than items_max items, an
 * empty command, file or include path).
 */
int map_source_aliases_split(const char *value,
    const struct map_source_limits *lim, struct arena *arena,
    struct map_source_alias_item **items_out, size_t *n_out, struct err *err);

#endif
