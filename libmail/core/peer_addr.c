/* SPDX-License-Identifier: MIT */
/* The numeric peer address of a socket (core/peer_addr.h). */
#include "core/peer_addr.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

void
peer_addr(int fd, char *out, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &sslen) != 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
	    getnameinfo((struct sockaddr *)&ss, sslen, out, (socklen_t)size,
	        NULL, 0, NI_NUMERICHOST) != 0) {
		snprintf(out, size, "unknown");
		return;
	}
	if (strncmp(out, "::ffff:", 7) == 0 && strchr(out + 7, ':') == NULL)
		memmove(out, out + 7, strlen(out + 7) + 1);
}
