"""TLS for the integration tests: a throw-away test CA and server certificates made with the
openssl command (tests/tls/make-test-ca), client SSL contexts that trust it, and a raw TLS
connection helper. Owns one temporary directory per TestCase class that asks for it.

LEVELCAST_TEST_TLS_BIO=socket (CTest's integration.tls_socket_bio) runs the servers with
--tls-bio socket: handshakes over a socket BIO, the path kTLS takes, on a kernel without it."""

import os
import socket
import ssl
import subprocess
import tempfile

TLS_BIO = os.environ.get("LEVELCAST_TEST_TLS_BIO", "auto")
MAKE_TEST_CA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tls", "make-test-ca")


class TestCa:
    """The files of tests/tls/make-test-ca in a directory removed by cleanup()."""

    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="levelcast-tls-")
        self.dir = self._dir.name
        subprocess.run([MAKE_TEST_CA, self.dir], check=True, timeout=30)
        self.ca = self.path("ca.pem")

    def path(self, name):
        return os.path.join(self.dir, name)

    def pair(self, name):
        """(certificate, key) paths of a leaf: ec, ec2, rsa, p384, rsa1024."""
        return self.path(f"{name}.pem"), self.path(f"{name}.key")

    def server_options(self, name="ec", cert=None, key=None):
        default_cert, default_key = self.pair(name)
        return ["--tls-port", "0", "--tls-cert", cert or default_cert, "--tls-key", key or default_key,
                "--tls-bio", TLS_BIO]

    def client_context(self, **versions):
        context = ssl.create_default_context(cafile=self.ca)
        context.set_alpn_protocols(["http/1.1"])
        for attribute, value in versions.items():
            setattr(context, attribute, value)
        return context

    def cleanup(self):
        self._dir.cleanup()


def for_class(case):
    """A TestCa for a TestCase class, removed with the class."""
    ca = TestCa()
    case.addClassCleanup(ca.cleanup)
    return ca


def tls_connect(port, context, session=None, timeout=5.0):
    """A TLS socket to 127.0.0.1:port (server name localhost), handshake done."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        return context.wrap_socket(raw, server_hostname="localhost", session=session)
    except BaseException:
        raw.close()
        raise


def peer_common_name(sock):
    subject = dict(pair[0] for pair in sock.getpeercert()["subject"])
    return subject["commonName"]


def https_get(port, context, path, session=None, timeout=5.0):
    """One GET over TLS; returns (status line, body bytes, the ssl socket's session, reused)."""
    with tls_connect(port, context, session, timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return head.split(b"\r\n", 1)[0].decode(), body, sock.session, sock.session_reused
