# SPDX-License-Identifier: MIT
"""authd's logins through its socket with the IPC codec, as smtpd, imapd,
pop3d and sieved drive them: mechanism lists per service and TLS state,
PLAIN, LOGIN, CRAM-MD5 and SCRAM-SHA-256 (client sides computed here),
APOP, plain password checks, refused accounts, the failed-login throttle
(answered as delay_ms, never slept) and hostile requests."""

import base64
import hashlib
import hmac
import os
import unittest

import harness
from test_local_authd import ask, connect

SERVICES = ["auth unix n - n - 1 authd"]
MAIN_CF = {
    "imapd_auth_mechanisms": "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256 GSSAPI",
    "pop3d_auth_mechanisms": "PLAIN APOP",
    "sieved_auth_mechanisms": "LOGIN",
    "auth_failure_delay": "1s",
    "auth_failure_max_delay": "4s",
    "auth_failure_limit": "3",
}


def b64(data):
    return base64.b64encode(data).decode()


def unb64(text):
    return base64.b64decode(text)


def password(user):
    return "pw-" + user.split("@")[0] + "-7Qz"


def ctx(service, client, tls=True):
    return [("service", service), ("client_addr", client),
            ("tls", 1 if tls else 0)]


class AuthdLoginTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.inst = harness.Instance(services=SERVICES, main_cf=MAIN_CF)
        try:
            def add(user, *options):
                cls.inst.postern("user", "add", user, "--password-stdin",
                                 *options, stdin=password(user) + "\n")

            add("alice@example.com", "--cram-secret", "--alias",
                "al@example.org")
            add("bob@example.com")
            add("carol@example.com")
            add("dave@example.com")
            add("off@example.com", "--disabled")
            add("imaponly@example.com", "--protocols", "imap")
            cls.inst.start()
        except BaseException:
            cls.inst.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.inst.close()

    def setUp(self):
        self.s = connect(self.inst)

    def tearDown(self):
        self.s.close()

    def password(self, user):
        return password(user)

    def start(self, client, mech, initial=None, service="imap", tls=True):
        attrs = [("req", "sasl_start")] + ctx(service, client, tls) + \
            [("mech", mech)]
        if initial is not None:
            attrs.append(("initial", initial))
        return ask(self.s, attrs)

    def step(self, reply, response):
        self.assertEqual(reply["status"], "continue", reply)
        return ask(self.s, [("req", "sasl_step"), ("id", reply["id"]),
                            ("response", response)])

    def plain(self, client, user, pw, service="imap", tls=True):
        return self.start(client, "PLAIN",
                          b64(b"\0" + user.encode() + b"\0" + pw.encode()),
                          service, tls)

    def check_password(self, client, user, pw, service="imap", tls=True):
        return ask(self.s, [("req", "password")] + ctx(service, client, tls) +
                   [("user", user), ("password", pw)])

    # -- mechanism lists --

    def mechs(self, service, tls):
        return ask(self.s, [("req", "mechs"), ("service", service),
                            ("tls", 1 if tls else 0)])

    def test_mechanism_lists(self):
        cases = [
            ("imap", True, "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256"),
            ("imap", False, "CRAM-MD5 SCRAM-SHA-256"),
            ("pop3", True, "PLAIN APOP"),
            ("pop3", False, "APOP"),
            ("smtp", True, "PLAIN LOGIN"),
            ("smtp", False, ""),
            ("sieve", True, "LOGIN"),
        ]
        for service, tls, want in cases:
            with self.subTest(service=service, tls=tls):
                self.assertEqual(self.mechs(service, tls),
                                 {"status": "ok", "mechs": want})
        self.assertEqual(self.mechs("ftp", True)["status"], "error")

    # -- the mechanisms --

    def test_plain(self):
        pw = self.password("alice@example.com")
        reply = self.plain("192.0.2.10", "ALICE@Example.com", pw)
        self.assertEqual(reply, {"status": "ok", "user": "alice@example.com",
                                 "delay_ms": "0"})
        # An additional address logs in as the user.
        reply = self.plain("192.0.2.10", "al@example.org", pw)
        self.assertEqual(reply["user"], "alice@example.com")
        self.inst.wait_for_log(r"imap login: user=<alice@example\.com>, "
                               r"client=192\.0\.2\.10, method=PLAIN")

    def test_plain_refused_without_tls(self):
        pw = self.password("bob@example.com")
        reply = self.plain("192.0.2.11", "bob@example.com", pw, tls=False)
        self.assertEqual(reply["status"], "fail")
        self.assertEqual(reply["delay_ms"], "0")
        reply = self.check_password("192.0.2.11", "bob@example.com", pw,
                                    tls=False)
        self.assertEqual(reply["status"], "fail")
        self.inst.wait_for_log(r"imap login failed: user=<bob@example\.com>,"
                               r" client=192\.0\.2\.11, method=password, "
                               r"reason=plaintext password without TLS")

    def test_login_steps(self):
        reply = self.start("192.0.2.12", "LOGIN", service="sieve")
        self.assertEqual(unb64(reply["challenge"]), b"Username:")
        reply = self.step(reply, b64(b"bob@example.com"))
        self.assertEqual(unb64(reply["challenge"]), b"Password:")
        reply = self.step(reply, b64(self.password("bob@example.com").encode()))
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(reply["user"], "bob@example.com")

    def cram(self, client, user, secret):
        reply = self.start(client, "CRAM-MD5")
        digest = hmac.new(secret.encode(), unb64(reply["challenge"]),
                          hashlib.md5).hexdigest()
        return self.step(reply, b64(("%s %s" % (user, digest)).encode()))

    def test_cram_md5(self):
        pw = self.password("alice@example.com")
        reply = self.cram("192.0.2.13", "alice@example.com", pw)
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(reply["user"], "alice@example.com")
        self.assertEqual(self.cram("192.0.2.13", "alice@example.com",
                                   "wrong")["status"], "fail")
        # No stored secret: CRAM-MD5 cannot work, even with the password.
        reply = self.cram("192.0.2.13", "bob@example.com",
                          self.password("bob@example.com"))
        self.assertEqual(reply["status"], "fail")

    def scram(self, client, user, pw):
        nonce = b64(os.urandom(18))
        bare = "n=%s,r=%s" % (user, nonce)
        reply = self.start(client, "SCRAM-SHA-256", b64(b"n,," + bare.encode()))
        first = unb64(reply["challenge"]).decode()
        fields = dict(kv.split("=", 1) for kv in first.split(","))
        self.assertTrue(fields["r"].startswith(nonce))
        salted = hashlib.pbkdf2_hmac("sha256", pw.encode(),
                                     base64.b64decode(fields["s"]),
                                     int(fields["i"]))
        ckey = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        without_proof = "c=biws,r=%s" % fields["r"]
        auth_msg = ",".join((bare, first, without_proof)).encode()
        sig = hmac.new(hashlib.sha256(ckey).digest(), auth_msg,
                       hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(ckey, sig))
        reply = self.step(reply, b64(("%s,p=%s" % (without_proof, b64(proof)))
                                     .encode()))
        if reply["status"] != "continue":
            return reply
        skey = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        want = hmac.new(skey, auth_msg, hashlib.sha256).digest()
        self.assertEqual(unb64(reply["challenge"]).decode(), "v=" + b64(want))
        return self.step(reply, "")

    def test_scram_sha_256(self):
        reply = self.scram("192.0.2.14", "alice@example.com",
                           self.password("alice@example.com"))
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(reply["user"], "alice@example.com")
        self.assertEqual(self.scram("192.0.2.14", "alice@example.com",
                                    "wrong")["status"], "fail")

    def apop(self, client, user, digest, service="pop3"):
        return ask(self.s, [("req", "apop")] + ctx(service, client, False) +
                   [("user", user), ("timestamp", "<1.2@pop.test>"),
                    ("digest", digest)])

    def test_apop(self):
        secret = self.password("alice@example.com")
        digest = hashlib.md5(("<1.2@pop.test>" + secret).encode()).hexdigest()
        self.assertEqual(self.apop("192.0.2.15", "alice@example.com",
                                   digest)["status"], "ok")
        self.assertEqual(self.apop("192.0.2.15", "alice@example.com",
                                   digest.upper())["status"], "ok")
        self.assertEqual(self.apop("192.0.2.15", "alice@example.com",
                                   "0" * 32)["status"], "fail")
        # Not enabled for imap; no secret for bob.
        self.assertEqual(self.apop("192.0.2.16", "alice@example.com",
                                   digest, service="imap")["status"], "fail")
        bob = hashlib.md5(("<1.2@pop.test>" +
                           self.password("bob@example.com")).encode())
        self.assertEqual(self.apop("192.0.2.16", "bob@example.com",
                                   bob.hexdigest())["status"], "fail")

    def test_secret_for(self):
        user = "dave@example.com"
        pw = self.password(user)
        digest = hashlib.md5(("<1.2@pop.test>" + pw).encode()).hexdigest()
        self.assertEqual(self.apop("192.0.2.22", user, digest)["status"],
                         "fail")
        # The secret must be the user's password.
        res = self.inst.postern("user", "set", user, "--secret-for", "apop",
                                "--password-stdin", stdin="other\n",
                                check=False)
        self.assertEqual(res.returncode, 1)
        self.inst.postern("user", "set", user, "--secret-for", "apop",
                          "--password-stdin", stdin=pw + "\n")
        show = self.inst.postern("user", "show", user).stdout
        self.assertIn("secret_for: apop\n", show)
        self.assertNotIn(pw, show)
        self.assertEqual(self.apop("192.0.2.22", user, digest)["status"], "ok")
        # Only for APOP: CRAM-MD5 finds no secret.
        self.assertEqual(self.cram("192.0.2.22", user, pw)["status"], "fail")
        self.inst.postern("user", "set", user, "--secret-for", "none")
        self.assertEqual(self.apop("192.0.2.22", user, digest)["status"],
                         "fail")

    # -- accounts --

    def test_password_and_accounts(self):
        client = "192.0.2.17"
        ok = self.check_password(client, "bob@example.com",
                                 self.password("bob@example.com"))
        self.assertEqual(ok["status"], "ok")
        self.assertEqual(self.check_password(client, "bob@example.com",
                                             "nope")["status"], "fail")
        off = self.check_password("192.0.2.18", "off@example.com",
                                  self.password("off@example.com"))
        self.assertEqual(off["status"], "fail")
        self.inst.wait_for_log(r"imap login failed: user=<off@example\.com>"
                               r".*reason=mail disabled")
        only = self.password("imaponly@example.com")
        self.assertEqual(self.check_password("192.0.2.19",
                                             "imaponly@example.com", only,
                                             service="imap")["status"], "ok")
        reply = self.plain("192.0.2.19", "imaponly@example.com", only,
                           service="pop3")
        self.assertEqual(reply["status"], "fail")
        self.inst.wait_for_log(r"pop3 login failed: "
                               r"user=<imaponly@example\.com>.*"
                               r"reason=protocol not allowed")
        self.assertEqual(self.check_password("192.0.2.20", "nobody@x.test",
                                             "pw")["status"], "fail")

    # -- the throttle --

    def test_throttle(self):
        bad, good = "203.0.113.1", "203.0.113.2"
        delays = [self.check_password(bad, "carol@example.com", "guess%d" % i)
                  ["delay_ms"] for i in range(3)]
        self.assertEqual(delays, ["1000", "2000", "4000"])
        # The limit is reached: even the right password gets a
        # temporary failure from that address.
        pw = self.password("carol@example.com")
        reply = self.check_password(bad, "carol@example.com", pw)
        self.assertEqual((reply["status"], reply["delay_ms"]),
                         ("tempfail", "4000"))
        self.assertEqual(self.plain(bad, "bob@example.com",
                                    self.password("bob@example.com"))
                         ["status"], "tempfail")
        self.inst.wait_for_log(r"login refused for now: .*client=203\.0\.113"
                               r"\.1.*too many failed logins")
        # Another client logging in as another user is not slowed.
        reply = self.check_password(good, "bob@example.com",
                                    self.password("bob@example.com"))
        self.assertEqual((reply["status"], reply["delay_ms"]), ("ok", "0"))
        # Nor is carol herself from elsewhere with her password; and
        # that success forgives her failures.
        reply = self.check_password(good, "carol@example.com", pw)
        self.assertEqual((reply["status"], reply["delay_ms"]), ("ok", "0"))
        reply = self.check_password("203.0.113.3", "carol@example.com", "x")
        self.assertEqual((reply["status"], reply["delay_ms"]), ("fail", "1000"))

    # -- hostile requests --

    def test_hostile(self):
        client = "192.0.2.21"
        unknown = ask(self.s, [("req", "sasl_step"), ("id", "999"),
                               ("response", "")])
        self.assertEqual(unknown["status"], "fail")
        self.assertEqual(self.start(client, "GSSAPI")["status"], "fail")
        self.assertEqual(self.start(client, "X" * 40)["status"], "error")
        self.assertEqual(self.start(client, "PLAIN", "not base64!")["status"],
                         "fail")
        self.assertEqual(self.start(client, "PLAIN", "AAAA")["status"], "fail")
        reply = self.start(client, "CRAM-MD5")
        self.assertEqual(ask(self.s, [("req", "sasl_abort"),
                                      ("id", reply["id"])]), {"status": "ok"})
        self.assertEqual(ask(self.s, [("req", "sasl_step"), ("id", reply["id"]),
                                      ("response", "")])["status"], "fail")
        bad = ask(self.s, [("req", "password")] + ctx("imap", "a b") +
                  [("user", "bob@example.com"), ("password", "x")])
        self.assertEqual(bad["status"], "error")
        # Still serving.
        self.assertEqual(self.mechs("smtp", True)["mechs"], "PLAIN LOGIN")


if __name__ == "__main__":
    unittest.main()
