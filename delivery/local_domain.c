/* SPDX-License-Identifier: MIT */
/*
 * Which of our domains an address belongs to, as smtpd decides it when
 * it accepts the recipient and qmgr when it routes it: the shared check
 * of msg/domain_local.h, mapped to local's classes.
 */
#include "local.h"

#include "msg/domain_local.h"

enum local_class
local_domain_class(const struct conf *conf, const char *domain)
{
	switch (domain_local_class(conf, domain)) {
	case DOMAIN_LOCAL_MYDEST:
		return LOCAL_CLASS_LOCAL;
	case DOMAIN_LOCAL_VALIAS:
		return LOCAL_CLASS_VALIAS;
	case DOMAIN_LOCAL_VMAILBOX:
		return LOCAL_CLASS_VMAILBOX;
	case DOMAIN_LOCAL_NONE:
		break;
	}
	return LOCAL_CLASS_REMOTE;
}
