# SPDX-License-Identifier: MIT
"""The POP3 drain: one session that logs in, RETRs and DELEs every
message and QUITs, with Python's poplib (a client written apart from
both servers). A STAT session first lets each server build its index or
cache, so the timed session measures the drain itself; a last session
checks that the mailbox is empty.
"""

import poplib

from smtpbench.instance import NotMeasured


def _session(port, user, password):
    try:
        p = poplib.POP3("127.0.0.1", port, timeout=120)
        p.user(user)
        p.pass_(password)
    except (OSError, poplib.error_proto) as e:
        raise NotMeasured(f"POP3 login: {e}") from None
    return p


def _count(port, user, password):
    p = _session(port, user, password)
    try:
        return p.stat()[0]
    finally:
        p.quit()


def drain(port, user, password, n, timed):
    """Drain n messages; timed (workloads.Timed) is started before the
    connection and stopped after the QUIT reply."""
    have = _count(port, user, password)
    if have != n:
        raise NotMeasured(f"STAT says {have} messages, not {n}")
    timed.start()
    p = _session(port, user, password)
    try:
        for i in range(1, n + 1):
            p.retr(i)
            p.dele(i)
        p.quit()
    except (OSError, poplib.error_proto) as e:
        raise NotMeasured(f"POP3 drain: {e}") from None
    timed.stop()
    left = _count(port, user, password)
    if left:
        raise NotMeasured(f"{left} messages left after the drain's QUIT")
