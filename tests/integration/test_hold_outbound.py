# SPDX-License-Identifier: MIT
"""Mail that waits for a flush: hold_outbound = yes (the guide's "Hold
Outbound Mail") keeps remote mail queued while local mail is delivered,
defer_transports does it for named transports, and `postern queue
flush [DOMAIN]` sends what waits, all of it or one domain's. Transports
are the postern-test-sinkd agent (queue_util.py)."""

import os

from harness import wait_for
from queue_util import HOST, QueueTestCase

MSG = "Subject: hold test\n\nbody\n"


class HoldOutboundTest(QueueTestCase):

    def in_sink(self, inst, rcpt):
        return os.path.exists(os.path.join(inst.sink, rcpt))

    def test_remote_waits_local_goes_until_flush(self):
        inst = self.sink_instance(main_cf={"hold_outbound": "yes"})
        local = "carol@" + HOST
        self.sendmail(inst, ["-f", "a@example.org", local,
                             "bob@remote.test"], MSG)
        self.sunk(inst, local)
        inst.wait_for_log(r"to=<bob@remote\.test>, relay=sink, .*"
                          r"dsn=4\.3\.2, status=deferred \(outbound mail "
                          r"is held")
        self.assertFalse(self.in_sink(inst, "bob@remote.test"))
        self.postern(inst, "queue", "flush")
        self.sunk(inst, "bob@remote.test")
        self.wait_removed(inst)
        # The switch still holds what comes after the flush.
        mark = inst.log_mark()
        self.sendmail(inst, ["-f", "a@example.org", "dan@remote.test"], MSG)
        inst.wait_for_log(r"to=<dan@remote\.test>, .*status=deferred",
                          start=mark)
        self.assertFalse(self.in_sink(inst, "dan@remote.test"))

    def test_flush_one_domain(self):
        inst = self.sink_instance(main_cf={"hold_outbound": "yes"})
        self.sendmail(inst, ["-f", "a@example.org", "x@one.test"], MSG)
        self.sendmail(inst, ["-f", "a@example.org", "y@mx.two.test"], MSG)
        for rcpt in (r"x@one\.test", r"y@mx\.two\.test"):
            inst.wait_for_log(r"to=<%s>, .*status=deferred" % rcpt)
        self.postern(inst, "queue", "flush", "two.test")
        self.sunk(inst, "y@mx.two.test")
        inst.wait_for_log(r"flush: deferred mail for two\.test")
        self.assertFalse(self.in_sink(inst, "x@one.test"))
        self.assertEqual(len(self.queue_files(inst, "deferred")), 1)
        bad = self.postern(inst, "queue", "flush", "bad/domain", ok=False)
        self.assertEqual(bad.returncode, 2)

    def test_defer_transports(self):
        inst = self.sink_instance(main_cf={
            "transport_maps": "inline:{later.test=later}",
            "defer_transports": "later",
        }, extra_services=[], start=False)
        inst.write_config(services=inst.services + [
            "later unix - - n - - postern-test-sinkd " + inst.sink])
        inst.start()
        self.sendmail(inst, ["-f", "a@example.org", "x@later.test",
                             "y@remote.test"], MSG)
        self.sunk(inst, "y@remote.test")
        inst.wait_for_log(r"to=<x@later\.test>, relay=later, .*"
                          r"status=deferred \(deferred transport\)")
        self.assertFalse(self.in_sink(inst, "x@later.test"))
        self.postern(inst, "queue", "flush")
        self.sunk(inst, "x@later.test")
        wait_for(lambda: not self.queue_files(inst, "deferred"),
                 what="the queue to empty")


if __name__ == "__main__":
    import unittest
    unittest.main()
