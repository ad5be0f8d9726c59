/* SPDX-License-Identifier: MIT */
/*
 * RFC 5322 messages with MIME (RFC 2045-2049) parsed from one buffer
 * that holds the whole message: the header fields, the part tree
 * (multipart, message/rfc822 nesting), body section extraction for IMAP
 * BODY[section] and Content-Transfer-Encoding decoding for BINARY[]
 * (RFC 3516). Used by imapd (FETCH, SEARCH, the index cache) and pop3d
 * (TOP). Input is an untrusted message; every recursion and count is
 * bounded by struct mime_limits. Pure: no I/O, no logging; results are
 * offsets into the caller's buffer or live in the arena passed in.
 *
 * Decisions:
 * - CRLF and bare LF both end a line; offsets and sizes count the
 *   bytes as they are in the buffer, so imapd, whose sizes count CRLF
 *   (RFC 3501), hands in the message with CRLF line ends.
 * - A header section ends at the first empty line; a line that is not a
 *   field (no colon) also ends it, and is the first body line (as
 *   msg/header.h does).
 * - RFC 2231 parameter continuations are joined: name*0, name*1 give
 *   "name"; name*0*, name*1* give "name*". Extended values ("name*")
 *   keep their charset'lang'%XX form, which IMAP clients decode (as
 *   Dovecot sends them).
 * - A delimiter line is "--boundary" with optional trailing white space
 *   (RFC 2046 §5.1.1), not any line that starts with it; the line end
 *   before a delimiter belongs to the delimiter, also after a nested
 *   close delimiter (Dovecot gives that one to the nested part).
 * - A multipart without a boundary parameter or without any delimiter
 *   line, or past limits.depth_max, has one empty text/plain child, as
 *   in Dovecot, so BODYSTRUCTURE keeps multipart syntax.
 * - Past limits.depth_max, a message/rfc822 part is kept as an opaque
 *   leaf; past parts_max, no more parts are made (later siblings are
 *   left out of the tree). Both set MIME_MESSAGE_TRUNCATED; the parse
 *   still succeeds.
 */
#ifndef MIME_MIME_H
#define MIME_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

struct mime_limits {
	size_t depth_max; /* nesting of multipart and message/rfc822
	                     (Dovecot uses 100) */
	size_t parts_max; /* parts in the whole tree */
	size_t params_max; /* Content-Type/Disposition parameters kept
	                      per field (more are ignored); joining RFC
	                      2231 sections costs params_max^2, so keep
	                      it small (32) */
};

/* A byte range of the message buffer. */
struct mime_span {
	size_t off;
	size_t len;
};

/* One parameter of Content-Type or Content-Disposition, in arena. */
struct mime_param {
	const char *name; /* lowercased; continuations joined (see above) */
	const char *value; /* quotes removed, continuations joined */
};

enum mime_encoding {
	MIME_ENC_7BIT = 0, /* also when the field is absent */
	MIME_ENC_8BIT,
	MIME_ENC_BINARY,
	MIME_ENC_BASE64,
	MIME_ENC_QP, /* quoted-printable */
	MIME_ENC_UNKNOWN, /* anything else ("x-uuencode"...) */
};

/*
 * One node of the part tree. Strings live in the arena and are
 * NUL-terminated; NULL means the field or value was absent.
 */
struct mime_part {
	struct mime_part *parent;
	struct mime_part *children; /* multipart: first child, else NULL */
	struct mime_part *next; /* next sibling */
	/* message/rfc822 (and message/global): the encapsulated message,
	   whose own header and children describe it; else NULL */
	struct mime_part *message;

	struct mime_span header; /* header section, its empty line included */
	struct mime_span body; /* body: for a multipart child, up to the CRLF
	                          before the next boundary */
	size_t body_lines; /* LFs in body: a last line without its line
	                      end does not count (as in Dovecot) */

	/* Content-Type: lowercased; "text"/"plain" when absent or unusable
	   (RFC 2045 §5.2), "message"/"rfc822" for a multipart/digest child */
	const char *type;
	const char *subtype;
	struct mime_param *params; /* nparams entries, as written */
	size_t nparams;

	const char *id; /* Content-ID, unfolded */
	const char *description; /* Content-Description, unfolded */
	const char *encoding_name; /* Content-Transfer-Encoding as
	                              written, trimmed; NULL if absent */
	enum mime_encoding encoding;
	const char *md5; /* Content-MD5 */
	const char *disposition; /* Content-Disposition type, lowercased */
	struct mime_param *disp_params;
	size_t ndisp_params;
	const char *language; /* Content-Language, unfolded, as written */
	const char *location; /* Content-Location, unfolded */
	unsigned number; /* 1-based position among its siblings */
};

enum {
	MIME_MESSAGE_TRUNCATED = 1 << 0, /* a limit cut the tree short */
};

struct mime_message {
	const char *data; /* the caller's buffer (borrowed) */
	size_t len;
	struct mime_part *root; /* the message itself (never NULL) */
	size_t nparts; /* nodes in the tree */
	unsigned flags; /* MIME_MESSAGE_* */
};

/*
 * Parse the message in data (len bytes; it must stay unchanged while
 * out is used; embedded NULs are ordinary octets). All nodes and strings
 * live in arena a. Returns 0 with out filled, or -1 only for a caller
 * error (lim zero): malformed input never fails, it gives the best tree
 * it can (see the decisions above). Bounded: O(len x depth_max) work.
 */
int mime_parse(const char *data, size_t len, const struct mime_limits *lim,
    struct mime_message *out, struct arena *a, struct err *err);

/* True when p has children: a multipart (at least one child each, see
   above), unless parts_max cut the tree before it got one. */
bool mime_part_is_multipart(const struct mime_part *p);

/* Value of a parameter (name matched case-insensitively) or NULL. */
const char *mime_param_get(
    const struct mime_param *params, size_t n, const char *name);

/*
 * Header fields. An iterator walks the fields of one header section
 * (a mime_part's header span) in order; raw spans point into the
 * message buffer.
 */
struct mime_field {
	struct mime_span name; /* field name, no trailing white space */
	struct mime_span raw; /* the whole field with its folding and line
	                         end(s) as in the message */
	struct mime_span value; /* after ':' up to the end of the field,
	                           still folded, line end excluded */
};

struct mime_header_iter {
	const char *data;
	size_t pos;
	size_t end;
};

/* Start iterating over the header span h of a message buffer. */
void mime_header_iter_init(
    struct mime_header_iter *it, const char *data, struct mime_span h);
/* Next field: 1 with f filled, 0 at the end of the section. */
int mime_header_next(struct mime_header_iter *it, struct mime_field *f);

/*
 * The unfolded value of the first field called name (case-insensitive)
 * in header span h: line breaks of folding removed, leading and
 * trailing white space trimmed; NUL-terminated, in arena a. NULL when
 * there is no such field.
 */
const char *mime_header_get(
    const char *data, struct mime_span h, const char *name, struct arena *a);

/* Unfold a field value span (see mime_header_get); lives in a. */
char *mime_header_unfold(const char *data, struct mime_span v, struct arena *a);

/*
 * IMAP section specification, as parsed by imap_fetch_parse() and used
 * by mime_section_get(): BODY[1.2.HEADER.FIELDS (From To)].
 */
enum mime_section_kind {
	MIME_SECTION_ALL = 0, /* BODY[] or BODY[1.2] (no text spec) */
	MIME_SECTION_HEADER,
	MIME_SECTION_HEADER_FIELDS,
	MIME_SECTION_HEADER_FIELDS_NOT,
	MIME_SECTION_TEXT,
	MIME_SECTION_MIME,
};

#define MIME_SECTION_DEPTH_MAX 32

struct mime_section {
	uint32_t part[MIME_SECTION_DEPTH_MAX]; /* part numbers, each >= 1 */
	size_t depth; /* 0: the whole message */
	enum mime_section_kind kind;
	const char **fields; /* HEADER.FIELDS[.NOT]: nfields names */
	size_t nfields;
};

/*
 * Find the part a section names (RFC 3501 §6.4.5): part numbers walk
 * multipart children; a number applied to a message/rfc822 part walks
 * the encapsulated message's parts (1 being its body when it is not
 * multipart), and part 1 of a non-multipart part is the part itself.
 * Returns the part or NULL when it does not exist. For HEADER/TEXT
 * after a part number, the part must be message/rfc822: *msg_out gets
 * the encapsulated message (else NULL: the section does not exist).
 */
const struct mime_part *mime_section_part(const struct mime_message *m,
    const struct mime_section *sec, const struct mime_part **msg_out);

/*
 * The octets of a section. Most sections are a span of the message
 * buffer: *out points into m->data. HEADER.FIELDS[.NOT] builds the
 * selected fields (in message order, raw, with their folding) and the
 * final empty line into arena a. The partial <origin.octets> is the
 * caller's job. Returns 1 with *out and *len_out set, 0 when the section
 * does not exist (the caller answers with an empty string, as Dovecot
 * does).
 */
int mime_section_get(const struct mime_message *m,
    const struct mime_section *sec, struct arena *a, const char **out,
    size_t *len_out);

/*
 * Decode a body with Content-Transfer-Encoding enc into out (appended):
 * base64 (characters outside the alphabet are skipped, as RFC 2045 §6.8
 * says; an incomplete last group is decoded as far as it goes) and
 * quoted-printable (soft line breaks removed, "=XX" decoded, a broken
 * "=" kept literally, trailing white space on lines dropped); 7bit,
 * 8bit and binary are copied. Returns 0, or -1 for MIME_ENC_UNKNOWN
 * with err ERR_PERM, dsn "UNKNOWN-CTE" (RFC 3516 response code).
 */
int mime_decode(enum mime_encoding enc, const char *in, size_t len,
    struct buf *out, struct err *err);

/* The encoding named by a Content-Transfer-Encoding value. */
enum mime_encoding mime_encoding_from_name(const char *name, size_t len);

/*
 * Append s (len bytes, an unfolded header value) to out with its RFC
 * 2047 encoded words decoded to UTF-8 (B and Q encodings, white space
 * between adjacent words dropped). Charsets are converted with iconv(3):
 * a word whose charset iconv cannot open (in a chroot, one whose gconv
 * module is not reachable), or that does not convert, is kept as
 * written, as is all other text. Never fails.
 */
void mime_rfc2047_decode(const char *s, size_t len, struct buf *out);

/*
 * Parse an RFC 5322 §3.3 date-time (with the obsolete forms of §4.3:
 * two-digit years, named zones, missing seconds and day of week) into
 * *t_out (UTC seconds) and *tz_out (zone offset in minutes). Used for
 * SENTBEFORE/SENTON/SENTSINCE and SORT DATE. 0, or -1 when unusable.
 */
int mime_date_parse(const char *s, size_t len, time_t *t_out, int *tz_out);

#endif
