# SPDX-License-Identifier: MIT
"""pop3d with TLS: STLS (RFC 2595) on the POP3 port, implicit TLS on the
pop3s port, the plaintext-injection defence (commands pipelined after
STLS are discarded, CVE-2011-0411), and allow_plaintext_auth = no
(USER and PLAIN only once the connection is encrypted). The certificate
is the self-signed one `postern init` made, so clients do not verify
it."""

import poplib
import ssl

from pop3d_support import PASSWORD, Pop3dCase


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Pop3dTls(Pop3dCase):

    MAIN_CF = {"allow_plaintext_auth": "no",
               "pop3d_auth_mechanisms": "PLAIN LOGIN"}

    def test_plaintext_login_refused_before_stls(self):
        user = self.new_user()
        p = poplib.POP3("127.0.0.1", self.port, timeout=30)
        self.addCleanup(p.close)
        # APOP is off: no timestamp in the greeting.
        self.assertNotIn(b"<", p.getwelcome())
        capa = p.capa()
        self.assertIn("STLS", capa)
        self.assertNotIn("USER", capa)
        self.assertNotIn("SASL", capa)
        with self.assertRaisesRegex(poplib.error_proto, r"\[AUTH\]"):
            p.user(user)
        self.assertTrue(p.stls(context=client_context()).startswith(b"+OK"))
        capa = p.capa()
        self.assertNotIn("STLS", capa)
        self.assertIn("USER", capa)
        self.assertEqual(capa["SASL"], ["PLAIN", "LOGIN"])
        p.user(user)
        self.assertTrue(p.pass_(PASSWORD).startswith(b"+OK"))
        self.assertEqual(p.stat(), (0, 0))
        p.quit()
        self.assertRegex(self.inst.log(), r"login: user=<%s>, method=USER, "
                         r"rip=127\.0\.0\.1, TLS" % user)

    def test_pop3s(self):
        user = self.new_user()
        self.deliver(user, [b"Subject: over tls\r\n\r\nsecret text\r\n"])
        p = poplib.POP3_SSL("127.0.0.1", self.ssl_port, timeout=30,
                            context=client_context())
        self.addCleanup(p.close)
        self.assertNotIn("STLS", p.capa())
        p.user(user)
        p.pass_(PASSWORD)
        self.assertIn(b"secret text", p.retr(1)[1])
        p.quit()

    def test_commands_pipelined_after_stls_are_discarded(self):
        user = self.new_user()
        c = self.raw()
        mark = self.inst.log_mark()
        # In plaintext, an attacker appends a command to the client's STLS.
        c.send("STLS\r\nUSER %s\r\n" % user)
        self.assertTrue(c.line().startswith("+OK"))
        self.assertEqual(c.buf, b"")
        tls = client_context().wrap_socket(c.sock)
        c.sock = tls
        # The injected USER was never run: PASS has nobody to log in.
        self.assertEqual(c.cmd("PASS " + PASSWORD),
                         "-ERR No user name given (USER first)")
        self.assertTrue(c.cmd("USER " + user).startswith("+OK"))
        self.assertTrue(c.cmd("PASS " + PASSWORD).startswith("+OK"))
        self.assertTrue(c.cmd("QUIT").startswith("+OK"))
        self.inst.wait_for_log(r"discarded \d+ bytes of plaintext pipelined "
                               r"after STLS", start=mark)

    def test_stls_twice_and_on_pop3s_refused(self):
        c = self.raw()
        self.assertTrue(c.cmd("STLS").startswith("+OK"))
        c.sock = client_context().wrap_socket(c.sock)
        self.assertEqual(c.cmd("STLS"), "-ERR TLS already active")
        p = poplib.POP3_SSL("127.0.0.1", self.ssl_port, timeout=30,
                            context=client_context())
        self.addCleanup(p.close)
        with self.assertRaisesRegex(poplib.error_proto, "already active"):
            p._shortcmd("STLS")
