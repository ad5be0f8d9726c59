# SPDX-License-Identifier: MIT
"""Helpers for the SMTP AUTH tests (test_smtpd_auth*.py).

AuthCase is an SmtpdCase whose instance also runs authd, holds a few
users with passwords (made with `postern user`), and may run more smtpd
entries (EXTRA_SERVICES: name -> -o settings, each on its own port).
Clients are real: smtplib, swaks and Cyrus smtptest, plus RawClient for
what those cannot send (a bad base64 line, a "*" cancel).
"""

import base64
import os
import shutil
import socket
import ssl
import subprocess
import unittest

import harness
from smtpd_support import DOMAIN, RawClient, SmtpdCase

ALICE = "alice@" + DOMAIN
ALICE_PW = "alice pw 1"
BOB = "bob@" + DOMAIN  # may not use SMTP
BOB_PW = "bob pw 2"
LOCAL_RCPT = ALICE
REMOTE_RCPT = "someone@remote.example"
SMTPTEST = "/usr/lib/cyrus/bin/smtptest"


def plain(user, password):
    """The PLAIN initial response (RFC 4616), base64."""
    return base64.b64encode(("\0%s\0%s" % (user, password)).encode()).decode()


class SourceClient(RawClient):
    """A RawClient connecting from a chosen loopback address."""

    def __init__(self, port, source):
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=30, source_address=(source, 0))
        self.buf = b""


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class AuthCase(SmtpdCase):
    """smtpd with smtpd_sasl_auth_enable = yes and authd beside it."""

    MAIN_CF = {}
    EXTRA_SERVICES = {}
    AUTH_MAIN_CF = {"smtpd_sasl_auth_enable": "yes",
                    "smtpd_sasl_mechanisms": "PLAIN LOGIN CRAM-MD5",
                    # Only authentication may make a test client relay.
                    "mynetworks": "192.0.2.0/24",
                    # Failed logins of one test must not slow the next
                    # (SmtpdAuthThrottle tests the throttle).
                    "auth_failure_delay": "0", "auth_failure_limit": "1000"}

    # False for a class that never logs in (authd only checks recipients).
    NEEDS_SASL = True

    @classmethod
    def setUpClass(cls):
        settings = dict(cls.AUTH_MAIN_CF)
        settings.update(cls.MAIN_CF)
        cls.MAIN_CF = settings
        super().setUpClass()
        if cls.NEEDS_SASL and not cls.authd_runs_sasl():
            cls.inst.close()
            raise unittest.SkipTest("this authd does not run SASL yet")

    @classmethod
    def authd_runs_sasl(cls):
        """Whether authd answers the mechanism request (docs/authd.md)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(harness.DEADLINE)
            s.connect(os.path.join(cls.inst.queue_dir, "public", "auth"))
            s.sendall(harness.ipc_encode([("req", "hello"),
                                          ("service", "auth"),
                                          ("version", "1.0")]))
            harness.ipc_recv(s)
            s.sendall(harness.ipc_encode([("req", "mechs"),
                                          ("service", "smtp"), ("tls", 1)]))
            return harness.ipc_recv(s).get("status") == "ok"

    @classmethod
    def services(cls):
        out = super().services()
        for name, opts in cls.EXTRA_SERVICES.items():
            out.append("127.0.0.1:%d inet n - %s - - smtpd" % (
                cls.inst.port(name), cls.CHROOT) +
                "".join("\n  -o %s=%s" % kv for kv in opts.items()))
        out.append("auth unix n - n - 1 authd")
        return out

    @classmethod
    def prepare(cls, inst):
        if not inst.init_main_cf:
            raise unittest.SkipTest("needs postern init (certificate)")
        inst.postern("user", "add", ALICE, "--password-stdin",
                     "--cram-secret", stdin=ALICE_PW + "\n")
        inst.postern("user", "add", BOB, "--password-stdin",
                     "--protocols", "imap,pop3", stdin=BOB_PW + "\n")

    # -- clients --

    def raw_from(self, source, port=None):
        """A RawClient whose connection comes from address source."""
        client = SourceClient(port or self.port, source)
        self.addCleanup(client.close)
        self.assertEqual(client.code(), 220)
        return client

    def starttls(self, client):
        """STARTTLS on a RawClient, then EHLO; returns the EHLO lines."""
        self.assertEqual(client.cmd("STARTTLS"),
                         "220 2.0.0 Ready to start TLS")
        client.sock = client_context().wrap_socket(client.sock)
        return self.ehlo(client)

    def ehlo(self, client):
        client.send("EHLO client.example.test\r\n")
        code, lines = client.reply()
        self.assertEqual(code, 250)
        return lines

    def swaks(self, *args, port=None):
        if shutil.which("swaks") is None:
            self.skipTest("needs swaks")
        out = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port",
             str(port or self.port), "--helo", "client.example.test",
             "--from", ALICE, "--to", REMOTE_RCPT] + list(args),
            capture_output=True, text=True, timeout=60)
        return out

    def smtptest(self, mech, password, *args):
        """Cyrus smtptest: AUTH, then NOOP (it closes without waiting for
        replies to what it pipes, so a message could be cut short)."""
        if not os.access(SMTPTEST, os.X_OK):
            self.skipTest("needs smtptest (cyrus-clients)")
        script = self.inst.tmp("smtptest.txt")
        with open(script, "w") as f:
            f.write("NOOP\r\n")
        return subprocess.run(
            [SMTPTEST, "-p", str(self.port), "-a", ALICE, "-u", ALICE,
             "-w", password, "-m", mech, "-f", script] + list(args) +
            ["127.0.0.1"], capture_output=True, text=True, timeout=60,
            stdin=subprocess.DEVNULL)

