# SPDX-License-Identifier: MIT
"""A Dovecot instance of its own that only speaks LMTP, for anchor 1.

Its own configuration file, base_dir and state_dir below the instance
directory (no clash with a system Dovecot in /run/dovecot), users from a
passwd-file, Maildirs at mail_location. It runs in the foreground
(dovecot -F) as a child of the benchmark, so its master is known without
a pid file. Settings that matter for speed and safety stay at Dovecot's
defaults (mail_fsync = optimized: a delivered message is fsynced).
"""

import os
import pwd
import subprocess
import textwrap
import time

from .instance import Instance, NotMeasured, run


class Dovecot(Instance):
    label = "Dovecot LMTP"

    def __init__(self, workdir, users):
        super().__init__(workdir, users)
        self.conf = os.path.join(workdir, "dovecot", "dovecot.conf")
        self.base = os.path.join(workdir, "dovecot", "run")
        self.lmtp_socket = os.path.join(self.base, "lmtp")
        self.mail_root = os.path.join(workdir, "mail")
        self.logs = [os.path.join(workdir, "log", "dovecot.log")]
        self.proc = None

    def setup(self):
        mail = pwd.getpwnam("mail")
        self.mkdir("dovecot")
        self.mkdir("dovecot", "run")
        self.mkdir("dovecot", "state")
        self.mkdir("log")
        self.mkdir("mail", mode=0o755, owner=(mail.pw_uid, mail.pw_gid))
        users = os.path.join(self.dir, "dovecot", "users")
        with open(users, "w") as f:
            for addr in self.addresses():
                # user:password:uid:gid:gecos:home:shell:extra
                local, domain = addr.split("@")
                f.write(f"{addr}::{mail.pw_uid}:{mail.pw_gid}::"
                        f"{self.mail_root}/{domain}/{local}::\n")
        with open(self.conf, "w") as f:
            f.write(self._conf(mail, users))
        run(["doveconf", "-c", self.conf, "-n"], "doveconf")

    def _conf(self, mail, users):
        d = self.dir
        return textwrap.dedent(f"""\
            # Dovecot instance of the Postern SMTP benchmark.
            instance_name = postern-bench-{os.getpid()}
            base_dir = {self.base}
            state_dir = {d}/dovecot/state
            protocols = lmtp
            listen = 127.0.0.1
            log_path = {d}/log/dovecot.log
            ssl = no
            first_valid_uid = {mail.pw_uid}
            mail_location = maildir:{self.mail_root}/%d/%n/Maildir
            passdb {{
              driver = passwd-file
              args = {users}
            }}
            userdb {{
              driver = passwd-file
              args = {users}
            }}
            service lmtp {{
              unix_listener lmtp {{
                mode = 0666
              }}
            }}
            """)

    def start(self):
        try:
            self.proc = subprocess.Popen(
                ["dovecot", "-F", "-c", self.conf],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=open(self.logs[0], "ab"), start_new_session=True)
        except OSError as e:
            raise NotMeasured(f"dovecot: {e}") from None
        self.roots.append(self.proc.pid)
        deadline = time.monotonic() + 30
        while not self.ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise NotMeasured(f"dovecot did not open {self.awaited}")
            time.sleep(0.05)

    awaited = "its LMTP socket"

    def ready(self):
        """True once the started Dovecot serves what it is for."""
        return os.path.exists(self.lmtp_socket)

    def _stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass


def version():
    """"Dovecot X.Y.Z" of the installed Dovecot."""
    return "Dovecot " + run(["dovecot", "--version"],
                            "dovecot --version").split()[0]
