# SPDX-License-Identifier: MIT
"""Helpers of test_durability.py: the workload (Plan), what the SMTP
clients were told (Ledger), the process killer (Chaos), and the Maildirs
read back (Deliveries) with the rule that puts each duplicate down to a
kill (causes)."""

import email.parser
import os
import random
import re
import signal
import smtplib
import sys
import threading
import time

DOMAIN = "durability.test"
SENDER = "sender@" + DOMAIN
USERS = tuple("u%d@%s" % (i, DOMAIN) for i in range(8))
# Least seconds, and least progress (messages acknowledged for smtpd,
# copies delivered for qmgr and local), between two kills of a program:
# a kill throttles its service for a moment, and a restarted qmgr reads
# the whole queue again before it delivers; mail must still get on, on a
# slow (sanitizer) build too.
GAP = {"smtpd": 0.2, "qmgr": 1.0, "local": 0.3}
STEP = {"smtpd": 20, "qmgr": 50, "local": 10}
CLIENTS = 6
BATCH = 10              # messages per SMTP connection
# When a kill explains a second copy (seconds; generous for a loaded
# machine): a local process killed up to LOCAL_LAG after it wrote a copy
# (its fsyncs still running) never reported it; qmgr killed up to
# RESULT_LAG after a copy may not have recorded it; a local process may
# finish a copy up to WRITE_LAG after qmgr died.
LOCAL_LAG = 10.0
RESULT_LAG = 2.0
WRITE_LAG = 1.0
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

    def __init__(self, inst, rng, services, progress):
        super().__init__()
        self.inst = inst
        self.rng = rng
        self.services = services    # program -> master.cf service name
        self.progress = progress    # program -> function: work done
        self.stop = threading.Event()
        self.kills = []             # (time, program, pid)
        self.idle = 0               # no process of the program to kill
        self.errors = []            # status requests that failed
        self.lock = threading.Lock()
        self.last = {}              # program -> (time, progress) then

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
                service = self.services[program]
            if not self.due(program):
                continue
            try:
                pids = self.inst.pids(service)
            except (OSError, ConnectionError, AssertionError) as e:
                self.errors.append("status: %r" % e)
                pids = []
            if pids:
                self.kill(program, self.rng.choice(sorted(pids)))
            else:
                self.idle += 1

    def due(self, program):
        """Whether enough time has passed and enough work been done since
        the last kill of program; if so, counts this one as the last."""
        now, done = time.monotonic(), self.progress[program]()
        then, before = self.last.get(program, (0, 0))
        if now < then + GAP[program] or done < before + STEP[program]:
            return False
        self.last[program] = (now, done)
        return True

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
