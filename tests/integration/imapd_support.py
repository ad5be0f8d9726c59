# SPDX-License-Identifier: MIT
"""Helpers for the imapd integration tests (test_imapd*.py).

ImapdCase starts one real instance per test class: the mail system of
`postern init` (smtpd, qmgr, local, authd) plus imapd on a plain port
(STARTTLS) and an imaps port, chrooted to the mail store as in
production, with users that have passwords. Tests talk to it with
Python's imaplib, curl, or RawClient for byte sequences imaplib cannot
send (pipelining, literals, injection)."""

import imaplib
import os
import socket
import ssl
import unittest

from harness import DEADLINE, Instance, missing_programs

PASSWORD = "s3cret-pw"
USERS = ("alice@example.test", "bob@example.test")


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class RawClient:
    """A socket speaking IMAP lines, for what imaplib cannot send."""

    def __init__(self, port, timeout=DEADLINE):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.file = self.sock.makefile("rb", buffering=0)

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else
                          data.encode())

    def line(self):
        got = self.file.readline()
        if not got:
            raise ConnectionError("closed by the server")
        return got.decode("utf-8", "replace").rstrip("\r\n")

    def read(self, n):
        """Exactly n bytes (a literal)."""
        data = b""
        while len(data) < n:
            chunk = self.file.read(n - len(data))
            if not chunk:
                raise ConnectionError("closed by the server")
            data += chunk
        return data

    def until_tagged(self, tag):
        """Lines up to and including the one starting with tag."""
        out = []
        while True:
            out.append(self.line())
            if out[-1].startswith(tag + " "):
                return out

    def closed(self):
        try:
            return self.file.readline() == b""
        except (ConnectionError, OSError):
            return True

    def close(self):
        self.file.close()
        self.sock.close()


class ImapdCase(unittest.TestCase):
    """One instance per class; main_cf adds settings for the class."""

    main_cf = {}

    @classmethod
    def setUpClass(cls):
        missing = missing_programs(("imapd", "authd", "postern", "smtpd",
                                    "qmgr", "local"))
        if missing:
            raise unittest.SkipTest("not built: %s" % ", ".join(missing))
        cls.inst = Instance(services=[])
        try:
            inst = cls.inst
            cls.port = inst.port("imap")
            cls.imaps_port = inst.port("imaps")
            services = inst.mail_services() + [
                "127.0.0.1:%d inet n - y - - imapd" % cls.port,
                "127.0.0.1:%d inet n - y - - imapd\n"
                "  -o imapd_tls_wrappermode=yes" % cls.imaps_port,
            ]
            main_cf = {"mydestination": "example.test",
                       "allow_plaintext_auth": "yes"}
            main_cf.update(cls.main_cf)
            inst.write_config(services=services, main_cf=main_cf)
            for user in USERS:
                inst.postern("user", "add", user, "--password-stdin",
                             stdin=PASSWORD + "\n")
            inst.start()
        except BaseException:
            cls.inst.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            print("\n---- log of %s ----\n%s---- end ----"
                  % (self.inst.root, self.inst.log()))
        return out

    def imap(self, login=None):
        """An imaplib client on the plain port, logged in as login."""
        c = imaplib.IMAP4("127.0.0.1", self.port, timeout=DEADLINE)
        self.addCleanup(self.shutdown, c)
        if login is not None:
            c.login(login, PASSWORD)
        return c

    def imaps(self):
        c = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port,
                              ssl_context=client_context(),
                              timeout=DEADLINE)
        self.addCleanup(self.shutdown, c)
        return c

    def raw(self, port=None):
        c = RawClient(port or self.port)
        self.addCleanup(c.close)
        return c

    @staticmethod
    def shutdown(c):
        try:
            c.shutdown()
        except OSError:
            pass

    def maildir(self, user):
        local, domain = user.split("@")
        return os.path.join(self.inst.root, "mail", domain, local, "Maildir")
