/* SPDX-License-Identifier: MIT */
/*
 * The tables of the Sieve language: extensions (the "require" names),
 * commands and tests with their positional arguments, tag groups and the
 * extension each needs (RFC 5228 and the extension RFCs listed in
 * sieve.h). Used by the checker; nothing here runs a script.
 */
#include "sieve/sieve_impl.h"

#include <string.h>
#include <strings.h>

static const char *const sieve_ext_names[SIEVE_EXT_COUNT] = {
	[SIEVE_EXT_FILEINTO] = "fileinto",
	[SIEVE_EXT_REJECT] = "reject",
	[SIEVE_EXT_EREJECT] = "ereject",
	[SIEVE_EXT_ENVELOPE] = "envelope",
	[SIEVE_EXT_ENCODED] = "encoded-character",
	[SIEVE_EXT_VACATION] = "vacation",
	[SIEVE_EXT_VACATION_SECONDS] = "vacation-seconds",
	[SIEVE_EXT_IMAP4FLAGS] = "imap4flags",
	[SIEVE_EXT_BODY] = "body",
	[SIEVE_EXT_VARIABLES] = "variables",
	[SIEVE_EXT_RELATIONAL] = "relational",
	[SIEVE_EXT_SUBADDRESS] = "subaddress",
	[SIEVE_EXT_COPY] = "copy",
	[SIEVE_EXT_NUMERIC] = "comparator-i;ascii-numeric",
	[SIEVE_EXT_REGEX] = "regex",
	[SIEVE_EXT_INCLUDE] = "include",
	[SIEVE_EXT_DATE] = "date",
	[SIEVE_EXT_INDEX] = "index",
	[SIEVE_EXT_EDITHEADER] = "editheader",
	[SIEVE_EXT_DUPLICATE] = "duplicate",
	[SIEVE_EXT_SPAMTEST] = "spamtest",
	[SIEVE_EXT_SPAMTESTPLUS] = "spamtestplus",
	[SIEVE_EXT_VIRUSTEST] = "virustest",
	[SIEVE_EXT_MAILBOX] = "mailbox",
	[SIEVE_EXT_OCTET] = "comparator-i;octet",
	[SIEVE_EXT_CASEMAP] = "comparator-i;ascii-casemap",
};

const char *
sieve_extensions(void)
{
	return "fileinto reject ereject envelope encoded-character vacation "
	    "vacation-seconds imap4flags body variables relational "
	    "subaddress copy comparator-i;ascii-numeric regex include date "
	    "index editheader duplicate spamtest spamtestplus virustest "
	    "mailbox";
}

enum sieve_ext
sieve_ext_find(const char *name)
{
	size_t i;

	for (i = 0; i < SIEVE_EXT_COUNT; i++)
		if (strcmp(sieve_ext_names[i], name) == 0)
			return (enum sieve_ext)i;
	return SIEVE_EXT_NONE;
}

const char *
sieve_ext_name(enum sieve_ext ext)
{
	return ext < SIEVE_EXT_COUNT ? sieve_ext_names[ext] : "";
}

#define M SIEVE_G_MATCH | SIEVE_G_CMP

static const struct sieve_cmd_spec sieve_cmds[] = {
	{ "require", SIEVE_OP_REQUIRE, SIEVE_EXT_NONE, false, "L", 0, -1,
	    false },
	{ "if", SIEVE_OP_IF, SIEVE_EXT_NONE, false, "", 0, 1, true },
	{ "elsif", SIEVE_OP_ELSIF, SIEVE_EXT_NONE, false, "", 0, 1, true },
	{ "else", SIEVE_OP_ELSE, SIEVE_EXT_NONE, false, "", 0, -1, true },
	{ "stop", SIEVE_OP_STOP, SIEVE_EXT_NONE, false, "", 0, -1, false },
	{ "keep", SIEVE_OP_KEEP, SIEVE_EXT_NONE, false, "", SIEVE_G_FLAGS,
	    -1, false },
	{ "discard", SIEVE_OP_DISCARD, SIEVE_EXT_NONE, false, "", 0, -1,
	    false },
	{ "redirect", SIEVE_OP_REDIRECT, SIEVE_EXT_NONE, false, "S",
	    SIEVE_G_COPY, -1, false },
	{ "fileinto", SIEVE_OP_FILEINTO, SIEVE_EXT_FILEINTO, false, "S",
	    SIEVE_G_COPY | SIEVE_G_CREATE | SIEVE_G_FLAGS, -1, false },
	{ "reject", SIEVE_OP_REJECT, SIEVE_EXT_REJECT, false, "S", 0, -1,
	    false },
	{ "ereject", SIEVE_OP_EREJECT, SIEVE_EXT_EREJECT, false, "S", 0, -1,
	    false },
	{ "vacation", SIEVE_OP_VACATION, SIEVE_EXT_VACATION, false, "S",
	    SIEVE_G_VACATION, -1, false },
	{ "setflag", SIEVE_OP_SETFLAG, SIEVE_EXT_IMAP4FLAGS, false, "sL", 0,
	    -1, false },
	{ "addflag", SIEVE_OP_ADDFLAG, SIEVE_EXT_IMAP4FLAGS, false, "sL", 0,
	    -1, false },
	{ "removeflag", SIEVE_OP_REMOVEFLAG, SIEVE_EXT_IMAP4FLAGS, false,
	    "sL", 0, -1, false },
	{ "set", SIEVE_OP_SET, SIEVE_EXT_VARIABLES, false, "SS",
	    SIEVE_G_SET, -1, false },
	{ "include", SIEVE_OP_INCLUDE, SIEVE_EXT_INCLUDE, false, "S",
	    SIEVE_G_INCLUDE, -1, false },
	{ "return", SIEVE_OP_RETURN, SIEVE_EXT_INCLUDE, false, "", 0, -1,
	    false },
	{ "global", SIEVE_OP_GLOBAL, SIEVE_EXT_INCLUDE, false, "L", 0, -1,
	    false },
	{ "addheader", SIEVE_OP_ADDHEADER, SIEVE_EXT_EDITHEADER, false, "SS",
	    SIEVE_G_ADDLAST, -1, false },
	{ "deleteheader", SIEVE_OP_DELETEHEADER, SIEVE_EXT_EDITHEADER, false,
	    "Sl", M | SIEVE_G_DELINDEX, -1, false },

	{ "address", SIEVE_OP_ADDRESS, SIEVE_EXT_NONE, true, "LL",
	    M | SIEVE_G_ADDR | SIEVE_G_INDEX, -1, false },
	{ "allof", SIEVE_OP_ALLOF, SIEVE_EXT_NONE, true, "", 0, 2, false },
	{ "anyof", SIEVE_OP_ANYOF, SIEVE_EXT_NONE, true, "", 0, 2, false },
	{ "not", SIEVE_OP_NOT, SIEVE_EXT_NONE, true, "", 0, 1, false },
	{ "envelope", SIEVE_OP_ENVELOPE, SIEVE_EXT_ENVELOPE, true, "LL",
	    M | SIEVE_G_ADDR, -1, false },
	{ "exists", SIEVE_OP_EXISTS, SIEVE_EXT_NONE, true, "L", 0, -1,
	    false },
	{ "true", SIEVE_OP_TRUE, SIEVE_EXT_NONE, true, "", 0, -1, false },
	{ "false", SIEVE_OP_FALSE, SIEVE_EXT_NONE, true, "", 0, -1, false },
	{ "header", SIEVE_OP_HEADER, SIEVE_EXT_NONE, true, "LL",
	    M | SIEVE_G_INDEX, -1, false },
	{ "size", SIEVE_OP_SIZE, SIEVE_EXT_NONE, true, "", SIEVE_G_SIZE, -1,
	    false },
	{ "body", SIEVE_OP_BODY, SIEVE_EXT_BODY, true, "L",
	    M | SIEVE_G_BODY, -1, false },
	{ "string", SIEVE_OP_STRING, SIEVE_EXT_VARIABLES, true, "LL", M, -1,
	    false },
	{ "date", SIEVE_OP_DATE, SIEVE_EXT_DATE, true, "SSL",
	    M | SIEVE_G_ZONE | SIEVE_G_ORIGZONE | SIEVE_G_INDEX, -1, false },
	{ "currentdate", SIEVE_OP_CURRENTDATE, SIEVE_EXT_DATE, true, "SL",
	    M | SIEVE_G_ZONE, -1, false },
	{ "hasflag", SIEVE_OP_HASFLAG, SIEVE_EXT_IMAP4FLAGS, true, "lL", M,
	    -1, false },
	{ "mailboxexists", SIEVE_OP_MAILBOXEXISTS, SIEVE_EXT_MAILBOX, true,
	    "L", 0, -1, false },
	{ "duplicate", SIEVE_OP_DUPLICATE, SIEVE_EXT_DUPLICATE, true, "",
	    SIEVE_G_DUP, -1, false },
	{ "spamtest", SIEVE_OP_SPAMTEST, SIEVE_EXT_SPAMTEST, true, "S",
	    M | SIEVE_G_PERCENT, -1, false },
	{ "virustest", SIEVE_OP_VIRUSTEST, SIEVE_EXT_VIRUSTEST, true, "S", M,
	    -1, false },
};

#undef M

const struct sieve_cmd_spec *
sieve_cmd_find(const char *name, bool test)
{
	size_t i;

	for (i = 0; i < sizeof(sieve_cmds) / sizeof(sieve_cmds[0]); i++)
		if (sieve_cmds[i].test == test &&
		    strcasecmp(sieve_cmds[i].name, name) == 0)
			return &sieve_cmds[i];
	return NULL;
}

static const struct sieve_tag_spec sieve_tags[] = {
	{ "is", SIEVE_TAG_IS, SIEVE_G_MATCH, SIEVE_EXT_NONE, 0, 1 },
	{ "contains", SIEVE_TAG_CONTAINS, SIEVE_G_MATCH, SIEVE_EXT_NONE, 0,
	    1 },
	{ "matches", SIEVE_TAG_MATCHES, SIEVE_G_MATCH, SIEVE_EXT_NONE, 0, 1 },
	{ "regex", SIEVE_TAG_REGEX, SIEVE_G_MATCH, SIEVE_EXT_REGEX, 0, 1 },
	{ "value", SIEVE_TAG_VALUE, SIEVE_G_MATCH, SIEVE_EXT_RELATIONAL, 'S',
	    1 },
	{ "count", SIEVE_TAG_COUNT, SIEVE_G_MATCH, SIEVE_EXT_RELATIONAL, 'S',
	    1 },
	{ "comparator", SIEVE_TAG_COMPARATOR, SIEVE_G_CMP, SIEVE_EXT_NONE,
	    'S', 2 },
	{ "all", SIEVE_TAG_ALL, SIEVE_G_ADDR, SIEVE_EXT_NONE, 0, 3 },
	{ "localpart", SIEVE_TAG_LOCALPART, SIEVE_G_ADDR, SIEVE_EXT_NONE, 0,
	    3 },
	{ "domain", SIEVE_TAG_DOMAIN, SIEVE_G_ADDR, SIEVE_EXT_NONE, 0, 3 },
	{ "user", SIEVE_TAG_USER, SIEVE_G_ADDR, SIEVE_EXT_SUBADDRESS, 0, 3 },
	{ "detail", SIEVE_TAG_DETAIL, SIEVE_G_ADDR, SIEVE_EXT_SUBADDRESS, 0,
	    3 },
	{ "over", SIEVE_TAG_OVER, SIEVE_G_SIZE, SIEVE_EXT_NONE, 'N', 4 },
	{ "under", SIEVE_TAG_UNDER, SIEVE_G_SIZE, SIEVE_EXT_NONE, 'N', 4 },
	{ "copy", SIEVE_TAG_COPY, SIEVE_G_COPY, SIEVE_EXT_COPY, 0, 0 },
	{ "create", SIEVE_TAG_CREATE, SIEVE_G_CREATE, SIEVE_EXT_MAILBOX, 0,
	    0 },
	{ "flags", SIEVE_TAG_FLAGS, SIEVE_G_FLAGS, SIEVE_EXT_IMAP4FLAGS, 'L',
	    0 },
	{ "days", SIEVE_TAG_DAYS, SIEVE_G_VACATION, SIEVE_EXT_NONE, 'N', 5 },
	{ "seconds", SIEVE_TAG_SECONDS, SIEVE_G_VACATION,
	    SIEVE_EXT_VACATION_SECONDS, 'N', 5 },
	{ "seconds", SIEVE_TAG_SECONDS, SIEVE_G_DUP, SIEVE_EXT_NONE, 'N', 0 },
	{ "subject", SIEVE_TAG_SUBJECT, SIEVE_G_VACATION, SIEVE_EXT_NONE,
	    'S', 0 },
	{ "from", SIEVE_TAG_FROM, SIEVE_G_VACATION, SIEVE_EXT_NONE, 'S', 0 },
	{ "addresses", SIEVE_TAG_ADDRESSES, SIEVE_G_VACATION, SIEVE_EXT_NONE,
	    'L', 0 },
	{ "mime", SIEVE_TAG_MIME, SIEVE_G_VACATION, SIEVE_EXT_NONE, 0, 0 },
	{ "handle", SIEVE_TAG_HANDLE, SIEVE_G_VACATION | SIEVE_G_DUP,
	    SIEVE_EXT_NONE, 'S', 0 },
	{ "raw", SIEVE_TAG_RAW, SIEVE_G_BODY, SIEVE_EXT_NONE, 0, 6 },
	{ "content", SIEVE_TAG_CONTENT, SIEVE_G_BODY, SIEVE_EXT_NONE, 'L', 6 },
	{ "text", SIEVE_TAG_TEXT, SIEVE_G_BODY, SIEVE_EXT_NONE, 0, 6 },
	{ "lower", SIEVE_TAG_LOWER, SIEVE_G_SET, SIEVE_EXT_NONE, 0, 7 },
	{ "upper", SIEVE_TAG_UPPER, SIEVE_G_SET, SIEVE_EXT_NONE, 0, 7 },
	{ "lowerfirst", SIEVE_TAG_LOWERFIRST, SIEVE_G_SET, SIEVE_EXT_NONE, 0,
	    8 },
	{ "upperfirst", SIEVE_TAG_UPPERFIRST, SIEVE_G_SET, SIEVE_EXT_NONE, 0,
	    8 },
	{ "quotewildcard", SIEVE_TAG_QUOTEWILDCARD, SIEVE_G_SET,
	    SIEVE_EXT_NONE, 0, 9 },
	{ "length", SIEVE_TAG_LENGTH, SIEVE_G_SET, SIEVE_EXT_NONE, 0, 10 },
	{ "personal", SIEVE_TAG_PERSONAL, SIEVE_G_INCLUDE, SIEVE_EXT_NONE, 0,
	    11 },
	{ "global", SIEVE_TAG_GLOBAL, SIEVE_G_INCLUDE, SIEVE_EXT_NONE, 0,
	    11 },
	{ "once", SIEVE_TAG_ONCE, SIEVE_G_INCLUDE, SIEVE_EXT_NONE, 0, 0 },
	{ "optional", SIEVE_TAG_OPTIONAL, SIEVE_G_INCLUDE, SIEVE_EXT_NONE, 0,
	    0 },
	{ "zone", SIEVE_TAG_ZONE, SIEVE_G_ZONE, SIEVE_EXT_NONE, 'S', 12 },
	{ "originalzone", SIEVE_TAG_ORIGINALZONE, SIEVE_G_ORIGZONE,
	    SIEVE_EXT_NONE, 0, 12 },
	{ "index", SIEVE_TAG_INDEX, SIEVE_G_INDEX, SIEVE_EXT_INDEX, 'N', 0 },
	{ "last", SIEVE_TAG_LAST, SIEVE_G_INDEX, SIEVE_EXT_INDEX, 0, 0 },
	/* RFC 5293 §5: deleteheader's :index needs no "index" */
	{ "index", SIEVE_TAG_INDEX, SIEVE_G_DELINDEX, SIEVE_EXT_NONE, 'N', 0 },
	{ "last", SIEVE_TAG_LAST, SIEVE_G_ADDLAST | SIEVE_G_DUP |
	    SIEVE_G_DELINDEX, SIEVE_EXT_NONE, 0, 0 },
	{ "header", SIEVE_TAG_HEADER, SIEVE_G_DUP, SIEVE_EXT_NONE, 'S', 13 },
	{ "uniqueid", SIEVE_TAG_UNIQUEID, SIEVE_G_DUP, SIEVE_EXT_NONE, 'S',
	    13 },
	{ "percent", SIEVE_TAG_PERCENT, SIEVE_G_PERCENT,
	    SIEVE_EXT_SPAMTESTPLUS, 0, 0 },
};

const struct sieve_tag_spec *
sieve_tag_find(const char *name, uint32_t groups)
{
	size_t i;

	for (i = 0; i < sizeof(sieve_tags) / sizeof(sieve_tags[0]); i++)
		if ((sieve_tags[i].groups & groups) != 0 &&
		    strcasecmp(sieve_tags[i].name, name) == 0)
			return &sieve_tags[i];
	return NULL;
}
