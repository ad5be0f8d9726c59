/* SPDX-License-Identifier: MIT */
/*
 * The resolver's internals, for the dns_*.c files only.
 */
#ifndef DNS_DNS_IMPL_H
#define DNS_DNS_IMPL_H

#include "dns/dns.h"

#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>

struct dns_resolver {
	struct __res_state rs;
};

#endif
