/* SPDX-License-Identifier: MIT */
/*
 * static:value (or static:{value with spaces}): every lookup finds the
 * same value. Pure; the text comes from main.cf.
 */
#include "map/map_impl.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

static void *
map_static_open(const char *name, struct err *err)
{
	size_t len = strlen(name);
	const char *v = map_list_unbrace(name, &len);

	if (len == 0) {
		err_set(err, ERR_PERM, "", "static:%s: empty value", name);
		return NULL;
	}
	return xstrndup(v, len);
}

static int
map_static_lookup(
    void *impl, const char *key, struct buf *value_out, struct err *err)
{
	(void)key;
	(void)err;
	buf_set(value_out, impl);
	return 1;
}

static void
map_static_close(void *impl)
{
	free(impl);
}

const struct map_ops map_static_ops = {
    .type = "static",
    .pattern = false,
    .fold = false,
    .open = map_static_open,
    .lookup = map_static_lookup,
    .close = map_static_close,
};
