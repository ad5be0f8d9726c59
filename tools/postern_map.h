/* SPDX-License-Identifier: MIT */
/*
 * Private header shared by postern map and postern alias / newaliases
 * (tools/postern_map*.c, tools/postern_alias.c): naming a table on the
 * command line, building it, querying it. Input is the administrator's
 * command line and files.
 */
#ifndef TOOLS_POSTERN_MAP_H
#define TOOLS_POSTERN_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "map/map.h"
#include "postern.h"

/* Exit statuses of a query (-q), as scripts test them. */
#define POSTERN_MAP_FOUND 0
#define POSTERN_MAP_NOT_FOUND 1
#define POSTERN_MAP_ERROR 2

/* Largest source file or stdin read, in bytes. */
#define POSTERN_MAP_SOURCE_MAX (256 * 1024 * 1024)

/*
 * A command-line table: "type:name", or a bare file name meaning lmdb:.
 * Writes the full spec into spec_out and the name part into name_out.
 * Returns true when the type is built from a source file by map_build()
 * (lmdb:, and its Postfix spellings hash: and btree:).
 */
bool postern_map_operand(
    const char *operand, struct buf *spec_out, struct buf *name_out);

/*
 * Build one table operand from its source in format. Types that are
 * read directly (pcre:, cidr:, ...) are opened instead, which checks
 * their syntax. Prints its own error. 0 or -1.
 */
int postern_map_build_one(const char *operand, enum map_source_format format);

/*
 * Look key up in each spec in order and print the first value found;
 * key "-" reads keys from stdin, one per line, and prints "key value"
 * for each found. Returns POSTERN_MAP_FOUND (some key found),
 * POSTERN_MAP_NOT_FOUND or POSTERN_MAP_ERROR (message printed).
 */
int postern_map_query(char *const *specs, size_t nspecs, const char *key);

/*
 * Read all of fd into out (replacing it), at most max bytes. 0, or -1
 * with err filled. Blocks.
 */
int postern_map_read_fd(int fd, size_t max, struct buf *out, struct err *err);

/*
 * postern map -i: add the "key value" lines on stdin to the lmdb: table
 * operand (its source file is created when missing) and rebuild it.
 * A POSTERN_EXIT_* status; prints its own messages.
 */
int postern_map_incremental(const char *operand);

#endif
