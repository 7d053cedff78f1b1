"""HTTP to the letter (issue 11 item 10): HEAD answers carry no body, a repeated
Sec-WebSocket-Key or -Version is 400, other HTTP versions get 505, control bytes in the target
400, and a TLS ClientHello or an HTTP/2 preface on the plain port is answered at once."""

import socket
import time
import unittest

import harness
import rawclient

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
# The start of a TLS 1.2 ClientHello record: handshake (22), version 3.1, then a length.
CLIENT_HELLO = bytes([0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03]) + bytes(32)
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def exchange(port, raw, timeout=10.0):
    """Send bytes, read until the server closes; (everything received, seconds it took)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    return data, time.monotonic() - started


def status_of(data):
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else None


def upgrade_lines(extra=""):
    return (f"GET /levels HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n").encode()


class HttpToTheLetter(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A long handshake timeout: an answer that waited for it would never come in time.
        cls.server = harness.launch(cls, "--handshake-timeout", 60, "--max-header-bytes", 256)

    def head_answer(self, raw):
        data, _ = exchange(self.server.port, raw)
        head, _, body = data.partition(b"\r\n\r\n")
        return status_of(data), head, body

    def test_head_answers_carry_no_body(self):
        cases = [(b"HEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404),
                 (b"HEAD /levels HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                 (b"HEAD /levels HTTP/1.1\r\nHost x\r\n\r\n", 400),
                 (b"HEAD /levels HTTP/1.1\r\nX: " + b"a" * 400 + b"\r\n\r\n", 431)]
        for raw, expected in cases:
            status, head, body = self.head_answer(raw)
            self.assertEqual(expected, status, raw[:40])
            self.assertIn(b"Content-Length:", head)
            self.assertEqual(b"", body, f"HEAD answered {status} with a body")

    def test_repeated_key_or_version_is_400(self):
        for extra in (f"Sec-WebSocket-Key: {KEY}\r\n", "Sec-WebSocket-Version: 13\r\n"):
            data, _ = exchange(self.server.port, upgrade_lines(extra))
            self.assertEqual(400, status_of(data), extra)
        self.assertEqual(101, rawclient.http_exchange(self.server.port, upgrade_lines()).status)

    def test_other_http_versions_get_505(self):
        for version in (b"HTTP/9.9", b"HTTP/2.0", b"HTTP/0.9"):
            data, _ = exchange(self.server.port, b"GET /topics " + version + b"\r\nHost: x\r\n\r\n")
            self.assertEqual(505, status_of(data), version)

    def test_control_bytes_in_the_target_are_400(self):
        for target in (b"/top\x01ics", b"/topics\x7f", b"/\x00"):
            data, _ = exchange(self.server.port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(400, status_of(data), target)

    def test_tls_and_http2_on_the_plain_port_are_answered_at_once(self):
        for raw, expected in ((CLIENT_HELLO, 400), (H2_PREFACE, 505)):
            data, took = exchange(self.server.port, raw, timeout=30)
            self.assertEqual(expected, status_of(data), raw[:8])
            # The handshake timeout is 60 s: an answer within the socket timeout came at once.
            self.assertLess(took, 30)


if __name__ == "__main__":
    harness.main()
