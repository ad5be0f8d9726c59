/* SPDX-License-Identifier: MIT */
/*
 * The header fields local puts on top of each copy (as Postfix's local
 * does): Return-Path: with the envelope sender, Delivered-To: with the
 * envelope recipient, which is what loop detection looks for when the
 * message comes back, and X-Original-To: with the address the sender
 * first used (the ORCPT of RFC 3461 when it is an rfc822 address, else
 * the envelope recipient). They depend on the recipient only, so every
 * mailbox one recipient reaches gets byte-identical copies, which
 * local_mailbox.c writes once and hard-links.
 */
#include "local.h"

#include "smtp/smtp_xtext.h"

/* Printable ASCII only: these values end up in a header field. */
static bool
local_header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

void
local_header_block(
    const struct local_req *r, size_t i, const char *eol, struct buf *out)
{
	const struct queue_env *env = &r->req->env;
	const char *rcpt = env->rcpts[i].address;
	const char *orig = smtp_orcpt_address(env->rcpts[i].orcpt, r->arena);

	buf_reset(out);
	if (local_header_safe(env->sender))
		buf_printf(out, "Return-Path: <%s>%s", env->sender, eol);
	if (local_header_safe(rcpt)) {
		buf_printf(out, "Delivered-To: %s%s", rcpt, eol);
		buf_printf(out, "X-Original-To: %s%s",
		    orig != NULL ? orig : rcpt, eol);
	}
}
