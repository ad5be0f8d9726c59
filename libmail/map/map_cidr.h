/* SPDX-License-Identifier: MIT */
/*
 * cidr: tables: "network/prefix result" lines (IPv4 and IPv6, the
 * address optionally in [brackets]; a bare address is a /32 or /128),
 * searched in file order, first match wins. The parser is pure (fuzzed
 * by fuzz_map_cidr); the file is an admin's, handled as untrusted bytes.
 */
#ifndef MAP_MAP_CIDR_H
#define MAP_MAP_CIDR_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "map/map_source.h"

struct map_cidr;

/*
 * Parse a cidr table. The result lives in arena. NULL with err
 * (ERR_PERM, "name:line: ...") for a bad address or prefix length,
 * non-zero host bits, a missing result, or a reader error.
 */
struct map_cidr *map_cidr_parse(const char *name, const char *text, size_t len,
    const struct map_source_limits *lim, struct arena *arena, struct err *err);
/*
 * Look up an IPv4 or IPv6 address (optionally [bracketed]): 1 with the
 * first matching rule's result in value_out, 0 when no rule matches or
 * addr is not an address. Never -1.
 */
int map_cidr_lookup(
    const struct map_cidr *m, const char *addr, struct buf *value_out);

#endif
