# SPDX-License-Identifier: MIT
"""A destination none of whose servers answers is suspended: the first
message finds that out through the smtp agent, later ones are deferred
by qmgr without another connection attempt, and a flush ends the
suspension. The next hop is a loopback port nobody listens on."""

import re

from harness import free_port, missing_programs
from queue_util import QueueTestCase

MSG = "Subject: dead test\n\nbody\n"


class DeadDestinationTest(QueueTestCase):

    def test_suspended_then_resumed_by_flush(self):
        if missing_programs(["smtp", "qmgr", "pickup"]):
            self.skipTest("smtp, qmgr or pickup not built")
        port = free_port()
        inst = self.sink_instance(main_cf={
            "transport_maps": "inline:{dead.test=smtp:[127.0.0.1]:%d}" % port,
            "minimal_backoff_time": "600s",
            "maximal_backoff_time": "600s",
        }, start=False)
        inst.write_config(services=inst.services + [
            "smtp unix - - n - - smtp"])
        inst.start()
        self.sendmail(inst, ["-f", "a@example.org", "one@dead.test"], MSG)
        inst.wait_for_log(r"smtp:\[127\.0\.0\.1\]:%d: delivery temporarily "
                          r"suspended" % port)
        tried = len(re.findall(r"postern/smtp\[\d+\]: .*one@dead", inst.log()))
        self.assertEqual(tried, 1)
        mark = inst.log_mark()
        self.sendmail(inst, ["-f", "a@example.org", "two@dead.test"], MSG)
        inst.wait_for_log(r"qmgr\[\d+\]: \w+: to=<two@dead\.test>, relay=none,"
                          r" .*dsn=4\.4\.1, status=deferred \(delivery "
                          r"temporarily suspended", start=mark)
        self.assertNotRegex(inst.log()[mark:],
                            r"postern/smtp\[\d+\]: .*two@dead")
        # A flush ends the suspension: the agent is asked again.
        mark = inst.log_mark()
        self.postern(inst, "queue", "flush")
        inst.wait_for_log(r"postern/smtp\[\d+\]: .*to=<two@dead\.test>",
                          start=mark)


if __name__ == "__main__":
    import unittest
    unittest.main()
