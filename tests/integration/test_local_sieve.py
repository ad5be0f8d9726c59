# SPDX-License-Identifier: MIT
"""Sieve in local delivery: scripts stored with postern sieve (the same
store sieved writes), mail sent through SMTP, results read from the
Maildir files: fileinto, flags, discard, redirect to another user, reject
(a DSN to the sender), one vacation reply for two messages and none to a
list message, a redirect loop stopped, a broken script keeping mail in
INBOX."""

import email
import os
import time

from harness import wait_for
from sieved_support import SievedCase


def message(to, subject, extra=""):
    return ("From: <sender@%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
            "Message-ID: <%s@origin.example>\r\n%s\r\nbody text\r\n"
            % ("origin.example", to, subject, time.time_ns(), extra))


class LocalSieveTest(SievedCase):

    def script(self, user, text, name="main"):
        path = self.inst.tmp("%s.sieve" % user)
        with open(path, "w") as f:
            f.write(text)
        self.inst.postern("sieve", "put", user, name, path)
        self.inst.postern("sieve", "activate", user, name)

    def read(self, user, folder=""):
        """The messages of a folder, parsed."""
        root = self.maildir(user)
        if folder:
            root = os.path.join(root, "." + folder)
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(root, sub)
            for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                with open(os.path.join(d, name), "rb") as f:
                    out.append((name, email.message_from_bytes(f.read())))
        return out

    def test_fileinto_and_flags(self):
        user = self.new_user()
        self.script(user, 'require ["fileinto", "mailbox", "imap4flags"];\n'
                    'if header :contains "subject" "report" {\n'
                    '  fileinto :create :flags "\\\\Seen" "Reports";\n'
                    '} elsif header :contains "subject" "urgent" {\n'
                    '  addflag ["\\\\Flagged", "$Important"]; keep;\n'
                    '}\n')
        self.send([user], message(user, "weekly report"))
        self.send([user], message(user, "urgent thing"))
        self.send([user], message(user, "plain"))
        self.wait_files(user, 1, "Reports")
        self.wait_files(user, 2)
        [(name, msg)] = self.read(user, "Reports")
        self.assertEqual(msg["Subject"], "weekly report")
        self.assertTrue(name.endswith(":2,S"), name)
        inbox = {m["Subject"]: n for n, m in self.read(user)}
        self.assertEqual(set(inbox), {"urgent thing", "plain"})
        self.assertTrue(inbox["urgent thing"].endswith(":2,Fa"), inbox)
        with open(os.path.join(self.maildir(user), "dovecot-keywords")) as f:
            self.assertEqual(f.read().split(), ["0", "$Important"])
        self.assertNotIn(":2,", inbox["plain"])

    def test_fileinto_missing_folder_keeps(self):
        user = self.new_user()
        self.script(user, 'require "fileinto";\nfileinto "Nowhere";\n')
        self.send([user], message(user, "to nowhere"))
        self.wait_files(user, 1)
        self.assertFalse(os.path.exists(
            os.path.join(self.maildir(user), ".Nowhere")))

    def test_include_personal(self):
        user = self.new_user()
        path = self.inst.tmp("lib.sieve")
        with open(path, "w") as f:
            f.write('require ["fileinto", "mailbox"];\n'
                    'fileinto :create "Lib";\n')
        self.inst.postern("sieve", "put", user, "lib", path)
        self.script(user, 'require "include";\ninclude :personal "lib";\n')
        self.send([user], message(user, "included"))
        self.wait_files(user, 1, "Lib")
        self.assertEqual(self.files(user), [])

    def test_discard(self):
        user = self.new_user()
        self.script(user, 'if header :contains "subject" "spam" '
                    '{ discard; stop; }\n')
        self.send([user], message(user, "spam spam"))
        self.send([user], message(user, "ham"))
        self.wait_files(user, 1)
        self.inst.wait_for_log(r"to=<%s>.*status=sent.*discarded" % user)
        self.assertEqual([m["Subject"] for _, m in self.read(user)], ["ham"])

    def test_redirect_to_other_user(self):
        user, other = self.new_user(), self.new_user()
        self.script(user, 'redirect "%s";\n' % other)
        self.send([user], message(user, "redirected"),
                  sender="orig@origin.example")
        self.wait_files(other, 1)
        [(_, msg)] = self.read(other)
        self.assertEqual(msg["Subject"], "redirected")
        self.assertEqual(msg["Return-Path"], "<orig@origin.example>")
        self.assertEqual(self.files(user), [])

    def test_redirect_loop_stopped(self):
        a, b = self.new_user(), self.new_user()
        self.script(a, 'redirect "%s";\n' % b)
        self.script(b, 'redirect "%s";\n' % a)
        self.send([a], message(a, "ping pong"))
        self.wait_files(b, 1)
        self.inst.wait_for_log(r"redirect to <%s> would loop" % a)
        wait_for(lambda: not self.inst.queue_ids(), timeout=60,
                 what="an empty queue")
        self.assertEqual(len(self.files(b)), 1)
        self.assertEqual(self.files(a), [])

    def test_reject_sends_dsn(self):
        user, sender = self.new_user(), self.new_user()
        self.script(user, 'require "reject";\nreject "I do not want it";\n')
        self.send([user], message(user, "unwanted"), sender=sender)
        self.wait_files(sender, 1)
        [(_, dsn)] = self.read(sender)
        self.assertEqual(dsn.get_content_type(), "multipart/report")
        self.assertIn("I do not want it", dsn.as_string())
        self.assertEqual(self.files(user), [])

    def test_vacation_once_and_not_to_lists(self):
        user, friend = self.new_user(), self.new_user()
        self.script(user, 'require "vacation";\n'
                    'vacation :days 1 :subject "Away" "I am away.";\n')
        for subject in ("first", "second"):
            self.send([user], message(user, subject), sender=friend)
        self.wait_files(user, 2)
        self.wait_files(friend, 1)
        self.inst.wait_for_log(r"vacation: <%s> already answered" % friend)
        [(_, reply)] = self.read(friend)
        self.assertEqual(reply["Subject"], "Away")
        self.assertTrue(reply["Auto-Submitted"].startswith("auto-replied"))
        self.assertIsNotNone(reply["In-Reply-To"])
        self.assertEqual(reply["Return-Path"], "<>")
        self.assertIn("I am away.", reply.get_payload())
        lister = self.new_user()
        self.send([user], message(user, "list post",
                                  "List-Id: <l.example>\r\n"),
                  sender=lister)
        self.wait_files(user, 3)
        self.inst.wait_for_log(r"vacation: no reply to <%s>" % lister)
        self.assertEqual(self.files(lister), [])

    def test_broken_script_keeps(self):
        user = self.new_user()
        sieve_dir = os.path.join(self.maildir(user), "sieve")
        self.script(user, "keep;\n")
        # Broken behind the store's back: delivery must still keep.
        with open(os.path.join(sieve_dir, "main.sieve"), "w") as f:
            f.write("this is not sieve\n")
        self.send([user], message(user, "still here"))
        self.wait_files(user, 1)
        self.inst.wait_for_log(r"sieve: .*message kept in INBOX")
