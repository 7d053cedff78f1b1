"""Group 0: the opening handshake (RFC 6455 section 4.2, section 1.3 for the accept key).

Most cases send one request built from the default headers through an `edit` and look
at the status; 0.5 covers size limits and the handshake timeout, 0.6 bytes pipelined
behind the request.
"""
import time

from case import (MARGIN, Case, ExpectClose, ExpectPong, Fail, describe_error, echo,
                  reply_deadline, text, ws_case)
from wire import (CLOSE, PING, TEXT, Conn, Eof, Reset, Timeout, accept_key,
                  close_payload, default_headers, frame, new_key, request_bytes)

RFC_SAMPLE_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
RFC_SAMPLE_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def replace(name, value):
    """Set header `name` (matched case-insensitively), appending it if absent."""
    def edit(headers):
        out = [(n, value if n.lower() == name.lower() else v) for n, v in headers]
        return out if any(n.lower() == name.lower() for n, _ in headers) else out + [(name, value)]
    return edit


def drop(name):
    return lambda headers: [(n, v) for n, v in headers if n.lower() != name.lower()]


def add(name, value):
    return lambda headers: headers + [(name, value)]


def rename_all(transform):
    return lambda headers: [(transform(n), v) for n, v in headers]


def header_value(headers, name):
    return next((v for n, v in headers if n.lower() == name.lower()), "")


def tokens(value):
    return {t.strip().lower() for t in value.split(",")}


def check_upgrade_response(resp, key, offered):
    """What every 101 must carry (RFC 6455 4.2.2 step 5)."""
    if resp.header("Sec-WebSocket-Accept") != accept_key(key.strip()):
        raise Fail(f"got Sec-WebSocket-Accept {resp.header('Sec-WebSocket-Accept')!r}")
    if "websocket" not in tokens(resp.header("Upgrade")):
        raise Fail(f"got Upgrade {resp.header('Upgrade')!r}")
    if "upgrade" not in tokens(resp.header("Connection")):
        raise Fail(f"got Connection {resp.header('Connection')!r}")
    for name in ("Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol"):
        chosen = resp.header(name)
        if chosen and not tokens(chosen) <= tokens(header_value(offered, name)):
            raise Fail(f"got {name}: {chosen} which was not offered")


def read_status(conn, info):
    try:
        return conn.read_response(reply_deadline())
    except (Eof, Reset, Timeout) as err:
        raise Fail(f"got {describe_error(err)} instead of a response") from None


def expect_tcp_end(conn, info, seconds, after):
    try:
        conn.read_to_eof(time.monotonic() + seconds)
    except Timeout:
        raise Fail(f"got {after} but the connection stayed open") from None


def http_case(case_id, title, statuses, *edits, method="GET", path="/echo",
              version="HTTP/1.1", then_closed=False, key=None, want_accept=None):
    """One request; passes if the status is in `statuses` (and, for 101, the response is
    a valid upgrade; for 426, it names version 13; with then_closed, TCP ends)."""
    label = "|".join(str(s) for s in statuses) + (" and close" if then_closed else "")

    def run(env):
        info = env.server("main")
        headers = default_headers(f"{info.host}:{info.port}", key or new_key())
        for edit in edits:
            headers = edit(headers)
        conn = Conn.connect((info.host, info.port))
        try:
            conn.send(request_bytes(path, headers, method, version))
            resp = read_status(conn, info)
            if resp.status not in statuses:
                raise Fail(f"got status {resp.status}")
            if resp.status == 101:
                check_upgrade_response(resp, header_value(headers, "Sec-WebSocket-Key"), headers)
                if want_accept and resp.header("Sec-WebSocket-Accept") != want_accept:
                    raise Fail(f"got accept {resp.header('Sec-WebSocket-Accept')!r}")
            version_named = resp.header("Sec-WebSocket-Version")
            if resp.status == 426 and "13" not in tokens(version_named):
                raise Fail(f"got 426 with Sec-WebSocket-Version {version_named!r}")
            if then_closed:
                expect_tcp_end(conn, info, info.seconds("close-timeout", 1) + MARGIN, resp.status)
        finally:
            conn.close()

    return Case(case_id, f"{title} -> {label}", run)


def silent_client_case(case_id, title, sent, drip_seconds=None):
    """The client sends `sent` (a byte every drip_seconds if given) and never finishes
    its request: the server must end the connection within the handshake timeout."""
    def run(env):
        info = env.server("main")
        deadline = time.monotonic() + info.seconds("handshake-timeout", 1) + MARGIN
        conn = Conn.connect((info.host, info.port))
        try:
            conn.send(sent[:1] if drip_seconds else sent)
            for i in range(1, len(sent) if drip_seconds else 0):
                if (conn.send_error or time.monotonic() >= deadline
                        or conn.readable_within(drip_seconds)):
                    break
                conn.send(sent[i:i + 1])
            expect_tcp_end(conn, info, max(deadline - time.monotonic(), 0.001), "nothing")
        finally:
            conn.close()

    return Case(case_id, f"{title} -> closed within handshake timeout", run)


def oversized_header_case(case_id, title, path="/echo", edits=()):
    return http_case(case_id, title, (431,), *edits, path=path, then_closed=True)


PARTIAL_REQUEST = b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
SPLIT_FRAME = text(b"split")
SIXTEEN_BYTES_B64, FIFTEEN_BYTES_B64, SEVENTEEN_BYTES_B64 = (
    "AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAA=")

CASES = [
    http_case("0.1.1", "valid upgrade of /echo", (101,)),
    http_case("0.1.2", "valid upgrade of /levels", (101,), path="/levels"),
    http_case("0.1.3", "method POST", (405,), method="POST"),
    http_case("0.1.4", "method PUT", (405,), method="PUT"),
    http_case("0.1.5", "method DELETE", (405,), method="DELETE"),
    http_case("0.1.6", "HTTP/1.0 request", (400,), version="HTTP/1.0"),
    http_case("0.1.7", "HTTP/0.9 request", (505,), version="HTTP/0.9"),
    http_case("0.1.8", "unknown path /nope", (404,), path="/nope"),
    http_case("0.1.9", "unknown path /no/such/file", (404,), path="/no/such/file"),
    http_case("0.2.1", "no Host header", (400,), drop("Host")),
    http_case("0.2.2", "no Upgrade header", (400,), drop("Upgrade")),
    http_case("0.2.3", "Upgrade: h2c", (400,), replace("Upgrade", "h2c")),
    http_case("0.2.4", "Upgrade: websockets (not the token)", (400,),
              replace("Upgrade", "websockets")),
    http_case("0.2.5", "Upgrade: WebSocket in mixed case", (101,),
              replace("Upgrade", "WebSocket")),
    http_case("0.2.6", "Upgrade as a list 'foo/1, websocket'", (101,),
              replace("Upgrade", "foo/1, websocket")),
    http_case("0.2.7", "no Connection header", (400,), drop("Connection")),
    http_case("0.2.8", "Connection: keep-alive only", (400,),
              replace("Connection", "keep-alive")),
    http_case("0.2.9", "Connection: Upgrades (not the token)", (400,),
              replace("Connection", "Upgrades")),
    http_case("0.2.10", "Connection: keep-alive, Upgrade", (101,),
              replace("Connection", "keep-alive, Upgrade")),
    http_case("0.2.11", "Connection list with odd spacing and case", (101,),
              replace("Connection", "keep-alive ,   upgrade  ")),
    http_case("0.2.12", "header names in lower case", (101,), rename_all(str.lower)),
    http_case("0.2.13", "header names in upper case", (101,), rename_all(str.upper)),
    http_case("0.2.14", "header values padded with spaces and tabs", (101,),
              lambda hs: [(n, f" \t {v} \t") for n, v in hs]),
    http_case("0.2.15", "unrelated headers (Origin, User-Agent, Cookie)", (101,),
              add("Origin", "http://example.com"), add("User-Agent", "conformance"),
              add("Cookie", "a=b")),
    http_case("0.2.16", "unknown extension offered, not accepted", (101,),
              add("Sec-WebSocket-Extensions", "x-levelcast-unknown")),
    http_case("0.2.17", "unknown subprotocol offered, not chosen", (101,),
              add("Sec-WebSocket-Protocol", "x-levelcast-unknown")),
    http_case("0.3.1", "no Sec-WebSocket-Key", (400,), drop("Sec-WebSocket-Key")),
    http_case("0.3.2", "empty Sec-WebSocket-Key", (400,), replace("Sec-WebSocket-Key", "")),
    http_case("0.3.3", "key decoding to 15 bytes", (400,),
              replace("Sec-WebSocket-Key", FIFTEEN_BYTES_B64)),
    http_case("0.3.4", "key decoding to 17 bytes", (400,),
              replace("Sec-WebSocket-Key", SEVENTEEN_BYTES_B64)),
    http_case("0.3.5", "key that is not base64", (400,),
              replace("Sec-WebSocket-Key", "@@@@@@@@@@@@@@@@@@@@@@==")),
    http_case("0.3.6", "RFC 6455 sample key gets the sample accept", (101,),
              key=RFC_SAMPLE_KEY, want_accept=RFC_SAMPLE_ACCEPT),
    http_case("0.3.7", "key of sixteen zero bytes", (101,), key=SIXTEEN_BYTES_B64),
    http_case("0.4.1", "no Sec-WebSocket-Version", (400, 426), drop("Sec-WebSocket-Version")),
    http_case("0.4.2", "Sec-WebSocket-Version: 8", (426,), replace("Sec-WebSocket-Version", "8")),
    http_case("0.4.3", "Sec-WebSocket-Version: 12", (426,),
              replace("Sec-WebSocket-Version", "12")),
    http_case("0.4.4", "Sec-WebSocket-Version: 14", (426,),
              replace("Sec-WebSocket-Version", "14")),
    http_case("0.4.5", "Sec-WebSocket-Version: abc", (400, 426),
              replace("Sec-WebSocket-Version", "abc")),
    http_case("0.5.1", "7000-byte header block (under the limit)", (101,),
              add("X-Padding", "p" * 7000)),
    oversized_header_case("0.5.2", "one 9000-byte header", edits=[add("X-Padding", "p" * 9000)]),
    oversized_header_case("0.5.3", "9000-byte request line", path="/echo?" + "q" * 9000),
    oversized_header_case("0.5.4", "200 headers of 60 bytes",
                          edits=[add(f"X-Pad-{i}", "p" * 50) for i in range(200)]),
    silent_client_case("0.5.5", "connect and send nothing", b""),
    silent_client_case("0.5.6", "half a request, then silence", PARTIAL_REQUEST),
    silent_client_case("0.5.7", "request dripped a byte every 0.2 s (slowloris)",
                       PARTIAL_REQUEST, drip_seconds=0.2),
    ws_case("0.6.1", "text frame in the same write as the request",
            echo(TEXT, b"pipelined"), first=text(b"pipelined")),
    ws_case("0.6.2", "ping in the same write as the request",
            ExpectPong(b"early"), first=frame(PING, b"early")),
    ws_case("0.6.3", "close in the same write as the request",
            ExpectClose(1000), first=frame(CLOSE, close_payload(1000))),
    ws_case("0.6.4", "request plus half a frame, then the other half",
            SPLIT_FRAME[5:], echo(TEXT, b"split"), first=SPLIT_FRAME[:5]),
    ws_case("0.6.5", "unmasked frame in the same write as the request",
            ExpectClose(1002), first=text(b"bad", masked=False)),
]
