/* SPDX-License-Identifier: MIT */
/*
 * pipe's master.cf arguments, as Postfix's pipe(8) spells them:
 * flags=letters, user=name (the process already runs as that user: the
 * server skeleton drops to it), size=bytes, eol=string with \r and \n
 * escapes, and argv=command ... as the last argument. Trusted input
 * (the admin's master.cf), but a mistake must name itself clearly.
 */
#include "pipe.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

static const struct {
	char letter;
	unsigned bit;
} pipe_flag_letters[] = {
    {'F', PIPE_F_FROM},
    {'R', PIPE_F_RETURN_PATH},
    {'D', PIPE_F_DELIVERED_TO},
    {'O', PIPE_F_ORIGINAL_TO},
    {'.', PIPE_F_DOT},
    {'>', PIPE_F_QUOTE_FROM},
    {'B', PIPE_F_BLANK},
    {'u', PIPE_F_LOWER_USER},
    {'h', PIPE_F_LOWER_HOST},
    {'X', PIPE_F_FINAL},
};

static int
pipe_args_flags(const char *v, unsigned *out, struct err *err)
{
	size_t i;

	for (; *v != '\0'; v++) {
		for (i = 0; i < sizeof(pipe_flag_letters) /
		                sizeof(pipe_flag_letters[0]);
		     i++)
			if (pipe_flag_letters[i].letter == *v)
				break;
		if (i == sizeof(pipe_flag_letters) /
		             sizeof(pipe_flag_letters[0]))
			return err_set(err, ERR_PERM, "5.3.5",
			    "flags=: unknown flag '%c'", *v);
		*out |= pipe_flag_letters[i].bit;
	}
	return 0;
}

/* eol=: only line ends make sense; "\r\n" or "\n" spelled with escapes. */
static int
pipe_args_eol(const char *v, const char **out, struct err *err)
{
	if (strcmp(v, "\\n") == 0)
		*out = "\n";
	else if (strcmp(v, "\\r\\n") == 0)
		*out = "\r\n";
	else
		return err_set(err, ERR_PERM, "5.3.5",
		    "eol=%s: expected \\n or \\r\\n", v);
	return 0;
}

static int
pipe_args_size(const char *v, uint64_t *out, struct err *err)
{
	char *end;
	unsigned long long n;

	n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0')
		return err_set(
		    err, ERR_PERM, "5.3.5", "size=%s: not a number", v);
	*out = n;
	return 0;
}

int
pipe_args_parse(const char *const *args, size_t nargs, struct pipe_args *out,
    struct err *err)
{
	size_t i, j;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->eol = "\n";
	for (i = 0; i < nargs && rc == 0; i++) {
		const char *a = args[i];

		if (strncmp(a, "argv=", 5) == 0) {
			/* The rest of the line is the command. */
			if (a[5] != '/')
				return err_set(err, ERR_PERM, "5.3.5",
				    "argv=%s: the command must be an "
				    "absolute path",
				    a + 5);
			out->argc = nargs - i;
			out->argv = xcalloc(out->argc + 1, sizeof(*out->argv));
			out->argv[0] = a + 5;
			for (j = 1; j < out->argc; j++)
				out->argv[j] = args[i + j];
			break;
		}
		if (strncmp(a, "flags=", 6) == 0)
			rc = pipe_args_flags(a + 6, &out->flags, err);
		else if (strncmp(a, "eol=", 4) == 0)
			rc = pipe_args_eol(a + 4, &out->eol, err);
		else if (strncmp(a, "size=", 5) == 0)
			rc = pipe_args_size(a + 5, &out->size_limit, err);
		else if (strncmp(a, "user=", 5) != 0)
			rc = err_set(err, ERR_PERM, "5.3.5",
			    "unknown argument \"%s\"", a);
	}
	if (rc != 0)
		return rc;
	if (out->argv == NULL)
		return err_set(
		    err, ERR_PERM, "5.3.5", "no argv=command argument");
	for (j = 0; j < out->argc; j++)
		if (pipe_macro_per_rcpt(out->argv[j]))
			out->per_rcpt = true;
	return 0;
}
