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

import email.parser
import os
import random
import re
import signal
import smtplib
import sys
import threading
import time

from harness import InstanceTestCase, wait_for

DOMAIN = "durability.test"
SENDER = "sender@" + DOMAIN
USERS = tuple("u%d@%s" % (i, DOMAIN) for i in range(8))
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
# Least seconds between two kills of one program: a restarted qmgr reads
# the whole queue again before it delivers, and needs time to get on.
GAP = {"smtpd": 0.2, "qmgr": 4.0, "local": 0.3}
KILLS = 5               # at least this many of each program
CLIENTS = 6
BATCH = 10              # messages per SMTP connection
SEND_DEADLINE = 420.0   # seconds for the clients to get their 250s
SETTLE_DEADLINE = 240.0  # seconds for the queue to empty afterwards
# When a kill explains a second copy (seconds; generous for a loaded
# machine): a local process killed up to LOCAL_LAG after it wrote a copy
# (its fsyncs still running) never reported it; qmgr killed up to
# RESULT_LAG after a copy may not have recorded it; a local process may
# finish a copy up to WRITE_LAG after qmgr died.
LOCAL_LAG = 10.0
RESULT_LAG = 2.0
WRITE_LAG = 1.0
# Deliveries in flight at once: local_destination_concurrency_limit per
# recipient (the local transport's destination).
IN_FLIGHT = int(MAIN_CF["local_destination_concurrency_limit"]) * \
    len(USERS)
MSGID_RX = re.compile(r"<dur\.(\d+)\.(\d+)@" + re.escape(DOMAIN) + ">")
END_RX = re.compile(rb"end of dur (\d+)\.(\d+)\r?\n?\Z")
# A Maildir name: <seconds>.M<microseconds>P<pid>Q<counter>.<host>...
WRITER_RX = re.compile(r"^\d+\.M\d+P(\d+)Q")


def seed_for(test):
    """The run's seed, printed so that a failure can be replayed."""
    text = os.environ.get("POSTERN_DURABILITY_SEED")
    seed = int(text) if text else random.randrange(1, 1 << 31)
    sys.stderr.write("\n%s: seed %d (replay: POSTERN_DURABILITY_SEED=%d)\n"
                     % (test.id(), seed, seed))
    return seed


class Plan:
    """One message to send: its number, recipients and bytes."""

    def __init__(self, seed, n, rng):
        self.n = n
        count = 1 if rng.random() < 0.7 else rng.randint(2, 4)
        self.rcpts = sorted(rng.sample(USERS, count))
        lines = rng.choice((2, 20, 120, 600))
        body = "".join("line %d of message %d: %s\r\n"
                       % (i, n, "x" * (i % 50)) for i in range(lines))
        self.data = (
            "From: <%s>\r\nTo: %s\r\nSubject: durability %d.%d\r\n"
            "Message-ID: <dur.%d.%d@%s>\r\n\r\n%send of dur %d.%d\r\n"
            % (SENDER, ", ".join("<%s>" % r for r in self.rcpts), seed, n,
               seed, n, DOMAIN, body, seed, n)).encode()


class Ledger:
    """What the SMTP clients were told, message by message."""

    def __init__(self, seed, target):
        self.rng = random.Random(seed)
        self.seed = seed
        self.target = target
        self.lock = threading.Lock()
        self.next_n = 0
        self.stop = threading.Event()
        self.acked = {}         # n -> (recipients that got 250, queue id)
        self.in_doubt = set()   # DATA sent, no 250 seen
        self.soft = []          # 4xx replies: allowed, reported
        self.hard = []          # 5xx replies: a bug
        self.connect_failures = 0

    def take(self):
        with self.lock:
            if self.stop.is_set() or len(self.acked) >= self.target:
                return None
            plan = Plan(self.seed, self.next_n, self.rng)
            self.next_n += 1
            return plan

    def acked_count(self):
        with self.lock:
            return len(self.acked)

    def record(self, what, plan, code, text):
        with self.lock:
            entry = "msg %d %s: %d %r" % (plan.n, what, code, text)
            (self.hard if code >= 500 else self.soft).append(entry)

    def send(self, smtp, plan):
        """One transaction; raises on a lost connection."""
        code, text = smtp.mail(SENDER)
        if code != 250:
            self.record("MAIL", plan, code, text)
            smtp.rset()
            return
        ok = []
        for rcpt in plan.rcpts:
            code, text = smtp.rcpt(rcpt)
            if code == 250:
                ok.append(rcpt)
            else:
                self.record("RCPT " + rcpt, plan, code, text)
        if not ok:
            smtp.rset()
            return
        with self.lock:
            self.in_doubt.add(plan.n)
        code, text = smtp.data(plan.data)
        if code != 250:
            self.record("DATA", plan, code, text)
            return
        with self.lock:
            self.in_doubt.discard(plan.n)
            qid = re.search(rb"queued as (\S+)", text)
            self.acked[plan.n] = (ok, qid.group(1).decode() if qid else "?")

    def connect(self, port, name):
        """A greeted SMTP session, or None."""
        smtp = smtplib.SMTP(local_hostname=name, timeout=60)
        try:
            smtp.connect("127.0.0.1", port)
            if smtp.ehlo()[0] == 250:
                return smtp
        except (smtplib.SMTPException, OSError):
            pass
        smtp.close()
        with self.lock:
            self.connect_failures += 1
        return None

    def client(self, port, name):
        """A client thread: connections of BATCH messages until done."""
        while not self.stop.is_set():
            smtp = self.connect(port, name)
            if smtp is None:
                # The service is throttled or the master is down: retry.
                self.stop.wait(0.05)
                continue
            try:
                for _ in range(BATCH):
                    plan = self.take()
                    if plan is None:
                        self.stop.set()
                        break
                    self.send(smtp, plan)
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                smtp.close()

    def run_clients(self, port):
        threads = [threading.Thread(target=self.client,
                                    args=(port, "client%d.%s" % (i, DOMAIN)))
                   for i in range(CLIENTS)]
        for t in threads:
            t.start()
        return threads


class Chaos(threading.Thread):
    """SIGKILLs a random smtpd, qmgr or local process at random moments."""

    def __init__(self, inst, rng, services):
        super().__init__()
        self.inst = inst
        self.rng = rng
        self.services = services    # program -> master.cf service name
        self.stop = threading.Event()
        self.kills = []             # (time, program, pid)
        self.idle = 0               # no process of the program to kill
        self.errors = []            # status requests that failed
        self.lock = threading.Lock()
        self.last = {}              # program -> time of its last kill

    def spare(self, program):
        """Kill no more processes of program from now on."""
        with self.lock:
            del self.services[program]

    def run(self):
        while not self.stop.wait(self.rng.uniform(0.05, 0.3)):
            with self.lock:
                choices = sorted(self.services)
            if "smtpd" in choices:
                choices.append("smtpd")     # the clients finish first
            program = self.rng.choice(choices)
            if time.monotonic() < self.last.get(program, 0) + GAP[program]:
                continue
            self.last[program] = time.monotonic()
            try:
                pids = self.inst.pids(self.services[program])
            except (OSError, ConnectionError, AssertionError) as e:
                self.errors.append("status: %r" % e)
                pids = []
            if pids:
                self.kill(program, self.rng.choice(sorted(pids)))
            else:
                self.idle += 1

    def kill(self, program, pid):
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() != program:
                    return
            now = time.time()
            os.kill(pid, signal.SIGKILL)
        except (FileNotFoundError, ProcessLookupError):
            return
        self.kills.append((now, program, pid))

    def counts(self):
        out = {p: 0 for p in ("smtpd", "qmgr", "local")}
        for _, program, _ in self.kills:
            out[program] += 1
        return out


def causes(copies, events):
    """For each copy after the first, the index in events of the kill
    that explains it, or None: qmgr (or the master) died around the time
    of the earlier copy and before the later one (the nearest such kill);
    else the local process that wrote the earlier copy was killed soon
    after, before it could report it."""
    out = []
    copies = sorted(copies)
    for (first, writer), (then, _) in zip(copies, copies[1:]):
        local = [i for i, (start, _, what, pid) in enumerate(events)
                 if what == "local" and pid == writer and
                 first - 0.5 <= start <= first + LOCAL_LAG]
        qmgr = [i for i, (start, end, what, _) in enumerate(events)
                if what in ("qmgr", "master") and end >= first - WRITE_LAG
                and start <= min(first + RESULT_LAG, then + 0.5)]
        qmgr.sort(key=lambda i: abs(events[i][0] - first))
        out.append((qmgr + local + [None])[0])
    return out


def read_head(path):
    """The header section of a delivered file and whether it is whole."""
    with open(path, "rb") as f:
        data = f.read()
    m = re.search(rb"\r?\n\r?\n", data)
    head = data[:m.start()] if m else data
    msg = email.parser.BytesHeaderParser().parsebytes(head + b"\n\n")
    return msg, END_RX.search(data[-64:]) is not None


class Deliveries:
    """The Maildirs read back: copies of each (message, recipient)."""

    def __init__(self, inst, seed):
        self.copies = {}        # (n, rcpt) -> [(mtime, writer pid)]
        self.maildirs = {}      # rcpt -> set of Maildirs
        self.owners = {}        # Maildir -> set of rcpts
        self.stray = []         # files that are not our messages
        self.broken = []        # our messages without their last line
        for maildir, path in inst.delivered_files():
            msg, whole = read_head(path)
            m = MSGID_RX.search(msg.get("Message-ID", ""))
            rcpt = (msg.get("Delivered-To") or
                    msg.get("X-Original-To") or "").strip().lower()
            if not m or int(m.group(1)) != seed:
                self.stray.append("%s (Subject: %s, From: %s)" % (
                    path, msg.get("Subject"), msg.get("From")))
                continue
            if not whole:
                self.broken.append(path)
            if not rcpt:
                self.broken.append(path + " (no Delivered-To:)")
            key = (int(m.group(2)), rcpt)
            writer = WRITER_RX.match(os.path.basename(path))
            self.copies.setdefault(key, []).append(
                (os.stat(path).st_mtime,
                 int(writer.group(1)) if writer else None))
            self.maildirs.setdefault(rcpt, set()).add(maildir)
            self.owners.setdefault(maildir, set()).add(rcpt)


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
        copies = sum(len(m) for m in got.copies.values())
        sys.stderr.write(
            "%s: %d messages acknowledged (%d recipients), %d in doubt, "
            "%d 4xx replies, %d refused connections; %d copies delivered: "
            "%d duplicates, all at kills: %s, most at one kill: %s; "
            "%d from messages in doubt\n"
            % (summary, len(ledger.acked),
               sum(len(r) for r, _ in ledger.acked.values()),
               len(ledger.in_doubt), len(ledger.soft),
               ledger.connect_failures, copies, dups, not unexplained,
               {w: max([c for c, e in zip(per_kill, events) if e[2] == w] or
                       [0]) for w in ("local", "qmgr", "master")}, extra))
        self.assertEqual(lost[:50], [], "%d acknowledged (message, "
                         "recipient) pairs never delivered" % len(lost))
        self.assertEqual(wrong[:50], [], "delivered to a recipient that "
                         "was not accepted, or a message never sent")
        self.assertEqual(unexplained[:50], [], "duplicates with no kill "
                         "between the copies")
        self.assertEqual(bursts, [], "kills followed by more duplicates "
                         "than deliveries could have been in flight")

    def test_children_killed(self):
        seed = seed_for(self)
        target = int(os.environ.get("POSTERN_DURABILITY_MESSAGES", "2000"))
        inst = self.mail_system()
        smtp_service = "127.0.0.1:%d" % inst.port("smtp")
        chaos = Chaos(inst, random.Random(seed ^ 0x5EED),
                      {"smtpd": smtp_service, "qmgr": "qmgr",
                       "local": "local"})
        ledger = Ledger(seed, target)
        start = time.monotonic()
        threads = ledger.run_clients(inst.port("smtp"))
        chaos.start()
        try:
            self.join(ledger, threads, "with kills")
            sent = time.monotonic() - start
            # Deliveries go on: keep killing qmgr and local until most
            # of the queue is gone.
            chaos.spare("smtpd")
            wait_for(lambda: len(inst.queue_ids()) < ledger.target // 20
                     and min(chaos.counts()[p] for p in ("qmgr", "local"))
                     >= KILLS,
                     SETTLE_DEADLINE, "the queue to shrink")
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
