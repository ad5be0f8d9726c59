/* SPDX-License-Identifier: MIT */
/*
 * The folder hierarchy of the logged-in user (RFC 3501 §6.3.3-6.3.10):
 * LIST with its wildcards, CHILDREN (RFC 3348) and SPECIAL-USE (RFC
 * 6154) attributes, CREATE, DELETE, RENAME and STATUS, on the Maildir++
 * folders of store/mbox_folder.h. Names are validated by
 * imapd_select_name() before the store sees them.
 */
#include "imapd.h"

#include <string.h>
#include <strings.h>

#include "imap/imap_write.h"
#include "imapd_mailbox.h"
#include "store/mbox_folder.h"
#include "store/mbox_index.h"
#include "store/mbox_sync.h"

bool
imapd_folder_match(const char *pattern, const char *name)
{
	/* INBOX is case-insensitive (RFC 3501 §5.1). */
	if (strncasecmp(pattern, "INBOX", 5) == 0 &&
	    strncmp(name, "INBOX", 5) == 0 &&
	    (pattern[5] == '\0' || pattern[5] == '/') &&
	    (name[5] == '\0' || name[5] == '/')) {
		pattern += 5;
		name += 5;
	}
	for (; *pattern != '\0'; pattern++) {
		if (*pattern == '*' || *pattern == '%') {
			const char *p = name;

			for (;;) {
				if (imapd_folder_match(pattern + 1, p))
					return true;
				if (*p == '\0' ||
				    (*pattern == '%' && *p == MBOX_FOLDER_SEP))
					return false;
				p++;
			}
		}
		if (*pattern != *name)
			return false;
		name++;
	}
	return *name == '\0';
}

/* Does any folder of the list live below name? */
static bool
imapd_folder_has_children(
    const struct mbox_folder_entry *list, size_t n, const char *name)
{
	size_t len = strlen(name), i;

	for (i = 0; i < n; i++)
		if (strncmp(list[i].imap, name, len) == 0 &&
		    list[i].imap[len] == MBOX_FOLDER_SEP)
			return true;
	return false;
}

static bool
imapd_folder_exists(
    const struct mbox_folder_entry *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i].imap, name) == 0)
			return true;
	return false;
}

static void
imapd_folder_list_one(struct imapd_session *s, const char *verb,
    const char *attrs, const char *name)
{
	struct buf *out = imapd_io_out(s);

	buf_printf(out, "* %s (%s) \"/\" ", verb, attrs);
	imap_write_astring(out, name, strlen(name), 0);
	buf_puts(out, "\r\n");
}

/*
 * Parents that are no folder of their own ("a" of "a/b" in Maildir++)
 * are listed \Noselect when the pattern matches them, once each.
 */
static void
imapd_folder_list_parents(struct imapd_session *s,
    const struct mbox_folder_entry *list, size_t n, size_t i,
    const char *pattern)
{
	const char *name = list[i].imap, *sep;
	char *parent;
	size_t k;

	for (sep = strchr(name, MBOX_FOLDER_SEP); sep != NULL;
	     sep = strchr(sep + 1, MBOX_FOLDER_SEP)) {
		parent = arena_strndup(s->arena, name, (size_t)(sep - name));
		if (imapd_folder_exists(list, n, parent) ||
		    !imapd_folder_match(pattern, parent))
			continue;
		/* Listed already by an earlier sibling? */
		for (k = 0; k < i; k++)
			if (strncmp(list[k].imap, parent, strlen(parent)) ==
			        0 &&
			    list[k].imap[strlen(parent)] == MBOX_FOLDER_SEP)
				break;
		if (k == i)
			imapd_folder_list_one(
			    s, "LIST", "\\Noselect \\HasChildren", parent);
	}
}

/* The STATUS items (RFC 3501 §6.3.10, RFC 9051 SIZE, RFC 7162). */
static bool
imapd_folder_status_items(struct imapd_session *s, const struct imap_arg *l,
    const struct mbox_index_status *st, struct buf *out)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		const struct imap_arg *a = &l->list[i];

		if (i > 0)
			buf_putc(out, ' ');
		if (imap_arg_is_atom(a, "MESSAGES"))
			buf_printf(
			    out, "MESSAGES %lu", (unsigned long)st->messages);
		else if (imap_arg_is_atom(a, "RECENT"))
			buf_puts(out, "RECENT 0");
		else if (imap_arg_is_atom(a, "UIDNEXT"))
			buf_printf(
			    out, "UIDNEXT %lu", (unsigned long)st->uidnext);
		else if (imap_arg_is_atom(a, "UIDVALIDITY"))
			buf_printf(out, "UIDVALIDITY %lu",
			    (unsigned long)st->uidvalidity);
		else if (imap_arg_is_atom(a, "UNSEEN"))
			buf_printf(
			    out, "UNSEEN %lu", (unsigned long)st->unseen);
		else if (imap_arg_is_atom(a, "SIZE"))
			buf_printf(
			    out, "SIZE %llu", (unsigned long long)st->bytes);
		else if (imap_arg_is_atom(a, "HIGHESTMODSEQ")) {
			buf_printf(out, "HIGHESTMODSEQ %llu",
			    (unsigned long long)st->highestmodseq);
			s->enabled |= IMAPD_ENABLED_CONDSTORE;
		} else
			return false;
	}
	return true;
}

/* What one LIST asks (RFC 3501 §6.3.8, RFC 5258 LIST-EXTENDED). */
struct imapd_folder_query {
	const struct imap_arg *patterns; /* npatterns astrings */
	size_t npatterns;
	const char *ref;
	bool sel_subscribed; /* (SUBSCRIBED): subscribed folders only */
	bool ret_subscribed; /* RETURN (SUBSCRIBED) */
	const struct imap_arg *status; /* RETURN (STATUS (items)) or NULL */
};

static bool
imapd_folder_query_return(
    struct imapd_folder_query *q, const struct imap_arg *l)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		const struct imap_arg *a = &l->list[i];

		if (imap_arg_is_atom(a, "SUBSCRIBED"))
			q->ret_subscribed = true;
		else if (imap_arg_is_atom(a, "STATUS") && i + 1 < l->count &&
		    l->list[i + 1].type == IMAP_ARG_LIST &&
		    l->list[i + 1].count > 0)
			q->status = &l->list[++i];
		else if (!imap_arg_is_atom(a, "CHILDREN") &&
		    !imap_arg_is_atom(a, "SPECIAL-USE"))
			return false;
	}
	return true;
}

/* Parse [(select-opts)] reference pattern-or-(patterns) [RETURN (...)]. */
static bool
imapd_folder_query(const struct imap_cmd *cmd, struct imapd_folder_query *q)
{
	const struct imap_arg *a = cmd->args, *end = cmd->args + cmd->count;
	size_t i;

	memset(q, 0, sizeof(*q));
	if (a < end && a->type == IMAP_ARG_LIST) {
		for (i = 0; i < a->count; i++) {
			if (imap_arg_is_atom(&a->list[i], "SUBSCRIBED"))
				q->sel_subscribed = q->ret_subscribed = true;
			else if (!imap_arg_is_atom(&a->list[i], "REMOTE") &&
			    !imap_arg_is_atom(&a->list[i], "RECURSIVEMATCH") &&
			    !imap_arg_is_atom(&a->list[i], "SPECIAL-USE"))
				return false;
		}
		a++;
	}
	if (end - a < 2 || !imap_arg_is_astring(a))
		return false;
	q->ref = a->str;
	a++;
	if (a->type == IMAP_ARG_LIST) {
		q->patterns = a->list;
		q->npatterns = a->count;
	} else {
		q->patterns = a;
		q->npatterns = 1;
	}
	for (i = 0; i < q->npatterns; i++)
		if (!imap_arg_is_astring(&q->patterns[i]))
			return false;
	a++;
	if (a == end)
		return true;
	return end - a == 2 && imap_arg_is_atom(a, "RETURN") &&
	    a[1].type == IMAP_ARG_LIST && imapd_folder_query_return(q, &a[1]);
}

static bool
imapd_folder_query_match(struct imapd_session *s,
    const struct imapd_folder_query *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->npatterns; i++)
		if (imapd_folder_match(arena_printf(s->arena, "%s%s", q->ref,
		                           q->patterns[i].str),
		        name))
			return true;
	return false;
}

/* LIST-STATUS (RFC 5819): the STATUS of a listed folder. */
static void
imapd_folder_list_status(struct imapd_session *s, const struct imap_arg *items,
    const struct mbox_folder_entry *e)
{
	struct mbox_index_status st;
	struct buf line;
	struct err err;
	int rc;

	if (mbox_sync_folder(s->u->ix, e->folder, NULL, &err) != 0 ||
	    (rc = mbox_index_status(s->u->ix, e->folder, &st, &err)) < 0)
		return;
	if (rc == 0)
		memset(&st, 0, sizeof(st));
	buf_init(&line);
	buf_puts(&line, "* STATUS ");
	imap_write_astring(&line, e->imap, strlen(e->imap), 0);
	buf_puts(&line, " (");
	if (imapd_folder_status_items(s, items, &st, &line)) {
		buf_puts(&line, ")\r\n");
		buf_append(imapd_io_out(s), line.data, line.len);
	}
	buf_deinit(&line);
}

static void
imapd_folder_list_entries(struct imapd_session *s,
    const struct imapd_folder_query *q, const struct mbox_folder_entry *list,
    size_t n)
{
	struct buf attrs;
	bool subscribed;
	size_t i;

	buf_init(&attrs);
	for (i = 0; i < n; i++) {
		if (!q->sel_subscribed && q->npatterns == 1)
			imapd_folder_list_parents(s, list, n, i,
			    arena_printf(
			        s->arena, "%s%s", q->ref, q->patterns[0].str));
		if (!imapd_folder_query_match(s, q, list[i].imap))
			continue;
		subscribed =
		    q->ret_subscribed && imapd_subscribe_has(s, list[i].imap);
		if (q->sel_subscribed && !subscribed)
			continue;
		buf_set(&attrs,
		    imapd_folder_has_children(list, n, list[i].imap)
		        ? "\\HasChildren"
		        : "\\HasNoChildren");
		if (subscribed)
			buf_puts(&attrs, " \\Subscribed");
		if (list[i].special_use != NULL)
			buf_printf(&attrs, " %s", list[i].special_use);
		imapd_folder_list_one(s, "LIST", attrs.data, list[i].imap);
		if (q->status != NULL)
			imapd_folder_list_status(s, q->status, &list[i]);
	}
	buf_deinit(&attrs);
}

void
imapd_folder_list(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct imapd_folder_query q;
	struct mbox_folder_entry *list;
	struct err err;
	size_t n;

	if (!imapd_folder_query(cmd, &q)) {
		imapd_reply(s, cmd->tag, "BAD",
		    "LIST needs a reference and a "
		    "mailbox pattern");
		return;
	}
	if (q.npatterns == 1 && q.patterns[0].len == 0 && !q.sel_subscribed) {
		/* RFC 3501 §6.3.8: the hierarchy delimiter and root. */
		imapd_untagged(s, "LIST (\\Noselect) \"/\" \"\"");
		imapd_reply(s, cmd->tag, "OK", "LIST completed");
		return;
	}
	if (mbox_folder_list(s->u->root, s->arena, &list, &n, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		return;
	}
	imapd_folder_list_entries(s, &q, list, n);
	imapd_reply(s, cmd->tag, "OK", "LIST completed");
}

/* One mailbox-name argument, validated: its IMAP name in name. */
static bool
imapd_folder_arg(struct imapd_session *s, const struct imap_cmd *cmd,
    size_t nargs, size_t i, struct buf *name)
{
	struct err err;

	if (cmd->count != nargs) {
		imapd_reply(s, cmd->tag, "BAD", "Wrong number of arguments");
		return false;
	}
	if (imapd_select_name(s, &cmd->args[i], name, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		return false;
	}
	return true;
}

void
imapd_folder_create(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct buf name;
	struct err err;
	int rc;

	buf_init(&name);
	if (imapd_folder_arg(s, cmd, 1, 0, &name)) {
		/* RFC 3501 §6.3.3: a trailing separator only says that
		 * subfolders will follow. */
		if (name.len > 1 && name.data[name.len - 1] == MBOX_FOLDER_SEP)
			buf_truncate(&name, name.len - 1);
		rc = mbox_folder_create(s->u->root, name.data, &err);
		if (rc > 0)
			imapd_reply(s, cmd->tag, "OK", "CREATE completed");
		else if (rc == 0)
			imapd_reply(s, cmd->tag, "NO",
			    "[ALREADYEXISTS] Mailbox "
			    "exists");
		else
			imapd_reply_err(s, cmd->tag, &err);
	}
	buf_deinit(&name);
}

void
imapd_folder_delete(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct buf name;
	struct err err;
	int rc;

	buf_init(&name);
	if (imapd_folder_arg(s, cmd, 1, 0, &name)) {
		rc = mbox_folder_delete(s->u->root, s->u->ix, name.data, &err);
		if (rc > 0)
			imapd_reply(s, cmd->tag, "OK", "DELETE completed");
		else if (rc == 0)
			imapd_reply(s, cmd->tag, "NO",
			    "[NONEXISTENT] No such "
			    "mailbox");
		else
			imapd_reply_err(s, cmd->tag, &err);
	}
	buf_deinit(&name);
}

void
imapd_folder_rename(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct buf from, to;
	struct err err;
	int rc;

	buf_init(&from);
	buf_init(&to);
	if (imapd_folder_arg(s, cmd, 2, 0, &from) &&
	    imapd_folder_arg(s, cmd, 2, 1, &to)) {
		rc = mbox_folder_rename(
		    s->u->root, s->u->ix, from.data, to.data, &err);
		if (rc > 0)
			imapd_reply(s, cmd->tag, "OK", "RENAME completed");
		else if (rc == 0)
			imapd_reply(s, cmd->tag, "NO",
			    "[NONEXISTENT] No such "
			    "mailbox");
		else
			imapd_reply_err(s, cmd->tag, &err);
	}
	buf_deinit(&from);
	buf_deinit(&to);
}

void
imapd_folder_status(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct mbox_index_status st;
	struct buf folder, line;
	struct err err;
	int rc;

	if (cmd->count != 2 || cmd->args[1].type != IMAP_ARG_LIST ||
	    cmd->args[1].count == 0) {
		imapd_reply(s, cmd->tag, "BAD",
		    "STATUS needs a mailbox and a "
		    "list of items");
		return;
	}
	buf_init(&folder);
	buf_init(&line);
	if (imapd_select_folder(s, &cmd->args[0], &folder, &err) != 0 ||
	    mbox_sync_folder(s->u->ix, folder.data, NULL, &err) != 0 ||
	    (rc = mbox_index_status(s->u->ix, folder.data, &st, &err)) < 0) {
		if (err.kind == ERR_PERM && strcmp(err.dsn, "5.2.0") == 0)
			imapd_reply(s, cmd->tag, "NO",
			    "[NONEXISTENT] No such "
			    "mailbox");
		else
			imapd_reply_err(s, cmd->tag, &err);
		goto out;
	}
	if (rc == 0)
		memset(&st, 0, sizeof(st));
	buf_puts(&line, "* STATUS ");
	imap_write_astring(&line, cmd->args[0].str, cmd->args[0].len, 0);
	buf_puts(&line, " (");
	if (!imapd_folder_status_items(s, &cmd->args[1], &st, &line)) {
		imapd_reply(s, cmd->tag, "BAD", "Unknown STATUS item");
		goto out;
	}
	buf_puts(&line, ")\r\n");
	buf_append(imapd_io_out(s), line.data, line.len);
	imapd_reply(s, cmd->tag, "OK", "STATUS completed");
out:
	buf_deinit(&folder);
	buf_deinit(&line);
}
