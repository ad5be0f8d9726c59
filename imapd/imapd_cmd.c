/* SPDX-License-Identifier: MIT */
/*
 * The command table (which command runs in which state, RFC 3501 §6)
 * and the reply writers every command uses. Tags and texts come from
 * the command reader, which has validated them; nothing here echoes
 * unvalidated client bytes.
 */
#include "imapd.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "imap/imap_write.h"
#include "imapd_mailbox.h"

typedef void imapd_cmd_fn(struct imapd_session *s, const struct imap_cmd *cmd);

#define IMAPD_IN_NOTAUTH (1u << IMAPD_NOTAUTH)
#define IMAPD_IN_AUTH (1u << IMAPD_AUTH | 1u << IMAPD_SELECTED)
#define IMAPD_IN_SELECTED (1u << IMAPD_SELECTED)
#define IMAPD_IN_ANY (IMAPD_IN_NOTAUTH | IMAPD_IN_AUTH)
/* RFC 3501 §7.4.1: no EXPUNGE while a command that uses sequence
 * numbers runs, so changes wait for the next command. */
#define IMAPD_NO_EXPUNGE (1u << 8)

struct imapd_cmd_def {
	const char *name;
	imapd_cmd_fn *fn;
	unsigned states;
};

static const struct imapd_cmd_def imapd_cmd_table[] = {
    {"CAPABILITY", imapd_any_capability, IMAPD_IN_ANY},
    {"NOOP", imapd_any_noop, IMAPD_IN_ANY},
    {"LOGOUT", imapd_any_logout, IMAPD_IN_ANY},
    {"ID", imapd_any_id, IMAPD_IN_ANY},
    {"ENABLE", imapd_any_enable, IMAPD_IN_AUTH},
    {"NAMESPACE", imapd_any_namespace, IMAPD_IN_AUTH},
    {"STARTTLS", imapd_auth_starttls, IMAPD_IN_NOTAUTH},
    {"LOGIN", imapd_auth_login, IMAPD_IN_NOTAUTH},
    {"AUTHENTICATE", imapd_auth_authenticate, IMAPD_IN_NOTAUTH},
    {"LIST", imapd_folder_list, IMAPD_IN_AUTH},
    {"LSUB", imapd_subscribe_lsub, IMAPD_IN_AUTH},
    {"SUBSCRIBE", imapd_subscribe_change, IMAPD_IN_AUTH},
    {"UNSUBSCRIBE", imapd_subscribe_change, IMAPD_IN_AUTH},
    {"CREATE", imapd_folder_create, IMAPD_IN_AUTH},
    {"DELETE", imapd_folder_delete, IMAPD_IN_AUTH},
    {"RENAME", imapd_folder_rename, IMAPD_IN_AUTH},
    {"STATUS", imapd_folder_status, IMAPD_IN_AUTH},
    {"GETQUOTAROOT", imapd_quota_getquotaroot, IMAPD_IN_AUTH},
    {"GETQUOTA", imapd_quota_getquota, IMAPD_IN_AUTH},
    {"SETQUOTA", imapd_quota_setquota, IMAPD_IN_AUTH},
    {"SELECT", imapd_select_select, IMAPD_IN_AUTH},
    {"EXAMINE", imapd_select_examine, IMAPD_IN_AUTH},
    {"IDLE", imapd_watch_idle, IMAPD_IN_AUTH},
    {"CLOSE", imapd_select_unselect, IMAPD_IN_SELECTED},
    {"UNSELECT", imapd_select_unselect, IMAPD_IN_SELECTED},
    {"EXPUNGE", imapd_store_expunge, IMAPD_IN_SELECTED},
    {"STORE", imapd_store_store, IMAPD_IN_SELECTED | IMAPD_NO_EXPUNGE},
    {"FETCH", imapd_fetch_fetch, IMAPD_IN_SELECTED | IMAPD_NO_EXPUNGE},
    {"APPEND", imapd_append_append, IMAPD_IN_AUTH},
    {"COPY", imapd_append_copy, IMAPD_IN_SELECTED | IMAPD_NO_EXPUNGE},
    {"MOVE", imapd_append_copy, IMAPD_IN_SELECTED | IMAPD_NO_EXPUNGE},
    {"CHECK", imapd_any_noop, IMAPD_IN_SELECTED},
    {"SEARCH", imapd_search_search, IMAPD_IN_SELECTED | IMAPD_NO_EXPUNGE},
    {"SORT", imapd_sort_sort, IMAPD_IN_SELECTED | IMAPD_NO_EXPUNGE},
    {"THREAD", imapd_sort_thread, IMAPD_IN_SELECTED | IMAPD_NO_EXPUNGE},
};

/* Commands that take UID (RFC 3501 §6.4.8, RFC 4315, RFC 6851). */
static const struct imapd_cmd_def imapd_cmd_uid_table[] = {
    {"SORT", imapd_sort_sort, IMAPD_IN_SELECTED},
    {"THREAD", imapd_sort_thread, IMAPD_IN_SELECTED},
    {"SEARCH", imapd_search_search, IMAPD_IN_SELECTED},
    {"COPY", imapd_append_copy, IMAPD_IN_SELECTED},
    {"MOVE", imapd_append_copy, IMAPD_IN_SELECTED},
    {"FETCH", imapd_fetch_fetch, IMAPD_IN_SELECTED},
    {"STORE", imapd_store_store, IMAPD_IN_SELECTED},
    {"EXPUNGE", imapd_store_expunge, IMAPD_IN_SELECTED},
};

void
imapd_cmd_capability_list(const struct imapd_session *s, struct buf *out)
{
	const char *mechs = imapd_auth_mechs(s);
	const char *p, *sp;

	buf_puts(out,
	    "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE NAMESPACE "
	    "UNSELECT CHILDREN SPECIAL-USE UIDPLUS MOVE ESEARCH "
	    "CONDSTORE BINARY QUOTA QUOTA=RES-STORAGE "
	    "LIST-EXTENDED LIST-STATUS SORT SORT=DISPLAY "
	    "THREAD=ORDEREDSUBJECT");
	buf_printf(out, " APPENDLIMIT=%llu",
	    (unsigned long long)imapd_append_limit(s->d));
	if (s->state != IMAPD_NOTAUTH)
		return;
	if (s->d->tls != NULL && s->tls == NULL)
		buf_puts(out, " STARTTLS");
	if (imapd_auth_plain_disabled(s))
		buf_puts(out, " LOGINDISABLED");
	for (p = mechs; *p != '\0'; p = *sp != '\0' ? sp + 1 : sp) {
		sp = strchr(p, ' ');
		if (sp == NULL)
			sp = p + strlen(p);
		if (sp > p)
			buf_printf(out, " AUTH=%.*s", (int)(sp - p), p);
	}
}

static const struct imapd_cmd_def *
imapd_cmd_find(const struct imapd_cmd_def *table, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

void
imapd_cmd_run(struct imapd_session *s, const struct imap_cmd *cmd)
{
	const struct imapd_cmd_def *def;

	if (strcmp(cmd->name, "UID") == 0)
		def = cmd->count == 0 || cmd->args[0].type != IMAP_ARG_ATOM
		    ? NULL
		    : imapd_cmd_find(imapd_cmd_uid_table,
		          sizeof(imapd_cmd_uid_table) /
		              sizeof(imapd_cmd_uid_table[0]),
		          cmd->args[0].str);
	else
		def = imapd_cmd_find(imapd_cmd_table,
		    sizeof(imapd_cmd_table) / sizeof(imapd_cmd_table[0]),
		    cmd->name);

	if (def == NULL) {
		imapd_reply(s, cmd->tag, "BAD", "Unknown command");
		return;
	}
	if ((def->states & (1u << s->state)) == 0) {
		imapd_reply(s, cmd->tag, "BAD",
		    s->state == IMAPD_NOTAUTH ? "Log in first"
		                              : "Not valid in this state");
		return;
	}
	if (!(def->states & IMAPD_NO_EXPUNGE))
		imapd_mailbox_changes(s);
	def->fn(s, cmd);
}

void
imapd_cmd_line(struct imapd_session *s, const char *line, size_t len)
{
	switch (s->wait) {
	case IMAPD_WAIT_AUTH:
		imapd_auth_line(s, line, len);
		break;
	case IMAPD_WAIT_IDLE:
		imapd_mailbox_idle_line(s, line, len);
		break;
	default:
		imapd_untagged(s, "BAD Unexpected line");
		break;
	}
}

void
imapd_reply(struct imapd_session *s, const char *tag, const char *status,
    const char *fmt, ...)
{
	struct buf *out = imapd_io_out(s);
	va_list ap;

	buf_printf(out, "%s %s ", tag, status);
	va_start(ap, fmt);
	buf_vprintf(out, fmt, ap);
	va_end(ap);
	buf_puts(out, "\r\n");
}

void
imapd_untagged(struct imapd_session *s, const char *fmt, ...)
{
	struct buf *out = imapd_io_out(s);
	va_list ap;

	buf_puts(out, "* ");
	va_start(ap, fmt);
	buf_vprintf(out, fmt, ap);
	va_end(ap);
	buf_puts(out, "\r\n");
}

void
imapd_reply_err(struct imapd_session *s, const char *tag, const struct err *err)
{
	if (err->kind == ERR_TEMP)
		imapd_reply(s, tag, "NO", "[UNAVAILABLE] %s", err->text);
	else if (err->dsn[0] == '\0')
		imapd_reply(s, tag, "BAD", "%s", err->text);
	else if (err->dsn[0] >= '0' && err->dsn[0] <= '9')
		/* A store error (an enhanced status code, not an IMAP one). */
		imapd_reply(s, tag, "NO", "[CANNOT] %s", err->text);
	else
		imapd_reply(s, tag, "NO", "[%s] %s", err->dsn, err->text);
}
