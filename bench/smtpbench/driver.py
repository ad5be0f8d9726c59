# SPDX-License-Identifier: MIT
"""The SMTP load generator: COUNT messages of about SIZE bytes over
SESSIONS concurrent sessions, message i to user (i mod USERS).

Postfix's smtp-source cannot do this: its recipients are one address,
or that address with a growing number in front (-N, -r), never a fixed
set of existing users. So this small asyncio client does it instead.
Like smtp-source by default, each session sends one message per
connection (connect, EHLO, MAIL, RCPT, DATA, QUIT), in lock step with
the server's replies; --per-connection sends more over one connection.

Run as a program it prints one JSON object on standard output:
  ok, failed       messages accepted (250 after DATA) and not
  errors           up to 10 distinct error texts
  t_first_connect  time.monotonic() of the first connection attempt
  t_last_reply     time.monotonic() of the last reply
  client_cpu_s     CPU seconds this generator used
"""

import argparse
import asyncio
import json
import os
import re
import resource
import sys
import time

SENDER = "loadgen@client.test"


def user_address(i, domain):
    """The address of benchmark user i (0-based): u001@domain ..."""
    return f"u{i + 1:03d}@{domain}"


BODY_LINE = (b"The quick brown fox jumps over the lazy dog. 0123456789 "
             b"abcdefghijklmnopqrs\r\n")


def make_body(size):
    """Printable 78-byte lines, enough for a message of size bytes."""
    return BODY_LINE * (size // len(BODY_LINE) + 1)


def make_message(i, rcpt, body, stamp, size):
    """Message i (headers, body, and the final "." line) of about size
    bytes, taking its body from the start of body."""
    head = (f"From: Load Generator <{SENDER}>\r\n"
            f"To: <{rcpt}>\r\n"
            f"Subject: benchmark message {i}\r\n"
            f"Date: {stamp}\r\n"
            f"Message-ID: <{i}.{os.getpid()}@client.test>\r\n"
            f"MIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=us-ascii\r\n\r\n").encode()
    text = body[:max(size - len(head) - 5, 0)]
    if text.endswith(b"\r"):
        text = text[:-1]
    if not text.endswith(b"\r\n"):
        text += b"\r\n"
    return head + text + b".\r\n"


class SmtpError(Exception):
    pass


async def _reply(reader, timeout):
    """Read one (possibly multi-line) reply; return (code, text)."""
    lines = []
    while True:
        line = await asyncio.wait_for(reader.readline(), timeout)
        if not line:
            raise SmtpError("connection closed by server")
        lines.append(line.decode("latin-1").rstrip("\r\n"))
        if len(line) < 4 or line[3:4] != b"-":
            break
    return int(lines[-1][:3] or 0), lines[-1]


async def _command(reader, writer, data, want, timeout):
    if data:
        writer.write(data)
    code, text = await _reply(reader, timeout)
    if code != want:
        raise SmtpError(text)


class Load:
    def __init__(self, args):
        self.args = args
        self.next = 0
        self.ok = 0
        self.failed = 0
        self.errors = {}
        self.body = make_body(args.size)
        self.stamp = time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                                   time.gmtime())
        self.t_first = None
        self.t_last = None

    def take(self):
        if self.next >= self.args.count:
            return None
        self.next += 1
        return self.next - 1

    def error(self, text):
        """Count an error; addresses are blanked so that one cause shows
        once, with its count."""
        key = re.sub(r"<[^>]*>", "<...>", text)[:200]
        if key in self.errors or len(self.errors) < 10:
            self.errors[key] = self.errors.get(key, 0) + 1

    async def transaction(self, reader, writer, i):
        a, t = self.args, self.args.timeout
        domain = f"d{i % a.domains}.{a.domain}" if a.domains else a.domain
        rcpt = user_address(i % a.users, domain)
        await _command(reader, writer, f"MAIL FROM:<{SENDER}>\r\n".encode(),
                       250, t)
        await _command(reader, writer, f"RCPT TO:<{rcpt}>\r\n".encode(),
                       250, t)
        await _command(reader, writer, b"DATA\r\n", 354, t)
        await _command(reader, writer,
                       make_message(i, rcpt, self.body, self.stamp, a.size),
                       250, t)

    async def connection(self, first):
        """One connection carrying first and up to per_connection - 1
        more messages."""
        a = self.args
        if self.t_first is None:
            self.t_first = time.monotonic()
        i, sent = first, 0
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(a.host, a.port), a.timeout)
        except (OSError, asyncio.TimeoutError) as e:
            self.failed += 1
            self.error(f"connect: {e!r}")
            return
        try:
            await _command(reader, writer, None, 220, a.timeout)
            await _command(reader, writer, b"EHLO client.test\r\n", 250,
                           a.timeout)
            while i is not None:
                await self.transaction(reader, writer, i)
                self.ok += 1
                self.t_last = time.monotonic()
                sent += 1
                i = self.take() if sent < a.per_connection else None
            await _command(reader, writer, b"QUIT\r\n", 221, a.timeout)
        except (OSError, SmtpError, asyncio.TimeoutError, ValueError) as e:
            if i is not None:
                self.failed += 1
            self.error(str(e) or repr(e))
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass

    async def session(self):
        while (i := self.take()) is not None:
            await self.connection(i)

    async def run(self):
        await asyncio.gather(*(self.session()
                               for _ in range(self.args.sessions)))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--domain", default="bench.test")
    p.add_argument("--domains", type=int, default=0,
                   help="spread the mail over dN.DOMAIN for N domains "
                   "(relay runs); 0: DOMAIN itself")
    p.add_argument("--size", type=int, default=2048)
    p.add_argument("--per-connection", type=int, default=1)
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds to wait for any one reply")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    load = Load(args)
    asyncio.run(load.run())
    ru = resource.getrusage(resource.RUSAGE_SELF)
    json.dump({"ok": load.ok, "failed": load.failed,
               "errors": load.errors,
               "t_first_connect": load.t_first,
               "t_last_reply": load.t_last,
               "client_cpu_s": ru.ru_utime + ru.ru_stime}, sys.stdout)
    sys.stdout.write("\n")
    return 0 if load.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
