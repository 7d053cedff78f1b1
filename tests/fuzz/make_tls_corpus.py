#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/tls_session_fuzz.cpp (tests/fuzz/corpus/tls_session/):
real ClientHellos made with Python's ssl over memory BIOs (no network), each behind a chunk
length byte, plus a plain HTTP request and an SSLv2-style hello. Run with /usr/bin/python3."""
import pathlib
import ssl

ROOT = pathlib.Path(__file__).resolve().parent / "corpus" / "tls_session"


def client_hello(**settings):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for name, value in settings.items():
        if name == "alpn":
            context.set_alpn_protocols(value)
        else:
            setattr(context, name, value)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        client.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def main():
    ROOT.mkdir(parents=True, exist_ok=True)
    seeds = {
        "tls13_alpn": b"\xff" + client_hello(alpn=["http/1.1"]),
        "tls13_h2_only": b"\xff" + client_hello(alpn=["h2"]),
        "tls12": b"\x10" + client_hello(maximum_version=ssl.TLSVersion.TLSv1_2),
        "tls13_bytewise": b"\x00" + client_hello(),
        "plain_http": b"\xff" + b"GET /levels HTTP/1.1\r\nHost: x\r\n\r\n",
        "sslv2_hello": b"\xff" + b"\x80\x2e\x01\x00\x02\x00\x15" + bytes(0x2e - 5),
    }
    for name, data in seeds.items():
        (ROOT / name).write_bytes(data)


if __name__ == "__main__":
    main()
