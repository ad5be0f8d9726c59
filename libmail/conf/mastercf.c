/* SPDX-License-Identifier: MIT */
/*
 * Parsing master.cf, the service table the master reads at startup and
 * on reload (and postern conf checks). Pure: text in, struct mastercf
 * out, everything in one arena. The text is an admin's file, but a
 * service name becomes a socket path, so names are checked as strictly
 * as anything from the network.
 */
#include "conf/mastercf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_file.h"
#include "conf/conf_lines.h"
#include "core/arena.h"
#include "core/xmalloc.h"

/* The columns before the arguments; the last one is the command. */
static const char *const mastercf_columns[] = {"service", "type", "private",
    "unpriv", "chroot", "wakeup", "maxproc", "command"};
#define MASTERCF_NCOLUMNS 8

/* Where an entry is, for messages. */
struct mastercf_where {
	const char *file;
	int line;
};

static int mastercf_fail(struct err *err, const struct mastercf_where *at,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
mastercf_fail(
    struct err *err, const struct mastercf_where *at, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	/* Truncation is acceptable: the reason is for humans. */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(
	    err, ERR_PERM, "5.3.5", "%s:%d: %s", at->file, at->line, msg);
}

const char *
mastercf_type_name(enum mastercf_type type)
{
	switch (type) {
	case MASTERCF_INET:
		return "inet";
	case MASTERCF_UNIX:
		return "unix";
	case MASTERCF_FIFO:
		return "fifo";
	case MASTERCF_PASS:
		return "pass";
	}
	return "unknown";
}

int
mastercf_type_parse(const char *s, enum mastercf_type *out)
{
	static const enum mastercf_type types[] = {
	    MASTERCF_INET, MASTERCF_UNIX, MASTERCF_FIFO, MASTERCF_PASS};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(s, mastercf_type_name(types[i])) == 0) {
			*out = types[i];
			return 0;
		}
	}
	return -1;
}

/*
 * One field at s[*ip]. Postfix 3 grouping: "{ text }" is one field,
 * the blanks just inside the braces removed, so -o values may hold
 * spaces. The closing brace must end the field.
 */
static int
mastercf_field(const char *s, size_t n, size_t *ip, struct arena *arena,
    const char **out, const struct mastercf_where *at, struct err *err)
{
	size_t i = *ip, a, b, depth = 0;

	if (s[i] != '{') {
		for (a = i; i < n && !conf_lines_blank(s[i]); i++)
			;
		*out = arena_strndup(arena, s + a, i - a);
		*ip = i;
		return 0;
	}
	for (a = i; i < n; i++)
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && --depth == 0)
			break;
	if (i == n)
		return mastercf_fail(err, at, "missing '}'");
	if (i + 1 < n && !conf_lines_blank(s[i + 1]))
		return mastercf_fail(err, at, "text after '}'");
	for (a++, b = i; a < b && conf_lines_blank(s[a]); a++)
		;
	while (b > a && conf_lines_blank(s[b - 1]))
		b--;
	*out = arena_strndup(arena, s + a, b - a);
	*ip = i + 1;
	return 0;
}

/* Split a logical line into at most max fields. */
static int
mastercf_fields(const struct conf_line *ln, struct arena *arena,
    const char **fields, size_t max, size_t *nfields_out,
    const struct mastercf_where *at, struct err *err)
{
	size_t i = 0, n = 0;

	for (;;) {
		while (i < ln->len && conf_lines_blank(ln->text[i]))
			i++;
		if (i == ln->len)
			break;
		if (n == max)
			return mastercf_fail(err, at, "more than %d arguments",
			    MASTERCF_ARGS_MAX);
		if (mastercf_field(
		        ln->text, ln->len, &i, arena, &fields[n], at, err) < 0)
			return -1;
		n++;
	}
	*nfields_out = n;
	return 0;
}

static int
mastercf_yn(const char *s, bool def, bool *out, const char *column,
    const struct mastercf_where *at, struct err *err)
{
	if (strcmp(s, "-") == 0)
		*out = def;
	else if (strcmp(s, "y") == 0)
		*out = true;
	else if (strcmp(s, "n") == 0)
		*out = false;
	else
		return mastercf_fail(err, at,
		    "bad %s column \"%.64s\" (want y, n or -)", column, s);
	return 0;
}

/* Decimal digits only, at most max; *end gets the first other byte. */
static int
mastercf_number(const char *s, int max, int *out, const char **end)
{
	long v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	*out = (int)v;
	*end = s;
	return 0;
}

static int
mastercf_timing(struct mastercf_service *svc, const char *wakeup,
    const char *maxproc, const struct mastercf_where *at, struct err *err)
{
	const char *end;

	svc->wakeup = 0;
	svc->maxproc = -1;
	if (strcmp(wakeup, "-") != 0) {
		if (mastercf_number(
		        wakeup, MASTERCF_WAKEUP_MAX, &svc->wakeup, &end) < 0 ||
		    (end[0] != '\0' && strcmp(end, "?") != 0))
			return mastercf_fail(
			    err, at, "bad wakeup column \"%.64s\"", wakeup);
		svc->wakeup_if_used = end[0] == '?';
	}
	if (strcmp(maxproc, "-") != 0 &&
	    (mastercf_number(
	         maxproc, MASTERCF_MAXPROC_MAX, &svc->maxproc, &end) < 0 ||
	        *end != '\0'))
		return mastercf_fail(
		    err, at, "bad maxproc column \"%.64s\"", maxproc);
	return 0;
}

static bool
mastercf_chars(const char *s, size_t len, const char *extra)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!conf_lines_name_char(s[i]) && strchr(extra, s[i]) == NULL)
			return false;
	return true;
}

/* A port number 1..65535 or a services(5) name. */
static bool
mastercf_port_ok(const char *s)
{
	const char *end;
	int port;

	if (mastercf_number(s, 65535, &port, &end) == 0 && *end == '\0')
		return port > 0;
	return s[0] < '0' || s[0] > '9' ? mastercf_chars(s, strlen(s), "-")
	                                : false;
}

/* "port", "host:port" or "[ipv6]:port"; an IPv6 host needs brackets. */
static int
mastercf_inet(struct mastercf_service *svc, struct arena *arena,
    const struct mastercf_where *at, struct err *err)
{
	const char *name = svc->name, *colon, *close;

	svc->host = NULL;
	svc->port = name;
	if (name[0] == '[') {
		close = strchr(name, ']');
		if (close == NULL || close[1] != ':' ||
		    !mastercf_chars(
		        name + 1, (size_t)(close - name - 1), ":.%"))
			return mastercf_fail(err, at,
			    "bad inet service \"%.64s\" (want [address]:port)",
			    name);
		svc->host =
		    arena_strndup(arena, name + 1, (size_t)(close - name - 1));
		svc->port = close + 2;
	} else if ((colon = strrchr(name, ':')) != NULL) {
		if (!mastercf_chars(name, (size_t)(colon - name), ".-"))
			return mastercf_fail(err, at,
			    "bad inet service \"%.64s\" (want host:port, "
			    "[address]:port or port)",
			    name);
		svc->host = arena_strndup(arena, name, (size_t)(colon - name));
		svc->port = colon + 1;
	}
	if (!mastercf_port_ok(svc->port))
		return mastercf_fail(
		    err, at, "bad port in service \"%.64s\"", name);
	return 0;
}

/*
 * Other services become socket or fifo names under the queue directory:
 * no '/', and no leading '.', so a name cannot climb out of it.
 */
static int
mastercf_name(struct mastercf_service *svc, struct arena *arena,
    const struct mastercf_where *at, struct err *err)
{
	if (svc->type == MASTERCF_INET)
		return mastercf_inet(svc, arena, at, err);
	svc->host = svc->port = NULL;
	if (svc->name[0] == '.' ||
	    !mastercf_chars(svc->name, strlen(svc->name), ".-"))
		return mastercf_fail(err, at, "bad %s service name \"%.64s\"",
		    mastercf_type_name(svc->type), svc->name);
	return 0;
}

/* "name=value" with blanks around both parts removed, into the arena. */
static const char *
mastercf_override(const char *s, struct arena *arena)
{
	const char *eq = strchr(s, '='), *v;
	size_t a = 0, b, vlen;

	if (eq == NULL)
		return NULL;
	b = (size_t)(eq - s);
	while (a < b && conf_lines_blank(s[a]))
		a++;
	while (b > a && conf_lines_blank(s[b - 1]))
		b--;
	if (!conf_lines_name_ok(s + a, b - a))
		return NULL;
	for (v = eq + 1; conf_lines_blank(*v); v++)
		;
	for (vlen = strlen(v); vlen > 0 && conf_lines_blank(v[vlen - 1]);)
		vlen--;
	return arena_printf(
	    arena, "%.*s=%.*s", (int)(b - a), s + a, (int)vlen, v);
}

/* Arguments after the command: "-o name=value", "-oname=value", rest. */
static int
mastercf_args(struct mastercf_service *svc, const char **f, size_t n,
    struct arena *arena, const struct mastercf_where *at, struct err *err)
{
	const char *raw, *o;
	size_t i;

	svc->args = arena_alloc(arena, (n + 1) * sizeof(*svc->args));
	svc->overrides = arena_alloc(arena, (n + 1) * sizeof(char *));
	svc->nargs = svc->noverrides = 0;
	for (i = 0; i < n; i++) {
		if (strncmp(f[i], "-o", 2) != 0) {
			svc->args[svc->nargs++] = f[i];
			continue;
		}
		raw = f[i] + 2;
		if (*raw == '\0' && ++i == n)
			return mastercf_fail(err, at, "-o without name=value");
		if (*raw == '\0')
			raw = f[i];
		if ((o = mastercf_override(raw, arena)) == NULL)
			return mastercf_fail(err, at,
			    "bad -o argument \"%.64s\" (want name=value)", raw);
		svc->overrides[svc->noverrides++] = o;
	}
	svc->args[svc->nargs] = NULL;
	svc->overrides[svc->noverrides] = NULL;
	return 0;
}

static int
mastercf_entry(const struct conf_line *ln, struct arena *arena,
    struct mastercf_service *svc, const struct mastercf_where *at,
    struct err *err)
{
	const char *f[MASTERCF_NCOLUMNS + MASTERCF_ARGS_MAX];
	size_t n = 0;

	memset(svc, 0, sizeof(*svc));
	svc->file = at->file;
	svc->line = at->line;
	if (mastercf_fields(
	        ln, arena, f, sizeof(f) / sizeof(f[0]), &n, at, err) < 0)
		return -1;
	if (n < MASTERCF_NCOLUMNS)
		return mastercf_fail(
		    err, at, "missing %s column", mastercf_columns[n]);
	svc->name = f[0];
	if (mastercf_type_parse(f[1], &svc->type) < 0)
		return mastercf_fail(err, at,
		    "bad type \"%.64s\" (want inet, unix, fifo or pass)", f[1]);
	if (mastercf_name(svc, arena, at, err) < 0 ||
	    mastercf_yn(f[2], svc->type != MASTERCF_INET, &svc->private_svc,
	        "private", at, err) < 0 ||
	    mastercf_yn(f[3], true, &svc->unpriv, "unpriv", at, err) < 0 ||
	    mastercf_yn(f[4], false, &svc->chroot, "chroot", at, err) < 0 ||
	    mastercf_timing(svc, f[5], f[6], at, err) < 0)
		return -1;
	if (svc->type == MASTERCF_INET && svc->private_svc)
		return mastercf_fail(
		    err, at, "an inet service cannot be private");
	svc->command = f[7];
	return mastercf_args(
	    svc, f + MASTERCF_NCOLUMNS, n - MASTERCF_NCOLUMNS, arena, at, err);
}

const struct mastercf_service *
mastercf_find(
    const struct mastercf *mcf, const char *name, enum mastercf_type type)
{
	size_t i;

	for (i = 0; i < mcf->nservices; i++)
		if (mcf->services[i].type == type &&
		    strcmp(mcf->services[i].name, name) == 0)
			return &mcf->services[i];
	return NULL;
}

static int
mastercf_add(struct mastercf *mcf, size_t *cap,
    const struct mastercf_service *svc, const struct mastercf_where *at,
    struct err *err)
{
	const struct mastercf_service *old;

	if ((old = mastercf_find(mcf, svc->name, svc->type)) != NULL)
		return mastercf_fail(err, at,
		    "duplicate service %.64s/%s (first at line %d)", svc->name,
		    mastercf_type_name(svc->type), old->line);
	if (mcf->nservices == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		mcf->services =
		    xreallocarray(mcf->services, *cap, sizeof(*mcf->services));
	}
	mcf->services[mcf->nservices++] = *svc;
	return 0;
}

int
mastercf_parse(const char *text, size_t len, const char *filename,
    struct mastercf *out, struct err *err)
{
	struct mastercf mcf = {.arena = arena_new()};
	struct mastercf_service svc;
	struct mastercf_where at;
	struct conf_lines lx;
	struct conf_line ln;
	size_t cap = 0;
	int rc;

	at.file = arena_strdup(mcf.arena, filename);
	conf_lines_init(&lx, text, len, filename, MASTERCF_LINE_MAX);
	while ((rc = conf_lines_next(&lx, &ln, err)) == 1) {
		at.line = ln.line;
		if (mastercf_entry(&ln, mcf.arena, &svc, &at, err) < 0 ||
		    mastercf_add(&mcf, &cap, &svc, &at, err) < 0) {
			rc = -1;
			break;
		}
	}
	conf_lines_deinit(&lx);
	/* The table moves into the arena so one release frees it all. */
	if (rc == 0 && mcf.nservices > 0) {
		out->services = arena_alloc(
		    mcf.arena, mcf.nservices * sizeof(*mcf.services));
		memcpy(out->services, mcf.services,
		    mcf.nservices * sizeof(*mcf.services));
	} else {
		out->services = NULL;
	}
	free(mcf.services);
	out->nservices = rc == 0 ? mcf.nservices : 0;
	out->arena = mcf.arena;
	if (rc < 0)
		mastercf_deinit(out);
	return rc < 0 ? -1 : 0;
}

int
mastercf_read(const char *path, struct mastercf *out, struct err *err)
{
	struct buf text;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&text);
	rc = conf_file_read(path, &text, err);
	if (rc == 0)
		rc =
		    err_set(err, ERR_PERM, "5.3.5", "%s: file not found", path);
	else if (rc > 0)
		rc = mastercf_parse(text.data, text.len, path, out, err);
	buf_deinit(&text);
	return rc;
}

void
mastercf_deinit(struct mastercf *mcf)
{
	if (mcf == NULL)
		return;
	arena_free(&mcf->arena);
	mcf->services = NULL;
	mcf->nservices = 0;
}
