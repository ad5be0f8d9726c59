# SPDX-License-Identifier: MIT
"""imapd on the mail store: special-use folders at first login, LIST
with wildcards and attributes, CREATE/DELETE/RENAME, SUBSCRIBE/LSUB,
STATUS, SELECT/EXAMINE, APPEND with flags and date (APPENDUID), FETCH
items (FLAGS, UID, INTERNALDATE, RFC822.SIZE, BODY[]/BODY.PEEK[],
sections, ENVELOPE, BODYSTRUCTURE), STORE, EXPUNGE, CLOSE, UNSELECT,
COPY/MOVE (COPYUID), SEARCH and ESEARCH, mailbox name validation, the
flags mirrored into Maildir file names, and curl's imap:// client."""

import os
import re
import subprocess
import shutil
import unittest

from imapd_support import PASSWORD, USERS, ImapdCase

ALICE, BOB = USERS
MSG = (b"From: Carol <carol@example.org>\r\n"
       b"To: alice@example.test\r\n"
       b"Subject: hello there\r\n"
       b"Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
       b"Message-ID: <m1@example.org>\r\n"
       b"\r\n"
       b"First line of the body.\r\n")


class ImapdMailbox(ImapdCase):

    def append(self, c, folder="INBOX", flags=None, msg=MSG):
        typ, data = c.append(folder, flags, None, msg)
        self.assertEqual(typ, "OK", data)
        m = re.search(rb"\[APPENDUID (\d+) (\d+)\]", data[0])
        self.assertIsNotNone(m, data)
        return int(m.group(2))

    def test_special_use_folders_and_list(self):
        c = self.imap(login=BOB)
        typ, data = c.list()
        self.assertEqual(typ, "OK")
        lines = b"\n".join(data).decode()
        for name, attr in (("Sent", "\\Sent"), ("Drafts", "\\Drafts"),
                           ("Trash", "\\Trash"), ("Junk", "\\Junk")):
            self.assertRegex(lines, r"\(.*%s.*\) \"/\" %s" %
                             (re.escape(attr), name))
        self.assertIn('"/" INBOX', lines)
        typ, data = c.list('""', '""')
        self.assertEqual(data[0], b'(\\Noselect) "/" ""')

    def test_create_rename_delete_and_wildcards(self):
        c = self.imap(login=ALICE)
        self.assertEqual(c.create("Work/Projects")[0], "OK")
        self.assertEqual(c.create("Work/Projects")[0], "NO")
        typ, data = c.list('""', "Work/%")
        self.assertEqual(data, [b'(\\HasNoChildren) "/" Work/Projects'])
        typ, data = c.list('""', "%")
        names = b"\n".join(data)
        self.assertIn(b'(\\Noselect \\HasChildren) "/" Work', names)
        self.assertNotIn(b"Work/Projects", names)
        self.assertEqual(c.rename("Work/Projects", "Work/Old")[0], "OK")
        typ, data = c.list('""', "Work/*")
        self.assertEqual(data, [b'(\\HasNoChildren) "/" Work/Old'])
        self.assertEqual(c.delete("Work/Old")[0], "OK")
        self.assertEqual(c.delete("Work/Old")[0], "NO")
        self.assertTrue(os.path.isdir(os.path.join(self.maildir(ALICE),
                                                   ".Sent")))

    def test_bad_mailbox_names(self):
        c = self.imap(login=ALICE)
        for name in ("../x", "/abs", "a/../b", "&Jjo", "bad\x01name"):
            typ, data = c._simple_command("CREATE", '"%s"' % name)
            self.assertIn(typ, ("NO", "BAD"), name)

    def test_subscribe_and_lsub(self):
        c = self.imap(login=ALICE)
        c.create("Lists")
        self.assertEqual(c.subscribe("Lists")[0], "OK")
        typ, data = c.lsub()
        self.assertIn(b'() "/" "Lists"', data)
        self.assertEqual(c.unsubscribe("Lists")[0], "OK")
        typ, data = c.lsub()
        self.assertNotIn(b'() "/" "Lists"', data)

    def test_append_status_select_fetch(self):
        c = self.imap(login=ALICE)
        c.create("Box1")
        uid = self.append(c, "Box1", r"(\Flagged $Work)")
        typ, data = c.status("Box1", "(MESSAGES UIDNEXT UNSEEN)")
        self.assertRegex(data[0].decode(),
                         r"Box1 \(MESSAGES 1 UIDNEXT %d UNSEEN 1\)"
                         % (uid + 1))
        typ, data = c.select("Box1")
        self.assertEqual((typ, data), ("OK", [b"1"]))
        self.assertIn(b"$Work", c.untagged_responses["FLAGS"][0])
        typ, data = c.uid("FETCH", str(uid),
                          "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")
        line = data[0].decode()
        self.assertIn("FLAGS (\\Flagged $Work)", line)
        self.assertIn("RFC822.SIZE %d" % len(MSG), line)
        self.assertIn('"hello there"', line)
        self.assertIn('(("Carol" NIL "carol" "example.org"))', line)
        typ, data = c.fetch("1", "(BODY.PEEK[])")
        self.assertEqual(data[0][1], MSG)
        typ, data = c.fetch("1", "(FLAGS)")
        self.assertNotIn(b"\\Seen", data[0])
        typ, data = c.fetch("1", "(BODY[HEADER.FIELDS (SUBJECT)])")
        self.assertEqual(data[0][1], b"Subject: hello there\r\n\r\n")
        self.assertIn(b"\\Seen", b"".join(
            x if isinstance(x, bytes) else b"".join(x) for x in data))
        typ, data = c.fetch("1", "(BODY[TEXT]<6.4> BODYSTRUCTURE)")
        self.assertEqual(data[0][1], b"line")
        self.assertIn(b'("TEXT" "PLAIN"', data[0][0] + data[1])

    def test_big_fetch_is_answered_in_steps(self):
        """More output than imapd buffers at once (256 KiB): the FETCH
        goes on as the client reads, and a pipelined command waits."""
        c = self.imap(login=ALICE)
        c.create("Big")
        body = MSG + b"".join(b"line %06d of a long message\r\n" % i
                              for i in range(3000))
        for _ in range(12):
            self.append(c, "Big", msg=body)
        c.select("Big")
        r = self.raw()
        r.line()
        r.send("l LOGIN %s %s\r\ns SELECT Big\r\n" % (ALICE, PASSWORD))
        r.until_tagged("s")
        r.send("f FETCH 1:* (BODY.PEEK[])\r\nn NOOP\r\n")
        got = 0
        while True:
            line = r.line()
            m = re.search(r"\{(\d+)\}$", line)
            if m:
                self.assertEqual(r.read(int(m.group(1))), body)
                got += 1
            if line.startswith("f "):
                self.assertEqual(line, "f OK FETCH completed")
                break
        self.assertEqual(got, 12)
        self.assertEqual(r.until_tagged("n")[-1], "n OK NOOP completed")

    def test_examine_is_read_only(self):
        c = self.imap(login=ALICE)
        self.append(c)
        typ, data = c.select("INBOX", readonly=True)
        self.assertEqual(typ, "OK")
        self.assertIn("READ-ONLY", c.untagged_responses)
        typ, data = c.store("1", "+FLAGS", r"\Seen")
        self.assertEqual(typ, "NO")
        self.assertEqual(c.select("Nonexistent")[0], "NO")

    def test_store_expunge_and_file_names(self):
        c = self.imap(login=ALICE)
        c.create("Box2")
        self.append(c, "Box2")
        self.append(c, "Box2")
        self.append(c, "Box2")
        c.select("Box2")
        typ, data = c.store("1:2", "+FLAGS", r"(\Deleted \Seen)")
        self.assertEqual(len(data), 2)
        self.assertIn(b"\\Deleted", data[0])
        cur = os.path.join(self.maildir(ALICE), ".Box2", "cur")
        self.assertEqual(len([f for f in os.listdir(cur)
                              if f.endswith(":2,ST")]), 2)
        typ, data = c.store("3", "+FLAGS.SILENT", r"\Answered")
        self.assertEqual(data, [None])
        typ, data = c.store("3", "+FLAGS", "($Label1)")
        self.assertIn(b"$Label1", c.untagged_responses["FLAGS"][-1])
        typ, data = c.expunge()
        self.assertEqual(data, [b"1", b"1"])
        typ, data = c.fetch("1", "(FLAGS)")
        self.assertIn(b"\\Answered", data[0])
        self.assertEqual(c.unselect()[0], "OK")
        c.select("Box2")
        c.store("1", "+FLAGS", r"\Deleted")
        self.assertEqual(c.close()[0], "OK")
        typ, data = c.status("Box2", "(MESSAGES)")
        self.assertIn(b"MESSAGES 0", data[0])

    def test_copy_move_uidplus(self):
        c = self.imap(login=ALICE)
        for name in ("Src", "Dst"):
            c.create(name)
        uids = [self.append(c, "Src") for _ in range(3)]
        c.select("Src")
        typ, data = c._simple_command("UID", "COPY", "%d:%d" %
                                      (uids[0], uids[1]), "Dst")
        self.assertEqual(typ, "OK")
        self.assertRegex(data[-1].decode(),
                         r"^\[COPYUID \d+ \d+,\d+ \d+,\d+\]")
        typ, data = c.uid("MOVE", str(uids[2]), "Dst")
        self.assertEqual(typ, "OK")
        typ, data = c.status("Dst", "(MESSAGES)")
        self.assertIn(b"MESSAGES 3", data[0])
        typ, data = c.status("Src", "(MESSAGES)")
        self.assertIn(b"MESSAGES 2", data[0])
        typ, data = c.copy("1", "NoSuchBox")
        self.assertEqual(typ, "NO")
        self.assertIn(b"TRYCREATE", data[0])

    def test_search(self):
        c = self.imap(login=ALICE)
        c.create("Find")
        self.append(c, "Find")
        self.append(c, "Find", r"(\Seen)",
                    MSG.replace(b"hello there", b"other subject"))
        c.select("Find")
        self.assertEqual(c.search(None, "SUBJECT", "hello")[1], [b"1"])
        self.assertEqual(c.search(None, "SEEN")[1], [b"2"])
        self.assertEqual(c.search(None, "NOT", "SEEN")[1], [b"1"])
        self.assertEqual(c.search(None, "BODY", "first")[1], [b"1 2"])
        self.assertEqual(c.search(None, "OR", "SEEN", "SUBJECT",
                                  "hello")[1], [b"1 2"])
        self.assertEqual(c.search(None, "SENTON", "24-Nov-2026")[1],
                         [b"1 2"])
        typ, data = c.uid("SEARCH", "ALL")
        self.assertEqual(len(data[0].split()), 2)
        typ, data = c._simple_command("SEARCH", "RETURN", "(COUNT MIN)",
                                      "ALL")
        self.assertEqual(typ, "OK")
        self.assertIn(b"COUNT 2", c.untagged_responses["ESEARCH"][0])

    def test_sort(self):
        c = self.imap(login=ALICE)
        c.create("Sorted")
        for subject, pad in ((b"beta", b""), (b"Re: alpha", b"x" * 100),
                             (b"[list] gamma", b"y" * 10)):
            self.append(c, "Sorted",
                        msg=MSG.replace(b"hello there", subject) + pad)
        c.select("Sorted")
        typ, data = c.sort("(SUBJECT)", "UTF-8", "ALL")
        self.assertEqual((typ, data), ("OK", [b"2 1 3"]))
        typ, data = c.sort("(REVERSE SIZE)", "UTF-8", "ALL")
        self.assertEqual(data, [b"2 3 1"])
        typ, data = c.uid("SORT", "(ARRIVAL)", "UTF-8", "SUBJECT", "a")
        self.assertEqual(len(data[0].split()), 3)
        self.append(c, "Sorted", msg=MSG.replace(b"hello there", b"Beta"))
        c.noop()
        typ, data = c.thread("ORDEREDSUBJECT", "UTF-8", "ALL")
        self.assertEqual((typ, data), ("OK", [b"(1 4)(2)(3)"]))

    def test_list_status_and_quota(self):
        c = self.imap(login=ALICE)
        c.create("Counted")
        self.append(c, "Counted")
        typ, data = c._simple_command(
            "LIST", '""', "Counted", "RETURN", "(STATUS (MESSAGES UNSEEN))")
        self.assertEqual(typ, "OK")
        self.assertEqual(c.untagged_responses["STATUS"][0],
                         b"Counted (MESSAGES 1 UNSEEN 1)")
        typ, data = c.getquotaroot("INBOX")
        self.assertEqual(typ, "OK")

    def test_curl(self):
        curl = shutil.which("curl")
        if curl is None:
            self.skipTest("curl is not installed")
        c = self.imap(login=ALICE)
        c.create("CurlBox")
        self.append(c, "CurlBox")
        base = "imap://127.0.0.1:%d" % self.port
        user = "%s:%s" % (ALICE, PASSWORD)
        out = subprocess.run([curl, "-s", "-u", user, base + "/"],
                             capture_output=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(b"CurlBox", out.stdout)
        out = subprocess.run([curl, "-s", "-u", user,
                              base + "/CurlBox;UID=1"],
                             capture_output=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, MSG)


if __name__ == "__main__":
    unittest.main()
