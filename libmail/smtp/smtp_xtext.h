/* SPDX-License-Identifier: MIT */
/*
 * xtext (RFC 3461 §4), the encoding of the ENVID, ORCPT and AUTH= ESMTP
 * parameter values. smtpd decodes what clients send; the smtp client and
 * the DSN writer encode. Input is untrusted; nothing here does I/O.
 */
#ifndef SMTP_SMTP_XTEXT_H
#define SMTP_SMTP_XTEXT_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"

/*
 * Decode xtext: xchar is "!".."~" except "+" and "="; "+XX" (two
 * uppercase hex digits) stands for one octet. Lowercase hex digits are
 * accepted too (RFC 3461 §4 requires uppercase from senders; being lenient
 * costs nothing). A decoded NUL is refused. Returns the NUL-terminated
 * text in arena and its length in *len_out, or NULL on bad syntax.
 */
char *smtp_xtext_decode(
    const char *in, size_t len, struct arena *arena, size_t *len_out);

/*
 * The address of a queued ORCPT value ("rfc822;" xtext) decoded into
 * arena, for X-Original-To: and ${original_recipient}: NULL when the
 * type is not rfc822, the xtext is bad, or the address holds control
 * characters (it ends up in a header field or an argument).
 */
const char *smtp_orcpt_address(const char *orcpt, struct arena *arena);

/* Append the xtext encoding of in (len bytes) to out. */
void smtp_xtext_encode(struct buf *out, const char *in, size_t len);

#endif
