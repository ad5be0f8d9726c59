# SPDX-License-Identifier: MIT
"""smtp speaking LMTP to real Dovecot (Debian dovecot-lmtpd), run on a
UNIX socket and a loopback port with its own minimal configuration in
the instance's directory: alice exists, bob is over his quota (Dovecot
refuses him after DATA: 552 5.2.2), nobody does not exist (550 at
RCPT), so one delivery gets mixed per-recipient results."""

import os
import pwd
import shutil
import signal
import subprocess
import unittest

import harness
from fixtures.smtp_agent import deliver

MESSAGE = (b"From: sender@client.test\r\n"
           b"Subject: to Dovecot\r\n"
           b"\r\n"
           b"A body longer than bob's ten-byte quota.\r\n")

CONFIG = """
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = lmtp
ssl = no
listen = 127.0.0.1
first_valid_uid = 0
first_valid_gid = 0
mail_uid = {uid}
mail_gid = {gid}
mail_location = maildir:~/Maildir
mail_plugins = quota
auth_username_format = %Ln
passdb {{
  driver = passwd-file
  args = {d}/users
}}
userdb {{
  driver = passwd-file
  args = {d}/users
}}
plugin {{
  quota = maildir:User quota
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
  unix_listener lmtp {{
    path = {d}/lmtp.sock
    mode = 0666
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@unittest.skipUnless(shutil.which("dovecot") and
                     os.path.exists("/usr/lib/dovecot/lmtp"),
                     "needs dovecot-lmtpd")
class DovecotLmtpTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.inst = harness.Instance(services=["lmtp unix - - n - - smtp"])
        cls.dovecot = None
        try:
            cls.start_dovecot()
            cls.inst.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_dovecot(cls):
        d = cls.dir = os.path.join(cls.inst.root, "dovecot")
        mail = os.path.join(d, "mail")
        for sub in ("run", "state", "mail"):
            os.makedirs(os.path.join(d, sub))
        # Dovecot refuses to deliver as root: the mail store gets a
        # service user when the tests run as root.
        uid, gid = os.getuid(), os.getgid()
        if uid == 0:
            pw = pwd.getpwnam("vmail")
            uid, gid = pw.pw_uid, pw.pw_gid
            os.chown(mail, uid, gid)
        with open(os.path.join(d, "users"), "w") as f:
            f.write("alice:::::%s/alice::\n" % mail)
            f.write("bob:::::%s/bob::userdb_quota_rule=*:bytes=10\n" % mail)
        cls.port = cls.inst.port("dovecot-lmtp")
        conf = os.path.join(d, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(CONFIG.format(d=d, uid=uid, gid=gid, port=cls.port))
        cls.dovecot = subprocess.Popen(["dovecot", "-F", "-c", conf],
                                       stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        cls.socket = os.path.join(d, "lmtp.sock")
        harness.wait_for(lambda: os.path.exists(cls.socket),
                         what="Dovecot's LMTP socket")

    @classmethod
    def tearDownClass(cls):
        if cls.dovecot is not None:
            cls.dovecot.send_signal(signal.SIGTERM)
            cls.dovecot.wait(timeout=30)
        cls.inst.close()

    def maildir_new(self, user):
        new = os.path.join(self.dir, "mail", user, "Maildir", "new")
        return sorted(os.listdir(new)) if os.path.isdir(new) else []

    def check_mixed(self, nexthop):
        before = len(self.maildir_new("alice"))
        res = deliver(self.inst, "lmtp", nexthop,
                      ["alice@store.test", "bob@store.test",
                       "nobody@store.test"], MESSAGE)
        self.assertEqual([r[:2] for r in res],
                         [("sent", "2.0.0"), ("bounced", "5.2.2"),
                          ("bounced", "5.1.1")], res)
        self.assertIn("Saved", res[0][2])
        self.assertIn("Quota exceeded", res[1][2])
        self.assertIn("(in reply to end of DATA command)", res[1][2])
        self.assertIn("(in reply to RCPT TO command)", res[2][2])
        files = self.maildir_new("alice")
        self.assertEqual(len(files), before + 1)
        with open(os.path.join(self.dir, "mail", "alice", "Maildir", "new",
                               files[-1]), "rb") as f:
            self.assertIn(b"A body longer than bob's ten-byte quota.",
                          f.read())

    def test_unix_socket(self):
        self.check_mixed("unix:" + self.socket)

    def test_inet(self):
        self.check_mixed("inet:127.0.0.1:%d" % self.port)


if __name__ == "__main__":
    unittest.main()
