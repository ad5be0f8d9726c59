# SPDX-License-Identifier: MIT
"""postern queue on a running instance: list (mailq layout), show, hold,
release, requeue, delete and flush, with their exit statuses."""

import os

from harness import wait_for
from queue_util import QueueTestCase

MSG = "Subject: admin test\n\nbody\n"
SLOW = {"minimal_backoff_time": "1h", "maximal_backoff_time": "1h"}


class QueueAdminTest(QueueTestCase):

    def deferred_message(self, inst, rcpt="defer-a@remote.test"):
        mark = inst.log_mark()
        self.sendmail(inst, ["-f", "ann@example.org", rcpt], MSG)
        qid = self.queue_id_of(inst, start=mark)
        wait_for(lambda: qid in self.queue_files(inst, "deferred"),
                 what="%s deferred" % qid)
        return qid

    def test_list_and_show(self):
        inst = self.sink_instance(SLOW)
        out = self.postern(inst, "queue", "list").stdout
        self.assertEqual(out, "Mail queue is empty\n")
        qid = self.deferred_message(inst)
        out = self.postern(inst, "queue", "list").stdout
        lines = out.splitlines()
        self.assertRegex(lines[0], r"^-Queue ID- +--Size-- ----Arrival "
                         r"Time---- -Sender/Recipient-------$")
        self.assertRegex(lines[1], r"^%s +\d+ \w{3} \w{3} [ \d]\d "
                         r"\d\d:\d\d:\d\d  ann@example.org$" % qid)
        self.assertEqual(lines[2].strip(), "(sink says: try again later)")
        self.assertEqual(lines[3].strip(), "defer-a@remote.test")
        self.assertRegex(out, r"-- \d+ Kbytes in 1 Request\.\n$")
        # mailq and sendmail -bp print the same.
        self.assertEqual(self.sendmail(inst, [], b"", argv0="mailq")
                         .stdout.decode(), out)
        self.assertEqual(self.sendmail(inst, ["-bp"], b"").stdout.decode(),
                         out)
        show = self.postern(inst, "queue", "show", qid).stdout
        self.assertIn("queue: deferred\n", show)
        self.assertIn("sender: <ann@example.org>\n", show)
        self.assertIn("recipient: <defer-a@remote.test> deferred 4.4.1 "
                      "(sink says: try again later)", show)
        self.assertIn("\nSubject: admin test", show)
        self.assertNotIn("body", show)
        p = self.postern(inst, "queue", "show", "1NGDYZ5T01KAH0W9", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no message 1NGDYZ5T01KAH0W9", p.stderr)

    def test_hold_release(self):
        inst = self.sink_instance(SLOW)
        qid = self.deferred_message(inst)
        out = self.postern(inst, "queue", "hold", qid).stdout
        self.assertEqual(out, "1 message placed on hold\n")
        self.assertEqual(self.queue_files(inst, "hold"), [qid])
        self.assertIn(qid + "!", self.postern(inst, "queue", "list").stdout)
        # Held mail is never scheduled, not even by a flush.
        mark = inst.log_mark()
        self.postern(inst, "queue", "flush")
        inst.wait_for_log(r"flush: all deferred mail", start=mark)
        self.assertNotIn(qid + ": from=", inst.log()[mark:])
        self.assertEqual(self.queue_files(inst, "hold"), [qid])
        out = self.postern(inst, "queue", "release", "ALL").stdout
        self.assertEqual(out, "1 message released from hold\n")
        inst.wait_for_log(qid + r": from=<ann@example.org>", start=mark)

    def test_requeue_and_flush_retry_now(self):
        inst = self.sink_instance(SLOW)
        qid = self.deferred_message(inst)
        before = self.attempts(inst, qid)
        self.assertEqual(self.postern(inst, "queue", "requeue", qid).stdout,
                         "1 message requeued\n")
        wait_for(lambda: self.attempts(inst, qid) == before + 1,
                 what="a pass after requeue")
        wait_for(lambda: qid in self.queue_files(inst, "deferred"),
                 what="deferred again")
        self.postern(inst, "queue", "flush")
        wait_for(lambda: self.attempts(inst, qid) == before + 2,
                 what="a pass after flush")

    def test_delete(self):
        inst = self.sink_instance(SLOW)
        qid = self.deferred_message(inst)
        self.deferred_message(inst, "defer-b@remote.test")
        p = self.postern(inst, "queue", "delete", qid)
        self.assertEqual(p.stdout, "1 message deleted\n")
        self.assertNotIn(qid, self.postern(inst, "queue", "list").stdout)
        p = self.postern(inst, "queue", "delete", qid, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no such message", p.stderr)
        p = self.postern(inst, "queue", "delete", "ALL", "hold")
        self.assertEqual(p.stdout, "0 messages deleted\n")
        p = self.postern(inst, "queue", "delete", "ALL", "deferred")
        self.assertEqual(p.stdout, "1 message deleted\n")
        self.assertEqual(self.postern(inst, "queue", "list").stdout,
                         "Mail queue is empty\n")

    def test_usage_errors(self):
        inst = self.sink_instance(start=False)
        for args in (["queue"], ["queue", "bogus"], ["queue", "show"],
                     ["queue", "delete", "not-an-id"],
                     ["queue", "delete", "ALL", "nowhere"]):
            p = self.postern(inst, *args, ok=False)
            self.assertEqual(p.returncode, 2, args)
            self.assertTrue(p.stderr.startswith("postern: "), p.stderr)
        p = self.postern(inst, "queue", "flush", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot wake qmgr", p.stderr)
        self.assertTrue(os.path.isdir(inst.queue_dir))
