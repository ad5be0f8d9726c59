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
 * The base subject of s (len bytes, unfolded), NUL-terminated, in a:
 * white space runs become one space, then steps 2-6 of RFC 5256 §2.1
 * run until nothing changes. *reply_out (may be NULL) is set when a
 * "Re:"/"Fwd:" leader, a "(fwd)" trailer or a "[fwd: ...]" wrapper was
 * removed. Partial: step 1's RFC 2047 decoding is not done (encoded
 * words are compared as written), and case is kept (the caller
 * compares with its collation). Linear in len per removal, bounded by
 * len removals.
 */
char *imap_subject_base(const char *s, size_t len, bool *reply_out,
    struct arena *a);

#endif
