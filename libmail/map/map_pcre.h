/* SPDX-License-Identifier: MIT */
/*
 * pcre: tables, as Postfix pcre_table(5) defines them: "/pattern/flags
 * result" lines tried in file order, "!/pattern/flags result" for a
 * non-match, "if /pattern/flags" ... "endif" blocks that nest, and $1
 * ... $9 (also ${n}, $(n); $$ is a dollar) in results. Matching is
 * case-insensitive unless the i flag toggles it. Patterns compile once,
 * at parse time; every match runs under PCRE2 match, depth and heap
 * limits, and hitting one is a temporary failure, never "no match".
 * The parser is pure (fuzzed by fuzz_map_pcre); the file is an admin's,
 * handled as untrusted bytes.
 */
#ifndef MAP_MAP_PCRE_H
#define MAP_MAP_PCRE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "map/map_source.h"

struct map_pcre_limits {
	uint32_t match_limit; /* pcre2_set_match_limit */
	uint32_t depth_limit; /* pcre2_set_depth_limit */
	uint32_t heap_limit_kib; /* pcre2_set_heap_limit, KiB */
};

/* The limits map_open() uses. */
struct map_pcre_limits map_pcre_limits_default(void);

struct map_pcre;

/*
 * Parse and compile a pcre table. Caller owns the result (all of it,
 * compiled patterns included): release with map_pcre_free(). NULL with
 * err (ERR_PERM, "name:line: ...") for a syntax or PCRE2 compile error,
 * an unknown flag, a bad or out-of-range $n, $n in a negated rule, an
 * unbalanced if/endif, or a reader error. Does not block.
 */
struct map_pcre *map_pcre_parse(const char *name, const char *text, size_t len,
    const struct map_source_limits *lim, const struct map_pcre_limits *plim,
    struct err *err);
void map_pcre_free(struct map_pcre **mp);
/*
 * Match key (not case-folded) against the rules: 1 with the expanded
 * result in value_out, 0 no rule matched, -1 with err (ERR_TEMP) when a
 * PCRE2 limit was hit or matching failed. Not reentrant: one lookup at a
 * time per table (it reuses its match data).
 */
int map_pcre_lookup(struct map_pcre *m, const char *key, struct buf *value_out,
    struct err *err);

#endif
