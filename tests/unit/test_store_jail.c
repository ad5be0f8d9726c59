/* SPDX-License-Identifier: MIT */
/* Unit tests for store/store_jail: Maildir roots seen from inside and
 * outside a chroot to mail_store_directory. */
#include "store/store_jail.h"

#include <string.h>

#include "t.h"

static void
test_root(void)
{
	static const struct {
		const char *store;
		const char *dir;
		bool jailed;
		int rc;
		const char *root;
	} cases[] = {
	    {"", "/var/mail", false, 0, "/var/mail/ex.org/u/Maildir"},
	    {NULL, "/var/mail", true, 0, "/ex.org/u/Maildir"},
	    {"/var/mail/big", "/var/mail/", true, 0, "/big/ex.org/u/Maildir"},
	    {"/var/mail", "/var/mail", true, 0, "/ex.org/u/Maildir"},
	    {"/srv/mail", "/var/mail", false, 0, "/srv/mail/ex.org/u/Maildir"},
	    {"/srv/mail", "/var/mail", true, -1, NULL},
	    {"/var/mailx", "/var/mail", true, -1, NULL},
	};
	struct arena *a = arena_new();
	const char *root;
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		root = NULL;
		T_EQ_INT(store_jail_root(cases[i].store, cases[i].dir,
		             cases[i].jailed, "u@ex.org", a, &root, &err),
		    cases[i].rc);
		if (cases[i].root != NULL && root != NULL)
			T_EQ_STR(root, cases[i].root);
	}
	arena_free(&a);
}

static void
test_inside(void)
{
	struct stat none;

	memset(&none, 0, sizeof(none));
	T_CHECK(!store_jail_inside(&none));
}

T_MAIN(T_CASE(test_root), T_CASE(test_inside))
