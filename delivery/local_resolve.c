/* SPDX-License-Identifier: MIT */
/*
 * From a recipient to targets, in the order Postfix applies its
 * tables: virtual_alias_maps (for every domain of ours), alias_maps
 * (mydestination only), then the users database through authd, whose
 * forwards are expanded in turn. Each address reached by an expansion
 * goes through the same steps, one level deeper, so a loop ends at
 * local_recursion_limit at the latest; an address already being
 * expanded further up the chain, or one named by a Delivered-To: field
 * of the message, is a mail forwarding loop (5.4.6). An address that
 * maps to itself ("alias: alias, other") means "also the mailbox
 * itself": the table that mapped it is not consulted again.
 *
 * A lookup that fails temporarily defers the recipient (4.3.0); it is
 * never taken for "unknown user".
 */
#include "local.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "ipc/auth_client.h"
#include "map/map.h"
#include "msg/address.h"
#include "store/maildir_root.h"

/* The mailbox of acct, reached as address. */
static void
local_resolve_mailbox(struct local_req *r, const struct local_walk *w,
    const char *address, const struct auth_account *acct)
{
	const char *root = maildir_root_path(acct->store,
	    r->lc->conf->mail_store_directory, acct->address, r->arena);
	struct local_target *t;

	t = local_target_add(r, w->rcpt, LOCAL_TARGET_MAILBOX, root, address);
	if (t != NULL) {
		t->path = root;
		t->quota = acct->quota;
	}
}

/* authd, with the extension removed on a miss: 1, 0 or -1. */
static int
local_resolve_lookup(struct local_req *r, const char *address,
    const struct address_parts *p, struct auth_account *acct, struct err *err)
{
	const char *base;
	int rc;

	rc = auth_client_lookup(r->lc->auth, address, acct, r->arena, err);
	if (rc != 0 || p->ext == NULL || p->domain == NULL)
		return rc;
	base = arena_printf(r->arena, "%.*s@%.*s", (int)p->local_len, p->local,
	    (int)p->domain_len, p->domain);
	return auth_client_lookup(r->lc->auth, base, acct, r->arena, err);
}

/* Forward addresses of a user, comma-separated as authd sends them. */
static void
local_resolve_forwards(struct local_req *r, const struct local_walk *w,
    const char *address, const struct auth_account *acct)
{
	struct local_walk sub = *w;
	const char *cur = acct->forwards;
	struct buf item;

	sub.klass = "forward";
	buf_init(&item);
	while (conf_list_next(&cur, &item)) {
		if (strcasecmp(item.data, address) == 0 ||
		    strcasecmp(item.data, acct->address) == 0)
			local_resolve_mailbox(r, w, address, acct);
		else
			local_resolve_address(r, &sub, item.data, 0);
	}
	buf_deinit(&item);
	if (acct->keep_copy)
		local_resolve_mailbox(r, w, address, acct);
}

static void
local_resolve_user(struct local_req *r, const struct local_walk *w,
    const char *address, const struct address_parts *p, unsigned skip)
{
	struct auth_account acct;
	struct err err;
	int rc;

	rc = local_resolve_lookup(r, address, p, &acct, &err);
	if (rc < 0) {
		local_target_fail(r, w->rcpt, address, "4.3.0",
		    "user lookup of <%s> failed: %s", address, err.text);
		return;
	}
	if (rc == 0) {
		local_target_fail(r, w->rcpt, address, "5.1.1",
		    "unknown user: \"%s\"", address);
		return;
	}
	if (!acct.mail_enabled) {
		local_target_fail(r, w->rcpt, address, "5.2.1",
		    "mailbox disabled for <%s>", address);
		return;
	}
	if (acct.forwards[0] != '\0' && !(skip & LOCAL_SKIP_FORWARD))
		local_resolve_forwards(r, w, address, &acct);
	else
		local_resolve_mailbox(r, w, address, &acct);
}

/* virtual_alias_maps: 1 handled (expanded or failed), 0 no entry. */
static int
local_resolve_virtual(struct local_req *r, const struct local_walk *w,
    const char *address, enum local_class cls)
{
	struct local_walk sub = *w;
	struct buf value, item;
	const char *cur;
	struct err err;
	int rc;

	if (r->lc->virtual_unusable) {
		local_target_fail(r, w->rcpt, address, "4.3.0",
		    "virtual_alias_maps cannot be opened");
		return 1;
	}
	if (r->lc->virtual_maps == NULL)
		return 0;
	buf_init(&value);
	rc = local_virtual_lookup(
	    r, address, cls == LOCAL_CLASS_LOCAL, &value, &err);
	if (rc < 0)
		local_target_fail(r, w->rcpt, address, "4.3.0",
		    "virtual alias lookup of <%s> failed: %s", address,
		    err.text);
	sub.klass = "alias";
	buf_init(&item);
	for (cur = value.data; rc > 0 && conf_list_next(&cur, &item);) {
		if (strchr(item.data, '@') == NULL)
			buf_printf(&item, "@%s", r->lc->conf->myorigin);
		if (strcasecmp(item.data, address) == 0)
			local_resolve_address(
			    r, &sub, item.data, LOCAL_SKIP_VIRTUAL);
		else
			local_resolve_address(r, &sub, item.data, 0);
	}
	buf_deinit(&item);
	buf_deinit(&value);
	return rc != 0;
}

/* A remote address reached by expansion is mail to send on. */
static void
local_resolve_remote(
    struct local_req *r, const struct local_walk *parent, const char *address)
{
	struct local_target *t;

	if (strchr(address, '@') == NULL) {
		local_target_fail(r, parent->rcpt, address, "5.1.3",
		    "bad address syntax: \"%s\"", address);
		return;
	}
	/* qmgr sent us a domain that is not ours: its transport settings
	 * disagree with ours. Keep the mail until the admin decides. */
	if (parent->address == NULL) {
		local_target_fail(r, parent->rcpt, address, "4.3.5",
		    "<%s> is not in a domain delivered here "
		    "(mydestination, virtual_alias_domains, "
		    "virtual_mailbox_domains)",
		    address);
		return;
	}
	t = local_target_add(
	    r, parent->rcpt, LOCAL_TARGET_FORWARD, address, address);
	if (t != NULL)
		t->via = parent->address;
}

/* Loops: too deep, already on the chain, or seen in Delivered-To:. */
static bool
local_resolve_loop(struct local_req *r, const struct local_walk *parent,
    const char *address, unsigned skip)
{
	const struct local_walk *p;

	if (parent->depth + 1 > (unsigned)r->lc->conf->local_recursion_limit) {
		local_target_fail(r, parent->rcpt, address, "5.4.6",
		    "mail forwarding loop for <%s>: expansion nested more "
		    "than %lld levels",
		    address, r->lc->conf->local_recursion_limit);
		return true;
	}
	for (p = parent; skip == 0 && p != NULL; p = p->parent)
		if (p->address != NULL && strcasecmp(p->address, address) == 0)
			break;
	if ((skip == 0 && p != NULL) ||
	    local_msg_delivered_to(&r->msg, address)) {
		local_target_fail(r, parent->rcpt, address, "5.4.6",
		    "mail forwarding loop for <%s>", address);
		return true;
	}
	return false;
}

void
local_resolve_address(struct local_req *r, const struct local_walk *parent,
    const char *address, unsigned skip)
{
	const struct conf *conf = r->lc->conf;
	struct local_walk here = *parent;
	struct address_parts p;
	enum local_class cls;
	const char *domain;
	char *addr;
	size_t i;

	addr = arena_strdup(r->arena, address);
	for (i = 0; addr[i] != '\0'; i++)
		addr[i] = (char)tolower((unsigned char)addr[i]);
	if (local_resolve_loop(r, parent, addr, skip))
		return;
	here.depth = parent->depth + 1;
	here.address = addr;
	here.parent = parent;
	address_split(addr, strlen(addr), conf->recipient_delimiter, &p);
	domain = p.domain == NULL
	    ? NULL
	    : arena_strndup(r->arena, p.domain, p.domain_len);
	cls = local_domain_class(conf, domain);
	if (cls == LOCAL_CLASS_REMOTE) {
		local_resolve_remote(r, parent, addr);
		return;
	}
	if (!(skip & LOCAL_SKIP_VIRTUAL) &&
	    local_resolve_virtual(r, &here, addr, cls))
		return;
	if (cls == LOCAL_CLASS_LOCAL && !(skip & LOCAL_SKIP_ALIAS) &&
	    local_alias_expand(r, &here, addr))
		return;
	if (cls == LOCAL_CLASS_VALIAS) {
		local_target_fail(r, here.rcpt, addr, "5.1.1",
		    "unknown user: \"%s\" (not in virtual_alias_maps)", addr);
		return;
	}
	local_resolve_user(r, &here, addr, &p, skip);
}

void
local_resolve(struct local_req *r, size_t i)
{
	struct local_walk root = {.rcpt = i, .klass = "alias"};

	local_resolve_address(r, &root, r->req->env.rcpts[i].address, 0);
}
