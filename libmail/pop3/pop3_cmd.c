/* SPDX-License-Identifier: MIT */
/*
 * The POP3 command line parser (pop3/pop3_cmd.h). Input is raw network
 * data: every octet is checked, every length bounded before a copy.
 */
#include "pop3/pop3_cmd.h"

#include <string.h>
#include <strings.h>

/* What a verb takes: argument counts, and which arguments are numbers. */
struct pop3_cmd_syntax {
	const char *name;
	unsigned char min_args, max_args;
	unsigned char numeric; /* bit i: argument i is a number */
	unsigned char zero_ok; /* bit i: argument i may be 0 */
};

static const struct pop3_cmd_syntax pop3_cmd_table[POP3_CMD_NVERB] = {
    [POP3_CMD_UNKNOWN] = {"UNKNOWN", 0, 0, 0, 0},
    [POP3_CMD_USER] = {"USER", 1, 1, 0, 0},
    [POP3_CMD_PASS] = {"PASS", 1, 1, 0, 0},
    [POP3_CMD_APOP] = {"APOP", 2, 2, 0, 0},
    [POP3_CMD_AUTH] = {"AUTH", 0, 2, 0, 0},
    [POP3_CMD_STLS] = {"STLS", 0, 0, 0, 0},
    [POP3_CMD_CAPA] = {"CAPA", 0, 0, 0, 0},
    [POP3_CMD_QUIT] = {"QUIT", 0, 0, 0, 0},
    [POP3_CMD_STAT] = {"STAT", 0, 0, 0, 0},
    [POP3_CMD_LIST] = {"LIST", 0, 1, 1, 0},
    [POP3_CMD_RETR] = {"RETR", 1, 1, 1, 0},
    [POP3_CMD_DELE] = {"DELE", 1, 1, 1, 0},
    [POP3_CMD_NOOP] = {"NOOP", 0, 0, 0, 0},
    [POP3_CMD_RSET] = {"RSET", 0, 0, 0, 0},
    [POP3_CMD_TOP] = {"TOP", 2, 2, 3, 2},
    [POP3_CMD_UIDL] = {"UIDL", 0, 1, 1, 0},
};

const char *
pop3_cmd_verb_name(enum pop3_cmd_verb verb)
{
	if ((unsigned)verb >= POP3_CMD_NVERB)
		return "UNKNOWN";
	return pop3_cmd_table[verb].name;
}

static int
pop3_cmd_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Decimal, 1..10 digits, no sign, fits in 32 bits. */
static int
pop3_cmd_number(const char *p, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
pop3_cmd_hex32(const char *p)
{
	size_t i;

	for (i = 0; p[i] != '\0'; i++)
		if (strchr("0123456789abcdefABCDEF", p[i]) == NULL)
			return -1;
	return i == 32 ? 0 : -1;
}

static enum pop3_cmd_verb
pop3_cmd_lookup(const char *p, size_t len)
{
	size_t v;

	/* RFC 1939 §3: keywords are three or four characters. */
	if (len < 3 || len > 4)
		return POP3_CMD_UNKNOWN;
	for (v = 1; v < POP3_CMD_NVERB; v++)
		if (strlen(pop3_cmd_table[v].name) == len &&
		    strncasecmp(pop3_cmd_table[v].name, p, len) == 0)
			return (enum pop3_cmd_verb)v;
	return POP3_CMD_UNKNOWN;
}

/* Split the arguments after the keyword; the last may be the rest. */
static int
pop3_cmd_split(const char *p, const char *end, struct pop3_cmd *out,
    struct arena *arena, struct err *err)
{
	const struct pop3_cmd_syntax *syn = &pop3_cmd_table[out->verb];
	const char *start;
	size_t n;

	while (p < end) {
		while (p < end && pop3_cmd_is_space(*p))
			p++;
		if (p == end)
			break;
		if (out->nargs == 2)
			return err_set(err, ERR_PERM, "",
			    "Syntax error: too many arguments");
		start = p;
		/* RFC 1939 §7: PASS takes everything; trailing space gone. */
		if (out->verb == POP3_CMD_PASS)
			p = end;
		else
			while (p < end && !pop3_cmd_is_space(*p))
				p++;
		n = (size_t)(p - start);
		/* RFC 2449 §4 bounds arguments at 40 octets; user names
		 * (addresses) are often longer, so only a mechanism name is
		 * held to it. Numbers and digests are checked below. */
		if (n > POP3_CMD_ARG_MAX && out->verb == POP3_CMD_AUTH &&
		    out->nargs == 0)
			return err_set(err, ERR_PERM, "",
			    "Syntax error: argument too long");
		out->arg[out->nargs++] = arena_strndup(arena, start, n);
	}
	if (out->nargs < syn->min_args || out->nargs > syn->max_args)
		return err_set(err, ERR_PERM, "",
		    "Syntax error: wrong number of arguments");
	return 0;
}

static int
pop3_cmd_check(struct pop3_cmd *out, struct err *err)
{
	const struct pop3_cmd_syntax *syn = &pop3_cmd_table[out->verb];
	size_t i;

	for (i = 0; i < out->nargs; i++) {
		if (!(syn->numeric & (1u << i)))
			continue;
		if (pop3_cmd_number(out->arg[i], strlen(out->arg[i]),
		        &out->num[i]) != 0 ||
		    (out->num[i] == 0 && !(syn->zero_ok & (1u << i))))
			return err_set(err, ERR_PERM, "",
			    "Syntax error: invalid number");
	}
	if (out->verb == POP3_CMD_APOP && pop3_cmd_hex32(out->arg[1]) != 0)
		return err_set(err, ERR_PERM, "",
		    "Syntax error: the digest is 32 hex digits");
	return 0;
}

int
pop3_cmd_parse(const char *in, size_t len, size_t line_max,
    struct pop3_cmd *out, struct arena *arena, struct err *err)
{
	const char *end, *p;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len + 2 > line_max)
		return err_set(err, ERR_PERM, "", "Line too long");
	for (i = 0; i < len; i++)
		if (((unsigned char)in[i] < 0x20 && in[i] != '\t') ||
		    in[i] == 0x7f)
			return err_set(err, ERR_PERM, "", "Invalid characters");
	end = in + len;
	while (end > in && pop3_cmd_is_space(end[-1]))
		end--;
	for (p = in; p < end && !pop3_cmd_is_space(*p); p++)
		;
	out->verb = pop3_cmd_lookup(in, (size_t)(p - in));
	if (out->verb == POP3_CMD_UNKNOWN)
		return err_set(err, ERR_PERM, "", "Unknown command");
	if (pop3_cmd_split(p, end, out, arena, err) != 0)
		return -1;
	return pop3_cmd_check(out, err);
}
