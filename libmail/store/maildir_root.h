/* SPDX-License-Identifier: MIT */
/*
 * Where a user's Maildir++ root is: the one rule that local delivery
 * (which creates it) and the access servers (pop3d, imapd, which read
 * it) share, so they always agree. The account name comes from authd
 * (its primary address); the store location from the user's record.
 */
#ifndef STORE_MAILDIR_ROOT_H
#define STORE_MAILDIR_ROOT_H

#include "core/arena.h"

/*
 * The Maildir root of account: <base>/<domain>/<local>/Maildir, where
 * base is store when it is set (the user's alternate store location),
 * else store_dir (mail_store_directory). A '/' or '%' in the local part
 * becomes %2F or %25 (RFC 5322 atext allows '/'; the mapping stays one
 * to one); an account without '@' goes under "localhost". The result
 * lives in arena. Pure.
 */
const char *maildir_root_path(const char *store, const char *store_dir,
    const char *account, struct arena *arena);

#endif
