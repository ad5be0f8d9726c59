# SPDX-License-Identifier: MIT
"""A Postern instance for the benchmark, made the way an admin makes one:
postern init DIR with free loopback ports for every service, one
"postern user add" per user, "postern -c DIR start".

Nothing is tuned: the instance runs with the defaults that init writes
(fsync of queue files and deliveries, group commit as designed). Until
smtpd, qmgr and local are built and deliver end to end, setup() or the
warm-up fails with NotMeasured and the report says why; no figure is
ever made up.
"""

import os
import subprocess

from .instance import DOMAIN, Instance, NotMeasured, read_pid, run

SERVICES = ("smtp", "submission", "smtps", "imap", "imaps", "pop3",
            "pop3s", "sieve")
NEEDED = ("master", "smtpd", "qmgr", "local")


class Postern(Instance):
    label = "Postern"

    def __init__(self, workdir, users, ports, bindir, srcdir):
        """ports: one free port per name in SERVICES, smtp first."""
        super().__init__(workdir, users)
        self.bindir = bindir
        self.srcdir = srcdir
        self.ports = dict(zip(SERVICES, ports))
        self.smtp_port = self.ports["smtp"]
        self.inst = os.path.join(workdir, "postern")
        self.mail_root = os.path.join(self.inst, "mail")
        self.logs = [os.path.join(self.inst, "log", "maillog")]

    def _postern(self, *args, what=None, **kw):
        argv = [os.path.join(self.bindir, "postern"), "-c", self.inst]
        return run(argv + list(args), what or "postern " + args[0], **kw)

    def setup(self):
        missing = [p for p in ("postern",) + NEEDED
                   if not os.access(os.path.join(self.bindir, p), os.X_OK)]
        if missing:
            raise NotMeasured(
                "Postern cannot deliver end to end yet: "
                f"{', '.join(missing)} not built in {self.bindir}")
        argv = [os.path.join(self.bindir, "postern"), "init", self.inst,
                "--domain", DOMAIN, "--hostname", f"mx.{DOMAIN}"]
        for name, port in self.ports.items():
            argv += ["--port", f"{name}={port}"]
        run(argv, "postern init")
        for addr in self.addresses():
            self._postern("user", "add", addr, "--no-password",
                          what=f"postern user add {addr}")

    def start(self):
        self._postern("start", timeout=60)
        pid = read_pid(os.path.join(self.inst, "queue", "pid",
                                    "master.pid"))
        if pid is None:
            raise NotMeasured("postern start: no master.pid")
        self.roots.append(pid)
        self._check_services()

    def _check_services(self):
        """Fail clearly when the master disabled a program the benchmark
        needs (it logs "program P not found; service disabled")."""
        try:
            with open(self.logs[0], errors="replace") as f:
                log = f.read()
        except OSError:
            return
        off = sorted({p for p in NEEDED[1:]
                      if f"/{p} not found; service disabled" in log})
        if off:
            raise NotMeasured("Postern cannot deliver end to end yet: the "
                              f"master disabled {', '.join(off)} (program "
                              "not found)")

    def _stop(self):
        if self.roots:
            self._postern("stop", timeout=45)


def version(srcdir):
    """"Postern <git describe>" of the source tree srcdir."""
    try:
        rev = subprocess.run(
            ["git", "-C", srcdir, "describe", "--always", "--dirty"],
            capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        rev = ""
    return f"Postern {rev or '(unknown revision)'}"
