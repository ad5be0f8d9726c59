# SPDX-License-Identifier: MIT
"""pop3d with independently written clients: curl's pop3:// (list and
retrieve) and fetchmail draining a mailbox (RETR and DELE of every
message, then QUIT), after delivery through SMTP."""

import os
import shutil
import subprocess

from pop3d_support import PASSWORD, Pop3dCase


class Pop3dClients(Pop3dCase):

    def test_curl_lists_and_retrieves(self):
        if shutil.which("curl") is None:
            self.skipTest("curl is not installed")
        user = self.new_user()
        self.deliver(user, [b"Subject: curl one\r\n\r\nbody one\r\n",
                            b"Subject: curl two\r\n\r\n.dotted\r\n"])
        base = "pop3://127.0.0.1:%d/" % self.port
        auth = ["-u", "%s:%s" % (user, PASSWORD)]
        listing = subprocess.run(["curl", "-sS", "--max-time", "30", base]
                                 + auth, capture_output=True, check=True,
                                 timeout=60).stdout
        self.assertEqual(len(listing.splitlines()), 2)
        msg = subprocess.run(["curl", "-sS", "--max-time", "30", base + "2"]
                             + auth, capture_output=True, check=True,
                             timeout=60).stdout
        self.assertIn(b"Subject: curl two\r\n", msg)
        self.assertTrue(msg.endswith(b"\r\n.dotted\r\n"), msg[-40:])

    def test_fetchmail_drains_the_mailbox(self):
        if shutil.which("fetchmail") is None:
            self.skipTest("fetchmail is not installed")
        user = self.new_user()
        self.deliver(user, [b"Subject: fetch %d\r\n\r\nbody %d\r\n" % (i, i)
                            for i in range(5)])
        home = self.inst.tmp("fetchhome")
        os.makedirs(home, exist_ok=True)
        out = os.path.join(home, "out")
        rc = os.path.join(home, "fetchmailrc")
        with open(rc, "w") as f:
            f.write('poll 127.0.0.1 protocol pop3 port %d\n'
                    '  user "%s" password "%s"\n'
                    '  mda "/bin/sh -c \'cat >> %s\'"\n'
                    % (self.port, user, PASSWORD, out))
        os.chmod(rc, 0o600)
        res = subprocess.run(
            ["fetchmail", "-f", rc, "--nosslcertck", "--nodetach",
             "--pidfile", os.path.join(home, "pid")],
            env=dict(os.environ, HOME=home, FETCHMAILHOME=home),
            capture_output=True, text=True, timeout=120)
        self.assertEqual(res.returncode, 0, res.stderr + res.stdout)
        with open(out, "rb") as f:
            got = f.read()
        for i in range(5):
            self.assertIn(b"Subject: fetch %d" % i, got)
        self.assertEqual(self.files(user), [])
