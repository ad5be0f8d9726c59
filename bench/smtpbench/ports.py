# SPDX-License-Identifier: MIT
"""Free TCP ports on 127.0.0.1 for the benchmark instances."""

import socket


def free_ports(count):
    """count distinct ports on 127.0.0.1 that nothing listens on now.

    The sockets are held open until all ports are chosen, so the same
    port is never returned twice; another program may still take one
    before the server binds it, which the server's start then reports.
    """
    socks, ports = [], []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports

