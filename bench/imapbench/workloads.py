# SPDX-License-Identifier: MIT
"""The measurements, each against one started system (see lifecycle.py)
and returning a dict of figures, or raising NotMeasured / ImapError
with the reason.

Server CPU is read from the system's cgroup (or /proc trees) just
before the timed part starts and just after it ends; the load generator
runs in this process, outside that group, and its own CPU is reported
beside, because on a 2-core machine it competes with the server.
"""

import asyncio
import random
import resource
import statistics
import time

from smtpbench import procs
from smtpbench.instance import NotMeasured

from .imap import Imap, ImapError
from .mailboxes import message
from .pop3 import drain

OPEN_AT_ONCE = 20


def client_cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class Timed:
    """Server CPU, client CPU and wall time between start() and stop()."""

    def __init__(self, server):
        self.server = server

    def start(self):
        self.cpu0, self.cli0 = self.server.cpu_seconds(), client_cpu()
        self.t0 = time.monotonic()
        return self

    def stop(self):
        self.seconds = time.monotonic() - self.t0
        self.cpu = self.server.cpu_seconds() - self.cpu0
        self.client = client_cpu() - self.cli0
        return self

    def per(self, n):
        """(rate per second, server CPU ms, client CPU ms) per unit."""
        return n / self.seconds, self.cpu * 1000 / n, self.client * 1000 / n


async def open_sessions(port, users, password, select=True):
    """One logged-in session per entry of users (SELECTed INBOX),
    opened OPEN_AT_ONCE at a time."""
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def one(user):
        async with gate:
            c = await Imap.connect(port)
            try:
                await c.login(user, password)
                if select:
                    await c.command("SELECT INBOX")
            except BaseException:
                c.close()
                raise
            return c
    got = await asyncio.gather(*(one(u) for u in users),
                               return_exceptions=True)
    errors = [g for g in got if isinstance(g, BaseException)]
    if errors:
        for c in got:
            if isinstance(c, Imap):
                c.close()
        raise ImapError(f"{len(errors)} of {len(users)} sessions could not "
                        f"be opened, first: {errors[0]}")
    return got


async def mixed_cycle(c, rng, size, cycle):
    """The ten commands of one cycle of the mixed workload (IDLE and its
    DONE count as one), on a session that has a mailbox of its own."""
    await c.command("SELECT INBOX")
    n = max(c.exists, 1)
    a = rng.randint(1, n)
    await c.command(f"FETCH {a}:{min(n, a + 19)} (FLAGS)")
    await c.command(f"FETCH {a}:{min(n, a + 9)} (ENVELOPE)")
    await c.command(f"FETCH {a} (BODY[])")
    sign = "+" if cycle % 2 == 0 else "-"
    await c.command(f"STORE {a} {sign}FLAGS (\\Flagged)")
    if cycle % 2 == 0:
        await c.command("SEARCH UNSEEN")
    else:
        await c.command(f'SEARCH SUBJECT "message {a}"')
    await c.command("APPEND INBOX (\\Seen)",
                    message(10 ** 7 + cycle, "bench", size)
                    .replace(b"\n", b"\r\n"))
    # The message just appended goes again, so the mailbox keeps its
    # size from cycle to cycle.
    await c.command(f"STORE {c.exists} +FLAGS.SILENT (\\Deleted)")
    await c.command("EXPUNGE")
    await c.idle_start()
    await c.idle_done()


MIXED_COMMANDS = 10


async def _mixed(system, server, users, password, ops, size):
    sessions = await open_sessions(system.imap_port, users, password)
    cycles = max(1, -(-ops // (MIXED_COMMANDS * len(sessions))))
    timed = Timed(server).start()

    async def run(i, c):
        rng = random.Random(i)
        for k in range(cycles):
            await mixed_cycle(c, rng, size, k)
    for c in sessions:
        c.waited.clear()
    try:
        await asyncio.gather(*(run(i, c) for i, c in enumerate(sessions)))
        timed.stop()
    finally:
        for c in sessions:
            c.close()
    return cycles * MIXED_COMMANDS * len(sessions), timed, \
        mean_waits(sessions)


def mean_waits(sessions):
    """"NAME ms ..." : the mean time to each command's reply, slowest
    first, to show where a slow run spends its time."""
    total = {}
    for c in sessions:
        for name, (n, secs) in c.waited.items():
            t = total.setdefault(name, [0, 0.0])
            t[0] += n
            t[1] += secs
    means = sorted(((secs * 1000 / n, name) for name, (n, secs)
                    in total.items()), reverse=True)
    return " ".join(f"{name} {ms:.1f}" for ms, name in means)


def mixed(system, server, users, password, opts):
    """Kept-open sessions, one per user, running the mixed cycle."""
    n, timed, waits = asyncio.run(_mixed(system, server, users, password,
                                         opts.ops, opts.size))
    rate, cpu, cli = timed.per(n)
    return {"commands": n, "seconds": timed.seconds, "rate": rate,
            "cpu_ms": cpu, "client_cpu_ms": cli, "reply_ms": waits}


async def _logins(port, users, password, count, clients, server):
    todo = iter(range(count))
    timed = Timed(server).start()

    async def worker():
        for i in todo:
            c = await Imap.connect(port)
            try:
                await c.login(users[i % len(users)], password)
                await c.command("SELECT INBOX")
                await c.logout()
            finally:
                c.close()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return timed.stop()


def logins(system, server, users, password, opts):
    """connect, LOGIN, SELECT INBOX, LOGOUT, from --login-clients at
    once."""
    timed = asyncio.run(_logins(system.imap_port, users, password,
                                opts.logins, opts.login_clients, server))
    rate, cpu, cli = timed.per(opts.logins)
    return {"logins": opts.logins, "seconds": timed.seconds, "rate": rate,
            "cpu_ms": cpu, "client_cpu_ms": cli}


def memory(system, server):
    """(PSS KiB, RSS KiB, processes) of the server now."""
    s = procs.Sampler(server)
    s.sample()
    system.remember(s.seen)
    return s.peak_pss_kb, s.peak_rss_kb, s.max_procs


def settle(system, server, seconds=60, steady=3):
    """Wait (bounded) until the server's process count has not fallen
    for steady seconds: processes of sessions that just ended, or that
    Dovecot hibernated, are gone."""
    deadline = time.monotonic() + seconds
    last, calm = memory(system, server)[2], 0
    while time.monotonic() < deadline and calm < steady:
        time.sleep(1)
        now = memory(system, server)[2]
        calm = calm + 1 if now >= last else 0
        last = min(last, now)


async def _idle(system, server, users, password, count):
    who = [users[i % len(users)] for i in range(count)]
    sessions = await open_sessions(system.imap_port, who, password)
    try:
        gate = asyncio.Semaphore(OPEN_AT_ONCE * 5)

        async def idle(c):
            async with gate:
                await c.idle_start()
        await asyncio.gather(*(idle(c) for c in sessions))
        # Let the server finish what the logins started (Dovecot's
        # login processes exit once they handed the session over).
        await asyncio.sleep(2)
        settle(system, server)
        return memory(system, server)
    finally:
        for c in sessions:
            c.close()


def idle(system, server, users, password, opts):
    """PSS of all server processes with --idle-sessions sessions in
    IDLE, minus the PSS before they were opened, per session."""
    settle(system, server)
    base = memory(system, server)
    pss, rss, nprocs = asyncio.run(_idle(system, server, users, password,
                                         opts.idle_sessions))
    n = opts.idle_sessions
    return {"sessions": n, "pss_mb": pss / 1024,
            "pss_kb_session": (pss - base[0]) / n,
            "rss_kb_session": (rss - base[1]) / n,
            "base_pss_mb": base[0] / 1024, "procs": nprocs}


async def _select_times(port, user, password, repeat):
    c = await Imap.connect(port, timeout=900)
    await c.login(user, password)
    t0 = time.monotonic()
    await c.command("SELECT INBOX")
    first = time.monotonic() - t0
    exists = c.exists
    await c.logout()
    times = []
    for _ in range(repeat):
        c = await Imap.connect(port)
        await c.login(user, password)
        t0 = time.monotonic()
        await c.command("SELECT INBOX")
        times.append(time.monotonic() - t0)
        await c.logout()
    return first, times, exists


def big_select(system, server, user, password, opts):
    """The first SELECT of the big mailbox (the index is built), then
    --select-repeat SELECTs in new sessions: their median."""
    first, times, exists = asyncio.run(_select_times(
        system.imap_port, user, password, opts.select_repeat))
    if exists != opts.big_messages:
        raise NotMeasured(f"SELECT says {exists} messages, not "
                          f"{opts.big_messages}")
    return {"messages": exists, "first_s": first,
            "select_ms": statistics.median(times) * 1000,
            "max_ms": max(times) * 1000}


def pop3_drain(system, server, user, password, opts):
    """One POP3 session: USER/PASS, RETR+DELE of every message, QUIT."""
    timed = Timed(server)
    drain(system.pop3_port, user, password, opts.pop3_messages, timed)
    return {"messages": opts.pop3_messages, "seconds": timed.seconds,
            "cpu_ms": timed.cpu * 1000,
            "client_cpu_ms": timed.client * 1000}
