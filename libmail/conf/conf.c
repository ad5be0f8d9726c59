/* SPDX-License-Identifier: MIT */
/*
 * struct conf: its lifecycle, the queries on raw values, and
 * conf_finish(), which expands every value and converts each known
 * parameter into its typed field. Reading main.cf is in conf_read.c.
 */
#include "conf/conf.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf_impl.h"
#include "conf/conf_value.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"

struct conf *
conf_new(void)
{
	struct conf *conf = xcalloc(1, sizeof(*conf));

	conf->store = conf_store_new();
	return conf;
}

void
conf_free(struct conf **confp)
{
	if (*confp == NULL)
		return;
	conf_store_free(&(*confp)->store);
	free(*confp);
	*confp = NULL;
}

const char *
conf_raw(const struct conf *conf, const char *name)
{
	size_t i;

	if (!conf_store_find(conf->store, name, &i))
		return NULL;
	return conf->store->entries[i].value;
}

const char *
conf_origin(const struct conf *conf, const char *name)
{
	size_t i;

	if (!conf_store_find(conf->store, name, &i))
		return NULL;
	return conf->store->entries[i].origin;
}

size_t
conf_set_names(const struct conf *conf, const char ***names_out)
{
	*names_out = conf->store->names;
	return conf->store->n;
}

int
conf_value(
    const struct conf *conf, const char *name, struct buf *out, struct err *err)
{
	struct conf_expand *x = conf_expand_new(conf);
	const char *value;
	int rc;

	rc = conf_expand_name(x, name, &value, err);
	if (rc >= 0)
		buf_set(out, value);
	conf_expand_free(&x);
	return rc;
}

static int
conf_convert_number(const struct conf_param *p, const char *value,
    long long *out, struct err *err)
{
	int rc = -1;

	switch (p->type) {
	case CONF_TYPE_INT:
		rc = conf_value_int(value, out, err);
		break;
	case CONF_TYPE_SIZE:
		rc = conf_value_size(value, out, err);
		break;
	case CONF_TYPE_TIME:
		rc = conf_value_time(value, out, err);
		break;
	default:
		PANIC("%s: %s is not a number", __func__, p->name);
	}
	if (rc < 0)
		return -1;
	if ((p->min != 0 || p->max != 0) && (*out < p->min || *out > p->max))
		return err_set(err, ERR_PERM, "5.3.5",
		    "\"%.64s\" is out of range %lld..%lld", value, p->min,
		    p->max);
	return 0;
}

/* Store value, converted to p's type, in conf's field for p. */
static int
conf_convert(struct conf *conf, const struct conf_param *p, const char *value,
    struct err *err)
{
	char *field = (char *)conf + p->offset;
	long long n;
	bool b;

	switch (p->type) {
	case CONF_TYPE_INT:
	case CONF_TYPE_SIZE:
	case CONF_TYPE_TIME:
		if (conf_convert_number(p, value, &n, err) < 0)
			return -1;
		memcpy(field, &n, sizeof(n));
		return 0;
	case CONF_TYPE_BOOL:
		if (conf_value_bool(value, &b, err) < 0)
			return -1;
		memcpy(field, &b, sizeof(b));
		return 0;
	case CONF_TYPE_STRING:
	case CONF_TYPE_LIST:
	case CONF_TYPE_MAPS:
		*(const char **)(void *)field =
		    arena_strdup(conf->store->arena, value);
		return 0;
	}
	PANIC("%s: %s has no type", __func__, p->name);
}

static int
conf_finish_params(struct conf *conf, struct conf_expand *x, struct err *err)
{
	const struct conf_param *p;
	const char *value, *origin;
	size_t i;

	for (i = 0; i < conf_nparams; i++) {
		p = &conf_params[i];
		if (conf_expand_name(x, p->name, &value, err) < 0)
			return -1;
		if (conf_convert(conf, p, value, err) < 0) {
			origin = conf_origin(conf, p->name);
			err_prefix(err, "%s: %s", origin ? origin : "default",
			    p->name);
			return -1;
		}
	}
	return 0;
}

int
conf_finish(struct conf *conf, struct buf *unknown_out, struct err *err)
{
	const struct conf_store *st = conf->store;
	struct conf_expand *x = conf_expand_new(conf);
	const char *value;
	size_t i;

	/* Expand user-defined names too, so their mistakes are reported. */
	for (i = 0; i < st->n; i++)
		if (conf_expand_name(x, st->entries[i].name, &value, err) < 0)
			goto fail;
	if (conf_finish_params(conf, x, err) < 0)
		goto fail;
	/* A name used only in $references elsewhere is not a typo. */
	for (i = 0; unknown_out != NULL && i < st->n; i++)
		if (conf_param_find(st->entries[i].name) == NULL &&
		    !conf_expand_referenced(x, i))
			buf_printf(unknown_out, "%s: unknown parameter %s\n",
			    st->entries[i].origin, st->entries[i].name);
	conf_expand_free(&x);
	return 0;
fail:
	conf_expand_free(&x);
	return -1;
}
