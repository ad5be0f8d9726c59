# SPDX-License-Identifier: MIT
"""authd's account lookups (the part local and smtpd use), through its
socket with the IPC codec: what a lookup answers, that no secret ever
leaves, and that hostile input is refused while authd keeps serving."""

import grp
import os
import pwd
import socket
import struct
import subprocess
import unittest

import harness

SERVICES = ["auth unix n - n - 1 authd"]


def connect(inst, hello=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(harness.DEADLINE)
    s.connect(os.path.join(inst.queue_dir, "public", "auth"))
    if hello:
        s.sendall(harness.ipc_encode([("req", "hello"), ("service", "auth"),
                                      ("version", "1.0")]))
        assert harness.ipc_recv(s) == {"status": "ok"}
    return s


def ask(s, attrs):
    s.sendall(harness.ipc_encode(attrs))
    return harness.ipc_recv(s)


def closed(s):
    """True when the peer has closed the connection."""
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


class AuthdTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.inst = harness.Instance(services=SERVICES)
        try:
            cls.setup_users()
            cls.inst.start()
        except BaseException:
            cls.inst.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    @classmethod
    def setup_users(cls):
        pass

    @classmethod
    def postern(cls, *args, stdin=None):
        env = dict(os.environ, POSTERN_CONFIG_DIR=cls.inst.root)
        proc = subprocess.run([os.path.join(cls.inst.bin, "postern")] +
                              list(args), input=stdin, capture_output=True,
                              text=True, env=env, timeout=60)
        if proc.returncode != 0:
            raise AssertionError("postern %s: %s" % (" ".join(args),
                                                     proc.stderr))
        return proc.stdout

    def authd_pids(self):
        """The authd processes, after making sure one is running."""
        with connect(self.inst) as s:
            ask(s, [("req", "lookup"), ("address", "x@example.com")])
        return self.inst.service("auth")["pids"]


class AuthdLookupTest(AuthdTestCase):

    @classmethod
    def setup_users(cls):
        cls.postern("user", "add", "alice@example.com", "--password-stdin",
                    "--cram-secret", "--alias", "Al@Example.org",
                    "--quota", "10m", "--forward", "a@remote.test",
                    "--forward", "b@remote.test", "--keep-copy",
                    "--protocols", "imap,smtp", stdin="s3cret-pw\n")
        cls.postern("user", "add", "off@example.com", "--no-password",
                    "--disabled", "--store", "/srv/other")

    def test_lookup_found(self):
        with connect(self.inst) as s:
            reply = ask(s, [("req", "lookup"),
                            ("address", "ALICE@example.com")])
        self.assertEqual(reply, {
            "status": "ok", "address": "alice@example.com",
            "mail_enabled": "1", "protocols": "imap,smtp",
            "quota": str(10 * 1024 * 1024), "store": "",
            "forwards": "a@remote.test,b@remote.test", "keep_copy": "1",
            "sieve_script": ""})

    def test_lookup_by_additional_address(self):
        with connect(self.inst) as s:
            reply = ask(s, [("req", "lookup"), ("address", "al@example.org")])
            self.assertEqual(reply["address"], "alice@example.com")
            reply = ask(s, [("req", "lookup"), ("address", "off@example.com")])
            self.assertEqual((reply["mail_enabled"], reply["store"]),
                             ("0", "/srv/other"))

    def test_no_secret_in_replies(self):
        with connect(self.inst) as s:
            s.sendall(harness.ipc_encode([("req", "lookup"),
                                          ("address", "alice@example.com")]))
            (length,) = struct.unpack(">I", harness._recv_exact(s, 4))
            body = harness._recv_exact(s, length)
        for secret in (b"s3cret-pw", b"$y$", b"$6$", b"password", b"secret"):
            self.assertNotIn(secret, body)

    def test_not_found(self):
        with connect(self.inst) as s:
            for addr in ("nobody@example.com", "not an address", "a@b@c"):
                self.assertEqual(
                    ask(s, [("req", "lookup"), ("address", addr.replace(
                        " ", "_"))]), {"status": "notfound"})

    def test_handshake_refusals_close(self):
        cases = [
            ([("req", "lookup"), ("address", "alice@example.com")], "error"),
            ([("req", "hello"), ("service", "master"), ("version", "1.0")],
             "fail"),
            ([("req", "hello"), ("service", "auth"), ("version", "2.0")],
             "fail"),
            ([("req", "hello"), ("service", "auth"), ("version", "x")],
             "fail"),
            ([("req", "hello"), ("service", "auth")], "error"),
        ]
        for attrs, status in cases:
            with connect(self.inst, hello=False) as s:
                self.assertEqual(ask(s, attrs)["status"], status, attrs)
                self.assertTrue(closed(s), attrs)

    def test_bad_requests_answered_and_connection_kept(self):
        pids = self.authd_pids()
        bad = [
            [("req", "delete"), ("address", "alice@example.com")],
            [("req", "lookup")],
            [("req", "lookup"), ("address", "")],
            [("req", "lookup"), ("address", "a b@example.com")],
            [("req", "lookup"), ("address", "a\x01@example.com")],
            [("req", "lookup"), ("address", "a\x00@example.com")],
            [("req", "lookup"), ("address", "x" * 300 + "@example.com")],
            [("address", "alice@example.com")],
            [("req", "lookup"), ("address", "a@b"), ("address", "c@d")],
        ]
        with connect(self.inst) as s:
            for attrs in bad:
                reply = ask(s, attrs)
                self.assertEqual(reply["status"], "error", attrs)
                self.assertIn("reason", reply)
            # A body that is no list of attributes: refused, stream kept.
            s.sendall(struct.pack(">I", 3) + b"\xff\x00\x01")
            self.assertEqual(harness.ipc_recv(s)["status"], "error")
            reply = ask(s, [("req", "lookup"),
                            ("address", "alice@example.com")])
            self.assertEqual(reply["status"], "ok")
        self.assertEqual(self.authd_pids(), pids)

    def test_oversized_frame_refused_and_closed(self):
        pids = self.authd_pids()
        with connect(self.inst) as s:
            s.sendall(struct.pack(">I", 50 * 1024 * 1024) + b"x" * 100)
            self.assertEqual(harness.ipc_recv(s)["status"], "error")
            self.assertTrue(closed(s))
        with connect(self.inst) as s:
            self.assertEqual(ask(s, [("req", "lookup"), (
                "address", "alice@example.com")])["status"], "ok")
        self.assertEqual(self.authd_pids(), pids)

    def test_pipelined_requests(self):
        with connect(self.inst) as s:
            s.sendall(b"".join(harness.ipc_encode(
                [("req", "lookup"), ("address", a)])
                for a in ["alice@example.com", "x@example.com"] * 50))
            got = [harness.ipc_recv(s)["status"] for _ in range(100)]
        self.assertEqual(got, ["ok", "notfound"] * 50)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to change user")
    def test_other_users_refused(self):
        # nobody in group postdrop can reach public/auth but is not a
        # mail system user: authd must close without answering.
        postdrop = grp.getgrnam("postdrop").gr_gid
        nobody = pwd.getpwnam("nobody")
        path = os.path.join(self.inst.queue_dir, "public", "auth")
        code = ("import socket,sys\n"
                "s=socket.socket(socket.AF_UNIX)\ns.settimeout(10)\n"
                "s.connect(sys.argv[1])\n"
                "try:\n    d=s.recv(1)\nexcept ConnectionResetError:\n"
                "    d=b''\n"
                "print('closed' if d==b'' else 'answered')\n")

        def demote():
            os.setgroups([postdrop])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
        out = subprocess.run(["python3", "-c", code, path],
                             preexec_fn=demote, capture_output=True,
                             text=True, timeout=30)
        self.assertEqual(out.stdout.strip(), "closed", out.stderr)
        self.inst.wait_for_log(r"uid %d is not a mail system user"
                               % nobody.pw_uid)


class AuthdNoDatabaseTest(AuthdTestCase):
    """Started before any user exists: every lookup answers notfound
    until postern user creates the database."""

    def test_database_appears(self):
        with connect(self.inst) as s:
            self.assertEqual(ask(s, [("req", "lookup"),
                                     ("address", "late@example.com")]),
                             {"status": "notfound"})
            self.postern("user", "add", "late@example.com", "--no-password")
            reply = ask(s, [("req", "lookup"),
                            ("address", "late@example.com")])
        self.assertEqual(reply["status"], "ok")


if __name__ == "__main__":
    unittest.main()
