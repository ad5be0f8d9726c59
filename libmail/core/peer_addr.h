/* SPDX-License-Identifier: MIT */
/*
 * The numeric address of the peer of a connected socket, for log lines
 * and authd's per-client throttling. Shared by the access servers.
 */
#ifndef CORE_PEER_ADDR_H
#define CORE_PEER_ADDR_H

#include <stddef.h>

/*
 * Write the peer's IP address ("192.0.2.1", "2001:db8::1"; an
 * IPv4-mapped IPv6 address as IPv4) into out, or "unknown" when fd is
 * no IP socket. size should be at least 64.
 */
void peer_addr(int fd, char *out, size_t size);

#endif
