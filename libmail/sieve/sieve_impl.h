/* SPDX-License-Identifier: MIT */
/*
 * Internals of the Sieve engine, shared by libmail/sieve/ only: the
 * compiled program (a checked tree of commands and tests in one arena),
 * the command and tag tables, and the state of one run.
 */
#ifndef SIEVE_SIEVE_IMPL_H
#define SIEVE_SIEVE_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "sieve/sieve.h"

/* The "require" names; bit positions in a script's extension set. */
enum sieve_ext {
	SIEVE_EXT_FILEINTO,
	SIEVE_EXT_REJECT,
	SIEVE_EXT_EREJECT,
	SIEVE_EXT_ENVELOPE,
	SIEVE_EXT_ENCODED,
	SIEVE_EXT_VACATION,
	SIEVE_EXT_VACATION_SECONDS,
	SIEVE_EXT_IMAP4FLAGS,
	SIEVE_EXT_BODY,
	SIEVE_EXT_VARIABLES,
	SIEVE_EXT_RELATIONAL,
	SIEVE_EXT_SUBADDRESS,
	SIEVE_EXT_COPY,
	SIEVE_EXT_NUMERIC,
	SIEVE_EXT_REGEX,
	SIEVE_EXT_INCLUDE,
	SIEVE_EXT_DATE,
	SIEVE_EXT_INDEX,
	SIEVE_EXT_EDITHEADER,
	SIEVE_EXT_DUPLICATE,
	SIEVE_EXT_SPAMTEST,
	SIEVE_EXT_SPAMTESTPLUS,
	SIEVE_EXT_VIRUSTEST,
	SIEVE_EXT_MAILBOX,
	SIEVE_EXT_OCTET,	/* comparator-i;octet: always on */
	SIEVE_EXT_CASEMAP,	/* comparator-i;ascii-casemap: always on */
	SIEVE_EXT_COUNT,
	SIEVE_EXT_NONE = SIEVE_EXT_COUNT,
};

/* Commands and tests. */
enum sieve_op {
	SIEVE_OP_REQUIRE,
	SIEVE_OP_IF,
	SIEVE_OP_ELSIF,
	SIEVE_OP_ELSE,
	SIEVE_OP_STOP,
	SIEVE_OP_KEEP,
	SIEVE_OP_DISCARD,
	SIEVE_OP_REDIRECT,
	SIEVE_OP_FILEINTO,
	SIEVE_OP_REJECT,
	SIEVE_OP_EREJECT,
	SIEVE_OP_VACATION,
	SIEVE_OP_SETFLAG,
	SIEVE_OP_ADDFLAG,
	SIEVE_OP_REMOVEFLAG,
	SIEVE_OP_SET,
	SIEVE_OP_INCLUDE,
	SIEVE_OP_RETURN,
	SIEVE_OP_GLOBAL,
	SIEVE_OP_ADDHEADER,
	SIEVE_OP_DELETEHEADER,
	/* tests */
	SIEVE_OP_ADDRESS,
	SIEVE_OP_ALLOF,
	SIEVE_OP_ANYOF,
	SIEVE_OP_NOT,
	SIEVE_OP_ENVELOPE,
	SIEVE_OP_EXISTS,
	SIEVE_OP_TRUE,
	SIEVE_OP_FALSE,
	SIEVE_OP_HEADER,
	SIEVE_OP_SIZE,
	SIEVE_OP_BODY,
	SIEVE_OP_STRING,
	SIEVE_OP_DATE,
	SIEVE_OP_CURRENTDATE,
	SIEVE_OP_HASFLAG,
	SIEVE_OP_MAILBOXEXISTS,
	SIEVE_OP_DUPLICATE,
	SIEVE_OP_SPAMTEST,
	SIEVE_OP_VIRUSTEST,
};

/* Tagged arguments; a tag may be legal for several commands. */
enum sieve_tag {
	SIEVE_TAG_IS, SIEVE_TAG_CONTAINS, SIEVE_TAG_MATCHES, SIEVE_TAG_REGEX,
	SIEVE_TAG_VALUE, SIEVE_TAG_COUNT,
	SIEVE_TAG_COMPARATOR,
	SIEVE_TAG_ALL, SIEVE_TAG_LOCALPART, SIEVE_TAG_DOMAIN, SIEVE_TAG_USER,
	SIEVE_TAG_DETAIL,
	SIEVE_TAG_OVER, SIEVE_TAG_UNDER,
	SIEVE_TAG_COPY, SIEVE_TAG_CREATE, SIEVE_TAG_FLAGS,
	SIEVE_TAG_DAYS, SIEVE_TAG_SECONDS, SIEVE_TAG_SUBJECT, SIEVE_TAG_FROM,
	SIEVE_TAG_ADDRESSES, SIEVE_TAG_MIME, SIEVE_TAG_HANDLE,
	SIEVE_TAG_RAW, SIEVE_TAG_CONTENT, SIEVE_TAG_TEXT,
	SIEVE_TAG_LOWER, SIEVE_TAG_UPPER, SIEVE_TAG_LOWERFIRST,
	SIEVE_TAG_UPPERFIRST, SIEVE_TAG_QUOTEWILDCARD, SIEVE_TAG_LENGTH,
	SIEVE_TAG_PERSONAL, SIEVE_TAG_GLOBAL, SIEVE_TAG_ONCE,
	SIEVE_TAG_OPTIONAL,
	SIEVE_TAG_ZONE, SIEVE_TAG_ORIGINALZONE,
	SIEVE_TAG_INDEX, SIEVE_TAG_LAST,
	SIEVE_TAG_HEADER, SIEVE_TAG_UNIQUEID,
	SIEVE_TAG_PERCENT,
};

enum sieve_arg_kind {
	SIEVE_ARG_STRINGS,	/* a string or a string list */
	SIEVE_ARG_NUMBER,
	SIEVE_ARG_TAG,
};

/* A string of the script, decoded (escapes, encoded-character). */
struct sieve_str {
	const char *s;		/* NUL-terminated, in the script arena */
	size_t len;
	bool vars;		/* holds "${": expanded at run time */
};

struct sieve_arg {
	enum sieve_arg_kind kind;
	unsigned line;
	unsigned column;
	bool list;		/* written in brackets */
	struct sieve_str *strs;	/* STRINGS: count entries */
	size_t count;
	uint64_t number;	/* NUMBER */
	const char *tag;	/* TAG: the name without ':' */
	/* regex keys compiled once (NULL entries: compiled per run) */
	void **regex;
};

/* A tag seen on a command, with its argument if it takes one. */
struct sieve_tagval {
	enum sieve_tag tag;
	const struct sieve_arg *arg;
};

enum sieve_match { SIEVE_MATCH_IS, SIEVE_MATCH_CONTAINS,
	SIEVE_MATCH_MATCHES, SIEVE_MATCH_REGEX, SIEVE_MATCH_VALUE,
	SIEVE_MATCH_COUNT };
enum sieve_cmp { SIEVE_CMP_CASEMAP, SIEVE_CMP_OCTET, SIEVE_CMP_NUMERIC };
enum sieve_rel { SIEVE_REL_GT, SIEVE_REL_GE, SIEVE_REL_LT, SIEVE_REL_LE,
	SIEVE_REL_EQ, SIEVE_REL_NE };
enum sieve_part { SIEVE_PART_ALL, SIEVE_PART_LOCAL, SIEVE_PART_DOMAIN,
	SIEVE_PART_USER, SIEVE_PART_DETAIL };

/* One command or test of the program. */
struct sieve_node {
	enum sieve_op op;
	const char *name;
	unsigned line;
	unsigned column;
	struct sieve_arg *args;		/* as written */
	size_t arg_count;
	struct sieve_node **tests;	/* if/elsif: 1; allof/anyof: n */
	size_t test_count;
	struct sieve_node *block;	/* first command of { }, or NULL */
	bool has_block;			/* { } was written (maybe empty) */
	struct sieve_node *next;	/* next command in the sequence */
	/* filled by the checker */
	const struct sieve_arg *pos[3];	/* positional arguments */
	size_t pos_count;
	struct sieve_tagval *tags;
	size_t tag_count;
	enum sieve_match match;
	enum sieve_cmp cmp;
	enum sieve_rel rel;
	enum sieve_part part;
};

/* A compiled script: its arena holds everything but the regexes. */
struct sieve_script {
	struct arena *arena;
	char *name;
	struct sieve_node *first;
	uint32_t exts;			/* bit set of enum sieve_ext */
	void **regexes;			/* pcre2_code * to free */
	size_t regex_count;
	size_t regex_cap;
};

/* Tag groups: which tags a command accepts. */
enum {
	SIEVE_G_MATCH = 1u << 0,	/* :is :contains :matches :regex ... */
	SIEVE_G_CMP = 1u << 1,		/* :comparator */
	SIEVE_G_ADDR = 1u << 2,		/* :all :localpart :domain ... */
	SIEVE_G_INDEX = 1u << 3,	/* :index :last (RFC 5260) */
	SIEVE_G_SIZE = 1u << 4,		/* :over :under */
	SIEVE_G_COPY = 1u << 5,
	SIEVE_G_CREATE = 1u << 6,
	SIEVE_G_FLAGS = 1u << 7,
	SIEVE_G_VACATION = 1u << 8,
	SIEVE_G_BODY = 1u << 9,
	SIEVE_G_SET = 1u << 10,
	SIEVE_G_INCLUDE = 1u << 11,
	SIEVE_G_ZONE = 1u << 12,
	SIEVE_G_ORIGZONE = 1u << 13,
	SIEVE_G_ADDLAST = 1u << 14,	/* addheader :last */
	SIEVE_G_DUP = 1u << 15,
	SIEVE_G_PERCENT = 1u << 16,
	SIEVE_G_DELINDEX = 1u << 17,	/* deleteheader :index :last */
};

/* One tag: its argument kind (0, 'N', 'S', 'L') and exclusion class. */
struct sieve_tag_spec {
	const char *name;
	enum sieve_tag tag;
	uint32_t groups;
	enum sieve_ext ext;
	char arg;
	int excl;		/* two tags of one class > 0 conflict */
};

/* The tag called name among groups, or NULL. */
const struct sieve_tag_spec *sieve_tag_find(const char *name,
    uint32_t groups);
/* The "require" name of ext. */
const char *sieve_ext_name(enum sieve_ext ext);

/* The command table (sieve_cmds.c). */
struct sieve_cmd_spec {
	const char *name;
	enum sieve_op op;
	enum sieve_ext ext;
	bool test;
	const char *pos;	/* positional kinds: 'L' list, 'S' string,
				   'N' number, lower case = optional first */
	uint32_t groups;	/* tag groups allowed (SIEVE_G_*) */
	int tests;		/* -1 none, 1 one test, 2 test list */
	bool block;
};

const struct sieve_cmd_spec *sieve_cmd_find(const char *name, bool test);
/* The extension called name, or SIEVE_EXT_NONE. */
enum sieve_ext sieve_ext_find(const char *name);

/* Lexer (sieve_lex.c). */
enum sieve_tok {
	SIEVE_TOK_EOF, SIEVE_TOK_IDENT, SIEVE_TOK_TAG, SIEVE_TOK_NUMBER,
	SIEVE_TOK_STRING, SIEVE_TOK_LBRACKET, SIEVE_TOK_RBRACKET,
	SIEVE_TOK_LPAREN, SIEVE_TOK_RPAREN, SIEVE_TOK_COMMA,
	SIEVE_TOK_SEMI, SIEVE_TOK_LBRACE, SIEVE_TOK_RBRACE,
};

struct sieve_lexer {
	const char *p;
	const char *end;
	unsigned line;
	const char *line_start;
	struct arena *arena;
	/* the current token */
	enum sieve_tok tok;
	unsigned tok_line;
	unsigned tok_column;
	const char *text;	/* IDENT/TAG name, STRING contents (arena) */
	size_t len;
	uint64_t number;
};

void sieve_lex_init(struct sieve_lexer *lx, const char *text, size_t len,
    struct arena *arena);
/* Advance to the next token: 0, or -1 with error (line:column). */
int sieve_lex_next(struct sieve_lexer *lx, struct sieve_error *error);

/* Fill error as ERR_PERM "5.7.1" "line:column: ..."; returns -1. */
int sieve_error_at(struct sieve_error *error, const char *script,
    unsigned line, unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int sieve_error_vat(struct sieve_error *error, const char *script,
    unsigned line, unsigned column, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
/* Set error->script to script, cut to fit. */
void sieve_error_script(struct sieve_error *error, const char *script);

/* Checker (sieve_check.c): resolve one parsed node, -1 with error. */
struct sieve_check {
	struct sieve_script *script;
	const struct sieve_limits *lim;
	struct sieve_error *error;
	bool require_done;	/* a non-require command was seen */
};
int sieve_check_node(struct sieve_check *c, struct sieve_node *n,
    const struct sieve_node *prev, bool test);
/*
 * Decode RFC 5228 §2.4.2.4 encoded characters in place of s: 0, or -1
 * for a Unicode code point out of range (a script error).
 */
int sieve_encoded_decode(struct sieve_str *s, struct arena *arena);

/* The key list of a matching test (or deleteheader), or NULL. */
const struct sieve_arg *sieve_node_keys(const struct sieve_node *n);

/* Syntax checks shared by the checker and the run (sieve_names.c). */
bool sieve_identifier_valid(const char *s);
bool sieve_address_header(const char *name);
bool sieve_date_part_valid(const char *s);
bool sieve_field_name_valid(const char *s);
bool sieve_mailbox_valid(const char *s, size_t len);
bool sieve_redirect_valid(const char *s, size_t len);
bool sieve_mailbox_address_valid(const char *s);

/* The tag value on n, or NULL when the tag was not given. */
const struct sieve_tagval *sieve_node_tag(const struct sieve_node *n,
    enum sieve_tag tag);

#endif
