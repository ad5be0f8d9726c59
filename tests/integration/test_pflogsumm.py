# SPDX-License-Identifier: MIT
"""Our maillog read by pflogsumm (Debian package pflogsumm), the log
analyser Postfix admins already run: DESIGN.md section 9 promises log
lines in Postfix's shape so that it counts our mail right.

A small, exact workload goes through a real instance over SMTP: 7
messages received, 9 local deliveries, 1 recipient refused at RCPT
(unknown user), 1 recipient bounced by local (a Delivered-To: loop),
whose non-delivery notice is delivered to the local sender (a 10th
delivery). pflogsumm must report exactly those numbers in its Grand
Totals.
"""

import os
import re
import shutil
import smtplib
import subprocess

from harness import InstanceTestCase, wait_for

DOMAIN = "pflogsumm.test"
SENDER = "sender@" + DOMAIN
USERS = tuple("u%d@%s" % (i, DOMAIN) for i in range(1, 8))
UNKNOWN = "nobody-here@" + DOMAIN
# (recipients, extra header lines); 7 messages, 9 recipients delivered.
WORKLOAD = (
    (["u1"], ""),
    (["u2"], ""),
    (["u3"], ""),
    (["u4"], ""),
    (["u1", "u2", "u3"], ""),
    (["u5", UNKNOWN], ""),                  # one refused at RCPT
    (["u6", "u7"], "Delivered-To: u7@%s\r\n" % DOMAIN),  # u7 loops
)
EXPECTED = {"received": 7, "delivered": 10, "forwarded": 0, "deferred": 0,
            "bounced": 1, "rejected": 1}


def pflogsumm():
    for d in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/sbin"]:
        path = os.path.join(d, "pflogsumm")
        if os.access(path, os.X_OK):
            return path
    return shutil.which("pflogsumm")


def grand_totals(report):
    """pflogsumm's Grand Totals section -> {label: number}."""
    lines = report.splitlines()
    if "Grand Totals" not in lines:
        raise AssertionError("no Grand Totals in:\n" + report)
    totals = {}
    start = lines.index("Grand Totals") + 2     # past the underline
    for i in range(start, len(lines)):
        if i + 1 < len(lines) and lines[i + 1].startswith("---"):
            break                               # the next section
        f = re.match(r"\s*(\d+)([km]?)\s+(\w[\w /-]*?)\s*(?:\(.*\))?$",
                     lines[i])
        if f:
            scale = {"": 1, "k": 1024, "m": 1024 * 1024}[f.group(2)]
            totals[f.group(3)] = int(f.group(1)) * scale
    return totals


def addr(name):
    return name if "@" in name else "%s@%s" % (name, DOMAIN)


class PflogsummTest(InstanceTestCase):

    def send_workload(self, port):
        """Send WORKLOAD; returns the queue ids from the 250 replies."""
        ids = []
        with smtplib.SMTP("127.0.0.1", port, local_hostname="client." +
                          DOMAIN, timeout=30) as smtp:
            self.assertEqual(smtp.ehlo()[0], 250)
            for n, (rcpts, extra) in enumerate(WORKLOAD):
                self.assertEqual(smtp.mail(SENDER)[0], 250)
                for rcpt in rcpts:
                    code, text = smtp.rcpt(addr(rcpt))
                    self.assertEqual(code, 550 if rcpt == UNKNOWN else 250,
                                     text)
                code, text = smtp.data((
                    "%sFrom: <%s>\r\nTo: %s\r\nSubject: pflogsumm %d\r\n"
                    "Message-ID: <pfl.%d@%s>\r\n\r\nmessage %d\r\n"
                    % (extra, SENDER, ", ".join(addr(r) for r in rcpts),
                       n, n, DOMAIN, n)).encode())
                self.assertEqual(code, 250, text)
                m = re.search(rb"queued as (\S+)", text)
                self.assertIsNotNone(m, text)
                ids.append(m.group(1).decode())
        return ids

    def test_grand_totals(self):
        program = pflogsumm()
        if program is None:
            self.skipTest("pflogsumm is not installed (make deps does it)")
        inst = self.mail_instance(
            users=USERS + (SENDER,),
            main_cf={"myhostname": "mx." + DOMAIN, "mydomain": DOMAIN,
                     "smtpd_error_sleep_time": "0"})
        ids = self.send_workload(inst.port("smtp"))
        log_path = inst.maillog_path()
        self.assertIsNotNone(log_path, "postern init set no maillog_file")

        def maillog():
            try:
                with open(log_path, encoding="utf-8",
                          errors="replace") as f:
                    return f.read()
            except FileNotFoundError:
                return ""

        # Done: the queue is empty and qmgr has logged each removal (the
        # 7 messages and the notice).
        wait_for(lambda: not inst.queue_ids() and
                 len(re.findall(r": [0-9A-Z]+: removed$", maillog(),
                                re.M)) >= 8, 60,
                 "8 messages removed from the queue")
        text = maillog()
        res = subprocess.run([program, "--syslog-name=postern", log_path],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr)
        totals = grand_totals(res.stdout)
        got = {k: totals.get(k) for k in EXPECTED}
        self.assertEqual(got, EXPECTED, "pflogsumm's totals:\n" + res.stdout)
        # Bytes received: the size= that qmgr logged for our 7 messages.
        sizes = 0
        for qid in ids:
            m = re.search(r": %s: from=<[^>]*>, size=(\d+)," % qid, text)
            self.assertIsNotNone(m, "no from=/size= line for " + qid)
            sizes += int(m.group(1))
        self.assertEqual(totals.get("bytes received"), sizes, res.stdout)
