# SPDX-License-Identifier: MIT
"""The postern admin command, run from POSTERN_BIN_DIR in temporary
directories: init, conf, check, start/status/stop, global options."""

import os
import pwd
import re
import shutil
import signal
import ssl
import stat
import subprocess
import tempfile
import unittest

from harness import DEADLINE, LineClient, bin_dir, free_port, wait_for

SERVICES = {"smtp": 2525, "submission": 2587, "smtps": 2465, "imap": 2143,
            "imaps": 2993, "pop3": 2110, "pop3s": 2995, "sieve": 4190}
# pipe transports are per command (docs/pipe.md): init writes only an example.
INTERNAL = ("pickup", "qmgr", "local", "smtp", "lmtp", "auth")
QUEUE_DIRS = ("maildrop", "incoming", "active", "deferred", "hold",
              "corrupt", "private", "public", "pid")
AS_ROOT = os.geteuid() == 0


def owner(path):
    return pwd.getpwuid(os.stat(path).st_uid).pw_name


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class CliTestCase(unittest.TestCase):
    """A temporary directory and a runner for the built postern."""

    def setUp(self):
        self.bin = bin_dir()
        self.postern = os.path.join(self.bin, "postern")
        self.tmp = tempfile.mkdtemp(prefix="postern-cli-")
        # Service users must traverse it to reach the instance.
        os.chmod(self.tmp, 0o755)
        self.dir = os.path.join(self.tmp, "inst")
        self.addCleanup(self.cleanup)

    def cleanup(self):
        pid_file = os.path.join(self.dir, "queue", "pid", "master.pid")
        if os.path.exists(pid_file):
            self.run_postern("stop")
            if os.path.exists(pid_file):
                with open(pid_file) as f:
                    text = f.read().strip()
                if text:
                    try:
                        os.kill(int(text), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_postern(self, *args, config=True, env=None, stdin=None):
        argv = [self.postern] + (["-c", self.dir] if config else [])
        argv += list(args)
        full_env = dict(os.environ)
        full_env.pop("POSTERN_CONFIG_DIR", None)
        full_env.update(env or {})
        return subprocess.run(argv, capture_output=True, text=True,
                              env=full_env, input=stdin, timeout=120)

    def ok(self, *args, **kw):
        r = self.run_postern(*args, **kw)
        self.assertEqual(r.returncode, 0, "postern %s failed:\n%s%s"
                         % (" ".join(args), r.stdout, r.stderr))
        return r

    def init(self, *extra):
        return self.ok("init", self.dir, *extra, config=False)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def read(self, *parts):
        with open(self.path(*parts)) as f:
            return f.read()

    def main_cf(self):
        """main.cf as a dict (no continuation lines in what init writes)."""
        params = {}
        for line in self.read("etc", "main.cf").splitlines():
            if line and not line[0].isspace() and not line.startswith("#"):
                name, _, value = line.partition("=")
                params[name.strip()] = value.strip()
        return params

    def master_cf_entries(self):
        entries = {}
        for line in self.read("etc", "master.cf").splitlines():
            if line and not line[0].isspace() and not line.startswith("#"):
                fields = line.split()
                entries[(fields[0], fields[1])] = fields
        return entries

    def assertOneErrorLine(self, r, status=None):
        self.assertNotEqual(r.returncode, 0)
        if status is not None:
            self.assertEqual(r.returncode, status)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("postern: "), r.stderr)
        return lines[0]


class InitTest(CliTestCase):

    def test_init_creates_a_complete_instance(self):
        self.init("--domain", "example.test", "--hostname",
                  "mx.example.test")
        conf = self.main_cf()
        self.assertEqual(conf["config_directory"], self.path("etc"))
        self.assertEqual(conf["queue_directory"], self.path("queue"))
        self.assertEqual(conf["data_directory"], self.path("data"))
        self.assertEqual(conf["mail_store_directory"], self.path("mail"))
        self.assertEqual(conf["maillog_file"], self.path("log", "maillog"))
        self.assertEqual(conf["inet_interfaces"], "127.0.0.1")
        self.assertEqual(conf["myhostname"], "mx.example.test")
        self.assertEqual(conf["mydomain"], "example.test")
        self.assertIn("$mydomain", conf["mydestination"])
        for d in QUEUE_DIRS:
            self.assertTrue(os.path.isdir(self.path("queue", d)), d)
        for d in ("mail", "data", "log"):
            self.assertTrue(os.path.isdir(self.path(d)), d)
        aliases = self.read("etc", "aliases")
        for name in ("postmaster:", "MAILER-DAEMON:", "abuse:"):
            self.assertIn("\n" + name, aliases)
        self.assertTrue(os.path.isfile(self.path("etc", "aliases.lmdb")))

    def test_master_cf_has_every_service_on_its_default_port(self):
        self.init()
        entries = self.master_cf_entries()
        commands = {"smtp": "smtpd", "submission": "smtpd",
                    "smtps": "smtpd", "imap": "imapd", "imaps": "imapd",
                    "pop3": "pop3d", "pop3s": "pop3d", "sieve": "sieved"}
        for name, port in SERVICES.items():
            fields = entries.get((str(port), "inet"))
            self.assertIsNotNone(fields, name)
            self.assertEqual(fields[7], commands[name])
        for name in INTERNAL:
            self.assertIn((name, "unix"), entries)

    def test_tls_certificate_and_key(self):
        self.init("--hostname", "mail.example.test")
        conf = self.main_cf()
        cert, key = conf["tls_cert_file"], conf["tls_key_file"]
        self.assertTrue(cert.startswith(self.path("data", "tls")))
        self.assertEqual(mode(key), 0o600)
        decoded = ssl._ssl._test_decode_cert(cert)
        self.assertIn(("DNS", "mail.example.test"),
                      decoded["subjectAltName"])
        # The key belongs to the certificate: a server context takes both.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)

    @unittest.skipUnless(AS_ROOT, "ownership is set only as root")
    def test_ownership_as_root(self):
        self.init()
        for user in ("postern", "vmail", "postern-auth"):
            pwd.getpwnam(user)
        for d in ("incoming", "active", "deferred", "hold", "corrupt",
                  "private"):
            self.assertEqual(owner(self.path("queue", d)), "postern", d)
            self.assertEqual(mode(self.path("queue", d)), 0o700, d)
        self.assertEqual(owner(self.path("queue", "maildrop")), "postern")
        self.assertEqual(owner(self.path("queue", "pid")), "root")
        self.assertEqual(owner(self.path("mail")), "vmail")
        self.assertEqual(owner(self.path("data", "tls")), "root")
        self.assertEqual(mode(self.path("data", "tls")), 0o700)
        self.assertEqual(owner(self.path("etc", "main.cf")), "root")

    def test_init_refuses_to_overwrite(self):
        self.init()
        before = self.read("etc", "main.cf")
        r = self.run_postern("init", self.dir, "--hostname", "other.test",
                             config=False)
        line = self.assertOneErrorLine(r)
        self.assertIn("already exists", line)
        self.assertEqual(self.read("etc", "main.cf"), before)

    def test_ports_option(self):
        port = free_port()
        self.init("--port", "imap=%d" % port, "--port", "smtp=%d" % (port + 1))
        entries = self.master_cf_entries()
        self.assertIn((str(port), "inet"), entries)
        self.assertIn((str(port + 1), "inet"), entries)
        self.assertNotIn(("2143", "inet"), entries)
        self.assertIn(("2587", "inet"), entries)

    def test_bad_options_give_one_line(self):
        for args in (["--port", "gopher=70"], ["--port", "imap=99999"],
                     ["--port", "imap"], ["--frobnicate"]):
            r = self.run_postern("init", self.dir, *args, config=False)
            self.assertEqual(r.returncode, 2, args)
            self.assertTrue(r.stderr.startswith("postern: "), r.stderr)
            self.assertFalse(os.path.exists(self.path("etc", "main.cf")))
        r = self.run_postern("init", config=False)
        self.assertOneErrorLine(r, 2)

    def test_system_layout_in_a_staging_root(self):
        root = os.path.join(self.tmp, "root")
        self.ok("init", "--system", root, "--hostname", "mx.example.test",
                config=False)
        main_cf = os.path.join(root, "etc", "postern", "main.cf")
        with open(main_cf) as f:
            text = f.read()
        self.assertIn("queue_directory = /var/spool/postern\n", text)
        self.assertIn("data_directory = /var/lib/postern\n", text)
        self.assertIn("mail_store_directory = /var/mail/postern\n", text)
        self.assertTrue(os.path.isdir(os.path.join(
            root, "var", "spool", "postern", "incoming")))
        with open(os.path.join(root, "etc", "postern", "master.cf")) as f:
            ports = {line.split()[0] for line in f
                     if line[:1].isdigit()}
        self.assertEqual(ports, {"25", "587", "465", "143", "993", "110",
                                 "995", "4190"})

    def test_demo_users(self):
        self.init("--demo", "--domain", "example.test")
        path = self.path("demo-users.txt")
        self.assertEqual(mode(path), 0o600)
        text = self.read("demo-users.txt")
        self.assertIn("alice@example.test", text)
        self.assertIn("bob@example.test", text)
        listed = self.ok("user", "list").stdout
        self.assertIn("alice@example.test", listed)
        self.assertIn("bob@example.test", listed)


class ConfTest(CliTestCase):

    def setUp(self):
        super().setUp()
        self.init("--hostname", "mx.example.test")

    def test_defaults(self):
        r = self.ok("conf", "-d", "max_use", "myhostname")
        self.assertEqual(r.stdout, "max_use = 100\nmyhostname = localhost\n")
        # -d needs no instance at all.
        r = self.run_postern("conf", "-d", "max_use", config=False,
                             env={"POSTERN_CONFIG_DIR": "/nonexistent"})
        self.assertEqual(r.stdout, "max_use = 100\n")

    def test_set_only_and_all(self):
        r = self.ok("conf", "-n")
        names = [line.split(" = ")[0] for line in r.stdout.splitlines()]
        self.assertEqual(names, sorted(self.main_cf()))
        self.assertNotIn("max_use", names)
        everything = self.ok("conf").stdout
        self.assertIn("max_use = 100\n", everything)
        self.assertIn("myhostname = mx.example.test\n", everything)
        self.assertEqual(self.ok("conf", "-h", "myhostname").stdout,
                         "mx.example.test\n")

    def test_unknown_name(self):
        r = self.run_postern("conf", "no_such_parameter")
        self.assertOneErrorLine(r, 1)

    def test_edit_round_trip(self):
        before = self.read("etc", "main.cf")
        self.ok("conf", "-e", "max_use=7", "myhostname = mx2.example.test")
        self.assertEqual(self.ok("conf", "-n", "max_use").stdout,
                         "max_use = 7\n")
        self.assertEqual(self.ok("conf", "-h", "myhostname").stdout,
                         "mx2.example.test\n")
        # Comments of the template survive the edit.
        comments = [l for l in before.splitlines() if l.startswith("#")]
        after = self.read("etc", "main.cf").splitlines()
        self.assertEqual([l for l in after if l.startswith("#")], comments)

    def test_edit_refuses_a_bad_value(self):
        before = self.read("etc", "main.cf")
        r = self.run_postern("conf", "-e", "max_use=lots")
        line = self.assertOneErrorLine(r, 1)
        self.assertIn("max_use", line)
        self.assertEqual(self.read("etc", "main.cf"), before)

    def test_master_round_trip(self):
        r = self.ok("conf", "-M", "2525/inet")
        fields = r.stdout.split()
        self.assertEqual(fields[:2], ["2525", "inet"])
        self.assertEqual(fields[7], "smtpd")
        self.ok("conf", "-M", "2525/inet=2525 inet n - y - 5 smtpd")
        fields = self.ok("conf", "-M", "2525/inet").stdout.split()
        self.assertEqual(fields[6], "5")
        self.assertEqual(self.master_cf_entries()[("2525", "inet")][6], "5")
        listing = self.ok("conf", "-M").stdout.splitlines()
        self.assertEqual(len(listing), len(self.master_cf_entries()))

    def test_master_refuses_a_bad_entry(self):
        before = self.read("etc", "master.cf")
        for arg in ("2525/inet=2525 tcp n - y - 5 smtpd",
                    "2525/inet=2526 inet n - y - 5 smtpd",
                    "2525/inet=2525 inet n"):
            r = self.run_postern("conf", "-M", arg)
            self.assertOneErrorLine(r, 1)
        self.assertEqual(self.read("etc", "master.cf"), before)

    def test_config_directory_forms(self):
        want = "mx.example.test\n"
        self.assertEqual(self.ok("conf", "-h", "myhostname").stdout, want)
        r = self.run_postern("-c", self.path("etc"), "conf", "-h",
                             "myhostname", config=False)
        self.assertEqual(r.stdout, want)
        r = self.run_postern("conf", "-h", "myhostname", config=False,
                             env={"POSTERN_CONFIG_DIR": self.dir})
        self.assertEqual(r.stdout, want)
        r = self.run_postern("-c", self.tmp, "conf", "-n", config=False)
        self.assertOneErrorLine(r, 1)


class CheckTest(CliTestCase):

    def setUp(self):
        super().setUp()
        self.init()

    def test_fresh_instance_passes(self):
        r = self.run_postern("check")
        self.assertEqual(r.returncode, 0, r.stderr)
        # Only warnings (daemons not built yet), never errors.
        for line in r.stderr.splitlines():
            self.assertTrue(line.startswith("postern: warning: "), line)

    def test_broken_main_cf_is_reported_with_its_line(self):
        with open(self.path("etc", "main.cf"), "a") as f:
            f.write("this line has no equals sign\n")
        nlines = self.read("etc", "main.cf").count("\n")
        r = self.run_postern("check")
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s:%d:" % (self.path("etc", "main.cf"), nlines),
                      r.stderr)

    def test_bad_value_is_an_error(self):
        self.ok("conf", "-e", "max_idle=100s")
        with open(self.path("etc", "main.cf"), "a") as f:
            f.write("max_idle = soon\n")
        r = self.run_postern("check")
        self.assertEqual(r.returncode, 1)
        self.assertIn("max_idle", r.stderr)

    def test_unknown_parameter_is_a_warning(self):
        with open(self.path("etc", "main.cf"), "a") as f:
            f.write("no_such_parameter = 1\n")
        r = self.run_postern("check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"postern: warning: .*main\.cf:\d+: "
                         r".*no_such_parameter")

    def test_broken_master_cf(self):
        with open(self.path("etc", "master.cf"), "a") as f:
            f.write("bogus tcp n - n - - smtpd\n")
        r = self.run_postern("check")
        self.assertEqual(r.returncode, 1)
        self.assertIn(self.path("etc", "master.cf") + ":", r.stderr)

    def test_stale_alias_table_and_missing_directory(self):
        os.utime(self.path("etc", "aliases.lmdb"), (1, 1))
        r = self.run_postern("check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("aliases.lmdb is older than its source", r.stderr)
        os.rmdir(self.path("queue", "hold"))
        r = self.run_postern("check")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, re.escape(self.path("queue")) + ".*hold")

    def test_open_private_key_is_an_error(self):
        os.chmod(self.main_cf()["tls_key_file"], 0o644)
        r = self.run_postern("check")
        self.assertEqual(r.returncode, 1)
        self.assertIn("tls_key_file", r.stderr)


class LifecycleTest(CliTestCase):
    """start, status, reload and stop against a fresh instance."""

    def setUp(self):
        super().setUp()
        self.port = free_port()
        self.init("--port", "smtp=%d" % free_port())
        self.ok("conf", "-e", "daemon_directory=" + self.bin,
                "inet_protocols=ipv4")
        # An echo service the master can run today, whatever daemons exist.
        self.ok("conf", "-M", "%d/inet=%d inet n - n - 2 postern-test-echod"
                % (self.port, self.port))

    def status_rows(self):
        r = self.ok("status")
        rows = [line.split() for line in r.stdout.splitlines()[2:]]
        return r.stdout, {(row[0], row[1]): row for row in rows if row}

    def test_start_status_stop(self):
        r = self.ok("start")
        self.assertIn("running", r.stdout)
        text, rows = self.status_rows()
        self.assertIn("SERVICE", text)
        row = rows.get((str(self.port), "inet"))
        self.assertIsNotNone(row, text)
        self.assertEqual(row[2], "127.0.0.1:%d" % self.port)
        client = LineClient.tcp(self.port)
        try:
            self.assertTrue(client.ask("hello").endswith(" hello"))

            def busy():
                rows = self.status_rows()[1]
                return rows[(str(self.port), "inet")][3] == "1/1"
            # The master learns of the busy child asynchronously.
            wait_for(busy, what="status to show the busy process")
        finally:
            client.close()
        self.assertOneErrorLine(self.run_postern("start"), 1)
        self.ok("reload")
        self.ok("stop")
        self.assertFalse(os.path.exists(
            self.path("queue", "pid", "master.pid")))
        r = self.run_postern("status")
        self.assertIn("not running", self.assertOneErrorLine(r, 1))
        self.assertOneErrorLine(self.run_postern("stop"), 1)

    def test_foreground_start_stops_on_request(self):
        argv = [self.postern, "-c", self.dir, "start", "-f"]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            def up():
                if proc.poll() is not None:
                    raise AssertionError("master exited %d"
                                         % proc.returncode)
                return self.run_postern("status").returncode == 0
            wait_for(up, what="the master to answer status")
            self.ok("stop")
            self.assertEqual(proc.wait(timeout=DEADLINE), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


class GlobalTest(CliTestCase):

    def test_help(self):
        r = self.ok("--help", config=False)
        for cmd in ("init", "start", "stop", "reload", "status", "check",
                    "conf"):
            self.assertIn("  %s " % cmd, r.stdout)
        for cmd in ("init", "start", "stop", "status", "check", "conf"):
            r = self.ok(cmd, "--help", config=False)
            self.assertTrue(r.stdout.startswith("usage: postern " + cmd),
                            r.stdout)

    def test_unknown_command_and_missing_instance(self):
        self.assertOneErrorLine(self.run_postern("frobnicate"), 2)
        r = self.run_postern("status")
        self.assertIn("main.cf", self.assertOneErrorLine(r, 1))
        self.assertNotEqual(self.run_postern(config=False).returncode, 0)


if __name__ == "__main__":
    unittest.main()
