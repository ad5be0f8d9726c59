# SPDX-License-Identifier: MIT
"""The two systems under test, each its own instance on loopback:
Postern (imapd, pop3d, authd under its master) and Dovecot from Debian
(imap and pop3, with its own configuration file and base_dir).

Both get the same users with the same password, hashed the same way
(yescrypt, crypt(3)'s default cost, Postern's scheme), and plaintext
LOGIN/USER+PASS on loopback without TLS. Per-user and per-address
session limits are raised in both, so that the idle test can hold
thousands of sessions from 127.0.0.1; nothing else is tuned: each
product keeps its defaults for speed and safety (fsync included).
"""

import ctypes
import ctypes.util
import grp
import os
import pwd
import secrets
import socket
import string
import textwrap
import time

from smtpbench.dovecot import Dovecot
from smtpbench.instance import DOMAIN, NotMeasured, run
from smtpbench.ports import free_ports
from smtpbench.postern import SERVICES, Postern

PASSWORD = "bench-pw-4711"
SESSION_LIMIT = 100000
SALT_CHARS = string.ascii_letters + string.digits + "./"


def yescrypt(password):
    """A crypt(3) yescrypt hash of password at the default cost, as
    "postern user add" makes it, from libcrypt itself (Python's crypt
    module is going away)."""
    name = ctypes.util.find_library("crypt")
    if name is None:
        raise NotMeasured("no libcrypt to hash the Dovecot passwords")
    lib = ctypes.CDLL(name)
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    salt = "$y$j9T$" + "".join(secrets.choice(SALT_CHARS)
                               for _ in range(16))
    out = lib.crypt(password.encode(), salt.encode())
    if not out or not out.startswith(b"$y$"):
        raise NotMeasured("libcrypt cannot make a yescrypt hash")
    return out.decode()


def accepts(port):
    """True when something accepts connections on 127.0.0.1:port."""
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


def wait_port(port, alive, what, timeout=30):
    """Wait until 127.0.0.1:port accepts; alive() False means the
    server died."""
    deadline = time.monotonic() + timeout
    while not accepts(port):
        if not alive() or time.monotonic() > deadline:
            raise NotMeasured(f"{what} does not accept on port {port}")
        time.sleep(0.05)


class PosternMail(Postern):
    label = "Postern"
    NEEDED = ("postern", "master", "authd", "imapd", "pop3d")

    def __init__(self, workdir, users, bindir, srcdir):
        super().__init__(workdir, users, free_ports(len(SERVICES)),
                         bindir, srcdir)
        self.imap_port = self.ports["imap"]
        self.pop3_port = self.ports["pop3"]

    def setup(self):
        missing = [p for p in self.NEEDED
                   if not os.access(os.path.join(self.bindir, p), os.X_OK)]
        if missing:
            raise NotMeasured(f"not built in {self.bindir}: "
                              + ", ".join(missing))
        argv = [os.path.join(self.bindir, "postern"), "init", self.inst,
                "--domain", DOMAIN, "--hostname", f"mx.{DOMAIN}"]
        for name, port in self.ports.items():
            argv += ["--port", f"{name}={port}"]
        run(argv, "postern init")
        self._postern(
            "conf", "-e", "allow_plaintext_auth=yes",
            f"imapd_user_session_limit={SESSION_LIMIT}",
            f"imapd_client_session_limit={SESSION_LIMIT}")
        for addr in self.addresses():
            self._postern("user", "add", addr, "--password-stdin",
                          input=PASSWORD + "\n",
                          what=f"postern user add {addr}")
        owner = self._postern("conf", "-h", "mail_store_owner").strip()
        pw = pwd.getpwnam(owner)
        self.owner = (pw.pw_uid, pw.pw_gid)

    def maildir(self, addr):
        local, domain = addr.split("@")
        return os.path.join(self.mail_root, domain, local, "Maildir")

    def start(self):
        super().start()
        alive = lambda: all(os.path.exists(f"/proc/{p}") for p in self.roots)
        wait_port(self.imap_port, alive, "Postern imapd")
        wait_port(self.pop3_port, alive, "Postern pop3d")

    def _check_services(self):
        """The master logs a service whose program is missing."""
        try:
            with open(self.logs[0], errors="replace") as f:
                log = f.read()
        except OSError:
            return
        off = [p for p in ("imapd", "pop3d", "authd")
               if f"/{p} not found; service disabled" in log]
        if off:
            raise NotMeasured("the master disabled " + ", ".join(off))


class DovecotMail(Dovecot):
    label = "Dovecot"

    def __init__(self, workdir, users, max_sessions, hibernate=False):
        """hibernate: IMAP sessions in IDLE for a second are handed to
        Dovecot's imap-hibernate process, and their imap process
        exits."""
        super().__init__(workdir, users)
        self.imap_port, self.pop3_port = free_ports(2)
        self.max_sessions = max_sessions
        self.hibernate = hibernate
        if hibernate:
            self.label = "Dovecot (hibernating)"
        mail = pwd.getpwnam("mail")
        self.owner = (mail.pw_uid, mail.pw_gid)

    def setup(self):
        for prog in ("imap", "pop3"):
            if not os.path.exists(f"/usr/lib/dovecot/{prog}"):
                raise NotMeasured(f"dovecot-{prog}d is not installed")
        super().setup()
        hashed = yescrypt(PASSWORD)
        users = os.path.join(self.dir, "dovecot", "users")
        with open(users, "w") as f:
            for addr in self.addresses():
                local, domain = addr.split("@")
                f.write(f"{addr}:{{CRYPT}}{hashed}:{self.owner[0]}:"
                        f"{self.owner[1]}::{self.mail_root}/{domain}/"
                        f"{local}::\n")
        # Dovecot's auth process runs as its internal user.
        os.chown(users, 0, grp.getgrnam("dovecot").gr_gid)
        os.chmod(users, 0o640)

    def maildir(self, addr):
        local, domain = addr.split("@")
        return os.path.join(self.mail_root, domain, local, "Maildir")

    def _conf(self, mail, users):
        # One imap process per session (Dovecot's default, no
        # hibernation): process_limit must allow every idle session.
        n = self.max_sessions + 100
        conf = super()._conf(mail, users).replace(
            "protocols = lmtp", "protocols = imap pop3")
        return conf + textwrap.dedent(f"""\
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            default_client_limit = {2 * n + 1000}
            protocol imap {{
              mail_max_userip_connections = {SESSION_LIMIT}
            }}
            protocol pop3 {{
              mail_max_userip_connections = {SESSION_LIMIT}
            }}
            service imap {{
              process_limit = {n}
            }}
            service imap-login {{
              inet_listener imap {{
                address = 127.0.0.1
                port = {self.imap_port}
              }}
              inet_listener imaps {{
                port = 0
              }}
            }}
            service pop3-login {{
              inet_listener pop3 {{
                address = 127.0.0.1
                port = {self.pop3_port}
              }}
              inet_listener pop3s {{
                port = 0
              }}
            }}
            """) + (self._hibernation() if self.hibernate else "")

    @staticmethod
    def _hibernation():
        # The imap processes run as the mail user: they need the
        # internal group to reach imap-hibernate, which must reach
        # imap-master to wake a session.
        return textwrap.dedent("""\
            imap_hibernate_timeout = 1s
            service imap {
              extra_groups = $default_internal_group
              unix_listener imap-master {
                user = $default_internal_user
              }
            }
            service imap-hibernate {
              unix_listener imap-hibernate {
                mode = 0660
                group = $default_internal_group
              }
            }
            """)

    awaited = "its IMAP and POP3 ports"

    def ready(self):
        return all(accepts(p) for p in (self.imap_port, self.pop3_port))
