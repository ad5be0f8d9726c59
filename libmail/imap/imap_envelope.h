/* SPDX-License-Identifier: MIT */
/*
 * The FETCH ENVELOPE structure (RFC 3501 §7.4.2, RFC 9051 §7.5.2) built
 * from a parsed message's header: date, subject, from, sender, reply-to,
 * to, cc, bcc, in-reply-to, message-id, with address lists as
 * (name adl mailbox host) and groups as (NIL NIL group NIL) ...
 * (NIL NIL NIL NIL). Used by imapd for FETCH and for the index cache.
 * Input is an untrusted message. Pure.
 */
#ifndef IMAP_IMAP_ENVELOPE_H
#define IMAP_IMAP_ENVELOPE_H

#include "core/arena.h"
#include "core/buf.h"
#include "mime/mime.h"

/*
 * Append the parenthesised ENVELOPE of msg to out. msg is the root of m
 * or the encapsulated message of a message/rfc822 part (mime_part
 * .message). Header values are sent as written (RFC 2047 words left
 * encoded); a missing field is NIL; Sender and Reply-To default to From
 * (RFC 3501 §7.4.2); one that does not parse is sent as NIL. A mailbox
 * without a domain gets host "". A field made only of empty groups
 * ("undisclosed-recipients:;") shows their markers; an empty group
 * among mailboxes is left out, as msg/address_list.h returns no item
 * for it (partial). flags are IMAP_WRITE_* (imap/imap_write.h).
 * Scratch memory comes from a.
 */
void imap_envelope_write(struct buf *out, const struct mime_message *m,
    const struct mime_part *msg, unsigned flags, struct arena *a);

#endif
