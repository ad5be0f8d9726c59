/* SPDX-License-Identifier: MIT */
/*
 * struct conf: the typed settings of one process, built from the
 * parameter table (conf/params.def), main.cf and master.cf -o overrides.
 * The server skeleton builds one and hands daemons a const pointer; a
 * reload builds and validates a new one before swapping it in.
 */
#ifndef CONF_CONF_H
#define CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

enum conf_type {
	CONF_TYPE_INT,
	CONF_TYPE_SIZE,		/* bytes; "10m", "512k", "10240000" */
	CONF_TYPE_TIME,		/* seconds; "3d", "300s", "1h" */
	CONF_TYPE_BOOL,		/* yes/no, true/false, on/off, 1/0 */
	CONF_TYPE_STRING,
	CONF_TYPE_LIST,		/* items separated by commas and/or space */
	CONF_TYPE_MAPS,		/* a LIST of type:name map specifications */
};

/* The C type of each parameter type, for the X-macro below. */
#define CONF_CTYPE_INT		long long
#define CONF_CTYPE_SIZE		long long
#define CONF_CTYPE_TIME		long long
#define CONF_CTYPE_BOOL		bool
#define CONF_CTYPE_STRING	const char *
#define CONF_CTYPE_LIST		const char *
#define CONF_CTYPE_MAPS		const char *

struct conf_store;

/* Longest logical main.cf line (continuation lines joined), in bytes. */
#define CONF_LINE_MAX (64 * 1024)

/*
 * After conf_finish(), every field holds the expanded, validated value.
 * Strings are borrowed from the conf and live until conf_free().
 */
struct conf {
#define PARAM(name, type, def, min, max, owner, desc) CONF_CTYPE_##type name;
#include "conf/params.def"
#undef PARAM
	struct conf_store *store;	/* raw values, origins; private */
};

/* One row of the parameter table. */
struct conf_param {
	const char *name;
	enum conf_type type;
	const char *def;
	long long min, max;	/* 0, 0: unbounded */
	const char *owner;
	const char *desc;
	size_t offset;		/* of the field in struct conf */
};

extern const struct conf_param conf_params[];
extern const size_t conf_nparams;

/* The table row for name, or NULL when name is not a known parameter. */
const struct conf_param *conf_param_find(const char *name);
/* "int", "size", "time", "bool", "string", "list", "maps"; static. */
const char *conf_type_name(enum conf_type type);

/*
 * A conf with nothing set: every parameter is at its default. The typed
 * fields are zero until conf_finish(). Caller frees with conf_free(),
 * which sets *confp to NULL and accepts NULL.
 */
struct conf *conf_new(void);
void conf_free(struct conf **confp);

/*
 * Read a main.cf file into conf's raw table. Errors name the file and
 * line: "/etc/postern/main.cf:12: missing '=' after parameter name";
 * also a bad parameter name, a NUL byte, a CR without LF, a logical line
 * over CONF_LINE_MAX. The whole file is checked first: on error conf is
 * unchanged. A later setting of a name replaces an earlier one. Unknown
 * names are kept (they may be used in $name expansion) and reported by
 * conf_finish(). A missing file is an error ("path: file not found").
 * Returns 0 or -1 with err filled. Blocks on disk I/O.
 */
int conf_read_file(struct conf *conf, const char *path, struct err *err);
/* The same for text already in memory, with a file name for messages.
 * Pure (no I/O). */
int conf_read_text(struct conf *conf, const char *text, size_t len,
    const char *filename, struct err *err);
/*
 * Set one raw value (a master.cf -o override, a command-line -o). origin
 * is used in error messages ("master.cf:14", "command line"). All three
 * strings are copied. -1 with err only for a bad parameter name.
 */
int conf_set(struct conf *conf, const char *name, const char *value,
    const char *origin, struct err *err);
/*
 * Expand $name, ${name}, $(name), ${name?text} (text if name is not
 * empty), ${name:text} (text if name is empty), ${name?{a}:{b}} and $$
 * ('$'); an unknown name expands to "". Loops ("main.cf:3: myorigin: expansion loop via
 * $myhostname"), an unterminated "${", too deep or too long expansions
 * are errors naming the origin and parameter at fault. Then convert
 * every known parameter to its type and check bounds ("main.cf:12:
 * message_size_limit: bad size \"10q\""; origin "default" for a
 * default). Names that are set but neither known nor used in another
 * value's $name are appended, one "file:line: unknown parameter name"
 * line each, to unknown_out when it is non-NULL. May be called again
 * after more conf_set(). 0 or -1 with err filled.
 */
int conf_finish(struct conf *conf, struct buf *unknown_out, struct err *err);

/*
 * The whole sequence for a process: conf_new, read
 * <config_directory>/main.cf (missing is an error naming the path), set
 * config_directory to the directory given (it wins over main.cf), apply
 * the "name=value" overrides (origin "command line"), conf_finish.
 * Caller frees. Returns NULL with err filled. Blocks on disk I/O.
 */
struct conf *conf_load(const char *config_directory,
    const char *const *overrides, size_t noverrides, struct err *err);

/* The raw text of name as set (main.cf or override); NULL if not set. */
const char *conf_raw(const struct conf *conf, const char *name);
/* Where name was set ("main.cf:12"); NULL if it was not. */
const char *conf_origin(const struct conf *conf, const char *name);
/*
 * The expanded value of any parameter, known or user-defined, into out.
 * 1 found, 0 no such parameter, -1 on an expansion error.
 */
int conf_value(const struct conf *conf, const char *name, struct buf *out,
    struct err *err);
/*
 * Names set explicitly (main.cf or overrides), in order of first
 * setting. The array is borrowed until the next conf_read_*, conf_set
 * or conf_free.
 */
size_t conf_set_names(const struct conf *conf, const char ***names_out);

/*
 * Iterate over a LIST value: items are separated by commas and/or white
 * space; "{ a b }" groups keep their inner spaces. *cursor starts at the
 * value and advances; returns false when no item is left. The item is
 * copied into item_out.
 */
bool conf_list_next(const char **cursor, struct buf *item_out);
/* True if the list value contains word (case-insensitive). */
bool conf_list_has(const char *list, const char *word);

#endif
