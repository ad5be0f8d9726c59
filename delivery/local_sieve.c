/* SPDX-License-Identifier: MIT */
/*
 * Sieve in local delivery (RFC 5228 and extensions, issue 7 section 2):
 * for each user mailbox a recipient reached after alias expansion, the
 * sieve_before scripts, the user's active script (store/sieve_store.h,
 * the one sieved activates) and the sieve_after scripts run on the
 * message; their actions become targets that the rest of local
 * delivers: keep and fileinto (with imap4flags flags and keywords) stay
 * mailbox targets, redirect becomes a forward re-queued with the original
 * sender and one more Delivered-To: (the loop guard), reject a 5.7.1
 * failure whose DSN carries the reason (RFC 5429 §2.2 allows a DSN),
 * discard cancels the mailbox. A runtime error keeps the message in
 * INBOX and is logged; a temporary failure defers the recipient.
 * Scripts and the message are untrusted.
 */
#include "local.h"
#include "local_sieve.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "conf/conf.h"
#include "core/log.h"
#include "sieve/sieve_conf.h"
#include "store/maildir.h"
#include "store/mbox_folder.h"
#include "store/mbox_keywords.h"
#include "store/sieve_store.h"

/* Scripts of one run: before, the user's, after. */
#define LOCAL_SIEVE_SCRIPTS_MAX 32

/* One target's run. */
struct local_sieve_run {
	struct local_req *r;
	size_t ti; /* the mailbox target (an index: targets may move) */
	const struct sieve_script *scripts[LOCAL_SIEVE_SCRIPTS_MAX];
	size_t count;
};

/* Add the scripts of a sieve_before/sieve_after list. 0 or -1 (err). */
static int
local_sieve_add_list(
    struct local_sieve_run *run, const char *list, struct err *err)
{
	const char *cursor = list;
	struct buf path;
	int rc = 0;

	buf_init(&path);
	while (rc >= 0 && conf_list_next(&cursor, &path)) {
		if (run->count == LOCAL_SIEVE_SCRIPTS_MAX - 1) {
			rc = err_set(err, ERR_PERM, "5.7.0",
			    "too many sieve_before/sieve_after scripts");
			break;
		}
		rc = local_sieve_cache_get(run->r->lc, path.data, path.data,
		    &run->scripts[run->count], err);
		if (rc == 0)
			log_warning(
			    "sieve script %s does not exist", path.data);
		else if (rc == 1)
			run->count++;
	}
	buf_deinit(&path);
	return rc < 0 ? -1 : 0;
}

/* Add the user's active script, if any. 0 or -1 (err). */
static int
local_sieve_add_user(
    struct local_sieve_run *run, const char *root, struct err *err)
{
	struct sieve_store_limits lim = {0, 0};
	struct sieve_store *st = sieve_store_new(root, &lim);
	struct buf name, path;
	int rc;

	buf_init(&name);
	buf_init(&path);
	rc = sieve_store_active(st, &name, err);
	if (rc == 1) {
		sieve_store_path(st, name.data, &path);
		rc = local_sieve_cache_get(run->r->lc, path.data, name.data,
		    &run->scripts[run->count], err);
		if (rc == 1)
			run->count++;
	}
	buf_deinit(&name);
	buf_deinit(&path);
	sieve_store_free(&st);
	return rc < 0 ? -1 : 0;
}

static int
local_sieve_sink(void *ctx, const char *data, size_t len, struct err *err)
{
	(void)err;
	buf_append(ctx, data, len);
	return 0;
}

/* The Maildir++ folder of an IMAP mailbox name exists in root? */
static int
local_sieve_folder_exists(const char *root, const char *folder, struct err *err)
{
	struct buf path;
	struct stat sb;
	int rc;

	buf_init(&path);
	if (maildir_folder_path(root, folder, &path, err) != 0) {
		buf_deinit(&path);
		return 0;
	}
	buf_puts(&path, "/cur");
	rc = stat(path.data, &sb) == 0 && S_ISDIR(sb.st_mode);
	buf_deinit(&path);
	return rc;
}

/* RFC 5490 mailboxexists, on the target's maildir. */
static int
local_sieve_mailbox_exists(void *ctx, const char *mailbox, struct err *err)
{
	const struct local_sieve_run *run = ctx;
	struct buf folder;
	int rc = 0;

	buf_init(&folder);
	if (mbox_folder_from_imap(mailbox, &folder, err) == 0)
		rc = local_sieve_folder_exists(
		    run->r->targets[run->ti].path, folder.data, err);
	buf_deinit(&folder);
	return rc;
}

/* RFC 6609 include: :personal scripts from the user's store. */
static int
local_sieve_include(void *ctx, enum sieve_location loc, const char *name,
    const struct sieve_script **script_out, struct err *err)
{
	const struct local_sieve_run *run = ctx;
	struct sieve_store_limits lim = {0, 0};
	struct sieve_store *st;
	struct buf path;
	int rc;

	/* No global script directory is configured: :global finds none. */
	if (loc != SIEVE_LOCATION_PERSONAL || !sieve_store_name_valid(name))
		return 0;
	st = sieve_store_new(run->r->targets[run->ti].path, &lim);
	buf_init(&path);
	sieve_store_path(st, name, &path);
	rc =
	    local_sieve_cache_get(run->r->lc, path.data, name, script_out, err);
	buf_deinit(&path);
	sieve_store_free(&st);
	return rc;
}

/* The input of a run on the message in msg. */
static void
local_sieve_input(struct local_sieve_run *run, const struct buf *msg,
    const char **addresses, struct sieve_input *in)
{
	const struct local_req *r = run->r;
	const struct local_target *t = &r->targets[run->ti];
	const struct queue_rcpt *rcpt = &r->req->env.rcpts[t->rcpt];
	struct tm tm;

	memset(in, 0, sizeof(*in));
	in->msg.data = msg->data;
	in->msg.len = msg->len;
	in->env.from = r->req->env.sender;
	in->env.to = t->address;
	sieve_environment_from_conf(&in->environment, r->lc->conf);
	addresses[0] = t->address;
	addresses[1] = rcpt->address;
	in->environment.user_addresses = addresses;
	in->environment.user_address_count = 2;
	in->environment.now = time(NULL);
	if (localtime_r(&in->environment.now, &tm) != NULL)
		in->environment.zone_minutes = (int)(tm.tm_gmtoff / 60);
	in->cb.ctx = run;
	in->cb.mailbox_exists_fn = local_sieve_mailbox_exists;
	in->cb.include_fn = local_sieve_include;
}

/*
 * RFC 5232 keywords (flags without a backslash) as the folder's keyword
 * letters (store/mbox_keywords.h, shared with imapd). A keyword that
 * cannot be given a letter is logged and left out: never a deferral.
 */
static uint64_t
local_sieve_keyword(struct mbox_index **ix, const char *root,
    const char *folder, const char *name)
{
	uint64_t bit = 0;
	struct err err;
	int rc = 0;

	if ((*ix != NULL || mbox_index_open(root, ix, &err) == 0) &&
	    (rc = mbox_keywords_add(*ix, folder, name, &bit, &err)) > 0)
		return bit;
	if (rc == 0)
		err_set(&err, ERR_PERM, "", "no keyword letter left");
	log_warning("%s: sieve: keyword %s not set: %s", root, name, err.text);
	return 0;
}

/* RFC 5232 flags of a keep or fileinto as Maildir flags and keywords. */
static uint64_t
local_sieve_flags(const struct local_sieve_run *run, const char *folder,
    const struct sieve_action *a)
{
	static const struct {
		const char *name;
		uint64_t flag;
	} map[] = {
	    {"\\Seen", MAILDIR_NAME_SEEN},
	    {"\\Answered", MAILDIR_NAME_REPLIED},
	    {"\\Flagged", MAILDIR_NAME_FLAGGED},
	    {"\\Deleted", MAILDIR_NAME_TRASHED},
	    {"\\Draft", MAILDIR_NAME_DRAFT},
	};
	const char *root = run->r->targets[run->ti].path;
	struct mbox_index *ix = NULL;
	uint64_t flags = 0;
	size_t i, j;

	for (i = 0; i < a->flag_count; i++) {
		if (a->flags[i][0] != '\\') {
			flags |=
			    local_sieve_keyword(&ix, root, folder, a->flags[i]);
			continue;
		}
		for (j = 0; j < sizeof(map) / sizeof(map[0]); j++)
			if (strcasecmp(a->flags[i], map[j].name) == 0)
				flags |= map[j].flag;
	}
	mbox_index_close(&ix);
	return flags;
}

/*
 * fileinto: a mailbox target for the folder. false when the folder is
 * missing and may not be created (or is no valid name): the caller
 * keeps the message in INBOX instead (RFC 5490 §3.2).
 */
static bool
local_sieve_fileinto(struct local_sieve_run *run, const struct sieve_action *a)
{
	struct local_req *r = run->r;
	const struct local_target *t = &r->targets[run->ti];
	const char *root = t->path, *address = t->address;
	uint64_t quota = t->quota;
	size_t rcpt = t->rcpt;
	struct local_target *nt;
	struct buf folder;
	struct err err;
	bool ok = false;

	buf_init(&folder);
	if (mbox_folder_from_imap(a->mailbox, &folder, &err) != 0)
		log_warning("%s: sieve: fileinto \"%s\": %s; kept in INBOX",
		    address, a->mailbox, err.text);
	else if (folder.len == 0)
		ok = false; /* fileinto "INBOX" is a keep */
	else if (!local_sieve_folder_exists(root, folder.data, &err) &&
	    !(a->create || r->lc->conf->sieve_auto_create))
		log_info("%s: sieve: fileinto \"%s\": no such folder; kept in "
		         "INBOX",
		    address, a->mailbox);
	else if (mbox_folder_create(root, a->mailbox, &err) < 0)
		log_warning("%s: sieve: fileinto \"%s\": %s; kept in INBOX",
		    address, a->mailbox, err.text);
	else
		ok = true;
	if (ok) {
		nt = local_target_add(r, rcpt, LOCAL_TARGET_MAILBOX,
		    arena_printf(r->arena, "%s\n%s", root, folder.data),
		    address);
		if (nt != NULL) {
			nt->path = root;
			nt->folder = arena_strdup(r->arena, folder.data);
			nt->flags = local_sieve_flags(run, nt->folder, a);
			nt->quota = quota;
			nt->sieved = true;
		}
	}
	buf_deinit(&folder);
	return ok;
}

/*
 * redirect: a forward re-queued with the original sender. false when
 * the address already handled this message (a redirect loop): the
 * caller keeps it instead, so the loop ends here without a bounce.
 */
static bool
local_sieve_redirect(struct local_sieve_run *run, const struct sieve_action *a)
{
	struct local_req *r = run->r;
	const struct local_target *t = &r->targets[run->ti];
	const char *via = t->address;
	struct local_target *nt;

	if (local_msg_delivered_to(&r->msg, a->address) ||
	    strcasecmp(a->address, via) == 0) {
		log_info("%s: sieve: redirect to <%s> would loop; kept", via,
		    a->address);
		return false;
	}
	nt = local_target_add(
	    r, t->rcpt, LOCAL_TARGET_FORWARD, a->address, a->address);
	if (nt != NULL)
		nt->via = via;
	return true;
}

/* Turn the result into targets; the mailbox target itself last. */
static void
local_sieve_actions(struct local_sieve_run *run, const struct sieve_result *res)
{
	const char *reject = NULL, *what = "discarded";
	uint64_t keep_flags = 0;
	bool keep = false;
	size_t i;

	for (i = 0; i < res->action_count; i++) {
		const struct sieve_action *a = &res->actions[i];

		switch (a->kind) {
		case SIEVE_ACTION_KEEP:
			keep = true;
			keep_flags |= local_sieve_flags(run, NULL, a);
			break;
		case SIEVE_ACTION_FILEINTO:
			what = "filed by Sieve";
			if (!local_sieve_fileinto(run, a)) {
				keep = true;
				keep_flags |= local_sieve_flags(run, NULL, a);
			}
			break;
		case SIEVE_ACTION_REDIRECT:
			what = "redirected by Sieve";
			if (!local_sieve_redirect(run, a))
				keep = true;
			break;
		case SIEVE_ACTION_REJECT:
		case SIEVE_ACTION_EREJECT:
			reject = a->reason;
			break;
		case SIEVE_ACTION_VACATION:
			local_sieve_vacation(run->r, run->ti, &a->vacation);
			break;
		case SIEVE_ACTION_DISCARD:
			break;
		}
	}
	if (reject != NULL)
		local_target_done(run->r, &run->r->targets[run->ti], "5.7.1",
		    "rejected by the recipient's Sieve filter: %s", reject);
	else if (keep)
		run->r->targets[run->ti].flags = keep_flags;
	else
		local_target_done(
		    run->r, &run->r->targets[run->ti], "2.0.0", "%s", what);
}

/* Run the chain on mailbox target ti; msg is loaded on first use. */
static void
local_sieve_target(struct local_req *r, size_t ti, struct buf *msg)
{
	struct local_sieve_run run = {.r = r, .ti = ti};
	const char *addresses[2];
	struct sieve_limits lim = sieve_limits_from_conf(r->lc->conf);
	struct sieve_result res;
	struct sieve_error error;
	struct sieve_input in;
	struct err err;

	r->targets[ti].sieved = true;
	local_sieve_cache_begin(r->lc);
	if (local_sieve_add_list(&run, r->lc->conf->sieve_before, &err) != 0 ||
	    local_sieve_add_user(&run, r->targets[ti].path, &err) != 0 ||
	    local_sieve_add_list(&run, r->lc->conf->sieve_after, &err) != 0) {
		if (err_is_temp(&err)) {
			local_target_err(r, &r->targets[ti], &err);
			return;
		}
		/* A script that does not compile: deliver as if none ran. */
		log_warning("%s: sieve: %s; message kept in INBOX",
		    r->targets[ti].address, err.text);
		return;
	}
	if (run.count == 0)
		return;
	if (msg->len == 0 &&
	    local_msg_copy(&r->msg, true, local_sieve_sink, msg, &err) != 0) {
		local_target_err(r, &r->targets[ti], &err);
		return;
	}
	local_sieve_input(&run, msg, addresses, &in);
	if (sieve_run(run.scripts, run.count, &in, &lim, r->arena, &res,
	        &error) != 0) {
		if (err_is_temp(&error.err)) {
			local_target_err(r, &r->targets[ti], &error.err);
			return;
		}
		log_warning("%s: sieve: runtime error in %s: %s; message kept "
		            "in INBOX",
		    r->targets[ti].address,
		    error.script[0] != '\0' ? error.script : "script",
		    error.err.text);
		return;
	}
	local_sieve_actions(&run, &res);
}

void
local_sieve_apply(struct local_req *r)
{
	size_t i, n = r->ntargets;
	struct buf msg;

	buf_init(&msg);
	/* Targets Sieve adds (i >= n, or marked) are not filtered again. */
	for (i = 0; i < n; i++)
		if (r->targets[i].kind == LOCAL_TARGET_MAILBOX &&
		    !r->targets[i].resolved_done && !r->targets[i].sieved)
			local_sieve_target(r, i, &msg);
	buf_deinit(&msg);
}
