/* SPDX-License-Identifier: MIT */
/*
 * IMAP command reader and argument parsers (RFC 3501 §9 formal syntax,
 * RFC 9051, LITERAL+/LITERAL- RFC 7888, BINARY literal8 RFC 3516,
 * CONDSTORE RFC 7162, SEARCHRES RFC 5182). Used by imapd on every byte
 * a client sends; input is raw network data. Pure: no I/O, no logging,
 * every limit is an argument; tokens live in the caller's arena, except
 * literal contents, which are borrowed from the parser (no second copy
 * of an APPEND message).
 *
 * Shape: imapd feeds bytes as they arrive to imap_parse_feed(), which
 * consumes what it can and reports one event: a literal was announced
 * (so imapd sends "+ go ahead" or refuses it BEFORE any literal byte is
 * read), a whole command is ready (tokenised), a raw line (AUTHENTICATE
 * continuation, IDLE's DONE), or an error. Then the command-specific
 * parsers (sequence sets, FETCH items, STORE, flags, dates, mailbox
 * names; SEARCH/SORT/THREAD in imap_search.h) read the argument tree.
 *
 * Errors: every parser fills struct err with kind ERR_PERM, text for the
 * client, and in err->dsn the IMAP response code to send, without
 * brackets ("BADCHARSET", "TOOBIG", "LIMIT", "CANNOT"), or "" for a
 * plain syntax error (reply "BAD"); with a code, reply "NO [code]"
 * except where a function says BAD.
 */
#ifndef IMAP_IMAP_PARSE_H
#define IMAP_IMAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "mime/mime.h"

struct imap_parse_limits {
	size_t line_max; /* longest line between literals, CRLF included
	                    (Dovecot: 64 KiB) */
	uint64_t literal_max; /* largest literal (APPENDLIMIT) */
	uint64_t nonsync_max; /* largest {n+} literal: 4096 with LITERAL-,
	                         literal_max with LITERAL+ (RFC 7888) */
	size_t command_max; /* most octets in one command, lines and
	                       literals together */
	size_t depth_max; /* nesting of parenthesised lists */
	size_t args_max; /* tokens in one command, lists included */
};

/* One token of a command. */
enum imap_arg_type {
	IMAP_ARG_ATOM = 1, /* atom, also "\Seen", "1:*", "BODY[...]<0.5>" */
	IMAP_ARG_QUOTED, /* quoted string, quoting removed */
	IMAP_ARG_LITERAL, /* {n}, {n+} or ~{n} (literal8) */
	IMAP_ARG_NIL, /* the atom NIL (any case) */
	IMAP_ARG_LIST, /* ( ... ) */
};

struct imap_arg {
	enum imap_arg_type type;
	/* ATOM/QUOTED/LITERAL/NIL: the bytes, NUL-terminated (a literal
	   may also hold NULs: use len). ATOM, QUOTED and NIL strings
	   live in the arena; LITERAL contents are borrowed from the parser
	   until the next imap_parse_feed() or imap_parse_deinit(). */
	const char *str;
	size_t len;
	bool literal8; /* LITERAL: written ~{n} (RFC 3516) */
	struct imap_arg *list; /* LIST: the elements, in arena */
	size_t count; /* LIST: number of elements */
};

/* A complete command: tag, name, arguments. */
struct imap_cmd {
	const char *tag; /* validated tag (ASTRING-CHAR except '+') */
	const char *name; /* command name, uppercased ("UID" commands:
	                     "UID", with the real name as args[0]) */
	struct imap_arg *args; /* count arguments after the name */
	size_t count;
};

enum imap_parse_status {
	IMAP_PARSE_MORE = 0, /* all input used; feed more */
	/* A synchronising literal {n} ends the current line: reply
	   "+ go ahead" (or refuse it with imap_parse_abort() and a tagged
	   NO/BAD), then feed again. {n+} literals within the limits are
	   never reported. */
	IMAP_PARSE_LITERAL,
	IMAP_PARSE_COMMAND, /* ev.cmd holds a complete command */
	IMAP_PARSE_LINE, /* raw-line mode: ev.line holds one line */
	/* The command is refused: reply "<tag> BAD" ("* BAD" when ev.tag
	   is NULL), with "[TOOBIG]" when err->dsn says so (a literal, line
	   or command over the limits) or "[LIMIT]". The parser has dropped
	   the command; with ev.fatal the stream cannot be resynchronised
	   (a {n+} literal over the limits whose bytes are coming anyway, a
	   line or command too long): reply, then close the connection
	   (RFC 7888 §4). */
	IMAP_PARSE_ERROR,
};

struct imap_parse_event {
	enum imap_parse_status status;
	uint64_t literal_size; /* LITERAL: announced size */
	struct imap_cmd cmd; /* COMMAND */
	const char *line; /* LINE: without CRLF, NUL-terminated; borrowed
	                     until the next feed */
	size_t line_len;
	const char *tag; /* ERROR: the tag when it could be read (arena) */
	bool fatal; /* ERROR: close the connection after replying */
};

/* The reader; fields are private to imap_parse.c. */
struct imap_parser {
	struct imap_parse_limits lim;
	struct buf cmd; /* the command being read: lines and literals */
	size_t line_start; /* offset of the current line in cmd */
	uint64_t lit_left; /* literal bytes still to read */
	uint64_t skip_left; /* bytes to discard (refused literal) */
	int state;
	bool raw_line; /* next line is returned raw */
	bool done; /* an event used cmd: empty it on the next feed */
};

/* Initialise caller storage; lim is copied. imap_parse_deinit frees. */
void imap_parse_init(
    struct imap_parser *p, const struct imap_parse_limits *lim);
void imap_parse_deinit(struct imap_parser *p);
/* Change the limits between events (e.g. after LOGIN). */
void imap_parse_set_limits(
    struct imap_parser *p, const struct imap_parse_limits *lim);

/*
 * Consume bytes from data (len may be 0 to only collect a pending
 * event): *used_out gets how many were consumed (the caller drops them
 * from its input buffer; the rest must be fed again). Returns the event
 * kind, with ev filled; tokens of a COMMAND live in arena a. The result
 * never depends on how the input is split. Never blocks.
 */
enum imap_parse_status imap_parse_feed(struct imap_parser *p, const char *data,
    size_t len, size_t *used_out, struct arena *a, struct imap_parse_event *ev,
    struct err *err);

/*
 * Drop the command being read: after a LITERAL event the caller refused
 * (the client will not send the literal and starts a new command).
 */
void imap_parse_abort(struct imap_parser *p);

/*
 * Return the next complete line raw as an IMAP_PARSE_LINE event (for
 * AUTHENTICATE responses and IDLE's "DONE"); applies to one line.
 */
void imap_parse_want_line(struct imap_parser *p);

/* ---- argument helpers ---- */

/* True for ATOM, QUOTED and LITERAL (an astring); NIL counts as atom. */
bool imap_arg_is_astring(const struct imap_arg *arg);
/* True when arg is an atom equal to word, case-insensitively. */
bool imap_arg_is_atom(const struct imap_arg *arg, const char *word);
/* Parse an unsigned number (RFC 3501 number/number64): 0 or -1. */
int imap_parse_number(const char *s, size_t len, uint64_t *out);

/* ---- sequence sets (RFC 3501 sequence-set, RFC 5182 "$") ---- */

#define IMAP_SEQ_STAR UINT32_MAX /* "*": the largest number in use */

struct imap_seq_range {
	uint32_t lo; /* lo <= hi after parsing (a "5:2" is swapped) */
	uint32_t hi; /* either may be IMAP_SEQ_STAR */
};

struct imap_seqset {
	struct imap_seq_range *ranges; /* in arena, as written */
	size_t count;
	bool saved; /* "$": the saved search result (SEARCHRES) */
};

/*
 * Parse a sequence set ("1,3:5,7:*" or "$"). Numbers are 1..2^32-2;
 * 0 is refused. Returns 0, or -1 with err (syntax: BAD).
 */
int imap_seqset_parse(const char *s, size_t len, struct imap_seqset *out,
    struct arena *a, struct err *err);
/* True when n is in set, with "*" standing for star (the largest
   message number or UID; 0 for an empty mailbox). */
bool imap_seqset_contains(
    const struct imap_seqset *set, uint32_t n, uint32_t star);

/* ---- flags (STORE, APPEND) ---- */

enum {
	IMAP_FLAG_SEEN = 1 << 0,
	IMAP_FLAG_ANSWERED = 1 << 1,
	IMAP_FLAG_FLAGGED = 1 << 2,
	IMAP_FLAG_DELETED = 1 << 3,
	IMAP_FLAG_DRAFT = 1 << 4,
	IMAP_FLAG_RECENT = 1 << 5, /* refused by STORE/APPEND parsing */
};

struct imap_flags {
	unsigned system; /* IMAP_FLAG_* */
	const char **keywords; /* nkeywords keyword atoms, in arena */
	size_t nkeywords;
};

/*
 * Parse a flag list "(\Seen $Label)" or, when allow_bare is true, one
 * flag or a space-separated run of flags as in STORE (args, count).
 * Unknown "\X" system flags and "\Recent" are refused (BAD).
 * Returns 0, or -1 with err.
 */
int imap_flags_parse(const struct imap_arg *args, size_t count, bool allow_bare,
    struct imap_flags *out, struct arena *a, struct err *err);

/* ---- STORE (RFC 3501 §6.4.6, RFC 7162 UNCHANGEDSINCE) ---- */

enum imap_store_op {
	IMAP_STORE_REPLACE = 0, /* FLAGS */
	IMAP_STORE_ADD, /* +FLAGS */
	IMAP_STORE_REMOVE, /* -FLAGS */
};

struct imap_store {
	enum imap_store_op op;
	bool silent; /* .SILENT */
	bool has_unchangedsince;
	uint64_t unchangedsince;
	struct imap_flags flags;
};

/*
 * Parse the STORE arguments after the sequence set:
 *   [ "(" "UNCHANGEDSINCE" mod-sequence-valzer ")" ] item flags
 * Returns 0, or -1 with err (BAD).
 */
int imap_store_parse(const struct imap_arg *args, size_t count,
    struct imap_store *out, struct arena *a, struct err *err);

/* ---- FETCH (RFC 3501 §6.4.5, RFC 3516, RFC 7162, RFC 9051) ---- */

enum imap_fetch_kind {
	IMAP_FETCH_UID = 1,
	IMAP_FETCH_FLAGS,
	IMAP_FETCH_INTERNALDATE,
	IMAP_FETCH_ENVELOPE,
	IMAP_FETCH_BODYSTRUCTURE,
	IMAP_FETCH_BODY_STRUCT, /* BODY without a section: non-extensible */
	IMAP_FETCH_RFC822, /* = BODY[] (sets \Seen) */
	IMAP_FETCH_RFC822_HEADER, /* = BODY.PEEK[HEADER] */
	IMAP_FETCH_RFC822_TEXT, /* = BODY[TEXT] (sets \Seen) */
	IMAP_FETCH_RFC822_SIZE,
	IMAP_FETCH_BODY, /* BODY[section]<partial> or BODY.PEEK[...] */
	IMAP_FETCH_BINARY, /* BINARY[part]<partial>, BINARY.PEEK */
	IMAP_FETCH_BINARY_SIZE, /* BINARY.SIZE[part] */
	IMAP_FETCH_MODSEQ, /* RFC 7162 */
	IMAP_FETCH_SAVEDATE, /* RFC 8514 (answered NIL) */
	IMAP_FETCH_EMAILID, /* RFC 8474 */
	IMAP_FETCH_THREADID, /* RFC 8474 */
};

struct imap_fetch_item {
	enum imap_fetch_kind kind;
	bool peek; /* BODY.PEEK / BINARY.PEEK: do not set \Seen */
	struct mime_section section; /* BODY/BINARY/BINARY.SIZE */
	bool has_partial; /* <origin.octets> given */
	uint32_t partial_origin;
	uint32_t partial_octets;
	/* The item's name as it must appear in the response, e.g.
	   "BODY[HEADER.FIELDS (From To)]<0>": the name uppercased, without
	   .PEEK, the section as the client wrote it, a partial by its
	   origin only (RFC 3501 §7.4.2); lives in arena. */
	const char *reply_name;
};

struct imap_fetch {
	struct imap_fetch_item *items; /* in arena, without duplicates of
	                                  simple items */
	size_t count;
	bool sets_seen; /* some item implies \Seen (non-PEEK body) */
	bool has_changedsince; /* (CHANGEDSINCE n) modifier */
	uint64_t changedsince;
	bool vanished; /* (VANISHED) modifier (QRESYNC, UID FETCH only) */
};

/*
 * Parse the FETCH arguments after the sequence set: a macro (ALL, FAST,
 * FULL), one item, or a list of items, then the optional modifier list
 * "(CHANGEDSINCE n VANISHED)". CHANGEDSINCE adds MODSEQ to the items
 * (RFC 7162 §3.1.4.1). Limits: section depth MIME_SECTION_DEPTH_MAX,
 * 256 items. Returns 0, or -1 with err (BAD).
 */
int imap_fetch_parse(const struct imap_arg *args, size_t count,
    struct imap_fetch *out, struct arena *a, struct err *err);

/* ---- dates (RFC 3501 date, date-time) ---- */

struct imap_date {
	int year; /* 4 digits */
	int month; /* 1..12 */
	int day; /* 1..31, checked against the month */
};

/*
 * date = date-text / DQUOTE date-text DQUOTE, date-text = d[d]-Mon-yyyy
 * (the month name in any case). s is the token's contents (quotes
 * already removed by the reader). 0, or -1 with err (BAD).
 */
int imap_date_parse(
    const char *s, size_t len, struct imap_date *out, struct err *err);
/* Days since 1970-01-01 of a date (negative before). */
int64_t imap_date_days(const struct imap_date *d);

/*
 * date-time = "dd-Mon-yyyy hh:mm:ss +zzzz" (day may be " d"), as APPEND
 * gives it: *t_out in UTC seconds, *tz_out the zone in minutes east.
 * 0, or -1 with err (BAD).
 */
int imap_datetime_parse(
    const char *s, size_t len, time_t *t_out, int *tz_out, struct err *err);
/* Append the date-time of t seen in zone tz (minutes) as a quoted
   string: "\"25-Nov-2026 17:06:43 +0000\"". */
void imap_datetime_write(struct buf *out, time_t t, int tz);

/* ---- mailbox names (RFC 3501 §5.1.3, RFC 6855) ---- */

/*
 * Decode a mailbox name as the client sent it (modified UTF-7, or
 * UTF-8 when utf8 is true, i.e. after ENABLE UTF8=ACCEPT or IMAP4rev2)
 * into UTF-8 appended to out, and validate it: well-formed modified
 * UTF-7 (no "&" left open, base64 without leftover bits that decodes
 * to valid UTF-16, no printable ASCII encoded), no control characters
 * (C0, DEL, C1), no leading '/', no level ".." or "." (with the '/'
 * separator), not empty.
 * "INBOX" in any case is returned as "INBOX". The store's own checks
 * (store/mbox_folder.h) still apply after this one. 0, or -1 with err
 * (ERR_PERM, "CANNOT" code, reason).
 */
int imap_mailbox_decode(
    const char *name, size_t len, bool utf8, struct buf *out, struct err *err);
/*
 * Encode a UTF-8 mailbox name (from the store) to modified UTF-7,
 * appended to out, for clients that did not enable UTF-8. 0, or -1 when
 * name is not well-formed UTF-8.
 */
int imap_mailbox_encode(const char *name, size_t len, struct buf *out);

#endif
