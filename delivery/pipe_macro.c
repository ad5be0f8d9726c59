/* SPDX-License-Identifier: MIT */
/*
 * Command argument macros, as in Postfix's pipe(8): $name or ${name},
 * and $$ for a dollar sign. Recipient macros expand for the recipient
 * of the run; the others come from the envelope. A macro never splits
 * or joins arguments: each expands inside its own argument, so an
 * address cannot smuggle in options or words.
 */
#include "pipe.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "conf/conf.h"
#include "core/buf.h"
#include "msg/address.h"

/* Macros whose value depends on the recipient. */
static const char *const pipe_rcpt_macros[] = {
    "recipient", "original_recipient", "user", "extension", "mailbox",
    "domain",
};

bool
pipe_macro_per_rcpt(const char *tmpl)
{
	const char *p;
	size_t i, n;

	for (p = strchr(tmpl, '$'); p != NULL; p = strchr(p + 1, '$')) {
		const char *name = p[1] == '{' ? p + 2 : p + 1;

		for (i = 0; i < sizeof(pipe_rcpt_macros) /
		                sizeof(pipe_rcpt_macros[0]);
		     i++) {
			n = strlen(pipe_rcpt_macros[i]);
			if (strncmp(name, pipe_rcpt_macros[i], n) == 0 &&
			    !isalnum((unsigned char)name[n]) && name[n] != '_')
				return true;
		}
	}
	return false;
}

static void
pipe_macro_append(struct buf *out, const char *s, size_t len, bool lower)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf_putc(out,
		    lower ? (char)tolower((unsigned char)s[i]) : s[i]);
}

/* The value of a recipient macro; false when name is not one. */
static bool
pipe_macro_rcpt(const struct pipe *p, const char *name,
    const struct pipe_rcpt_view *rv, struct buf *out)
{
	bool lu = (p->args.flags & PIPE_F_LOWER_USER) != 0;
	bool lh = (p->args.flags & PIPE_F_LOWER_HOST) != 0;
	const char *a = rv->address;
	struct address_parts parts;
	size_t local_len;

	address_split(a, strlen(a), p->conf->recipient_delimiter, &parts);
	local_len = parts.domain != NULL ? (size_t)(parts.domain - a) - 1
	                                 : strlen(a);
	if (strcmp(name, "recipient") == 0) {
		pipe_macro_append(out, a, local_len, lu);
		if (parts.domain != NULL) {
			buf_putc(out, '@');
			pipe_macro_append(
			    out, parts.domain, parts.domain_len, lh);
		}
	} else if (strcmp(name, "original_recipient") == 0) {
		buf_append(out, rv->original, strlen(rv->original));
	} else if (strcmp(name, "user") == 0) {
		pipe_macro_append(out, parts.local, parts.local_len, lu);
	} else if (strcmp(name, "extension") == 0) {
		if (parts.ext != NULL)
			pipe_macro_append(out, parts.ext, parts.ext_len, lu);
	} else if (strcmp(name, "mailbox") == 0) {
		pipe_macro_append(out, a, local_len, lu);
	} else if (strcmp(name, "domain") == 0) {
		if (parts.domain != NULL)
			pipe_macro_append(
			    out, parts.domain, parts.domain_len, lh);
	} else {
		return false;
	}
	return true;
}

/* The value of an envelope macro; false when name is not one. */
static bool
pipe_macro_env(const struct pipe *p, const struct deliver_request *req,
    const char *name, struct buf *out)
{
	const struct queue_env *env = &req->env;
	bool lh = (p->args.flags & PIPE_F_LOWER_HOST) != 0;

	if (strcmp(name, "sender") == 0)
		buf_append(out, env->sender, strlen(env->sender));
	else if (strcmp(name, "nexthop") == 0)
		pipe_macro_append(out, req->nexthop, strlen(req->nexthop), lh);
	else if (strcmp(name, "size") == 0)
		buf_printf(out, "%" PRIu64, req->content_size);
	else if (strcmp(name, "queue_id") == 0)
		buf_append(out, req->queue_id, strlen(req->queue_id));
	else if (strcmp(name, "client_address") == 0)
		buf_append(out, env->client_addr != NULL ? env->client_addr : "",
		    env->client_addr != NULL ? strlen(env->client_addr) : 0);
	else if (strcmp(name, "client_helo") == 0)
		buf_append(out, env->helo != NULL ? env->helo : "",
		    env->helo != NULL ? strlen(env->helo) : 0);
	else if (strcmp(name, "sasl_username") == 0)
		buf_append(out, env->sasl_user != NULL ? env->sasl_user : "",
		    env->sasl_user != NULL ? strlen(env->sasl_user) : 0);
	else
		return false;
	return true;
}

char *
pipe_macro_expand(const struct pipe *p, const struct deliver_request *req,
    const char *tmpl, const struct pipe_rcpt_view *rv, struct arena *arena,
    struct err *err)
{
	char name[64];
	struct buf out;
	const char *s = tmpl, *end, *next;
	char *result = NULL;
	size_t n;

	buf_init(&out);
	while (*s != '\0') {
		if (*s != '$') {
			buf_putc(&out, *s++);
			continue;
		}
		if (s[1] == '$') {
			buf_putc(&out, '$');
			s += 2;
			continue;
		}
		if (s[1] == '{') {
			end = strchr(s + 2, '}');
			if (end == NULL)
				goto bad;
			n = (size_t)(end - (s + 2));
			next = end + 1;
			s += 2;
		} else {
			for (end = s + 1;
			     isalnum((unsigned char)*end) || *end == '_'; end++)
				;
			n = (size_t)(end - (s + 1));
			next = end;
			s += 1;
		}
		if (n == 0 || n >= sizeof(name))
			goto bad;
		memcpy(name, s, n);
		name[n] = '\0';
		s = next;
		if (!pipe_macro_env(p, req, name, &out) &&
		    (rv->address == NULL ||
		        !pipe_macro_rcpt(p, name, rv, &out))) {
			err_set(err, ERR_PERM, "5.3.5",
			    "argument \"%s\": unknown macro $%s", tmpl, name);
			goto out;
		}
	}
	result = arena_strndup(arena, out.data != NULL ? out.data : "", out.len);
	goto out;
bad:
	err_set(err, ERR_PERM, "5.3.5", "argument \"%s\": bad macro", tmpl);
out:
	buf_deinit(&out);
	return result;
}
