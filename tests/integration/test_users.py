# SPDX-License-Identifier: MIT
"""postern user, postern map, postern alias and newaliases, driven as an
administrator would: the built binaries against an instance made by
`postern init` in a temporary directory. Stored password hashes are
checked with libcrypt through ctypes, independently of our code."""

import ctypes
import ctypes.util
import os
import pwd
import shutil
import subprocess
import tempfile
import unittest


def bin_dir():
    path = os.environ.get("POSTERN_BIN_DIR")
    if not path:
        raise unittest.SkipTest("POSTERN_BIN_DIR is not set")
    return os.path.abspath(path)


def libcrypt_verify(password, stored):
    """crypt(3) from the system's libcrypt: True if password hashes to
    stored."""
    name = ctypes.util.find_library("crypt") or "libcrypt.so.1"
    lib = ctypes.CDLL(name)
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    out = lib.crypt(password.encode(), stored.encode())
    return out is not None and out.decode() == stored


def fields(text):
    """'name: value' lines of postern user show as a dict."""
    out = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        out[name] = value.strip()
    return out


class CliTestCase(unittest.TestCase):
    """A fresh instance per test; run() drives the postern binary."""

    def setUp(self):
        self.bin = bin_dir()
        self.tmp = tempfile.mkdtemp(prefix="postern-users-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.inst = os.path.join(self.tmp, "inst")
        self.run_ok(["init", self.inst])
        self.etc = os.path.join(self.inst, "etc")

    def run_cmd(self, args, stdin=None, prog="postern", env=None):
        full_env = dict(os.environ, POSTERN_CONFIG_DIR=self.inst)
        full_env.update(env or {})
        return subprocess.run(
            [os.path.join(self.bin, prog)] + args, input=stdin,
            capture_output=True, text=True, env=full_env, timeout=60,
            stdin=None if stdin is not None else subprocess.DEVNULL)

    def run_ok(self, args, stdin=None, prog="postern"):
        res = self.run_cmd(args, stdin, prog)
        self.assertEqual(res.returncode, 0, "%s %s failed: %s" % (
            prog, " ".join(args), res.stderr))
        return res

    def show(self, address, *extra):
        return fields(self.run_ok(["user", "show", address] +
                                  list(extra)).stdout)


class UserTest(CliTestCase):

    def test_add_show_set_passwd_del(self):
        self.run_ok(["user", "add", "Alice@Example.COM", "--password-stdin",
                     "--quota", "1g", "--alias", "al@example.com",
                     "--forward", "alice@elsewhere.org", "--keep-copy",
                     "--protocols", "imap,pop3"], stdin="first pw\n")
        info = self.show("alice@example.com")
        self.assertEqual(info["address"], "alice@example.com")
        self.assertEqual(info["additional_addresses"], "al@example.com")
        self.assertEqual(info["quota"], str(1 << 30))
        self.assertEqual(info["forwards"], "alice@elsewhere.org")
        self.assertEqual(info["keep_copy"], "yes")
        self.assertEqual(info["protocols"], "imap,pop3")
        self.assertEqual(info["mail"], "enabled")
        self.assertEqual(info["password"], "set")
        self.assertEqual(info["cram_secret"], "none")
        self.assertNotIn("password_hash", info)

        # Found by its additional address, in any case.
        self.assertEqual(self.show("AL@example.com")["address"],
                         "alice@example.com")

        first = self.show("alice@example.com", "--show-hash")
        self.assertTrue(libcrypt_verify("first pw", first["password_hash"]))
        self.assertFalse(libcrypt_verify("First pw", first["password_hash"]))

        self.run_ok(["user", "set", "alice@example.com", "--add-alias",
                     "a.smith@example.com", "--del-alias", "al@example.com",
                     "--disable", "--quota", "none", "--no-forward",
                     "--store", "/srv/mail2"])
        info = self.show("a.smith@example.com")
        self.assertEqual(info["additional_addresses"], "a.smith@example.com")
        self.assertEqual(info["mail"], "disabled")
        self.assertEqual(info["quota"], "none")
        self.assertEqual(info["forwards"], "")
        self.assertEqual(info["store"], "/srv/mail2")
        res = self.run_cmd(["user", "show", "al@example.com"])
        self.assertEqual(res.returncode, 1)

        self.run_ok(["user", "passwd", "alice@example.com",
                     "--password-stdin"], stdin="second pw\n")
        second = self.show("alice@example.com", "--show-hash")
        self.assertNotEqual(second["password_hash"], first["password_hash"])
        self.assertTrue(libcrypt_verify("second pw",
                                        second["password_hash"]))
        self.assertFalse(libcrypt_verify("first pw",
                                         second["password_hash"]))

        self.assertEqual(self.run_ok(["user", "list"]).stdout,
                         "alice@example.com\n")
        # Deleting needs the user's own address, not an alias.
        res = self.run_cmd(["user", "del", "a.smith@example.com"])
        self.assertEqual(res.returncode, 1)
        self.assertIn("additional address of user alice@example.com",
                      res.stderr)
        self.run_ok(["user", "del", "alice@example.com"])
        self.assertEqual(self.run_ok(["user", "list"]).stdout, "")
        res = self.run_cmd(["user", "show", "a.smith@example.com"])
        self.assertEqual(res.returncode, 1)

    def test_no_command_prints_a_hash_unless_asked(self):
        self.run_ok(["user", "add", "bob@example.com", "--password-stdin",
                     "--cram-secret"], stdin="bobs secret\n")
        for args in (["user", "show", "bob@example.com"], ["user", "list"]):
            out = self.run_ok(args)
            for text in (out.stdout, out.stderr):
                self.assertNotIn("$y$", text)
                self.assertNotIn("$6$", text)
                self.assertNotIn("bobs secret", text)
        info = self.show("bob@example.com", "--show-hash")
        self.assertEqual(info["cram_secret"], "set")
        self.assertNotIn("bobs secret", str(info))
        # A new password drops the plaintext equivalent of the old one.
        self.run_ok(["user", "passwd", "bob@example.com",
                     "--password-stdin"], stdin="new one\n")
        self.assertEqual(self.show("bob@example.com")["cram_secret"], "none")

    def test_duplicate_addresses_refused(self):
        self.run_ok(["user", "add", "alice@example.com", "--no-password",
                     "--alias", "team@example.com"])
        res = self.run_cmd(["user", "add", "ALICE@example.com",
                            "--no-password"])
        self.assertEqual(res.returncode, 1)
        self.assertIn("already exists", res.stderr)
        res = self.run_cmd(["user", "add", "bob@example.com",
                            "--no-password", "--alias", "team@example.com"])
        self.assertEqual(res.returncode, 1)
        self.assertIn("already belongs to user alice@example.com",
                      res.stderr)
        res = self.run_cmd(["user", "add", "team@example.com",
                            "--no-password"])
        self.assertEqual(res.returncode, 1)
        self.run_ok(["user", "add", "bob@example.com", "--no-password"])
        res = self.run_cmd(["user", "set", "bob@example.com", "--add-alias",
                            "Team@example.com"])
        self.assertEqual(res.returncode, 1)
        self.assertEqual(self.run_ok(["user", "list"]).stdout,
                         "alice@example.com\nbob@example.com\n")
        self.assertEqual(self.show("bob@example.com")["additional_addresses"],
                         "")

    def test_bad_input(self):
        for args in (["user", "add", "no-at-sign", "--no-password"],
                     ["user", "add", "a..b@example.com", "--no-password"],
                     ["user", "add", "a@example.com", "--bogus"],
                     ["user", "add", "a@example.com", "--quota"],
                     ["user", "add", "a@example.com", "--no-password",
                      "--protocols", "imap,nntp"],
                     ["user", "add", "a@example.com", "--no-password",
                      "--store", "relative"],
                     ["user", "frobnicate"]):
            res = self.run_cmd(args)
            self.assertEqual(res.returncode, 2, "%s: %s" % (args,
                                                            res.stderr))
        # No terminal and no --password-stdin: refuse, do not hang.
        res = self.run_cmd(["user", "add", "a@example.com"])
        self.assertEqual(res.returncode, 1)
        self.assertIn("--password-stdin", res.stderr)
        res = self.run_cmd(["user", "add", "a@example.com",
                            "--password-stdin"], stdin="")
        self.assertEqual(res.returncode, 1)
        self.assertEqual(self.run_ok(["user", "list"]).stdout, "")

    def test_database_owned_by_authd_user(self):
        if os.geteuid() != 0:
            self.skipTest("ownership is only handed over by root")
        self.run_ok(["user", "add", "c@example.com", "--no-password"])
        db = os.path.join(self.inst, "data", "users.lmdb")
        st = os.stat(db)
        self.assertEqual(st.st_uid, pwd.getpwnam("postern-auth").pw_uid)
        self.assertEqual(st.st_mode & 0o777, 0o600)


class MapTest(CliTestCase):

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_build_query_incremental(self):
        path = self.write("access", "# comment\nSpam@Example.com REJECT\n"
                          "example.net   OK  fine\n")
        self.run_ok(["map", path])
        self.assertTrue(os.path.exists(path + ".lmdb"))
        res = self.run_ok(["map", "-q", "spam@EXAMPLE.com", "lmdb:" + path])
        self.assertEqual(res.stdout, "REJECT\n")
        res = self.run_ok(["map", "-q", "example.net", "hash:" + path])
        self.assertEqual(res.stdout, "OK  fine\n")
        res = self.run_cmd(["map", "-q", "other.org", path])
        self.assertEqual((res.returncode, res.stdout), (1, ""))
        res = self.run_cmd(["map", "-q", "x", os.path.join(self.tmp, "none")])
        self.assertEqual(res.returncode, 2)
        res = self.run_ok(["map", "-q", "b", "inline:{a=1, b=2}"])
        self.assertEqual(res.stdout, "2\n")

        res = self.run_ok(["map", "-i", path],
                          stdin="new.org DISCARD\nexample.net REJECT\n")
        self.assertIn("duplicate", res.stderr)
        self.assertEqual(self.run_ok(["map", "-q", "new.org", path]).stdout,
                         "DISCARD\n")
        self.assertEqual(self.run_ok(["map", "-q", "example.net",
                                      path]).stdout, "OK  fine\n")
        # A full rebuild keeps what -i added.
        self.run_ok(["map", path])
        self.assertEqual(self.run_ok(["map", "-q", "new.org", path]).stdout,
                         "DISCARD\n")
        res = self.run_ok(["map", "-q", "-", path],
                          stdin="new.org\nnothing\nspam@example.com\n")
        self.assertEqual(res.stdout,
                         "new.org DISCARD\nspam@example.com REJECT\n")

    def test_build_errors(self):
        bad = self.write("bad", "lonely-key\n")
        res = self.run_cmd(["map", bad])
        self.assertEqual(res.returncode, 1)
        self.assertIn("bad:1", res.stderr)
        self.assertFalse(os.path.exists(bad + ".lmdb"))
        res = self.run_cmd(["map", "-i", "pcre:" + bad], stdin="a b\n")
        self.assertEqual(res.returncode, 2)
        self.assertEqual(self.run_cmd(["map"]).returncode, 2)


class AliasTest(CliTestCase):

    def test_alias_file_and_newaliases(self):
        path = os.path.join(self.tmp, "aliases")
        with open(path, "w") as f:
            f.write("team: a@example.com, b@example.com\n"
                    "Pipe: \"|/bin/cat\"\n")
        self.run_ok(["alias", path])
        self.assertEqual(self.run_ok(["alias", "-q", "TEAM", path]).stdout,
                         "a@example.com, b@example.com\n")
        self.assertEqual(self.run_cmd(["alias", "-q", "x", path]).returncode,
                         1)

        # newaliases builds alias_database: the instance's etc/aliases.
        inst_aliases = os.path.join(self.etc, "aliases")
        with open(inst_aliases, "a") as f:
            f.write("\nsupport: alice@example.com\n")
        self.run_ok([], prog="newaliases")
        self.assertTrue(os.path.exists(inst_aliases + ".lmdb"))
        self.assertEqual(self.run_ok(["alias", "-q", "support"]).stdout,
                         "alice@example.com\n")
        with open(inst_aliases, "a") as f:
            f.write("sales: bob@example.com\n")
        self.run_ok(["alias"])
        self.assertEqual(self.run_ok(["alias", "-q", "sales"]).stdout,
                         "bob@example.com\n")
        with open(inst_aliases, "a") as f:
            f.write("broken line without colon\n")
        res = self.run_cmd([], prog="newaliases")
        self.assertEqual(res.returncode, 1)
        self.assertIn("aliases:", res.stderr)
        # The previous table stays in place.
        self.assertEqual(self.run_ok(["alias", "-q", "sales"]).stdout,
                         "bob@example.com\n")


if __name__ == "__main__":
    unittest.main()
