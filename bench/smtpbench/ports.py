# SPDX-License-Identifier: MIT
"""Free TCP ports on 127.0.0.1 for the benchmark instances."""

import socket
import time


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


def wait_listening(port, deadline_s, host="127.0.0.1"):
    """True once a TCP connection to host:port succeeds, False when
    deadline_s (a time.monotonic() value) passes first."""
    while time.monotonic() < deadline_s:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return True
        except OSError:
            time.sleep(0.05)
    return False
