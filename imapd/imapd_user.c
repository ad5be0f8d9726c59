/* SPDX-License-Identifier: MIT */
/*
 * A logged-in user's mailbox, shared by every session of that user in
 * this process: the Maildir++ root, found by the rule local delivery
 * uses (store/maildir_root.h) from what authd says about the account,
 * and the LMDB index, which must be opened once per process. At the
 * first open the special-use folders are made (RFC 6154). Paths are
 * relative to the mail store, our working directory, so they are the
 * same inside and outside the chroot.
 */
#include "imapd.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "imapd_mailbox.h"
#include "ipc/auth_client.h"
#include "store/maildir_root.h"
#include "store/mbox_folder.h"
#include "store/mbox_index.h"

/*
 * The store base for an account: "." (the mail store) by default; a
 * store location inside the mail store as a path relative to it; one
 * outside only when not chrooted (it cannot be reached from the jail).
 */
static int
imapd_user_base(struct imapd_session *s, const char *store,
    const char **base_out, struct err *err)
{
	const char *dir = s->d->conf->mail_store_directory;
	size_t n = strlen(dir);

	if (store == NULL || store[0] == '\0') {
		*base_out = ".";
		return 0;
	}
	if (strncmp(store, dir, n) == 0 && (store[n] == '/' || store[n] == 0)) {
		*base_out = arena_printf(s->arena, ".%s", store + n);
		return 0;
	}
	if (s->d->chrooted)
		return err_set(err, ERR_PERM, "5.3.5",
		    "store location %s is outside mail_store_directory", store);
	*base_out = store;
	return 0;
}

static struct imapd_user *
imapd_user_find(struct imapd *d, const char *name)
{
	struct imapd_user *u;

	for (u = d->users; u != NULL; u = u->next)
		if (strcmp(u->name, name) == 0)
			return u;
	return NULL;
}

int
imapd_user_open(struct imapd_session *s, const char *name, struct err *err)
{
	struct imapd *d = s->d;
	struct imapd_user *u = imapd_user_find(d, name);
	struct auth_account acct;
	const char *base, *root;
	struct mbox_index *ix;
	int rc;

	if (u != NULL) {
		u->refs++;
		s->u = u;
		return 0;
	}
	rc = auth_client_lookup(d->auth, name, &acct, s->arena, err);
	if (rc == 0)
		return err_set(
		    err, ERR_PERM, "5.1.1", "authd does not know %s", name);
	if (rc < 0 || imapd_user_base(s, acct.store, &base, err) != 0)
		return -1;
	root = maildir_root_path(base, ".", acct.address, s->arena);
	if (mbox_folder_create_special(root, err) != 0 ||
	    mbox_index_open(root, &ix, err) != 0)
		return -1;
	u = xcalloc(1, sizeof(*u));
	u->name = xstrdup(name);
	u->root = xstrdup(root);
	u->ix = ix;
	u->quota = acct.quota;
	u->refs = 1;
	u->next = d->users;
	d->users = u;
	s->u = u;
	return 0;
}

void
imapd_user_unref(struct imapd_session *s)
{
	struct imapd_user *u = s->u, **pp;

	s->u = NULL;
	if (u == NULL || --u->refs > 0)
		return;
	for (pp = &s->d->users; *pp != u; pp = &(*pp)->next)
		;
	*pp = u->next;
	mbox_index_close(&u->ix);
	free(u->name);
	free(u->root);
	free(u);
}
