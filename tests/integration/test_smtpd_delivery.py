# SPDX-License-Identifier: MIT
"""From smtpd to the mail store: messages accepted over SMTP end up,
once and whole, in the recipient's Maildir (smtpd, qmgr, local and authd
from init's master.cf). Skipped until all four programs are built."""

import smtplib

from harness import InstanceTestCase, wait_for
from smtpd_support import RawClient, queue_id_of

DOMAIN = "example.test"
USER = "alice@" + DOMAIN
MAIN_CF = {"myhostname": "mx." + DOMAIN, "mydomain": DOMAIN,
           "smtpd_error_sleep_time": "0"}


class SmtpdDelivery(InstanceTestCase):

    def smuggle(self, port):
        """A bare-LF end of data followed by a second message: must stay
        inside the first (smtplib would rewrite the bare LFs)."""
        c = RawClient(port)
        self.addCleanup(c.close)
        self.assertEqual(c.code(), 220)
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<sender@origin.example>")
        self.assertEqual(c.cmd("RCPT TO:<%s>" % USER), "250 2.1.5 Ok")
        self.assertEqual(c.cmd("DATA")[:3], "354")
        c.send(b"Subject: smuggle\r\n\r\nx\n.\nMAIL FROM:<e@v.example>\r\n"
               b"RCPT TO:<%s>\r\nDATA\r\nSubject: evil\r\n\r\n.\r\n"
               % USER.encode())
        queue_id_of(c.text())

    def delivered(self, inst, n):
        files = wait_for(lambda: (lambda f: f if len(f) >= n else None)(
            inst.delivered_files()), timeout=60, what="%d deliveries" % n)
        wait_for(lambda: not inst.queue_ids(), what="an empty queue")
        self.assertEqual(len(inst.delivered_files()), n)
        out = []
        for _, path in files:
            with open(path, "rb") as f:
                out.append(f.read().replace(b"\r\n", b"\n"))
        return out

    def test_messages_delivered_whole_and_once(self):
        inst = self.mail_instance(users=(USER,), main_cf=MAIN_CF)
        bodies = [b"Subject: plain\r\n\r\nhello\r\n.leading dot\r\n",
                  b"Subject: 8bit\r\n\r\n" + bytes(range(128, 256)) + b"\r\n",
                  b"Subject: big\r\n\r\n" + b"y" * 998 * 1000 + b"\r\n"]
        with smtplib.SMTP("127.0.0.1", inst.port("smtp"), timeout=30) as s:
            for body in bodies:
                s.sendmail("sender@origin.example", [USER], body)
        self.smuggle(inst.port("smtp"))
        got = self.delivered(inst, len(bodies) + 1)
        for body in bodies:
            want = body.replace(b"\r\n", b"\n").split(b"\n\n", 1)[1]
            self.assertEqual(sum(1 for g in got if want in g), 1, body[:20])
        evil = [g for g in got if b"Subject: evil" in g]
        self.assertEqual(len(evil), 1)
        self.assertIn(b"Subject: smuggle", evil[0])
        self.assertTrue(all(b"Received: from " in g for g in got))


class QuotaAtRcpt(InstanceTestCase):
    """RFC 1870 section 6 with the mailbox's current usage: smtpd asks the
    local agent how full the mailbox is, and refuses at RCPT a message
    whose announced size no longer fits."""

    def test_announced_size_on_top_of_usage(self):
        inst = self.mail_instance(main_cf=MAIN_CF)
        inst.user_add("tiny@" + DOMAIN, "--quota", "3k")
        with smtplib.SMTP("127.0.0.1", inst.port("smtp"), timeout=30) as s:
            s.sendmail("sender@origin.example", ["tiny@" + DOMAIN],
                       b"Subject: fill\r\n\r\n" + b"x" * 1900 + b"\r\n")
        wait_for(lambda: inst.delivered_files(), what="the first delivery")
        c = RawClient(inst.port("smtp"))
        self.addCleanup(c.close)
        self.assertEqual(c.code(), 220)
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<sender@origin.example> SIZE=1500")
        self.assertEqual(c.cmd("RCPT TO:<tiny@%s>" % DOMAIN)[:10],
                         "552 5.2.2 ")
        c.cmd("RSET")
        c.cmd("MAIL FROM:<sender@origin.example> SIZE=500")
        self.assertEqual(c.cmd("RCPT TO:<tiny@%s>" % DOMAIN),
                         "250 2.1.5 Ok")
