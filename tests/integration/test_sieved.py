# SPDX-License-Identifier: MIT
"""sieved, the ManageSieve server (RFC 5804): scripts stored, listed,
fetched, activated, renamed and deleted through sieve-connect, Cyrus
sivtest and a raw client; bad scripts refused with their line and
column; per-user limits; STARTTLS with plaintext injection; hostile
input answered without ending the service."""

import base64
import os
import re
import socket
import ssl
import stat

from sieved_support import PASSWORD, SievedCase

KEEP = 'require "fileinto";\r\nif header :contains "subject" "x" ' \
       '{ fileinto "X"; }\r\n'
BAD = 'keep;\r\nerror error error;\r\n'


class SievedClientTest(SievedCase):

    def test_sieve_connect_cycle(self):
        user = self.new_user()
        self.upload(user, "main", KEEP)
        res = self.sieve_connect(user, "--list")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout, r"main\s+<-\s*active|main.*ACTIVE|main")
        out = self.inst.tmp("download.sieve")
        res = self.sieve_connect(user, "--download", "--remotesieve", "main",
                                 "--localsieve", out)
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(out, newline="") as f:
            self.assertEqual(f.read(), KEEP)
        # In the store, the owner's alone, and marked active.
        sieve_dir = os.path.join(self.maildir(user), "sieve")
        st = os.stat(os.path.join(sieve_dir, "main.sieve"))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(os.readlink(os.path.join(sieve_dir, ".active")),
                         "main.sieve")
        res = self.sieve_connect(user, "--delete", "--remotesieve", "main")
        self.assertNotEqual(res.returncode, 0)
        res = self.sieve_connect(user, "--deactivate")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertFalse(os.path.lexists(os.path.join(sieve_dir, ".active")))
        res = self.sieve_connect(user, "--delete", "--remotesieve", "main")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(os.listdir(sieve_dir), [])

    def test_sieve_connect_bad_script(self):
        user = self.new_user()
        path = self.inst.tmp("bad.sieve")
        with open(path, "w") as f:
            f.write(BAD)
        res = self.sieve_connect(user, "--upload", "--localsieve", path,
                                 "--remotesieve", "bad")
        self.assertNotEqual(res.returncode, 0)
        self.assertRegex(res.stdout + res.stderr, r"\d+:\d+")
        self.assertFalse(os.path.exists(
            os.path.join(self.maildir(user), "sieve", "bad.sieve")))

    def test_sieve_connect_wrong_password(self):
        user = self.new_user()
        res = self.sieve_connect(user, "--list", password="wrong")
        self.assertNotEqual(res.returncode, 0)

    def test_sivtest(self):
        user = self.new_user()
        res = self.sivtest(user, 'PUTSCRIPT "s1" {6+}\r\nkeep;\r\n'
                           'SETACTIVE "s1"\r\nLISTSCRIPTS\r\n'
                           'GETSCRIPT "s1"\r\nLOGOUT\r\n')
        self.assertIn('"s1" ACTIVE', res.stdout, res.stdout + res.stderr)
        self.assertIn("keep;", res.stdout)
        self.assertTrue(os.path.exists(
            os.path.join(self.maildir(user), "sieve", "s1.sieve")))


class SievedProtocolTest(SievedCase):

    def test_capabilities(self):
        c = self.raw()
        caps = c.cmd("CAPABILITY")
        text = "\n".join(caps)
        for name in ("IMPLEMENTATION", "SIEVE", "SASL", "STARTTLS",
                     "MAXREDIRECTS"):
            self.assertRegex(text, r'(?m)^"%s"' % name)
        self.assertIn('"VERSION" "1.0"', caps)
        self.assertRegex(text, r'"SASL" "[^"]*PLAIN')
        self.assertTrue(caps[-1].startswith("OK"))

    def test_commands(self):
        user = self.new_user()
        c = self.raw()
        self.assertTrue(c.cmd("LISTSCRIPTS")[-1].startswith("NO"))
        self.assertTrue(c.login(user).startswith("OK"), user)
        self.assertEqual(c.cmd("LISTSCRIPTS"),
                         ['OK "Listscripts completed"'])
        self.assertTrue(c.cmd('PUTSCRIPT "a" {5+}\r\nkeep;')[-1]
                        .startswith("OK"))
        self.assertTrue(c.cmd('PUTSCRIPT "b" "stop;"')[-1].startswith("OK"))
        self.assertTrue(c.cmd('SETACTIVE "a"')[-1].startswith("OK"))
        self.assertEqual(c.cmd("LISTSCRIPTS"),
                         ['"a" ACTIVE', '"b"', 'OK "Listscripts completed"'])
        self.assertTrue(c.cmd('DELETESCRIPT "a"')[-1].startswith("NO (ACTIVE)"))
        self.assertTrue(c.cmd('RENAMESCRIPT "a" "b"')[-1]
                        .startswith("NO (ALREADYEXISTS)"))
        self.assertTrue(c.cmd('RENAMESCRIPT "a" "c"')[-1].startswith("OK"))
        self.assertEqual(c.cmd("LISTSCRIPTS")[:2], ['"b"', '"c" ACTIVE'])
        self.assertTrue(c.cmd('GETSCRIPT "zz"')[-1]
                        .startswith("NO (NONEXISTENT)"))
        self.assertEqual(c.cmd('GETSCRIPT "c"')[0], '"keep;"')
        self.assertTrue(c.cmd('HAVESPACE "new" 100')[-1].startswith("OK"))
        self.assertTrue(c.cmd('HAVESPACE "new" 100000')[-1]
                        .startswith("NO (QUOTA/MAXSIZE)"))
        self.assertTrue(c.cmd('PUTSCRIPT "d" "keep;"')[-1].startswith("OK"))
        self.assertTrue(c.cmd('PUTSCRIPT "e" "keep;"')[-1]
                        .startswith("NO (QUOTA/MAXSCRIPTS)"))
        self.assertEqual(c.cmd('NOOP "t1"'), ['OK (TAG "t1") "Done"'])
        res = c.cmd('CHECKSCRIPT {%d+}\r\n%s' % (len(BAD), BAD))
        self.assertRegex(res[-1], r'^NO .*\d+:\d+')
        self.assertTrue(c.cmd('CHECKSCRIPT "keep;"')[-1].startswith("OK"))
        self.assertTrue(c.cmd('SETACTIVE ""')[-1].startswith("OK"))
        self.assertTrue(c.cmd('DELETESCRIPT "c"')[-1].startswith("OK"))
        self.assertTrue(c.cmd("UNAUTHENTICATE")[-1].startswith("OK"))
        self.assertTrue(c.cmd("LISTSCRIPTS")[-1].startswith("NO"))
        self.assertTrue(c.cmd("LOGOUT")[-1].startswith("OK"))
        self.assertTrue(c.closed())

    def test_bad_input(self):
        user = self.new_user()
        c = self.raw()
        self.assertTrue(c.cmd("FROB")[-1].startswith("NO"))
        self.assertTrue(c.cmd('GETSCRIPT "unterminated\\x"')[-1]
                        .startswith("NO"))
        self.assertTrue(c.login(user).startswith("OK"))
        for name in ("../x", ".hidden", "a/b", ""):
            self.assertTrue(c.cmd('PUTSCRIPT "%s" "keep;"' % name)[-1]
                            .startswith("NO"), name)
        # An oversize literal is skipped whole: its text is no command.
        body = "LOGOUT\r\n" * 1200
        res = c.cmd('PUTSCRIPT "big" {%d+}\r\n%s' % (len(body), body))
        self.assertTrue(res[-1].startswith("NO (QUOTA/MAXSIZE)"), res)
        self.assertEqual(c.cmd('NOOP "alive"'), ['OK (TAG "alive") "Done"'])
        # A failed login keeps the session usable.
        c2 = self.raw()
        self.assertTrue(c2.login(user, "wrong").startswith("NO"))
        self.assertTrue(c2.cmd("LOGOUT")[-1].startswith("OK"))

    def test_authenticate_continuation(self):
        user = self.new_user()
        c = self.raw()
        c.send('AUTHENTICATE "PLAIN"\r\n')
        self.assertEqual(c.line(), '""')
        token = base64.b64encode(
            ("\0%s\0%s" % (user, PASSWORD)).encode()).decode()
        c.send('{%d+}\r\n%s\r\n' % (len(token), token))
        self.assertTrue(c.response()[-1].startswith("OK"))
        c = self.raw()
        c.send('AUTHENTICATE "PLAIN"\r\n')
        c.line()
        self.assertTrue(c.cmd('"*"')[-1].startswith("NO"))

    def test_starttls_injection(self):
        c = self.raw()
        # The CAPABILITY after STARTTLS arrives in plaintext with it.
        c.send("STARTTLS\r\nCAPABILITY\r\n")
        self.assertTrue(c.response()[-1].startswith("OK"))
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c.sock = ctx.wrap_socket(c.sock)
        c.buf = b""
        after = c.response()
        self.assertTrue(after[-1].startswith("OK"), after)
        self.assertNotIn('"STARTTLS"', after)
        # The injected CAPABILITY got no answer: NOOP's is next.
        self.assertEqual(c.cmd('NOOP "n"'), ['OK (TAG "n") "Done"'])
        self.assertTrue(re.search(
            r"discarded \d+ bytes of plaintext pipelined after STARTTLS",
            self.inst.log()))
        user = self.new_user()
        self.assertTrue(c.login(user).startswith("OK"))

    def test_error_limit(self):
        c = self.raw()
        for _ in range(10):
            self.assertTrue(c.cmd("FROB")[-1].startswith("NO"))
        self.assertTrue(c.line().startswith("BYE"))
        self.assertTrue(c.closed())

    def test_huge_literal_length(self):
        c = self.raw()
        res = c.cmd('PUTSCRIPT "x" {123456789012345+}')
        self.assertTrue(res[-1].startswith("BYE"), res)
        self.assertTrue(c.closed())
        socket.create_connection(("127.0.0.1", self.port), timeout=10).close()
