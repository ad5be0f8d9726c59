# SPDX-License-Identifier: MIT
"""Relay runs (run-smtp-bench --relay N): the MTA under test accepts
mail for d0 ... dN-1 of DOMAIN from the load generator (a client in
mynetworks) and relays it over SMTP, each domain routed by
transport_maps to its own loopback address of one fast sink
(sink.py). A message counts as delivered when the sink has it.

The sink runs outside the measured process group: its CPU is not the
server's.
"""

import os
import subprocess
import sys
import time

from .instance import DOMAIN, NotMeasured
from .postern import Postern
from .postfix import Postfix

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SinkCounter:
    """Messages the sink has received so far."""

    def __init__(self, path):
        self.path = path

    def count(self):
        try:
            with open(self.path) as f:
                return int(f.read() or 0)
        except (OSError, ValueError):
            return 0


class Sink:
    def __init__(self, workdir, port, destinations):
        self.port = port
        self.destinations = destinations
        self.count_file = os.path.join(workdir, "sink.count")
        self.proc = None

    def start(self):
        env = dict(os.environ, PYTHONPATH=BENCH_DIR)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "smtpbench.sink", "--port",
             str(self.port), "--addresses", str(self.destinations),
             "--count-file", self.count_file], env=env,
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.count_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise NotMeasured("the SMTP sink did not start")
            time.sleep(0.05)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def routes(self):
        """(domain, next hop) per destination."""
        return [(f"d{i}.{DOMAIN}", f"[127.0.0.{i + 1}]:{self.port}")
                for i in range(self.destinations)]


class _RelayMixin:
    """Starts the sink with the instance (before it, outside the cgroup:
    setup runs before the runner enters the group) and counts there."""

    def counter(self):
        return SinkCounter(self.sink.count_file)

    def stop(self):
        try:
            super().stop()
        finally:
            self.sink.stop()


class PostfixRelay(_RelayMixin, Postfix):
    def __init__(self, workdir, users, port, sink, label):
        super().__init__(workdir, users, port, "virtual", label)
        self.sink = sink

    def setup(self):
        self.sink.start()
        super().setup()
        with open(os.path.join(self.conf, "transport"), "w") as f:
            for domain, hop in self.sink.routes():
                f.write(f"{domain} smtp:{hop}\n")
        with open(os.path.join(self.conf, "main.cf"), "a") as f:
            f.write(f"transport_maps = texthash:{self.conf}/transport\n")


class PosternRelay(_RelayMixin, Postern):
    def __init__(self, workdir, users, ports, bindir, srcdir, sink):
        super().__init__(workdir, users, ports, bindir, srcdir)
        self.sink = sink

    def setup(self):
        self.sink.start()
        super().setup()
        routes = ", ".join(f"{d}=smtp:{h}" for d, h in self.sink.routes())
        with open(os.path.join(self.inst, "etc", "main.cf"), "a") as f:
            f.write(f"transport_maps = inline:{{{routes}}}\n")
