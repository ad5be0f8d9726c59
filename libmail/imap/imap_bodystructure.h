/* SPDX-License-Identifier: MIT */
/*
 * FETCH BODYSTRUCTURE and BODY (RFC 3501 §7.4.2, RFC 9051 §7.5.2) built
 * from a parsed MIME tree: basic, text and message/rfc822 part fields,
 * line counts, sizes, and with extension data the MD5, disposition,
 * language and location (BODYSTRUCTURE) or none (BODY). Used by imapd
 * for FETCH and for the index cache. Input is an untrusted message
 * already bounded by mime_parse(). Pure.
 */
#ifndef IMAP_IMAP_BODYSTRUCTURE_H
#define IMAP_IMAP_BODYSTRUCTURE_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "mime/mime.h"

/*
 * Append the structure of part (usually m->root) to out: with extension
 * data when extended is true (BODYSTRUCTURE), without (BODY). Type,
 * subtype, parameter names, the encoding and the disposition type are
 * uppercased, as in RFC 3501's examples; values are sent as written
 * (a text part without charset gets ("CHARSET" "US-ASCII")). flags are
 * IMAP_WRITE_*. Scratch memory comes from a.
 */
void imap_bodystructure_write(struct buf *out, const struct mime_message *m,
    const struct mime_part *part, bool extended, unsigned flags,
    struct arena *a);

#endif
