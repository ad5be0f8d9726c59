# SPDX-License-Identifier: MIT
"""imapd sessions: greeting and CAPABILITY, LOGIN and AUTHENTICATE
(with SASL-IR) through authd, LOGOUT, STARTTLS and imaps, the
plaintext-injection defence after STARTTLS (CVE-2011-0411), ID,
NAMESPACE, ENABLE, and the limits a hostile client meets: unknown
commands, commands in the wrong state, an over-long line and a 1 GB
literal announcement refused before a byte of it is read."""

import base64
import imaplib
import ssl
import unittest

from imapd_support import PASSWORD, USERS, ImapdCase, client_context

ALICE = USERS[0]


class ImapdSession(ImapdCase):

    def test_greeting_and_capability(self):
        c = self.imap()
        self.assertIn(b"Postern IMAP ready", c.welcome)
        caps = c.capabilities
        for cap in ("IMAP4REV1", "STARTTLS", "SASL-IR", "IDLE", "UIDPLUS",
                    "MOVE", "NAMESPACE", "ID", "ENABLE", "LITERAL+"):
            self.assertIn(cap, caps)
        typ, data = c.capability()
        self.assertEqual(typ, "OK")
        self.assertIn(b"APPENDLIMIT=", data[0])

    def test_login_and_logout(self):
        c = self.imap()
        typ, data = c.login(ALICE, PASSWORD)
        self.assertEqual(typ, "OK")
        self.assertIn(b"[CAPABILITY ", data[0])
        typ, data = c.logout()
        self.assertEqual(typ, "BYE")

    def test_wrong_password(self):
        c = self.imap()
        with self.assertRaises(imaplib.IMAP4.error) as cm:
            c.login(ALICE, "wrong")
        self.assertIn("AUTHENTICATIONFAILED", str(cm.exception))
        # The session survives a failed login.
        self.assertEqual(c.noop()[0], "OK")

    def test_authenticate_plain_with_and_without_initial_response(self):
        token = base64.b64encode(
            ("\0%s\0%s" % (ALICE, PASSWORD)).encode()).decode()
        r = self.raw()
        r.line()
        r.send("a AUTHENTICATE PLAIN %s\r\n" % token)
        self.assertRegex(r.until_tagged("a")[-1], r"^a OK ")
        r = self.raw()
        r.line()
        r.send("b AUTHENTICATE PLAIN\r\n")
        self.assertTrue(r.line().startswith("+"))
        r.send(token + "\r\n")
        self.assertRegex(r.until_tagged("b")[-1], r"^b OK ")

    def test_authenticate_cancelled(self):
        r = self.raw()
        r.line()
        r.send("a AUTHENTICATE PLAIN\r\n")
        self.assertTrue(r.line().startswith("+"))
        r.send("*\r\n")
        self.assertRegex(r.until_tagged("a")[-1], r"^a BAD ")
        r.send("b NOOP\r\n")
        self.assertEqual(r.until_tagged("b")[-1], "b OK NOOP completed")

    def test_state_checks(self):
        r = self.raw()
        r.line()
        r.send("a SELECT INBOX\r\nb FROB\r\nc NOOP\r\n")
        self.assertEqual(r.until_tagged("a")[-1], "a BAD Log in first")
        self.assertEqual(r.until_tagged("b")[-1], "b BAD Unknown command")
        self.assertEqual(r.until_tagged("c")[-1], "c OK NOOP completed")

    def test_id_namespace_enable(self):
        c = self.imap(login=ALICE)
        typ, data = c.xatom("ID", '("name" "test")')
        self.assertEqual(typ, "OK")
        self.assertIn(b'"Postern"', c.untagged_responses["ID"][0])
        typ, data = c.namespace()
        self.assertEqual(data[0], b'(("" "/")) NIL NIL')
        typ, data = c.enable("CONDSTORE")
        self.assertEqual(typ, "OK")

    def test_starttls(self):
        c = self.imap()
        c.starttls(ssl_context=client_context())
        self.assertNotIn("STARTTLS", c.capabilities)
        self.assertEqual(c.login(ALICE, PASSWORD)[0], "OK")
        with self.assertRaises(imaplib.IMAP4.error):
            c._simple_command("STARTTLS")

    def test_pipelined_plaintext_is_discarded(self):
        """CVE-2011-0411: a command sent with STARTTLS is never run."""
        mark = self.inst.log_mark()
        r = self.raw()
        r.line()
        r.send("a STARTTLS\r\nb LOGIN %s %s\r\n" % (ALICE, PASSWORD))
        self.assertEqual(r.until_tagged("a")[-1],
                         "a OK Begin TLS negotiation now")
        tls = client_context().wrap_socket(r.sock)
        tls.sendall(b"c CAPABILITY\r\n")
        got = b""
        while b"\r\nc " not in got and not got.startswith(b"c "):
            chunk = tls.recv(4096)
            if not chunk:
                break
            got += chunk
        self.assertNotIn(b"b OK", got)
        self.assertIn(b"c OK", got)
        tls.close()
        self.inst.wait_for_log(r"discarded \d+ bytes of plaintext pipelined "
                               r"after STARTTLS", start=mark)

    def test_imaps(self):
        c = self.imaps()
        self.assertIn(b"Postern IMAP ready", c.welcome)
        self.assertNotIn("STARTTLS", c.capabilities)
        self.assertEqual(c.login(ALICE, PASSWORD)[0], "OK")

    def test_huge_literal_refused_without_reading(self):
        r = self.raw()
        r.line()
        r.send("a LOGIN {1000000000}\r\n")
        reply = r.until_tagged("a")[-1]
        self.assertRegex(reply, r"^a (NO|BAD) ")
        r.send("b NOOP\r\n")
        self.assertEqual(r.until_tagged("b")[-1], "b OK NOOP completed")

    def test_huge_literal_after_login_over_appendlimit(self):
        c = self.imap(login=ALICE)
        r = self.raw()
        r.line()
        r.send("a LOGIN %s %s\r\n" % (ALICE, PASSWORD))
        r.until_tagged("a")
        r.send("b APPEND INBOX {1000000000}\r\n")
        self.assertRegex(r.until_tagged("b")[-1], r"^b NO \[TOOBIG\]")
        r.send("c NOOP\r\n")
        self.assertEqual(r.until_tagged("c")[-1], "c OK NOOP completed")
        c.logout()

    def test_line_too_long(self):
        """The rest of an over-long line cannot be told from commands:
        the session ends after the refusal."""
        r = self.raw()
        r.line()
        r.send("a NOOP " + "x" * 70000 + "\r\nb NOOP\r\n")
        lines = []
        try:
            while True:
                lines.append(r.line())
        except (ConnectionError, OSError):
            pass
        # The refusal may be lost to the reset that closing a socket
        # with unread input causes; "b" must never be answered.
        self.assertFalse([x for x in lines if x.startswith("b ")])
        for x in lines:
            self.assertRegex(x, r"^(a|\*) (BAD|NO|BYE) ")


class ImapdLoginDisabled(ImapdCase):
    """allow_plaintext_auth = no: no password in the clear."""

    main_cf = {"allow_plaintext_auth": "no"}

    def test_logindisabled_until_starttls(self):
        c = self.imap()
        self.assertIn("LOGINDISABLED", c.capabilities)
        self.assertFalse([x for x in c.capabilities
                          if x.startswith("AUTH=")])
        with self.assertRaises(imaplib.IMAP4.error) as cm:
            c.login(ALICE, PASSWORD)
        self.assertIn("PRIVACYREQUIRED", str(cm.exception))
        c.starttls(ssl_context=client_context())
        self.assertNotIn("LOGINDISABLED", c.capabilities)
        self.assertIn("AUTH=PLAIN", c.capabilities)
        self.assertEqual(c.login(ALICE, PASSWORD)[0], "OK")


if __name__ == "__main__":
    unittest.main()
