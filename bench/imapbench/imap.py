# SPDX-License-Identifier: MIT
"""A small asyncio IMAP client for the load generator.

It speaks just what the benchmark sends: tagged commands in lock step,
synchronising literals in both directions (APPEND up, BODY[] down), and
IDLE/DONE. Every wait for the server is bounded by a timeout; a server
that closes, stalls or answers NO/BAD raises ImapError, which the
measurement turns into "not measured" with the server's text.
"""

import asyncio
import re
import time

LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
EXISTS = re.compile(rb"^\* (\d+) EXISTS")


class ImapError(Exception):
    """The server refused a command, broke the protocol, or went
    silent."""


class Imap:
    def __init__(self, reader, writer, timeout):
        self.r = reader
        self.w = writer
        self.timeout = timeout
        self.tag = 0
        self.exists = 0
        self.waited = {}

    @classmethod
    async def connect(cls, port, timeout=60.0):
        """A session on 127.0.0.1:port whose greeting has been read."""
        try:
            r, w = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port), timeout)
        except (OSError, asyncio.TimeoutError) as e:
            raise ImapError(f"connect: {e!r}") from None
        c = cls(r, w, timeout)
        greeting = await c._line()
        if not greeting.startswith(b"* OK"):
            c.close()
            raise ImapError(f"greeting: {greeting[:80]!r}")
        return c

    async def _line(self):
        """One response line with its literals appended (bytes)."""
        out = b""
        while True:
            try:
                line = await asyncio.wait_for(self.r.readline(),
                                              self.timeout)
            except asyncio.TimeoutError:
                raise ImapError(f"no answer in {self.timeout:.0f} s") \
                    from None
            except (OSError, ValueError) as e:
                raise ImapError(f"read: {e!r}") from None
            if not line.endswith(b"\n"):
                raise ImapError("connection closed by the server")
            out += line
            m = LITERAL.search(line)
            if not m:
                return out
            try:
                out += await asyncio.wait_for(
                    self.r.readexactly(int(m.group(1))), self.timeout)
            except (asyncio.TimeoutError, asyncio.IncompleteReadError,
                    OSError) as e:
                raise ImapError(f"literal: {e!r}") from None

    async def _send(self, data):
        try:
            self.w.write(data)
            await asyncio.wait_for(self.w.drain(), self.timeout)
        except (OSError, asyncio.TimeoutError) as e:
            raise ImapError(f"send: {e!r}") from None

    async def _tagged(self, tag):
        """Read up to the tagged reply; untagged EXISTS is tracked."""
        while True:
            line = await self._line()
            if line.startswith(tag + b" "):
                status = line[len(tag) + 1:].split(b" ", 1)[0]
                if status != b"OK":
                    raise ImapError(line.decode("ascii", "replace")
                                    .strip()[:160])
                return line
            m = EXISTS.match(line)
            if m:
                self.exists = int(m.group(1))

    def _next_tag(self):
        self.tag += 1
        return b"a%d" % self.tag

    async def command(self, text, literal=None):
        """Send one command (str); with literal (bytes), the command
        ends in a synchronising literal that is sent after the server's
        "+". Returns the tagged OK line. The time to the tagged reply is
        added up per command name in waited ({name: [count, seconds]})."""
        t0 = time.monotonic()
        try:
            return await self._command(text, literal)
        finally:
            self._waited(text.split(" ", 1)[0], t0)

    def _waited(self, name, t0):
        w = self.waited.setdefault(name, [0, 0.0])
        w[0] += 1
        w[1] += time.monotonic() - t0

    async def _command(self, text, literal):
        tag = self._next_tag()
        if literal is None:
            await self._send(tag + b" " + text.encode() + b"\r\n")
            return await self._tagged(tag)
        await self._send(tag + b" " + text.encode()
                         + b" {%d}\r\n" % len(literal))
        await self._continuation(tag)
        await self._send(literal + b"\r\n")
        return await self._tagged(tag)

    async def _continuation(self, tag):
        while True:
            line = await self._line()
            if line.startswith(b"+"):
                return
            if line.startswith(tag + b" "):
                raise ImapError(line.decode("ascii", "replace")
                                .strip()[:160])
            m = EXISTS.match(line)
            if m:
                self.exists = int(m.group(1))

    async def login(self, user, password):
        await self.command(f'LOGIN "{user}" "{password}"')

    async def idle_start(self):
        """Enter IDLE; returns once the server said "+". The tag is kept
        for idle_done()."""
        t0 = time.monotonic()
        self.idle_tag = self._next_tag()
        await self._send(self.idle_tag + b" IDLE\r\n")
        await self._continuation(self.idle_tag)
        self._waited("IDLE", t0)

    async def idle_done(self):
        t0 = time.monotonic()
        await self._send(b"DONE\r\n")
        await self._tagged(self.idle_tag)
        self._waited("DONE", t0)

    async def logout(self):
        tag = self._next_tag()
        await self._send(tag + b" LOGOUT\r\n")
        await self._tagged(tag)
        self.close()

    def close(self):
        self.w.close()
