"""wss:// and https:// (issue 12): every route over TLS with real clients (curl, Python
websockets over an SSL context, Node ws over https), TLS 1.3 with ALPN http/1.1, resumed
sessions counted, SIGHUP with a good and a bad pair, and every bad input ended cheaply."""

import asyncio
import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import unittest
import warnings

import harness
import rawclient
import tls_fixture

NODE = shutil.which("node") or "/usr/bin/node"
NODE_CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_tls_client.js")


def scrape_tls(server, context):
    _, body, _, _ = tls_fixture.https_get(server.tls_port, context, "/metrics")
    samples = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


class TlsRoutes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ca = tls_fixture.for_class(cls)
        cls.server = harness.launch(cls, "--rate", 100, "--workers", 2, *cls.ca.server_options("ec"))
        cls.context = cls.ca.client_context()

    def test_curl_gets_every_route_over_https(self):
        for path, expect in (("/healthz", "ok"), ("/topics", '"topics"'),
                             ("/metrics", "levelcast_tls_cert_expiry_seconds")):
            result = subprocess.run(
                ["curl", "-sS", "--max-time", "5", "--cacert", self.ca.ca,
                 f"https://localhost:{self.server.tls_port}{path}"],
                capture_output=True, text=True, timeout=10)
            self.assertEqual(0, result.returncode, result.stderr)
            self.assertIn(expect, result.stdout)

    def test_plain_and_tls_side_by_side(self):
        self.assertEqual(200, rawclient.http_request(self.server.port, "/healthz").status)
        status, body, _, _ = tls_fixture.https_get(self.server.tls_port, self.context, "/healthz")
        self.assertIn("200", status)

    def test_tls13_with_alpn_http11(self):
        with tls_fixture.tls_connect(self.server.tls_port, self.context) as sock:
            self.assertEqual("TLSv1.3", sock.version())
            self.assertEqual("http/1.1", sock.selected_alpn_protocol())
            self.assertEqual("levelcast", tls_fixture.peer_common_name(sock))

    def test_tls12_is_accepted(self):
        context = self.ca.client_context(maximum_version=ssl.TLSVersion.TLSv1_2)
        with tls_fixture.tls_connect(self.server.tls_port, context) as sock:
            self.assertEqual("TLSv1.2", sock.version())

    def test_websockets_over_ssl_receives_snapshots_and_echoes(self):
        async def run():
            url = f"wss://localhost:{self.server.tls_port}/levels"
            async with harness.websockets.connect(url, ssl=self.context) as ws:
                seqs = [json.loads((await harness.recv_snapshot(ws))[0])["seq"] for _ in range(20)]
            self.assertEqual(list(range(seqs[0], seqs[0] + 20)), seqs)
            url = f"wss://localhost:{self.server.tls_port}/echo"
            async with harness.websockets.connect(url, ssl=self.context, max_size=None) as ws:
                big = os.urandom(200_000)  # many records each way
                await ws.send(big)
                self.assertEqual(big, await asyncio.wait_for(ws.recv(), 10))
        asyncio.run(run())

    def test_many_tls_subscribers_get_every_snapshot(self):
        async def one():
            url = f"wss://localhost:{self.server.tls_port}/levels?format=binary"
            async with harness.websockets.connect(url, ssl=self.context) as ws:
                seqs = []
                while len(seqs) < 30:
                    message = await asyncio.wait_for(ws.recv(), 5)
                    if isinstance(message, bytes):
                        seqs.append(struct.unpack_from("<Q", message, 8)[0])
                return seqs

        async def run():
            return await asyncio.gather(*(one() for _ in range(20)))
        for seqs in asyncio.run(run()):
            self.assertEqual(list(range(seqs[0], seqs[0] + 30)), seqs)

    def test_node_ws_over_https(self):
        result = subprocess.run(
            [NODE, NODE_CLIENT, f"wss://localhost:{self.server.tls_port}/levels", self.ca.ca, "10"],
            capture_output=True, text=True, timeout=20)
        self.assertEqual(0, result.returncode, result.stderr)
        seqs = json.loads(result.stdout)
        self.assertEqual(list(range(seqs[0], seqs[0] + 10)), seqs)

    def test_resumed_sessions_are_counted(self):
        before = scrape_tls(self.server, self.context)
        _, _, session, reused = tls_fixture.https_get(self.server.tls_port, self.context, "/healthz")
        self.assertFalse(reused)
        self.assertIsNotNone(session)
        for _ in range(3):
            _, _, _, reused = tls_fixture.https_get(self.server.tls_port, self.context, "/healthz",
                                                   session=session)
            self.assertTrue(reused)
        after = scrape_tls(self.server, self.context)
        self.assertGreaterEqual(after["levelcast_tls_resumed_total"]
                                - before["levelcast_tls_resumed_total"], 3)
        self.assertGreater(after["levelcast_tls_cert_expiry_seconds"], 3600)


    def test_startup_log_names_the_tls_path(self):
        log = self.server._captured("stderr")
        kernel = "TLS: kTLS available" in log
        self.assertTrue(kernel or "TLS: kTLS not available" in log, log)
        kernel_sends = scrape_tls(self.server, self.context)["levelcast_tls_kernel_sends_total"]
        if tls_fixture.TLS_BIO == "socket" and not kernel:
            self.assertIn("handshakes over the socket (--tls-bio socket, for testing)", log)
        elif not kernel:
            self.assertIn("user-space TLS over the workers' shared buffers", log)
        if not kernel:  # this machine (CONFIG_TLS unset): every record is encrypted in user space
            self.assertEqual(0, kernel_sends)


class TlsTicketRotation(unittest.TestCase):
    """--tls-ticket-rotation: a ticket sealed before a rotation still resumes for one more
    period (and is renewed), then no longer; a certificate reload keeps the keys."""
    PERIOD = 3

    @classmethod
    def setUpClass(cls):
        cls.ca = tls_fixture.for_class(cls)
        cls.context = cls.ca.client_context()

    def setUp(self):
        self.server = harness.launch(self, "--tls-ticket-rotation", self.PERIOD,
                                     *self.ca.server_options("ec"))

    def rotations(self):
        return scrape_tls(self.server, self.context)["levelcast_tls_ticket_key_rotations_total"]

    def get(self, session=None):
        status, _, fresh, reused = tls_fixture.https_get(self.server.tls_port, self.context,
                                                         "/healthz", session=session)
        self.assertIn("200", status)
        return fresh, reused

    def test_a_ticket_from_before_a_rotation_resumes_then_expires(self):
        ticket, reused = self.get()
        self.assertFalse(reused)
        self.assertEqual(0, self.rotations())
        # Each scrape is a handshake: the ring rotates on the first one after the period.
        harness.poll_until(lambda: self.rotations() >= 1, 4 * self.PERIOD, "a ticket key rotation",
                           interval=0.1)
        renewed, reused = self.get(ticket)
        self.assertTrue(reused, "a ticket sealed before the rotation resumes")
        _, reused = self.get(renewed)
        self.assertTrue(reused, "its renewal, sealed with the new key, resumes")
        harness.poll_until(lambda: self.rotations() >= 2, 4 * self.PERIOD, "a second rotation",
                           interval=0.1)
        _, reused = self.get(ticket)
        self.assertFalse(reused, "two periods after its key was made, a ticket no longer resumes")

    def test_the_keys_survive_a_certificate_reload(self):
        ticket, _ = self.get()
        self.server.send_signal(signal.SIGHUP)
        harness.poll_until(lambda: "TLS certificate reloaded" in self.server._captured("stderr"), 5,
                           "the reload")
        _, reused = self.get(ticket)
        self.assertTrue(reused)


class TlsKeys(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ca = tls_fixture.for_class(cls)

    def test_rsa_pair_serves_tls_only(self):
        with harness.Server("--no-plain", *self.ca.server_options("rsa")) as server:
            self.assertIsNone(server.port)
            with tls_fixture.tls_connect(server.tls_port, self.ca.client_context()) as sock:
                self.assertEqual("levelcast-rsa", tls_fixture.peer_common_name(sock))

    def test_bad_pairs_stop_startup_with_exit_2(self):
        cases = (
            (self.ca.server_options(cert=self.ca.path("ec.pem"), key=self.ca.path("rsa.key")),
             "does not match"),
            (self.ca.server_options("p384"), "not P-256"),
            (self.ca.server_options(cert=self.ca.path("garbage.pem"), key=self.ca.path("ec.key")),
             "--tls-cert"),
            (["--tls-cert", self.ca.path("ec.pem")], "--tls-key"),
            (["--no-plain"], "--tls-cert"),
            (["--port", "9555", "--tls-port", "9555", "--tls-cert", self.ca.path("ec.pem"),
              "--tls-key", self.ca.path("ec.key")], "--tls-port"),
        )
        for options, says in cases:
            result = harness.run_server_command(["--port", "0", *options]
                                                if "--port" not in options else options)
            self.assertEqual(2, result.returncode, (options, result.stderr))
            self.assertIn(says, result.stderr)
            self.assertEqual(1, len(result.stderr.strip().splitlines()), result.stderr)


class TlsReload(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ca = tls_fixture.for_class(cls)

    def setUp(self):
        self.cert, self.key = self.ca.path("live.pem"), self.ca.path("live.key")
        shutil.copyfile(self.ca.path("ec.pem"), self.cert)
        shutil.copyfile(self.ca.path("ec.key"), self.key)
        self.context = self.ca.client_context()
        self.server = harness.launch(self, "--rate", 50,
                                     *self.ca.server_options(cert=self.cert, key=self.key))

    def common_name(self):
        with tls_fixture.tls_connect(self.server.tls_port, self.context) as sock:
            return tls_fixture.peer_common_name(sock)

    def test_sighup_with_a_good_pair_serves_the_new_certificate(self):
        async def run():
            url = f"wss://localhost:{self.server.tls_port}/levels"
            async with harness.websockets.connect(url, ssl=self.context) as ws:
                await harness.recv_snapshot(ws)
                shutil.copyfile(self.ca.path("ec2.pem"), self.cert)
                shutil.copyfile(self.ca.path("ec2.key"), self.key)
                self.server.send_signal(signal.SIGHUP)
                await harness.async_poll_until(lambda: self.common_name() == "levelcast-2", 5,
                                               "the reloaded certificate")
                for _ in range(5):  # the connection made before the reload is untouched
                    await harness.recv_snapshot(ws)
        asyncio.run(run())
        self.assertIsNone(self.server.proc.poll())

    def test_sighup_with_a_bad_pair_keeps_the_old(self):
        shutil.copyfile(self.ca.path("rsa.key"), self.key)  # no longer matches the certificate
        self.server.send_signal(signal.SIGHUP)
        harness.poll_until(lambda: "not reloaded" in self.server._captured("stderr"), 5,
                           "the reload failure in the log")
        self.assertIn("does not match", self.server._captured("stderr"))
        self.assertEqual("levelcast", self.common_name())
        self.assertIsNone(self.server.proc.poll())


def read_ws_frame(sock, buffer, deadline):
    """One server frame (unmasked, payload < 64 KiB) from a TLS socket: (opcode, payload)."""
    def need(n):
        while len(buffer) < n:
            sock.settimeout(deadline.left())
            chunk = sock.recv(65536)
            if not chunk:
                raise AssertionError("connection closed")
            buffer.extend(chunk)
    need(2)
    length, start = buffer[1] & 0x7F, 2
    if length == 126:
        need(4)
        length, start = struct.unpack_from(">H", buffer, 2)[0], 4
    need(start + length)
    opcode, payload = buffer[0] & 0x0F, bytes(buffer[start:start + length])
    del buffer[:start + length]
    return opcode, payload


class TlsSlowSubscriber(unittest.TestCase):
    """A TLS subscriber that stops reading is queued like a plain one (plaintext references,
    latest value wins) while others keep every snapshot; when it reads again it reaches the
    newest ones over the same TLS stream."""

    @classmethod
    def setUpClass(cls):
        cls.ca = tls_fixture.for_class(cls)
        cls.server = harness.launch(cls, "--rate", 1000, "--subscriber-sndbuf", 4096,
                                    "--max-queued-frames", 4, *cls.ca.server_options("ec"))
        cls.context = cls.ca.client_context()

    def test_stalled_tls_subscriber_drops_old_frames_and_catches_up(self):
        before = scrape_tls(self.server, self.context)["levelcast_messages_dropped_total"]
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.settimeout(5)
        raw.connect(("127.0.0.1", self.server.tls_port))
        slow = self.context.wrap_socket(raw, server_hostname="localhost")
        self.addCleanup(slow.close)
        slow.sendall(rawclient.upgrade_request(self.server.tls_port, "/levels", rawclient.new_key()))
        buffer = bytearray()
        while b"\r\n\r\n" not in buffer:
            buffer.extend(slow.recv(4096))
        self.assertTrue(buffer.startswith(b"HTTP/1.1 101"), buffer[:40])
        del buffer[:buffer.index(b"\r\n\r\n") + 4]

        async def watch_a_fast_one():
            url = f"wss://localhost:{self.server.tls_port}/levels"
            async with harness.websockets.connect(url, ssl=self.context) as ws:
                seqs = []
                await harness.async_poll_until(
                    lambda: scrape_tls(self.server, self.context)["levelcast_messages_dropped_total"] > before,
                    15, "frames dropped for the stalled TLS subscriber")
                # While the metrics were polled (blocking this loop) this one was not read
                # either and may have had its own frames dropped: what counts is a run of 50
                # consecutive snapshots once it reads again, while the slow one stays stalled.
                for _ in range(2000):
                    seq = json.loads((await harness.recv_snapshot(ws))[0])["seq"]
                    seqs = seqs + [seq] if seqs and seq == seqs[-1] + 1 else [seq]
                    if len(seqs) == 50:
                        break
                return seqs
        fast = asyncio.run(watch_a_fast_one())
        self.assertEqual(list(range(fast[0], fast[0] + 50)), fast)

        deadline = harness.Deadline(15, "the stalled TLS subscriber to catch up")
        for _ in range(100_000):
            opcode, payload = read_ws_frame(slow, buffer, deadline)
            if opcode == 1 and json.loads(payload)["seq"] >= fast[-1]:
                break
        else:
            self.fail("never caught up")
        self.assertIsNone(self.server.proc.poll())


def client_hello(context):
    """The first flight of a TLS client made with `context`: one ClientHello record."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):
        client.do_handshake()
    return outgoing.read()


def read_first_bytes(sockets, timeout):
    """For each non-blocking socket, what it received before its first EOF or reset (at least
    one read's worth); waits until every socket has either, within `timeout`."""
    received = {sock: b"" for sock in sockets}
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            selector.register(sock, selectors.EVENT_READ)
        deadline = harness.Deadline(timeout, f"{len(sockets)} sockets to be answered or closed")
        while selector.get_map():
            for key, _ in selector.select(timeout=max(0.0, deadline.left())):
                try:
                    chunk = key.fileobj.recv(4096)
                except ConnectionResetError:
                    chunk = b""
                received[key.fileobj] += chunk
                selector.unregister(key.fileobj)
            deadline.check()
    return [received[sock] for sock in sockets]


class TlsBadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ca = tls_fixture.for_class(cls)
        cls.server = harness.launch(cls, "--handshake-timeout", 1, *cls.ca.server_options("ec"))
        cls.context = cls.ca.client_context()

    def raw(self):
        sock = socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=5)
        self.addCleanup(sock.close)
        return sock

    def assert_closed(self, sock, timeout=5.0):
        """The server ends the connection (EOF or reset) within `timeout`; returns what it sent."""
        sock.settimeout(timeout)
        received = b""
        try:
            while chunk := sock.recv(4096):
                received += chunk
        except ConnectionResetError:
            pass
        return received

    def assert_still_serving(self):
        status, _, _, _ = tls_fixture.https_get(self.server.tls_port, self.context, "/healthz")
        self.assertIn("200", status)
        self.assertIsNone(self.server.proc.poll())

    def test_plain_http_on_the_tls_port_gets_a_plain_400(self):
        sock = self.raw()
        sock.sendall(b"GET /levels HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = self.assert_closed(sock)
        self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:80])
        self.assertIn(b"TLS port", reply)
        self.assert_still_serving()

    def test_old_protocol_and_garbage_are_refused(self):
        legacy = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        legacy.check_hostname = False
        legacy.verify_mode = ssl.CERT_NONE
        legacy.set_ciphers("ALL:@SECLEVEL=0")
        with warnings.catch_warnings():  # deprecated on purpose: the server must refuse them
            warnings.simplefilter("ignore", DeprecationWarning)
            legacy.minimum_version = ssl.TLSVersion.TLSv1
            legacy.maximum_version = ssl.TLSVersion.TLSv1_1
        with self.assertRaises((ssl.SSLError, ConnectionResetError)):
            tls_fixture.tls_connect(self.server.tls_port, legacy).close()
        sock = self.raw()
        sock.sendall(bytes(range(256)) * 4)
        self.assert_closed(sock)
        # An SSLv3 record carrying a TLS 1.0 ClientHello that offers one old cipher suite.
        body = b"\x03\x01" + bytes(32) + b"\x00" + b"\x00\x02\x00\x2f" + b"\x01\x00"
        hello = b"\x01" + len(body).to_bytes(3, "big") + body
        sock = self.raw()
        sock.sendall(b"\x16\x03\x00" + len(hello).to_bytes(2, "big") + hello)
        self.assert_closed(sock)
        self.assertGreaterEqual(scrape_tls(self.server, self.context)["levelcast_tls_handshake_failures_total"], 3)
        self.assert_still_serving()

    def test_a_stalled_handshake_is_closed_by_the_handshake_timeout(self):
        sock = self.raw()
        sock.sendall(b"\x16\x03\x01\x02")  # a record header, never finished
        self.assert_closed(sock, timeout=10)
        self.assert_still_serving()

    def test_a_reset_mid_record_is_cheap(self):
        for _ in range(20):
            tls = tls_fixture.tls_connect(self.server.tls_port, self.context)
            tls.sendall(b"GET /levels HTTP/1.1\r\n")
            # Behind OpenSSL's back on the same socket: half an application data record, then RST.
            raw = socket.socket(fileno=os.dup(tls.fileno()))
            raw.sendall(b"\x17\x03\x03\x40\x00" + bytes(100))
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raw.close()
            tls.close()
        self.assert_still_serving()


class TlsHandshakeBurst(unittest.TestCase):
    """A burst of ClientHellos (one recorded hello, replayed: the client costs nothing) queues
    up behind the worker's few handshake steps per turn for longer than a 0.1 s
    --handshake-timeout. Waiting for the worker is not the client being late: every one gets
    its ServerHello; then the silent clients are timed out."""

    @classmethod
    def setUpClass(cls):
        cls.ca = tls_fixture.for_class(cls)
        cls.server = harness.launch(cls, "--handshake-timeout", 0.1, "--workers", 1, *cls.ca.server_options("ec"))
        cls.context = cls.ca.client_context()

    def test_every_hello_is_answered_however_long_it_waited_for_the_worker(self):
        hello = client_hello(self.context)
        sockets = []
        for _ in range(1000):
            sock = socket.create_connection(("127.0.0.1", self.server.tls_port), timeout=5)
            self.addCleanup(sock.close)
            sock.sendall(hello)
            sock.setblocking(False)
            sockets.append(sock)
        first_bytes = read_first_bytes(sockets, timeout=45)
        unanswered = sum(1 for b in first_bytes if not b.startswith(b"\x16"))
        self.assertEqual(0, unanswered, f"{unanswered} of 1000 closed before a ServerHello")
        status, _, _, _ = tls_fixture.https_get(self.server.tls_port, self.context, "/healthz")
        self.assertIn("200", status)


if __name__ == "__main__":
    harness.main()
