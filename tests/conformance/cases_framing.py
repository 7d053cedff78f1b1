"""Groups 1-4: framing, pings and pongs, reserved bits, opcodes (RFC 6455 5.2-5.5).

1 payload lengths in every encoding, masking, 64-bit lengths with the top bit set;
2 control frames ping/pong; 3 RSV bits without an extension; 4 reserved opcodes.
"""
import os

from case import (Fail, ExpectOpen, ExpectPong, binary, chopped, closes, cont,
                  echo, next_frame, reply_deadline, text, ws_case)
from wire import BINARY, CLOSE, PING, PONG, TEXT, close_payload, frame

SIZES = (0, 125, 126, 127, 128, 65535, 65536)


def pattern(n):
    return bytes(i % 251 for i in range(n))


def size_cases(group, opcode, name, make):
    cases = [ws_case(f"{group}.{i}", f"{name} message of {n} bytes", frame(opcode, make(n)),
                     echo(opcode, make(n))) for i, n in enumerate(SIZES, 1)]
    cases.append(ws_case(f"{group}.8", f"{name} message of 65536 bytes in 997-byte writes",
                         chopped(frame(opcode, make(65536)), 997), echo(opcode, make(65536))))
    return cases


class ExpectPongs:
    """Pongs for pings sent with `payloads`: RFC 6455 5.5.3 lets a server skip all
    but the most recent ping, so pongs must come in order and end with the last."""
    label = "pongs in order"

    def __init__(self, payloads):
        self.payloads = payloads

    def __call__(self, conn, info):
        deadline, at = reply_deadline(), 0
        while at < len(self.payloads):
            f = next_frame(conn, deadline, keep=(PONG,))
            if f.opcode != PONG:
                raise Fail(f"got {f.describe()}")
            if f.payload not in self.payloads[at:]:
                raise Fail(f"got pong {f.payload!r} out of order")
            at = self.payloads.index(f.payload, at) + 1


def framing_cases():
    big = pattern(70000)
    big_frame = binary(big)
    return size_cases("1.1", TEXT, "text", lambda n: b"*" * n) + size_cases(
        "1.2", BINARY, "binary", pattern) + [
        ws_case("1.3.1", "length 0 in the 16-bit form (non-minimal)",
                text(b"", width=16), echo(TEXT, b"")),
        ws_case("1.3.2", "length 5 in the 16-bit form (non-minimal)",
                text(b"hello", width=16), echo(TEXT, b"hello")),
        ws_case("1.3.3", "length 5 in the 64-bit form (non-minimal)",
                text(b"hello", width=64), echo(TEXT, b"hello")),
        ws_case("1.3.4", "length 300 in the 64-bit form (non-minimal)",
                binary(pattern(300), width=64), echo(BINARY, pattern(300))),
        ws_case("1.3.5", "300-byte frame sent byte by byte", chopped(binary(pattern(300))),
                echo(BINARY, pattern(300))),
        ws_case("1.3.6", "70000-byte frame with its 14-byte header sent byte by byte",
                chopped(big_frame[:14]), big_frame[14:], echo(BINARY, big)),
        ws_case("1.3.7", "two frames in one write", text(b"one") + text(b"two"),
                echo(TEXT, b"one"), echo(TEXT, b"two")),
        ws_case("1.3.8", "all-zero masking key", text(b"zero key", key=b"\0\0\0\0"),
                echo(TEXT, b"zero key")),
        ws_case("1.4.1", "unmasked text frame", text(b"hello", masked=False), closes(1002)),
        ws_case("1.4.2", "unmasked binary frame", binary(b"\1\2", masked=False), closes(1002)),
        ws_case("1.4.3", "unmasked empty text frame", text(b"", masked=False), closes(1002)),
        ws_case("1.4.4", "unmasked ping", frame(PING, b"p", masked=False), closes(1002)),
        ws_case("1.4.5", "unmasked close", frame(CLOSE, close_payload(1000), masked=False),
                closes(1002)),
        ws_case("1.4.6", "unmasked continuation after a masked start",
                text(b"a", fin=False), cont(b"b", masked=False), closes(1002)),
        ws_case("1.4.7", "unmasked ping on /levels", frame(PING, b"p", masked=False),
                closes(1002), route="/levels"),
        ws_case("1.5.1", "text declaring 2^63 bytes (top bit set)",
                text(b"", length=1 << 63, width=64), closes(1002)),
        ws_case("1.5.2", "binary declaring 2^64-1 bytes", binary(b"", length=(1 << 64) - 1,
                                                                 width=64), closes(1002)),
        ws_case("1.5.3", "continuation declaring 2^63+5 bytes", text(b"a", fin=False),
                cont(b"", length=(1 << 63) + 5, width=64), closes(1002)),
    ]


def ping_cases():
    pings = [os.urandom(8) for _ in range(10)]
    ping_train = b"".join(frame(PING, p) for p in pings)
    bad_utf8 = b"\xff\xfe\xc0\xaf"
    return [
        ws_case("2.1", "ping without payload", frame(PING), ExpectPong(b"")),
        ws_case("2.2", "ping with a text payload", frame(PING, b"Hello, world!"),
                ExpectPong(b"Hello, world!")),
        ws_case("2.3", "ping with a binary payload", frame(PING, b"\0\1\2\3\xfe\xff"),
                ExpectPong(b"\0\1\2\3\xfe\xff")),
        ws_case("2.4", "ping with a 125-byte payload", frame(PING, pattern(125)),
                ExpectPong(pattern(125))),
        ws_case("2.5", "ping with a 126-byte payload", frame(PING, pattern(126)), closes(1002)),
        ws_case("2.6", "125-byte ping sent byte by byte", chopped(frame(PING, pattern(125))),
                ExpectPong(pattern(125))),
        ws_case("2.7", "unsolicited empty pong is ignored", frame(PONG), ExpectOpen()),
        ws_case("2.8", "unsolicited pong with payload is ignored", frame(PONG, b"unasked"),
                ExpectOpen()),
        ws_case("2.9", "unsolicited pong then ping", frame(PONG, b"x") + frame(PING, b"y"),
                ExpectPong(b"y")),
        ws_case("2.10", "ten pings in one write", ping_train, ExpectPongs(pings)),
        ws_case("2.11", "ten pings sent byte by byte", chopped(ping_train), ExpectPongs(pings)),
        ws_case("2.12", "ping on /levels among snapshots", frame(PING, b"lv"),
                ExpectPong(b"lv"), route="/levels"),
        ws_case("2.13", "pong with a 126-byte payload", frame(PONG, pattern(126)), closes(1002)),
        ws_case("2.14", "ping payload is not UTF-8 checked", frame(PING, bad_utf8),
                ExpectPong(bad_utf8)),
    ]


def rsv_cases():
    rsv1, rsv2, rsv3 = 4, 2, 1
    return [
        ws_case("3.1", "RSV1 on a text frame", text(b"rsv", rsv=rsv1), closes(1002)),
        ws_case("3.2", "RSV2 on a text frame after a valid one", text(b"ok"),
                echo(TEXT, b"ok"), text(b"rsv", rsv=rsv2), closes(1002)),
        ws_case("3.3", "RSV3 on a text frame in the same write as a valid one",
                text(b"ok") + text(b"rsv", rsv=rsv3), echo(TEXT, b"ok"), closes(1002)),
        ws_case("3.4", "RSV1+RSV3 on a text frame sent byte by byte",
                chopped(text(b"rsv", rsv=rsv1 | rsv3)), closes(1002)),
        ws_case("3.5", "RSV1+RSV2 on a binary frame", binary(b"\0\1", rsv=rsv1 | rsv2),
                closes(1002)),
        ws_case("3.6", "all RSV bits on a ping", frame(PING, b"p", rsv=7), closes(1002)),
        ws_case("3.7", "all RSV bits on a close", frame(CLOSE, close_payload(1000), rsv=7),
                closes(1002)),
        ws_case("3.8", "RSV1 on a continuation frame", text(b"a", fin=False),
                cont(b"b", rsv=rsv1), closes(1002)),
        ws_case("3.9", "RSV2 on a pong", frame(PONG, b"p", rsv=rsv2), closes(1002)),
        ws_case("3.10", "RSV1 on a ping on /levels", frame(PING, b"p", rsv=rsv1), closes(1002),
                route="/levels"),
    ]


def opcode_cases():
    cases = []
    for sub, opcodes in (("4.1", (3, 4, 5, 6, 7)), ("4.2", (11, 12, 13, 14, 15))):
        for i, op in enumerate(opcodes, 1):
            kind = "data" if op < 8 else "control"
            if i % 2:
                steps = (frame(op, b"reserved" if i > 1 else b""), closes(1002))
                where = ""
            else:
                steps = (text(b"ok"), echo(TEXT, b"ok"), frame(op, b"reserved"), closes(1002))
                where = " after a valid message"
            cases.append(ws_case(f"{sub}.{i}", f"reserved {kind} opcode {op}{where}", *steps))
    return cases + [
        ws_case("4.3.1", "reserved opcode 3 inside a fragmented message",
                text(b"a", fin=False), frame(3, b"b"), closes(1002)),
        ws_case("4.3.2", "reserved opcode 7 with fin=0", frame(7, b"x", fin=False),
                closes(1002)),
        ws_case("4.3.3", "reserved opcode 11 on /levels", frame(11), closes(1002),
                route="/levels"),
    ]


CASES = framing_cases() + ping_cases() + rsv_cases() + opcode_cases()
