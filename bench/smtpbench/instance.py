# SPDX-License-Identifier: MIT
"""What the benchmark instances of every system have in common.

An instance lives in its own directory, listens for SMTP on a free
loopback port, delivers into Maildirs below mail_root, and is known to
the measurements by the pids of its root processes. stop() always
leaves no process of it behind: first the system's own stop command,
then SIGKILL for whatever remains of its process trees.
"""

import os
import subprocess

from . import maildirs, procs

DOMAIN = "bench.test"


class NotMeasured(Exception):
    """The system could not be set up, started or fed: its figures are
    missing from the report, with this exception's text as the reason."""


def run(argv, what, timeout=120, input=None, **kw):
    """Run argv to completion, with input (str) as its standard input if
    given; raise NotMeasured with its output when it fails or takes
    longer than timeout seconds."""
    try:
        p = subprocess.run(argv, input=input,
                           stdin=subprocess.DEVNULL if input is None
                           else None,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        raise NotMeasured(f"{what}: no answer after {timeout} s") from None
    except OSError as e:
        raise NotMeasured(f"{what}: {e}") from None
    if p.returncode != 0:
        out = p.stdout.strip().splitlines()[-5:]
        raise NotMeasured(f"{what} failed (exit {p.returncode}): "
                          + " / ".join(out))
    return p.stdout


def read_pid(path):
    """The pid in a pid file (Postfix pads it with spaces), or None."""
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def tail(path, lines=15):
    """The last lines of a log file, for failure reports."""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


class Instance:
    """Base class. Subclasses set label, mail_root, smtp_port and
    logs, and implement setup(), start() and _stop()."""

    label = "?"

    def __init__(self, workdir, users):
        self.dir = workdir
        self.users = users
        self.roots = []
        self.seen = {}
        self.smtp_port = None
        self.mail_root = None
        self.logs = []

    def counter(self):
        """What counts delivered messages: the Maildirs by default."""
        return maildirs.Counter(self.mail_root)

    def addresses(self):
        return [f"u{i + 1:03d}@{DOMAIN}" for i in range(self.users)]

    def remember(self, seen):
        """Merge a sampler's {pid: starttime} into what stop() kills."""
        self.seen.update(seen)

    def stop(self):
        """Stop the system and make sure nothing of it is left running."""
        try:
            self._stop()
        except NotMeasured:
            pass
        finally:
            procs.kill_tree(self.roots, self.seen)

    def _stop(self):
        pass

    def log_tails(self):
        out = []
        for path in self.logs:
            t = tail(path)
            if t:
                out.append(f"--- {path}\n{t}")
        return "".join(out)

    def mkdir(self, *parts, mode=0o755, owner=None):
        path = os.path.join(self.dir, *parts)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, mode)
        if owner is not None:
            os.chown(path, *owner)
        return path
