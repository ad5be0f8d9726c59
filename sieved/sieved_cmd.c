/* SPDX-License-Identifier: MIT */
/*
 * ManageSieve command dispatch (RFC 5804 §2): the table of verbs, the
 * state each needs (before or after AUTHENTICATE), their argument
 * counts and types, and the small commands that need no file of their
 * own (CAPABILITY, NOOP, LOGOUT). Arguments are client data.
 */
#include "sieved.h"

#include <string.h>

enum sieved_cmd_state {
	SIEVED_CMD_ANY,
	SIEVED_CMD_UNAUTH, /* before AUTHENTICATE */
	SIEVED_CMD_AUTH, /* after it */
};

enum sieved_cmd_verb {
	SIEVED_CAPABILITY,
	SIEVED_LOGOUT,
	SIEVED_NOOP,
	SIEVED_STARTTLS,
	SIEVED_AUTHENTICATE,
	SIEVED_UNAUTHENTICATE,
	SIEVED_HAVESPACE,
	SIEVED_PUTSCRIPT,
	SIEVED_CHECKSCRIPT,
	SIEVED_LISTSCRIPTS,
	SIEVED_SETACTIVE,
	SIEVED_GETSCRIPT,
	SIEVED_DELETESCRIPT,
	SIEVED_RENAMESCRIPT,
};

struct sieved_cmd_def {
	const char *name;
	enum sieved_cmd_verb verb;
	enum sieved_cmd_state state;
	size_t min_args;
	/* One letter per allowed argument: s string, n number. */
	const char *types;
};

static const struct sieved_cmd_def sieved_cmds[] = {
    {"CAPABILITY", SIEVED_CAPABILITY, SIEVED_CMD_ANY, 0, ""},
    {"LOGOUT", SIEVED_LOGOUT, SIEVED_CMD_ANY, 0, ""},
    {"NOOP", SIEVED_NOOP, SIEVED_CMD_ANY, 0, "s"},
    {"STARTTLS", SIEVED_STARTTLS, SIEVED_CMD_UNAUTH, 0, ""},
    {"AUTHENTICATE", SIEVED_AUTHENTICATE, SIEVED_CMD_UNAUTH, 1, "ss"},
    {"UNAUTHENTICATE", SIEVED_UNAUTHENTICATE, SIEVED_CMD_AUTH, 0, ""},
    {"HAVESPACE", SIEVED_HAVESPACE, SIEVED_CMD_AUTH, 2, "sn"},
    {"PUTSCRIPT", SIEVED_PUTSCRIPT, SIEVED_CMD_AUTH, 2, "ss"},
    {"CHECKSCRIPT", SIEVED_CHECKSCRIPT, SIEVED_CMD_AUTH, 1, "s"},
    {"LISTSCRIPTS", SIEVED_LISTSCRIPTS, SIEVED_CMD_AUTH, 0, ""},
    {"SETACTIVE", SIEVED_SETACTIVE, SIEVED_CMD_AUTH, 1, "s"},
    {"GETSCRIPT", SIEVED_GETSCRIPT, SIEVED_CMD_AUTH, 1, "s"},
    {"DELETESCRIPT", SIEVED_DELETESCRIPT, SIEVED_CMD_AUTH, 1, "s"},
    {"RENAMESCRIPT", SIEVED_RENAMESCRIPT, SIEVED_CMD_AUTH, 2, "ss"},
};

static const struct sieved_cmd_def *
sieved_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(sieved_cmds) / sizeof(sieved_cmds[0]); i++)
		if (strcmp(sieved_cmds[i].name, name) == 0)
			return &sieved_cmds[i];
	return NULL;
}

/* State and arguments; false when refused (answered). */
static bool
sieved_cmd_check(struct sieved_session *s, const struct sieved_cmd_def *def,
    const struct managesieve_cmd *cmd)
{
	size_t i;

	if (def->state == SIEVED_CMD_AUTH && s->user == NULL) {
		sieved_reply(s, "NO", NULL, "Authenticate first");
		return false;
	}
	if (def->state == SIEVED_CMD_UNAUTH && s->user != NULL) {
		sieved_reply(s, "NO", NULL, "Already authenticated");
		return false;
	}
	if (cmd->nargs < def->min_args || cmd->nargs > strlen(def->types)) {
		sieved_reply(s, "NO", NULL, "Wrong number of arguments");
		return false;
	}
	for (i = 0; i < cmd->nargs; i++) {
		enum managesieve_arg_type want = def->types[i] == 'n'
		    ? MANAGESIEVE_ARG_NUMBER
		    : MANAGESIEVE_ARG_STRING;

		if (cmd->args[i].type != want) {
			sieved_reply(s, "NO", NULL, "Argument %zu must be a %s",
			    i + 1,
			    want == MANAGESIEVE_ARG_NUMBER ? "number"
			                                   : "string");
			return false;
		}
	}
	return true;
}

static void
sieved_cmd_noop(struct sieved_session *s, const struct managesieve_cmd *cmd)
{
	/* RFC 5804 §2.13: the tag comes back in a TAG response code. */
	if (cmd->nargs == 0) {
		sieved_reply(s, "OK", NULL, "Done");
		return;
	}
	stream_printf(&s->io, "OK (TAG ");
	sieved_reply_string(s, cmd->args[0].data, cmd->args[0].len);
	stream_printf(&s->io, ") \"Done\"\r\n");
}

/* The handlers of the script commands, by verb. */
static void
sieved_cmd_script(struct sieved_session *s, enum sieved_cmd_verb verb,
    const struct managesieve_cmd *cmd)
{
	switch (verb) {
	case SIEVED_HAVESPACE:
		sieved_script_havespace(s, cmd);
		break;
	case SIEVED_PUTSCRIPT:
		sieved_script_put(s, cmd);
		break;
	case SIEVED_CHECKSCRIPT:
		sieved_script_check(s, cmd);
		break;
	case SIEVED_LISTSCRIPTS:
		sieved_script_list(s);
		break;
	case SIEVED_SETACTIVE:
		sieved_script_setactive(s, cmd);
		break;
	case SIEVED_GETSCRIPT:
		sieved_script_get(s, cmd);
		break;
	case SIEVED_DELETESCRIPT:
		sieved_script_delete(s, cmd);
		break;
	default:
		sieved_script_rename(s, cmd);
		break;
	}
}

void
sieved_cmd_run(struct sieved_session *s, const struct managesieve_cmd *cmd)
{
	const struct sieved_cmd_def *def = sieved_cmd_find(cmd->name);

	if (def == NULL) {
		sieved_reply(s, "NO", NULL, "Unknown command");
		sieved_session_error(s);
		return;
	}
	if (!sieved_cmd_check(s, def, cmd)) {
		sieved_session_error(s);
		return;
	}
	switch (def->verb) {
	case SIEVED_CAPABILITY:
		sieved_caps_write(s);
		sieved_reply(s, "OK", NULL, "Capability completed");
		break;
	case SIEVED_LOGOUT:
		sieved_reply(s, "OK", NULL, "Logout completed");
		s->done = true;
		break;
	case SIEVED_NOOP:
		sieved_cmd_noop(s, cmd);
		break;
	case SIEVED_STARTTLS:
		sieved_tls_starttls(s);
		break;
	case SIEVED_AUTHENTICATE:
		sieved_auth_authenticate(s, cmd);
		break;
	case SIEVED_UNAUTHENTICATE:
		sieved_auth_unauthenticate(s);
		break;
	default:
		sieved_cmd_script(s, def->verb, cmd);
		break;
	}
}
