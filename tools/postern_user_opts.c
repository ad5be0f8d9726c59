/* SPDX-License-Identifier: MIT */
/*
 * The options of "postern user" subcommands: one getopt_long table per
 * subcommand, every address operand and option value checked, and the
 * result applied to a user record. Input is the administrator's command
 * line.
 */
#include "postern_user.h"

#include <getopt.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_value.h"
#include "core/arena.h"

enum postern_user_optcode {
	POSTERN_USER_OPT_PASSWORD_STDIN = 256,
	POSTERN_USER_OPT_NO_PASSWORD,
	POSTERN_USER_OPT_CRAM_SECRET,
	POSTERN_USER_OPT_NO_CRAM_SECRET,
	POSTERN_USER_OPT_QUOTA,
	POSTERN_USER_OPT_ADD_ALIAS,
	POSTERN_USER_OPT_DEL_ALIAS,
	POSTERN_USER_OPT_FORWARD,
	POSTERN_USER_OPT_NO_FORWARD,
	POSTERN_USER_OPT_KEEP_COPY,
	POSTERN_USER_OPT_NO_KEEP_COPY,
	POSTERN_USER_OPT_PROTOCOLS,
	POSTERN_USER_OPT_ENABLE,
	POSTERN_USER_OPT_DISABLE,
	POSTERN_USER_OPT_STORE,
	POSTERN_USER_OPT_SIEVE_SCRIPT,
	POSTERN_USER_OPT_SHOW_HASH,
	POSTERN_USER_OPT_SECRET_FOR,
};

#define POSTERN_USER_ARG(name, code)                                           \
	{                                                                      \
		name, required_argument, NULL, code                            \
	}
#define POSTERN_USER_FLAG(name, code)                                          \
	{                                                                      \
		name, no_argument, NULL, code                                  \
	}

static const struct option postern_user_add_options[] = {
    POSTERN_USER_FLAG("password-stdin", POSTERN_USER_OPT_PASSWORD_STDIN),
    POSTERN_USER_FLAG("no-password", POSTERN_USER_OPT_NO_PASSWORD),
    POSTERN_USER_FLAG("cram-secret", POSTERN_USER_OPT_CRAM_SECRET),
    POSTERN_USER_ARG("quota", POSTERN_USER_OPT_QUOTA),
    POSTERN_USER_ARG("alias", POSTERN_USER_OPT_ADD_ALIAS),
    POSTERN_USER_ARG("forward", POSTERN_USER_OPT_FORWARD),
    POSTERN_USER_FLAG("keep-copy", POSTERN_USER_OPT_KEEP_COPY),
    POSTERN_USER_ARG("protocols", POSTERN_USER_OPT_PROTOCOLS),
    POSTERN_USER_FLAG("disabled", POSTERN_USER_OPT_DISABLE),
    POSTERN_USER_ARG("store", POSTERN_USER_OPT_STORE),
    {NULL, 0, NULL, 0},
};

static const struct option postern_user_set_options[] = {
    POSTERN_USER_ARG("quota", POSTERN_USER_OPT_QUOTA),
    POSTERN_USER_ARG("add-alias", POSTERN_USER_OPT_ADD_ALIAS),
    POSTERN_USER_ARG("del-alias", POSTERN_USER_OPT_DEL_ALIAS),
    POSTERN_USER_ARG("forward", POSTERN_USER_OPT_FORWARD),
    POSTERN_USER_FLAG("no-forward", POSTERN_USER_OPT_NO_FORWARD),
    POSTERN_USER_FLAG("keep-copy", POSTERN_USER_OPT_KEEP_COPY),
    POSTERN_USER_FLAG("no-keep-copy", POSTERN_USER_OPT_NO_KEEP_COPY),
    POSTERN_USER_ARG("protocols", POSTERN_USER_OPT_PROTOCOLS),
    POSTERN_USER_FLAG("enable", POSTERN_USER_OPT_ENABLE),
    POSTERN_USER_FLAG("disable", POSTERN_USER_OPT_DISABLE),
    POSTERN_USER_ARG("store", POSTERN_USER_OPT_STORE),
    POSTERN_USER_ARG("sieve-script", POSTERN_USER_OPT_SIEVE_SCRIPT),
    POSTERN_USER_FLAG("no-cram-secret", POSTERN_USER_OPT_NO_CRAM_SECRET),
    POSTERN_USER_ARG("secret-for", POSTERN_USER_OPT_SECRET_FOR),
    POSTERN_USER_FLAG("password-stdin", POSTERN_USER_OPT_PASSWORD_STDIN),
    {NULL, 0, NULL, 0},
};

static const struct option postern_user_passwd_options[] = {
    POSTERN_USER_FLAG("password-stdin", POSTERN_USER_OPT_PASSWORD_STDIN),
    POSTERN_USER_FLAG("cram-secret", POSTERN_USER_OPT_CRAM_SECRET),
    {NULL, 0, NULL, 0},
};

static const struct option postern_user_show_options[] = {
    POSTERN_USER_FLAG("show-hash", POSTERN_USER_OPT_SHOW_HASH),
    {NULL, 0, NULL, 0},
};

static const struct option postern_user_no_options[] = {
    {NULL, 0, NULL, 0},
};

/* A valid address, lowercased, copied into the arena; NULL if bad. */
static const char *
postern_user_address(struct arena *arena, const char *text)
{
	struct buf norm;
	struct err err;
	const char *out = NULL;

	buf_init(&norm);
	if (userdb_address_normalize(text, &norm, &err) == 0)
		out = arena_strdup(arena, norm.data);
	else
		postern_error("\"%s\": %s", text, err.text);
	buf_deinit(&norm);
	return out;
}

/* An address-valued option into its list; false on a bad address. */
static bool
postern_user_option_address(
    struct postern_user_opts *o, int code, const char *arg)
{
	const char *addr = postern_user_address(o->arena, arg);

	if (addr == NULL)
		return false;
	/* A repeated address is the same request: the copy is dropped. */
	if (code == POSTERN_USER_OPT_ADD_ALIAS) {
		(void)userdb_user_list_add(
		    o->arena, &o->add_aliases, &o->nadd, addr);
	} else if (code == POSTERN_USER_OPT_DEL_ALIAS) {
		(void)userdb_user_list_add(
		    o->arena, &o->del_aliases, &o->ndel, addr);
	} else {
		o->forwards_set = true;
		(void)userdb_user_list_add(
		    o->arena, &o->forwards, &o->nforwards, addr);
	}
	return true;
}

/* A switch or a tri-state option into o; false if code is not one. */
static bool
postern_user_option_flag(struct postern_user_opts *o, int code)
{
	switch (code) {
	case POSTERN_USER_OPT_PASSWORD_STDIN:
		o->password_stdin = true;
		break;
	case POSTERN_USER_OPT_NO_PASSWORD:
		o->no_password = true;
		break;
	case POSTERN_USER_OPT_SHOW_HASH:
		o->show_hash = true;
		break;
	case POSTERN_USER_OPT_CRAM_SECRET:
	case POSTERN_USER_OPT_NO_CRAM_SECRET:
		o->cram_secret = code == POSTERN_USER_OPT_CRAM_SECRET;
		break;
	case POSTERN_USER_OPT_KEEP_COPY:
	case POSTERN_USER_OPT_NO_KEEP_COPY:
		o->keep_copy = code == POSTERN_USER_OPT_KEEP_COPY;
		break;
	case POSTERN_USER_OPT_ENABLE:
	case POSTERN_USER_OPT_DISABLE:
		o->enabled = code == POSTERN_USER_OPT_ENABLE;
		break;
	case POSTERN_USER_OPT_NO_FORWARD:
		o->forwards_set = true;
		o->nforwards = 0;
		break;
	default:
		return false;
	}
	return true;
}

/* One option into o; false on a bad value (message printed). */
static bool
postern_user_option(struct postern_user_opts *o, int code, const char *arg)
{
	switch (code) {
	case POSTERN_USER_OPT_QUOTA:
		o->quota = arg;
		return true;
	case POSTERN_USER_OPT_PROTOCOLS:
		o->protocols = arg;
		return true;
	case POSTERN_USER_OPT_STORE:
		o->store = arg;
		return true;
	case POSTERN_USER_OPT_SIEVE_SCRIPT:
		o->sieve_script = arg;
		return true;
	case POSTERN_USER_OPT_SECRET_FOR:
		o->secret_for = arg;
		return true;
	case POSTERN_USER_OPT_ADD_ALIAS:
	case POSTERN_USER_OPT_DEL_ALIAS:
	case POSTERN_USER_OPT_FORWARD:
		return postern_user_option_address(o, code, arg);
	default:
		return postern_user_option_flag(o, code);
	}
}

int
postern_user_parse(int argc, char **argv, enum postern_user_form form,
    struct postern_user_opts *o)
{
	static const struct option *const tables[] = {
	    [POSTERN_USER_FORM_ADD] = postern_user_add_options,
	    [POSTERN_USER_FORM_SET] = postern_user_set_options,
	    [POSTERN_USER_FORM_PASSWD] = postern_user_passwd_options,
	    [POSTERN_USER_FORM_SHOW] = postern_user_show_options,
	    [POSTERN_USER_FORM_ADDRESS] = postern_user_no_options,
	    [POSTERN_USER_FORM_NONE] = postern_user_no_options,
	};
	const struct option *table = tables[form];
	bool want_addr = form != POSTERN_USER_FORM_NONE;
	int c;

	o->cram_secret = o->enabled = o->keep_copy = -1;
	optind = 0; /* GNU: full reset, argv is a new vector */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", table, NULL)) != -1) {
		if (c == '?' || c == ':') {
			postern_error("user %s: unknown option or missing "
			              "value: %s",
			    argv[0], argv[optind - 1]);
			return POSTERN_EXIT_USAGE;
		}
		if (!postern_user_option(o, c, optarg))
			return POSTERN_EXIT_USAGE;
	}
	if (!want_addr) {
		if (optind < argc) {
			postern_error("user %s takes no operand", argv[0]);
			return POSTERN_EXIT_USAGE;
		}
		return POSTERN_EXIT_OK;
	}
	if (argc - optind != 1) {
		postern_error("user %s: expected one ADDRESS", argv[0]);
		return POSTERN_EXIT_USAGE;
	}
	o->address = postern_user_address(o->arena, argv[optind]);
	return o->address != NULL ? POSTERN_EXIT_OK : POSTERN_EXIT_USAGE;
}

static int
postern_user_apply_lists(
    const struct postern_user_opts *o, struct userdb_user *u, struct arena *a)
{
	size_t i;

	for (i = 0; i < o->ndel; i++) {
		if (userdb_user_list_del(
		        u->aliases, &u->naliases, o->del_aliases[i]) == 0) {
			postern_error("%s is not an additional address of %s",
			    o->del_aliases[i], u->address);
			return -1;
		}
	}
	for (i = 0; i < o->nadd; i++) {
		if (strcmp(o->add_aliases[i], u->address) == 0 ||
		    userdb_user_list_add(
		        a, &u->aliases, &u->naliases, o->add_aliases[i]) < 0) {
			postern_error("%s is already an address of %s",
			    o->add_aliases[i], u->address);
			return -1;
		}
	}
	if (o->forwards_set) {
		u->forwards = o->forwards;
		u->nforwards = o->nforwards;
	}
	return 0;
}

int
postern_user_apply(
    const struct postern_user_opts *o, struct userdb_user *u, struct arena *a)
{
	struct err err;

	if (o->quota != NULL && strcasecmp(o->quota, "none") == 0)
		u->quota = 0;
	else if (o->quota != NULL &&
	    conf_value_size(o->quota, &u->quota, &err) < 0) {
		postern_error("--quota: %s", err.text);
		return -1;
	}
	if (o->protocols != NULL &&
	    userdb_user_protocols_parse(o->protocols, &u->protocols, &err) <
	        0) {
		postern_error("--protocols: %s", err.text);
		return -1;
	}
	if (o->store != NULL)
		u->store = o->store;
	if (o->sieve_script != NULL)
		u->sieve_script = o->sieve_script;
	if (o->enabled >= 0)
		u->mail_enabled = o->enabled == 1;
	if (o->keep_copy >= 0)
		u->keep_copy = o->keep_copy == 1;
	if (o->cram_secret == 0)
		u->secret = "";
	if (postern_user_apply_lists(o, u, a) < 0)
		return -1;
	if (userdb_user_check(u, &err) < 0) {
		postern_error("%s: %s", u->address, err.text);
		return -1;
	}
	return 0;
}
