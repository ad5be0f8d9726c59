# SPDX-License-Identifier: MIT
"""smtpd against real clients (smtplib, swaks, raw sockets): the
protocol, content handling, BDAT, SMTP smuggling sequences, and the
queue files behind each 250. The instance's mynetworks holds 127.0.0.1,
so mail to remote domains is relayed and needs no users database."""

import os
import re
import smtplib
import subprocess

from smtpd_support import HOSTNAME, SmtpdCase, queue_id_of

RCPT = "someone@remote.example"
SENDER = "sender@origin.example"


class SmtpdProtocol(SmtpdCase):

    def send(self, body, rcpts=(RCPT,), mail_options=(), rcpt_options=()):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as s:
            s.ehlo("client.example.test")
            code, _ = s.mail(SENDER, list(mail_options))
            self.assertEqual(code, 250)
            for r in rcpts:
                code, _ = s.rcpt(r, list(rcpt_options))
                self.assertEqual(code, 250)
            code, text = s.data(body)
            self.assertEqual(code, 250, text)
            return queue_id_of(text.decode())

    def test_greeting_and_ehlo(self):
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as s:
            code, text = s.ehlo("client.example.test")
            self.assertEqual(code, 250)
            lines = text.decode().split("\n")
            self.assertEqual(lines[0], HOSTNAME)
            for ext in ("PIPELINING", "SIZE 10240000", "8BITMIME",
                        "ENHANCEDSTATUSCODES", "SMTPUTF8", "DSN",
                        "CHUNKING"):
                self.assertIn(ext, lines)
            self.assertNotIn("VRFY", lines)

    def test_banner_text(self):
        c = self.raw(greet=False)
        self.assertEqual(c.text(), "220 %s ESMTP Postern" % HOSTNAME)

    def test_queue_file_with_dsn_parameters(self):
        body = b"Subject: dsn\r\nFrom: a@b\r\n\r\nline one\r\nline two\r\n"
        qid = self.send(body, rcpts=(RCPT,),
                        mail_options=("RET=HDRS", "ENVID=QQ+2B1"),
                        rcpt_options=("NOTIFY=SUCCESS,FAILURE",
                                      "ORCPT=rfc822;orig@remote.example"))
        self.assertRegex(qid, r"^[0-9A-Z]{12,24}$")
        q = self.queued(qid)
        self.assertEqual(q.sender, SENDER)
        self.assertEqual(q.recipients, [RCPT])
        self.assertEqual(q.rcpts[0]["n"], b"6")
        self.assertEqual(q.rcpts[0]["o"], b"rfc822;orig@remote.example")
        self.assertEqual(q.field("N"), "HDRS")
        self.assertEqual(q.field("E"), "QQ+2B1")
        self.assertEqual(q.field("A"), "127.0.0.1")
        self.assertEqual(q.field("H"), "client.example.test")
        self.assertEqual(q.field("P"), "ESMTP")
        received = q.content.split(b"\r\n\tfor")[0].decode()
        self.assertRegex(received, r"^Received: from client\.example\.test "
                         r"\(\S+ \[127\.0\.0\.1\]\)\r\n\tby " +
                         re.escape(HOSTNAME) + r" \(Postern\) with ESMTP "
                         r"id " + qid + "$")
        self.assertIn(b"\tfor <%s>; " % RCPT.encode(), q.content)
        self.assertTrue(q.content.endswith(body))
        self.assertEqual(q.body, b"line one\r\nline two\r\n")
        self.wait_log(r"%s: client=\S+\[127\.0\.0\.1\]" % qid)

    def test_several_recipients_no_for_clause(self):
        qid = self.send(b"Subject: two\r\n\r\nx\r\n",
                        rcpts=(RCPT, "other@remote.example"))
        q = self.queued(qid)
        self.assertEqual(q.recipients, [RCPT, "other@remote.example"])
        self.assertNotIn(b"\tfor <", q.content.split(b"\r\n\r\n")[0])

    def test_8bit_body_kept(self):
        body = b"Subject: 8bit\r\n\r\n" + bytes(range(128, 256)) + b"\r\n"
        q = self.queued(self.send(body, mail_options=("BODY=8BITMIME",)))
        self.assertEqual(q.field("B"), "8BITMIME")
        self.assertTrue(q.content.endswith(body))

    def test_smtputf8(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.send("MAIL FROM:<j\u00f6rg@origin.example> SMTPUTF8\r\n".encode())
        self.assertEqual(c.text(), "250 2.1.0 Ok")
        c.send("RCPT TO:<\u00fcser@remote.example>\r\n".encode())
        self.assertEqual(c.text(), "250 2.1.5 Ok")
        self.assertEqual(c.cmd("DATA")[:3], "354")
        c.send("Subject: \u00e9t\u00e9\r\n\r\nbody\r\n.\r\n".encode())
        q = self.queued(queue_id_of(c.text()))
        self.assertEqual(q.sender, "j\u00f6rg@origin.example")
        self.assertEqual(q.recipients, ["\u00fcser@remote.example"])
        self.assertEqual(q.field("Y"), "1")
        self.assertIn(b" with UTF8SMTP id ", q.content)
        # Without SMTPUTF8, UTF-8 in a path is a syntax error.
        self.assertEqual(c.cmd("MAIL FROM:<%s>" % SENDER), "250 2.1.0 Ok")
        c.send("RCPT TO:<\u00fcser@remote.example>\r\n".encode())
        self.assertEqual(c.code(), 501)

    def test_helo_client_queued_as_smtp(self):
        c = self.raw()
        c.cmd("HELO client.example.test")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        c.cmd("RCPT TO:<%s>" % RCPT)
        self.assertEqual(c.cmd("DATA")[:3], "354")
        c.send("Subject: x\r\n\r\ny\r\n.\r\n")
        q = self.queued(queue_id_of(c.text()))
        self.assertEqual(q.field("P"), "SMTP")

    def test_998_character_lines(self):
        line = b"x" * 998
        body = b"Subject: long\r\n\r\n" + line + b"\r\n" + line + b"\r\n"
        q = self.queued(self.send(body))
        self.assertTrue(q.content.endswith(body))

    def test_lines_starting_with_dots(self):
        body = b"Subject: dots\r\n\r\n.\r\n..\r\n.x\r\n...y\r\nend\r\n"
        q = self.queued(self.send(body))
        self.assertTrue(q.content.endswith(body))

    def test_nine_megabyte_message(self):
        chunk = (b"0123456789" * 9 + b"abcdefgh\r\n")
        body = b"Subject: big\r\n\r\n" + chunk * (9 * 1024 * 1024 //
                                                 len(chunk))
        q = self.queued(self.send(body))
        self.assertEqual(len(q.body), len(body) - len(b"Subject: big\r\n"
                                                      b"\r\n"))
        self.assertTrue(q.content.endswith(body))

    def test_size_over_limit_at_mail(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        self.assertEqual(c.cmd("MAIL FROM:<%s> SIZE=20000000" % SENDER),
                         "552 5.3.4 Message size exceeds fixed limit")
        self.assertEqual(c.cmd("MAIL FROM:<%s> SIZE=1000" % SENDER),
                         "250 2.1.0 Ok")

    def test_pipelining(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.send("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nRCPT TO:<bad address>\r\n"
               "RCPT TO:<b@remote.example>\r\nDATA\r\n" % (SENDER, RCPT))
        self.assertEqual(c.text(), "250 2.1.0 Ok")
        self.assertEqual(c.text(), "250 2.1.5 Ok")
        self.assertEqual(c.code(), 501)
        self.assertEqual(c.text(), "250 2.1.5 Ok")
        self.assertEqual(c.code(), 354)
        c.send("Subject: p\r\n\r\nhi\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n")
        qid = queue_id_of(c.text())
        self.assertEqual(c.text(), "250 2.0.0 Ok")
        self.assertEqual(c.text(), "250 2.0.0 Ok")
        self.assertEqual(c.text(), "221 2.0.0 Bye")
        self.assertTrue(c.closed())
        self.assertEqual(self.queued(qid).recipients,
                         [RCPT, "b@remote.example"])

    def test_long_pipeline_all_answered(self):
        # More replies than the server holds back at once (64 KiB).
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.send("NOOP\r\n" * 8000 + "QUIT\r\n")
        for _ in range(8000):
            self.assertEqual(c.text(), "250 2.0.0 Ok")
        self.assertEqual(c.text(), "221 2.0.0 Bye")

    def test_bdat(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        c.cmd("RCPT TO:<%s>" % RCPT)
        part1 = b"Subject: bdat\r\n\r\nfirst "
        part2 = b"second\r\n.\r\nQUIT\r\n"
        c.send(b"BDAT %d\r\n" % len(part1) + part1)
        self.assertEqual(c.text(), "250 2.0.0 Ok: %d octets received"
                         % len(part1))
        # Pipelined: the chunk and the next command in one write.
        c.send(b"BDAT %d LAST\r\n" % len(part2) + part2 + b"NOOP\r\n")
        qid = queue_id_of(c.text())
        self.assertEqual(c.text(), "250 2.0.0 Ok")
        self.assertTrue(self.queued(qid).content.endswith(part1 + part2))

    def test_bdat_without_transaction_consumes_chunk(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        chunk = b"QUIT\r\nRSET\r\n"
        c.send(b"BDAT %d LAST\r\n" % len(chunk) + chunk + b"NOOP\r\n")
        self.assertEqual(c.code(), 503)
        self.assertEqual(c.text(), "250 2.0.0 Ok")

    def test_bdat_empty_last_chunk(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        c.cmd("RCPT TO:<%s>" % RCPT)
        c.send(b"BDAT 5\r\nabc\r\n")
        self.assertEqual(c.code(), 250)
        qid = queue_id_of(c.cmd("BDAT 0 LAST"))
        self.assertTrue(self.queued(qid).content.endswith(b"\r\nabc\r\n"))

    def test_data_without_recipient(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        self.assertEqual(c.cmd("DATA"), "503 5.5.1 Error: need RCPT command")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        self.assertEqual(c.cmd("DATA"), "554 5.5.1 Error: no valid "
                         "recipients")

    def test_nested_mail_and_rset(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        self.assertEqual(c.cmd("RCPT TO:<%s>" % RCPT),
                         "503 5.5.1 Error: need MAIL command")
        c.cmd("MAIL FROM:<>")
        self.assertEqual(c.cmd("MAIL FROM:<>"),
                         "503 5.5.1 Error: nested MAIL command")
        self.assertEqual(c.cmd("RSET"), "250 2.0.0 Ok")
        self.assertEqual(c.cmd("MAIL FROM:<>"), "250 2.1.0 Ok")

    def test_vrfy_disabled_and_help(self):
        c = self.raw()
        self.assertTrue(c.cmd("VRFY postmaster").startswith("252 "))
        self.assertTrue(c.cmd("HELP").startswith("214"))

    def test_helo_has_no_enhanced_codes(self):
        c = self.raw()
        self.assertEqual(c.cmd("HELO client.example.test"), "250 " + HOSTNAME)
        self.assertEqual(c.cmd("MAIL FROM:<%s>" % SENDER), "250 Ok")
        # Not announced to a HELO client: RFC 5321 §4.1.1.11.
        c.cmd("RSET")
        self.assertEqual(c.cmd("MAIL FROM:<%s> SIZE=10" % SENDER)[:3], "555")

    def test_line_too_long_tail_ignored(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.send(b"NOOP " + b"x" * 3000 + b"QUIT\r\nNOOP\r\n")
        self.assertEqual(c.text(), "500 5.5.6 Error: line too long")
        self.assertEqual(c.text(), "250 2.0.0 Ok")

    def test_disconnect_log_line(self):
        mark = self.inst.log_mark()
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        c.cmd("RCPT TO:<bad address>")
        c.cmd("QUIT")
        self.wait_log(r"disconnect from \S+\[127\.0\.0\.1\] ehlo=1 mail=1 "
                      r"rcpt=0/1 quit=1 commands=3/4", start=mark)

    def test_swaks(self):
        out = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.port),
             "--from", SENDER, "--to", RCPT, "--helo", "swaks.example.test",
             "--pipeline", "--body", "hello from swaks"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        text = out.stdout.decode()
        self.assertEqual(out.returncode, 0, text)
        qid = re.search(r"queued as (\S+)", text).group(1)
        self.assertIn(b"hello from swaks", self.queued(qid).body)


# Each sequence a lax server might take as the end of DATA (CVE-2023-51764).
SMUGGLING = [b"\n.\n", b"\n.\r\n", b"\r.\n", b"\r.\r\n", b"\r\n.\n",
             b"\r\n.\r", b".\n", b"\r\n\x00.\r\n"]


class SmtpdSmuggling(SmtpdCase):

    def test_sequences_never_end_data(self):
        for seq in SMUGGLING:
            with self.subTest(seq=seq):
                self.check(seq)

    def check(self, seq):
        before = set(self.queue_ids())
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        c.cmd("RCPT TO:<%s>" % RCPT)
        self.assertEqual(c.cmd("DATA")[:3], "354")
        smuggled = (b"MAIL FROM:<evil@spoof.example>\r\n"
                    b"RCPT TO:<victim@remote.example>\r\nDATA\r\n"
                    b"Subject: smuggled\r\n\r\nevil\r\n")
        c.send(b"Subject: outer\r\n\r\nbody" + seq + smuggled +
               b"\r\n.\r\nQUIT\r\n")
        qid = queue_id_of(c.text())
        self.assertEqual(c.text(), "221 2.0.0 Bye")
        self.assertTrue(c.closed())
        new = set(self.queue_ids()) - before
        self.assertEqual(new, {qid}, "exactly one message")
        q = self.queued(qid)
        self.assertEqual(q.sender, SENDER)
        self.assertEqual(q.recipients, [RCPT])
        self.assertIn(b"Subject: smuggled", q.body)
        self.assertIn(b"evil", q.body)


class SmtpdLimits(SmtpdCase):
    MAIN_CF = {"smtpd_recipient_limit": "3", "smtpd_hard_error_limit": "5",
               "message_size_limit": "100000"}

    def test_recipient_limit(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        for i in range(3):
            self.assertEqual(c.cmd("RCPT TO:<r%d@remote.example>" % i),
                             "250 2.1.5 Ok")
        self.assertEqual(c.cmd("RCPT TO:<r4@remote.example>"),
                         "452 4.5.3 Error: too many recipients")
        self.assertEqual(c.cmd("DATA")[:3], "354")
        c.send("Subject: x\r\n\r\ny\r\n.\r\n")
        qid = queue_id_of(c.text())
        self.assertEqual(len(self.queued(qid).recipients), 3)

    def test_error_limit(self):
        mark = self.inst.log_mark()
        c = self.raw()
        c.cmd("EHLO client.example.test")
        for _ in range(4):
            self.assertEqual(c.cmd("BOGUS")[:3], "500")
        c.send("BOGUS\r\n")
        self.assertEqual(c.code(), 500)
        self.assertEqual(c.text()[:10], "421 4.7.0 ")
        self.assertTrue(c.closed())
        self.wait_log(r"too many errors after UNKNOWN from \S+\[127\.0\.0\.1\]",
                      start=mark)

    def test_oversize_data_not_queued(self):
        before = set(self.queue_ids())
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        c.cmd("RCPT TO:<%s>" % RCPT)
        self.assertEqual(c.cmd("DATA")[:3], "354")
        c.send(b"Subject: big\r\n\r\n" + (b"y" * 998 + b"\r\n") * 200 +
               b".\r\n")
        self.assertEqual(c.text(), "552 5.3.4 Message size exceeds fixed "
                         "limit")
        self.assertEqual(c.cmd("NOOP"), "250 2.0.0 Ok")
        self.assertEqual(set(self.queue_ids()), before)
        self.wait_no_temp_files()

    def test_oversize_bdat_not_queued(self):
        before = set(self.queue_ids())
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        c.cmd("RCPT TO:<%s>" % RCPT)
        chunk = b"z" * 80000
        c.send(b"BDAT %d\r\n" % len(chunk) + chunk)
        self.assertEqual(c.code(), 250)
        c.send(b"BDAT %d LAST\r\n" % len(chunk) + chunk)
        self.assertEqual(c.text()[:10], "552 5.3.4 ")
        self.assertEqual(c.cmd("NOOP"), "250 2.0.0 Ok")
        self.assertEqual(set(self.queue_ids()), before)


class SmtpdTimeout(SmtpdCase):
    MAIN_CF = {"smtpd_timeout": "1s"}

    def test_idle_client_gets_421(self):
        mark = self.inst.log_mark()
        c = self.raw()
        # No enhanced code before EHLO (RFC 2034 §3).
        self.assertEqual(c.text(), "421 %s Error: timeout exceeded"
                         % HOSTNAME)
        self.assertTrue(c.closed())
        self.wait_log(r"timeout after CONNECT from \S+\[127\.0\.0\.1\]",
                      start=mark)

    def test_timeout_in_data_queues_nothing(self):
        mark = self.inst.log_mark()
        before = set(self.queue_ids())
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        c.cmd("RCPT TO:<%s>" % RCPT)
        self.assertEqual(c.cmd("DATA")[:3], "354")
        c.send(b"Subject: slow\r\n\r\npart")
        self.assertEqual(c.text()[:10], "421 4.4.2 ")
        self.assertTrue(c.closed())
        self.wait_log(r"timeout after DATA \(\d+ bytes\) from ", start=mark)
        self.assertEqual(set(self.queue_ids()), before)
        self.wait_no_temp_files()


class SmtpdQueueMinfree(SmtpdCase):
    MAIN_CF = {"queue_minfree": "1000000g"}

    def test_mail_refused_when_disk_short(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        self.assertEqual(c.cmd("MAIL FROM:<%s>" % SENDER),
                         "452 4.3.1 Insufficient system storage")


class SmtpdQueueMinfreeMidData(SmtpdCase):
    """queue_minfree just below the free space: the message eats the rest."""

    MAIN_CF = {"message_size_limit": "0"}
    MARGIN = 24 * 1024 * 1024

    def free_bytes(self):
        st = os.statvfs(self.inst.queue_dir)
        return st.f_bavail * st.f_frsize

    def test_452_when_space_runs_out_mid_data(self):
        before = set(self.queue_ids())
        line = b"m" * 998 + b"\r\n"
        for _ in range(3):
            # Other processes write too: retry if MAIL already sees it.
            self.inst.reload(main_cf={"queue_minfree": str(
                self.free_bytes() - self.MARGIN)})
            c = self.raw()
            c.cmd("EHLO client.example.test")
            if c.cmd("MAIL FROM:<%s>" % SENDER) == "250 2.1.0 Ok":
                break
            c.close()
        else:
            self.fail("MAIL refused three times")
        c.cmd("RCPT TO:<%s>" % RCPT)
        self.assertEqual(c.cmd("DATA")[:3], "354")
        for _ in range(3 * self.MARGIN // len(line) // 1024):
            c.send(line * 1024)
        c.send(b".\r\n")
        self.assertEqual(c.text(), "452 4.3.1 Insufficient system storage")
        self.assertEqual(set(self.queue_ids()), before)
        self.wait_no_temp_files()


if __name__ == "__main__":
    import unittest
    unittest.main()
