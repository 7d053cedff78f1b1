"""RFC 6455 client side on a raw TCP socket, free to send malformed bytes.

`frame()` builds any frame, valid or not (bad RSV bits, unknown opcodes, unmasked,
non-minimal or lying length fields). `Conn` owns one socket and its receive buffer and
is used by one thread only, the case that opened it. Every read takes a deadline.
Frames from the server are checked against what a server must send (unmasked, RSV
clear, minimal length, short final control frames); a breach raises ServerViolation.
"""
import base64
import hashlib
import os
import socket
import struct
import time

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
OPCODE_NAMES = {CONT: "continuation", TEXT: "text", BINARY: "binary",
                CLOSE: "close", PING: "ping", PONG: "pong"}
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SEND_TIMEOUT = 5.0
MAX_RESPONSE_HEAD = 65536


class Eof(Exception):
    """The server closed its side (recv returned 0)."""


class Reset(Exception):
    """The connection was reset."""


class Timeout(Exception):
    """Nothing (or not enough) arrived before the deadline."""


class ServerViolation(Exception):
    """The server sent bytes no RFC 6455 server may send."""


def mask_bytes(data, key):
    n = len(data)
    if n == 0:
        return b""
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")).to_bytes(n, "little")


def frame(opcode, payload=b"", *, fin=True, rsv=0, masked=True, length=None, width=None, key=None):
    """Bytes of one client frame. `length` overrides the declared payload length and
    `width` (7, 16 or 64) forces the length encoding, so both can lie or be non-minimal."""
    n = len(payload) if length is None else length
    if width is None:
        width = 7 if n < 126 else 16 if n < 65536 else 64
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    mask_bit = 0x80 if masked else 0
    if width == 7:
        head = bytes([b0, mask_bit | n])
    elif width == 16:
        head = bytes([b0, mask_bit | 126]) + struct.pack("!H", n)
    else:
        head = bytes([b0, mask_bit | 127]) + struct.pack("!Q", n)
    if not masked:
        return head + payload
    key = os.urandom(4) if key is None else key
    return head + key + mask_bytes(payload, key)


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


def new_key():
    return base64.b64encode(os.urandom(16)).decode()


def accept_key(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def default_headers(host, key):
    return [("Host", host), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13")]


def request_bytes(path, headers, method="GET", version="HTTP/1.1"):
    lines = [f"{method} {path} {version}"] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Frame:
    __slots__ = ("fin", "rsv", "opcode", "payload")

    def __init__(self, fin, rsv, opcode, payload):
        self.fin, self.rsv, self.opcode, self.payload = fin, rsv, opcode, payload

    def close_code(self):
        """The close code, or None for an empty close payload."""
        return struct.unpack("!H", self.payload[:2])[0] if len(self.payload) >= 2 else None

    def describe(self):
        if self.opcode == CLOSE:
            code = self.close_code()
            return "close with empty payload" if code is None else f"close {code}"
        name = OPCODE_NAMES.get(self.opcode, f"opcode {self.opcode}")
        more = "" if self.fin else " (fin=0)"
        return f"{name} of {len(self.payload)} bytes{more}"


class Response:
    def __init__(self, status, headers, head):
        self.status, self.headers, self.head = status, headers, head

    def header(self, name):
        return self.headers.get(name.lower(), "")


def parse_response(head):
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ServerViolation(f"bad status line {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ServerViolation(f"bad header line {line!r}")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return Response(int(parts[1]), headers, head)


class Conn:
    """One client TCP connection: sends raw bytes, reads HTTP heads and frames."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.send_error = None
        self.route = None
        self.deflate = False  # permessage-deflate negotiated: RSV1 may mark a server message

    @classmethod
    def connect(cls, addr, timeout=5.0):
        sock = socket.create_connection(addr, timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock)

    def close(self):
        self.sock.close()

    def send(self, data, chop=None):
        """Send data, in writes of `chop` bytes if given. A peer that has gone away is
        remembered in send_error rather than raised: the reads that follow tell why."""
        if self.send_error is not None:
            return
        step = chop or max(len(data), 1)
        self.sock.settimeout(SEND_TIMEOUT)
        try:
            for start in range(0, len(data), step):
                self.sock.sendall(data[start:start + step])
        except (OSError, socket.timeout) as err:
            self.send_error = err

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout()
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(262144)
        except socket.timeout:
            raise Timeout() from None
        except ConnectionResetError:
            raise Reset() from None
        if not data:
            raise Eof()
        self.buf += data

    def _need(self, n, deadline):
        while len(self.buf) < n:
            self._fill(deadline)

    def readable_within(self, seconds):
        """True if bytes or EOF are waiting, without consuming them."""
        if self.buf:
            return True
        self.sock.settimeout(max(seconds, 0.001))
        try:
            self.sock.recv(1, socket.MSG_PEEK)
            return True
        except socket.timeout:
            return False
        except OSError:
            return True

    def read_response(self, deadline):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > MAX_RESPONSE_HEAD:
                raise ServerViolation("response head too long")
            self._fill(deadline)
        end = self.buf.index(b"\r\n\r\n")
        head = bytes(self.buf[:end])
        del self.buf[:end + 4]
        return parse_response(head)

    def read_frame(self, deadline):
        self._need(2, deadline)
        b0, b1 = self.buf[0], self.buf[1]
        n, at = b1 & 0x7F, 2
        if n == 126:
            self._need(4, deadline)
            n, at = struct.unpack_from("!H", self.buf, 2)[0], 4
            minimal = n >= 126
        elif n == 127:
            self._need(10, deadline)
            n, at = struct.unpack_from("!Q", self.buf, 2)[0], 10
            minimal = n >= 65536
        else:
            minimal = True
        result = Frame(bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, b"")
        _check_server_frame(result, masked=bool(b1 & 0x80), minimal=minimal, length=n,
                            allowed_rsv=4 if self.deflate and (b0 & 0x0F) in (TEXT, BINARY) else 0)
        self._need(at + n, deadline)
        result.payload = bytes(self.buf[at:at + n])
        del self.buf[:at + n]
        return result

    def read_to_eof(self, deadline):
        """Bytes received until the server ends the connection (FIN or reset)."""
        try:
            while True:
                self._fill(deadline)
        except (Eof, Reset):
            rest = bytes(self.buf)
            self.buf.clear()
            return rest


def _check_server_frame(f, masked, minimal, length, allowed_rsv=0):
    if masked:
        raise ServerViolation("server sent a masked frame")
    if f.rsv & ~allowed_rsv:
        raise ServerViolation(f"server set RSV bits {f.rsv} without an extension")
    if f.opcode not in OPCODE_NAMES:
        raise ServerViolation(f"server used reserved opcode {f.opcode}")
    if not minimal:
        raise ServerViolation("server used a non-minimal length encoding")
    if f.opcode >= CLOSE and (not f.fin or length > 125):
        raise ServerViolation("server sent a fragmented or oversized control frame")
