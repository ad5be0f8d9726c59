/* SPDX-License-Identifier: MIT */
/*
 * Who is connected: the client's address from the socket, and its host
 * name when reverse DNS gives one that resolves back to the same
 * address (forward-confirmed, as Postfix does), else "unknown". The
 * name comes from DNS and is untrusted: it is only logged (escaped)
 * and used as a lookup key.
 */
#include "smtpd.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/conf.h"
#include "core/log.h"

/* True when name resolves to the address in ss. */
static bool
smtpd_client_confirm(const char *name, const char *addr)
{
	struct addrinfo hints = {
	    .ai_flags = AI_NUMERICSERV, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res, *ai;
	char host[NI_MAXHOST];
	bool ok = false;

	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return false;
	for (ai = res; ai != NULL && !ok; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host),
		        NULL, 0, NI_NUMERICHOST) == 0 &&
		    strcmp(host, addr) == 0)
			ok = true;
	}
	freeaddrinfo(res);
	return ok;
}

/* An IPv4-mapped IPv6 address is logged and matched as IPv4. */
static void
smtpd_client_unmap(char *addr)
{
	if (strncmp(addr, "::ffff:", 7) == 0 && strchr(addr + 7, ':') == NULL)
		memmove(addr, addr + 7, strlen(addr + 7) + 1);
}

void
smtpd_client_identify(struct smtpd_session *s, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char host[NI_MAXHOST];
	int n;

	snprintf(s->addr, sizeof(s->addr), "unknown");
	snprintf(s->name, sizeof(s->name), "unknown");
	if (getpeername(fd, (struct sockaddr *)&ss, &sslen) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) &&
	    getnameinfo((struct sockaddr *)&ss, sslen, s->addr, sizeof(s->addr),
	        NULL, 0, NI_NUMERICHOST) == 0) {
		smtpd_client_unmap(s->addr);
		if (s->conf->smtpd_peername_lookup &&
		    getnameinfo((struct sockaddr *)&ss, sslen, host,
		        sizeof(host), NULL, 0, NI_NAMEREQD) == 0 &&
		    strlen(host) < sizeof(s->name) &&
		    smtpd_client_confirm(host, s->addr))
			memcpy(s->name, host, strlen(host) + 1);
	}
	n = snprintf(
	    s->namaddr, sizeof(s->namaddr), "%s[%s]", s->name, s->addr);
	if (n < 0 || (size_t)n >= sizeof(s->namaddr))
		PANIC("%s: name[addr] truncated", __func__);
}
