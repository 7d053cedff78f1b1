"""Groups 9 and 10: message size limits, the /levels route, ordering.

9: a message longer than --max-message after reassembly (1 MiB on /echo, 4096 bytes on
/levels) is closed with 1009 as soon as a frame header declares too much, before its
payload is sent. 10: /levels pushes UTF-8 JSON snapshots with increasing `seq` to every
subscriber; many messages in one write are answered in order.
"""
import json

from case import (Case, ExpectOpen, Fail, binary, chopped, closes, cont, echo, open_ws,
                  read_message, reply_deadline, text, ws_case)
from wire import BINARY, PING, PONG, TEXT, frame

ECHO_LIMIT = 1048576
LEVELS_LIMIT = 4096
SNAPSHOTS = 5


def declares(make, n, **kw):
    """Only the header (and mask key) of a frame declaring n payload bytes."""
    return make(b"", length=n, **kw)


def parts(n, size, first=0, span=256):
    """n chunks of `size` equal bytes; printable ASCII with first=0x20, span=95."""
    return [bytes([first + i % span]) * size for i in range(n)]


def fragmented(make, chunks, finished=True):
    last = len(chunks) - 1
    return b"".join(make(c, fin=False) if i == 0 else cont(c, fin=finished and i == last)
                    for i, c in enumerate(chunks))


class ExpectReplies:
    """Replies in this exact order: (opcode, payload) for echoes and pongs."""
    label = "all answered in order"

    def __init__(self, replies):
        self.replies = replies

    def __call__(self, conn, info):
        deadline = reply_deadline()
        for i, (want_op, want_payload) in enumerate(self.replies):
            opcode, payload, first = read_message(conn, deadline, keep=(PONG,))
            if (opcode, payload) != (want_op, want_payload):
                raise Fail(f"got {first.describe()} as reply {i + 1}")


def read_snapshots(conn, count):
    seqs, deadline = [], reply_deadline()
    while len(seqs) < count:
        opcode, payload, first = read_message(conn, deadline, keep=(TEXT,))
        if opcode != TEXT:
            raise Fail(f"got {first.describe()}")
        try:
            doc = json.loads(payload.decode("utf-8"))
        except ValueError:
            raise Fail(f"got a snapshot that is not UTF-8 JSON: {payload[:40]!r}") from None
        if not isinstance(doc, dict) or doc.get("topic") != "synth" or not isinstance(
                doc.get("seq"), int):
            raise Fail(f"got snapshot {payload[:60]!r}")
        if seqs and doc["seq"] <= seqs[-1]:
            raise Fail(f"got seq {doc['seq']} after {seqs[-1]}")
        seqs.append(doc["seq"])


def snapshot_case(case_id, title, clients):
    def run(env):
        info = env.server("main")
        conns = []
        try:
            for _ in range(clients):
                conns.append(open_ws(info, "/levels"))
            for conn in conns:
                read_snapshots(conn, SNAPSHOTS)
        finally:
            for conn in conns:
                conn.close()

    return Case(case_id, f"{title} -> {SNAPSHOTS} snapshots each, seq increasing", run)


# /levels takes no data messages in practice: one within the limit may be dropped (a
# ping still gets its pong) or refused with 1003 (RFC 6455 7.4.1), never 1009.
OPEN_OR_1003 = ExpectOpen(also_ok=(1003,), label="open, or 1003 (not 1009)")
SIXTEEN = parts(16, 65536)
ASCII_KIB = parts(1024, 1024, first=0x20, span=95)
MIXED = [(TEXT, b"t%d" % i) if i % 3 == 0 else (BINARY, b"b%d" % i) if i % 3 == 1
         else (PONG, b"p%d" % i) for i in range(30)]

CASES = [
    ws_case("9.1.1", "text of exactly --max-message bytes", text(b"m" * ECHO_LIMIT),
            echo(TEXT, b"m" * ECHO_LIMIT)),
    ws_case("9.1.2", "binary of exactly --max-message bytes in 16 fragments",
            fragmented(binary, SIXTEEN), echo(BINARY, b"".join(SIXTEEN))),
    ws_case("9.1.3", "text header declaring max+1 bytes, no payload",
            declares(text, ECHO_LIMIT + 1), closes(1009)),
    ws_case("9.1.4", "binary header declaring max+1 bytes, no payload",
            declares(binary, ECHO_LIMIT + 1), closes(1009)),
    ws_case("9.1.5", "binary header declaring 2^62 bytes", declares(binary, 1 << 62),
            closes(1009)),
    ws_case("9.1.6", "16 x 64 KiB fragments, then a header declaring 1 more byte",
            fragmented(binary, SIXTEEN, finished=False), declares(cont, 1), closes(1009)),
    ws_case("9.1.7", "small fragment, then a continuation declaring 2^32 bytes",
            binary(b"abc", fin=False), declares(cont, 1 << 32, fin=False), closes(1009)),
    ws_case("9.2.1", "/levels: binary header declaring 4097 bytes",
            declares(binary, LEVELS_LIMIT + 1), closes(1009), route="/levels"),
    ws_case("9.2.2", "/levels: text header declaring 4097 bytes",
            declares(text, LEVELS_LIMIT + 1), closes(1009), route="/levels"),
    ws_case("9.2.3", "/levels: 4096-byte fragment, then a header declaring 1 more",
            binary(b"l" * LEVELS_LIMIT, fin=False), declares(cont, 1), closes(1009),
            route="/levels"),
    ws_case("9.2.4", "/levels: binary of exactly 4096 bytes", binary(b"l" * LEVELS_LIMIT),
            OPEN_OR_1003, route="/levels"),
    ws_case("9.3.1", "1 MiB text in 1 KiB fragments", fragmented(text, ASCII_KIB),
            echo(TEXT, b"".join(ASCII_KIB))),
    ws_case("9.3.2", "1 MiB binary in 4093-byte writes",
            chopped(binary(b"w" * ECHO_LIMIT), 4093), echo(BINARY, b"w" * ECHO_LIMIT)),
    snapshot_case("10.1.1", "/levels pushes JSON snapshots", 1),
    snapshot_case("10.1.2", "/levels pushes to four subscribers at once", 4),
    ws_case("10.2.1", "100 text messages in one write",
            b"".join(text(b"m%d" % i) for i in range(100)),
            ExpectReplies([(TEXT, b"m%d" % i) for i in range(100)])),
    ws_case("10.2.2", "30 text, binary and ping frames in one write",
            b"".join(frame(PING if op == PONG else op, p) for op, p in MIXED),
            ExpectReplies(MIXED)),
]
