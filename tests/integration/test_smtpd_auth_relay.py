# SPDX-License-Identifier: MIT
"""The guide's table of restricted SMTP relay x SMTP authentication, one
test class per row. The approved hosts are 127.0.0.1; clients from
127.0.0.2 stand for the rest of the Internet. Every row must let anyone
deliver to a local user: relaying is what the table restricts."""

import os

from smtpd_auth_support import (ALICE, ALICE_PW, LOCAL_RCPT, REMOTE_RCPT,
                                AuthCase, plain)

APPROVED = "127.0.0.1"
OUTSIDER = "127.0.0.2"
RELAY_DENIED = "554 5.7.1 <%s>: Relay access denied" % REMOTE_RCPT


class RelayRow(AuthCase):
    """The helpers each row uses."""

    def client(self, source, login=False):
        c = self.raw_from(source)
        self.ehlo(c)
        if login:
            self.starttls(c)
            self.assertEqual(c.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW)),
                             "235 2.7.0 Authentication successful")
        return c

    def rcpt(self, c, rcpt):
        c.cmd("RSET")
        self.assertEqual(c.cmd("MAIL FROM:<%s>" % ALICE), "250 2.1.0 Ok")
        return c.cmd("RCPT TO:<%s>" % rcpt)

    def assert_relays(self, c):
        self.assertEqual(self.rcpt(c, REMOTE_RCPT), "250 2.1.5 Ok")

    def assert_no_relay(self, c):
        self.assertEqual(self.rcpt(c, REMOTE_RCPT), RELAY_DENIED)

    def assert_delivers_locally(self, c):
        self.assertEqual(self.rcpt(c, LOCAL_RCPT), "250 2.1.5 Ok")

    def assert_no_auth(self, c):
        self.assertEqual(c.cmd("AUTH PLAIN " + plain(ALICE, ALICE_PW)),
                         "503 5.5.1 Error: authentication not enabled")


class RowUnrestrictedAuthOff(RelayRow):
    """Relay unrestricted, authentication off. The guide's open relay is
    never our default: relaying stays limited to mynetworks."""

    NEEDS_SASL = False
    MAIN_CF = {"smtpd_sasl_auth_enable": "no", "mynetworks": "127.0.0.1/32"}

    def test_row(self):
        self.assert_relays(self.client(APPROVED))
        outsider = self.client(OUTSIDER)
        self.assert_no_relay(outsider)
        self.assert_delivers_locally(outsider)
        self.assert_no_auth(outsider)


class RowRestrictedAuthRequired(RelayRow):
    """Restricted relay, authentication required: every relaying client
    must authenticate, local users (mynetworks) too."""

    MAIN_CF = {"mynetworks": "127.0.0.1/32",
               "smtpd_relay_restrictions":
                   "permit_sasl_authenticated, reject_unauth_destination"}

    def test_row(self):
        local = self.client(APPROVED)
        self.assert_no_relay(local)
        self.assert_delivers_locally(local)
        self.assert_relays(self.client(APPROVED, login=True))
        self.assert_delivers_locally(self.client(OUTSIDER))
        self.assert_relays(self.client(OUTSIDER, login=True))


class RowApprovedHostsAuthOn(RelayRow):
    """Restricted relay with approved hosts, authentication on: approved
    hosts relay without authenticating, others after authenticating."""

    MAIN_CF = {"mynetworks": "127.0.0.1/32"}

    def test_row(self):
        self.assert_relays(self.client(APPROVED))
        outsider = self.client(OUTSIDER)
        self.assert_no_relay(outsider)
        self.assert_delivers_locally(outsider)
        self.assert_relays(self.client(OUTSIDER, login=True))


class RowRestrictedAuthOff(RelayRow):
    """Restricted relay, authentication off (the approved hosts in a
    cidr table): approved hosts relay, others only reach local users."""

    NEEDS_SASL = False
    MAIN_CF = {"smtpd_sasl_auth_enable": "no"}

    @classmethod
    def prepare(cls, inst):
        super().prepare(inst)
        path = os.path.join(inst.conf_dir, "approved.cidr")
        with open(path, "w") as f:
            f.write("%s/32 OK\n" % APPROVED)
        inst.write_config(main_cf={"mynetworks": "cidr:" + path})

    def test_row(self):
        self.assert_relays(self.client(APPROVED))
        outsider = self.client(OUTSIDER)
        self.assert_no_relay(outsider)
        self.assert_delivers_locally(outsider)
        self.assert_no_auth(outsider)
