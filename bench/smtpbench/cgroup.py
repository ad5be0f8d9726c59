# SPDX-License-Identifier: MIT
"""A cgroup (v2) of its own for the processes of one server under test.

The benchmark moves itself into the group just while it starts a
server, so the server's processes, and everything they fork later, are
in the group and nothing else is. The group then gives:

- the server's exact CPU time (cpu.stat usage_usec counts every task
  that ever ran in it, those that exited included);
- its processes, also those that left the process tree (cgroup.procs);
- a sure way to end them all at the end (cgroup.kill).

Needs root and a cgroup2 mount; where either is missing, create()
returns None and the benchmark falls back to /proc process trees.
"""

import os
import signal
import time


def _cgroup2_mount():
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                if right.split()[:1] == ["cgroup2"]:
                    return left.split()[4]
    except OSError:
        pass
    return None


def _own_path(mount):
    """The cgroup2 directory this process is in now."""
    with open("/proc/self/cgroup") as f:
        for line in f:
            if line.startswith("0::"):
                return os.path.join(mount, line[3:].strip().lstrip("/"))
    return mount


class Cgroup:
    def __init__(self, path, home):
        self.path = path
        self.home = home

    @classmethod
    def create(cls, name):
        """A new, empty group named name below the cgroup2 mount, or None
        when this machine does not allow one."""
        mount = _cgroup2_mount()
        if mount is None or os.geteuid() != 0:
            return None
        try:
            home = _own_path(mount)
            path = os.path.join(mount, name)
            os.mkdir(path)
        except OSError:
            return None
        group = cls(path, home)
        try:
            if not os.path.exists(os.path.join(path, "cpu.stat")):
                raise OSError("no cpu.stat")
            group.enter()
            group.leave()
        except OSError:
            group.kill()
            group.remove()
            return None
        return group

    def _move_self(self, where):
        with open(os.path.join(where, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def enter(self):
        """Put this process (and so what it starts) into the group."""
        self._move_self(self.path)

    def leave(self):
        """Return this process to the group it came from."""
        self._move_self(self.home)

    def pids(self):
        try:
            with open(os.path.join(self.path, "cgroup.procs")) as f:
                return {int(x) for x in f.read().split()}
        except OSError:
            return set()

    def cpu_seconds(self):
        with open(os.path.join(self.path, "cpu.stat")) as f:
            for line in f:
                if line.startswith("usage_usec "):
                    return int(line.split()[1]) / 1e6
        raise OSError("no usage_usec in cpu.stat")

    def kill(self, wait=5.0):
        """End every process in the group (never this one); True when
        the group is empty within wait seconds."""
        if os.getpid() in self.pids():
            self.leave()
        me = os.getpid()
        kill_file = os.path.join(self.path, "cgroup.kill")
        if me not in self.pids() and os.path.exists(kill_file):
            with open(kill_file, "w") as f:
                f.write("1")
        else:
            for pid in self.pids() - {me}:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + wait
        while self.pids() - {me} and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.pids() - {me}

    def remove(self):
        """Remove the (empty) group; False if it could not be."""
        try:
            os.rmdir(self.path)
            return True
        except OSError:
            return False
