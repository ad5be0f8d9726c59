# SPDX-License-Identifier: MIT
"""SMTP AUTH (RFC 4954) in smtpd, with authd running the exchanges:
PLAIN, LOGIN and CRAM-MD5 with swaks over STARTTLS and smtps, Cyrus
smtptest, what AUTH leaves in the queue file, the log and Received:,
the protocol errors (cancel, bad base64, long lines, sequence), wrong
passwords, a user without SMTP rights, the submission entry's
requirements, sender ownership, and authd's throttle. test_smtpd_tls.py
tests TLS versions and the STARTTLS injection defence on the smtp port;
here they are repeated only where AUTH or smtps adds something."""

import re
import smtplib
import ssl
import time
import unittest

from smtpd_auth_support import (ALICE, ALICE_PW, BOB, BOB_PW, LOCAL_RCPT,
                                REMOTE_RCPT, AuthCase, client_context, plain)
from smtpd_support import HOSTNAME, SmtpdCase, queue_id_of

BODY = "Subject: auth\r\n\r\nhello\r\n.\r\n"
SUBMISSION = {"smtpd_tls_security_level": "encrypt",
              "smtpd_client_restrictions":
                  "permit_sasl_authenticated,reject_unauthenticated",
              "smtpd_sender_restrictions": "reject_sender_login_mismatch",
              "smtpd_sender_login_maps":
                  "inline:{sales@example.test=" + ALICE + "}"}
SMTPS = {"smtpd_tls_wrappermode": "yes",
         "smtpd_sasl_authenticated_header": "yes"}


class SmtpdAuth(AuthCase):

    EXTRA_SERVICES = {"submission": SUBMISSION, "smtps": SMTPS}

    def relay(self, client, sender=ALICE):
        """A message to a remote recipient; the reply to the end of DATA."""
        self.assertEqual(client.cmd("MAIL FROM:<%s>" % sender),
                         "250 2.1.0 Ok")
        reply = client.cmd("RCPT TO:<%s>" % REMOTE_RCPT)
        if not reply.startswith("250"):
            return reply
        self.assertEqual(client.cmd("DATA")[:3], "354")
        return client.cmd(BODY[:-5] + "\r\n.")

    def check_queued(self, qid, mech, protocol="ESMTPSA"):
        q = self.queued(qid)
        self.assertEqual(q.field("L"), ALICE)
        self.assertEqual(q.field("P"), protocol)
        self.wait_log(r"%s: client=\S+\[127\.0\.0\.1\], sasl_method=%s, "
                      r"sasl_username=%s" % (qid, mech, re.escape(ALICE)))
        return q

    # -- EHLO and the plaintext rule --

    def test_ehlo_offers_plaintext_only_over_tls(self):
        c = self.raw()
        lines = self.ehlo(c)
        self.assertIn("AUTH CRAM-MD5", lines)
        # PLAIN exists only with TLS: RFC 4954 section 6, 538.
        self.assertEqual(
            c.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW)),
            "538 5.7.11 Encryption required for requested "
            "authentication mechanism")
        self.assertEqual(c.cmd("AUTH GSSAPI"),
                         "504 5.5.4 Unrecognized authentication type")
        self.assertIn("AUTH PLAIN LOGIN CRAM-MD5", self.starttls(c))

    def test_auth_needs_ehlo(self):
        c = self.raw()
        self.assertEqual(c.cmd("AUTH CRAM-MD5"),
                         "503 Error: send EHLO first")
        self.assertTrue(c.cmd("HELO client.example.test").startswith("250"))
        self.assertEqual(c.cmd("AUTH CRAM-MD5"),
                         "503 Error: send EHLO first")

    # -- real clients --

    def test_swaks_plain_login_cram_over_starttls(self):
        for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
            with self.subTest(mech=mech):
                out = self.swaks("--tls", "--auth", mech, "--auth-user",
                                 ALICE, "--auth-password", ALICE_PW)
                self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
                self.assertIn("<~  235 2.7.0 Authentication successful",
                              out.stdout)
                qid = re.search(r"queued as (\S+)", out.stdout).group(1)
                self.check_queued(qid, mech)

    def test_swaks_over_smtps_with_received_note(self):
        out = self.swaks("--tlsc", "--auth", "PLAIN", "--auth-user", ALICE,
                         "--auth-password", ALICE_PW,
                         port=self.inst.port("smtps"))
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        qid = re.search(r"queued as (\S+)", out.stdout).group(1)
        q = self.check_queued(qid, "PLAIN")
        self.assertRegex(q.content.decode(),
                         r"\t\(Authenticated sender: %s\)\r\n\tby %s "
                         r"\(Postern\) with ESMTPSA id %s"
                         % (re.escape(ALICE), re.escape(HOSTNAME), qid))

    def test_no_received_note_by_default(self):
        out = self.swaks("--tls", "--auth", "PLAIN", "--auth-user", ALICE,
                         "--auth-password", ALICE_PW)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        qid = re.search(r"queued as (\S+)", out.stdout).group(1)
        self.assertNotIn(b"Authenticated sender", self.queued(qid).content)

    def test_smtptest_plain_and_cram(self):
        for mech in ("PLAIN", "CRAM-MD5"):
            with self.subTest(mech=mech):
                mark = self.inst.log_mark()
                out = self.smtptest(mech, ALICE_PW, "-t", "")
                self.assertIn("S: 235 2.7.0 Authentication successful",
                              out.stdout)
                self.assertIn("Authenticated.", out.stdout + out.stderr)
                self.wait_log(r"disconnect from \S+\[127\.0\.0\.1\] "
                              r"ehlo=2 starttls=1 auth=1 ", start=mark)
        out = self.smtptest("CRAM-MD5", "not it", "-t", "")
        self.assertIn("S: 535 5.7.8 Error: authentication failed",
                      out.stdout)

    def test_swaks_wrong_password(self):
        mark = self.inst.log_mark()
        out = self.swaks("--tls", "--auth", "LOGIN", "--auth-user", ALICE,
                         "--auth-password", "not it")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("<~* 535 5.7.8 Error: authentication failed",
                      out.stdout)
        self.wait_log(r"warning: \S+\[127\.0\.0\.1\]: SASL LOGIN "
                      r"authentication failed", start=mark)
        self.assertNotIn("not it", self.inst.log()[mark:])

    def test_user_without_smtp_rights(self):
        c = self.raw()
        self.ehlo(c)
        self.starttls(c)
        self.assertEqual(c.cmd("AUTH PLAIN " + plain(BOB, BOB_PW)),
                         "535 5.7.8 Error: authentication failed")
        self.assertTrue(self.relay(c).startswith("554 5.7.1"))

    # -- the exchange, line by line --

    def test_login_by_hand_and_sequence_errors(self):
        c = self.raw()
        self.ehlo(c)
        self.starttls(c)
        self.assertEqual(c.cmd("AUTH LOGIN"), "334 VXNlcm5hbWU6")
        self.assertEqual(c.cmd(plain_b64(ALICE)), "334 UGFzc3dvcmQ6")
        self.assertEqual(c.cmd(plain_b64(ALICE_PW)),
                         "235 2.7.0 Authentication successful")
        self.assertEqual(c.cmd("AUTH PLAIN"),
                         "503 5.5.1 Error: already authenticated")
        qid = queue_id_of(self.relay(c))
        self.check_queued(qid, "LOGIN")

    def test_auth_inside_transaction(self):
        c = self.raw()
        self.ehlo(c)
        self.starttls(c)
        self.assertEqual(c.cmd("MAIL FROM:<x@remote.example>"),
                         "250 2.1.0 Ok")
        self.assertEqual(c.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW)),
                         "503 5.5.1 Error: MAIL transaction in progress")

    def test_cancel_bad_base64_long_line(self):
        c = self.raw()
        self.ehlo(c)
        self.starttls(c)
        self.assertEqual(c.cmd("AUTH PLAIN"), "334 ")
        self.assertEqual(c.cmd("*"), "501 5.7.0 Authentication aborted")
        self.assertEqual(c.cmd("AUTH PLAIN"), "334 ")
        self.assertEqual(c.cmd("not base64!"),
                         "501 5.5.2 Cannot decode response")
        self.assertEqual(c.cmd("AUTH PLAIN"), "334 ")
        self.assertEqual(c.cmd("QUFB" * 2000),
                         "500 5.5.6 Authentication exchange line is too "
                         "long")
        self.assertEqual(c.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW)[:-1]),
                         "501 5.5.2 Cannot decode AUTH initial response")
        # The session is still usable, and the right password works.
        self.assertEqual(c.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW)),
                         "235 2.7.0 Authentication successful")

    def test_empty_initial_response(self):
        """RFC 4954 section 4: "=" is an empty response, not none."""
        c = self.raw()
        self.ehlo(c)
        self.starttls(c)
        self.assertEqual(c.cmd("AUTH PLAIN ="),
                         "535 5.7.8 Error: authentication failed")

    def test_mail_auth_parameter(self):
        c = self.raw()
        self.assertIn("AUTH CRAM-MD5", self.ehlo(c))
        self.assertEqual(c.cmd("MAIL FROM:<%s> AUTH=<>" % ALICE),
                         "250 2.1.0 Ok")
        c.cmd("RSET")
        self.assertEqual(c.cmd("MAIL FROM:<%s> AUTH=%s" % (ALICE, ALICE)),
                         "250 2.1.0 Ok")
        c.cmd("RSET")
        self.assertEqual(c.cmd("MAIL FROM:<%s> AUTH=no+2Daddress" % ALICE),
                         "501 5.5.4 Bad AUTH parameter value")
        self.assertEqual(c.cmd("MAIL FROM:<%s> AUTH=+ZZ" % ALICE)[:3], "501")

    # -- TLS around AUTH --

    def test_auth_injected_before_starttls_is_discarded(self):
        """CVE-2011-0411 with AUTH: a login pipelined in plaintext after
        STARTTLS is never run, so the TLS session is not logged in."""
        c = self.raw()
        self.ehlo(c)
        c.send("STARTTLS\r\nAUTH PLAIN %s\r\n" % plain(ALICE, ALICE_PW))
        self.assertEqual(c.text(), "220 2.0.0 Ready to start TLS")
        c.sock = client_context().wrap_socket(c.sock)
        self.ehlo(c)
        self.assertTrue(self.relay(c).startswith("554 5.7.1"))

    def test_smtps_tls_versions(self):
        port = self.inst.port("smtps")
        for version in (ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1_3):
            with self.subTest(version=version):
                ctx = client_context()
                ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
                ctx.minimum_version = ctx.maximum_version = version
                if version == ssl.TLSVersion.TLSv1_1:
                    mark = self.inst.log_mark()
                    with self.assertRaises((ssl.SSLError, OSError)):
                        smtplib.SMTP_SSL("127.0.0.1", port, timeout=30,
                                         context=ctx).quit()
                    # The server refused it, not our own client library.
                    self.wait_log(r"SSL_accept error from .*unsupported "
                                  r"protocol", start=mark)
                    continue
                with smtplib.SMTP_SSL("127.0.0.1", port, timeout=30,
                                      context=ctx) as s:
                    s.login(ALICE, ALICE_PW)
                    self.assertEqual(s.sock.version(), "TLSv1.3")

    # -- submission: TLS, then AUTH, then mail --

    def test_submission_requires_tls_then_auth(self):
        c = self.raw_from("127.0.0.1", self.inst.port("submission"))
        lines = self.ehlo(c)
        self.assertNotIn("AUTH", " ".join(lines))
        self.assertEqual(c.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW)),
                         "530 5.7.0 Must issue a STARTTLS command first")
        self.assertIn("AUTH PLAIN LOGIN CRAM-MD5", self.starttls(c))
        self.assertEqual(c.cmd("MAIL FROM:<%s>" % ALICE), "250 2.1.0 Ok")
        # A local recipient too: nothing passes without AUTH here.
        self.assertEqual(c.cmd("RCPT TO:<%s>" % LOCAL_RCPT),
                         "530 5.7.0 Authentication required")
        c.cmd("RSET")
        self.assertEqual(c.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW)),
                         "235 2.7.0 Authentication successful")
        self.check_queued(queue_id_of(self.relay(c)), "PLAIN")

    def test_submission_sender_login_mismatch(self):
        c = self.raw_from("127.0.0.1", self.inst.port("submission"))
        self.ehlo(c)
        self.starttls(c)
        self.assertEqual(c.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW))[:3],
                         "235")
        # An address the map gives to alice, and one it gives nobody.
        self.assertTrue(self.relay(c, "sales@example.test")
                        .startswith("250 2.0.0 Ok: queued as "))
        self.assertEqual(
            self.relay(c, "boss@example.test"),
            "553 5.7.1 <boss@example.test>: Sender address rejected: "
            "not owned by user " + ALICE)


class SmtpdAuthThrottle(AuthCase):
    """authd slows down failures per client address (docs/authd.md)."""

    MAIN_CF = {"auth_failure_delay": "1s", "auth_failure_max_delay": "2s"}

    def failed_attempt(self, c):
        start = time.monotonic()
        self.assertEqual(c.cmd("AUTH PLAIN " + plain(ALICE, "wrong")),
                         "535 5.7.8 Error: authentication failed")
        return time.monotonic() - start

    def test_failures_slow_down_one_client_only(self):
        c = self.raw_from("127.0.0.1")
        self.ehlo(c)
        self.starttls(c)
        first = self.failed_attempt(c)
        self.failed_attempt(c)
        third = self.failed_attempt(c)
        # The delay grows with failures; no threshold beyond the setting.
        self.assertGreater(third, first)
        self.assertGreaterEqual(third, 1.0)
        other = self.raw_from("127.0.0.2")
        self.ehlo(other)
        self.starttls(other)
        start = time.monotonic()
        self.assertEqual(other.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW)),
                         "235 2.7.0 Authentication successful")
        self.assertLess(time.monotonic() - start, third)


class SmtpdAuthNoAuthd(SmtpdCase):
    """AUTH enabled while authd cannot be reached: never a 5xx."""

    MAIN_CF = {"smtpd_sasl_auth_enable": "yes"}

    def test_auth_fails_temporarily(self):
        mark = self.inst.log_mark()
        c = self.raw()
        c.send("EHLO client.example.test\r\n")
        code, lines = c.reply()
        self.assertEqual(code, 250)
        self.assertNotIn("AUTH", " ".join(lines))
        self.assertEqual(c.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW)),
                         "454 4.7.0 Temporary authentication failure")
        self.wait_log(r"warning: \S+\[127\.0\.0\.1\]: SASL mechanisms "
                      r"unavailable", start=mark)


def plain_b64(text):
    import base64
    return base64.b64encode(text.encode()).decode()


if __name__ == "__main__":
    unittest.main()
