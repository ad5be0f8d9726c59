/* SPDX-License-Identifier: MIT */
/*
 * Lists of maps ("maps" parameters) and the Postfix lookup orders built
 * on them: virtual(5) for addresses, access(5) for access tables,
 * check_client_access for clients. Each key is tried in every map, in
 * list order, before the next key; a temporary failure stops the search
 * at once, so it can never turn into "not found".
 */
#include "map/map.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "map/map_impl.h"

struct maps {
	struct map **v;
	size_t n;
	struct buf key; /* scratch for derived keys */
};

static int
maps_open_item(const char *item, size_t len, void *ctx, struct err *err)
{
	struct maps *ms = ctx;
	char *spec = xstrndup(item, len);
	struct map *m = map_open(spec, err);

	free(spec);
	if (m == NULL)
		return -1;
	ms->v = xreallocarray(ms->v, ms->n + 1, sizeof(*ms->v));
	ms->v[ms->n++] = m;
	return 0;
}

struct maps *
maps_open(const char *list, struct err *err)
{
	struct maps *ms = xcalloc(1, sizeof(*ms));

	buf_init(&ms->key);
	if (map_list_split(list, maps_open_item, ms, err) != 0) {
		maps_close(&ms);
		return NULL;
	}
	return ms;
}

void
maps_close(struct maps **mapsp)
{
	struct maps *ms = *mapsp;
	size_t i;

	if (ms == NULL)
		return;
	for (i = 0; i < ms->n; i++)
		map_close(&ms->v[i]);
	free(ms->v);
	buf_deinit(&ms->key);
	free(ms);
	*mapsp = NULL;
}

/* partial: a derived key, which pattern maps never see. */
static int
maps_find(struct maps *ms, const char *key, bool partial, struct buf *value_out,
    struct err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < ms->n; i++) {
		if (partial && ms->v[i]->ops->pattern)
			continue;
		if ((rc = map_lookup(ms->v[i], key, value_out, err)) != 0)
			return rc;
	}
	return 0;
}

int
maps_lookup(
    struct maps *maps, const char *key, struct buf *value_out, struct err *err)
{
	return maps_find(maps, key, false, value_out, err);
}

/* Look up the concatenation a + b (b may be NULL) as a partial key. */
static int
maps_find2(struct maps *ms, const char *a, size_t alen, const char *b,
    struct buf *value_out, struct err *err)
{
	buf_reset(&ms->key);
	buf_append(&ms->key, a, alen);
	if (b != NULL)
		buf_puts(&ms->key, b);
	return maps_find(ms, ms->key.data, true, value_out, err);
}

/* Length of the local part without its extension (Postfix split_addr:
 * a delimiter in the first position does not start an extension). */
static size_t
maps_base_len(const char *local, size_t llen, const char *delimiters)
{
	size_t i;

	if (delimiters == NULL || *delimiters == '\0')
		return llen;
	for (i = 1; i < llen; i++)
		if (strchr(delimiters, local[i]) != NULL)
			return i;
	return llen;
}

/* ".parent" then "parent" for each parent domain of name. */
static int
maps_find_parents(
    struct maps *ms, const char *name, struct buf *value_out, struct err *err)
{
	const char *dot;
	int rc;

	for (dot = strchr(name, '.'); dot != NULL && dot[1] != '\0';
	     dot = strchr(dot + 1, '.')) {
		if ((rc = maps_find2(
		         ms, dot, strlen(dot), NULL, value_out, err)) != 0 ||
		    (rc = maps_find2(ms, dot + 1, strlen(dot + 1), NULL,
		         value_out, err)) != 0)
			return rc;
	}
	return 0;
}

int
maps_lookup_address(struct maps *maps, const char *address, bool local_domain,
    const char *delimiters, struct buf *value_out, struct err *err)
{
	const char *at = strrchr(address, '@');
	const char *domain = at != NULL && at[1] != '\0' ? at : NULL;
	size_t llen = at != NULL ? (size_t)(at - address) : strlen(address);
	size_t blen = maps_base_len(address, llen, delimiters);
	int rc;

	if ((rc = maps_find(maps, address, false, value_out, err)) != 0)
		return rc;
	if (blen < llen && domain != NULL &&
	    (rc = maps_find2(maps, address, blen, domain, value_out, err)) != 0)
		return rc;
	if (local_domain || domain == NULL) {
		/* Without a domain, the whole address was the first key. */
		if (domain != NULL &&
		    (rc = maps_find2(
		         maps, address, llen, NULL, value_out, err)) != 0)
			return rc;
		if (blen < llen &&
		    (rc = maps_find2(
		         maps, address, blen, NULL, value_out, err)) != 0)
			return rc;
	}
	if (domain != NULL)
		return maps_find2(
		    maps, domain, strlen(domain), NULL, value_out, err);
	return 0;
}

int
maps_lookup_access(struct maps *maps, const char *address,
    const char *delimiters, struct buf *value_out, struct err *err)
{
	const char *at = strrchr(address, '@');
	const char *domain = at != NULL && at[1] != '\0' ? at + 1 : NULL;
	size_t llen = at != NULL ? (size_t)(at - address) : strlen(address);
	size_t blen = maps_base_len(address, llen, delimiters);
	int rc;

	if ((rc = maps_find(maps, address, false, value_out, err)) != 0)
		return rc;
	if (blen < llen && domain != NULL &&
	    (rc = maps_find2(maps, address, blen, at, value_out, err)) != 0)
		return rc;
	if (domain != NULL &&
	    ((rc = maps_find2(
	          maps, domain, strlen(domain), NULL, value_out, err)) != 0 ||
	        (rc = maps_find_parents(maps, domain, value_out, err)) != 0))
		return rc;
	if ((rc = maps_find2(maps, address, llen, "@", value_out, err)) != 0)
		return rc;
	if (blen < llen)
		return maps_find2(maps, address, blen, "@", value_out, err);
	return 0;
}

/* a.b.c.d, a.b.c, a.b, a (':' for IPv6), as check_client_access. */
static int
maps_find_truncated(
    struct maps *ms, const char *addr, struct buf *value_out, struct err *err)
{
	char delim = strchr(addr, ':') != NULL ? ':' : '.';
	size_t len = strlen(addr);
	int rc;

	for (;;) {
		while (len > 0 && addr[len - 1] != delim)
			len--;
		if (len <= 1)
			return 0;
		len--; /* drop the delimiter itself */
		if ((rc = maps_find2(ms, addr, len, NULL, value_out, err)) != 0)
			return rc;
	}
}

int
maps_lookup_client(struct maps *maps, const char *hostname, const char *addr,
    struct buf *value_out, struct err *err)
{
	int rc;

	if (hostname != NULL && *hostname != '\0' &&
	    ((rc = maps_find(maps, hostname, false, value_out, err)) != 0 ||
	        (rc = maps_find_parents(maps, hostname, value_out, err)) != 0))
		return rc;
	if (addr != NULL && *addr != '\0' &&
	    ((rc = maps_find(maps, addr, false, value_out, err)) != 0 ||
	        (rc = maps_find_truncated(maps, addr, value_out, err)) != 0))
		return rc;
	return 0;
}
