# SPDX-License-Identifier: MIT
"""smtp behind the real queue: sendmail, pickup, qmgr and the smtp agent
relaying through relayhost to a Python sink (fixtures/smtp_sink.py).
Checked: a 4xx after DATA is retried and the message arrives exactly
once; a 5xx bounces, and the sender's notice carries the remote reply.
Notices to the (local) sender land in the queue tests' sink agent."""

import re

from fixtures.smtp_sink import SmtpSink
from harness import wait_for
from queue_util import HOST, QueueTestCase

MSG = b"Subject: via smtp\n\nhello over SMTP\n"
SENDER = "alice@" + HOST


class SmtpQueueTest(QueueTestCase):

    def setUp(self):
        super().setUp()
        self.remote = SmtpSink()
        self.addCleanup(self.remote.close)
        self.inst = self.sink_instance(
            main_cf={"default_transport": "smtp",
                     "relayhost": "[127.0.0.1]:%d" % self.remote.port,
                     "smtp_tls_security_level": "none"},
            extra_services=["smtp unix - - y - - smtp"])

    def test_tempfail_then_exactly_one_delivery(self):
        self.remote.tempfail_data = 1
        self.sendmail(self.inst, ["-f", SENDER, "bob@remote.test"], MSG)
        wait_for(lambda: self.remote.messages, what="the retried delivery")
        qid = self.wait_removed(self.inst)
        self.wait_idle_queue(self.inst)
        self.assertEqual(self.remote.transactions, 2)
        self.assertEqual(len(self.remote.messages), 1)
        self.assertEqual(self.remote.messages[0]["rcpts"], ["bob@remote.test"])
        self.assertIn(b"hello over SMTP\r\n", self.remote.messages[0]["data"])
        log = self.inst.log()
        self.assertRegex(log, qid + r": to=<bob@remote\.test>, relay=127\.0"
                         r"\.0\.1\[127\.0\.0\.1\]:\d+, delay=[\d.]+, "
                         r"dsn=4\.3\.0, status=deferred \(host 127\.0\.0\.1"
                         r"\[127\.0\.0\.1\]:\d+ said: 451 4\.3\.0 temporary "
                         r"failure, try again \(in reply to end of DATA "
                         r"command\)\)")
        self.assertEqual(len(re.findall(qid + r": to=<bob@remote\.test>.*"
                                        r"status=sent", log)), 1)

    def test_5xx_bounces_with_the_remote_reply(self):
        self.sendmail(self.inst, ["-f", SENDER, "rejectme@remote.test",
                                  "carol@remote.test"], MSG)
        notice = self.sunk(self.inst, SENDER)
        self.assertEqual(len(self.remote.messages), 1)
        self.assertEqual(self.remote.messages[0]["rcpts"],
                         ["carol@remote.test"])
        text = notice.decode()
        self.assertIn("Final-Recipient: rfc822; rejectme@remote.test", text)
        self.assertIn("Status: 5.1.1", text)
        self.assertIn("550 5.1.1 <rejectme@remote.test>: Recipient address "
                      "rejected: no such user", text)
        self.assertNotIn("carol@remote.test", text.split("Content-Type: "
                                                         "message/rfc822")[0]
                         .split("Content-Type: message/delivery-status")[1])
