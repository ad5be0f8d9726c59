# SPDX-License-Identifier: MIT
"""pop3d with Python's poplib (and a raw socket where poplib cannot go):
every RFC 1939 command, CAPA, APOP, AUTH PLAIN with and without an
initial response, UIDL stable across sessions and equal to the index
IMAP reads, DELE taking effect only at QUIT, the [IN-USE] lock, error
limits. Messages arrive through SMTP before they are read."""

import base64
import poplib
import re

from harness import bin_dir
from pop3d_support import PASSWORD, Pop3dCase
from test_local import index_uids

BODIES = [b"Subject: one\r\n\r\nfirst body\r\n",
          b"Subject: two\r\n\r\n.leading dot\r\n..two dots\r\nend\r\n",
          b"Subject: three\r\n\r\nl1\r\nl2\r\nl3\r\nl4\r\n"]


class Pop3dCommands(Pop3dCase):

    def login(self, user):
        p = poplib.POP3("127.0.0.1", self.port, timeout=30)
        self.addCleanup(p.close)
        p.user(user)
        self.assertTrue(p.pass_(PASSWORD).startswith(b"+OK"))
        return p

    def test_greeting_and_capa(self):
        p = poplib.POP3("127.0.0.1", self.port, timeout=30)
        self.addCleanup(p.close)
        # APOP is on: the greeting carries a timestamp (RFC 1939 §7).
        self.assertRegex(p.getwelcome().decode(), r"^\+OK .* <[^<>@]+@"
                         + re.escape("mx.example.test") + ">$")
        capa = p.capa()
        for name in ("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                     "PIPELINING", "USER", "STLS"):
            self.assertIn(name, capa)
        self.assertEqual(capa["SASL"], ["PLAIN", "LOGIN"])
        p.quit()

    def test_user_pass_and_every_transaction_command(self):
        user = self.new_user()
        self.deliver(user, BODIES)
        p = self.login(user)
        count, total = p.stat()
        self.assertEqual(count, 3)
        resp, lines, _ = p.list()
        sizes = [int(line.split()[1]) for line in lines]
        self.assertEqual(sum(sizes), total)
        self.assertEqual(p.list(2), b"+OK 2 %d" % sizes[1])
        # RETR: CR LF line ends, dot-unstuffed by poplib, size as LIST.
        resp, lines, octets = p.retr(2)
        self.assertEqual(resp, b"+OK %d octets" % sizes[1])
        self.assertEqual(sum(len(x) + 2 for x in lines), sizes[1])
        self.assertEqual(lines[-3:], [b".leading dot", b"..two dots",
                                      b"end"])
        self.assertIn(b"Subject: two", lines)
        # TOP: the header, the empty line, then n body lines.
        resp, lines, _ = p.top(3, 2)
        self.assertEqual(lines[-3:], [b"", b"l1", b"l2"])
        resp, lines, _ = p.top(3, 0)
        self.assertEqual(lines[-1], b"")
        self.assertIn(b"Subject: three", lines)
        self.assertTrue(p.noop().startswith(b"+OK"))
        self.assertTrue(p.dele(1).startswith(b"+OK"))
        self.assertEqual(p.stat()[0], 2)
        with self.assertRaisesRegex(poplib.error_proto, "No such message"):
            p.retr(1)
        with self.assertRaisesRegex(poplib.error_proto, "No such message"):
            p.list(4)
        self.assertTrue(p.rset().startswith(b"+OK"))
        self.assertEqual(p.stat(), (count, total))
        self.assertTrue(p.quit().startswith(b"+OK"))
        self.assertEqual(len(self.files(user)), 3)

    def test_uidl_stable_and_equal_to_the_index(self):
        user = self.new_user()
        self.deliver(user, BODIES)
        p = self.login(user)
        first = p.uidl()[1]
        self.assertEqual(p.uidl(3).split()[1:], first[2].split())
        p.quit()
        counters, uids = index_uids(bin_dir(), self.maildir(user))
        want = [b"%d %08X%08X" % (i + 1, uid, counters["uidvalidity"])
                for i, (uid, _) in enumerate(uids)]
        self.assertEqual(first, want)
        p = self.login(user)
        self.assertEqual(p.uidl()[1], first)
        p.dele(1)
        p.quit()
        p = self.login(user)
        # The survivors keep their UIDLs under new message numbers.
        self.assertEqual([x.split()[1] for x in p.uidl()[1]],
                         [x.split()[1] for x in first[1:]])
        p.quit()

    def test_dele_takes_effect_only_at_quit(self):
        user = self.new_user()
        self.deliver(user, BODIES[:2])
        p = self.login(user)
        p.dele(1)
        p.dele(2)
        self.assertEqual(p.stat(), (0, 0))
        # A session that ends without QUIT deletes nothing.
        p.close()
        self.inst.wait_for_log(r"logout: user=<%s>, top=0, retr=0/0, "
                               r"del=0/2" % user)
        p = self.login(user)
        self.assertEqual(p.stat()[0], 2)
        self.assertEqual(len(self.files(user)), 2)
        p.dele(2)
        self.assertEqual(len(self.files(user)), 2)
        self.assertIn(b"1 messages deleted", p.quit())
        self.assertEqual(len(self.files(user)), 1)
        self.inst.wait_for_log(r"logout: user=<%s>, top=0, retr=0/0, "
                               r"del=1/2" % user)
        p = self.login(user)
        self.assertEqual(p.stat()[0], 1)
        self.assertIn(b"Subject: one", p.retr(1)[1])
        p.quit()
        # RETR without DELE leaves the message, marked seen for IMAP.
        self.assertTrue(any(re.search(r":2,[A-Z]*S", f)
                            for f in self.files(user)))

    def test_second_session_gets_in_use(self):
        user = self.new_user()
        first = self.login(user)
        second = poplib.POP3("127.0.0.1", self.port, timeout=30)
        self.addCleanup(second.close)
        second.user(user)
        with self.assertRaisesRegex(poplib.error_proto, r"^b'-ERR \[IN-USE\]"):
            second.pass_(PASSWORD)
        first.quit()
        second.user(user)
        self.assertTrue(second.pass_(PASSWORD).startswith(b"+OK"))
        second.quit()

    def test_apop(self):
        user = self.new_user()
        self.deliver(user, BODIES[:1])
        p = poplib.POP3("127.0.0.1", self.port, timeout=30)
        self.addCleanup(p.close)
        self.assertTrue(p.apop(user, PASSWORD).startswith(b"+OK"))
        self.assertEqual(p.stat()[0], 1)
        p.quit()
        p = poplib.POP3("127.0.0.1", self.port, timeout=30)
        self.addCleanup(p.close)
        with self.assertRaisesRegex(poplib.error_proto, r"\[AUTH\]"):
            p.apop(user, "wrong")

    def test_auth_plain_with_and_without_initial_response(self):
        user = self.new_user()
        token = base64.b64encode(
            b"\0" + user.encode() + b"\0" + PASSWORD.encode()).decode()
        c = self.raw()
        self.assertTrue(c.cmd("AUTH PLAIN " + token).startswith("+OK "))
        self.assertTrue(c.cmd("STAT").startswith("+OK 0 0"))
        c.cmd("QUIT")
        c = self.raw()
        self.assertEqual(c.cmd("AUTH PLAIN"), "+ ")
        self.assertTrue(c.cmd(token).startswith("+OK "))
        c.cmd("QUIT")
        c = self.raw()
        self.assertEqual(c.cmd("AUTH PLAIN"), "+ ")
        self.assertTrue(c.cmd("*").startswith("-ERR"))
        self.assertEqual(c.cmd("AUTH"), "+OK Mechanisms follow")
        self.assertEqual(c.multiline(), ["PLAIN", "LOGIN"])
        bad = base64.b64encode(b"\0" + user.encode() + b"\0nope").decode()
        self.assertEqual(c.cmd("AUTH PLAIN " + bad),
                         "-ERR [AUTH] Authentication failed")
        self.assertTrue(c.cmd("AUTH X-UNKNOWN").startswith("-ERR"))

    def test_users_without_pop3_or_mail_refused_by_authd(self):
        for options in (("--protocols", "imap"), ("--disabled",)):
            user = self.new_user(*options)
            c = self.raw()
            self.assertTrue(c.cmd("USER " + user).startswith("+OK"))
            self.assertEqual(c.cmd("PASS " + PASSWORD),
                             "-ERR [AUTH] Authentication failed")

    def test_wrong_password_and_state_errors(self):
        user = self.new_user()
        c = self.raw()
        self.assertTrue(c.cmd("STAT").startswith("-ERR"))
        self.assertTrue(c.cmd("PASS x").startswith("-ERR"))
        self.assertTrue(c.cmd("USER " + user).startswith("+OK"))
        self.assertEqual(c.cmd("PASS wrong"),
                         "-ERR [AUTH] Authentication failed")
        self.assertTrue(c.cmd("USER " + user).startswith("+OK"))
        self.assertTrue(c.cmd("PASS " + PASSWORD).startswith("+OK"))
        self.assertTrue(c.cmd("USER " + user).startswith("-ERR"))
        self.assertTrue(c.cmd("RETR 1").startswith("-ERR No such message"))
        self.assertTrue(c.cmd("TOP 1").startswith("-ERR Syntax"))
        self.assertTrue(c.cmd("QUIT").startswith("+OK"))

    def test_pipelined_commands_answered_in_order(self):
        user = self.new_user()
        self.deliver(user, BODIES[:1])
        c = self.raw()
        c.send("USER %s\r\nPASS %s\r\nSTAT\r\nUIDL 1\r\nNOOP\r\nQUIT\r\n"
               % (user, PASSWORD))
        replies = [c.line() for _ in range(6)]
        self.assertTrue(all(r.startswith("+OK") for r in replies), replies)
        self.assertTrue(replies[2].startswith("+OK 1 "))

    def test_limits_end_the_session(self):
        c = self.raw()
        self.assertEqual(c.cmd("NOOP " + "x" * 3000), "-ERR Line too long")
        self.assertEqual(c.cmd("FOO"), "-ERR Unknown command")
        self.assertEqual(c.cmd("USER \x01"), "-ERR Invalid characters")
        for _ in range(6):
            c.cmd("BAR")
        self.assertEqual(c.cmd("BAZ"), "-ERR Unknown command")
        self.assertEqual(c.line(), "-ERR Too many errors, closing")
        self.assertTrue(c.closed())

    def test_large_message_streamed_whole(self):
        user = self.new_user()
        body = b"Subject: big\r\n\r\n" + b"".join(
            b".%06d line of the big message\r\n" % i for i in range(40000))
        self.deliver(user, [body])
        p = self.login(user)
        resp, lines, octets = p.retr(1)
        want = body.split(b"\r\n\r\n", 1)[1].split(b"\r\n")[:-1]
        self.assertEqual(lines[-len(want):], want)
        self.assertEqual(int(resp.split()[1]), sum(len(x) + 2 for x in lines))
        p.quit()


class Pop3dIdle(Pop3dCase):

    MAIN_CF = {"pop3d_timeout": "2s"}

    def test_idle_client_is_disconnected(self):
        c = self.raw()
        self.assertEqual(c.line(), "-ERR Disconnected for inactivity")
        self.assertTrue(c.closed())
        self.inst.wait_for_log(r"timeout from \[127\.0\.0\.1\]")
