# SPDX-License-Identifier: MIT
"""Helpers for the smtpd integration tests (test_smtpd*.py).

SmtpdCase starts one real instance per test class (master + smtpd on a
loopback port, chrooted as in production), with the class's main.cf
settings; tests talk to it with smtplib, swaks or RawClient (a socket
for BDAT, pipelining and smuggling sequences, which smtplib cannot
send). QueueFile parses a queue file as docs/queue.md describes it, so
a test can check what smtpd acknowledged is really on disk.
"""

import os
import struct
import sys
import unittest
import zlib

from harness import Instance, wait_for
from raw_lines import RawLines

HOSTNAME = "mx.example.test"
DOMAIN = "example.test"
QUEUE_SUBDIRS = ("incoming", "active", "deferred", "hold", "corrupt")


class QueueFile:
    """A queue file: header, envelope records and content."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        self.path = path
        if data[:8] != b"POSTERNQ":
            raise ValueError("%s: bad magic" % path)
        (crc,) = struct.unpack(">I", data[36:40])
        if zlib.crc32(data[:36]) != crc:
            raise ValueError("%s: header checksum" % path)
        version, env_len, env_crc, content_len, body_offset = \
            struct.unpack(">IIIQQ", data[8:36])
        if version != 1:
            raise ValueError("%s: version %d" % (path, version))
        env = data[40:40 + env_len]
        if zlib.crc32(env) != env_crc:
            raise ValueError("%s: envelope checksum" % path)
        self.content = data[40 + env_len:40 + env_len + content_len]
        if len(self.content) != content_len:
            raise ValueError("%s: short content" % path)
        self.body_offset = body_offset
        self.fields, self.rcpts = {}, []
        for rtype, value in self.records(env):
            if rtype == "R":
                self.rcpts.append(dict(self.records(value)))
            else:
                self.fields[rtype] = value

    @staticmethod
    def records(data):
        off = 0
        while off < len(data):
            rtype = chr(data[off])
            (length,) = struct.unpack(">I", data[off + 1:off + 5])
            value = data[off + 5:off + 5 + length]
            if len(value) != length:
                raise ValueError("truncated record")
            off += 5 + length
            yield rtype, value

    def field(self, rtype):
        value = self.fields.get(rtype)
        return None if value is None else value.decode("utf-8")

    @property
    def sender(self):
        return self.field("S")

    @property
    def recipients(self):
        return [r["a"].decode("utf-8") for r in self.rcpts]

    @property
    def body(self):
        return self.content[self.body_offset:]


class RawClient(RawLines):
    """A byte-exact SMTP client on a socket."""

    def reply(self):
        """One whole (possibly multi-line) reply: (code, [texts])."""
        lines = []
        while True:
            line = self.line()
            lines.append(line[4:])
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), lines

    def code(self):
        return self.reply()[0]

    def text(self):
        code, lines = self.reply()
        return "%d %s" % (code, lines[-1])

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.text()


class SmtpdCase(unittest.TestCase):
    """One instance per class; MAIN_CF adds main.cf settings."""

    MAIN_CF = {}
    CHROOT = "y"

    @classmethod
    def setUpClass(cls):
        settings = {"myhostname": HOSTNAME, "mydomain": DOMAIN,
                    "smtpd_error_sleep_time": "0"}
        settings.update(cls.MAIN_CF)
        cls.inst = Instance(services=[], main_cf=settings)
        try:
            cls.port = cls.inst.port("smtp")
            cls.inst.write_config(services=cls.services())
            cls.prepare(cls.inst)
            cls.inst.start()
        except BaseException:
            cls.inst.close()
            raise

    @classmethod
    def services(cls):
        return ["127.0.0.1:%d inet n - %s - - smtpd"
                % (cls.port, cls.CHROOT)]

    @classmethod
    def prepare(cls, inst):
        """Hook: set up files in the instance before it starts."""

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            sys.stderr.write("\n---- log of %s ----\n%s---- end ----\n"
                             % (self.inst.root, self.inst.log()))
        return out

    # -- helpers --

    def raw(self, greet=True):
        client = RawClient(self.port)
        self.addCleanup(client.close)
        if greet:
            self.assertEqual(client.code(), 220)
        return client

    def queue_ids(self):
        """Every queue file id, wherever qmgr may have moved it."""
        ids = {}
        for sub in QUEUE_SUBDIRS:
            path = os.path.join(self.inst.queue_dir, sub)
            for name in os.listdir(path):
                if not name.startswith("."):
                    ids[name] = os.path.join(path, name)
        return ids

    def temp_files(self):
        path = os.path.join(self.inst.queue_dir, "incoming")
        return [n for n in os.listdir(path) if n.startswith(".tmp.")]

    def queued(self, queue_id):
        """The QueueFile of queue_id (it must exist: we were told 250)."""
        path = self.queue_ids().get(queue_id)
        self.assertIsNotNone(path, "no queue file %s" % queue_id)
        return QueueFile(path)

    def wait_log(self, pattern, start=0):
        return self.inst.wait_for_log(pattern, start=start)

    def wait_no_temp_files(self):
        wait_for(lambda: not self.temp_files(),
                 what="temporary queue files to go")


def queue_id_of(reply_text):
    """'250 2.0.0 Ok: queued as ID' -> ID."""
    marker = "queued as "
    if marker not in reply_text:
        raise AssertionError("not queued: %r" % reply_text)
    return reply_text.split(marker, 1)[1].strip()
