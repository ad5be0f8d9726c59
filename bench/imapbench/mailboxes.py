# SPDX-License-Identifier: MIT
"""The benchmark's mail: small, deterministic messages written straight
into a user's Maildir (cur/, already seen by a delivery, one in three
flagged \\Seen), so that both servers get byte-identical Maildirs with
the same file names, and their first SELECT builds the index from
files, as after a migration.
"""

import os

BODY_LINE = b"The quick brown fox jumps over the lazy dog. 0123456789 abc\n"
STAMP = 1700000000


def message(i, rcpt, size):
    """Message i to rcpt, about size bytes, LF line ends (as a Maildir
    holds it)."""
    head = (f"From: Sender {i % 97} <sender{i % 97}@origin.test>\n"
            f"To: <{rcpt}>\n"
            f"Subject: bench message {i}\n"
            f"Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
            f"Message-ID: <{i}@bench.origin.test>\n"
            f"MIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=us-ascii\n\n").encode()
    lines = max(1, (size - len(head)) // len(BODY_LINE))
    return head + BODY_LINE * lines


def fill(maildir, rcpt, count, size, owner):
    """Create maildir with count messages to rcpt; everything owned by
    owner (uid, gid). Returns the bytes written."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    total = 0
    cur = os.path.join(maildir, "cur")
    for i in range(count):
        data = message(i, rcpt, size)
        flags = "S" if i % 3 == 0 else ""
        name = f"{STAMP + i}.M{i}P1.bench,S={len(data)}:2,{flags}"
        path = os.path.join(cur, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fchown(fd, *owner)
        finally:
            os.close(fd)
        total += len(data)
    chown_up(maildir, owner, levels=3)
    for sub in ("cur", "new", "tmp"):
        os.chown(os.path.join(maildir, sub), *owner)
    return total


def chown_up(path, owner, levels):
    """chown path and the levels-1 directories above it (the user's and
    the domain's directories)."""
    for _ in range(levels):
        os.chown(path, *owner)
        path = os.path.dirname(path)
