# SPDX-License-Identifier: MIT
"""imapbench: the IMAP and POP3 benchmark of Postern's imapd and pop3d
against Dovecot from Debian (issue 5, section "Benchmark").

Modules: imap (a small asyncio IMAP client), pop3 (the POP3 drain),
mailboxes (message files and Maildirs), systems (the Postern and
Dovecot instances), workloads (the measurements), report (the table
and the ratios). Instances, ports, cgroups and process sampling come
from smtpbench.
"""
