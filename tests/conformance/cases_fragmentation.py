"""Group 5: fragmentation (RFC 6455 5.4).

Control frames may come between fragments and are answered at once (the pong is
awaited before the message is finished); a continuation without a started message,
or a new data frame while one is open, fails the connection.
"""
from case import ExpectPong, binary, chopped, closes, cont, echo, text, ws_case
from wire import BINARY, PING, PONG, TEXT, frame

HELLO = b"fragment1" + b"fragment2"


def two_fragments(opcode, first=b"fragment1", second=b"fragment2"):
    return frame(opcode, first, fin=False) + cont(second)


def fragments(opcode, parts, between=b""):
    """A message in len(parts) frames with `between` after every non-final one."""
    out = []
    for i, part in enumerate(parts):
        out.append(frame(opcode if i == 0 else 0, part, fin=i == len(parts) - 1))
        if i < len(parts) - 1:
            out.append(between)
    return b"".join(out)


FIVE = [b"one ", b"two ", b"three ", b"four ", b"five"]

CASES = [
    ws_case("5.1", "ping in two fragments", frame(PING, b"a", fin=False) + cont(b"b"),
            closes(1002)),
    ws_case("5.2", "pong in two fragments", frame(PONG, b"a", fin=False) + cont(b"b"),
            closes(1002)),
    ws_case("5.3", "text in two fragments", two_fragments(TEXT), echo(TEXT, HELLO)),
    ws_case("5.4", "text in two fragments sent byte by byte", chopped(two_fragments(TEXT)),
            echo(TEXT, HELLO)),
    ws_case("5.5", "binary in two fragments in separate writes",
            binary(b"fragment1", fin=False), cont(b"fragment2"), echo(BINARY, HELLO)),
    ws_case("5.6", "ping between fragments is answered before the message ends",
            text(b"fragment1", fin=False) + frame(PING, b"mid"), ExpectPong(b"mid"),
            cont(b"fragment2"), echo(TEXT, HELLO)),
    ws_case("5.7", "ping between fragments, all sent byte by byte",
            chopped(text(b"fragment1", fin=False) + frame(PING, b"mid")), ExpectPong(b"mid"),
            chopped(cont(b"fragment2")), echo(TEXT, HELLO)),
    ws_case("5.8", "unsolicited pong between fragments", binary(b"fragment1", fin=False)
            + frame(PONG, b"x") + cont(b"fragment2"), echo(BINARY, HELLO)),
    ws_case("5.9", "continuation fin=1 without a started message", cont(b"orphan"),
            closes(1002)),
    ws_case("5.10", "continuation fin=0 without a started message", cont(b"orphan", fin=False),
            closes(1002)),
    ws_case("5.11", "continuation without start sent byte by byte", chopped(cont(b"orphan")),
            closes(1002)),
    ws_case("5.12", "continuation without start after a whole message", text(b"whole"),
            echo(TEXT, b"whole"), cont(b"orphan"), closes(1002)),
    ws_case("5.13", "text fin=0 then text fin=1", text(b"a", fin=False), text(b"b"),
            closes(1002)),
    ws_case("5.14", "text fin=0 then binary fin=1", text(b"a", fin=False), binary(b"b"),
            closes(1002)),
    ws_case("5.15", "binary fin=0 then text fin=0", binary(b"a", fin=False),
            text(b"b", fin=False), closes(1002)),
    ws_case("5.16", "message completed, then a stray final continuation",
            two_fragments(TEXT) + cont(b"stray"), echo(TEXT, HELLO), closes(1002)),
    ws_case("5.17", "text in five fragments with pings between",
            fragments(TEXT, FIVE, frame(PING, b"p")),
            echo(TEXT, b"".join(FIVE))),
    ws_case("5.18", "text in five fragments with pings between, byte by byte",
            chopped(fragments(TEXT, FIVE, frame(PING, b"p"))), echo(TEXT, b"".join(FIVE))),
    ws_case("5.19", "empty first and last fragments", fragments(TEXT, [b"", b"middle", b""]),
            echo(TEXT, b"middle")),
    ws_case("5.20", "all three fragments empty", fragments(TEXT, [b"", b"", b""]),
            echo(TEXT, b"")),
    ws_case("5.21", "binary in 100 one-byte fragments",
            fragments(BINARY, [bytes([i]) for i in range(100)]),
            echo(BINARY, bytes(range(100)))),
    ws_case("5.22", "two fragmented messages back to back",
            two_fragments(TEXT) + two_fragments(BINARY, b"x", b"y"), echo(TEXT, HELLO),
            echo(BINARY, b"xy")),
    ws_case("5.23", "ping with fin=0 inside an open message", text(b"a", fin=False),
            frame(PING, b"p", fin=False), closes(1002)),
    ws_case("5.24", "fragmented 65536-byte binary in 4 KiB frames",
            fragments(BINARY, [bytes([i]) * 4096 for i in range(16)]),
            echo(BINARY, b"".join(bytes([i]) * 4096 for i in range(16)))),
]
