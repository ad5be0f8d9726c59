/* SPDX-License-Identifier: MIT */
/*
 * The parameter descriptor table, generated from conf/params.def. This
 * and struct conf (conf/conf.h) are the only places params.def is
 * expanded; postern conf -d, the docs and the unit tests walk this table.
 */
#include "conf/conf.h"

#include <stddef.h>
#include <string.h>

const struct conf_param conf_params[] = {
#define PARAM(name, type, def, min, max, owner, desc)                          \
	{#name, CONF_TYPE_##type, def, min, max, owner, desc,                  \
	    offsetof(struct conf, name)},
#include "conf/params.def"
#undef PARAM
};

const size_t conf_nparams = sizeof(conf_params) / sizeof(conf_params[0]);

/*
 * A linear scan: the table has a few hundred rows and is read while
 * loading configuration, not per message.
 */
const struct conf_param *
conf_param_find(const char *name)
{
	size_t i;

	for (i = 0; i < conf_nparams; i++)
		if (strcmp(conf_params[i].name, name) == 0)
			return &conf_params[i];
	return NULL;
}

const char *
conf_type_name(enum conf_type type)
{
	switch (type) {
	case CONF_TYPE_INT:
		return "int";
	case CONF_TYPE_SIZE:
		return "size";
	case CONF_TYPE_TIME:
		return "time";
	case CONF_TYPE_BOOL:
		return "bool";
	case CONF_TYPE_STRING:
		return "string";
	case CONF_TYPE_LIST:
		return "list";
	case CONF_TYPE_MAPS:
		return "maps";
	}
	return "unknown";
}
