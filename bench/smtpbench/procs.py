# SPDX-License-Identifier: MIT
"""CPU time and memory of the processes of the servers under test.

A server's processes are those of its cgroup (see cgroup.py) when the
machine allows one, and in any case its root processes (the masters)
with all their descendants, found from /proc.

CPU: with a cgroup, its cpu.stat. Without, the sum over the live tree of
utime + stime + cutime + cstime from /proc/PID/stat: cutime/cstime hold
the CPU of children that a process has reaped, so the processes that
came and went between two readings are counted too (masters reap their
children). Either way the difference of two readings is the CPU the
server spent in between.

Memory: the sum of Pss (and Rss) from /proc/PID/smaps_rollup over the
processes, sampled by a thread; the peak of the sums is kept. Pss shares
the pages of shared libraries out between the processes that map them,
so a server made of many processes is not charged many times for one
libc.
"""

import os
import signal
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _read_stat(pid):
    """(ppid, cpu_ticks, starttime) of pid, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # The command name is in parentheses and may contain anything.
    rest = data[data.rindex(b")") + 2:].split()
    # rest[0] is field 3 (state); utime is field 14, starttime field 22.
    ppid = int(rest[1])
    ticks = sum(int(x) for x in rest[11:15])
    return ppid, ticks, int(rest[19])


def snapshot():
    """{pid: (ppid, cpu_ticks, starttime)} of every process on the host."""
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _read_stat(int(name))
            if st is not None:
                procs[int(name)] = st
    return procs


def tree(roots, procs=None):
    """The pids of roots and their descendants that are alive now."""
    procs = snapshot() if procs is None else procs
    children = {}
    for pid, (ppid, _, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [r for r in roots if r in procs]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, ()))
    return found


def cpu_seconds(roots):
    """CPU seconds used so far by the trees of roots, reaped children
    included (see the module comment)."""
    procs = snapshot()
    ticks = sum(procs[p][1] for p in tree(roots, procs))
    return ticks / CLK_TCK


def _memory_kb(pid):
    """(pss_kb, rss_kb) of pid, or (0, 0) if it is gone or unreadable."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


class ServerProcs:
    """The processes of one server: roots (set once it started) and its
    cgroup, or None."""

    def __init__(self, cgroup=None):
        self.roots = []
        self.cgroup = cgroup

    @property
    def cpu_method(self):
        return "cgroup cpu.stat" if self.cgroup else "/proc process trees"

    def pids(self, procs):
        """Live pids of the server, given a snapshot() of the host."""
        found = tree(self.roots, procs)
        if self.cgroup:
            found |= {p for p in self.cgroup.pids() if p in procs}
        return found

    def cpu_seconds(self):
        if self.cgroup:
            return self.cgroup.cpu_seconds()
        return cpu_seconds(self.roots)


class Sampler:
    """Samples the memory of a server's processes every interval seconds
    in a thread, keeping the peaks of the summed Pss and Rss and every
    (pid, starttime) seen, so that cleanup can find processes that left
    the tree."""

    def __init__(self, server, interval=0.25):
        self.server = server
        self.interval = interval
        self.peak_pss_kb = 0
        self.peak_rss_kb = 0
        self.max_procs = 0
        self.seen = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self):
        procs = snapshot()
        pids = self.server.pids(procs)
        pss = rss = 0
        for pid in pids:
            self.seen[pid] = procs[pid][2]
            p, r = _memory_kb(pid)
            pss += p
            rss += r
        self.peak_pss_kb = max(self.peak_pss_kb, pss)
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        self.max_procs = max(self.max_procs, len(pids))

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def kill_tree(roots, seen=None, wait=5.0):
    """SIGKILL what is left of the trees of roots and of the processes in
    seen ({pid: starttime}), checking each pid's start time so that a
    reused pid is never hit; wait up to wait seconds for them to go."""
    procs = snapshot()
    victims = {p: procs[p][2] for p in tree(roots, procs)}
    for pid, start in (seen or {}).items():
        if pid in procs and procs[pid][2] == start:
            victims[pid] = start
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        procs = snapshot()
        left = [p for p, s in victims.items()
                if p in procs and procs[p][2] == s and not _zombie(p)]
        if not left:
            return True
        time.sleep(0.05)
    return False


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        return data[data.rindex(b")") + 2:][:1] == b"Z"
    except OSError:
        return True
