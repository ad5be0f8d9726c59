# SPDX-License-Identifier: MIT
"""A Postfix instance of its own (postfix -c DIR), for the anchors.

It has its own configuration directory, queue and data directory, logs
to its own file through postlogd, and listens on one loopback port. It
never reads or changes /etc/postfix and never touches a system Postfix
(the "postfix -c" command of a root user needs no entry in the default
main.cf, unlike postmulti). Mail for the 100 users of DOMAIN goes to
virtual_transport: Postfix's own virtual(8) into Maildirs, or LMTP to
a Dovecot instance.

Everything stays at Postfix's defaults that matter for speed and
safety: fsync of queue files and of Maildir deliveries, process
limits, in_flow_delay, destination concurrency. Chroot is off (no copy
of /etc in the queue directory needed) and so is everything that would
reach the network.
"""

import os
import pwd
import textwrap

from .instance import DOMAIN, Instance, NotMeasured, read_pid, run

MASTER_CF = """\
# service  type  private unpriv chroot wakeup maxproc command
127.0.0.1:{port} inet n - n - - smtpd
pickup     unix  n - n 60   1 pickup
cleanup    unix  n - n -    0 cleanup
qmgr       unix  n - n 300  1 qmgr
rewrite    unix  - - n -    - trivial-rewrite
bounce     unix  - - n -    0 bounce
defer      unix  - - n -    0 bounce
trace      unix  - - n -    0 bounce
verify     unix  - - n -    1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -    - proxymap
showq      unix  n - n -    - showq
error      unix  - - n -    - error
retry      unix  - - n -    - error
discard    unix  - - n -    - discard
smtp       unix  - - n -    - smtp
relay      unix  - - n -    - smtp
local      unix  - n n -    - local
virtual    unix  - n n -    - virtual
lmtp       unix  - - n -    - lmtp
anvil      unix  - - n -    1 anvil
scache     unix  - - n -    1 scache
postlog    unix-dgram n - n - 1 postlogd
"""


class Postfix(Instance):
    """transport "virtual": Postfix delivers with virtual(8);
    transport "lmtp:unix:PATH": Postfix hands mail to an LMTP server."""

    def __init__(self, workdir, users, port, transport, label):
        super().__init__(workdir, users)
        self.label = label
        self.smtp_port = port
        self.transport = transport
        self.conf = os.path.join(workdir, "postfix", "etc")
        self.mail_root = os.path.join(workdir, "mail")
        self.logs = [os.path.join(workdir, "log", "postfix.log")]

    def setup(self):
        mail = pwd.getpwnam("mail")
        pf = pwd.getpwnam("postfix")
        self.mkdir("postfix", "etc")
        self.mkdir("postfix", "queue")
        self.mkdir("postfix", "data", mode=0o700,
                   owner=(pf.pw_uid, pf.pw_gid))
        self.mkdir("log")
        self.mkdir("mail", mode=0o755, owner=(mail.pw_uid, mail.pw_gid))
        with open(os.path.join(self.conf, "vmailbox"), "w") as f:
            for addr in self.addresses():
                local = addr.split("@")[0]
                f.write(f"{addr} {DOMAIN}/{local}/Maildir/\n")
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write(self._main_cf(mail))
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(port=self.smtp_port))
        run(["postfix", "-c", self.conf, "check"], "postfix check")

    def _main_cf(self, mail):
        d = self.dir
        return textwrap.dedent(f"""\
            # Postfix instance of the Postern SMTP benchmark.
            compatibility_level = 3.6
            queue_directory = {d}/postfix/queue
            data_directory = {d}/postfix/data
            mail_owner = postfix
            setgid_group = postdrop
            maillog_file = {d}/log/postfix.log
            maillog_file_prefixes = {d}
            myhostname = anchor.{DOMAIN}
            mydomain = {DOMAIN}
            myorigin = $myhostname
            mydestination =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            relay_domains =
            alias_maps =
            alias_database =
            smtputf8_enable = no
            virtual_mailbox_domains = {DOMAIN}
            virtual_mailbox_maps = texthash:{self.conf}/vmailbox
            virtual_mailbox_base = {d}/mail
            virtual_minimum_uid = {mail.pw_uid}
            virtual_uid_maps = static:{mail.pw_uid}
            virtual_gid_maps = static:{mail.pw_gid}
            virtual_transport = {self.transport}
            """)

    def start(self):
        run(["postfix", "-c", self.conf, "start"], "postfix start")
        pid = read_pid(os.path.join(self.dir, "postfix", "queue", "pid",
                                    "master.pid"))
        if pid is None:
            raise NotMeasured("postfix start: no master.pid")
        self.roots.append(pid)

    def _stop(self):
        if self.roots:
            run(["postfix", "-c", self.conf, "stop"], "postfix stop",
                timeout=30)


def version():
    """"Postfix X.Y.Z" of the installed Postfix."""
    return "Postfix " + run(["postconf", "-d", "-h", "mail_version"],
                            "postconf").strip()
