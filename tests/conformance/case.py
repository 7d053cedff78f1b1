"""What a conformance case is, and the steps most cases are written with.

A Case has an id in the Autobahn style ("5.9"), a title that ends with the expected
outcome ("continuation without start -> 1002") and a `run(env)` that returns on
success or raises Fail("got ..."). Table cases are `ws_case(id, title, *steps)`: open
a WebSocket, then run the steps in order; a bytes step is sent as is, the others are
Send/Expect objects below. Each case runs on one pool thread with its own sockets.
"""
import os
import time
from dataclasses import dataclass, field

from wire import (BINARY, CLOSE, CONT, PING, PONG, TEXT, Conn, Eof, Reset, Timeout,
                  accept_key, default_headers, frame, new_key, request_bytes)

REPLY_TIMEOUT = 3.0     # seconds for an expected reply on an idle local server
MARGIN = 2.0            # slack added to server-side timeouts before calling them missed


class Fail(Exception):
    """The case failed; the message says what was seen instead ("got close 1000")."""


@dataclass
class ServerInfo:
    host: str
    port: int
    options: dict

    def seconds(self, option, default):
        return float(self.options.get(option, default))


@dataclass
class Env:
    servers: dict = field(default_factory=dict)

    def server(self, name):
        if name not in self.servers:
            raise Fail(f"got no '{name}' server (it did not start)")
        return self.servers[name]


@dataclass
class Case:
    id: str
    title: str
    run: object
    server: str = "main"

    def sort_key(self):
        return tuple(int(part) for part in self.id.split("."))


def reply_deadline(seconds=REPLY_TIMEOUT):
    return time.monotonic() + seconds


def close_deadline(info):
    return time.monotonic() + info.seconds("close-timeout", 1) + MARGIN


def describe_error(err):
    if isinstance(err, Eof):
        return "EOF"
    if isinstance(err, Reset):
        return "connection reset"
    if isinstance(err, Timeout):
        return "nothing before the deadline"
    return f"{type(err).__name__}: {err}"


def open_ws(info, route, extra=b""):
    """Connect and upgrade; `extra` bytes go in the same write as the request."""
    conn = Conn.connect((info.host, info.port))
    key = new_key()
    headers = default_headers(f"{info.host}:{info.port}", key)
    conn.send(request_bytes(route, headers) + extra)
    try:
        response = conn.read_response(reply_deadline())
    except (Eof, Reset, Timeout) as err:
        conn.close()
        raise Fail(f"got {describe_error(err)} instead of a handshake response") from None
    if response.status != 101 or response.header("Sec-WebSocket-Accept") != accept_key(key):
        conn.close()
        raise Fail(f"got handshake status {response.status}")
    conn.route = route
    return conn


def next_frame(conn, deadline, keep=()):
    """The next frame worth looking at: server pings, unsolicited pongs and /levels
    snapshots are skipped unless their opcode is in `keep`."""
    skip = {PING, PONG} - set(keep)
    if conn.route == "/levels" and TEXT not in keep:
        skip.add(TEXT)
    while True:
        try:
            f = conn.read_frame(deadline)
        except (Eof, Reset, Timeout) as err:
            raise Fail(f"got {describe_error(err)}") from None
        if f.opcode not in skip:
            return f


def read_message(conn, deadline, keep=()):
    """(opcode, payload, first frame) of one whole message, reassembled if the server
    fragmented it, or of the first close or control frame in `keep`."""
    first = next_frame(conn, deadline, keep)
    if first.opcode not in (TEXT, BINARY) or first.fin:
        return first.opcode, first.payload, first
    parts = [first.payload]
    while True:
        f = next_frame(conn, deadline, keep=(TEXT, BINARY))
        if f.opcode != CONT:
            raise Fail(f"got {f.describe()} inside a fragmented {first.describe()}")
        parts.append(f.payload)
        if f.fin:
            return first.opcode, b"".join(parts), first


def expect_eof(conn, info, after):
    """The server ends TCP after its close frame and sends nothing more."""
    try:
        rest = conn.read_to_eof(close_deadline(info))
    except Timeout:
        raise Fail(f"got {after} but TCP stayed open past the close timeout") from None
    if rest:
        raise Fail(f"got {after} then {len(rest)} more bytes")


class Send:
    label = None

    def __init__(self, data, chop=None):
        self.data, self.chop = data, chop

    def __call__(self, conn, info):
        conn.send(self.data, self.chop)


class ExpectMessage:
    label = "echo"

    def __init__(self, opcode, payload):
        self.opcode, self.payload = opcode, payload

    def __call__(self, conn, info):
        opcode, payload, first = read_message(conn, reply_deadline())
        if opcode != self.opcode:
            raise Fail(f"got {first.describe()}")
        if payload != self.payload:
            raise Fail(f"got {len(payload)} bytes that differ from the {len(self.payload)} sent")


class ExpectPong:
    label = "pong"

    def __init__(self, payload):
        self.payload = payload

    def __call__(self, conn, info):
        f = next_frame(conn, reply_deadline(), keep=(PONG,))
        if f.opcode != PONG:
            raise Fail(f"got {f.describe()}")
        if f.payload != self.payload:
            raise Fail(f"got pong with payload {f.payload[:16]!r}")


class ExpectClose:
    """A close frame with one of `codes` (None: empty payload), then the end of TCP."""

    def __init__(self, *codes):
        self.codes = codes
        self.label = "|".join("empty" if c is None else str(c) for c in codes)

    def __call__(self, conn, info):
        f = next_frame(conn, close_deadline(info))
        if f.opcode != CLOSE:
            raise Fail(f"got {f.describe()}")
        if f.close_code() not in self.codes:
            raise Fail(f"got {f.describe()}")
        expect_eof(conn, info, f.describe())


class ExpectOpen:
    """The connection still works: a fresh ping is answered. A close with a code in
    `also_ok` passes too."""

    def __init__(self, also_ok=(), label="stays open"):
        self.also_ok, self.label = also_ok, label

    def __call__(self, conn, info):
        token = os.urandom(8)
        conn.send(frame(PING, token))
        f = next_frame(conn, reply_deadline(), keep=(PONG,))
        if f.opcode == CLOSE and f.close_code() in self.also_ok:
            return
        if f.opcode != PONG or f.payload != token:
            raise Fail(f"got {f.describe()}")


def echo(opcode, payload):
    return ExpectMessage(opcode, payload)


def closes(*codes):
    return ExpectClose(*codes)


def chopped(data, size=1):
    return Send(data, chop=size)


def ws_case(case_id, title, *steps, route="/echo", server="main", first=b""):
    """Upgrade (with `first` in the same write as the request), then run the steps."""
    steps = [Send(s) if isinstance(s, (bytes, bytearray)) else s for s in steps]
    label = steps[-1].label

    def run(env):
        info = env.server(server)
        conn = open_ws(info, route, extra=first)
        try:
            for step in steps:
                step(conn, info)
        finally:
            conn.close()

    return Case(case_id, f"{title} -> {label}" if label else title, run, server)


def text(payload, **kw):
    return frame(TEXT, payload, **kw)


def binary(payload, **kw):
    return frame(BINARY, payload, **kw)


def cont(payload, **kw):
    return frame(CONT, payload, **kw)
