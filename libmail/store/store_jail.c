/* SPDX-License-Identifier: MIT */
/*
 * A user's Maildir root as seen from inside or outside a chroot to the
 * mail store (store/store_jail.h). The store location comes from the
 * users database (trusted); nothing here is network input.
 */
#include "store/store_jail.h"

#include <string.h>

#include "store/maildir_root.h"

bool
store_jail_inside(const struct stat *store)
{
	struct stat root;

	return store->st_ino != 0 && stat("/", &root) == 0 &&
	    root.st_dev == store->st_dev && root.st_ino == store->st_ino;
}

int
store_jail_root(const char *store, const char *store_dir, bool jailed,
    const char *account, struct arena *arena, const char **root_out,
    struct err *err)
{
	size_t n = strlen(store_dir);

	if (!jailed) {
		*root_out = maildir_root_path(store, store_dir, account, arena);
		return 0;
	}
	while (n > 1 && store_dir[n - 1] == '/')
		n--;
	if (store != NULL && store[0] != '\0') {
		if (strncmp(store, store_dir, n) != 0 ||
		    (store[n] != '/' && store[n] != '\0'))
			return err_set(err, ERR_PERM, "5.3.5",
			    "store location %s is outside "
			    "mail_store_directory, the chroot of this process",
			    store);
		store += n;
	}
	*root_out = maildir_root_path(store, "", account, arena);
	return 0;
}
