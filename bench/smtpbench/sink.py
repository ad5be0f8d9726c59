# SPDX-License-Identifier: MIT
"""A fast SMTP sink for relay runs: accepts every message on
127.0.0.1 ... 127.0.0.N (one loopback address per destination, so each
is a destination of its own for the MTA under test), with PIPELINING,
8BITMIME and SIZE, and keeps the number of messages received in a file
that the runner polls. Postfix's smtp-sink would do, but it cannot tell
the runner when everything has arrived.

Usage: python3 -m smtpbench.sink --port P --addresses N --count-file F
"""

import argparse
import asyncio
import os

GREETING = b"220 sink.bench.invalid ESMTP sink\r\n"
EHLO = (b"250-sink.bench.invalid\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
        b"250-SIZE 104857600\r\n250 ENHANCEDSTATUSCODES\r\n")


class Sink:
    def __init__(self, count_file):
        self.count_file = count_file
        self.received = 0
        self.written = -1

    async def session(self, reader, writer):
        writer.write(GREETING)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                verb = line[:4].upper()
                if verb == b"EHLO" or verb == b"LHLO":
                    writer.write(EHLO)
                elif verb == b"DATA":
                    writer.write(b"354 go ahead\r\n")
                    await writer.drain()
                    await reader.readuntil(b"\r\n.\r\n")
                    self.received += 1
                    writer.write(b"250 2.0.0 Ok: queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 2.0.0 Bye\r\n")
                    break
                else:
                    writer.write(b"250 2.0.0 Ok\r\n")
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def publish(self):
        while True:
            if self.received != self.written:
                self.written = self.received
                tmp = self.count_file + ".tmp"
                with open(tmp, "w") as f:
                    f.write(str(self.written))
                os.replace(tmp, self.count_file)
            await asyncio.sleep(0.02)

    async def run(self, port, addresses):
        servers = [await asyncio.start_server(
            self.session, f"127.0.0.{i + 1}", port, limit=1 << 20,
            backlog=512) for i in range(addresses)]
        await self.publish()
        for s in servers:
            s.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--addresses", type=int, default=10)
    p.add_argument("--count-file", required=True)
    a = p.parse_args()
    asyncio.run(Sink(a.count_file).run(a.port, a.addresses))


if __name__ == "__main__":
    main()
