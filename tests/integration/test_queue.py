# SPDX-License-Identifier: MIT
"""qmgr and pickup on a real instance: delivery, retries with back-off,
expiry and non-delivery notices (RFC 3464, parsed by Python's email
package), NOTIFY, the null sender, double bounces, corrupt files and
restart from active/. Mail is submitted with sendmail; the transport is
the postern-test-sinkd agent (queue_util.py)."""

import email
import email.policy
import os
import pwd
import signal
import smtplib

from harness import bin_dir, free_port, wait_for
from queue_util import DOMAIN, HOST, QueueTestCase

MSG = "Subject: queue test\nTo: someone\n\nline one\n.line two\n"


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def report_parts(notice):
    """(text part, per-message fields, [per-recipient fields], original)."""
    self_parts = notice.get_payload()
    status = self_parts[1]
    blocks = status.get_payload()
    return self_parts[0], blocks[0], blocks[1:], self_parts[2] \
        if len(self_parts) > 2 else None


class DeliveryTest(QueueTestCase):

    def test_delivered_and_removed_with_headers_completed(self):
        inst = self.sink_instance()
        self.sendmail(inst, ["-f", "alice@example.org", "bob@remote.test"],
                      MSG)
        raw = self.sunk(inst, "bob@remote.test")
        qid = self.wait_removed(inst)
        self.assertRegex(inst.log(), qid + r": from=<alice@example.org>, "
                         r"size=\d+, nrcpt=1 \(queue active\)")
        head, _, body = raw.partition(b"\r\n\r\n")
        # pickup added what was missing, and CR LF line ends.
        self.assertIn(b"Received: by " + HOST.encode(), head)
        self.assertRegex(head, rb"\r\nDate: \w{3}, ")
        self.assertIn(b"Message-ID: <" + qid.encode() + b"@", head)
        self.assertIn(b"From: alice@example.org", head)
        self.assertEqual(body, b"line one\r\n.line two\r\n")
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))
        self.wait_idle_queue(inst)
        self.assertEqual(self.queue_files(inst, "deferred"), [])

    def test_unqualified_addresses_get_myorigin(self):
        inst = self.sink_instance()
        self.sendmail(inst, ["-f", "alice", "bob"], MSG)
        raw = self.sunk(inst, "bob@" + DOMAIN)
        self.assertIn(b"From: alice@" + DOMAIN.encode(), raw)


class RetryTest(QueueTestCase):

    def test_deferred_recipient_is_retried_with_backoff(self):
        inst = self.sink_instance()
        self.sendmail(inst, ["-f", "alice@example.org", "bob@remote.test",
                             "defer-me@remote.test"], MSG)
        qid = self.queue_id_of(inst)
        self.sunk(inst, "bob@remote.test")
        wait_for(lambda: self.attempts(inst, qid) >= 3,
                 what="three passes of the message")
        # Delivered recipients are never tried again.
        self.assertEqual(inst.log().count("to=<bob@remote.test>"), 1)
        self.assertGreaterEqual(
            inst.log().count("to=<defer-me@remote.test>"), 2)
        listing = self.postern(inst, "queue", "list").stdout
        self.assertIn(qid, listing)
        self.assertIn("(sink says: try again later)", listing)
        self.assertIn("defer-me@remote.test", listing)
        self.assertNotIn("bob@remote.test", listing)

    def test_no_agent_defers_instead_of_losing(self):
        inst = self.sink_instance({"default_transport": "smtp"})
        self.sendmail(inst, ["-f", "alice@example.org", "bob@remote.test"],
                      MSG)
        m = inst.wait_for_log(r"to=<bob@remote.test>, relay=none, .*"
                              r"dsn=4\.3\.0, status=deferred \(mail "
                              r"transport unavailable")
        self.assertTrue(m)
        wait_for(lambda: self.queue_files(inst, "deferred"),
                 what="the message in deferred/")


class NoticeTest(QueueTestCase):

    def notice_for(self, inst, sender):
        raw = self.sunk(inst, sender)
        return parse(raw)

    def test_expired_mail_returns_a_dsn(self):
        inst = self.sink_instance({"maximal_queue_lifetime": "0"})
        self.sendmail(inst, ["-f", "carol@example.org", "-V", "ENV+2B1",
                             "defer-x@remote.test"], MSG)
        qid = self.queue_id_of(inst)
        notice = self.notice_for(inst, "carol@example.org")
        inst.wait_for_log(qid + r": from=<carol@example.org>, "
                          r"status=expired, returned to sender")
        inst.wait_for_log(qid + r": sender non-delivery notification: \w+")
        self.wait_removed(inst)
        self.assertEqual(notice.get_content_type(), "multipart/report")
        self.assertEqual(notice.get_param("report-type"), "delivery-status")
        self.assertEqual(notice["To"], "<carol@example.org>")
        self.assertIn("MAILER-DAEMON@" + HOST, notice["From"])
        self.assertEqual(notice["Auto-Submitted"], "auto-replied")
        text, per_msg, per_rcpt, original = report_parts(notice)
        self.assertEqual(text.get_content_type(), "text/plain")
        self.assertEqual(per_msg["Reporting-MTA"], "dns; " + HOST)
        self.assertEqual(per_msg["Original-Envelope-Id"], "ENV+1")
        self.assertTrue(per_msg["Arrival-Date"])
        self.assertEqual(len(per_rcpt), 1)
        self.assertEqual(per_rcpt[0]["Final-Recipient"],
                         "rfc822; defer-x@remote.test")
        self.assertEqual(per_rcpt[0]["Action"], "failed")
        self.assertEqual(per_rcpt[0]["Status"], "4.4.1")
        self.assertIn("try again later", per_rcpt[0]["Diagnostic-Code"])
        self.assertTrue(per_rcpt[0]["Last-Attempt-Date"])
        # RET not given: the whole original comes back.
        self.assertEqual(original.get_content_type(), "message/rfc822")
        inner = original.get_payload()[0]
        self.assertEqual(inner["Subject"], "queue test")
        self.assertIn("line one", inner.get_payload())

    def test_permanent_failure_and_ret_hdrs(self):
        inst = self.sink_instance()
        self.sendmail(inst, ["-f", "dave@example.org", "-R", "hdrs",
                             "bounce-1@remote.test", "ok@remote.test"], MSG)
        notice = self.notice_for(inst, "dave@example.org")
        self.sunk(inst, "ok@remote.test")
        _, _, per_rcpt, original = report_parts(notice)
        self.assertEqual([r["Final-Recipient"] for r in per_rcpt],
                         ["rfc822; bounce-1@remote.test"])
        self.assertEqual(per_rcpt[0]["Status"], "5.1.1")
        self.assertEqual(original.get_content_type(), "text/rfc822-headers")
        self.assertNotIn("line one", original.as_string())
        self.wait_removed(inst)

    def test_bounced_recipient_notified_while_others_wait(self):
        inst = self.sink_instance({"minimal_backoff_time": "1h",
                                   "maximal_backoff_time": "1h"})
        self.sendmail(inst, ["-f", "erin@example.org", "bounce-2@remote.test",
                             "defer-2@remote.test"], MSG)
        qid = self.queue_id_of(inst)
        notice = self.notice_for(inst, "erin@example.org")
        _, _, per_rcpt, _ = report_parts(notice)
        self.assertEqual(len(per_rcpt), 1)
        wait_for(lambda: qid in self.queue_files(inst, "deferred"),
                 what="the rest deferred")
        # Flushing retries the deferred one; no second notice.
        mark = inst.log_mark()
        self.postern(inst, "queue", "flush")
        inst.wait_for_log(qid + r": from=<", start=mark)
        inst.wait_for_log(r"to=<defer-2@remote.test>.*status=deferred",
                          start=mark)
        self.assertEqual(inst.log().count("non-delivery notification"), 1)

    def test_null_sender_gets_no_notice(self):
        inst = self.sink_instance()
        self.sendmail(inst, ["-f", "<>", "bounce-3@remote.test"], MSG)
        qid = self.queue_id_of(inst)
        inst.wait_for_log(qid + r": removed")
        self.assertNotIn("notification", inst.log())
        self.assertEqual(os.listdir(inst.sink), [])

    def test_notify_never_and_success(self):
        inst = self.sink_instance()
        self.sendmail(inst, ["-f", "fay@example.org", "-N", "never",
                             "bounce-4@remote.test"], MSG)
        self.wait_removed(inst)
        mark = inst.log_mark()
        self.sendmail(inst, ["-f", "fay@example.org", "-N", "success,failure",
                             "gil@remote.test"], MSG)
        inst.wait_for_log(r"sender delivery status notification", start=mark)
        notice = self.notice_for(inst, "fay@example.org")
        _, _, per_rcpt, original = report_parts(notice)
        self.assertEqual(per_rcpt[0]["Action"], "delivered")
        self.assertEqual(per_rcpt[0]["Status"], "2.0.0")
        self.assertEqual(original.get_content_type(), "text/rfc822-headers")
        self.assertNotIn("non-delivery", inst.log())

    def test_failed_notice_goes_to_postmaster(self):
        inst = self.sink_instance()
        self.sendmail(inst, ["-f", "bounce-sender@remote.test",
                             "bounce-5@remote.test"], MSG)
        raw = self.sunk(inst, "postmaster@" + DOMAIN)
        notice = parse(raw)
        _, _, per_rcpt, _ = report_parts(notice)
        self.assertEqual(per_rcpt[0]["Final-Recipient"],
                         "rfc822; bounce-sender@remote.test")
        # The postmaster's copy was delivered; nothing loops.
        wait_for(lambda: inst.log().count(": removed") == 3,
                 what="all three messages removed")
        self.assertEqual(inst.log().count("notification"), 2)

    def test_delay_warning_is_sent_once(self):
        inst = self.sink_instance({"delay_warning_time": "1s"})
        self.sendmail(inst, ["-f", "hal@example.org", "defer-6@remote.test"],
                      MSG)
        qid = self.queue_id_of(inst)
        notice = self.notice_for(inst, "hal@example.org")
        self.assertIn("Delayed Mail", notice["Subject"])
        _, _, per_rcpt, _ = report_parts(notice)
        self.assertEqual(per_rcpt[0]["Action"], "delayed")
        self.assertTrue(per_rcpt[0]["Will-Retry-Until"])
        wait_for(lambda: self.attempts(inst, qid) >= 4, what="more passes")
        self.assertEqual(inst.log().count("sender delay notification"), 1)


class RobustnessTest(QueueTestCase):

    def test_corrupt_file_moves_to_corrupt_and_queue_goes_on(self):
        inst = self.sink_instance()
        bad = "1NGDYZ5T01KAH0W9"
        path = os.path.join(inst.queue_dir, "incoming", bad)
        with open(path, "wb") as f:
            f.write(b"POSTERNQ" + b"\x00" * 20 + b"garbage")
        if os.geteuid() == 0:
            import pwd
            pw = pwd.getpwnam("postern")
            os.chown(path, pw.pw_uid, pw.pw_gid)
        self.postern(inst, "queue", "flush")
        inst.wait_for_log(bad + r": corrupt queue file: .*moved to corrupt")
        self.assertEqual(self.queue_files(inst, "corrupt"), [bad])
        self.sendmail(inst, ["-f", "ann@example.org", "ok2@remote.test"], MSG)
        self.sunk(inst, "ok2@remote.test")

    def test_restart_delivers_what_was_left_in_active(self):
        inst = self.sink_instance({"minimal_backoff_time": "1h",
                                   "maximal_backoff_time": "1h"})
        self.sendmail(inst, ["-f", "ann@example.org", "ok3@remote.test",
                             "defer-7@remote.test"], MSG)
        qid = self.queue_id_of(inst)
        wait_for(lambda: qid in self.queue_files(inst, "deferred"),
                 what="deferral")
        inst.stop()
        inst.close_log()
        # As if qmgr had died mid-delivery: the file is in active/.
        os.rename(os.path.join(inst.queue_dir, "deferred", qid),
                  os.path.join(inst.queue_dir, "active", qid))
        mark = inst.log_mark()
        inst.start()
        inst.wait_for_log(qid + r": from=<ann@example.org>", start=mark)
        inst.wait_for_log(r"to=<defer-7@remote.test>.*status=deferred",
                          start=mark)
        wait_for(lambda: qid in self.queue_files(inst, "deferred"),
                 what="deferred again")

    def test_killed_qmgr_is_restarted_and_mail_still_flows(self):
        inst = self.sink_instance()
        svc = wait_for(lambda: inst.service("qmgr"), what="qmgr")
        wait_for(lambda: inst.service("qmgr")["pids"], what="qmgr pid")
        pid = inst.service("qmgr")["pids"][0]
        os.kill(pid, signal.SIGKILL)
        self.assertTrue(svc)
        self.sendmail(inst, ["-f", "ann@example.org", "ok4@remote.test"], MSG)
        self.sunk(inst, "ok4@remote.test", timeout=90)


class LocalDeliveryTest(QueueTestCase):
    """The real local agent (and authd) behind qmgr, from init's
    master.cf: a temporary failure of the mailbox is retried."""

    def test_read_only_maildir_is_retried_then_delivered(self):
        user = "ro@" + DOMAIN
        inst = self.mail_instance(
            users=(user,), programs=("qmgr", "local", "authd", "pickup"),
            main_cf={"myhostname": HOST, "mydomain": DOMAIN,
                     "minimal_backoff_time": "1s",
                     "maximal_backoff_time": "1s"},
            columns={"qmgr": {"wakeup": "1"}})
        # A Maildir the delivery agent may not write into.
        maildir = os.path.join(inst.root, "mail", DOMAIN, "ro", "Maildir")
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(maildir, sub))
        for top, dirs, _ in os.walk(os.path.join(inst.root, "mail")):
            os.chmod(top, 0o555)
        self.sendmail(inst, ["-f", "ann@example.org", user], MSG)
        qid = self.queue_id_of(inst)
        inst.wait_for_log(qid + r": to=<%s>, relay=local, .*"
                          r"status=deferred" % user)
        wait_for(lambda: self.attempts(inst, qid) >= 2, what="a retry")
        self.assertEqual(inst.delivered_files(), [])
        vmail = pwd.getpwnam("vmail") if os.geteuid() == 0 else None
        for top, dirs, _ in os.walk(os.path.join(inst.root, "mail")):
            os.chmod(top, 0o755)
            if vmail is not None:
                os.chown(top, vmail.pw_uid, vmail.pw_gid)
        wait_for(lambda: inst.delivered_files(), timeout=30,
                 what="delivery after the mailbox was fixed")
        inst.wait_for_log(qid + r": removed")
        with open(inst.delivered_files()[0][1], "rb") as f:
            self.assertIn(b"line one", f.read())


class SmtpSubmissionTest(QueueTestCase):
    """Mail received by smtpd reaches qmgr through incoming/ and its
    trigger, DSN parameters included."""

    def test_smtp_to_sink_with_dsn_parameters(self):
        if not os.access(os.path.join(bin_dir(), "smtpd"), os.X_OK):
            self.skipTest("smtpd is not built")
        port = free_port()
        inst = self.sink_instance(extra_services=[
            "127.0.0.1:%d inet n - y - - smtpd" % port])
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
            s.ehlo("client.example.org")
            s.mail("ivy@example.org", ["RET=HDRS", "ENVID=smtp1"])
            s.rcpt("ok5@remote.test", ["NOTIFY=SUCCESS"])
            s.rcpt("bounce-9@remote.test",
                   ["NOTIFY=FAILURE", "ORCPT=rfc822;B9@remote.test"])
            s.data("Subject: over smtp\r\n\r\nhello\r\n")
        self.sunk(inst, "ok5@remote.test")
        wait_for(lambda: inst.log().count("notification") >= 2,
                 what="two notices")
        raw = self.sunk(inst, "ivy@example.org")
        notices = raw.split(b"From: Mail Delivery System")
        self.assertEqual(len(notices), 3, raw[:2000])
        failed = [parse(b"From: Mail Delivery System" + n)
                  for n in notices[1:] if b"Action: failed" in n][0]
        _, per_msg, per_rcpt, original = report_parts(failed)
        self.assertEqual(per_msg["Original-Envelope-Id"], "smtp1")
        self.assertEqual(per_rcpt[0]["Original-Recipient"],
                         "rfc822;B9@remote.test")
        self.assertEqual(original.get_content_type(), "text/rfc822-headers")
