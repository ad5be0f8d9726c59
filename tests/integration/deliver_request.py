# SPDX-License-Identifier: MIT
"""A delivery request sent to an agent's socket the way qmgr sends it
(ipc/deliver_proto.h): the handshake, the request, the message file
passed with SCM_RIGHTS, then one reply with a result per recipient.
Used by the tests that drive local and the smtp/lmtp agent directly."""

import os
import socket
import time

import harness

# A queue file holds the envelope before the content: an agent must
# read only the range it is given.
PREFIX = b"ENVELOPE-BYTES-THE-AGENT-MUST-NOT-SEND\n"


def deliver_request(inst, service, rcpts, message, nexthop="",
                    sender="sender@remote.test", queue_id="4F2A1B3C",
                    notify=None, orcpts=None, ret="", envid=None, body="",
                    smtputf8=0, timeout=harness.DEADLINE * 4):
    """The agent's reply as a dict, plus 'results', a list of
    (status, dsn, reason) per recipient."""
    path = inst.tmp("msg-%d" % time.monotonic_ns())
    with open(path, "wb") as f:
        f.write(PREFIX + message + b"TRAILING-BYTES")
    attrs = [("req", "deliver"), ("queue_id", queue_id),
             ("transport", service), ("nexthop", nexthop),
             ("offset", len(PREFIX)), ("size", len(message)),
             ("arrival_sec", int(time.time()) - 5), ("arrival_usec", 0),
             ("sender", sender), ("ret", ret), ("body", body),
             ("smtputf8", smtputf8), ("nrcpt", len(rcpts))]
    if envid:
        attrs.append(("envid", envid))
    for i, rcpt in enumerate(rcpts):
        attrs.append(("rcpt_%d" % i, rcpt))
        if orcpts and orcpts[i]:
            attrs.append(("orcpt_%d" % i, orcpts[i]))
        attrs += [("notify_%d" % i, (notify or [0] * len(rcpts))[i]),
                  ("index_%d" % i, i)]
    with open(path, "rb") as msg, \
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(inst.private(service))
        s.sendall(harness.ipc_encode([("req", "hello"),
                                      ("service", "deliver"),
                                      ("version", "1.0")]))
        hello = harness.ipc_recv(s)
        if hello.get("status") != "ok":
            raise AssertionError("handshake refused: %r" % hello)
        s.sendall(harness.ipc_encode(attrs))
        socket.send_fds(s, [b"F"], [msg.fileno()])
        reply = harness.ipc_recv(s)
    os.unlink(path)
    reply["results"] = [(reply.get("r%d_status" % i), reply.get("r%d_dsn" % i),
                         reply.get("r%d_reason" % i))
                        for i in range(int(reply.get("nrcpt", "0")))]
    return reply
