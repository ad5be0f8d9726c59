# SPDX-License-Identifier: MIT
"""sendmail(1) against a real instance: -t (To/Cc/Bcc, Bcc removed), -i
and the "." line, -F, exit statuses, -bs (SMTP on stdin/stdout), -bi,
and a submission by an ordinary user through the set-group-id postdrop
helper (as make install sets it up)."""

import grp
import os
import pwd
import shutil
import subprocess
import unittest

from harness import DEADLINE, wait_for
from queue_util import DOMAIN, QueueTestCase


class SendmailTest(QueueTestCase):

    def test_t_takes_recipients_from_headers_and_drops_bcc(self):
        inst = self.sink_instance()
        msg = ("From: Ann <ann@example.org>\nTo: Bob <bob@remote.test>, "
               "carl@remote.test\nCc: \"Dee, D.\" <dee@remote.test>\n"
               "Bcc: eve@remote.test\nSubject: t\n\nhello\n")
        self.sendmail(inst, ["-t", "-f", "ann@example.org",
                             "fred@remote.test"], msg)
        for rcpt in ("bob", "carl", "dee", "eve", "fred"):
            raw = self.sunk(inst, rcpt + "@remote.test")
        self.assertNotIn(b"Bcc:", raw)
        self.assertNotIn(b"eve@", raw)
        self.assertIn(b"To: Bob <bob@remote.test>, carl@remote.test\r\n",
                      raw)
        # One message with five recipients.
        self.assertRegex(inst.log(), r"nrcpt=5 \(queue active\)")

    def test_dot_line_ends_input_unless_i(self):
        inst = self.sink_instance()
        self.sendmail(inst, ["-f", "a@example.org", "dot1@remote.test"],
                      "Subject: 1\n\nbefore\n.\nafter\n")
        self.assertTrue(self.sunk(inst, "dot1@remote.test")
                        .endswith(b"\r\nbefore\r\n"))
        for flag in ("-i", "-oi"):
            rcpt = "dot%s@remote.test" % flag
            self.sendmail(inst, [flag, "-f", "a@example.org", rcpt],
                          "Subject: 2\n\nbefore\n.\nafter\n")
            self.assertTrue(self.sunk(inst, rcpt)
                            .endswith(b"before\r\n.\r\nafter\r\n"))

    def test_fullname_and_default_sender(self):
        inst = self.sink_instance()
        self.sendmail(inst, ["-F", "Joe \"Q\" Public", "joe@remote.test"],
                      "Subject: f\n\nx\n")
        raw = self.sunk(inst, "joe@remote.test")
        login = pwd.getpwuid(os.getuid()).pw_name
        self.assertIn(('From: "Joe \\"Q\\" Public" <%s@%s>\r\n'
                       % (login, DOMAIN)).encode(), raw)
        self.assertRegex(inst.log(), r"from=<%s@%s>" % (login, DOMAIN))

    def test_errors_have_sysexits_statuses(self):
        inst = self.sink_instance()
        p = self.sendmail(inst, [], "x\n", ok=False)
        self.assertEqual(p.returncode, 64)
        self.assertIn(b"no recipients", p.stderr)
        p = self.sendmail(inst, ["-t"], "Subject: none\n\nx\n", ok=False)
        self.assertEqual(p.returncode, 64)
        p = self.sendmail(inst, ["-Z"], "x\n", ok=False)
        self.assertEqual(p.returncode, 2)
        p = self.sendmail(inst, ["-t"], "To: <broken\n\nx\n", ok=False)
        self.assertEqual(p.returncode, 65)
        self.assertEqual(self.queue_files(inst, "maildrop"), [])

    def test_bs_speaks_smtp_on_stdin(self):
        inst = self.sink_instance()
        session = ("EHLO client\r\nMAIL FROM:<smtp@example.org>\r\n"
                   "RCPT TO:<bs1@remote.test> NOTIFY=NEVER\r\n"
                   "RCPT TO:<bs2@remote.test>\r\nDATA\r\n"
                   "Subject: bs\r\n\r\n..dotted\r\n.\r\nQUIT\r\n")
        p = self.sendmail(inst, ["-bs"], session)
        replies = p.stdout.decode().split("\r\n")
        self.assertTrue(replies[0].startswith("220 "))
        self.assertIn("250-DSN", replies)
        self.assertIn("354 End data with <CR><LF>.<CR><LF>", replies)
        self.assertIn("250 2.0.0 Ok: queued", replies)
        self.assertEqual(replies[-2], "221 2.0.0 Bye")
        raw = self.sunk(inst, "bs2@remote.test")
        self.assertTrue(raw.endswith(b"\r\n.dotted\r\n"))
        self.sunk(inst, "bs1@remote.test")
        p = self.sendmail(inst, ["-bs"], "DATA\r\nRCPT TO:<x@y>\r\nQUIT\r\n")
        self.assertIn("503 5.5.1", p.stdout.decode())

    def test_bi_rebuilds_aliases(self):
        inst = self.sink_instance(start=False)
        p = self.sendmail(inst, ["-bi"], b"", ok=False)
        self.assertEqual(p.returncode, 0, p.stderr)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to set up users")
    def test_ordinary_user_submits_through_setgid_postdrop(self):
        inst = self.sink_instance(start=False)
        # As make install does: postdrop set-group-id postdrop, the
        # rest reachable by everyone.
        bindir = os.path.join(inst.root, "bin")
        os.mkdir(bindir)
        for name in os.listdir(inst.bin):
            src = os.path.join(inst.bin, name)
            dst = os.path.join(bindir, name)
            if os.path.isdir(src):
                continue
            shutil.copy(os.path.realpath(src), dst)
        gid = grp.getgrnam("postdrop").gr_gid
        os.chown(os.path.join(bindir, "postdrop"), 0, gid)
        os.chmod(os.path.join(bindir, "postdrop"), 0o2755)
        inst.bin = bindir
        inst.write_config(main_cf={"daemon_directory": bindir})
        inst.start()
        nobody = pwd.getpwnam("nobody")
        # LeakSanitizer aborts in a set-group-id process whatever its
        # options say; the ASan build cannot run this test.
        with open(os.path.join(bindir, "postdrop"), "rb") as f:
            if b"__asan_init" in f.read():
                self.skipTest("sanitizer build: postdrop cannot be setgid")
        env = dict(os.environ, ASAN_OPTIONS=os.environ.get(
            "ASAN_OPTIONS", "") + ":detect_leaks=0")

        def as_nobody():
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)

        p = subprocess.run(
            [os.path.join(bindir, "sendmail"), "-C", inst.conf_dir, "-t"],
            input=b"To: user@remote.test\nSubject: from nobody\n\nhi\n",
            capture_output=True, preexec_fn=as_nobody, timeout=DEADLINE,
            env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        raw = self.sunk(inst, "user@remote.test")
        self.assertIn(b"from userid %d" % nobody.pw_uid, raw)
        self.assertIn(b"From: nobody@" + DOMAIN.encode(), raw)
        inst.wait_for_log(r"uid=%d from=<nobody@%s>"
                          % (nobody.pw_uid, DOMAIN))
        # Without the set-group-id bit the same user cannot drop mail.
        os.chmod(os.path.join(bindir, "postdrop"), 0o755)
        p = subprocess.run(
            [os.path.join(bindir, "sendmail"), "-C", inst.conf_dir,
             "other@remote.test"], input=b"Subject: no\n\nx\n",
            capture_output=True, preexec_fn=as_nobody, timeout=DEADLINE,
            env=env)
        self.assertEqual(p.returncode, 75, p.stderr)
        self.assertIn(b"postdrop: maildrop:", p.stderr)
