/* SPDX-License-Identifier: MIT */
/*
 * The Maildir root of an account (store/maildir_root.h): used by local
 * delivery and by pop3d and imapd. The account text comes from authd.
 */
#include "store/maildir_root.h"

#include <string.h>

#include "core/buf.h"

const char *
maildir_root_path(const char *store, const char *store_dir,
    const char *account, struct arena *arena)
{
	const char *base = store != NULL && store[0] != '\0' ? store
	                                                     : store_dir;
	const char *at = strrchr(account, '@');
	const char *end = at != NULL ? at : account + strlen(account);
	struct buf local;
	const char *p, *root;

	/* RFC 5322 atext allows '/' in a local part: never a path
	 * separator here. '%' is escaped too so the mapping is 1:1. */
	buf_init(&local);
	for (p = account; p < end; p++) {
		if (*p == '/' || *p == '%')
			buf_printf(&local, "%%%02X", (unsigned char)*p);
		else
			buf_putc(&local, *p);
	}
	root = arena_printf(arena, "%s/%s/%s/Maildir", base,
	    at != NULL ? at + 1 : "localhost", local.data);
	buf_deinit(&local);
	return root;
}
