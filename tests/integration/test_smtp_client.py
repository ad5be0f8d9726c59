# SPDX-License-Identifier: MIT
"""smtp, the SMTP/LMTP delivery agent, driven through its socket the way
qmgr drives it, against Python SMTP/LMTP sinks (fixtures/smtp_sink.py)
and a loopback DNS server (fixtures/dns_server.py) that dns_servers
points the agent at. What the sinks received is checked byte for byte;
the per-recipient results are checked in the agent's reply."""

import socket
import ssl
import threading
import unittest
import warnings

import harness
from fixtures.dns_server import DnsServer
from fixtures.smtp_agent import deliver, make_cert, server_context
from fixtures.smtp_sink import DEFAULT_EXTENSIONS, SmtpSink

MYHOSTNAME = "mx.client.test"
MESSAGE = (b"From: Sender <sender@client.test>\r\n"
           b"To: rcpt@remote.test\r\n"
           b"Subject: test\r\n"
           b"\r\n"
           b"Body line one.\r\n"
           b".a line that starts with a dot\r\n")
EIGHTBIT = ("From: sender@client.test\n"
            "Subject: 8-bit\n"
            "Content-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 8bit\n"
            "\n"
            "Caf\u00e9 cr\u00e8me = tasty\n").encode()
MULTIPART = ("From: sender@client.test\r\n"
             "MIME-Version: 1.0\r\n"
             "Content-Type: multipart/mixed; boundary=\"XyZ\"\r\n"
             "\r\n"
             "preamble\r\n"
             "--XyZ\r\n"
             "Content-Type: text/plain; charset=us-ascii\r\n"
             "\r\n"
             "plain part\r\n"
             "--XyZ\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n"
             "\r\n"
             "\u00fcber\r\n"
             "--XyZ--\r\n"
             "epilogue\r\n").encode()


class SmtpClientTest(unittest.TestCase):
    """One instance, one DNS server and a few sinks for the class; each
    test sets the sinks up as it needs and uses its own addresses."""

    @classmethod
    def setUpClass(cls):
        cls.sinks = []
        cls.inst = harness.Instance(services=[])
        try:
            cls.setup_all()
        except BaseException:
            cls.teardown_all()
            raise

    @classmethod
    def sink(cls, **kwargs):
        s = SmtpSink(**kwargs)
        cls.sinks.append(s)
        return s

    @classmethod
    def setup_all(cls):
        inst = cls.inst
        cls.cert, cls.key = make_cert(inst.tmp_dir)
        cls.a = cls.sink()
        port = cls.a.port
        # Sinks on other loopback addresses, all on port's number, so
        # that MX hosts (which share the next hop's port) reach them.
        cls.b = cls.sink(host="127.0.0.2", port=port, name="b.sink.test")
        cls.c = cls.sink(host="127.0.0.3", port=port, name="c.sink.test")
        cls.v6 = cls.sink(host="::1", port=port, name="v6.sink.test")
        cls.lmtp_unix = cls.sink(path=inst.tmp("lmtp.sock"), lmtp=True,
                                 name="lmtp.sink.test")
        cls.lmtp_inet = cls.sink(lmtp=True, name="lmtp.sink.test")
        cls.dns = DnsServer({
            "order.test": {"MX": [(20, "mx-c.test"), (10, "mx-b.test")]},
            "fallback.test": {"MX": [(10, "dead.test"), (20, "mx-c.test")]},
            "amx.test": {"A": ["127.0.0.2"]},
            "nullmx.test": {"MX": [(0, ".")]},
            "loop.test": {"MX": [(10, MYHOSTNAME)]},
            "loopaddr.test": {"MX": [(10, "self.test")]},
            "six.test": {"MX": [(10, "mx-v6.test")]},
            "mx-b.test": {"A": ["127.0.0.2"]},
            "mx-c.test": {"A": ["127.0.0.3"]},
            "dead.test": {"A": ["127.0.0.4"]},
            "self.test": {"A": ["127.0.0.1"]},
            "mx-v6.test": {"AAAA": ["::1"]},
            "sink.test": {"A": ["127.0.0.1"]},
        })
        relay = "[127.0.0.1]:%d" % port
        common = "-o smtp_tls_CAfile=%s" % cls.cert
        inst.write_config(services=[
            "smtp unix - - y - - smtp " + common,
            "smtpraw unix - - y - - smtp -o "
            "disable_mime_output_conversion=yes",
            "smtptls unix - - y - - smtp -o smtp_tls_security_level="
            "encrypt " + common,
            "smtpverify unix - - y - - smtp -o smtp_tls_security_level="
            "verify " + common,
            "smtpnotls unix - - y - - smtp -o "
            "smtp_tls_security_level=none",
            "smtp6 unix - - y - - smtp -o inet_protocols=all",
            "smtpnative unix - - n - - smtp -o smtp_host_lookup=native",
            "smtpquick unix - - y - - smtp -o smtp_helo_timeout=1s",
            "lmtp unix - - n - - smtp",
            "smtpcache unix - - y - 1 smtp -o "
            "smtp_connection_cache_time_limit=60s -o "
            "smtp_connection_reuse_count_limit=3",
            # One process: a TLS session is kept per process.
            "smtpone unix - - y - 1 smtp",
            "smtpidle unix - - y - 1 smtp -o "
            "smtp_connection_cache_time_limit=1s",
        ], main_cf={
            # Tests change the sinks between deliveries: no connection
            # outlives a request but in smtpcache.
            "smtp_connection_cache_time_limit": "0",
            "myhostname": MYHOSTNAME,
            "dns_servers": "127.0.0.1:%d" % cls.dns.port,
            "dns_timeout": "2s",
            "smtp_sasl_auth_enable": "yes",
            "smtp_sasl_password_maps":
                "inline:{{%s=user:secret}, {[127.0.0.2]:%d=user:wrong}}"
                % (relay, port),
        })
        inst.start()
        cls.relay = relay

    @classmethod
    def teardown_all(cls):
        for s in cls.sinks:
            s.close()
        if getattr(cls, "dns", None) is not None:
            cls.dns.close()
        cls.inst.close()

    @classmethod
    def tearDownClass(cls):
        cls.teardown_all()

    def setUp(self):
        for s in self.sinks:
            s.messages.clear()
            s.commands.clear()
            s.ehlo = True
            s.extensions = list(DEFAULT_EXTENSIONS)
            s.tls_context = None
            s.auth = None
            s.tempfail_data = 0
            s.transactions = 0

    def run(self, result=None):
        outcome = super().run(result)
        if result is not None and not result.wasSuccessful() and \
                not getattr(self, "_log_shown", False):
            self._log_shown = True
            print("\n--- instance log ---\n" + self.inst.log()[-6000:])
        return outcome

    def send(self, rcpts, message=MESSAGE, service="smtp", nexthop=None,
             **kwargs):
        return deliver(self.inst, service, nexthop or self.relay, rcpts,
                       message, **kwargs)

    # -- SMTP --

    def test_delivers_with_dsn_parameters(self):
        res = self.send(["one@remote.test", "two@remote.test"],
                        notify=[6, 1], orcpts=["rfc822;orig@remote.test",
                                               None],
                        ret="FULL", envid="ENV+2B1")
        self.assertEqual([r[0] for r in res], ["sent", "sent"], res)
        self.assertIn("250 2.0.0 Ok: queued as SINK", res[0][2])
        m = self.a.messages[0]
        self.assertEqual(m["rcpts"], ["one@remote.test", "two@remote.test"])
        self.assertEqual(m["data"], MESSAGE)
        self.assertIn("SIZE=%d" % len(MESSAGE), m["mail"])
        self.assertIn("RET=FULL", m["mail"])
        self.assertIn("ENVID=ENV+2B1", m["mail"])
        self.assertIn("NOTIFY=SUCCESS,FAILURE", m["rcpt_lines"][0])
        self.assertIn("ORCPT=rfc822;orig@remote.test", m["rcpt_lines"][0])
        self.assertIn("NOTIFY=NEVER", m["rcpt_lines"][1])
        self.assertEqual(m["helo"], MYHOSTNAME)
        self.inst.wait_for_log(r"to=<one@remote\.test>, relay=127\.0\.0\.1"
                               r"\[127\.0\.0\.1\]:%d, delay=[\d.]+, "
                               r"dsn=2\.0\.0, status=sent" % self.a.port)

    def test_bare_lf_and_dots(self):
        res = self.send(["lf@remote.test"],
                        message=b"Subject: lf\n\n.\n..two\nno end")
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(self.a.messages[0]["data"],
                         b"Subject: lf\r\n\r\n.\r\n..two\r\nno end\r\n")

    def test_per_recipient_results(self):
        res = self.send(["ok@remote.test", "reject1@remote.test",
                         "defer1@remote.test"])
        self.assertEqual([(r[0], r[1]) for r in res],
                         [("sent", "2.0.0"), ("bounced", "5.1.1"),
                          ("deferred", "4.2.1")])
        self.assertRegex(res[1][2], r"^host 127\.0\.0\.1\[127\.0\.0\.1\]:"
                         r"\d+ said: 550 5\.1\.1 <reject1@remote\.test>: "
                         r"Recipient address rejected: no such user "
                         r"\(in reply to RCPT TO command\)$")
        self.assertEqual(self.a.messages[0]["rcpts"], ["ok@remote.test"])

    def test_all_recipients_refused(self):
        res = self.send(["reject2@remote.test"])
        self.assertEqual(res[0][:2], ("bounced", "5.1.1"))
        self.assertEqual(self.a.messages, [])

    def test_helo_fallback_without_pipelining(self):
        self.a.ehlo = False
        res = self.send(["helo@remote.test"])
        self.assertEqual(res[0][0], "sent", res)
        self.assertTrue(any(c.startswith("HELO ") for c in self.a.commands))
        self.assertNotIn("SIZE=", self.a.messages[0]["mail"])

    def test_size_limit_bounces_without_sending(self):
        self.a.extensions = ["SIZE 50"]
        res = self.send(["big@remote.test"])
        self.assertEqual(res[0][:2], ("bounced", "5.3.4"), res)
        self.assertIn("exceeds size limit 50", res[0][2])
        self.assertFalse(any(c.startswith("MAIL") for c in self.a.commands))

    def test_8bit_converted_to_quoted_printable(self):
        self.a.extensions = ["PIPELINING"]
        res = self.send(["qp@remote.test"], message=EIGHTBIT,
                        body="8BITMIME")
        self.assertEqual(res[0][0], "sent", res)
        data = self.a.messages[0]["data"]
        self.assertNotIn(b"BODY=", self.a.messages[0]["mail"].encode())
        self.assertIn(b"Content-Transfer-Encoding: quoted-printable\r\n",
                      data)
        self.assertNotIn(b"8bit", data)
        self.assertIn(b"Caf=C3=A9 cr=C3=A8me =3D tasty\r\n", data)
        self.assertTrue(all(b < 128 for b in data))

    def test_8bit_multipart_parts(self):
        self.a.extensions = []
        res = self.send(["mp@remote.test"], message=MULTIPART)
        self.assertEqual(res[0][0], "sent", res)
        data = self.a.messages[0]["data"]
        self.assertTrue(all(b < 128 for b in data))
        self.assertIn(b"--XyZ\r\nContent-Type: text/plain; charset=us-ascii"
                      b"\r\n\r\nplain part\r\n--XyZ\r\n", data)
        self.assertIn(b"charset=utf-8\r\nContent-Transfer-Encoding: "
                      b"quoted-printable\r\n\r\n=C3=BCber\r\n--XyZ--\r\n"
                      b"epilogue\r\n", data)

    def test_8bit_sent_as_is_to_8bitmime_server(self):
        res = self.send(["as-is@remote.test"], message=EIGHTBIT,
                        body="8BITMIME")
        self.assertEqual(res[0][0], "sent", res)
        self.assertIn("BODY=8BITMIME", self.a.messages[0]["mail"])
        self.assertEqual(self.a.messages[0]["data"],
                         EIGHTBIT.replace(b"\n", b"\r\n"))

    def test_conversion_disabled(self):
        self.a.extensions = []
        res = self.send(["raw@remote.test"], message=EIGHTBIT,
                        service="smtpraw")
        self.assertEqual(res[0][0], "sent", res)
        self.assertIn("Café".encode(), self.a.messages[0]["data"])

    def test_smtputf8(self):
        rcpt = "j\u00fcrgen@remote.test"
        res = self.send([rcpt], smtputf8=1)
        self.assertEqual(res[0][0], "sent", res)
        self.assertIn("SMTPUTF8", self.a.messages[0]["mail"])
        self.a.extensions = ["8BITMIME"]
        res = self.send([rcpt], smtputf8=1)
        self.assertEqual(res[0][:2], ("bounced", "5.6.7"), res)
        # ASCII addresses need no SMTPUTF8 from the server.
        res = self.send(["ascii@remote.test"], smtputf8=1)
        self.assertEqual(res[0][0], "sent", res)

    def test_silent_server_times_out(self):
        with socket.socket() as srv:
            srv.bind(("127.0.0.1", 0))
            srv.listen(1)
            res = self.send(["slow@remote.test"], service="smtpquick",
                            nexthop="[127.0.0.1]:%d"
                            % srv.getsockname()[1])
        self.assertEqual(res[0][:2], ("deferred", "4.4.2"), res)
        self.assertIn("conversation timed out", res[0][2])
        self.assertIn("initial greeting", res[0][2])

    def test_malformed_reply_defers(self):
        replies = [b"220-first line\r\n230 code changed\r\n",
                   b"220 " + b"x" * 5000 + b"\r\n"]
        for reply in replies:
            with socket.socket() as srv:
                srv.bind(("127.0.0.1", 0))
                srv.listen(1)

                def answer(srv=srv, reply=reply):
                    conn, _ = srv.accept()
                    with conn:
                        conn.sendall(reply)
                        conn.recv(1000)
                t = threading.Thread(target=answer, daemon=True)
                t.start()
                res = self.send(["bad@remote.test"], nexthop="[127.0.0.1]:%d"
                                % srv.getsockname()[1])
                t.join()
            self.assertEqual(res[0][:2], ("deferred", "4.5.0"), res)

    def test_data_answered_with_250_defers(self):
        # No pipelining: one reply per command, the last one to DATA.
        script = [b"220 odd.test\r\n", b"250 odd.test\r\n", b"250 ok\r\n",
                  b"250 ok\r\n", b"250 ok, but no 354\r\n"]
        with socket.socket() as srv:
            srv.bind(("127.0.0.1", 0))
            srv.listen(1)

            def answer():
                conn, _ = srv.accept()
                with conn, conn.makefile("rb") as f:
                    conn.sendall(script[0])
                    for reply in script[1:]:
                        f.readline()
                        conn.sendall(reply)
                    f.readline()
            t = threading.Thread(target=answer, daemon=True)
            t.start()
            res = self.send(["odd@remote.test"], nexthop="[127.0.0.1]:%d"
                            % srv.getsockname()[1])
            t.join()
        self.assertEqual(res[0][:2], ("deferred", "4.5.0"), res)
        self.assertIn("in reply to DATA command", res[0][2])

    def test_native_lookup(self):
        res = self.send(["native@remote.test"], service="smtpnative",
                        nexthop="[localhost]:%d" % self.a.port)
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(len(self.a.messages), 1)

    def test_connection_reused(self):
        before = self.b.connections
        nexthop = "[127.0.0.2]:%d" % self.a.port
        for i in range(4):
            res = self.send(["reuse%d@remote.test" % i], service="smtpcache",
                            nexthop=nexthop)
            self.assertEqual(res[0][0], "sent", res)
        # Three transactions on the first connection, then a new one.
        self.assertEqual(self.b.connections - before, 2)
        self.assertEqual(len(self.b.messages), 4)
        self.assertEqual(self.b.commands.count("RSET"), 2)
        # A kept connection the server has closed is replaced.
        self.b.close_sessions()
        res = self.send(["reuse9@remote.test"], service="smtpcache",
                        nexthop=nexthop)
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(self.b.connections - before, 3)
        self.assertEqual(len(self.b.messages), 5)

    def test_idle_connection_closed(self):
        res = self.send(["idle@remote.test"], service="smtpidle")
        self.assertEqual(res[0][0], "sent", res)
        # Kept after the transaction, then closed with QUIT when idle.
        self.assertNotIn("QUIT", self.a.commands)
        harness.wait_for(lambda: "QUIT" in self.a.commands,
                         what="QUIT on the idle connection")

    def test_no_reuse_after_refused_mail(self):
        # MAIL refused with RCPT and DATA pipelined behind it: their
        # replies are unread, so the connection is not kept.
        nexthop = "[127.0.0.3]:%d" % self.a.port
        before = self.c.connections
        self.c.auth = ("user", "secret")
        res = self.send(["refused@remote.test"], service="smtpcache",
                        nexthop=nexthop)
        self.assertEqual(res[0][:2], ("bounced", "5.7.0"), res)
        self.c.auth = None
        res = self.send(["after@remote.test"], service="smtpcache",
                        nexthop=nexthop)
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(self.c.connections - before, 2)
        self.assertNotIn("RSET", self.c.commands)

    # -- TLS and AUTH --

    def test_starttls_used_when_offered(self):
        self.a.tls_context = server_context(self.cert, self.key)
        res = self.send(["tls@remote.test"])
        self.assertEqual(res[0][0], "sent", res)
        self.assertTrue(self.a.messages[0]["tls"])
        self.inst.wait_for_log(r"TLS connection established to 127\.0\.0\.1"
                               r"\[127\.0\.0\.1\]:\d+: TLSv1\.[23] with "
                               r"cipher")

    def test_failed_handshake_retried_in_plaintext(self):
        ctx = server_context(self.cert, self.key)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1  # below our floor
        self.a.tls_context = ctx
        res = self.send(["fallback@remote.test"])
        self.assertEqual(res[0][0], "sent", res)
        self.assertFalse(self.a.messages[0]["tls"])
        self.inst.wait_for_log(r"TLS handshake failed.*; trying again "
                               r"without TLS")
        res = self.send(["fallback2@remote.test"], service="smtptls")
        self.assertEqual(res[0][0], "deferred", res)

    def test_tls_session_resumed(self):
        self.a.tls_context = server_context(self.cert, self.key)
        mark = self.inst.log_mark()
        for i in range(2):
            res = self.send(["resume%d@remote.test" % i], service="smtpone")
            self.assertEqual(res[0][0], "sent", res)
        self.inst.wait_for_log(r"TLS connection established to 127\.0\.0\.1"
                               r"\[127\.0\.0\.1\]:\d+: TLSv1\.3 .*"
                               r"\(resumed\)", start=mark)
        self.assertTrue(all(m["tls"] for m in self.a.messages))

    def test_no_tls_when_level_none(self):
        self.a.tls_context = server_context(self.cert, self.key)
        res = self.send(["notls@remote.test"], service="smtpnotls")
        self.assertEqual(res[0][0], "sent", res)
        self.assertFalse(self.a.messages[0]["tls"])

    def test_encrypt_requires_tls(self):
        res = self.send(["enc1@remote.test"], service="smtptls")
        self.assertEqual(res[0][:2], ("deferred", "4.7.4"), res)
        self.assertIn("TLS is required, but was not offered", res[0][2])
        self.assertEqual(self.a.messages, [])
        self.a.tls_context = server_context(self.cert, self.key)
        res = self.send(["enc2@remote.test"], service="smtptls")
        self.assertEqual(res[0][0], "sent", res)
        self.assertTrue(self.a.messages[0]["tls"])

    def test_verify_checks_the_name(self):
        # The certificate names sink.test, not the address we dial.
        self.a.tls_context = server_context(self.cert, self.key)
        res = self.send(["verify@remote.test"], service="smtpverify")
        self.assertEqual(res[0][0], "deferred", res)
        self.assertEqual(self.a.messages, [])

    def test_verify_succeeds_with_the_name(self):
        self.a.tls_context = server_context(self.cert, self.key)
        res = self.send(["verified@remote.test"], service="smtpverify",
                        nexthop="[sink.test]:%d" % self.a.port)
        self.assertEqual(res[0][0], "sent", res)
        self.assertTrue(self.a.messages[0]["tls"])
        self.inst.wait_for_log(r"Verified TLS connection established to "
                               r"sink\.test\[127\.0\.0\.1\]")

    def test_auth_to_relay(self):
        self.a.auth = ("user", "secret")
        res = self.send(["auth@remote.test"])
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(self.a.messages[0]["auth"], "user")
        self.assertTrue(any(c.startswith("AUTH PLAIN ")
                            for c in self.a.commands))

    def test_auth_failure_defers(self):
        # The table has a wrong password for this next hop: a 535 must
        # not bounce mail.
        self.b.auth = ("user", "secret")
        res = self.send(["authbad@remote.test"],
                        nexthop="[127.0.0.2]:%d" % self.a.port)
        self.assertEqual(res[0][:2], ("deferred", "4.7.0"), res)
        self.assertIn("SASL authentication failed", res[0][2])
        self.assertEqual(self.b.messages, [])

    # -- next hop --

    def test_mx_order(self):
        res = self.send(["mx@order.test"],
                        nexthop="order.test:%d" % self.a.port)
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(len(self.b.messages), 1)
        self.assertEqual(self.c.messages, [])
        self.assertIn(("order.test", "MX"), self.dns.queries)

    def test_next_mx_when_first_is_down(self):
        res = self.send(["mx@fallback.test"],
                        nexthop="fallback.test:%d" % self.a.port)
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(len(self.c.messages), 1)
        self.assertIn("relay=mx-c.test[127.0.0.3]", self.inst.log())

    def test_a_record_without_mx(self):
        res = self.send(["a@amx.test"], nexthop="amx.test:%d" % self.a.port)
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(len(self.b.messages), 1)

    def test_bracket_suppresses_mx(self):
        del self.dns.queries[:]
        res = self.send(["br@order.test"],
                        nexthop="[mx-c.test]:%d" % self.a.port)
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(len(self.c.messages), 1)
        self.assertNotIn(("mx-c.test", "MX"), self.dns.queries)

    def test_null_mx_bounces(self):
        res = self.send(["x@nullmx.test"], nexthop="nullmx.test")
        self.assertEqual(res[0][:2], ("bounced", "5.1.10"), res)
        self.assertIn("does not accept mail (nullMX)", res[0][2])

    def test_unknown_domain_bounces(self):
        res = self.send(["x@nosuch.test"], nexthop="nosuch.test")
        self.assertEqual(res[0][:2], ("bounced", "5.4.4"), res)

    def test_dns_failure_defers(self):
        res = self.send(["x@servfail.test"], nexthop="servfail.test")
        self.assertEqual(res[0][:2], ("deferred", "4.4.3"), res)

    def test_mx_loop_to_our_name(self):
        res = self.send(["x@loop.test"], nexthop="loop.test")
        self.assertEqual(res[0][:2], ("bounced", "5.4.6"), res)
        self.assertIn("mail for loop.test loops back to myself", res[0][2])

    def test_mx_loop_to_our_address(self):
        res = self.send(["x@loopaddr.test"],
                        nexthop="loopaddr.test:%d" % self.a.port)
        self.assertEqual(res[0][:2], ("bounced", "5.4.6"), res)
        self.assertEqual(self.a.messages, [])

    def test_greeting_naming_us_is_a_loop(self):
        self.c.name = MYHOSTNAME
        try:
            res = self.send(["x@remote.test"],
                            nexthop="[127.0.0.3]:%d" % self.a.port)
        finally:
            self.c.name = "c.sink.test"
        self.assertEqual(res[0][:2], ("bounced", "5.4.6"), res)

    def test_bad_next_hop_defers(self):
        for nexthop in ("[unclosed", "host:99999", "[x]junk"):
            res = self.send(["x@remote.test"], nexthop=nexthop)
            self.assertEqual(res[0][:2], ("deferred", "4.3.5"), res)
        res = self.send(["x@remote.test"], service="lmtp",
                        nexthop="unix:relative/path")
        self.assertEqual(res[0][:2], ("deferred", "4.3.5"), res)

    def test_connection_refused_defers(self):
        res = self.send(["x@remote.test"], nexthop="[127.0.0.4]:%d"
                        % self.a.port)
        self.assertEqual(res[0][:2], ("deferred", "4.4.1"), res)
        self.assertRegex(res[0][2], r"connect to 127\.0\.0\.4\[127\.0\.0\.4"
                         r"\]:\d+: Connection refused")

    def test_ipv6_literal_and_aaaa(self):
        res = self.send(["v6@remote.test"], service="smtp6",
                        nexthop="[ipv6:::1]:%d" % self.a.port)
        self.assertEqual(res[0][0], "sent", res)
        res = self.send(["v6@six.test"], service="smtp6",
                        nexthop="six.test:%d" % self.a.port)
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(len(self.v6.messages), 2)

    # -- LMTP --

    def test_lmtp_unix_per_recipient(self):
        res = self.send(["ok@lists.test", "lmtpfail@lists.test",
                         "reject3@lists.test", "ok2@lists.test"],
                        service="lmtp",
                        nexthop="unix:" + self.inst.tmp("lmtp.sock"))
        self.assertEqual([(r[0], r[1]) for r in res],
                         [("sent", "2.0.0"), ("bounced", "5.2.2"),
                          ("bounced", "5.1.1"), ("sent", "2.0.0")])
        self.assertIn("(in reply to end of DATA command)", res[1][2])
        self.assertTrue(any(c.startswith("LHLO ")
                            for c in self.lmtp_unix.commands))

    def test_lmtp_inet(self):
        res = self.send(["ok@lists.test"], service="lmtp",
                        nexthop="inet:127.0.0.1:%d" % self.lmtp_inet.port)
        self.assertEqual(res[0][0], "sent", res)
        self.assertEqual(len(self.lmtp_inet.messages), 1)

    def test_lmtp_tempfail_per_recipient(self):
        self.lmtp_unix.tempfail_data = 1
        res = self.send(["t1@lists.test", "t2@lists.test"], service="lmtp",
                        nexthop="unix:" + self.inst.tmp("lmtp.sock"))
        self.assertEqual([r[:2] for r in res], [("deferred", "4.3.0")] * 2)


if __name__ == "__main__":
    unittest.main()
