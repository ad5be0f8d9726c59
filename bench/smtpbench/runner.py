# SPDX-License-Identifier: MIT
"""One measured run: one system, one concurrency, a fresh instance.

1. Set up the instance(s) in a new temporary directory and start them
   in a new cgroup (where the machine allows; see cgroup.py).
2. Warm up: a few messages, until they are delivered -- in the Maildirs,
   or at the sink of a relay run (this also proves that the system
   delivers at all).
3. sync(2), then read the baseline: CPU of the server trees, the number
   of delivered files.
4. Start the memory sampler and the load generator; poll the delivered
   count (the instance's counter()) until every accepted message is
   there.
5. Read the CPU again at that moment; compute the figures.
6. Always: stop everything, kill what is left, remove the cgroup and
   the directory.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from . import cgroup, procs
from .instance import DOMAIN, NotMeasured

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def driver(port, count, sessions, opts):
    """Start the load generator; returns the Popen (stdout: JSON)."""
    env = dict(os.environ, PYTHONPATH=BENCH_DIR)
    argv = [sys.executable, "-m", "smtpbench.driver", "--port", str(port),
            "--count", str(count), "--sessions", str(sessions),
            "--users", str(opts.users), "--domain", DOMAIN,
            "--size", str(opts.size),
            "--per-connection", str(opts.per_connection),
            "--domains", str(opts.relay)]
    return subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, text=True)


def _driver_result(p, timeout):
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise NotMeasured(f"load generator still running after "
                          f"{timeout:.0f} s") from None
    try:
        return json.loads(out)
    except ValueError:
        raise NotMeasured(f"load generator crashed (exit {p.returncode})")


def deliver(front, count, sessions, opts, deadline):
    """Send count messages and wait until they are all delivered.
    Returns (driver result, monotonic time when the last one arrived)."""
    counter = front.counter()
    n0 = counter.count()
    p = driver(front.smtp_port, count, sessions, opts)
    res = None
    try:
        while True:
            now = time.monotonic()
            if res is None and p.poll() is not None:
                res = _driver_result(p, 10)
                if res["failed"]:
                    raise NotMeasured(
                        f"{res['failed']} of {count} messages not accepted: "
                        + "; ".join(f"{n}x {t}" for t, n in
                                    res["errors"].items()))
            target = count if res is None else res["ok"]
            got = counter.count() - n0
            if got >= target and res is not None:
                return res, now
            if now > deadline:
                raise NotMeasured(
                    f"after the time limit {got} of {target} messages "
                    "were delivered")
            # Coarse while the generator sends (the last delivery cannot
            # come before its last reply), fine once it is done.
            time.sleep(opts.poll if res is not None else 0.5)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()


def measure(make, sessions, opts, deadline):
    """Run the load against the instances make(workdir) returns (a list;
    the last one receives SMTP) and return the figures as a dict.
    Raises NotMeasured with the reason when the system fails."""
    workdir = tempfile.mkdtemp(prefix="postern-bench-", dir=opts.tmpdir)
    os.chmod(workdir, 0o755)
    group = None
    if opts.cgroup:
        group = cgroup.Cgroup.create(os.path.basename(workdir))
    server = procs.ServerProcs(group)
    instances = []
    try:
        instances = make(workdir)
        for inst in instances:
            inst.setup()
        _start(instances, group)
        server.roots = [r for i in instances for r in i.roots]
        return _measure(instances, server, sessions, opts, deadline)
    except NotMeasured as e:
        tails = "".join(i.log_tails() for i in instances)
        if tails and opts.verbose:
            print(tails, file=sys.stderr)
        raise NotMeasured(str(e)) from None
    finally:
        _clean(instances, group, workdir, opts)


def _start(instances, group):
    """Start the instances, inside the group if there is one."""
    if group:
        group.enter()
    try:
        for inst in instances:
            inst.start()
    finally:
        if group:
            group.leave()


def _clean(instances, group, workdir, opts):
    for inst in reversed(instances):
        inst.stop()
    if group:
        if not group.kill():
            print(f"bench: processes left in {group.path}", file=sys.stderr)
        group.remove()
    if opts.keep:
        print(f"bench: kept {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def _measure(instances, server, sessions, opts, deadline):
    front = instances[-1]
    warm_deadline = min(deadline, time.monotonic() + opts.warmup_timeout)
    try:
        deliver(front, opts.warmup, min(sessions, 5), opts, warm_deadline)
    except NotMeasured as e:
        raise NotMeasured(f"warm-up ({opts.warmup} messages): {e}") from None
    os.sync()
    sampler = procs.Sampler(server, opts.sample_interval)
    sampler.sample()
    cpu0 = server.cpu_seconds()
    sampler.start()
    try:
        res, t_done = deliver(front, opts.count, sessions, opts, deadline)
        cpu1 = server.cpu_seconds()
        sampler.sample()
    finally:
        sampler.stop()
        for inst in instances:
            inst.remember(sampler.seen)
    n, elapsed = res["ok"], t_done - res["t_first_connect"]
    return {
        "messages": n,
        "seconds": elapsed,
        "rate": n / elapsed,
        "cpu_ms": (cpu1 - cpu0) * 1000 / n,
        "cpu_method": server.cpu_method,
        "pss_mb": sampler.peak_pss_kb / 1024,
        "rss_mb": sampler.peak_rss_kb / 1024,
        "procs": sampler.max_procs,
        "client_cpu_ms": res["client_cpu_s"] * 1000 / n,
    }
