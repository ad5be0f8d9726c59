/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/msg/domain_local: is this domain one of ours. */
#include "msg/domain_local.h"

#include <string.h>

#include "conf/conf.h"
#include "core/err.h"

#include "t.h"

static void
exact_items_ignore_case_and_trailing_dot(void)
{
	const char *list = "mx.example.com, Example.COM. localhost";

	T_CHECK(domain_local_match(list, "example.com"));
	T_CHECK(domain_local_match(list, "EXAMPLE.com."));
	T_CHECK(domain_local_match(list, "MX.Example.Com"));
	T_CHECK(domain_local_match(list, "localhost."));
	T_CHECK(!domain_local_match(list, "sub.example.com"));
	T_CHECK(!domain_local_match(list, "xexample.com"));
	T_CHECK(!domain_local_match(list, "example.co"));
	T_CHECK(!domain_local_match(list, "example.com.."));
}

static void
leading_dot_matches_subdomains_only(void)
{
	const char *list = ".example.com";

	T_CHECK(domain_local_match(list, "a.example.com"));
	T_CHECK(domain_local_match(list, "A.B.EXAMPLE.COM."));
	T_CHECK(!domain_local_match(list, "example.com"));
	T_CHECK(!domain_local_match(list, "badexample.com"));
	T_CHECK(!domain_local_match(list, "example.com.evil"));
}

static void
empty_and_degenerate_inputs(void)
{
	T_CHECK(!domain_local_match(NULL, "example.com"));
	T_CHECK(!domain_local_match("", "example.com"));
	T_CHECK(!domain_local_match("example.com", NULL));
	T_CHECK(!domain_local_match("example.com", ""));
	T_CHECK(!domain_local_match("example.com", "."));
	/* "." or ".." as an item must not make every domain ours. */
	T_CHECK(!domain_local_match(". ..", "example.com"));
	T_CHECK(!domain_local_match(". ..", "."));
}

static struct conf *
domain_conf(const char *text)
{
	struct conf *conf = conf_new();
	struct err err;

	err_clear(&err);
	T_EQ_INT(conf_read_text(conf, text, strlen(text), "main.cf", &err), 0);
	T_EQ_INT(conf_finish(conf, NULL, &err), 0);
	return conf;
}

static void
class_follows_the_lists_in_order(void)
{
	struct conf *conf = domain_conf("myhostname = mx.example.com\n"
	                                "mydomain = example.com\n"
	                                "mydestination = $myhostname, "
	                                "localhost.$mydomain, .local.test\n"
	                                "virtual_alias_domains = alias.test, "
	                                "both.test\n"
	                                "virtual_mailbox_domains = box.test, "
	                                "both.test\n");

	T_EQ_INT(domain_local_class(conf, "MX.example.com."),
	    DOMAIN_LOCAL_MYDEST);
	T_EQ_INT(domain_local_class(conf, "localhost.example.com"),
	    DOMAIN_LOCAL_MYDEST);
	T_EQ_INT(domain_local_class(conf, "h.local.test"), DOMAIN_LOCAL_MYDEST);
	T_EQ_INT(domain_local_class(conf, "alias.test"), DOMAIN_LOCAL_VALIAS);
	T_EQ_INT(domain_local_class(conf, "both.test"), DOMAIN_LOCAL_VALIAS);
	T_EQ_INT(domain_local_class(conf, "Box.Test"), DOMAIN_LOCAL_VMAILBOX);
	T_EQ_INT(domain_local_class(conf, "example.com"), DOMAIN_LOCAL_NONE);
	T_EQ_INT(domain_local_class(conf, "local.test"), DOMAIN_LOCAL_NONE);
	T_EQ_INT(domain_local_class(conf, NULL), DOMAIN_LOCAL_NONE);
	T_EQ_INT(domain_local_class(conf, ""), DOMAIN_LOCAL_NONE);
	conf_free(&conf);
}

T_MAIN(T_CASE(exact_items_ignore_case_and_trailing_dot),
    T_CASE(leading_dot_matches_subdomains_only),
    T_CASE(empty_and_degenerate_inputs),
    T_CASE(class_follows_the_lists_in_order))
