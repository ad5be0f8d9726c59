# SPDX-License-Identifier: MIT
"""One system through the whole benchmark: a fresh instance in its own
directory and cgroup, the same Maildirs written into it, every
measurement in turn, and always, at the end, its stop, the kill of
whatever is left and the removal of its directory.

The result is {measurement: figures dict, or the reason it was not
measured (str)}; one part failing does not stop the others.
"""

import os
import shutil
import sys
import tempfile
import time

from smtpbench import cgroup, procs
from smtpbench.instance import NotMeasured

from . import workloads
from .imap import ImapError
from .mailboxes import fill
from .systems import PASSWORD


def users_of(opts):
    """The user addresses: one per mixed-workload session (also used by
    the login and idle parts), then the big mailbox, then the drain."""
    return max(opts.sessions) + 2


def fill_all(system, opts):
    addrs = system.addresses()
    pool, big, drain = addrs[:-2], addrs[-2], addrs[-1]
    for addr in pool:
        fill(system.maildir(addr), addr, opts.mailbox_messages, opts.size,
             system.owner)
    if "select" in opts.parts:
        fill(system.maildir(big), big, opts.big_messages, opts.big_size,
             system.owner)
    if "pop3" in opts.parts:
        fill(system.maildir(drain), drain, opts.pop3_messages, opts.size,
             system.owner)
    return pool, big, drain


def plan(opts, pool, big, drain):
    """(key, function) of each measurement asked for, in order."""
    steps = []
    if "pop3" in opts.parts:
        steps.append(("pop3", lambda s, g: workloads.pop3_drain(
            s, g, drain, PASSWORD, opts)))
    if "select" in opts.parts:
        steps.append(("select", lambda s, g: workloads.big_select(
            s, g, big, PASSWORD, opts)))
    if "mixed" in opts.parts:
        for n in opts.sessions:
            steps.append((f"mixed{n}", lambda s, g, n=n: workloads.mixed(
                s, g, pool[:n], PASSWORD, opts)))
    if "logins" in opts.parts:
        steps.append(("logins", lambda s, g: workloads.logins(
            s, g, pool, PASSWORD, opts)))
    if "idle" in opts.parts:
        steps.append(("idle", lambda s, g: workloads.idle(
            s, g, pool, PASSWORD, opts)))
    return steps


def keys(opts):
    """The measurement keys a run with opts produces."""
    return [k for k, _ in plan(opts, None, None, None)]


def run_system(make, opts, end):
    """Set up, fill, start and measure the system make(workdir) returns."""
    workdir = tempfile.mkdtemp(prefix="postern-bench-imap-",
                               dir=opts.tmpdir)
    os.chmod(workdir, 0o755)
    group = cgroup.Cgroup.create(os.path.basename(workdir)) \
        if opts.cgroup else None
    server = procs.ServerProcs(group)
    system = None
    try:
        system = make(workdir)
        say(f"{system.label}: setting up, writing the Maildirs")
        system.setup()
        steps = plan(opts, *fill_all(system, opts))
        if group:
            group.enter()
        try:
            system.start()
        finally:
            if group:
                group.leave()
        server.roots = list(system.roots)
        return {key: measure(system, server, key, fn, end)
                for key, fn in steps}
    except (NotMeasured, OSError) as e:
        if system is not None and opts.verbose:
            print(system.log_tails(), file=sys.stderr)
        return {key: f"{e}" for key in keys(opts)}
    finally:
        if system is not None:
            system.stop()
        if group:
            group.kill()
            group.remove()
        if opts.keep:
            say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def measure(system, server, key, fn, end):
    if time.monotonic() > end:
        return "time budget (--max-seconds) used up"
    say(f"{system.label}: {key} ...")
    try:
        r = fn(system, server)
    except (NotMeasured, ImapError, OSError) as e:
        say(f"{system.label}: {key}: NOT MEASURED: {e}")
        return str(e)
    say(f"{system.label}: {key}: " + ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in r.items()))
    return r


def say(text):
    print(f"imapbench: {text}", file=sys.stderr, flush=True)
