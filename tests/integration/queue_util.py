# SPDX-License-Identifier: MIT
"""Helpers for the queue tests (test_queue*.py, test_sendmail.py): an
instance with pickup, qmgr and the postern-test-sinkd delivery agent as
every transport, and the sendmail and postern queue commands run against
it. The sink answers by local part: defer... 4.4.1, bounce... 5.1.1,
anything else is stored in <root>/sink/<recipient>."""

import os
import re
import subprocess

from harness import DEADLINE, InstanceTestCase, wait_for

HOST = "mx.example.test"
DOMAIN = "example.test"


class QueueTestCase(InstanceTestCase):

    def sink_instance(self, main_cf=None, extra_services=(), start=True):
        inst = self.instance(start=False)
        inst.sink = os.path.join(inst.root, "sink")
        os.makedirs(inst.sink)
        os.chmod(inst.sink, 0o777)
        settings = {
            "myhostname": HOST,
            "mydomain": DOMAIN,
            "default_transport": "sink",
            "local_transport": "sink",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
        }
        settings.update(main_cf or {})
        # qmgr wakes every second (300 in production): the master starts
        # a trigger service at its first wakeup or trigger, and the
        # restart tests must not wait five minutes for it.
        inst.write_config(services=[
            "pickup unix n - y 60 1 pickup",
            "qmgr unix n - y 1 1 qmgr",
            "sink unix - - n - - postern-test-sinkd " + inst.sink,
        ] + list(extra_services), main_cf=settings)
        if start:
            inst.start()
        return inst

    # -- commands --

    def sendmail(self, inst, args, body, ok=True, argv0="sendmail",
                 **kwargs):
        p = subprocess.run([os.path.join(inst.bin, argv0), "-C",
                            inst.conf_dir] + list(args),
                           input=body if isinstance(body, bytes)
                           else body.encode(),
                           capture_output=True, timeout=DEADLINE, **kwargs)
        if ok:
            self.assertEqual(p.returncode, 0, p.stderr.decode())
        return p

    def postern(self, inst, *args, ok=True):
        p = subprocess.run([os.path.join(inst.bin, "postern"), "-c",
                            inst.conf_dir] + list(args),
                           capture_output=True, text=True, timeout=DEADLINE)
        if ok:
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p

    # -- observations --

    def sunk(self, inst, rcpt, timeout=DEADLINE):
        """Wait for mail to rcpt in the sink; returns its bytes."""
        path = os.path.join(inst.sink, rcpt)
        wait_for(lambda: os.path.exists(path) and os.path.getsize(path),
                 timeout, "mail for %s" % rcpt)
        with open(path, "rb") as f:
            return f.read()

    def queue_files(self, inst, sub):
        return sorted(n for n in os.listdir(os.path.join(inst.queue_dir, sub))
                      if not n.startswith("."))

    def wait_removed(self, inst, start=0):
        """Wait for "ID: removed"; returns the id."""
        m = inst.wait_for_log(r"qmgr\[\d+\]: (\w+): removed", start=start)
        return m.group(1)

    def queue_id_of(self, inst, start=0):
        m = inst.wait_for_log(r"pickup\[\d+\]: (\w+): uid=", start=start)
        return m.group(1)

    def attempts(self, inst, qid):
        return len(re.findall(qid + r": from=<[^>]*>, size=\d+, nrcpt=\d+ "
                              r"\(queue active\)", inst.log()))

    def wait_idle_queue(self, inst):
        wait_for(lambda: not any(self.queue_files(inst, d) for d in
                                 ("maildrop", "incoming", "active")),
                 what="incoming and active to drain")
