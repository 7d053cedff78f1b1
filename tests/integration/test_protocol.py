"""RFC 6455 conduct on /echo, driven byte by byte with a raw client.

A frame that breaks the protocol must end the connection: with a close frame
carrying the RFC's code, or (the RFC allows it) by dropping TCP. It must never
be echoed, and the server must stay up.
"""

import struct
import unittest

import harness
import rawclient
from rawclient import OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT

DROPPED = "dropped"

# (name, frames as send_frame keyword arguments, acceptable close codes)
VIOLATIONS = [
    ("unmasked frame", [dict(opcode=OP_TEXT, payload=b"hi", masked=False)], {1002}),
    ("reserved bit without an extension", [dict(opcode=OP_TEXT, payload=b"hi", rsv=4)], {1002}),
    ("reserved opcode", [dict(opcode=0x3, payload=b"hi")], {1002}),
    ("continuation with nothing to continue", [dict(opcode=OP_CONT, payload=b"hi")], {1002}),
    ("fragmented ping", [dict(opcode=OP_PING, payload=b"hi", fin=False)], {1002}),
    ("ping payload over 125 bytes", [dict(opcode=OP_PING, payload=b"p" * 126)], {1002}),
    ("new message inside a fragmented one",
     [dict(opcode=OP_TEXT, payload=b"a", fin=False), dict(opcode=OP_TEXT, payload=b"b")],
     {1002}),
    ("text that is not UTF-8", [dict(opcode=OP_TEXT, payload=b"\xc3\x28")], {1007}),
    ("message over 1 MiB", [dict(opcode=OP_BINARY, payload=bytes(harness.MAX_MESSAGE + 1))], {1009}),
]


def ending(ws):
    """How the server answered a violation: its close code, DROPPED, or what went wrong."""
    try:
        _, opcode, payload = ws.recv_frame(timeout=5)
    except TimeoutError:
        return "no answer within 5 s"
    except (ConnectionError, OSError):
        return DROPPED
    if opcode != OP_CLOSE:
        return f"a frame with opcode {opcode:#x} instead of a close"
    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else "a close without a code"


class Protocol(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls, "--close-timeout", 30)

    def echo_socket(self):
        return rawclient.RawWebSocket(self.server.port, "/echo")

    def test_violations_end_the_connection(self):
        for name, frames, codes in VIOLATIONS:
            with self.subTest(name):
                with self.echo_socket() as ws:
                    try:
                        for frame in frames:
                            ws.send_frame(**frame)
                    except (ConnectionError, OSError):
                        pass  # the server may drop us while a large frame is going out
                    self.assertIn(ending(ws), codes | {DROPPED})
                response = rawclient.http_request(self.server.port, "/healthz")
                self.assertEqual(200, response.status)

    def test_ping_gets_pong_with_the_same_payload(self):
        with self.echo_socket() as ws:
            ws.send_frame(OP_PING, b"payload")
            self.assertEqual((True, OP_PONG, b"payload"), ws.recv_frame())

    def test_ping_between_fragments_is_answered_and_message_kept(self):
        with self.echo_socket() as ws:
            ws.send_frame(OP_BINARY, b"one,", fin=False)
            ws.send_frame(OP_PING, b"mid")
            ws.send_frame(OP_CONT, b"two", fin=True)
            first = ws.recv_frame()
            self.assertEqual((True, OP_PONG, b"mid"), first)
            self.assertEqual((True, OP_BINARY, b"one,two"), ws.recv_frame())

    def test_close_is_answered_with_the_same_code(self):
        for path in ("/echo", "/levels"):
            with self.subTest(path), rawclient.RawWebSocket(self.server.port, path) as ws:
                ws.send_frame(OP_CLOSE, struct.pack("!H", 1000) + b"done")
                self.assertEqual(1000, ws.recv_close())

    def test_server_closes_tcp_after_the_closing_handshake(self):
        # The client keeps its socket open and never sends FIN: the server must still close the
        # connection, at once (RFC 6455 7.1.1), not after its --close-timeout of 30 s.
        with self.echo_socket() as ws:
            ws.send_frame(OP_CLOSE, struct.pack("!H", 1000))
            self.assertEqual(1000, ws.recv_close())
            ws.sock.settimeout(5)
            self.assertEqual(b"", ws.sock.recv(1))  # EOF, not a reset
            rawclient.scrape_until(self.server.port,
                                   lambda m: m["levelcast_connections"] <= 1, 5,
                                   "the server to drop the closed connection")

    def test_ping_on_levels_is_answered_between_snapshots(self):
        with rawclient.RawWebSocket(self.server.port, "/levels") as ws:
            ws.send_frame(OP_PING, b"levels?")
            for _ in range(50):
                frame = ws.recv_frame()
                if frame[1] != OP_TEXT:
                    break
            self.assertEqual((True, OP_PONG, b"levels?"), frame)


if __name__ == "__main__":
    harness.main()
