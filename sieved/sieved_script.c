/* SPDX-License-Identifier: MIT */
/*
 * The script commands of an authenticated ManageSieve session (RFC 5804
 * §2.5-2.12): PUTSCRIPT and CHECKSCRIPT compile with the Sieve engine
 * and refuse a bad script with NO and the error's line and column;
 * the others map the script store (store/sieve_store.h) onto response
 * codes. Names and scripts are client data; the store checks names.
 */
#include "sieved.h"

#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "sieve/sieve.h"
#include "sieve/sieve_conf.h"

/* Answer a failed store operation with its RFC 5804 response code. */
static void
sieved_script_fail(
    struct sieved_session *s, enum sieve_store_status st, const struct err *err)
{
	switch (st) {
	case SIEVE_STORE_NONEXISTENT:
		sieved_reply(s, "NO", "NONEXISTENT", "No such script");
		break;
	case SIEVE_STORE_EXISTS:
		sieved_reply(s, "NO", "ALREADYEXISTS", "Script name taken");
		break;
	case SIEVE_STORE_ACTIVE:
		sieved_reply(s, "NO", "ACTIVE", "Script is active");
		break;
	case SIEVE_STORE_MAXSCRIPTS:
		sieved_reply(s, "NO", "QUOTA/MAXSCRIPTS", "%s", err->text);
		break;
	case SIEVE_STORE_MAXSIZE:
		sieved_reply(s, "NO", "QUOTA/MAXSIZE", "%s", err->text);
		break;
	case SIEVE_STORE_BADNAME:
		sieved_reply(s, "NO", NULL, "Invalid script name");
		break;
	default:
		sieved_reply_temp(s, err);
		break;
	}
}

/* A script name argument: NUL-free and valid, or NULL (answered). */
static const char *
sieved_script_name(struct sieved_session *s, const struct managesieve_arg *a)
{
	if (memchr(a->data, '\0', a->len) != NULL ||
	    !sieve_store_name_valid(a->data)) {
		sieved_reply(s, "NO", NULL, "Invalid script name");
		return NULL;
	}
	return a->data;
}

/* Compile text; true when it compiles, else NO with the error. */
static bool
sieved_script_compiles(
    struct sieved_session *s, const char *name, const char *text, size_t len)
{
	struct sieve_limits lim = sieve_limits_from_conf(s->conf);
	struct sieve_script *script;
	struct sieve_error error;

	if ((script = sieve_compile(name, text, len, &lim, &error)) != NULL) {
		sieve_script_free(&script);
		return true;
	}
	if (err_is_temp(&error.err))
		sieved_reply_temp(s, &error.err);
	else
		sieved_reply(s, "NO", NULL, "%s", error.err.text);
	return false;
}

void
sieved_script_put(struct sieved_session *s, const struct managesieve_cmd *cmd)
{
	const struct managesieve_arg *text = &cmd->args[1];
	const char *name = sieved_script_name(s, &cmd->args[0]);
	enum sieve_store_status st;
	struct err err;

	if (name == NULL)
		return;
	st = sieve_store_havespace(s->store, name, text->len, &err);
	if (st != SIEVE_STORE_OK) {
		sieved_script_fail(s, st, &err);
		return;
	}
	if (!sieved_script_compiles(s, name, text->data, text->len))
		return;
	st = sieve_store_put(s->store, name, text->data, text->len, &err);
	if (st != SIEVE_STORE_OK) {
		sieved_script_fail(s, st, &err);
		return;
	}
	log_info("[%s]: user=%s: stored script \"%s\" (%zu bytes)", s->addr,
	    s->user, name, text->len);
	sieved_reply(s, "OK", NULL, "Script stored");
}

void
sieved_script_check(struct sieved_session *s, const struct managesieve_cmd *cmd)
{
	const struct managesieve_arg *text = &cmd->args[0];

	if (s->conf->sieve_max_script_size > 0 &&
	    text->len > (size_t)s->conf->sieve_max_script_size) {
		sieved_reply(s, "NO", "QUOTA/MAXSIZE", "Script too large");
		return;
	}
	if (sieved_script_compiles(s, "CHECKSCRIPT", text->data, text->len))
		sieved_reply(s, "OK", NULL, "Script is valid");
}

void
sieved_script_list(struct sieved_session *s)
{
	struct sieve_store_entry *list;
	struct err err;
	size_t n, i;

	if (sieve_store_list(s->store, s->cmd_arena, &list, &n, &err) != 0) {
		sieved_reply_temp(s, &err);
		return;
	}
	for (i = 0; i < n; i++) {
		sieved_reply_string(s, list[i].name, strlen(list[i].name));
		stream_printf(
		    &s->io, "%s\r\n", list[i].active ? " ACTIVE" : "");
	}
	sieved_reply(s, "OK", NULL, "Listscripts completed");
}

void
sieved_script_get(struct sieved_session *s, const struct managesieve_cmd *cmd)
{
	const char *name = sieved_script_name(s, &cmd->args[0]);
	enum sieve_store_status st;
	struct buf text;
	struct err err;

	if (name == NULL)
		return;
	buf_init(&text);
	st = sieve_store_get(s->store, name, &text, &err);
	if (st == SIEVE_STORE_OK) {
		/* RFC 5804 §2.9: the script as a literal. */
		stream_printf(&s->io, "{%zu}\r\n", text.len);
		stream_write(&s->io, text.data, text.len);
		stream_write(&s->io, "\r\n", 2);
		sieved_reply(s, "OK", NULL, "Getscript completed");
	} else {
		sieved_script_fail(s, st, &err);
	}
	buf_deinit(&text);
}

void
sieved_script_delete(
    struct sieved_session *s, const struct managesieve_cmd *cmd)
{
	const char *name = sieved_script_name(s, &cmd->args[0]);
	enum sieve_store_status st;
	struct err err;

	if (name == NULL)
		return;
	if ((st = sieve_store_delete(s->store, name, &err)) != SIEVE_STORE_OK) {
		sieved_script_fail(s, st, &err);
		return;
	}
	log_info(
	    "[%s]: user=%s: deleted script \"%s\"", s->addr, s->user, name);
	sieved_reply(s, "OK", NULL, "Script deleted");
}

void
sieved_script_rename(
    struct sieved_session *s, const struct managesieve_cmd *cmd)
{
	const char *from = sieved_script_name(s, &cmd->args[0]);
	const char *to =
	    from != NULL ? sieved_script_name(s, &cmd->args[1]) : NULL;
	enum sieve_store_status st;
	struct err err;

	if (to == NULL)
		return;
	if ((st = sieve_store_rename(s->store, from, to, &err)) !=
	    SIEVE_STORE_OK) {
		sieved_script_fail(s, st, &err);
		return;
	}
	log_info("[%s]: user=%s: renamed script \"%s\" to \"%s\"", s->addr,
	    s->user, from, to);
	sieved_reply(s, "OK", NULL, "Script renamed");
}

void
sieved_script_setactive(
    struct sieved_session *s, const struct managesieve_cmd *cmd)
{
	const struct managesieve_arg *a = &cmd->args[0];
	const char *name = NULL;
	enum sieve_store_status st;
	struct buf text;
	struct err err;

	/* RFC 5804 §2.8: the empty name deactivates. */
	if (a->len > 0 && (name = sieved_script_name(s, a)) == NULL)
		return;
	buf_init(&text);
	/* Never activate a script that would fail at every delivery. */
	if (name != NULL &&
	    ((st = sieve_store_get(s->store, name, &text, &err)) !=
	            SIEVE_STORE_OK ||
	        !sieved_script_compiles(s, name, text.data, text.len))) {
		if (st != SIEVE_STORE_OK)
			sieved_script_fail(s, st, &err);
		buf_deinit(&text);
		return;
	}
	buf_deinit(&text);
	if ((st = sieve_store_activate(s->store, name, &err)) !=
	    SIEVE_STORE_OK) {
		sieved_script_fail(s, st, &err);
		return;
	}
	log_info("[%s]: user=%s: active script \"%s\"", s->addr, s->user,
	    name != NULL ? name : "");
	sieved_reply(s, "OK", NULL, "%s",
	    name != NULL ? "Script activated" : "Scripts deactivated");
}

void
sieved_script_havespace(
    struct sieved_session *s, const struct managesieve_cmd *cmd)
{
	const char *name = sieved_script_name(s, &cmd->args[0]);
	enum sieve_store_status st;
	struct err err;

	if (name == NULL)
		return;
	st = sieve_store_havespace(
	    s->store, name, (size_t)cmd->args[1].number, &err);
	if (st != SIEVE_STORE_OK) {
		sieved_script_fail(s, st, &err);
		return;
	}
	sieved_reply(s, "OK", NULL, "Putscript would succeed");
}
