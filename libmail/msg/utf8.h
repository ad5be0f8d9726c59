/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 well-formedness checks for the parsers that accept internationalised
 * addresses and parameters (RFC 6531 SMTPUTF8, RFC 6532 headers). Input is
 * untrusted bytes; nothing here allocates.
 */
#ifndef MSG_UTF8_H
#define MSG_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence starting at s (at most len
 * bytes available): 1 for ASCII, 2-4 for a multi-byte sequence, 0 when the
 * bytes are not well formed (overlong forms, surrogates, code points past
 * U+10FFFF, truncated sequences and stray continuation bytes all fail).
 */
size_t utf8_seq_len(const unsigned char *s, size_t len);

/* True when all len bytes of s are well-formed UTF-8 (NUL counts as ASCII). */
bool utf8_valid(const char *s, size_t len);

#endif
