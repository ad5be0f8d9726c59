/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/msg: RFC 5321 addresses (address.h), RFC 5322
 * address lists (address_list.h) and the UTF-8 checks (utf8.h).
 */
#include "msg/address.h"
#include "msg/address_list.h"
#include "msg/utf8.h"

#include <string.h>

#include "t.h"

struct mailbox_case {
	const char *in;
	unsigned flags;
	int rc;
	const char *local, *domain, *route, *canonical;
	enum address_domain_kind kind;
};

static const struct mailbox_case mailbox_cases[] = {
    {"user@example.com", 0, 0, "user", "example.com", NULL, "user@example.com",
        ADDRESS_DOMAIN_NAME},
    {"First.Last@Example.COM", 0, 0, "First.Last", "Example.COM", NULL,
        "First.Last@example.com", ADDRESS_DOMAIN_NAME},
    {"\"john doe\"@example.com", 0, 0, "john doe", "example.com", NULL,
        "\"john doe\"@example.com", ADDRESS_DOMAIN_NAME},
    {"\"plain\"@example.com", 0, 0, "plain", "example.com", NULL,
        "plain@example.com", ADDRESS_DOMAIN_NAME},
    {"\"a\\\"b\\\\c\"@example.com", 0, 0, "a\"b\\c", "example.com", NULL,
        "\"a\\\"b\\\\c\"@example.com", ADDRESS_DOMAIN_NAME},
    {"\"\"@example.com", 0, 0, "", "example.com", NULL, "\"\"@example.com",
        ADDRESS_DOMAIN_NAME},
    {"a..b@example.com", 0, 0, "a..b", "example.com", NULL,
        "\"a..b\"@example.com", ADDRESS_DOMAIN_NAME},
    {"user@[192.0.2.1]", 0, 0, "user", "[192.0.2.1]", NULL, "user@[192.0.2.1]",
        ADDRESS_DOMAIN_IPV4},
    {"user@[IPv6:2001:db8::1]", 0, 0, "user", "[IPv6:2001:db8::1]", NULL,
        "user@[ipv6:2001:db8::1]", ADDRESS_DOMAIN_IPV6},
    {"user@[x-tag:foo]", 0, 0, "user", "[x-tag:foo]", NULL, "user@[x-tag:foo]",
        ADDRESS_DOMAIN_GENERAL},
    {"@a.example,@b.example:user@c.example", 0, 0, "user", "c.example",
        "@a.example,@b.example", "user@c.example", ADDRESS_DOMAIN_NAME},
    {"user%other@example.com", 0, 0, "user%other", "example.com", NULL,
        "user%other@example.com", ADDRESS_DOMAIN_NAME},
    {"host_name@my_host.example", 0, 0, "host_name", "my_host.example", NULL,
        "host_name@my_host.example", ADDRESS_DOMAIN_NAME},
    {"j\xc3\xb6rg@b\xc3\xbc"
     "cher.example",
        ADDRESS_SMTPUTF8, 0, "j\xc3\xb6rg",
        "b\xc3\xbc"
        "cher.example",
        NULL,
        "j\xc3\xb6rg@b\xc3\xbc"
        "cher.example",
        ADDRESS_DOMAIN_NAME},
    /* Errors. */
    {"j\xc3\xb6rg@example.com", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"j\xc3@example.com", ADDRESS_SMTPUTF8, -1, NULL, NULL, NULL, NULL, 0},
    {"", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"user", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"user@", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"@example.com", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"user@example.com.", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"user@-bad.example", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"user@exa mple.com", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"us er@example.com", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"\"unterminated@example.com", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"\"a\rb\"@example.com", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"user@[300.0.0.1]", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"user@[IPv6:zz::1]", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"user@[192.0.2.1", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"@a.example:user", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"@a.example user@b.example", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"user@a.example@b.example", 0, -1, NULL, NULL, NULL, NULL, 0},
    {"user@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     ".example",
        0, -1, NULL, NULL, NULL, NULL, 0},
};

static void
address_parse_table(void)
{
	struct arena *a = arena_new();
	struct address addr;
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(mailbox_cases) / sizeof(mailbox_cases[0]); i++) {
		const struct mailbox_case *c = &mailbox_cases[i];
		int rc;

		err_clear(&err);
		rc = address_parse(
		    c->in, strlen(c->in), c->flags, &addr, a, &err);
		if (!T_EQ_INT(rc, c->rc)) {
			fprintf(stderr, "  case %zu: %s (%s)\n", i, c->in,
			    err.text);
			continue;
		}
		if (rc != 0) {
			T_EQ_STR(err.dsn, "5.1.3");
			T_CHECK(err.text[0] != '\0');
			continue;
		}
		T_EQ_STR(addr.local, c->local);
		T_EQ_STR(addr.domain, c->domain);
		T_EQ_STR(addr.route, c->route);
		T_EQ_INT(addr.domain_kind, c->kind);
		T_EQ_STR(address_canonical(&addr, a), c->canonical);
	}
	arena_free(&a);
}

static void
address_embedded_nul_rejected(void)
{
	struct arena *a = arena_new();
	struct address addr;
	struct err err;

	T_EQ_INT(
	    address_parse("us\0er@example.com", 17, 0, &addr, a, &err), -1);
	T_EQ_INT(
	    address_parse("user@exam\0ple.com", 17, 0, &addr, a, &err), -1);
	T_EQ_INT(
	    address_parse("\"us\0er\"@example.com", 19, 0, &addr, a, &err), -1);
	arena_free(&a);
}

static void
address_internal_form(void)
{
	struct arena *a = arena_new();
	struct address addr;
	struct err err;

	T_EQ_INT(
	    address_parse("\"John Doe\"@EXAMPLE.com", 22, 0, &addr, a, &err),
	    0);
	T_EQ_STR(address_internal(&addr, a), "John Doe@example.com");
	T_CHECK(addr.quoted);
	T_CHECK(!addr.utf8);
	arena_free(&a);
}

static void
address_routing_predicates(void)
{
	static const struct {
		const char *in;
		unsigned want;
	} cases[] = {
	    {"user@example.com", 0},
	    {"user%host@example.com", ADDRESS_ROUTE_PERCENT},
	    {"host!user@example.com", ADDRESS_ROUTE_BANG},
	    {"\"user@host\"@example.com", ADDRESS_ROUTE_AT},
	    {"@relay.example:user@example.com", ADDRESS_ROUTE_SOURCE},
	    {"@r.example:\"a%b!c\"@example.com",
	        ADDRESS_ROUTE_PERCENT | ADDRESS_ROUTE_BANG |
	            ADDRESS_ROUTE_SOURCE},
	};
	struct arena *a = arena_new();
	struct address addr;
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		T_EQ_INT(address_parse(cases[i].in, strlen(cases[i].in), 0,
		             &addr, a, &err),
		    0);
		T_EQ_INT(address_routing(&addr), cases[i].want);
	}
	arena_free(&a);
}

static void
address_split_table(void)
{
	static const struct {
		const char *in, *delims, *local, *ext, *domain;
	} cases[] = {
	    {"user+ext@example.com", "+", "user", "ext", "example.com"},
	    {"user+ext@example.com", "", "user+ext", NULL, "example.com"},
	    {"user+ext@example.com", NULL, "user+ext", NULL, "example.com"},
	    {"user-a+b@example.com", "+-", "user", "a+b", "example.com"},
	    {"user+@example.com", "+", "user", "", "example.com"},
	    {"+ext@example.com", "+", "+ext", NULL, "example.com"},
	    {"user+ext", "+", "user", "ext", NULL},
	    {"a@b@example.com", "+", "a@b", NULL, "example.com"},
	    {"owner-list@example.com", "-", "owner-list", NULL, "example.com"},
	    {"list-request@example.com", "-", "list-request", NULL,
	        "example.com"},
	    {"list-request@example.com", "+", "list-request", NULL,
	        "example.com"},
	    {"owner-list+x@example.com", "+", "owner-list", "x", "example.com"},
	    {"Postmaster@example.com", "+", "Postmaster", NULL, "example.com"},
	    {"", "+", "", NULL, NULL},
	};
	struct address_parts p;
	char got[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		address_split(
		    cases[i].in, strlen(cases[i].in), cases[i].delims, &p);
		snprintf(got, sizeof(got), "%.*s", (int)p.local_len, p.local);
		T_EQ_STR(got, cases[i].local);
		if (cases[i].ext == NULL) {
			T_CHECK(p.ext == NULL);
			T_EQ_INT(p.delim, '\0');
		} else if (T_CHECK(p.ext != NULL)) {
			snprintf(
			    got, sizeof(got), "%.*s", (int)p.ext_len, p.ext);
			T_EQ_STR(got, cases[i].ext);
		}
		if (cases[i].domain == NULL) {
			T_CHECK(p.domain == NULL);
		} else if (T_CHECK(p.domain != NULL)) {
			snprintf(got, sizeof(got), "%.*s", (int)p.domain_len,
			    p.domain);
			T_EQ_STR(got, cases[i].domain);
		}
	}
}

static void
address_domain_check(void)
{
	enum address_domain_kind k;
	struct err err;

	T_EQ_INT(address_parse_domain("mail.example.com", 16, 0, &k, &err), 0);
	T_EQ_INT(k, ADDRESS_DOMAIN_NAME);
	T_EQ_INT(address_parse_domain("[127.0.0.1]", 11, 0, &k, &err), 0);
	T_EQ_INT(k, ADDRESS_DOMAIN_IPV4);
	T_EQ_INT(address_parse_domain("[IPv6:::1]", 10, 0, &k, &err), 0);
	T_EQ_INT(k, ADDRESS_DOMAIN_IPV6);
	T_EQ_INT(address_parse_domain("bad host", 8, 0, &k, &err), -1);
	T_EQ_STR(err.dsn, "5.5.2");
	T_EQ_INT(address_parse_domain("", 0, 0, &k, &err), -1);
	T_EQ_INT(address_parse_domain("127.0.0.1", 9, 0, &k, &err), 0);
	T_EQ_INT(address_parse_domain("[127.0.0.1", 10, 0, &k, &err), -1);
}

static void
address_dot_string_check(void)
{
	T_CHECK(address_local_is_dot_string("a.b", 3));
	T_CHECK(address_local_is_dot_string("a+b=c", 5));
	T_CHECK(!address_local_is_dot_string("", 0));
	T_CHECK(!address_local_is_dot_string(".a", 2));
	T_CHECK(!address_local_is_dot_string("a.", 2));
	T_CHECK(!address_local_is_dot_string("a..b", 4));
	T_CHECK(!address_local_is_dot_string("a b", 3));
	T_CHECK(!address_local_is_dot_string("a\"b", 3));
}

static void
utf8_checks(void)
{
	T_CHECK(utf8_valid("", 0));
	T_CHECK(utf8_valid("abc", 3));
	T_CHECK(utf8_valid("\xc3\xa9", 2));
	T_CHECK(utf8_valid("\xe2\x82\xac", 3));
	T_CHECK(utf8_valid("\xf0\x9f\x98\x80", 4));
	T_CHECK(!utf8_valid("\xc0\xaf", 2)); /* overlong '/' */
	T_CHECK(!utf8_valid("\xe0\x80\xaf", 3)); /* overlong */
	T_CHECK(!utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	T_CHECK(!utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	T_CHECK(!utf8_valid("\xc3", 1)); /* truncated */
	T_CHECK(!utf8_valid("\x80", 1)); /* stray continuation */
	T_CHECK(!utf8_valid("\xff", 1));
}

struct list_case {
	const char *in;
	int rc;
	size_t count;
	const char *first_addr; /* canonical form of the first item */
	const char *first_display;
	const char *first_group;
};

static const struct list_case list_cases[] = {
    {"user@example.com", 0, 1, "user@example.com", NULL, NULL},
    {"Joe Q. Public <john.q.public@example.com>", 0, 1,
        "john.q.public@example.com", "Joe Q. Public", NULL},
    {"\"Doe, John\" <jd@example.com>, other@example.org", 0, 2,
        "jd@example.com", "Doe, John", NULL},
    {"jd@example.com (John Doe)", 0, 1, "jd@example.com", "John Doe", NULL},
    {"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;", 0, 3,
        "c@a.test", "Ed Jones", "A Group"},
    {"undisclosed-recipients:;", 0, 0, NULL, NULL, NULL},
    {"Team: a@example.com, b@example.com", 0, 2, "a@example.com", NULL, "Team"},
    {", , a@example.com,,", 0, 1, "a@example.com", NULL, NULL},
    {"root", 0, 1, "root", NULL, NULL},
    {"<>", 0, 1, "\"\"", NULL, NULL},
    {"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", 0, 1,
        "pete@silly.test", "Pete", NULL},
    {"<@relay.test,@other.test:user@example.com>", 0, 1, "user@example.com",
        NULL, NULL},
    {"\"J\xc3\xb6rg\" <j@example.com>", 0, 1, "j@example.com", "J\xc3\xb6rg",
        NULL},
    {"john . q . public @ example . com", 0, 1, "john.q.public@example.com",
        NULL, NULL},
    {"\"quoted local\"@example.com", 0, 1, "\"quoted local\"@example.com", NULL,
        NULL},
    {"", 0, 0, NULL, NULL, NULL},
    /* Errors. */
    {"a@b c@d", -1, 0, NULL, NULL, NULL},
    {"Joe <a@example.com", -1, 0, NULL, NULL, NULL},
    {"\"unterminated <a@example.com>", -1, 0, NULL, NULL, NULL},
    {"a@example.com (unterminated", -1, 0, NULL, NULL, NULL},
    {"G: H: a@example.com;;", -1, 0, NULL, NULL, NULL},
    {"j\xc3\xb6rg@example.com", -1, 0, NULL, NULL, NULL},
    {"a@exa\x01mple.com", -1, 0, NULL, NULL, NULL},
    {"a@", -1, 0, NULL, NULL, NULL},
    {"a@[1.2.3.999]", -1, 0, NULL, NULL, NULL},
    {"a) b", -1, 0, NULL, NULL, NULL},
};

static void
address_list_table(void)
{
	struct arena *a = arena_new();
	struct address_list l;
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		const struct list_case *c = &list_cases[i];
		int rc;

		err_clear(&err);
		rc = address_list_parse(
		    c->in, strlen(c->in), 0, 100, &l, a, &err);
		if (!T_EQ_INT(rc, c->rc)) {
			fprintf(stderr, "  case %zu: %s (%s)\n", i, c->in,
			    err.text);
			continue;
		}
		if (rc != 0) {
			T_CHECK(err.text[0] != '\0');
			continue;
		}
		if (!T_EQ_INT(l.count, c->count) || l.count == 0)
			continue;
		T_EQ_STR(address_canonical(&l.items[0].addr, a), c->first_addr);
		T_EQ_STR(l.items[0].display, c->first_display);
		T_EQ_STR(l.items[0].group, c->first_group);
	}
	arena_free(&a);
}

static void
address_list_details(void)
{
	static const char in[] =
	    "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"
	    " Mary Smith <mary@x.test>, jdoe (Jane Doe)";
	struct arena *a = arena_new();
	struct address_list l;
	struct err err;

	T_EQ_INT(address_list_parse(in, strlen(in), 0, 100, &l, a, &err), 0);
	if (T_EQ_INT(l.count, 5)) {
		T_EQ_STR(l.items[1].addr.local, "joe");
		T_EQ_STR(l.items[1].group, "A Group");
		T_EQ_STR(l.items[2].display, "John");
		T_EQ_STR(l.items[3].group, NULL);
		T_EQ_STR(l.items[3].display, "Mary Smith");
		T_EQ_STR(l.items[4].addr.local, "jdoe");
		T_EQ_STR(l.items[4].display, "Jane Doe");
		T_CHECK(l.items[4].addr.domain == NULL);
	}
	/* The item limit: exactly at it passes, one past fails. */
	T_EQ_INT(address_list_parse(in, strlen(in), 0, 5, &l, a, &err), 0);
	T_EQ_INT(address_list_parse(in, strlen(in), 0, 4, &l, a, &err), -1);
	/* A NUL, even quoted, is refused rather than cutting the text. */
	T_EQ_INT(address_list_parse(
	             "\"a\\\0b\" <x@example.com>", 22, 0, 10, &l, a, &err),
	    -1);
	T_EQ_INT(
	    address_list_parse("a\0b@example.com", 15, 0, 10, &l, a, &err), -1);
	/* UTF-8 addr-spec only with SMTPUTF8. */
	T_EQ_INT(address_list_parse("j\xc3\xb6rg@example.com", 17,
	             ADDRESS_SMTPUTF8, 10, &l, a, &err),
	    0);
	T_CHECK(l.count == 1 && l.items[0].addr.utf8);
	arena_free(&a);
}

T_MAIN(T_CASE(address_parse_table), T_CASE(address_embedded_nul_rejected),
    T_CASE(address_internal_form), T_CASE(address_routing_predicates),
    T_CASE(address_split_table), T_CASE(address_domain_check),
    T_CASE(address_dot_string_check), T_CASE(utf8_checks),
    T_CASE(address_list_table), T_CASE(address_list_details))
