/* SPDX-License-Identifier: MIT */
/*
 * The base subject of RFC 5256 §2.1, which SORT SUBJECT and THREAD
 * ORDEREDSUBJECT/REFERENCES compare: "Re:", "Fwd:", "[list]" prefixes,
 * "(fwd)" trailers and "[fwd: ...]" wrappers removed. Used by imapd.
 * Input is an untrusted Subject: value. Pure; the result lives in the
 * arena.
 */
#ifndef IMAP_IMAP_SUBJECT_H
#define IMAP_IMAP_SUBJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/*
 * The base subject of s (len bytes, unfolded), UTF-8, NUL-terminated,
 * in a: RFC 2047 words decoded (mime_rfc2047_decode) and white space
 * runs made one space (step 1), then steps 2-6 of RFC 5256 §2.1 until
 * nothing changes. *reply_out (may be NULL) is set when a "Re:"/"Fwd:"
 * leader, a "(fwd)" trailer or a "[fwd: ...]" wrapper was removed. Case
 * is kept: the caller compares with its collation. Each removal is
 * linear in len, and there are at most len of them.
 */
char *imap_subject_base(
    const char *s, size_t len, bool *reply_out, struct arena *a);

#endif
