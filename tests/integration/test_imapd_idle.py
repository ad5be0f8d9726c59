# SPDX-License-Identifier: MIT
"""Changes reaching other sessions: a session in IDLE (RFC 2177) is told
at once about a message APPENDed by another session, a message
delivered through SMTP, local delivery and the index, and a flag
changed elsewhere; a session that is not idling hears of an expunge
at its next command (NOOP), with the sequence numbers renumbered."""

import re
import smtplib
import unittest

from imapd_support import PASSWORD, USERS, ImapdCase

ALICE = USERS[0]
MSG = b"From: a@example.org\r\nSubject: idle\r\n\r\nbody\r\n"


class ImapdIdle(ImapdCase):

    def login(self, r, user=ALICE):
        r.line()
        r.send("l LOGIN %s %s\r\n" % (user, PASSWORD))
        self.assertRegex(r.until_tagged("l")[-1], r"^l OK ")

    def select(self, r, folder):
        r.send("s SELECT %s\r\n" % folder)
        lines = r.until_tagged("s")
        self.assertRegex(lines[-1], r"^s OK ")
        return int([x for x in lines if x.endswith(" EXISTS")][0].split()[1])

    def wait_line(self, r, pattern):
        while True:
            line = r.line()
            if re.search(pattern, line):
                return line

    def test_idle_sees_append_flag_change_and_delivery(self):
        other = self.imap(login=ALICE)
        other.create("Idle")
        r = self.raw()
        self.login(r)
        n = self.select(r, "Idle")
        r.send("i IDLE\r\n")
        self.assertTrue(r.line().startswith("+ "))
        other.append("Idle", None, None, MSG)
        self.assertEqual(self.wait_line(r, r"EXISTS$"),
                         "* %d EXISTS" % (n + 1))
        other.select("Idle")
        other.store(str(n + 1), "+FLAGS", r"\Flagged")
        self.assertRegex(self.wait_line(r, r"FETCH"),
                         r"^\* %d FETCH \(UID \d+ FLAGS \(\\Flagged\)\)$"
                         % (n + 1))
        r.send("DONE\r\n")
        self.assertEqual(r.until_tagged("i")[-1], "i OK IDLE terminated")

    def test_idle_sees_smtp_delivery(self):
        r = self.raw()
        self.login(r)
        n = self.select(r, "INBOX")
        r.send("i IDLE\r\n")
        self.assertTrue(r.line().startswith("+ "))
        with smtplib.SMTP("127.0.0.1", self.inst.port("smtp"),
                          timeout=30) as s:
            s.sendmail("sender@example.org", [ALICE], MSG)
        # Delivery goes through smtpd, qmgr and local: on a loaded
        # machine (sanitizers) that may take longer than one read.
        r.sock.settimeout(120)
        line = self.wait_line(r, r"EXISTS$")
        self.assertGreater(int(line.split()[1]), n)
        r.send("DONE\r\n")
        self.assertEqual(r.until_tagged("i")[-1], "i OK IDLE terminated")

    def test_expunge_reported_at_next_command(self):
        other = self.imap(login=ALICE)
        other.create("Exp")
        for _ in range(3):
            other.append("Exp", None, None, MSG)
        r = self.raw()
        self.login(r)
        self.assertEqual(self.select(r, "Exp"), 3)
        other.select("Exp")
        other.store("2", "+FLAGS", r"\Deleted")
        other.expunge()
        r.send("n NOOP\r\n")
        lines = r.until_tagged("n")
        self.assertIn("* 2 EXPUNGE", lines)
        r.send("f FETCH 2 (UID)\r\n")
        self.assertRegex(r.until_tagged("f")[0], r"^\* 2 FETCH \(UID 3\)$")


if __name__ == "__main__":
    unittest.main()
