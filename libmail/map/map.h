/* SPDX-License-Identifier: MIT */
/*
 * Lookup tables, "type:name" as in Postfix: lmdb:/path (built from a text
 * source by postern map), pcre:/path, cidr:/path, inline:{k=v, ...},
 * static:value. A lookup returns 1 found, 0 not found, -1 temporary
 * failure (never confused with "not found": callers answer 4xx).
 */
#ifndef MAP_MAP_H
#define MAP_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct map;
struct maps;

/*
 * Open one map. For lmdb:, name is the source file path; the database is
 * name + ".lmdb". Returns NULL with err filled (unknown type, missing
 * file, a pcre: syntax error with file:line). Caller owns the result.
 */
struct map *map_open(const char *spec, struct err *err);
void map_close(struct map **mapp);
/*
 * Look key up. Keys are case-folded for every type but pcre: (whose
 * patterns say /i themselves), as Postfix does. The result is copied
 * into value_out. 1, 0 or -1.
 */
int map_lookup(
    struct map *map, const char *key, struct buf *value_out, struct err *err);
const char *map_spec(const struct map *map);

/* A list of maps ("maps" parameter type), searched in order. */
struct maps *maps_open(const char *list, struct err *err);
void maps_close(struct maps **mapsp);
int maps_lookup(
    struct maps *maps, const char *key, struct buf *value_out, struct err *err);
/*
 * Address lookup order (Postfix access(5), virtual(5)): user+ext@domain,
 * user@domain, user+ext, user, @domain; the bare-user forms only when
 * the domain is local (local_domain true). delimiters: the
 * recipient_delimiter characters, or "" for none.
 */
int maps_lookup_address(struct maps *maps, const char *address,
    bool local_domain, const char *delimiters, struct buf *value_out,
    struct err *err);
/*
 * Access-table order for a sender or recipient address (Postfix
 * access(5)): user+ext@domain, user@domain, then the domain and each
 * parent domain as for clients, then user+ext@ and user@. Added beside
 * maps_lookup_address because smtpd's check_*_access use this order.
 */
int maps_lookup_access(struct maps *maps, const char *address,
    const char *delimiters, struct buf *value_out, struct err *err);
/*
 * Client lookup order: hostname, then each parent domain (".parent"
 * then "parent" for each: the first matches subdomains only, the second
 * the domain and its subdomains, as Postfix 2 did); then the address,
 * then its truncations (a.b.c.d, a.b.c, a.b, a for IPv4; at ':' for
 * IPv6), as Postfix check_client_access does. Pattern maps (pcre:,
 * cidr:) see only the whole hostname and the whole address, never the
 * partial keys; in every order, each key is tried in all maps before
 * the next key. hostname or addr may be NULL or "" to skip that part.
 */
int maps_lookup_client(struct maps *maps, const char *hostname,
    const char *addr, struct buf *value_out, struct err *err);

/* Source formats for map_build(). */
enum map_source_format {
	MAP_SOURCE_TABLE, /* "key value" lines (postmap) */
	MAP_SOURCE_ALIASES, /* "name: a, b" lines (newaliases) */
};

/*
 * Compile a text source into source_path + ".lmdb", written to a
 * temporary file and renamed over the old one, so readers never see a
 * half-built table. Errors name file:line. 0 or -1.
 */
int map_build(
    const char *source_path, enum map_source_format format, struct err *err);

#endif
