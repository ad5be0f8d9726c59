# SPDX-License-Identifier: MIT
"""smtpbench: the SMTP delivery benchmark of Postern against its anchors.

Modules: driver (the SMTP load generator), procs (CPU and memory of a
server's process tree), maildirs (counting delivered files), ports,
postfix, dovecot and postern (one benchmark instance each), runner (one
measured run), report (the table and the results file).
"""
