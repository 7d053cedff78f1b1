"""Group 7: the closing handshake (RFC 6455 5.5.1, 7.1-7.4).

The server echoes a valid close code, ends TCP, and sends nothing after its close
frame; anything the client sends after its own close is ignored. A 1-byte payload,
an over-long one, a code that may not be sent, or a reason that is not UTF-8 fails
the connection.
"""
from case import ExpectClose, chopped, closes, cont, echo, text, ws_case
from wire import CLOSE, PING, TEXT, close_payload, frame

VALID_CODES = (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999)
INVALID_CODES = (0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535)


def close_frame(code=None, reason=b"", **kw):
    return frame(CLOSE, b"" if code is None else close_payload(code, reason), **kw)


def code_cases():
    valid = [ws_case(f"7.7.{i}", f"close code {code} is echoed", close_frame(code),
                     ExpectClose(code)) for i, code in enumerate(VALID_CODES, 1)]
    invalid = [ws_case(f"7.9.{i}", f"close code {code} may not be sent", close_frame(code),
                       closes(1002)) for i, code in enumerate(INVALID_CODES, 1)]
    return valid + invalid


CASES = [
    ws_case("7.1.1", "echo then close 1000", text(b"bye"), echo(TEXT, b"bye"),
            close_frame(1000), ExpectClose(1000)),
    ws_case("7.1.2", "second close in the same write is ignored",
            close_frame(1000) + close_frame(1001), ExpectClose(1000)),
    ws_case("7.1.3", "ping after close gets no pong", close_frame(1000) + frame(PING, b"late"),
            ExpectClose(1000)),
    ws_case("7.1.4", "text after close gets no echo", close_frame(1000) + text(b"late"),
            ExpectClose(1000)),
    ws_case("7.1.5", "close inside a fragmented message discards it",
            text(b"part", fin=False) + close_frame(1000) + cont(b"rest"), ExpectClose(1000)),
    ws_case("7.1.6", "256 KiB message then close: echo, then close",
            text(b"x" * 262144) + close_frame(1000), echo(TEXT, b"x" * 262144),
            ExpectClose(1000)),
    ws_case("7.1.7", "close sent byte by byte", chopped(close_frame(1000, b"slow")),
            ExpectClose(1000)),
    ws_case("7.1.8", "close on /levels stops the snapshots", close_frame(1000),
            ExpectClose(1000), route="/levels"),
    ws_case("7.1.9", "close 1001 on /levels", close_frame(1001), ExpectClose(1001),
            route="/levels"),
    ws_case("7.3.1", "close with empty payload", close_frame(), ExpectClose(None, 1000)),
    ws_case("7.3.2", "close with a 1-byte payload", frame(CLOSE, b"\x03"), closes(1002)),
    ws_case("7.3.3", "close 1000 without reason", close_frame(1000), ExpectClose(1000)),
    ws_case("7.3.4", "close 1000 with a short reason", close_frame(1000, b"Hello World!"),
            ExpectClose(1000)),
    ws_case("7.3.5", "close 1000 with a 123-byte reason (125 in all)",
            close_frame(1000, b"r" * 123), ExpectClose(1000)),
    ws_case("7.3.6", "close 1000 with a 124-byte reason (126 in all)",
            close_frame(1000, b"r" * 124), closes(1002)),
    ws_case("7.5.1", "close reason that is not UTF-8", close_frame(1000, b"bad \xff\xfe"),
            closes(1007)),
    ws_case("7.5.2", "close reason with a lone surrogate",
            close_frame(1000, b"\xed\xa0\x80"), closes(1007)),
    ws_case("7.5.3", "close reason cut inside a code point", close_frame(1000, b"ok \xce"),
            closes(1007)),
    ws_case("7.5.4", "close reason in multi-byte UTF-8", close_frame(1000, "κόσμε €".encode()),
            ExpectClose(1000)),
    ws_case("7.3.7", "close with fin=0 and a continuation", close_frame(1000, fin=False)
            + cont(b""), closes(1002)),
] + code_cases()
