# SPDX-License-Identifier: MIT
"""Helpers for the ManageSieve and Sieve delivery tests (test_sieved*.py,
test_local_sieve*.py).

SievedCase starts one real instance per test class: init's mail system
(smtpd, qmgr, local, authd) plus sieved, chrooted to the mail store as in
production. Each test makes its own user (new_user), so tests never share
scripts or mailboxes. Clients are real: sieve-connect and Cyrus sivtest,
plus RawSieve for what they cannot send (pipelining, injection, literals
of any shape).
"""

import base64
import itertools
import os
import re
import shutil
import smtplib
import subprocess
import sys
import unittest

from harness import (MAIL_PROGRAMS, Instance, missing_programs,
                     wait_for)
from raw_lines import RawLines

DOMAIN = "example.test"
HOSTNAME = "mx." + DOMAIN
PASSWORD = "sieve pw 1"
SIVTEST = "/usr/lib/cyrus/bin/sivtest"
_serial = itertools.count(1)


class RawSieve(RawLines):
    """A ManageSieve client on a socket: send bytes, read responses."""

    def line(self):
        """One line, with any literal it announces appended (decoded)."""
        line = self.raw_line()
        m = re.search(rb"\{(\d+)\+?\}$", line)
        if m:
            n = int(m.group(1))
            while len(self.buf) < n:
                self.fill()
            line = line[:m.start()] + b'"' + self.buf[:n] + b'"'
            self.buf = self.buf[n:]
            line += self.line().encode()
        return line.decode("utf-8", "replace")

    def response(self):
        """Lines up to and including the OK/NO/BYE that ends them."""
        out = []
        while True:
            out.append(self.line())
            if re.match(r"(OK|NO|BYE)\b", out[-1]):
                return out

    def cmd(self, text):
        self.send(text + "\r\n")
        return self.response()

    def login(self, user, password=PASSWORD):
        token = base64.b64encode(
            ("\0%s\0%s" % (user, password)).encode()).decode()
        return self.cmd('AUTHENTICATE "PLAIN" "%s"' % token)[-1]


class SievedCase(unittest.TestCase):
    """One instance per class; MAIN_CF adds main.cf settings."""

    MAIN_CF = {}

    @classmethod
    def setUpClass(cls):
        missing = missing_programs(MAIL_PROGRAMS + ("sieved",))
        if missing:
            raise unittest.SkipTest("not built: %s" % ", ".join(missing))
        settings = {"myhostname": HOSTNAME, "mydomain": DOMAIN,
                    "mydestination": "$myhostname, localhost, " + DOMAIN,
                    "smtpd_error_sleep_time": "0",
                    "allow_plaintext_auth": "yes",
                    "sieve_max_scripts": "3",
                    "sieve_max_script_size": "4k"}
        settings.update(cls.MAIN_CF)
        cls.inst = Instance(services=[], main_cf=settings)
        try:
            if not cls.inst.init_main_cf:
                raise unittest.SkipTest("needs postern init")
            cls.port = cls.inst.port("sieve")
            cls.inst.write_config(services=cls.inst.mail_services() + [
                "127.0.0.1:%d inet n - y - - sieved" % cls.port])
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
        """A fresh user with PASSWORD."""
        address = "u%d@%s" % (next(_serial), DOMAIN)
        self.inst.postern("user", "add", address, "--password-stdin",
                          *options, stdin=PASSWORD + "\n")
        return address

    def maildir(self, user):
        local, domain = user.split("@")
        return os.path.join(self.inst.root, "mail", domain, local, "Maildir")

    def raw(self):
        client = RawSieve(self.port)
        self.addCleanup(client.close)
        greeting = client.response()
        self.assertTrue(greeting[-1].startswith("OK"), greeting)
        return client

    def sieve_connect(self, user, *args, password=PASSWORD):
        """Run sieve-connect against sieved; the CompletedProcess."""
        if shutil.which("sieve-connect") is None:
            self.skipTest("needs sieve-connect")
        rfd, wfd = os.pipe()
        os.write(wfd, (password + "\n").encode())
        os.close(wfd)
        try:
            return subprocess.run(
                ["sieve-connect", "--server", "127.0.0.1", "--port",
                 str(self.port), "--user", user, "--passwordfd", str(rfd),
                 "--notlsverify", "--authmech", "PLAIN"] + list(args),
                capture_output=True, text=True, timeout=60,
                stdin=subprocess.DEVNULL, pass_fds=(rfd,))
        finally:
            os.close(rfd)

    def upload(self, user, name, text, activate=True):
        """Store (and activate) a script through sieve-connect."""
        path = self.inst.tmp("%s-%s.sieve" % (user, name))
        with open(path, "w") as f:
            f.write(text)
        res = self.sieve_connect(user, "--upload", "--localsieve", path,
                                 "--remotesieve", name)
        self.assertEqual(res.returncode, 0, res.stderr)
        if activate:
            res = self.sieve_connect(user, "--activate", "--remotesieve",
                                     name)
            self.assertEqual(res.returncode, 0, res.stderr)

    def sivtest(self, user, commands):
        """Cyrus sivtest: log in, run commands; the CompletedProcess."""
        if not os.access(SIVTEST, os.X_OK):
            self.skipTest("needs sivtest (cyrus-clients)")
        script = self.inst.tmp("sivtest-%s.txt" % user)
        with open(script, "w") as f:
            f.write(commands)
        return subprocess.run(
            [SIVTEST, "-p", str(self.port), "-a", user, "-u", user,
             "-w", PASSWORD, "-m", "PLAIN", "-t", "", "-f", script,
             "127.0.0.1"], capture_output=True, text=True, timeout=60,
            stdin=subprocess.DEVNULL)

    def files(self, user, folder=""):
        """Message file names in a folder's new/ and cur/."""
        root = self.maildir(user)
        if folder:
            root = os.path.join(root, "." + folder)
        out = []
        for sub in ("new", "cur"):
            try:
                out += os.listdir(os.path.join(root, sub))
            except FileNotFoundError:
                pass
        return out

    def send(self, rcpts, body, sender="sender@origin.example"):
        with smtplib.SMTP("127.0.0.1", self.inst.port("smtp"),
                          timeout=30) as s:
            s.sendmail(sender, rcpts, body)

    def wait_files(self, user, n, folder=""):
        wait_for(lambda: len(self.files(user, folder)) >= n, timeout=60,
                 what="%d messages for %s %s" % (n, user, folder))
