/* SPDX-License-Identifier: MIT */
/*
 * main.cf to Sieve engine settings (sieve_conf.h). The parameter table
 * already bounds every value, so nothing here can fail.
 */
#include "sieve/sieve_conf.h"

struct sieve_limits
sieve_limits_from_conf(const struct conf *conf)
{
	struct sieve_limits lim = sieve_limits_default();

	lim.script_max = (size_t)conf->sieve_max_script_size;
	lim.redirects_max = (size_t)conf->sieve_max_redirects;
	lim.actions_max = (size_t)conf->sieve_max_actions;
	lim.steps_max = (size_t)conf->sieve_max_steps;
	lim.include_depth_max = (size_t)conf->sieve_include_max_nesting_depth;
	lim.includes_max = (size_t)conf->sieve_include_max_includes;
	lim.var_count_max = (size_t)conf->sieve_variables_max_scope_size;
	lim.var_size_max = (size_t)conf->sieve_variables_max_variable_size;
	lim.vacation_min_seconds = (uint64_t)conf->sieve_vacation_min_period;
	lim.vacation_max_seconds = (uint64_t)conf->sieve_vacation_max_period;
	lim.duplicate_max_seconds = (uint64_t)conf->sieve_duplicate_max_period;
	return lim;
}

void
sieve_environment_from_conf(struct sieve_environment *env,
    const struct conf *conf)
{
	env->recipient_delimiter = conf->recipient_delimiter;
	env->spam.header = conf->sieve_spamtest_status_header[0] != '\0' ?
	    conf->sieve_spamtest_status_header : NULL;
	env->spam.max = (double)conf->sieve_spamtest_max_value;
	env->virus.header = conf->sieve_virustest_status_header[0] != '\0' ?
	    conf->sieve_virustest_status_header : NULL;
	env->virus.max = (double)conf->sieve_virustest_max_value;
}
