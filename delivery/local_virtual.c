/* SPDX-License-Identifier: MIT */
/*
 * virtual_alias_maps lookups in the order of Postfix virtual(5):
 * user+ext@domain, user@domain, then (for mydestination domains only)
 * user+ext and user, then the catch-all @domain. When the match was
 * for the address without its extension, the extension is carried over
 * to each result address (user+foo@a -> "user@a: x@b" gives x+foo@b),
 * as Postfix's propagate_unmatched_extensions does by default; a
 * catch-all match passes no extension on.
 */
#include "local.h"

#include <string.h>

#include "conf/conf.h"
#include "map/map.h"
#include "msg/address.h"

/* Rewrite the list in value with delim+ext added to each address. */
static void
local_virtual_extend(
    struct buf *value, char delim, const char *ext, size_t ext_len)
{
	const char *cur;
	struct buf out, item;
	const char *at;

	buf_init(&out);
	buf_init(&item);
	/* value is only replaced after the walk. */
	cur = value->data;
	while (conf_list_next(&cur, &item)) {
		if (out.len > 0)
			buf_puts(&out, ", ");
		at = strrchr(item.data, '@');
		if (at == NULL || at == item.data) {
			buf_puts(&out, item.data);
			continue;
		}
		buf_printf(&out, "%.*s%c%.*s%s", (int)(at - item.data),
		    item.data, delim, (int)ext_len, ext, at);
	}
	buf_set(value, out.data);
	buf_deinit(&item);
	buf_deinit(&out);
}

int
local_virtual_lookup(struct local_req *r, const char *address,
    bool local_domain, struct buf *value_out, struct err *err)
{
	struct maps *maps = r->lc->virtual_maps;
	struct arena *a = r->arena;
	struct address_parts p;
	const char *keys[5];
	bool unextended[5] = {false};
	size_t n = 0, i;
	int dlen, llen, flen, rc;

	address_split(
	    address, strlen(address), r->lc->conf->recipient_delimiter, &p);
	if (p.domain == NULL)
		return 0;
	dlen = (int)p.domain_len;
	llen = (int)p.local_len;
	/* The local part with its extension, as written. */
	flen = (int)(p.domain - address) - 1;
	keys[n++] = address;
	if (p.ext != NULL) {
		unextended[n] = true;
		keys[n++] =
		    arena_printf(a, "%.*s@%.*s", llen, p.local, dlen, p.domain);
	}
	if (local_domain) {
		keys[n++] = arena_printf(a, "%.*s", flen, address);
		if (p.ext != NULL) {
			unextended[n] = true;
			keys[n++] = arena_printf(a, "%.*s", llen, p.local);
		}
	}
	keys[n++] = arena_printf(a, "@%.*s", dlen, p.domain);
	for (i = 0; i < n; i++) {
		if ((rc = maps_lookup(maps, keys[i], value_out, err)) == 0)
			continue;
		if (rc > 0 && unextended[i])
			local_virtual_extend(
			    value_out, p.delim, p.ext, p.ext_len);
		return rc;
	}
	return 0;
}
