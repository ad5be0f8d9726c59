# SPDX-License-Identifier: MIT
"""A byte-exact line client on a loopback TCP socket, for what the
standard clients cannot send (pipelined commands, bare bytes, TLS
injection). The SMTP, POP3 and ManageSieve test clients build on it;
tests may replace .sock (after STARTTLS) and look at .buf."""

import socket

from harness import DEADLINE


class RawLines:

    def __init__(self, port, timeout=DEADLINE):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def fill(self):
        """Read more into .buf; ConnectionError when the server closed."""
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        self.buf += chunk

    def raw_line(self):
        """The next line as bytes, without its CR LF."""
        while b"\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def line(self):
        return self.raw_line().decode("utf-8", "replace")

    def closed(self):
        """True once the server has closed the connection."""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (ConnectionResetError, socket.timeout):
            return False

    def close(self):
        self.sock.close()
