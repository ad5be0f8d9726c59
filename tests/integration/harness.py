# SPDX-License-Identifier: MIT
"""A real Postern instance for integration tests (standard library only).

Instance creates a temporary instance with `postern init` (make_layout;
hand-made files when the CLI is not built), then writes the test's
master.cf and main.cf settings (write_config), picks free loopback ports,
starts <POSTERN_BIN_DIR>/master -f with its output in a log file, waits
for readiness through the master's status socket, and always tears down:
SIGTERM, then SIGKILL, then the directory goes. The log is kept in memory
so InstanceTestCase can print it when a test fails.
"""

import os
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

SERVICE_USERS = ("postern", "vmail", "postern-auth")
QUEUE_DIRS = ("maildrop", "incoming", "active", "deferred", "hold",
              "corrupt", "private", "public", "pid")
MASTER_CF_COLUMNS = ("service", "type", "private", "unpriv", "chroot",
                     "wakeup", "maxproc")
# The programs a message needs from SMTP to a Maildir.
MAIL_PROGRAMS = ("smtpd", "qmgr", "local", "authd")
DEADLINE = 15.0
POLL = 0.02


def bin_dir():
    path = os.environ.get("POSTERN_BIN_DIR")
    if not path:
        raise unittest.SkipTest("POSTERN_BIN_DIR is not set")
    return os.path.abspath(path)


def free_port():
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_service_users():
    """As root, create the service users the master drops children to."""
    if os.geteuid() != 0:
        return
    for user in SERVICE_USERS:
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home",
                            "--shell", "/usr/sbin/nologin", user],
                           check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)


def missing_programs(names):
    """Those of names that are not built in the bin directory."""
    where = bin_dir()
    return [n for n in names
            if not os.access(os.path.join(where, n), os.X_OK)]


def master_cf_entries(text):
    """master.cf text -> its entries, each a list of lines: the first line
    and its continuation lines (which start with white space)."""
    entries = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t":
            if entries:
                entries[-1].append(line)
            continue
        entries.append([line])
    return entries


def wait_for(predicate, timeout=DEADLINE, what="condition"):
    """Poll predicate until it returns a true value or the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(POLL)


# ---- the IPC codec (libmail/ipc/ipc_msg.c), for the status socket ----

def ipc_encode(attrs):
    body = b""
    for name, value in attrs:
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, str):
            value = value.encode()
        name = name.encode()
        body += bytes([len(name)]) + name + struct.pack(">I", len(value))
        body += value
    return struct.pack(">I", len(body)) + body


def _recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("status socket closed")
        data += chunk
    return data


def ipc_recv(sock):
    """One frame as a dict name -> str (values decoded as UTF-8)."""
    (length,) = struct.unpack(">I", _recv_exact(sock, 4))
    body = _recv_exact(sock, length)
    attrs, off = {}, 0
    while off < len(body):
        nlen = body[off]
        name = body[off + 1:off + 1 + nlen].decode()
        off += 1 + nlen
        (vlen,) = struct.unpack(">I", body[off:off + 4])
        off += 4
        attrs[name] = body[off:off + vlen].decode("utf-8", "replace")
        off += vlen
    return attrs


def master_request(sock_path, verb, timeout=10.0):
    """Handshake, then one request; returns the reply attributes."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(ipc_encode([("req", "hello"), ("service", "master"),
                              ("version", "1.0")]))
        hello = ipc_recv(s)
        if hello.get("status") != "ok":
            raise ConnectionError("handshake refused: %r" % hello)
        s.sendall(ipc_encode([("req", verb)]))
        return ipc_recv(s)


def parse_status(reply):
    """req=status reply -> dict with a list of per-service dicts."""
    services = []
    for i in range(int(reply.get("services", "0"))):
        prefix = "svc%d_" % i
        svc = {k[len(prefix):]: v for k, v in reply.items()
               if k.startswith(prefix)}
        svc["pids"] = [int(p) for p in svc.get("pids", "").split()]
        for key in ("maxproc", "procs", "busy", "connections", "started"):
            svc[key] = int(svc[key])
        services.append(svc)
    out = dict(reply)
    out["services"] = services
    return out


class LineClient:
    """A line-oriented client of an echo-style service."""

    def __init__(self, sock, timeout=DEADLINE):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.file = sock.makefile("rwb", buffering=0)

    @classmethod
    def tcp(cls, port, timeout=DEADLINE):
        return cls(socket.create_connection(("127.0.0.1", port),
                                            timeout=timeout), timeout)

    @classmethod
    def unix(cls, path, timeout=DEADLINE):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(path)
        return cls(s, timeout)

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def readline(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError("connection closed by the server")
        return line.decode("utf-8", "replace").rstrip("\r\n")

    def ask(self, line):
        self.send(line)
        return self.readline()

    def close(self):
        try:
            self.file.close()
        finally:
            self.sock.close()


class Instance:
    """One Postern instance in a temporary directory."""

    def __init__(self, services=None, main_cf=None):
        self.bin = bin_dir()
        ensure_service_users()
        self.root = tempfile.mkdtemp(prefix="postern-test-")
        # Children running as mail_owner must traverse the tree.
        os.chmod(self.root, 0o755)
        self.conf_dir = os.path.join(self.root, "etc")
        self.queue_dir = os.path.join(self.root, "queue")
        self.tmp_dir = os.path.join(self.root, "tmp")
        self.log_path = os.path.join(self.root, "master.log")
        self.sock_path = os.path.join(self.queue_dir, "pid", "master.sock")
        self.ports = {}
        self.proc = None
        self.init_main_cf = ""
        self.init_master_cf = ""
        self.final_log = ""
        self._log_file = None
        self.main_extra = dict(main_cf or {})
        self.services = list(services if services is not None
                             else self.default_services())
        self.make_layout()
        self.write_config()

    # -- layout and configuration --

    def port(self, name):
        """A free loopback port, the same one for the same name."""
        if name not in self.ports:
            self.ports[name] = free_port()
        return self.ports[name]

    def default_services(self):
        return ["127.0.0.1:%d inet n - n - 4 postern-test-echod"
                % self.port("echo")]

    def make_layout(self):
        """The instance tree: `postern init`, as an administrator would."""
        postern = os.path.join(self.bin, "postern")
        if os.access(postern, os.X_OK):
            subprocess.run([postern, "init", self.root], check=True,
                           stdout=subprocess.DEVNULL)
            with open(os.path.join(self.conf_dir, "main.cf")) as f:
                self.init_main_cf = f.read()
            with open(os.path.join(self.conf_dir, "master.cf")) as f:
                self.init_master_cf = f.read()
        else:
            self.make_layout_by_hand()
        os.makedirs(self.tmp_dir, exist_ok=True)
        os.chmod(self.tmp_dir, 0o1777)

    def make_layout_by_hand(self):
        for d in ("etc", "data", "mail", "log"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        for d in QUEUE_DIRS:
            os.makedirs(os.path.join(self.queue_dir, d), exist_ok=True)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postern")
            for d in QUEUE_DIRS:
                if d != "pid":
                    os.chown(os.path.join(self.queue_dir, d), pw.pw_uid,
                             pw.pw_gid)

    def main_cf_text(self, extra=None):
        params = {
            "config_directory": self.conf_dir,
            "queue_directory": self.queue_dir,
            "data_directory": os.path.join(self.root, "data"),
            "mail_store_directory": os.path.join(self.root, "mail"),
            "daemon_directory": self.bin,
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "syslog_enable": "no",
            "max_idle": "60s",
        }
        params.update(self.main_extra)
        params.update(extra or {})
        # Later settings win, so ours follow what postern init wrote.
        return self.init_main_cf + "\n# integration test settings\n" + \
            "".join("%s = %s\n" % kv for kv in params.items())

    def write_config(self, services=None, main_cf=None):
        """Write main.cf (init's text plus ours) and the test's master.cf."""
        if services is not None:
            self.services = list(services)
        if main_cf is not None:
            self.main_extra.update(main_cf)
        with open(os.path.join(self.conf_dir, "main.cf"), "w") as f:
            f.write(self.main_cf_text())
        with open(os.path.join(self.conf_dir, "master.cf"), "w") as f:
            f.write("# service type private unpriv chroot wakeup "
                    "maxproc command\n")
            for line in self.services:
                f.write(line + "\n")

    def private(self, name):
        return os.path.join(self.queue_dir, "private", name)

    def tmp(self, name):
        return os.path.join(self.tmp_dir, name)

    # -- the mail system, as postern init sets it up --

    def mail_services(self, columns=None):
        """The services of init's master.cf for a test: its first plain
        smtpd entry (no -o lines) on 127.0.0.1:port("smtp"), the unix and
        fifo services as written, the other inet services left out.
        columns {name: {column: value}} changes columns of kept entries
        ("wakeup", "maxproc", ...); the smtpd entry's name is "smtpd"."""
        out, have_smtp = [], False
        for entry in master_cf_entries(self.init_master_cf):
            fields = entry[0].split()
            if len(fields) < 8:
                continue
            name = fields[0]
            if fields[1] == "inet":
                if have_smtp or fields[7] != "smtpd" or len(entry) > 1:
                    continue
                fields[0] = "127.0.0.1:%d" % self.port("smtp")
                name, have_smtp = "smtpd", True
            for col, value in (columns or {}).get(name, {}).items():
                fields[MASTER_CF_COLUMNS.index(col)] = str(value)
            out.append("\n".join([" ".join(fields)] + entry[1:]))
        return out

    def postern(self, *args, stdin=None, check=True):
        """Run the postern CLI on this instance; the CompletedProcess."""
        res = subprocess.run(
            [os.path.join(self.bin, "postern"), "-c", self.conf_dir] +
            list(args), input=stdin, capture_output=True, text=True,
            timeout=60, stdin=None if stdin is not None else
            subprocess.DEVNULL)
        if check and res.returncode != 0:
            raise AssertionError("postern %s exited %d: %s" % (
                " ".join(args), res.returncode, res.stderr))
        return res

    def user_add(self, address, *options):
        """A mail user without a password (postern user add)."""
        return self.postern("user", "add", address, "--no-password",
                            *options)

    def queue_ids(self, dirs=("maildrop", "incoming", "active", "deferred",
                              "hold")):
        """Names of queue files in the given queue subdirectories, without
        the writers' temporary names (they start with a dot)."""
        out = []
        for d in dirs:
            try:
                names = os.listdir(os.path.join(self.queue_dir, d))
            except FileNotFoundError:
                continue
            out += [n for n in names if not n.startswith(".")]
        return out

    def maillog_path(self):
        """maillog_file as postern init set it, or None."""
        m = re.search(r"^maillog_file\s*=\s*(\S+)\s*$", self.init_main_cf,
                      re.M)
        return m.group(1) if m else None

    def delivered_files(self):
        """(maildir, path) of every message file in a new/ or cur/
        directory below mail_store_directory."""
        out = []
        for top, _, files in os.walk(os.path.join(self.root, "mail")):
            if os.path.basename(top) in ("new", "cur"):
                maildir = os.path.dirname(top)
                out += [(maildir, os.path.join(top, f)) for f in files]
        return out

    def pids(self, name):
        """Pids of a running service (by master.cf name) from the status
        socket; [] when it has none."""
        svc = self.service(name)
        return svc["pids"] if svc else []

    # -- running --

    def master_cmd(self, *extra):
        return [os.path.join(self.bin, "master"), "-c", self.conf_dir] + \
            list(extra)

    def start(self, foreground=True):
        self._log_file = open(self.log_path, "ab")
        args = self.master_cmd("-f") if foreground else self.master_cmd()
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=self._log_file,
                                     stderr=subprocess.STDOUT)
        if not foreground:
            rc = self.proc.wait(timeout=DEADLINE)
            if rc != 0:
                raise AssertionError("master exited %d:\n%s"
                                     % (rc, self.log()))
        self.wait_ready()
        return self

    def wait_ready(self):
        def ready():
            if self.proc is not None and self.proc.poll() not in (None, 0):
                raise AssertionError("master exited with %s:\n%s"
                                     % (self.proc.returncode, self.log()))
            try:
                return self.status()
            except (OSError, ConnectionError):
                return None
        return wait_for(ready, what="the master's status socket")

    def master_pid(self):
        with open(os.path.join(self.queue_dir, "pid", "master.pid")) as f:
            return int(f.read().strip())

    def request(self, verb):
        return master_request(self.sock_path, verb)

    def status(self):
        reply = self.request("status")
        if reply.get("status") != "ok":
            raise AssertionError("status failed: %r" % reply)
        return parse_status(reply)

    def service(self, name, status=None):
        for svc in (status or self.status())["services"]:
            if svc["name"] == name and svc.get("state") != "draining":
                return svc
        return None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return self.final_log

    def wait_for_log(self, pattern, timeout=DEADLINE, start=0):
        """Wait until pattern (a regex) appears after offset start."""
        rx = re.compile(pattern)
        return wait_for(lambda: rx.search(self.log(), start), timeout,
                        "log line /%s/" % pattern)

    def log_mark(self):
        return len(self.log())

    def send_signal(self, signo):
        os.kill(self.master_pid(), signo)

    def reload(self, services=None, main_cf=None):
        """Rewrite the files, SIGHUP, wait for the reload log line."""
        mark = self.log_mark()
        self.write_config(services, main_cf)
        self.send_signal(signal.SIGHUP)
        return self.wait_for_log(r"reload -- version|reload failed",
                                 start=mark)

    def stop(self, timeout=10.0):
        """SIGTERM, then SIGKILL; returns the master's exit status."""
        try:
            pid = self.master_pid()
        except (OSError, ValueError):
            pid = self.proc.pid if self.proc else None
        if pid is None:
            return None
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        if self.proc is not None and self.proc.pid == pid:
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        try:
            wait_for(lambda: not os.path.exists("/proc/%d" % pid), timeout,
                     "the master to exit")
        except AssertionError:
            os.kill(pid, signal.SIGKILL)
        return None

    def kill(self, signo=signal.SIGKILL):
        """Signal the master; for SIGKILL, also wait until it is gone."""
        pid = self.master_pid()
        os.kill(pid, signo)
        if signo == signal.SIGKILL:
            if self.proc is not None and self.proc.pid == pid:
                self.proc.wait(timeout=DEADLINE)
            else:
                wait_for(lambda: not os.path.exists("/proc/%d" % pid),
                         what="the master to die")

    def restart(self):
        self.stop()
        self.close_log()
        return self.start()

    def close_log(self):
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def close(self):
        """Always safe: stop whatever runs, keep the log, remove the tree."""
        try:
            running = self.proc is not None and self.proc.poll() is None
            if running or os.path.exists(os.path.join(self.queue_dir, "pid",
                                                      "master.pid")):
                self.stop()
        finally:
            self.close_log()
            self.final_log = self.log()
            shutil.rmtree(self.root, ignore_errors=True)


class InstanceTestCase(unittest.TestCase):
    """Gives each test instance() and prints instance logs on failure."""

    def setUp(self):
        self._instances = []

    def instance(self, services=None, main_cf=None, start=True):
        inst = Instance(services, main_cf)
        self._instances.append(inst)
        self.addCleanup(inst.close)
        if start:
            inst.start()
        return inst

    def mail_instance(self, users=(), main_cf=None, columns=None,
                      programs=MAIL_PROGRAMS):
        """A started instance running the mail system of init's master.cf
        (Instance.mail_services) with the given users (no passwords).
        Skips the test when one of programs is not built at all."""
        missing = missing_programs(programs)
        if missing:
            self.skipTest("not built: %s" % ", ".join(missing))
        inst = self.instance(start=False)
        inst.write_config(services=inst.mail_services(columns),
                          main_cf=main_cf)
        for address in users:
            inst.user_add(address)
        return inst.start()

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            for inst in getattr(self, "_instances", []):
                sys.stderr.write("\n---- log of %s ----\n%s---- end ----\n"
                                 % (inst.root, inst.final_log or inst.log()))
        return out
