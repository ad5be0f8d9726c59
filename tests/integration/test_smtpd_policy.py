# SPDX-License-Identifier: MIT
"""smtpd's access policy against a real instance: relay refusals
(including every sender-specified routing trick), unknown recipients,
the restriction lists with access tables, mynetworks, and recipient
checks through authd (unreachable: always 4xx; running: 550 5.1.1 for
unknown users)."""

import os
import re
import subprocess
import unittest

from harness import wait_for
from smtpd_support import DOMAIN, HOSTNAME, SmtpdCase, queue_id_of

SENDER = "sender@origin.example"
RELAY_DENIED = "554 5.7.1 <%s>: Relay access denied"


class RelayDenied(SmtpdCase):
    """127.0.0.1 is outside mynetworks: an untrusted client."""

    MAIN_CF = {
        "mynetworks": "192.0.2.0/24, [2001:db8::]/32",
        "relay_domains": "relayed.example",
        "virtual_alias_domains": "valias.example",
        "virtual_alias_maps":
            "inline:{known@valias.example=someone@remote.example}",
    }

    def session(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        self.assertEqual(c.cmd("MAIL FROM:<%s>" % SENDER), "250 2.1.0 Ok")
        return c

    def test_remote_recipient_refused_and_logged(self):
        mark = self.inst.log_mark()
        c = self.session()
        rcpt = "victim@remote.example"
        self.assertEqual(c.cmd("RCPT TO:<%s>" % rcpt), RELAY_DENIED % rcpt)
        self.wait_log(
            r"NOQUEUE: reject: RCPT from \S+\[127\.0\.0\.1\]: 554 5\.7\.1 "
            r"<victim@remote\.example>: Relay access denied; "
            r"from=<sender@origin\.example> to=<victim@remote\.example> "
            r"proto=ESMTP helo=<client\.example\.test>", start=mark)

    def test_routing_tricks_refused(self):
        tricks = {
            "user%%remote.example@%s" % DOMAIN:
                "user%%remote.example@%s" % DOMAIN,
            "remote.example!user@%s" % DOMAIN:
                "remote.example!user@%s" % DOMAIN,
            "@%s:user@remote.example" % DOMAIN: "user@remote.example",
            '"user@remote.example"@%s' % DOMAIN:
                "user@remote.example@%s" % DOMAIN,
        }
        c = self.session()
        for path, internal in tricks.items():
            with self.subTest(path=path):
                self.assertEqual(c.cmd("RCPT TO:<%s>" % path),
                                 RELAY_DENIED % internal)

    def test_relay_domain_accepted(self):
        c = self.session()
        self.assertEqual(c.cmd("RCPT TO:<x@relayed.example>"),
                         "250 2.1.5 Ok")
        self.assertEqual(c.cmd("RCPT TO:<x@sub.relayed.example>"),
                         RELAY_DENIED % "x@sub.relayed.example")

    def test_postmaster_and_aliases_accepted(self):
        c = self.session()
        for rcpt in ("<postmaster@%s>" % DOMAIN, "<Postmaster>",
                     "<abuse@%s>" % HOSTNAME, "<webmaster@localhost>"):
            with self.subTest(rcpt=rcpt):
                self.assertEqual(c.cmd("RCPT TO:%s" % rcpt), "250 2.1.5 Ok")

    def test_virtual_alias_domain(self):
        c = self.session()
        self.assertEqual(c.cmd("RCPT TO:<known@valias.example>"),
                         "250 2.1.5 Ok")
        self.assertEqual(
            c.cmd("RCPT TO:<nobody@valias.example>"),
            "550 5.1.1 <nobody@valias.example>: Recipient address "
            "rejected: User unknown in virtual alias table")

    def test_authd_unreachable_is_temporary(self):
        mark = self.inst.log_mark()
        c = self.session()
        reply = c.cmd("RCPT TO:<alice@%s>" % DOMAIN)
        self.assertEqual(reply[:10], "451 4.3.0 ", reply)
        self.wait_log(r"recipient lookup of <alice@example\.test>",
                      start=mark)


class Restrictions(SmtpdCase):
    """Access tables in every list; 127.0.0.1 is in mynetworks."""

    MAIN_CF = {
        "smtpd_helo_restrictions":
            "reject_invalid_helo_hostname, "
            "check_helo_access inline:{ {bad.helo.example=REJECT go away} }",
        "smtpd_sender_restrictions":
            "check_sender_access inline:{ {spam@bad.example=550 5.7.0 no "
            "spam}, defer@bad.example=DEFER, ok.example=OK }, "
            "reject_non_fqdn_sender",
        "smtpd_recipient_restrictions":
            "check_recipient_access inline:{blocked@remote.example=REJECT, "
            "{later@remote.example=451 4.7.1 later please}, "
            "weird@remote.example=FROB, allowed@remote.example=OK}, "
            "reject_non_fqdn_recipient",
    }

    def rcpt(self, helo="client.example.test", sender=SENDER,
             rcpt="someone@remote.example"):
        c = self.raw()
        c.cmd("EHLO %s" % helo)
        self.assertEqual(c.cmd("MAIL FROM:<%s>" % sender), "250 2.1.0 Ok")
        return c.cmd("RCPT TO:<%s>" % rcpt)

    def test_accepts_by_default(self):
        self.assertEqual(self.rcpt(), "250 2.1.5 Ok")

    def test_helo_access(self):
        self.assertEqual(self.rcpt(helo="bad.helo.example"),
                         "554 5.7.1 <bad.helo.example>: Helo command "
                         "rejected: go away")

    def test_invalid_helo(self):
        self.assertEqual(self.rcpt(helo="bad_helo!"),
                         "501 5.5.2 <bad_helo!>: Helo command rejected: "
                         "Invalid name")

    def test_sender_access(self):
        self.assertEqual(self.rcpt(sender="spam@bad.example"),
                         "550 5.7.0 <spam@bad.example>: Sender address "
                         "rejected: no spam")
        self.assertEqual(self.rcpt(sender="defer@bad.example"),
                         "450 4.7.1 <defer@bad.example>: Sender address "
                         "rejected: Access denied")

    def test_non_fqdn_sender(self):
        self.assertEqual(self.rcpt(sender="user@localhost"),
                         "504 5.5.2 <user@localhost>: Sender address "
                         "rejected: need fully-qualified address")
        # OK for the domain ends the list before reject_non_fqdn_sender.
        self.assertEqual(self.rcpt(sender="user@ok.example"),
                         "250 2.1.5 Ok")

    def test_recipient_access(self):
        self.assertEqual(self.rcpt(rcpt="blocked@remote.example"),
                         "554 5.7.1 <blocked@remote.example>: Recipient "
                         "address rejected: Access denied")
        self.assertEqual(self.rcpt(rcpt="later@remote.example"),
                         "451 4.7.1 <later@remote.example>: Recipient "
                         "address rejected: later please")
        self.assertEqual(self.rcpt(rcpt="weird@remote.example"),
                         "451 4.3.5 <weird@remote.example>: Recipient "
                         "address rejected: Server configuration error")
        self.assertEqual(self.rcpt(rcpt="allowed@remote.example"),
                         "250 2.1.5 Ok")


class EarlyRestrictions(SmtpdCase):
    """smtpd_delay_reject = no: client and sender lists run at MAIL."""

    MAIN_CF = {
        "smtpd_delay_reject": "no",
        "smtpd_client_restrictions":
            "check_client_access inline:{127.0.0.1=DUNNO}",
        "smtpd_sender_restrictions":
            "check_sender_access inline:{blocked@origin.example=REJECT}",
        "smtpd_data_restrictions":
            "check_sender_access inline:{nodata@origin.example=REJECT}",
    }

    def test_sender_refused_at_mail(self):
        mark = self.inst.log_mark()
        c = self.raw()
        c.cmd("EHLO client.example.test")
        self.assertEqual(c.cmd("MAIL FROM:<blocked@origin.example>"),
                         "554 5.7.1 <blocked@origin.example>: Sender "
                         "address rejected: Access denied")
        self.wait_log(r"NOQUEUE: reject: MAIL from \S+\[127\.0\.0\.1\]: "
                      r"554 5\.7\.1 .*; from=<blocked@origin\.example> "
                      r"proto=ESMTP", start=mark)

    def test_data_restrictions(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<nodata@origin.example>")
        self.assertEqual(c.cmd("RCPT TO:<x@remote.example>"), "250 2.1.5 Ok")
        self.assertEqual(c.cmd("DATA"), "554 5.7.1 <nodata@origin.example>: "
                         "Sender address rejected: Access denied")
        # BDAT too, and its chunk is read, not run as commands.
        c.send(b"BDAT 6 LAST\r\nQUIT\r\n")
        self.assertEqual(c.code(), 554)
        self.assertEqual(c.cmd("NOOP"), "250 2.0.0 Ok")


class ClientRejected(SmtpdCase):
    @classmethod
    def prepare(cls, inst):
        path = os.path.join(inst.conf_dir, "client_access")
        with open(path, "w") as f:
            f.write("127.0.0.0/8 REJECT\n")
        inst.write_config(main_cf={
            "smtpd_client_restrictions": "check_client_access cidr:" + path})

    def test_client_refused_at_rcpt(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        self.assertEqual(c.cmd("MAIL FROM:<%s>" % SENDER), "250 2.1.0 Ok")
        self.assertRegex(c.cmd("RCPT TO:<x@remote.example>"),
                         r"^554 5\.7\.1 <\S+\[127\.0\.0\.1\]>: Client host "
                         r"rejected: Access denied$")


class MynetworksTable(SmtpdCase):
    """mynetworks given as a cidr: table holding the loopback network."""

    @classmethod
    def prepare(cls, inst):
        path = os.path.join(inst.conf_dir, "trusted")
        with open(path, "w") as f:
            f.write("127.0.0.0/8 trusted\n")
        inst.write_config(main_cf={"mynetworks": "192.0.2.0/24 cidr:" + path})

    def test_relay_for_table_network(self):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        c.cmd("MAIL FROM:<%s>" % SENDER)
        self.assertEqual(c.cmd("RCPT TO:<x@remote.example>"), "250 2.1.5 Ok")


def authd_built():
    path = os.environ.get("POSTERN_BIN_DIR", "")
    return os.access(os.path.join(path, "authd"), os.X_OK)


@unittest.skipUnless(authd_built(), "authd is not built")
class UsersThroughAuthd(SmtpdCase):
    """Local recipients checked against the users database via authd."""

    @classmethod
    def services(cls):
        return super().services() + ["auth unix n - n - 1 authd"]

    @classmethod
    def prepare(cls, inst):
        postern = os.path.join(inst.bin, "postern")
        for args in (["alice@%s" % DOMAIN, "--no-password"],
                     ["small@%s" % DOMAIN, "--no-password", "--quota", "1k"],
                     ["off@%s" % DOMAIN, "--no-password", "--disabled"]):
            subprocess.run([postern, "user", "add"] + args, check=True,
                           stdout=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL,
                           env=dict(os.environ,
                                    POSTERN_CONFIG_DIR=inst.conf_dir))

    def session(self, size=None):
        c = self.raw()
        c.cmd("EHLO client.example.test")
        extra = " SIZE=%d" % size if size else ""
        self.assertEqual(c.cmd("MAIL FROM:<%s>%s" % (SENDER, extra)),
                         "250 2.1.0 Ok")
        return c

    def rcpt_when_ready(self, c, rcpt):
        """authd may still be starting: retry while the answer is 4xx."""
        return wait_for(lambda: (lambda r: r if r[0] != "4" else None)(
            c.cmd("RCPT TO:<%s>" % rcpt)), what="authd to answer")

    def test_known_and_unknown_users(self):
        c = self.session()
        self.assertEqual(self.rcpt_when_ready(c, "alice@%s" % DOMAIN),
                         "250 2.1.5 Ok")
        self.assertEqual(c.cmd("RCPT TO:<nosuchuser@%s>" % DOMAIN),
                         "550 5.1.1 <nosuchuser@%s>: Recipient address "
                         "rejected: User unknown in local recipient table"
                         % DOMAIN)
        self.assertEqual(c.cmd("RCPT TO:<off@%s>" % DOMAIN)[:10],
                         "550 5.2.1 ")

    def test_quota_at_rcpt(self):
        c = self.session(size=5000)
        self.assertEqual(self.rcpt_when_ready(c, "small@%s" % DOMAIN)[:10],
                         "552 5.2.2 ")
        self.assertEqual(c.cmd("RCPT TO:<alice@%s>" % DOMAIN),
                         "250 2.1.5 Ok")

    def test_message_to_user_queued(self):
        c = self.session()
        self.assertEqual(self.rcpt_when_ready(c, "alice@%s" % DOMAIN),
                         "250 2.1.5 Ok")
        self.assertEqual(c.cmd("DATA")[:3], "354")
        c.send("Subject: hi\r\n\r\nhello alice\r\n.\r\n")
        qid = queue_id_of(c.text())
        self.assertTrue(re.match(r"^[0-9A-Z]+$", qid))


if __name__ == "__main__":
    unittest.main()
