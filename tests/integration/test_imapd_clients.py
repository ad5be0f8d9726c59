# SPDX-License-Identifier: MIT
"""Independent IMAP clients against imapd: mbsync (isync) syncing
several folders both ways, a flag change going each way and new
messages on either side; fetchmail fetching over IMAP. Each client has
its own user, so they never see each other's messages."""

import imaplib
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from imapd_support import PASSWORD, USERS, ImapdCase

ALICE, BOB = USERS
MSG = b"From: a@example.org\r\nSubject: %s\r\n\r\nbody %s\r\n"


class ImapdClients(ImapdCase):

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="imapd-clients-")
        self.addCleanup(shutil.rmtree, self.work, True)

    def mbsync(self):
        local = os.path.join(self.work, "local") + "/"
        os.makedirs(local, exist_ok=True)
        rc = os.path.join(self.work, "mbsyncrc")
        with open(rc, "w") as f:
            f.write("IMAPAccount acct\nHost 127.0.0.1\nPort %d\n"
                    "User %s\nPass %s\nSSLType None\nAuthMechs LOGIN\n\n"
                    "IMAPStore remote\nAccount acct\n\n"
                    "MaildirStore local\nPath %s\nInbox %sINBOX\n"
                    "SubFolders Verbatim\n\n"
                    "Channel ch\nFar :remote:\nNear :local:\n"
                    "Patterns INBOX Work Sent\nCreate Both\n"
                    "Expunge Both\nSyncState *\n"
                    % (self.port, BOB, PASSWORD, local, local))
        out = subprocess.run(["mbsync", "-c", rc, "-a"],
                             capture_output=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        return local

    def local_files(self, local, folder):
        out = {}
        for sub in ("cur", "new"):
            d = os.path.join(local, folder, sub)
            for name in os.listdir(d) if os.path.isdir(d) else ():
                with open(os.path.join(d, name), "rb") as f:
                    subject = re.search(rb"Subject: (\S+)", f.read())
                out[subject.group(1).decode()] = os.path.join(d, name)
        return out

    def test_mbsync_two_way(self):
        if shutil.which("mbsync") is None:
            self.skipTest("mbsync (isync) is not installed")
        c = self.imap(login=BOB)
        c.create("Work")
        c.append("INBOX", None, None, MSG % (b"in1", b"1"))
        c.append("Work", r"(\Seen)", None, MSG % (b"work1", b"2"))
        local = self.mbsync()
        inbox = self.local_files(local, "INBOX")
        work = self.local_files(local, "Work")
        self.assertIn("in1", inbox)
        self.assertIn("work1", work)
        self.assertTrue(work["work1"].endswith(":2,S"))
        # A flag set locally, a message added locally, a flag set on
        # the server: all three cross over.
        os.rename(inbox["in1"], re.sub(r"(:2,.*)?$", ":2,F",
                                       inbox["in1"].replace("/new/",
                                                            "/cur/"), 1))
        with open(os.path.join(local, "Work", "new", "1.local"), "wb") as f:
            f.write(MSG % (b"work2", b"3"))
        c.select("Work")
        c.store("1", "+FLAGS", r"\Flagged")
        self.mbsync()
        c.select("INBOX")
        typ, data = c.fetch("1", "(FLAGS)")
        self.assertIn(b"\\Flagged", data[0])
        typ, data = c.select("Work")
        self.assertEqual(data, [b"2"])
        work = self.local_files(local, "Work")
        self.assertRegex(work["work1"], r":2,F?S$")
        self.assertIn("F", work["work1"].rsplit(":2,", 1)[1])

    def test_fetchmail(self):
        if shutil.which("fetchmail") is None:
            self.skipTest("fetchmail is not installed")
        c = self.imap(login=ALICE)
        c.append("INBOX", None, None, MSG % (b"fm1", b"1"))
        out_file = os.path.join(self.work, "mbox")
        rc = os.path.join(self.work, "fetchmailrc")
        with open(rc, "w") as f:
            f.write('poll 127.0.0.1 protocol IMAP port %d\n'
                    '  user "%s" password "%s" is "%s" here\n'
                    '  keep fetchall no rewrite sslproto "" '
                    'mda "/bin/sh -c \'cat >> %s\'"\n'
                    % (self.port, ALICE, PASSWORD, ALICE, out_file))
        os.chmod(rc, 0o600)
        env = dict(os.environ, HOME=self.work)
        res = subprocess.run(["fetchmail", "-f", rc, "--nosyslog",
                              "--nodetach", "-v"], capture_output=True,
                             timeout=120, env=env)
        self.assertIn(res.returncode, (0, 1), res.stderr.decode() +
                      res.stdout.decode())
        with open(out_file, "rb") as f:
            self.assertIn(b"Subject: fm1", f.read())


if __name__ == "__main__":
    unittest.main()
