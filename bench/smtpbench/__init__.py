# SPDX-License-Identifier: MIT
"""smtpbench: the SMTP delivery benchmark of Postern against its anchors.

Modules: driver (the SMTP load generator), procs (CPU and memory of a
server's processes), cgroup (a server's own cgroup), maildirs (counting
delivered files), ports (free loopback ports), instance, postfix,
dovecot and postern (one benchmark instance of each kind), runner (one
measured run), report (the table and the results file).
"""
