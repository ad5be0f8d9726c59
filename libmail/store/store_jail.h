/* SPDX-License-Identifier: MIT */
/*
 * Finding a user's Maildir from a daemon that may be chrooted to
 * mail_store_directory (sieved; the same rule pop3d and imapd apply):
 * inside the jail the store is "/", so paths lose that prefix, and an
 * alternate store location outside it cannot be reached.
 */
#ifndef STORE_STORE_JAIL_H
#define STORE_STORE_JAIL_H

#include <stdbool.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/err.h"

/*
 * After the jail: is "/" the directory whose stat() before the jail is
 * *store (st_ino 0: unknown, never jailed)? Does I/O (stat).
 */
bool store_jail_inside(const struct stat *store);

/*
 * The Maildir root of account (maildir_root_path rules) with the
 * user's store location (NULL or "" for the default) as the process
 * sees it: under store_dir when not jailed, relative to "/" when
 * jailed. 0 with *root_out in arena, or -1 with err (ERR_PERM) when
 * the location lies outside store_dir and the process is jailed.
 */
int store_jail_root(const char *store, const char *store_dir, bool jailed,
    const char *account, struct arena *arena, const char **root_out,
    struct err *err);

#endif
