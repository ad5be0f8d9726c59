# SPDX-License-Identifier: MIT
"""The queue's durability invariants (DESIGN.md section 5, docs/queue.md),
proved by killing processes while mail flows.

Several smtplib clients send uniquely numbered messages (Message-ID
<dur.SEED.N@durability.test>, some to several recipients) and write down
which ones got 250 after DATA. Meanwhile smtpd, qmgr and local processes
are SIGKILLed at random moments (test_children_killed), or the master
itself is SIGKILLed and the instance started again (test_master_killed).
Once the queue is empty the Maildirs are read back and checked:

- every acknowledged message is in the Maildir of each recipient whose
  RCPT got 250, whole, and in no other Maildir;
- at-least-once: a recipient has a second copy only if a kill explains
  it (the local process whose pid is in the earlier copy's Maildir name
  was killed soon after writing it, or qmgr or the master died around
  the time of the earlier copy), and no kill is followed by more
  duplicates than deliveries could have been in flight;
- nothing went to corrupt/ and no message bounced.

The random seed is printed; POSTERN_DURABILITY_SEED=<seed> replays the
same workload and kill schedule (the timing of a real system differs from
run to run). POSTERN_DURABILITY_MESSAGES changes the message count of the
children test (2000 by default); POSTERN_DURABILITY_LOGS=<directory>
keeps each instance's whole log there.
"""

import os
import random
import re
import signal
import sys
import time

from durability_support import (DOMAIN, SENDER, USERS, Chaos, Deliveries,
                                Ledger, causes, seed_for)
from harness import InstanceTestCase, wait_for

MAIN_CF = {
    "myhostname": "mx." + DOMAIN,
    "mydomain": DOMAIN,
    # A killed child throttles its service; keep that short.
    "service_throttle_time": "1s",
    # Recipients deferred by a kill are retried at once.
    "minimal_backoff_time": "1s",
    "maximal_backoff_time": "2s",
    "queue_run_delay": "1s",
    "local_destination_concurrency_limit": "4",
    "smtpd_error_sleep_time": "0",
}
# The master wakes qmgr every second, so a killed qmgr is back soon.
COLUMNS = {"qmgr": {"wakeup": "1"}}
KILLS = 5               # at least this many of each program
SEND_DEADLINE = 420.0   # seconds for the clients to get their 250s
SETTLE_DEADLINE = 240.0  # seconds for the queue to empty afterwards
# Deliveries in flight at once: local_destination_concurrency_limit per
# recipient (the local transport's destination).
IN_FLIGHT = int(MAIN_CF["local_destination_concurrency_limit"]) * \
    len(USERS)


class DurabilityTest(InstanceTestCase):

    def setUp(self):
        super().setUp()
        # Runs after the instances' cleanups: keep a failure's log short.
        self.addCleanup(self.trim_logs)

    def trim_logs(self):
        keep = os.environ.get("POSTERN_DURABILITY_LOGS")
        for i, inst in enumerate(self._instances):
            if keep:
                with open(os.path.join(keep, "%s.%d.log" % (self.id(), i)),
                          "w") as f:
                    f.write(inst.final_log)
            lines = inst.final_log.splitlines(True)
            if len(lines) > 300:
                notes = [ln for ln in lines[:-200]
                         if re.search(r"warning|error|fatal|panic|critical",
                                      ln)][-100:]
                inst.final_log = "".join(
                    ["[%d lines; warnings before the last 200:]\n"
                     % len(lines)] + notes + ["[the last 200 lines:]\n"] +
                    lines[-200:])

    def mail_system(self):
        return self.mail_instance(users=USERS + (SENDER,), main_cf=MAIN_CF,
                                  columns=COLUMNS)

    def join(self, ledger, threads, why):
        deadline = time.monotonic() + SEND_DEADLINE
        for t in threads:
            t.join(max(1.0, deadline - time.monotonic()))
        ledger.stop.set()
        for t in threads:
            t.join(90)
        self.assertFalse(any(t.is_alive() for t in threads),
                         "SMTP clients hung (%s)" % why)
        self.assertEqual(ledger.hard, [], "5xx replies to valid mail")
        self.assertGreaterEqual(
            ledger.acked_count(), ledger.target,
            "only %d of %d messages acknowledged in %d s (%s); 4xx: %s"
            % (ledger.acked_count(), ledger.target, SEND_DEADLINE, why,
               ledger.soft[:10]))

    def settle(self, inst):
        """Wait until the queue is empty; returns the seconds it took."""
        start = time.monotonic()
        try:
            wait_for(lambda: not inst.queue_ids(), SETTLE_DEADLINE,
                     "the queue to empty")
        except AssertionError:
            left = {d: len(inst.queue_ids((d,)))
                    for d in ("maildrop", "incoming", "active", "deferred",
                              "hold")}
            self.fail("queue not empty after %d s: %r"
                      % (SETTLE_DEADLINE, left))
        return time.monotonic() - start

    def check(self, inst, ledger, events, summary):
        """The at-least-once checks; events are (start, end, program,
        pid) of the kills, which may explain duplicates."""
        corrupt = inst.queue_ids(("corrupt",))
        self.assertEqual(corrupt, [], "files in corrupt/")
        got = Deliveries(inst, ledger.seed)
        self.assertEqual(got.stray, [], "mail that is not ours (bounces?)")
        self.assertEqual(got.broken, [], "delivered files cut short")
        for rcpt, dirs in got.maildirs.items():
            self.assertEqual(len(dirs), 1, "%s in several Maildirs: %s"
                             % (rcpt, sorted(dirs)))
        for maildir, rcpts in got.owners.items():
            self.assertEqual(len(rcpts), 1, "Maildir %s holds mail of %s"
                             % (maildir, sorted(rcpts)))
        lost, wrong, unexplained, dups, extra = [], [], [], 0, 0
        per_kill = [0] * len(events)
        for n, (rcpts, qid) in sorted(ledger.acked.items()):
            lost += [(n, qid, r) for r in rcpts if (n, r) not in got.copies]
        for (n, rcpt), copies in sorted(got.copies.items()):
            if n in ledger.acked:
                if rcpt not in ledger.acked[n][0]:
                    wrong.append((n, rcpt))
            elif n in ledger.in_doubt:
                extra += 1      # committed, but the 250 was lost
            else:
                wrong.append((n, rcpt))
            dups += len(copies) - 1
            for cause in causes(copies, events):
                if cause is None:
                    unexplained.append((n, ledger.acked.get(n, ("", "?"))[1],
                                        rcpt, sorted(copies)))
                else:
                    per_kill[cause] += 1
        # A kill repeats only deliveries in flight: one recipient of one
        # request for a local process, at most the concurrency limit times
        # the destinations (one per recipient) for qmgr. Twice that, as
        # a copy is put down to the nearest kill, not always its own.
        bound = {"local": 2, "qmgr": 2 * IN_FLIGHT,
                 "master": 2 * IN_FLIGHT}
        bursts = [(e, c) for e, c in zip(events, per_kill)
                  if c > bound[e[2]]]
        most = {w: max([c for c, e in zip(per_kill, events) if e[2] == w] or
                       [0]) for w in ("local", "qmgr", "master")}
        self.report(summary, ledger, got, "%d duplicates, all at kills: %s, "
                    "most at one kill: %s; %d from messages in doubt"
                    % (dups, not unexplained, most, extra))
        self.assertEqual(lost[:50], [], "%d acknowledged (message, "
                         "recipient) pairs never delivered" % len(lost))
        self.assertEqual(wrong[:50], [], "delivered to a recipient that "
                         "was not accepted, or a message never sent")
        self.assertEqual(unexplained[:50], [], "duplicates with no kill "
                         "between the copies")
        self.assertEqual(bursts, [], "kills followed by more duplicates "
                         "than deliveries could have been in flight")

    @staticmethod
    def report(summary, ledger, got, dups):
        """One line on stderr, whatever the outcome."""
        sys.stderr.write(
            "%s: %d messages acknowledged (%d recipients), %d in doubt, "
            "%d 4xx replies, %d refused connections; %d copies delivered: "
            "%s\n" % (summary, len(ledger.acked),
                      sum(len(r) for r, _ in ledger.acked.values()),
                      len(ledger.in_doubt), len(ledger.soft),
                      ledger.connect_failures,
                      sum(len(m) for m in got.copies.values()), dups))

    def test_children_killed(self):
        seed = seed_for(self)
        target = int(os.environ.get("POSTERN_DURABILITY_MESSAGES", "2000"))
        inst = self.mail_system()
        smtp_service = "127.0.0.1:%d" % inst.port("smtp")
        ledger = Ledger(seed, target)

        def delivered():
            return len(inst.delivered_files())
        chaos = Chaos(inst, random.Random(seed ^ 0x5EED),
                      {"smtpd": smtp_service, "qmgr": "qmgr",
                       "local": "local"},
                      {"smtpd": ledger.acked_count, "qmgr": delivered,
                       "local": delivered})
        start = time.monotonic()
        threads = ledger.run_clients(inst.port("smtp"))
        chaos.start()
        try:
            self.join(ledger, threads, "with kills")
            sent = time.monotonic() - start
            # Deliveries go on: keep killing qmgr and local until most
            # of the queue is gone (and each was killed often enough).
            chaos.spare("smtpd")

            def enough():
                left = len(inst.queue_ids())
                counts = chaos.counts()
                return left == 0 or (left < ledger.target // 20 and min(
                    counts["qmgr"], counts["local"]) >= KILLS)
            wait_for(enough, SETTLE_DEADLINE, "the queue to shrink")
        finally:
            chaos.stop.set()
            chaos.join()
        settled = self.settle(inst)
        counts = chaos.counts()
        for program, count in counts.items():
            self.assertGreaterEqual(count, KILLS, "too few kills of %s: %r; "
                                    "%d times nothing to kill; %r"
                                    % (program, counts, chaos.idle,
                                       chaos.errors[:5]))
        # A killed smtpd cannot deliver anything twice.
        events = [(t, t, program, pid) for t, program, pid in chaos.kills
                  if program != "smtpd"]
        self.check(inst, ledger, events,
                   "seed %d, %.0f s sending, %.0f s settling, kills %r "
                   "(%d times nothing to kill)"
                   % (seed, sent, settled, counts, chaos.idle))

    def stop_the_world(self, inst):
        """SIGKILL the master (stopped first, so that it forks no child
        we miss); returns its children."""
        master = inst.master_pid()
        os.kill(master, signal.SIGSTOP)
        children = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(entry))
        inst.kill()
        return children

    def test_master_killed(self):
        seed = seed_for(self)
        rng = random.Random(seed ^ 0x3A57E4)
        inst = self.mail_system()
        ledger = Ledger(seed, 600)
        threads = ledger.run_clients(inst.port("smtp"))
        events = []
        try:
            for frac in (rng.uniform(0.15, 0.4), rng.uniform(0.55, 0.8)):
                wait_for(lambda: ledger.acked_count() >= frac * ledger.target
                         or ledger.stop.is_set(), SEND_DEADLINE,
                         "%d%% of the messages" % (frac * 100))
                begin = time.time()
                children = self.stop_the_world(inst)
                # Busy children finish their client first, then follow.
                wait_for(lambda: not any(os.path.exists("/proc/%d" % p)
                                         for p in children), 120,
                         "the old master's children to exit")
                inst.close_log()
                inst.start()
                events.append((begin, time.time(), "master", None))
            self.join(ledger, threads, "master killed twice")
        finally:
            ledger.stop.set()
            for t in threads:
                t.join(90)
        settled = self.settle(inst)
        self.check(inst, ledger, events, "seed %d, master killed at %s, "
                   "%.0f s settling" % (seed, ["%.1f" % (e[0] - events[0][0])
                                              for e in events], settled))
