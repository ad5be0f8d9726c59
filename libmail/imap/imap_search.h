/* SPDX-License-Identifier: MIT */
/*
 * SEARCH keys (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 7162 MODSEQ,
 * RFC 5182 "$"), ESEARCH RETURN options (RFC 4731) and SORT/THREAD
 * criteria (RFC 5256), parsed from the argument tree of imap_parse.h
 * into a tree imapd evaluates. Input is untrusted client text. Pure;
 * nodes live in the arena passed in; strings are borrowed from the
 * arguments (hence from the arena or, for literals, the parser).
 * Errors follow imap_parse.h: err->dsn "" means BAD, "BADCHARSET" means
 * reply NO [BADCHARSET (US-ASCII UTF-8)].
 */
#ifndef IMAP_IMAP_SEARCH_H
#define IMAP_IMAP_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "imap/imap_parse.h"

enum imap_search_kind {
	IMAP_SEARCH_AND = 1, /* all children match (a list, the top) */
	IMAP_SEARCH_OR, /* either of two children */
	IMAP_SEARCH_NOT, /* one child */
	IMAP_SEARCH_ALL,
	IMAP_SEARCH_SEQSET, /* set: message sequence numbers */
	IMAP_SEARCH_UID, /* set: UIDs */
	IMAP_SEARCH_FLAG, /* flag: one of IMAP_FLAG_* is set
	                     (ANSWERED, DELETED, DRAFT, FLAGGED, SEEN,
	                     RECENT); the UN* keys are NOT of this */
	IMAP_SEARCH_NEW, /* RECENT and not SEEN */
	IMAP_SEARCH_OLD, /* not RECENT */
	IMAP_SEARCH_KEYWORD, /* str: keyword set (UNKEYWORD = NOT) */
	IMAP_SEARCH_HEADER, /* field contains str (BCC CC FROM SUBJECT TO
	                       HEADER); str "" matches any such field */
	IMAP_SEARCH_BODY, /* body contains str */
	IMAP_SEARCH_TEXT, /* header or body contains str */
	IMAP_SEARCH_BEFORE, /* internal date, date only */
	IMAP_SEARCH_ON,
	IMAP_SEARCH_SINCE,
	IMAP_SEARCH_SENTBEFORE, /* Date: header, date only */
	IMAP_SEARCH_SENTON,
	IMAP_SEARCH_SENTSINCE,
	IMAP_SEARCH_LARGER, /* num: RFC822.SIZE > num */
	IMAP_SEARCH_SMALLER, /* num: RFC822.SIZE < num */
	IMAP_SEARCH_MODSEQ, /* num: MODSEQ >= num (RFC 7162 §3.1.5) */
	IMAP_SEARCH_OLDER, /* num: internal date at least num s ago
	                      (RFC 5032 WITHIN) */
	IMAP_SEARCH_YOUNGER, /* num: internal date at most num s ago */
};

struct imap_search_node {
	enum imap_search_kind kind;
	struct imap_search_node *children; /* AND/OR/NOT: first child */
	struct imap_search_node *next; /* next sibling */
	const char *field; /* HEADER: field name as given ("From" for
	                      FROM...); NULL otherwise */
	const char *str; /* KEYWORD, HEADER, BODY, TEXT: search string */
	size_t str_len;
	unsigned flag; /* FLAG: IMAP_FLAG_* */
	struct imap_date date; /* BEFORE ... SENTSINCE */
	uint64_t num; /* LARGER, SMALLER, MODSEQ, OLDER, YOUNGER */
	struct imap_seqset set; /* SEQSET, UID */
	/* MODSEQ: optional entry-name and entry-type-req (ignored by
	   servers without per-flag modseqs, but parsed) */
	const char *modseq_entry;
	const char *modseq_type; /* "priv", "shared" or "all" */
};

/* ESEARCH RETURN options (RFC 4731, RFC 5182 SAVE, RFC 9051). */
enum {
	IMAP_SEARCH_RET_MIN = 1 << 0,
	IMAP_SEARCH_RET_MAX = 1 << 1,
	IMAP_SEARCH_RET_ALL = 1 << 2,
	IMAP_SEARCH_RET_COUNT = 1 << 3,
	IMAP_SEARCH_RET_SAVE = 1 << 4,
};

struct imap_search {
	struct imap_search_node *root; /* an AND of the top-level keys */
	bool utf8; /* CHARSET UTF-8 given (or implied by UTF8=ACCEPT) */
	bool has_return; /* RETURN (...) given: answer with ESEARCH */
	unsigned ret; /* IMAP_SEARCH_RET_*; RETURN () means ALL */
	bool uses_modseq; /* a MODSEQ key: reply with (MODSEQ n) */
	bool uses_saved; /* a "$" set somewhere */
};

struct imap_search_limits {
	size_t depth_max; /* nesting of lists, OR and NOT */
	size_t keys_max; /* nodes in the tree */
};

/*
 * Parse SEARCH arguments (after "SEARCH"):
 *   [RETURN (opts)] [CHARSET name] key *(SP key)
 * Charset "US-ASCII" and "UTF-8" (any case) are accepted, any other is
 * refused with dsn "BADCHARSET". Every RFC 3501 key, the RFC 9051 set,
 * MODSEQ, OLDER/YOUNGER. Returns 0, or -1 with err.
 */
int imap_search_parse(const struct imap_arg *args, size_t count,
    const struct imap_search_limits *lim, struct imap_search *out,
    struct arena *a, struct err *err);

/* ---- SORT and THREAD (RFC 5256) ---- */

enum imap_sort_key {
	IMAP_SORT_ARRIVAL = 1,
	IMAP_SORT_CC,
	IMAP_SORT_DATE,
	IMAP_SORT_FROM,
	IMAP_SORT_SIZE,
	IMAP_SORT_SUBJECT,
	IMAP_SORT_TO,
	IMAP_SORT_DISPLAYFROM, /* RFC 5957 */
	IMAP_SORT_DISPLAYTO,
};

struct imap_sort_crit {
	enum imap_sort_key key;
	bool reverse;
};

struct imap_sort {
	struct imap_sort_crit *crit; /* ncrit entries, in arena */
	size_t ncrit;
	struct imap_search search; /* charset and keys */
};

/*
 * Parse SORT arguments: [RETURN (opts)] (criteria) charset key *(SP key).
 * The charset is mandatory here (RFC 5256 §3). 0, or -1 with err.
 */
int imap_sort_parse(const struct imap_arg *args, size_t count,
    const struct imap_search_limits *lim, struct imap_sort *out,
    struct arena *a, struct err *err);

enum imap_thread_alg {
	IMAP_THREAD_ORDEREDSUBJECT = 1,
	IMAP_THREAD_REFERENCES,
};

struct imap_thread {
	enum imap_thread_alg alg;
	struct imap_search search;
};

/*
 * Parse THREAD arguments: algorithm charset key *(SP key).
 * 0, or -1 with err.
 */
int imap_thread_parse(const struct imap_arg *args, size_t count,
    const struct imap_search_limits *lim, struct imap_thread *out,
    struct arena *a, struct err *err);

#endif
