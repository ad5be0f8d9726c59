# SPDX-License-Identifier: MIT
"""The pipe delivery agent on a real instance: argument macros, the
message on standard input with the lines its flags ask for, the user it
runs as, sysexits codes mapped to sent / deferred / bounced with the
command's output in the notice, and the time limit. Mail is routed to
the pipe transports by transport_maps; everything else goes to the
postern-test-sinkd agent (queue_util.py)."""

import email
import email.policy
import glob
import json
import os
import pwd
import shutil

from harness import missing_programs, wait_for
from queue_util import QueueTestCase

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures",
                       "pipe-command.py")
MSG = "Subject: pipe test\nTo: someone\n\nline one\n.dot line\nFrom here\n"


class PipeTest(QueueTestCase):

    def setUp(self):
        super().setUp()
        if missing_programs(["pipe", "qmgr", "pickup"]):
            self.skipTest("pipe, qmgr or pickup not built")

    def pipe_instance(self, flags="DRO", limit="30s"):
        """Two transports: "each" runs per recipient with every
        recipient macro, "all" once per message."""
        self.out = None
        inst = self.sink_instance(start=False)
        out = os.path.join(inst.root, "pipe-out")
        os.makedirs(out)
        os.chmod(out, 0o777)
        cmd = os.path.join(inst.tmp_dir, "pipe-command.py")
        shutil.copy(FIXTURE, cmd)
        os.chmod(cmd, 0o755)
        inst.pipe_out = out
        user = "nobody" if os.geteuid() == 0 else \
            pwd.getpwuid(os.geteuid()).pw_name
        inst.pipe_user = user
        inst.write_config(services=inst.services + [
            "each unix - n n - - pipe flags=%s user=%s "
            "argv=/usr/bin/python3 %s %s ${user} ${sender} ${recipient} "
            "${user} ${extension} ${domain} ${nexthop} ${mailbox} "
            "-o command_time_limit=%s" % (flags, user, cmd, out, limit),
            "all unix - n n - - pipe flags=F user=%s "
            "argv=/usr/bin/python3 %s %s batch ${sender} ${size}"
            % (user, cmd, out),
            "small unix - n n - - pipe size=100 user=%s "
            "argv=/usr/bin/python3 %s %s small" % (user, cmd, out),
            "typo unix - n n - - pipe user=%s "
            "argv=/usr/bin/python3 %s %s ${recipent}" % (user, cmd, out),
        ], main_cf={
            "transport_maps": "inline:{each.test=each, all.test=all, "
                              "small.test=small, typo.test=typo}",
            "recipient_delimiter": "+",
        })
        inst.start()
        return inst

    def records(self, inst, n):
        def ready():
            files = sorted(glob.glob(os.path.join(inst.pipe_out, "*.json")))
            return files if len(files) >= n else None
        out = []
        for path in wait_for(ready, what="%d pipe runs" % n):
            with open(path) as f:
                out.append(json.load(f))
        return out

    def notice(self, inst, sender):
        raw = self.sunk(inst, sender)
        return email.message_from_bytes(raw, policy=email.policy.compat32)

    def test_macros_flags_and_user(self):
        inst = self.pipe_instance()
        self.sendmail(inst, ["-f", "alice@example.org",
                             "Bob+Ext@each.test"], MSG)
        rec = self.records(inst, 1)[0]
        self.assertEqual(rec["argv"], [
            "alice@example.org", "Bob+Ext@each.test", "Bob", "Ext",
            "each.test", "each.test", "Bob+Ext"])
        self.assertEqual(rec["uid"], pwd.getpwnam(inst.pipe_user).pw_uid)
        head, body = rec["stdin"].split("\n\n", 1)
        self.assertIn("Return-Path: <alice@example.org>", head)
        self.assertIn("Delivered-To: Bob+Ext@each.test", head)
        self.assertIn("X-Original-To: Bob+Ext@each.test", head)
        self.assertNotIn("\r", rec["stdin"])
        self.assertEqual(body, "line one\n.dot line\nFrom here\n")
        inst.wait_for_log(r"to=<Bob\+Ext@each\.test>, relay=each, .*"
                          r"dsn=2\.0\.0, status=sent")
        self.wait_removed(inst)

    def test_lowercase_and_quoting_flags(self):
        inst = self.pipe_instance(flags="uh.>")
        self.sendmail(inst, ["-f", "a@example.org", "MiXed@EACH.test"], MSG)
        rec = self.records(inst, 1)[0]
        self.assertEqual(rec["argv"][1:5],
                         ["mixed@each.test", "mixed", "", "each.test"])
        self.assertTrue(rec["stdin"].endswith(
            "line one\n..dot line\n>From here\n"), rec["stdin"])

    def test_one_run_for_all_recipients(self):
        inst = self.pipe_instance()
        self.sendmail(inst, ["-f", "a@example.org", "x@all.test",
                             "y@all.test"], MSG)
        rec = self.records(inst, 1)[0]
        self.assertEqual(rec["argv"][0], "a@example.org")
        self.assertTrue(rec["stdin"].startswith("From a@example.org "))
        inst.wait_for_log(r"to=<y@all\.test>, relay=all, .*status=sent")
        self.wait_removed(inst)
        self.assertEqual(len(glob.glob(os.path.join(inst.pipe_out,
                                                    "*.json"))), 1)

    def test_exit_codes(self):
        inst = self.pipe_instance()
        self.sendmail(inst, ["-f", "carol@example.org", "exit67@each.test",
                             "exit75@each.test", "exit0@each.test",
                             "exit1@each.test"], MSG)
        inst.wait_for_log(r"to=<exit0@each\.test>, relay=each, .*"
                          r"status=sent")
        inst.wait_for_log(r"to=<exit75@each\.test>, relay=each, .*"
                          r"dsn=4\.3\.0, status=deferred")
        notice = self.notice(inst, "carol@example.org")
        status = notice.get_payload()[1].get_payload()
        failed = {b["Final-Recipient"].split(";")[1].strip():
                  (b["Status"], b["Diagnostic-Code"]) for b in status[1:]}
        self.assertEqual(set(failed), {"exit67@each.test",
                                       "exit1@each.test"})
        self.assertEqual(failed["exit67@each.test"][0], "5.1.1")
        self.assertIn("pipe-command saw exit67",
                      " ".join(failed["exit67@each.test"][1].split()))
        self.assertEqual(failed["exit1@each.test"][0], "5.3.0")

    def test_time_limit_defers(self):
        inst = self.pipe_instance(limit="2s")
        self.sendmail(inst, ["-f", "a@example.org", "sleep@each.test"], MSG)
        m = inst.wait_for_log(r"to=<sleep@each\.test>, relay=each, .*"
                              r"dsn=4\.3\.0, status=deferred \(([^)]*)")
        self.assertIn("time limit", m.group(1))

    def test_size_limit_bounces_without_running(self):
        inst = self.pipe_instance()
        self.sendmail(inst, ["-f", "dave@example.org", "x@small.test"], MSG)
        inst.wait_for_log(r"to=<x@small\.test>, relay=small, .*"
                          r"dsn=5\.2\.3, status=bounced")
        self.notice(inst, "dave@example.org")
        self.assertEqual(glob.glob(os.path.join(inst.pipe_out, "*.json")),
                         [])

    def test_misspelt_macro_stops_the_service(self):
        inst = self.pipe_instance()
        self.sendmail(inst, ["-f", "a@example.org", "x@typo.test"], MSG)
        inst.wait_for_log(r"fatal: service typo: argument \"\$\{recipent\}"
                          r"\": unknown macro \$recipent")
        # The message waits (the master keeps retrying the service with
        # back-off); it is neither bounced nor handed to a command.
        inst.wait_for_log(r"service typo/unix: throttled")
        self.assertNotIn("status=bounced", inst.log())
        self.assertEqual(glob.glob(os.path.join(inst.pipe_out, "*.json")),
                         [])
        self.assertEqual(len(self.queue_files(inst, "active")), 1)


if __name__ == "__main__":
    import unittest
    unittest.main()
