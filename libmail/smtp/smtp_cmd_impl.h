/* SPDX-License-Identifier: MIT */
/*
 * Shared between smtp_cmd.c (verbs, paths) and smtp_cmd_param.c (ESMTP
 * parameters); no other file includes this.
 */
#ifndef SMTP_SMTP_CMD_IMPL_H
#define SMTP_SMTP_CMD_IMPL_H

#include "smtp/smtp_cmd.h"

/* Record the reply code and fill err; evaluates to -1. */
#define SMTP_CMD_FAIL(out, err, code_, dsn, ...)                               \
	((out)->code = (code_), err_set((err), ERR_PERM, (dsn), __VA_ARGS__))

static inline bool
smtp_cmd_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parse the ESMTP parameters in s (len bytes, after the path) into
 * out->mail or out->rcpt. 0 or -1 with out->code and err set.
 */
int smtp_cmd_param_mail(const char *s, size_t len,
    const struct smtp_cmd_limits *lim, struct smtp_cmd *out,
    struct arena *arena, struct err *err);
int smtp_cmd_param_rcpt(const char *s, size_t len,
    const struct smtp_cmd_limits *lim, struct smtp_cmd *out,
    struct arena *arena, struct err *err);

#endif
