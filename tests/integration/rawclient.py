"""Byte-level clients for levelcast's integration tests.

Raw HTTP/1.1 over a socket (any method, headers or garbage), a hand-driven
WebSocket client (exact frames, masked or not, read at the test's pace) and
the /metrics scraper. Each call opens its own socket, so these may run in a
worker thread (asyncio.to_thread) while an event loop keeps reading.
"""

import base64
import hashlib
import os
import socket
import struct

import harness

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


# ---------------------------------------------------------------- raw HTTP

class HttpResponse:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-cased name -> value
        self.body = body

    def __repr__(self):
        return f"HttpResponse({self.status} {self.reason}, {self.headers}, {self.body[:80]!r})"


def _recv_until(sock, buffer, marker, deadline):
    while marker not in buffer:
        sock.settimeout(deadline.left())
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"peer closed before {marker!r}; got {bytes(buffer)[:200]!r}")
        buffer += chunk
    return buffer.index(marker)


def read_response_head(sock, timeout=5.0):
    """Read an HTTP response head; return (HttpResponse without body, leftover bytes)."""
    deadline = harness.Deadline(timeout, "the server")
    buffer = bytearray()
    end = _recv_until(sock, buffer, b"\r\n\r\n", deadline)
    head = bytes(buffer[:end]).decode("iso-8859-1").split("\r\n")
    version, status, *reason = head[0].split(" ", 2)
    if not version.startswith("HTTP/1."):
        raise AssertionError(f"not an HTTP/1.x status line: {head[0]!r}")
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    response = HttpResponse(int(status), reason[0] if reason else "", headers, b"")
    return response, bytes(buffer[end + 4:])


def _read_body(sock, response, leftover, timeout):
    deadline = harness.Deadline(timeout, "the server")
    body = bytearray(leftover)
    length = response.headers.get("content-length")
    while length is None or len(body) < int(length):
        sock.settimeout(deadline.left())
        chunk = sock.recv(65536)
        if not chunk:
            if length is None:
                break
            raise ConnectionError(f"body cut short at {len(body)} of {length} bytes")
        body += chunk
    return bytes(body)


def http_exchange(port, raw_request, timeout=5.0):
    """Send raw request bytes, return the HttpResponse (body read per Content-Length or to EOF)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw_request)
        response, leftover = read_response_head(sock, timeout)
        if response.status != 101:
            response.body = _read_body(sock, response, leftover, timeout)
        return response


def http_request(port, path, method="GET", headers=(), body=b"", timeout=5.0):
    """One HTTP/1.1 request; `headers` is a sequence of (name, value).

    Asks for Connection: close unless `headers` names a Connection of its own.
    """
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    if not any(name.lower() == "connection" for name, _ in headers):
        lines.append("Connection: close")
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("iso-8859-1") + body
    return http_exchange(port, raw, timeout)


def upgrade_headers(key=None, version="13", upgrade="websocket"):
    """Headers of a client handshake; pass None for a field to leave it out."""
    headers = [("Connection", "Upgrade")]
    if upgrade is not None:
        headers.append(("Upgrade", upgrade))
    if key is not None:
        headers.append(("Sec-WebSocket-Key", key))
    if version is not None:
        headers.append(("Sec-WebSocket-Version", version))
    return headers


def upgrade_request(port, path, key, extra_headers=()):
    """The bytes of a well-formed client handshake."""
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in [*upgrade_headers(key), *extra_headers]]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def new_key():
    return base64.b64encode(os.urandom(16)).decode("ascii")


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key.encode("ascii") + WS_GUID).digest()).decode("ascii")


def scrape_metrics(port):
    """GET /metrics; return {sample name with labels: value}, e.g. 'x{worker="0"}': 3.0."""
    response = http_request(port, "/metrics")
    if response.status != 200:
        raise AssertionError(f"/metrics answered {response}")
    samples = {}
    for line in response.body.decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def scrape_until(port, accept, timeout, what):
    """Scrape /metrics until accept(samples) is true; return those samples.

    Blocking; from a coroutine run it as `await asyncio.to_thread(scrape_until, ...)`
    so that the event loop keeps reading meanwhile.
    """
    def attempt():
        samples = scrape_metrics(port)
        return samples if accept(samples) else None
    return harness.poll_until(attempt, timeout, what)


# ---------------------------------------------------------------- raw WebSocket

class HandshakeRefused(AssertionError):
    """The server answered a WebSocket handshake with something other than 101."""

    def __init__(self, path, response):
        super().__init__(f"handshake to {path} answered {response}")
        self.response = response


OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def apply_mask(payload, mask):
    """XOR payload with the repeated 4-byte mask (RFC 6455 5.3)."""
    size = len(payload)
    key = (mask * (size // 4 + 1))[:size]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")


class RawWebSocket:
    """A hand-driven client WebSocket: exact control over bytes and reading pace.

    Owns one blocking socket. Frames are read without any reassembly.
    """

    def __init__(self, port, path="/levels", rcvbuf=None, timeout=5.0, extra_headers=()):
        self.extra_headers = extra_headers
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            # Before connect, so that the advertised window is small from the start.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        try:
            self.buffer = bytearray(self._handshake(port, path, timeout))
        except BaseException:
            self.sock.close()
            raise

    def _handshake(self, port, path, timeout):
        self.sock.connect(("127.0.0.1", port))
        key = new_key()
        self.sock.sendall(upgrade_request(port, path, key, self.extra_headers))
        response, leftover = read_response_head(self.sock, timeout)
        if response.status != 101:
            raise HandshakeRefused(path, response)
        if response.headers.get("sec-websocket-accept") != accept_for(key):
            raise AssertionError(f"bad Sec-WebSocket-Accept in {response.headers}")
        return leftover

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_frame(self, opcode, payload=b"", fin=True, masked=True, rsv=0):
        first = (0x80 if fin else 0) | (rsv << 4) | opcode
        size = len(payload)
        mask_bit = 0x80 if masked else 0
        if size < 126:
            header = struct.pack("!BB", first, mask_bit | size)
        elif size < 65536:
            header = struct.pack("!BBH", first, mask_bit | 126, size)
        else:
            header = struct.pack("!BBQ", first, mask_bit | 127, size)
        if masked:
            mask = os.urandom(4)
            payload = apply_mask(payload, mask)
            header += mask
        self.sock.sendall(header + payload)

    def flood(self, payload, max_messages, timeout=10.0):
        """Send binary messages without reading until the server stops taking them.

        Returns how many went out whole; stops at max_messages, at `timeout`, at a
        send that stalls for a second (backpressure) or when the server drops us.
        """
        deadline = harness.Deadline(timeout, "the flood")
        for sent in range(max_messages):
            try:
                self.sock.settimeout(min(1.0, deadline.left()))
                self.send_frame(OP_BINARY, payload)
            except (TimeoutError, ConnectionError):
                return sent
        return max_messages

    def _fill(self, count, deadline):
        while len(self.buffer) < count:
            self.sock.settimeout(deadline.left())
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the TCP connection")
            self.buffer += chunk

    def _take(self, count, deadline):
        self._fill(count, deadline)
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def recv_frame(self, timeout=5.0):
        """Return (fin, opcode, payload) of the next server frame; checks it is unmasked."""
        first, payload = self.recv_raw_frame(timeout)
        return bool(first & 0x80), first & 0x0F, payload

    def recv_raw_frame(self, timeout=5.0):
        """Return (first header byte, payload) of the next server frame (RSV bits included)."""
        deadline = harness.Deadline(timeout, "the server")
        first, second = self._take(2, deadline)
        if second & 0x80:
            raise AssertionError("server sent a masked frame")
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", self._take(2, deadline))
        elif size == 127:
            (size,) = struct.unpack("!Q", self._take(8, deadline))
        return first, self._take(size, deadline)

    def recv_close(self, timeout=5.0):
        """Skip data frames until a close frame; return its code (None: empty body).

        Raises ConnectionError if TCP closes first.
        """
        deadline = harness.Deadline(timeout, "the server")
        while True:
            _, opcode, payload = self.recv_frame(deadline.left())
            if opcode == OP_CLOSE:
                return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
