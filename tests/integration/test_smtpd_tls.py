# SPDX-License-Identifier: MIT
"""smtpd with TLS: STARTTLS on the smtp port (level may), the encrypt
level as the submission entry uses it, smtps (wrapper mode), the
plaintext-injection defence (CVE-2011-0411), protocol versions, and what
TLS leaves in the queue file, the Received: header and the log. The
certificate is the self-signed one `postern init` made, so the clients
here do not verify it."""

import re
import shutil
import smtplib
import ssl
import subprocess
import unittest

from smtpd_support import HOSTNAME, SmtpdCase, queue_id_of

RCPT = "someone@remote.example"
SENDER = "sender@origin.example"
BODY = b"Subject: tls\r\n\r\nover TLS\r\n"


def client_context(minimum=None, maximum=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if minimum is not None:
        # Old versions need the lowest security level of OpenSSL.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = minimum
    if maximum is not None:
        ctx.maximum_version = maximum
    return ctx


class TlsCase(SmtpdCase):

    def setUp(self):
        if not self.inst.init_main_cf:
            self.skipTest("needs postern init (its certificate)")

    def ehlo_lines(self, s):
        code, text = s.ehlo("client.example.test")
        self.assertEqual(code, 250)
        return text.decode().split("\n")

    def transaction(self, s):
        code, _ = s.mail(SENDER)
        self.assertEqual(code, 250)
        code, _ = s.rcpt(RCPT)
        self.assertEqual(code, 250)
        code, text = s.data(BODY)
        self.assertEqual(code, 250, text)
        return queue_id_of(text.decode())

    def check_tls_message(self, qid, body=BODY):
        q = self.queued(qid)
        self.assertEqual(q.field("P"), "ESMTPS")
        head = q.content.split(b"\r\n\tfor")[0].decode()
        self.assertRegex(
            head, r"^Received: from client\.example\.test "
            r"\(\S+ \[127\.0\.0\.1\]\)\r\n"
            r"\t\(using TLSv1\.[23] with cipher \S+ \(\d+/\d+ bits\)\)\r\n"
            r"\t\(No client certificate requested\)\r\n"
            r"\tby " + re.escape(HOSTNAME) +
            r" \(Postern\) with ESMTPS id " + qid + "$")
        self.assertIn(body, q.content)


class SmtpdStarttls(TlsCase):
    """The default: smtpd_tls_security_level = may."""

    def test_starttls_delivers_with_esmtps(self):
        mark = self.inst.log_mark()
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
            self.assertIn("STARTTLS", self.ehlo_lines(s))
            code, text = s.starttls(context=client_context())
            self.assertEqual((code, text), (220, b"2.0.0 Ready to start TLS"))
            self.assertNotIn("STARTTLS", self.ehlo_lines(s))
            qid = self.transaction(s)
        self.check_tls_message(qid)
        self.wait_log(r"Anonymous TLS connection established from "
                      r"\S+\[127\.0\.0\.1\]: TLSv1\.3 with cipher \S+ "
                      r"\(\d+/\d+ bits\)", start=mark)

    def test_plain_session_stays_esmtp(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
            self.ehlo_lines(s)
            qid = self.transaction(s)
        q = self.queued(qid)
        self.assertEqual(q.field("P"), "ESMTP")
        self.assertNotIn(b"(using ", q.content)

    def test_session_reset_after_starttls(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
            self.ehlo_lines(s)
            self.assertEqual(s.mail(SENDER)[0], 250)
            s.starttls(context=client_context())
            # RFC 3207 §4.2: the transaction and EHLO are forgotten.
            code, _ = s.docmd("RCPT", "TO:<%s>" % RCPT)
            self.assertEqual(code, 503)

    def test_starttls_twice(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
            self.ehlo_lines(s)
            s.starttls(context=client_context())
            self.ehlo_lines(s)
            code, text = s.docmd("STARTTLS")
            self.assertEqual((code, text),
                             (503, b"5.5.1 Error: TLS already active"))
            self.assertEqual(s.noop()[0], 250)

    def test_starttls_with_argument(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        self.assertEqual(c.cmd("STARTTLS now"), "501 5.5.4 Syntax: STARTTLS")
        self.assertEqual(c.cmd("NOOP"), "250 2.0.0 Ok")

    def test_pipelined_plaintext_is_discarded(self):
        """CVE-2011-0411: RSET sent with STARTTLS must never be answered."""
        mark = self.inst.log_mark()
        c = self.raw()
        self.assertTrue(c.cmd("EHLO client.example.test").startswith("250"))
        c.send("STARTTLS\r\nRSET\r\n")
        self.assertEqual(c.text(), "220 2.0.0 Ready to start TLS")
        self.assertEqual(c.buf, b"")
        tls = client_context().wrap_socket(c.sock)
        tls.sendall(b"HELP\r\n")
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = tls.recv(4096)
            self.assertTrue(chunk, "closed by the server")
            reply += chunk
        # An answer to the injected RSET would come first, as 250.
        self.assertTrue(reply.startswith(b"214 "), reply)
        self.assertNotIn(b"250", reply)
        tls.sendall(b"QUIT\r\n")
        self.assertTrue(tls.recv(4096).startswith(b"221"))
        tls.close()
        self.wait_log(r"discarded 6 bytes of plaintext pipelined after "
                      r"STARTTLS", start=mark)

    def test_tls_versions(self):
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            with self.subTest(version=version):
                mark = self.inst.log_mark()
                with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
                    self.ehlo_lines(s)
                    ctx = client_context(version, version)
                    with self.assertRaises((ssl.SSLError, OSError)):
                        s.starttls(context=ctx)
                # The server refused it, not our own client library.
                self.wait_log(r"SSL_accept error from \S+\[127\.0\.0\.1\]"
                              r": .*unsupported protocol", start=mark)
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with self.subTest(version=version):
                with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
                    self.ehlo_lines(s)
                    s.starttls(context=client_context(version, version))
                    self.assertEqual(s.sock.version(),
                                     "TLSv1.2" if version ==
                                     ssl.TLSVersion.TLSv1_2 else "TLSv1.3")
                    self.ehlo_lines(s)
                    qid = self.transaction(s)
                self.check_tls_message(qid)

    def test_failed_handshake_is_logged(self):
        mark = self.inst.log_mark()
        c = self.raw()
        c.cmd("EHLO client.example.test")
        self.assertEqual(c.cmd("STARTTLS"), "220 2.0.0 Ready to start TLS")
        c.send(b"this is not a TLS client hello\r\n" * 4)
        c.closed()  # at the end of the stream, or reset
        self.wait_log(r"SSL_accept error from \S+\[127\.0\.0\.1\]: ",
                      start=mark)
        self.wait_log(r"lost connection after STARTTLS from ", start=mark)

    @unittest.skipIf(shutil.which("swaks") is None, "needs swaks")
    def test_swaks_tls(self):
        out = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.port),
             "--from", SENDER, "--to", RCPT, "--helo", "client.example.test",
             "--tls", "--body", "hello over TLS"],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("<-  220 2.0.0 Ready to start TLS", out.stdout)
        self.assertIn("<~  250 CHUNKING", out.stdout)
        qid = re.search(r"queued as (\S+)", out.stdout).group(1)
        self.check_tls_message(qid, b"hello over TLS\r\n")


class SmtpdEncrypt(TlsCase):
    """smtpd_tls_security_level = encrypt (the submission entry)."""

    MAIN_CF = {"smtpd_tls_security_level": "encrypt"}

    def test_mail_refused_before_starttls(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
            self.assertIn("STARTTLS", self.ehlo_lines(s))
            code, text = s.mail(SENDER)
            self.assertEqual((code, text), (
                530, b"5.7.0 Must issue a STARTTLS command first"))
            code, _ = s.rcpt(RCPT)
            self.assertEqual(code, 530)
            self.assertEqual(s.noop()[0], 250)
            s.starttls(context=client_context())
            self.ehlo_lines(s)
            qid = self.transaction(s)
        self.check_tls_message(qid)


class SmtpdWrapper(TlsCase):
    """smtpd_tls_wrappermode = yes (smtps)."""

    MAIN_CF = {"smtpd_tls_wrappermode": "yes"}

    def test_smtps_delivers(self):
        with smtplib.SMTP_SSL("127.0.0.1", self.port, timeout=30,
                              context=client_context()) as s:
            lines = self.ehlo_lines(s)
            self.assertNotIn("STARTTLS", lines)
            code, _ = s.docmd("STARTTLS")
            self.assertEqual(code, 503)
            qid = self.transaction(s)
        self.check_tls_message(qid)

    def test_plaintext_client_gets_no_greeting(self):
        c = self.raw(greet=False)
        mark = self.inst.log_mark()
        c.send("EHLO client.example.test\r\n")
        c.closed()
        self.assertFalse(c.buf.startswith(b"220"))
        self.wait_log(r"SSL_accept error from \S+\[127\.0\.0\.1\]: ",
                      start=mark)

    @unittest.skipIf(shutil.which("swaks") is None, "needs swaks")
    def test_swaks_tlsc(self):
        out = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.port),
             "--from", SENDER, "--to", RCPT, "--helo", "client.example.test",
             "--tlsc", "--body", "hello over smtps"],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        qid = re.search(r"queued as (\S+)", out.stdout).group(1)
        self.check_tls_message(qid, b"hello over smtps\r\n")


class SmtpdHandshakeTimeout(TlsCase):
    """A client that never starts the handshake is dropped in time."""

    MAIN_CF = {"smtpd_tls_wrappermode": "yes", "smtpd_timeout": "1s"}

    def test_silent_client(self):
        mark = self.inst.log_mark()
        c = self.raw(greet=False)
        self.wait_log(r"SSL_accept error from \S+\[127\.0\.0\.1\]: "
                      r".*timed out", start=mark)
        self.wait_log(r"lost connection after CONNECT from ", start=mark)
        self.assertTrue(c.closed())
        self.assertEqual(c.buf, b"")


if __name__ == "__main__":
    unittest.main()
