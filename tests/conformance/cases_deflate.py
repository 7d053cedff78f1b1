"""Group 12: permessage-deflate (RFC 7692), on the "deflate" server (--deflate).

12.1 negotiation: an acceptable offer is answered with server_no_context_takeover and
client_no_context_takeover and never with a client_max_window_bits the client did not offer;
a bad offer is answered without the extension, and the next acceptable offer is taken.
12.2 compressed echo of every size class, fragmented compressed messages, uncompressed ones
on the same connection. 12.3 what must fail: a deflate bomb (1009 before it is inflated
whole), RSV1 on a control or continuation frame (1002), corrupt data (1007), RSV1 without
the extension (1002). 12.4 /levels: snapshots arrive compressed (RSV1) and inflate to JSON.
"""
import json
import zlib

from case import Case, Fail, Send, closes, cont, echo, read_message, reply_deadline, ws_case
from wire import BINARY, TEXT, Conn, accept_key, default_headers, frame, new_key, request_bytes

ECHO_LIMIT = 1048576


def deflate(payload):
    """Raw deflate, sync flush, the 00 00 ff ff tail removed (RFC 7692 7.2.1)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = c.compress(payload) + c.flush(zlib.Z_SYNC_FLUSH)
    assert data.endswith(b"\x00\x00\xff\xff")
    return data[:-4]


def inflate(payload):
    d = zlib.decompressobj(-15)
    return d.decompress(payload + b"\x00\x00\xff\xff")


def upgrade(info, route, offer):
    """(conn, the Sec-WebSocket-Extensions answer) after upgrading with `offer`."""
    conn = Conn.connect((info.host, info.port))
    key = new_key()
    headers = default_headers(f"{info.host}:{info.port}", key)
    if offer is not None:
        headers.append(("Sec-WebSocket-Extensions", offer))
    conn.send(request_bytes(route, headers))
    response = conn.read_response(reply_deadline())
    if response.status != 101 or response.header("Sec-WebSocket-Accept") != accept_key(key):
        conn.close()
        raise Fail(f"got handshake status {response.status}")
    conn.route = route
    answer = response.header("Sec-WebSocket-Extensions")
    conn.deflate = answer.startswith("permessage-deflate")
    return conn, answer


def negotiation_case(case_id, title, offer, accepted, forbidden=()):
    def run(env):
        conn, answer = upgrade(env.server("deflate"), "/echo", offer)
        conn.close()
        if not accepted:
            if answer:
                raise Fail(f"got the answer {answer!r}")
            return
        params = [p.strip() for p in answer.split(";")]
        if params[0] != "permessage-deflate":
            raise Fail(f"got the answer {answer!r}")
        for needed in ("server_no_context_takeover", "client_no_context_takeover"):
            if needed not in params:
                raise Fail(f"got {answer!r} without {needed}")
        for name in forbidden:
            if any(p.split("=")[0] == name for p in params):
                raise Fail(f"got {answer!r}, which names {name}")
    outcome = "accepted" if accepted else "answered without the extension"
    return Case(case_id, f"{title} -> {outcome}", run, "deflate")


class SendCompressed:
    label = None

    def __init__(self, opcode, payload, fragments=1):
        self.opcode, self.payload, self.fragments = opcode, payload, fragments

    def __call__(self, conn, info):
        data = deflate(self.payload)
        if self.fragments == 1:
            conn.send(frame(self.opcode, data, rsv=4))
            return
        step = max(1, -(-len(data) // self.fragments))
        pieces = [data[i:i + step] for i in range(0, len(data), step)] or [b""]
        out = [frame(self.opcode, pieces[0], rsv=4, fin=len(pieces) == 1)]
        out += [cont(p, fin=i == len(pieces) - 1) for i, p in enumerate(pieces[1:], 1)]
        conn.send(b"".join(out))


def deflate_ws_case(case_id, title, *steps, route="/echo"):
    steps = [Send(s) if isinstance(s, (bytes, bytearray)) else s for s in steps]
    label = steps[-1].label

    def run(env):
        info = env.server("deflate")
        conn, answer = upgrade(info, route, "permessage-deflate; client_max_window_bits")
        try:
            if not conn.deflate:
                raise Fail(f"got no permessage-deflate answer ({answer!r})")
            for step in steps:
                step(conn, info)
        finally:
            conn.close()

    return Case(case_id, f"{title} -> {label}", run, "deflate")


class ExpectCompressedSnapshots:
    label = "compressed JSON snapshots in order"

    def __call__(self, conn, info):
        seqs, compressed = [], 0
        deadline = reply_deadline()
        while len(seqs) < 5:
            opcode, payload, first = read_message(conn, deadline, keep=(TEXT,))
            if opcode != TEXT:
                raise Fail(f"got {first.describe()}")
            if first.rsv & 4:
                compressed += 1
                payload = inflate(payload)
            seqs.append(json.loads(payload)["seq"])
        if compressed == 0:
            raise Fail("got no compressed snapshot")
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            raise Fail(f"got seqs {seqs}")


def bomb():
    """A frame of a few KiB that inflates to more than the 1 MiB /echo limit."""
    return SendCompressed(BINARY, b"\0" * (ECHO_LIMIT + 4096))


SIZES = (0, 1, 125, 126, 65535, 65536, ECHO_LIMIT - 1)

CASES = [
    negotiation_case("12.1.1", "plain offer", "permessage-deflate", True),
    negotiation_case("12.1.2", "offer with client_max_window_bits (no value)",
                     "permessage-deflate; client_max_window_bits", True,
                     forbidden=("client_max_window_bits",)),
    negotiation_case("12.1.3", "offer with server_max_window_bits=10",
                     "permessage-deflate; server_max_window_bits=10", True),
    negotiation_case("12.1.4", "offer with both no_context_takeover parameters",
                     "permessage-deflate; client_no_context_takeover; server_no_context_takeover", True),
    negotiation_case("12.1.5", "unknown parameter", "permessage-deflate; foo=1", False),
    negotiation_case("12.1.6", "server_max_window_bits=7", "permessage-deflate; server_max_window_bits=7", False),
    negotiation_case("12.1.7", "server_max_window_bits without a value",
                     "permessage-deflate; server_max_window_bits", False),
    negotiation_case("12.1.8", "a parameter twice",
                     "permessage-deflate; client_no_context_takeover; client_no_context_takeover", False),
    negotiation_case("12.1.9", "a bad offer, then a good one", "permessage-deflate; x, permessage-deflate", True),
    negotiation_case("12.1.10", "unknown extension only", "x-webkit-deflate-frame", False),
]
CASES += [deflate_ws_case(f"12.2.{i + 1}", f"compressed text of {n} bytes",
                          SendCompressed(TEXT, b"a" * n), echo(TEXT, b"a" * n))
          for i, n in enumerate(SIZES)]
CASES += [
    deflate_ws_case("12.2.8", "compressed binary of 64 KiB random-ish bytes",
                    SendCompressed(BINARY, bytes(range(256)) * 256), echo(BINARY, bytes(range(256)) * 256)),
    deflate_ws_case("12.2.9", "compressed text in 5 fragments",
                    SendCompressed(TEXT, "héllo wörld ".encode() * 500, fragments=5),
                    echo(TEXT, "héllo wörld ".encode() * 500)),
    deflate_ws_case("12.2.10", "uncompressed text on a deflate connection",
                    frame(TEXT, b"plain"), echo(TEXT, b"plain")),
    deflate_ws_case("12.2.11", "compressed, plain, compressed in one write",
                    SendCompressed(TEXT, b"one"), frame(TEXT, b"two"), SendCompressed(TEXT, b"three"),
                    echo(TEXT, b"one"), echo(TEXT, b"two"), echo(TEXT, b"three")),
    deflate_ws_case("12.3.1", "deflate bomb past the 1 MiB limit", bomb(), closes(1009)),
    deflate_ws_case("12.3.2", "RSV1 on a ping", frame(0x9, b"x", rsv=4), closes(1002)),
    deflate_ws_case("12.3.3", "RSV1 on a continuation frame",
                    frame(TEXT, deflate(b"ab"), rsv=4, fin=False), cont(b"x", rsv=4), closes(1002)),
    deflate_ws_case("12.3.4", "corrupt compressed data", frame(BINARY, b"\xff\xff\xff\xff", rsv=4),
                    closes(1007)),
    deflate_ws_case("12.3.5", "compressed text that inflates to invalid UTF-8",
                    SendCompressed(TEXT, b"\xff\xfe"), closes(1007)),
    deflate_ws_case("12.3.6", "RSV2 on a deflate connection", frame(TEXT, b"x", rsv=2), closes(1002)),
    ws_case("12.3.7", "RSV1 where the extension was not negotiated", frame(TEXT, deflate(b"x"), rsv=4),
            closes(1002), server="deflate"),
    deflate_ws_case("12.4.1", "/levels on a deflate connection", ExpectCompressedSnapshots(), route="/levels"),
]
