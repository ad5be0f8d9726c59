# SPDX-License-Identifier: MIT
"""Helpers for the pop3d integration tests (test_pop3d*.py).

Pop3dCase starts one real instance per test class: init's mail system
(smtpd, qmgr, local, authd) plus pop3d on a POP3 port and a pop3s port,
chrooted to the mail store as in production. Each test makes its own
user (new_user) and fills its mailbox through SMTP (deliver), so tests
never share a maildrop. RawPop3 is a byte-exact client for what poplib
cannot send (pipelining, injection, AUTH continuations).
"""

import itertools
import os
import smtplib
import sys
import unittest

from harness import (MAIL_PROGRAMS, Instance, missing_programs,
                     wait_for)
from raw_lines import RawLines

DOMAIN = "example.test"
HOSTNAME = "mx." + DOMAIN
PASSWORD = "pop pw 1"
_serial = itertools.count(1)


class RawPop3(RawLines):
    """A POP3 client on a socket: send bytes, read lines."""

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.line()

    def multiline(self):
        """Lines up to the terminating ".", dot-unstuffed."""
        out = []
        while True:
            line = self.line()
            if line == ".":
                return out
            out.append(line[1:] if line.startswith(".") else line)


class Pop3dCase(unittest.TestCase):
    """One instance per class; MAIN_CF adds main.cf settings."""

    MAIN_CF = {}

    @classmethod
    def setUpClass(cls):
        missing = missing_programs(MAIL_PROGRAMS + ("pop3d",))
        if missing:
            raise unittest.SkipTest("not built: %s" % ", ".join(missing))
        settings = {"myhostname": HOSTNAME, "mydomain": DOMAIN,
                    "smtpd_error_sleep_time": "0",
                    "allow_plaintext_auth": "yes",
                    "pop3d_auth_mechanisms": "PLAIN LOGIN APOP",
                    # Failed logins are part of the tests: no throttle.
                    "auth_failure_delay": "0"}
        settings.update(cls.MAIN_CF)
        cls.inst = Instance(services=[], main_cf=settings)
        try:
            if not cls.inst.init_main_cf:
                raise unittest.SkipTest("needs postern init")
            cls.port = cls.inst.port("pop3")
            cls.ssl_port = cls.inst.port("pop3s")
            cls.inst.write_config(services=cls.inst.mail_services() + [
                "127.0.0.1:%d inet n - y - - pop3d" % cls.port,
                "127.0.0.1:%d inet n - y - - pop3d\n"
                "  -o pop3d_tls_wrappermode=yes" % cls.ssl_port])
            cls.inst.start()
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
            sys.stderr.write("\n---- log of %s ----\n%s---- end ----\n"
                             % (self.inst.root, self.inst.log()))
        return out

    # -- helpers --

    def new_user(self, *options):
        """A fresh user with PASSWORD (also its APOP secret)."""
        address = "u%d@%s" % (next(_serial), DOMAIN)
        self.inst.postern("user", "add", address, "--password-stdin",
                          "--cram-secret", *options, stdin=PASSWORD + "\n")
        return address

    def maildir(self, user):
        local, domain = user.split("@")
        return os.path.join(self.inst.root, "mail", domain, local, "Maildir")

    def files(self, user):
        """Message files in the user's new/ and cur/."""
        out = []
        for sub in ("new", "cur"):
            try:
                out += os.listdir(os.path.join(self.maildir(user), sub))
            except FileNotFoundError:
                pass
        return out

    def deliver(self, user, bodies):
        """Send bodies to user over SMTP, each stored before the next is
        sent, so message numbers follow the order of bodies."""
        with smtplib.SMTP("127.0.0.1", self.inst.port("smtp"),
                          timeout=30) as s:
            for body in bodies:
                before = len(self.files(user))
                s.sendmail("sender@origin.example", [user], body)
                wait_for(lambda: len(self.files(user)) > before,
                         timeout=60, what="delivery to %s" % user)

    def raw(self, port=None):
        client = RawPop3(port or self.port)
        self.addCleanup(client.close)
        self.assertTrue(client.line().startswith("+OK "))
        return client
