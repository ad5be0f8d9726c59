# SPDX-License-Identifier: MIT
"""local, the local delivery agent, driven through its socket the way
qmgr drives it: a handshake, a delivery request (ipc/deliver_proto.h)
and the open message file passed with SCM_RIGHTS, then the reply with
one result per recipient. Users are made with `postern user`, aliases
with `postern alias`, virtual aliases with `postern map`; authd answers
local's lookups. What lands in the mail store is checked on disk."""

import os
import pwd
import re
import smtplib
import subprocess
import unittest

import harness
from deliver_request import deliver_request

SERVICES = ["auth unix n - n - 1 authd",
            "local unix - - n - - local"]
MESSAGE = (b"From: Sender <sender@remote.test>\r\n"
           b"To: someone@example.com\r\n"
           b"Subject: test message\r\n"
           b"\r\n"
           b"Body line one.\r\n"
           b"From the body, a line mbox must quote.\r\n")


def deliver(inst, rcpts, message=MESSAGE, sender="sender@remote.test",
            queue_id="4F2A1B3C", orcpts=None):
    """One delivery request to local; the reply as a dict, plus a list
    'results' of (status, dsn, reason) per recipient."""
    return deliver_request(inst, "local", rcpts, message, sender=sender,
                           queue_id=queue_id, orcpts=orcpts,
                           timeout=harness.DEADLINE * 2)


class LocalTestCase(unittest.TestCase):
    """One instance for the class: users, aliases and maps are set up
    once; each test uses its own addresses."""

    extra_main = {}

    @classmethod
    def setUpClass(cls):
        cls.inst = harness.Instance(services=SERVICES)
        try:
            cls.setup_instance()
            cls.inst.start()
        except BaseException:
            cls.inst.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    @classmethod
    def postern(cls, *args, stdin=None):
        env = dict(os.environ, POSTERN_CONFIG_DIR=cls.inst.root)
        proc = subprocess.run([os.path.join(cls.inst.bin, "postern")] +
                              list(args), input=stdin, capture_output=True,
                              text=True, env=env, timeout=60)
        if proc.returncode != 0:
            raise AssertionError("postern %s: %s" % (" ".join(args),
                                                     proc.stderr))
        return proc.stdout

    @classmethod
    def etc(cls, name):
        return os.path.join(cls.inst.conf_dir, name)

    @classmethod
    def setup_instance(cls):
        raise NotImplementedError

    def setUp(self):
        self.mark = self.inst.log_mark()

    def run(self, result=None):
        outcome = super().run(result)
        if result is not None and not result.wasSuccessful() and \
                not getattr(self, "_log_shown", False):
            self._log_shown = True
            print("\n--- instance log ---\n" + self.inst.log()[-6000:])
        return outcome

    def maildir(self, address):
        local, domain = address.split("@")
        return os.path.join(self.inst.root, "mail", domain, local, "Maildir")

    def new_files(self, address):
        new = os.path.join(self.maildir(address), "new")
        if not os.path.isdir(new):
            return []
        return sorted(os.path.join(new, n) for n in os.listdir(new))

    def read_new(self, address):
        files = self.new_files(address)
        self.assertEqual(len(files), 1, "%s: %r" % (address, files))
        with open(files[0], "rb") as f:
            return f.read()

    def assert_log(self, pattern):
        self.inst.wait_for_log(pattern, start=self.mark)


USERS = {
    "hdr": [], "ext": [], "team1": [], "team2": [], "inc1": [], "inc2": [],
    "vinfo": [], "vcatch": [], "vsales": [], "dup": [],
    "fwdcopy": ["--forward", "dave@remote.test", "--keep-copy"],
    "fwdonly": ["--forward", "frank@remote.test"],
    "cyc1": ["--forward", "cyc2@example.com"],
    "cyc2": ["--forward", "cyc1@example.com"],
    "loop": [], "quota": ["--quota", "100"], "ro": [], "multi": [],
    "off": ["--disabled"],
    "propdest": [], "selfref": [], "selfref2": [],
    "idx": [], "idxa": [], "idxb": [], "idxbad": [],
}


def index_uids(bin_dir, maildir, folder=None):
    """What the mailbox index of maildir holds for folder, read the way
    imapd reads it (tests/integration/fixtures/mboxuids.c): the folder's
    counters as a dict and a list of (uid, file name)."""
    args = [os.path.join(bin_dir, "postern-test-mboxuids"), maildir]
    if folder:
        args.append(folder)
    # As the mailbox's owner: the index's files must stay local's.
    user = "vmail" if os.geteuid() == 0 else None
    out = subprocess.run(args, capture_output=True, text=True, check=True,
                         timeout=60, user=user).stdout.splitlines()
    words = out[0].split()
    counters = {words[i]: int(words[i + 1]) for i in range(0, len(words), 2)}
    return counters, [(int(u), n) for u, n in
                      (line.split(" ", 1) for line in out[1:])]


class LocalDeliveryTest(LocalTestCase):

    @classmethod
    def setup_instance(cls):
        inst = cls.inst
        inst.write_config(main_cf={
            "mydestination": "example.com, localhost",
            "myorigin": "example.com",
            "virtual_alias_domains": "valias.test, nocatch.test",
            "virtual_alias_maps": "lmdb:$config_directory/virtual",
            "recipient_delimiter": "+",
        })
        for user, opts in USERS.items():
            cls.postern("user", "add", user + "@example.com",
                        "--no-password", *opts)
        with open(cls.etc("list.txt"), "w") as f:
            f.write("# the include list\ninc1\n  , inc2@example.com\n")
        with open(cls.etc("pipe.list"), "w") as f:
            f.write("|cat > /dev/null\n")
        with open(cls.etc("aliases"), "a") as f:
            f.write("team: team1, team2@example.com\n"
                    "selfref: selfref, selfref2\n"
                    "idxlist: idxa, idxb\n"
                    "incpipe: :include:%s\n" % cls.etc("pipe.list"))
            f.write("listed: :include:%s\n"
                    "archive: %s\n"
                    "pipe: \"|cat > %s\"\n"
                    "failpipe: \"|echo no such list; exit 67\"\n"
                    "remote: someone@remote.test\n"
                    % (cls.etc("list.txt"), inst.tmp("archive.mbox"),
                       inst.tmp("pipe.out")))
        cls.postern("alias")
        with open(cls.etc("virtual"), "w") as f:
            f.write("info@valias.test vinfo@example.com\n"
                    "@valias.test vcatch\n"
                    "sales@nocatch.test vsales@example.com\n"
                    "prop@example.com propdest@example.com\n")
        cls.postern("map", "lmdb:" + cls.etc("virtual"))
        # ro@ has a mailbox local may not write into.
        ro = os.path.join(inst.root, "mail", "example.com", "ro", "Maildir")
        vmail = pwd.getpwnam("vmail") if os.geteuid() == 0 else None
        for sub in ("", "/cur", "/new", "/tmp"):
            os.makedirs(ro + sub, exist_ok=True)
            if vmail:
                os.chown(ro + sub, vmail.pw_uid, vmail.pw_gid)
        for d in (os.path.dirname(ro), os.path.dirname(os.path.dirname(ro))):
            if vmail:
                os.chown(d, vmail.pw_uid, vmail.pw_gid)
        os.chmod(ro + "/new", 0o500)
        os.chmod(ro + "/tmp", 0o500)
        # idxbad@'s index cannot be opened: a directory in its place.
        bad = os.path.join(inst.root, "mail", "example.com", "idxbad",
                           "Maildir")
        os.makedirs(os.path.join(bad, "postern-index.lmdb"))
        if vmail:
            for top, _, _ in os.walk(os.path.dirname(bad)):
                os.chown(top, vmail.pw_uid, vmail.pw_gid)

    def maildrop(self):
        d = os.path.join(self.inst.queue_dir, "maildrop")
        return {n: os.path.join(d, n) for n in os.listdir(d)
                if not n.startswith(".")}

    def test_mailbox_copy_and_headers(self):
        reply = deliver(self.inst, ["hdr@example.com"])
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        want = (b"Return-Path: <sender@remote.test>\n"
                b"Delivered-To: hdr@example.com\n"
                b"X-Original-To: hdr@example.com\n" +
                MESSAGE.replace(b"\r\n", b"\n"))
        self.assertEqual(self.read_new("hdr@example.com"), want)
        name = os.path.basename(self.new_files("hdr@example.com")[0])
        self.assertTrue(name.endswith(",S=%d" % len(want)), name)
        self.assertEqual(os.listdir(os.path.join(
            self.maildir("hdr@example.com"), "tmp")), [])
        self.assert_log(r"4F2A1B3C: to=<hdr@example\.com>, relay=local, "
                        r"delay=[0-9.]+, delays=[0-9.]+/0/[0-9.]+/[0-9.]+, "
                        r"dsn=2\.0\.0, status=sent \(delivered to maildir\)")

    def test_index_gives_uids_in_delivery_order(self):
        for _ in range(3):
            reply = deliver(self.inst, ["idx@example.com"])
            self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        counters, msgs = index_uids(self.inst.bin,
                                    self.maildir("idx@example.com"))
        self.assertEqual([u for u, _ in msgs], [1, 2, 3])
        self.assertEqual(counters["uidnext"], 4)
        self.assertGreater(counters["uidvalidity"], 0)
        # In the order the files were delivered (names grow in time).
        files = [os.path.basename(f) for f in
                 sorted(self.new_files("idx@example.com"),
                        key=lambda f: os.stat(f).st_mtime_ns)]
        self.assertEqual(sorted(n for _, n in msgs), sorted(files))
        self.assertEqual(len(files), 3)

    def test_index_of_each_mailbox_sharing_a_file(self):
        reply = deliver(self.inst, ["idxlist@example.com"])
        self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        for user in ("idxa@example.com", "idxb@example.com"):
            _, msgs = index_uids(self.inst.bin, self.maildir(user))
            name = os.path.basename(self.new_files(user)[0])
            self.assertEqual(msgs, [(1, name)], user)

    def test_index_failure_keeps_the_delivery(self):
        reply = deliver(self.inst, ["idxbad@example.com"])
        self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        self.assertEqual(len(self.new_files("idxbad@example.com")), 1)
        self.assert_log(r"warning: .*idxbad/Maildir: .*mailbox index not "
                        r"updated, the next sync indexes the message")

    def test_original_recipient_from_orcpt(self):
        reply = deliver(self.inst, ["multi@example.com"],
                        orcpts=["rfc822;Multi+2BOld@example.com"])
        self.assertEqual(reply["results"][0][0], "sent")
        self.assertIn(b"X-Original-To: Multi+Old@example.com\n",
                      self.read_new("multi@example.com"))

    def test_extension(self):
        reply = deliver(self.inst, ["ext+news@example.com"])
        self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        self.assertIn(b"Delivered-To: ext+news@example.com\n",
                      self.read_new("ext@example.com"))

    def test_alias_list_shares_one_file(self):
        reply = deliver(self.inst, ["team@example.com"])
        self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        one = self.new_files("team1@example.com")
        two = self.new_files("team2@example.com")
        self.assertEqual((len(one), len(two)), (1, 1))
        # Same copy for every mailbox of one recipient: one inode.
        self.assertEqual(os.stat(one[0]).st_ino, os.stat(two[0]).st_ino)
        self.assertEqual(os.stat(one[0]).st_nlink, 2)
        self.assert_log(r"to=<team2@example\.com>, orig_to=<team@example"
                        r"\.com>, relay=local.*status=sent")

    def test_include_file(self):
        reply = deliver(self.inst, ["listed@example.com"])
        self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        self.assertEqual(len(self.new_files("inc1@example.com")), 1)
        self.assertEqual(len(self.new_files("inc2@example.com")), 1)

    def test_virtual_alias_and_catch_all(self):
        reply = deliver(self.inst, ["info@valias.test", "who@valias.test",
                                    "sales@nocatch.test",
                                    "nobody@nocatch.test"])
        self.assertEqual([r[:2] for r in reply["results"]],
                         [("sent", "2.0.0"), ("sent", "2.0.0"),
                          ("sent", "2.0.0"), ("bounced", "5.1.1")])
        self.assertEqual(len(self.new_files("vinfo@example.com")), 1)
        self.assertEqual(len(self.new_files("vcatch@example.com")), 1)
        self.assertEqual(len(self.new_files("vsales@example.com")), 1)

    def test_alias_naming_itself(self):
        reply = deliver(self.inst, ["selfref@example.com"])
        self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        self.assertEqual(len(self.new_files("selfref@example.com")), 1)
        self.assertEqual(len(self.new_files("selfref2@example.com")), 1)

    def test_command_in_include_file_restricted(self):
        reply = deliver(self.inst, ["incpipe@example.com"])
        status, dsn, reason = reply["results"][0]
        self.assertEqual((status, dsn), ("bounced", "5.7.1"))
        self.assertIn("restricted", reason)

    def test_virtual_extension_carried_over(self):
        reply = deliver(self.inst, ["prop+tag@example.com"])
        self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        self.assertEqual(len(self.new_files("propdest@example.com")), 1)
        self.assert_log(r"to=<propdest\+tag@example\.com>, "
                        r"orig_to=<prop\+tag@example\.com>")

    def test_duplicate_targets_delivered_once(self):
        reply = deliver(self.inst, ["dup@example.com", "DUP@example.com"])
        self.assertEqual([r[0] for r in reply["results"]], ["sent", "sent"])
        self.assertEqual(len(self.new_files("dup@example.com")), 1)

    def test_forward_with_copy(self):
        before = self.maildrop()
        reply = deliver(self.inst, ["fwdcopy@example.com"])
        self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        self.assertEqual(len(self.new_files("fwdcopy@example.com")), 1)
        new = [p for n, p in self.maildrop().items() if n not in before]
        self.assertEqual(len(new), 1)
        with open(new[0], "rb") as f:
            data = f.read()
        self.assertIn(b"dave@remote.test", data)
        self.assertIn(b"sender@remote.test", data)
        self.assertIn(b"Delivered-To: fwdcopy@example.com\r\n" + MESSAGE,
                      data)
        self.assert_log(r"to=<dave@remote\.test>, orig_to=<fwdcopy@example"
                        r"\.com>, relay=local.*status=sent \(forwarded as "
                        r"[0-9A-Za-z]+\)")

    def test_forward_without_copy(self):
        before = self.maildrop()
        reply = deliver(self.inst, ["fwdonly@example.com"])
        self.assertEqual(reply["results"][0][:2], ("sent", "2.0.0"))
        self.assertEqual(self.new_files("fwdonly@example.com"), [])
        new = [n for n in self.maildrop() if n not in before]
        self.assertEqual(len(new), 1)

    def test_alias_to_remote_address(self):
        before = self.maildrop()
        reply = deliver(self.inst, ["remote@example.com"])
        self.assertEqual(reply["results"][0][0], "sent")
        new = [p for n, p in self.maildrop().items() if n not in before]
        self.assertEqual(len(new), 1)
        with open(new[0], "rb") as f:
            self.assertIn(b"Delivered-To: remote@example.com\r\n", f.read())

    def test_unknown_user(self):
        reply = deliver(self.inst, ["nosuch@example.com"])
        status, dsn, reason = reply["results"][0]
        self.assertEqual((status, dsn), ("bounced", "5.1.1"))
        self.assertIn("unknown user", reason)

    def test_disabled_user(self):
        reply = deliver(self.inst, ["off@example.com"])
        self.assertEqual(reply["results"][0][:2], ("bounced", "5.2.1"))

    def test_not_a_local_domain_defers(self):
        reply = deliver(self.inst, ["x@elsewhere.test"])
        self.assertEqual(reply["results"][0][:2], ("deferred", "4.3.5"))

    def test_loop_detected_by_delivered_to(self):
        message = b"Delivered-To: Loop@Example.com\r\n" + MESSAGE
        reply = deliver(self.inst, ["loop@example.com"], message=message)
        status, dsn, reason = reply["results"][0]
        self.assertEqual((status, dsn), ("bounced", "5.4.6"))
        self.assertIn("mail forwarding loop", reason)
        self.assertEqual(self.new_files("loop@example.com"), [])

    def test_forwarding_cycle(self):
        reply = deliver(self.inst, ["cyc1@example.com"])
        self.assertEqual(reply["results"][0][:2], ("bounced", "5.4.6"))

    def test_over_quota_bounces(self):
        reply = deliver(self.inst, ["quota@example.com"])
        status, dsn, reason = reply["results"][0]
        self.assertEqual((status, dsn), ("bounced", "5.2.2"))
        self.assertIn("quota", reason)
        self.assertEqual(self.new_files("quota@example.com"), [])

    def test_unwritable_mailbox_defers(self):
        reply = deliver(self.inst, ["ro@example.com"])
        status, dsn, _ = reply["results"][0]
        self.assertEqual(status, "deferred")
        self.assertTrue(dsn.startswith("4."), dsn)
        self.assertEqual(self.new_files("ro@example.com"), [])
        self.assertEqual(os.listdir(os.path.join(
            self.maildir("ro@example.com"), "tmp")), [])

    def test_command_and_file(self):
        reply = deliver(self.inst, ["pipe@example.com",
                                    "archive@example.com",
                                    "failpipe@example.com"])
        results = reply["results"]
        self.assertEqual(results[0][:2], ("sent", "2.0.0"))
        self.assertEqual(results[1][:2], ("sent", "2.0.0"))
        self.assertEqual(results[2][:2], ("bounced", "5.1.1"))  # EX_NOUSER
        self.assertIn("no such list", results[2][2])
        with open(self.inst.tmp("pipe.out"), "rb") as f:
            piped = f.read()
        self.assertIn(b"Delivered-To: pipe@example.com\n", piped)
        self.assertTrue(piped.endswith(MESSAGE.split(b"\r\n\r\n")[1]
                                       .replace(b"\r\n", b"\n")))
        st = os.stat(self.inst.tmp("pipe.out"))
        if os.geteuid() == 0:
            self.assertEqual(st.st_uid, pwd.getpwnam("nobody").pw_uid)
        with open(self.inst.tmp("archive.mbox"), "rb") as f:
            mbox = f.read()
        self.assertTrue(re.match(rb"From sender@remote\.test  \w{3} \w{3} ",
                                 mbox), mbox[:80])
        self.assertIn(b"\n>From the body", mbox)
        self.assertTrue(mbox.endswith(b"\n\n"))


class LocalQuotaTemporaryTest(LocalTestCase):

    @classmethod
    def setup_instance(cls):
        cls.inst.write_config(main_cf={
            "mydestination": "example.com",
            "quota_exceeded_temporary": "yes",
        })
        cls.postern("user", "add", "small@example.com", "--no-password",
                    "--quota", "10")

    def test_over_quota_defers(self):
        reply = deliver(self.inst, ["small@example.com"])
        self.assertEqual(reply["results"][0][:2], ("deferred", "4.2.2"))


if __name__ == "__main__":
    unittest.main()


class LocalIndexThroughSmtpTest(harness.InstanceTestCase):
    """SMTP to the mailbox index: smtpd, qmgr, local and authd from
    init's master.cf; each message accepted has its UID, in order, once
    qmgr has local's reply."""

    def test_uids_after_smtp(self):
        user = "carol@index.test"
        inst = self.mail_instance(users=(user,), main_cf={
            "myhostname": "mx.index.test", "mydomain": "index.test",
            "smtpd_error_sleep_time": "0"})
        with smtplib.SMTP("127.0.0.1", inst.port("smtp"), timeout=30) as s:
            for i in range(3):
                s.sendmail("sender@origin.example", [user],
                           b"Subject: index %d\r\n\r\nbody\r\n" % i)
        harness.wait_for(lambda: len(inst.delivered_files()) >= 3,
                         timeout=60, what="3 deliveries")
        # qmgr drops a message once local answered, after the index.
        harness.wait_for(lambda: not inst.queue_ids(), what="an empty queue")
        maildir = os.path.join(inst.root, "mail", "index.test", "carol",
                               "Maildir")
        counters, msgs = index_uids(inst.bin, maildir)
        self.assertEqual([u for u, _ in msgs], [1, 2, 3])
        self.assertEqual(counters["uidnext"], 4)
        on_disk = sorted(os.path.basename(p) for _, p in
                         inst.delivered_files())
        self.assertEqual(sorted(n for _, n in msgs), on_disk)
        subjects = []
        for _, name in msgs:
            with open(os.path.join(maildir, "new", name), "rb") as f:
                subjects.append(re.search(rb"Subject: (index \d)",
                                          f.read()).group(1))
        # qmgr may hand local the three at once: any order, each once.
        self.assertEqual(sorted(subjects), [b"index 0", b"index 1",
                                            b"index 2"])

    def test_subdomain_item_routes_to_local(self):
        """mydestination ".sub.test" covers h.sub.test for smtpd, qmgr
        (which once compared whole items only) and local alike."""
        user = "dave@h.sub.test"
        inst = self.mail_instance(users=(user,), main_cf={
            "myhostname": "mx.index.test", "mydomain": "index.test",
            "mydestination": "$myhostname, .sub.test",
            "smtpd_error_sleep_time": "0"})
        with smtplib.SMTP("127.0.0.1", inst.port("smtp"), timeout=30) as s:
            s.sendmail("sender@origin.example", [user],
                       b"Subject: subdomain\r\n\r\nbody\r\n")
        files = harness.wait_for(inst.delivered_files, timeout=60,
                                 what="the delivery")
        self.assertEqual(len(files), 1)
        self.assertIn(os.path.join("mail", "h.sub.test", "dave", "Maildir"),
                      files[0][0])
        harness.wait_for(lambda: not inst.queue_ids(), what="an empty queue")
