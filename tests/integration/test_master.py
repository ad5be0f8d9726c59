# SPDX-License-Identifier: MIT
"""The master against real services: the postern-test-echod and
postern-test-triggerd fixtures, started from master.cf on loopback ports."""

import os
import pwd
import re
import select
import signal
import socket
import subprocess
import threading
import time
import unittest

from harness import (DEADLINE, InstanceTestCase, LineClient, wait_for)

ECHOD = "postern-test-echod"
TRIGGERD = "postern-test-triggerd"


def echo_pid(reply):
    """'<service> <pid> <line>' -> pid."""
    return int(reply.split()[1])


def proc_uid(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise AssertionError("no Uid line for pid %d" % pid)


def listening_inodes():
    """Socket inode -> local address of every TCP socket in LISTEN."""
    out = {}
    for path, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(path) as f:
                lines = f.readlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != "0A":		# TCP_LISTEN
                continue
            out[fields[9]] = (fields[1], v6)
    return out


def is_loopback(hexaddr, v6):
    addr = hexaddr.split(":")[0]
    raw = bytes.fromhex(addr)
    if not v6:
        return raw[::-1][0] == 127
    # /proc prints IPv6 as four host-order 32-bit words.
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    if words == bytes(15) + b"\x01":
        return True
    return words[:12] == bytes(10) + b"\xff\xff" and words[12] == 127


def have_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), 5).close()
    except ConnectionRefusedError:
        return True
    return False


def read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def socket_inodes(pid):
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", target)
        if m:
            inodes.add(m.group(1))
    return inodes


class MasterTest(InstanceTestCase):

    def test_every_service_starts_and_answers(self):
        inst = self.instance(start=False)
        trig = inst.tmp("fifo-triggers")
        inst.write_config(services=[
            "127.0.0.1:%d inet n - n - 4 %s" % (inst.port("a"), ECHOD),
            "127.0.0.1:%d inet n - n - - %s" % (inst.port("b"), ECHOD),
            "echo unix - - n - 2 %s" % ECHOD,
            "trig fifo - - n - 1 %s %s" % (TRIGGERD, trig),
            "ghost unix - - n - - postern-no-such-daemon",
        ])
        inst.start()
        for name in ("a", "b"):
            c = LineClient.tcp(inst.port(name))
            reply = c.ask("ping")
            self.assertEqual(reply.split()[0],
                             "127.0.0.1:%d" % inst.port(name))
            self.assertTrue(reply.endswith(" ping"), reply)
            self.assertEqual(c.ask("QUIT"), "BYE")
            c.close()
        c = LineClient.unix(inst.private("echo"))
        self.assertEqual(c.ask("ping").split()[0], "echo")
        c.close()
        with open(inst.private("trig"), "wb", buffering=0) as f:
            f.write(b"poke")
        wait_for(lambda: read_file(trig) == b"poke", what="the trigger")
        st = inst.status()
        names = sorted(s["name"] for s in st["services"])
        self.assertEqual(names, sorted([
            "127.0.0.1:%d" % inst.port("a"),
            "127.0.0.1:%d" % inst.port("b"), "echo", "trig"]))
        self.assertEqual(inst.service("echo", st)["maxproc"], 2)
        self.assertEqual(inst.service("127.0.0.1:%d" % inst.port("b"),
                                      st)["maxproc"], 100)
        # A missing program is one warning, not a fatal error.
        self.assertEqual(len(re.findall(
            r"warning: service ghost/unix: program \S+/postern-no-such-"
            r"daemon not found; service disabled", inst.log())), 1)
        self.assertIn("listening on 127.0.0.1:%d" % inst.port("a"),
                      inst.log())
        self.assertRegex(inst.log(), r"daemon started -- version \S+, "
                         r"configuration " + re.escape(inst.conf_dir))

    def test_maxproc_is_respected(self):
        inst = self.instance(start=False)
        name = "127.0.0.1:%d" % inst.port("echo")
        inst.write_config(services=["%s inet n - n - 2 %s"
                                    % (name, ECHOD)])
        inst.start()
        first, second = (LineClient.tcp(inst.port("echo"))
                         for _ in range(2))
        p1, p2 = echo_pid(first.ask("one")), echo_pid(second.ask("two"))
        self.assertNotEqual(p1, p2)
        third = LineClient.tcp(inst.port("echo"))
        third.send("three")
        svc = inst.service(name)
        self.assertEqual((svc["procs"], svc["busy"]), (2, 2))
        # Nobody may answer the third client while both processes are busy.
        readable, _, _ = select.select([third.sock], [], [], 0.5)
        self.assertEqual(readable, [])
        self.assertEqual(first.ask("QUIT"), "BYE")
        # The process freed by the first client takes the third.
        self.assertEqual(echo_pid(third.readline()), p1)
        svc = inst.service(name)
        self.assertLessEqual(svc["procs"], 2)
        self.assertEqual(svc["connections"], 3)
        for c in (first, second, third):
            c.close()

    def test_killed_child_is_logged_and_service_recovers(self):
        inst = self.instance()
        c = LineClient.tcp(inst.port("echo"))
        pid = echo_pid(c.ask("hello"))
        mark = inst.log_mark()
        os.kill(pid, signal.SIGKILL)
        inst.wait_for_log(r"warning: process \S+/%s pid %d killed by "
                          r"signal 9" % (ECHOD, pid), start=mark)
        c.close()
        # Throttled for a moment, then served again by a new process.
        c = LineClient.tcp(inst.port("echo"))
        self.assertNotEqual(echo_pid(c.ask("again")), pid)
        c.close()

    def test_reload_applies_new_settings_without_dropping(self):
        inst = self.instance(main_cf={"test_marker": "one"})
        old = LineClient.tcp(inst.port("echo"))
        self.assertEqual(old.ask("CONF test_marker"), "one")
        old_pid = echo_pid(old.ask("who"))
        failures, done = [], threading.Event()

        def hammer():
            # Connections during the reload must never be refused.
            while not done.is_set():
                try:
                    c = LineClient.tcp(inst.port("echo"))
                    c.ask("x")
                    c.ask("QUIT")
                    c.close()
                except OSError as e:
                    failures.append(repr(e))
        t = threading.Thread(target=hammer)
        t.start()
        try:
            inst.reload(main_cf={"test_marker": "two"})
            self.assertIn("reload -- version", inst.log())
            new = LineClient.tcp(inst.port("echo"))
            self.assertEqual(new.ask("CONF test_marker"), "two")
            self.assertNotEqual(echo_pid(new.ask("who")), old_pid)
            new.close()
        finally:
            done.set()
            t.join()
        self.assertEqual(failures, [])
        # The client in progress keeps its process and its settings...
        self.assertEqual(old.ask("CONF test_marker"), "one")
        self.assertEqual(echo_pid(old.ask("who")), old_pid)
        self.assertEqual(old.ask("QUIT"), "BYE")
        old.close()
        # ...and that process of the old generation then goes away.
        wait_for(lambda: old_pid not in inst.service(
            "127.0.0.1:%d" % inst.port("echo"))["pids"],
            what="the old process to exit")

    def test_bad_reload_keeps_running_configuration(self):
        inst = self.instance()
        mark = inst.log_mark()
        inst.write_config(services=["bogus line"])
        reply = inst.request("reload")
        self.assertEqual(reply["status"], "error")
        inst.wait_for_log(r"reload failed, keeping the running "
                          r"configuration", start=mark)
        c = LineClient.tcp(inst.port("echo"))
        self.assertTrue(c.ask("still").endswith(" still"))
        c.close()

    def test_reload_removes_and_adds_services(self):
        inst = self.instance(start=False)
        keep = "127.0.0.1:%d inet n - n - - %s" % (inst.port("keep"), ECHOD)
        gone = "127.0.0.1:%d inet n - n - - %s" % (inst.port("gone"), ECHOD)
        new = "127.0.0.1:%d inet n - n - - %s" % (inst.port("new"), ECHOD)
        inst.write_config(services=[keep, gone])
        inst.start()
        busy = LineClient.tcp(inst.port("gone"))
        busy.ask("hi")
        kept = LineClient.tcp(inst.port("keep"))
        kept.ask("hi")
        inst.reload(services=[keep, new])
        inst.wait_for_log(r"service 127\.0\.0\.1:%d/inet removed"
                          % inst.port("gone"))
        # Its client in progress holds the listener, yet no new client
        # gets in once the old processes can no longer accept.
        wait_for(lambda: refused(inst.port("gone")),
                 what="the removed port to refuse connections")
        c = LineClient.tcp(inst.port("new"))
        self.assertTrue(c.ask("hello").startswith(
            "127.0.0.1:%d " % inst.port("new")))
        c.close()
        # Clients of the removed service finish their session.
        self.assertTrue(busy.ask("more").endswith(" more"))
        self.assertEqual(busy.ask("QUIT"), "BYE")
        busy.close()
        self.assertEqual(kept.ask("QUIT"), "BYE")
        kept.close()
        gone_name = "127.0.0.1:%d" % inst.port("gone")
        wait_for(lambda: all(s["name"] != gone_name
                             for s in inst.status()["services"]),
                 what="the removed service to drain")
        self.assertIsNotNone(inst.service("127.0.0.1:%d"
                                          % inst.port("keep")))

    def test_second_master_is_refused(self):
        inst = self.instance()
        r = subprocess.run(inst.master_cmd("-f"), capture_output=True,
                           text=True, timeout=DEADLINE)
        self.assertEqual(r.returncode, 1)
        self.assertIn("the Postern master is already running (pid %d)"
                      % inst.master_pid(), r.stderr)
        # The first one is unharmed.
        self.assertEqual(inst.status()["pid"], str(inst.master_pid()))

    def test_wakeup_triggers(self):
        inst = self.instance(start=False)
        every, used = inst.tmp("every"), inst.tmp("used")
        inst.write_config(services=[
            "127.0.0.1:%d inet n - n - - %s" % (inst.port("echo"), ECHOD),
            "tick fifo - - n 1 1 %s %s" % (TRIGGERD, every),
            "later unix - - n 1? 1 %s %s" % (TRIGGERD, used),
        ])
        inst.start()
        wait_for(lambda: read_file(every).count(b"W") >= 2,
                 what="two wakeups")
        # "1?": nothing until the service has been used once.
        self.assertFalse(os.path.exists(used))
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(inst.private("later"))
        s.sendall(b"U")
        s.close()
        wait_for(lambda: read_file(used).startswith(b"U") and
                 b"W" in read_file(used), what="a wakeup after first use")

    @unittest.skipUnless(os.geteuid() == 0, "needs root")
    def test_children_run_as_mail_owner(self):
        inst = self.instance()
        c = LineClient.tcp(inst.port("echo"))
        pid = echo_pid(c.ask("hello"))
        postern = pwd.getpwnam("postern")
        self.assertEqual(proc_uid(pid), postern.pw_uid)
        self.assertEqual(c.ask("IDS"), "%d %d %d %d" % (
            postern.pw_uid, postern.pw_uid, postern.pw_gid,
            postern.pw_gid))
        self.assertEqual(proc_uid(inst.master_pid()), 0)
        c.close()

    def test_privilege_drop_is_announced_only_when_not_root(self):
        inst = self.instance()
        line = ("not running as root: privilege drop and chroot skipped; "
                "services run as %s" % pwd.getpwuid(os.geteuid()).pw_name)
        if os.geteuid() == 0:
            self.assertNotIn("not running as root", inst.log())
        else:
            self.assertEqual(inst.log().count(line), 1)

    def test_nothing_listens_beyond_loopback(self):
        protocols = "all" if have_ipv6_loopback() else "ipv4"
        inst = self.instance(start=False, main_cf={
            "inet_interfaces": "loopback-only",
            "inet_protocols": protocols})
        inst.write_config(services=[
            "%d inet n - n - - %s" % (inst.port("echo"), ECHOD)])
        inst.start()
        listen = inst.status()["services"][0]["listen"].split()
        expected = ["127.0.0.1:%d" % inst.port("echo")]
        if protocols == "all":
            expected.append("[::1]:%d" % inst.port("echo"))
        self.assertEqual(sorted(listen), sorted(expected))
        c = LineClient.tcp(inst.port("echo"))
        pid = echo_pid(c.ask("hello"))
        listening = listening_inodes()
        mine = [listening[i] for p in (inst.master_pid(), pid)
                for i in socket_inodes(p) if i in listening]
        self.assertTrue(mine)
        for addr, v6 in mine:
            self.assertTrue(is_loopback(addr, v6), addr)
        c.close()

    def test_check_option(self):
        inst = self.instance(start=False)
        ok = subprocess.run(inst.master_cmd("-t"), capture_output=True,
                            text=True, timeout=DEADLINE)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        inst.write_config(services=["smtp tcp n - n - - %s" % ECHOD])
        bad = subprocess.run(inst.master_cmd("-t"), capture_output=True,
                             text=True, timeout=DEADLINE)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("master.cf:2", bad.stderr)

    def test_daemon_mode_and_stop_request(self):
        inst = Instance_with_log(self)
        inst.start(foreground=False)
        pid = inst.master_pid()
        c = LineClient.tcp(inst.port("echo"))
        child = echo_pid(c.ask("hello"))
        self.assertEqual(inst.request("stop")["status"], "ok")
        wait_for(lambda: not os.path.exists("/proc/%d" % pid),
                 what="the master to exit")
        wait_for(lambda: not os.path.exists("/proc/%d" % child),
                 what="the child to exit")
        self.assertFalse(os.path.exists(inst.sock_path))
        self.assertFalse(os.path.exists(os.path.join(
            inst.queue_dir, "pid", "master.pid")))
        c.close()

    def test_children_follow_a_killed_master_and_restart_works(self):
        inst = self.instance()
        c = LineClient.tcp(inst.port("echo"))
        child = echo_pid(c.ask("hello"))
        self.assertEqual(c.ask("QUIT"), "BYE")
        c.close()
        inst.kill()
        # The idle child sees its lifeline end and exits.
        wait_for(lambda: not os.path.exists("/proc/%d" % child),
                 what="the orphaned child to exit")
        # A stale pid file and socket do not stop a new master.
        inst.restart()
        c = LineClient.tcp(inst.port("echo"))
        self.assertNotEqual(echo_pid(c.ask("hello")), child)
        c.close()

    def test_sigterm_stops_everything(self):
        inst = self.instance()
        c = LineClient.tcp(inst.port("echo"))
        child = echo_pid(c.ask("hello"))
        self.assertEqual(inst.stop(), 0)
        self.assertIn("terminating on signal 15", inst.log())
        wait_for(lambda: not os.path.exists("/proc/%d" % child),
                 what="the child to exit")
        self.assertFalse(os.path.exists(inst.sock_path))
        c.close()

    def assert_no_sanitizer_report(self, inst):
        # Under a sanitizer build (make test) the master's stderr, which
        # the harness logs, carries any memory error it made.
        self.assertNotIn("AddressSanitizer", inst.log())
        self.assertNotIn("runtime error:", inst.log())

    def idle_and_busy_children(self, inst):
        """One child idle after a finished client, one serving a client;
        returns the open client of the busy one."""
        name = "127.0.0.1:%d" % inst.port("echo")
        busy = LineClient.tcp(inst.port("echo"))
        busy_pid = echo_pid(busy.ask("first"))
        c = LineClient.tcp(inst.port("echo"))
        idle_pid = echo_pid(c.ask("second"))
        self.assertNotEqual(idle_pid, busy_pid)
        self.assertEqual(c.ask("QUIT"), "BYE")
        c.close()
        wait_for(lambda: inst.service(name)["busy"] == 1,
                 what="the second child to report idle")
        self.assertIn(idle_pid, inst.service(name)["pids"])
        return busy

    def test_stop_with_idle_and_busy_children_is_clean(self):
        # Regression: the stop closed the listeners while the processes
        # still pointed at them, and reaping an idle one then wrote to a
        # freed listener (heap-use-after-free under ASan).
        inst = self.instance()
        busy = self.idle_and_busy_children(inst)
        self.assertEqual(inst.stop(), 0)
        self.assertIn("terminating on signal 15", inst.log())
        busy.close()
        self.assert_no_sanitizer_report(inst)

    def test_children_killed_under_load_leave_the_master_healthy(self):
        inst = self.instance(main_cf={"service_throttle_time": "1s"})
        name = "127.0.0.1:%d" % inst.port("echo")
        done, status_errors, kills = threading.Event(), [], []

        def hammer():
            # Clients may be cut off by the kills; that is expected.
            while not done.is_set():
                try:
                    c = LineClient.tcp(inst.port("echo"), timeout=2)
                    c.ask("x")
                    c.ask("QUIT")
                    c.close()
                except OSError:
                    pass
        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            end = time.monotonic() + 3.0
            while time.monotonic() < end:
                try:
                    pids = inst.pids(name)
                except (OSError, AssertionError) as e:
                    status_errors.append(repr(e))
                    continue
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        kills.append(pid)
                    except ProcessLookupError:
                        pass
        finally:
            done.set()
            for t in threads:
                t.join()
        self.assertEqual(status_errors, [])
        self.assertTrue(kills)
        self.assertIsNone(inst.proc.poll(), "the master died")
        self.assertIn("killed by signal 9", inst.log())
        # Once the (short) throttle ends the service answers again, and a
        # stop with children in both states is still clean.
        busy = self.idle_and_busy_children(inst)
        self.assertEqual(inst.stop(), 0)
        busy.close()
        self.assert_no_sanitizer_report(inst)


def Instance_with_log(test):
    """A daemonized master logs to maillog_file, not to our pipe."""
    inst = test.instance(start=False)
    inst.write_config(main_cf={"maillog_file": inst.log_path})
    return inst


if __name__ == "__main__":
    unittest.main()
