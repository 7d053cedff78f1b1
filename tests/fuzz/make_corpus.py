#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/<target>/ (python3 tests/fuzz/make_corpus.py).

Each file is one fuzzer input, laid out as the target's header comment describes: a few control
bytes (limits, chunk lengths) and then the bytes a client would send. The files are committed;
run this again after changing a target's input layout.
"""
import pathlib
import shutil
import struct
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE / "corpus"
sys.path.insert(0, str(HERE.parent / "conformance"))
import wire  # noqa: E402  (the conformance suite's frame builder)


def write(target, name, data):
    path = ROOT / target / name
    path.write_bytes(data)


# --- http_request: [max head selector: 0 = 8192] [chunk length: 0 = all at once] [bytes] ---

KEY = "dGhlIHNhbXBsZSBub25jZQ=="


def upgrade(path="/levels", extra="", version="13", key=KEY, method="GET", http="HTTP/1.1",
            upgrade_value="websocket", connection="Upgrade"):
    return (f"{method} {path} {http}\r\nHost: 127.0.0.1:8080\r\nUpgrade: {upgrade_value}\r\n"
            f"Connection: {connection}\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: {version}\r\n{extra}\r\n").encode()


def http_seeds():
    many = "".join(f"X-H{i}: {i}\r\n" for i in range(65))
    seeds = {
        "upgrade_levels": upgrade(),
        "upgrade_echo_query": upgrade("/echo?topic=synth&x=1&flag"),
        "upgrade_lowercase": upgrade().lower().replace(b"dghlihnhbxbszsbub25jzq==", KEY.encode()),
        "upgrade_token_lists": upgrade(upgrade_value="h2c, WebSocket",
                                       connection="keep-alive,  Upgrade "),
        "upgrade_browser": upgrade(extra="User-Agent: Mozilla/5.0\r\nOrigin: http://localhost\r\n"
                                         "Sec-WebSocket-Extensions: permessage-deflate\r\n"
                                         "Cache-Control: no-cache\r\n"),
        "version_8": upgrade(version="8"),
        "bad_key": upgrade(key="short"),
        "key_bad_base64": upgrade(key="!!!!!!!!!!!!!!!!!!!!!!=="),
        "post": upgrade(method="POST"),
        "http10": upgrade(http="HTTP/1.0"),
        "http2_version": upgrade(http="HTTP/2.0"),
        "no_upgrade": b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "metrics": b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n",
        "no_host": b"GET /levels HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "obs_fold": b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n",
        "no_colon": b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
        "empty_name": b"GET / HTTP/1.1\r\n: x\r\n\r\n",
        "control_in_value": b"GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n",
        "bare_lf": b"GET / HTTP/1.1\nHost: x\n\n",
        "no_version": b"GET /\r\n\r\n",
        "two_spaces": b"GET  / HTTP/1.1\r\n\r\n",
        "too_many_headers": f"GET / HTTP/1.1\r\n{many}\r\n".encode(),
        "pipelined": b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: b\r\n\r\n",
        "partial": b"GET /levels HTTP/1.1\r\nHost: 127.0.0.1\r\n",
    }
    for name, head in seeds.items():
        write("http_request", name, b"\x00\x00" + head)
    write("http_request", "upgrade_bytewise", b"\x00\x01" + upgrade())
    write("http_request", "upgrade_chunks_of_7", b"\x00\x07" + upgrade())
    write("http_request", "head_over_64", b"\x02\x00" + upgrade())
    write("http_request", "head_over_256_partial", b"\x03\x10" + b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 50)


# --- ws_reader: [flags] [chunk lengths] [client frames]; see ws_reader_fuzz.cpp ---

MASK = bytes([0x37, 0xFA, 0x21, 0x3D])
ZERO_MASK = bytes(4)


def frame(opcode, payload=b"", fin=True, mask=MASK, rsv=0, masked=True, length_class=None):
    return wire.frame(opcode, payload, fin=fin, rsv=rsv, masked=masked, width=length_class, key=mask)


def declared(opcode, length, present, mask=MASK):
    """A frame whose header declares `length` bytes of which only `present` follow."""
    return wire.frame(opcode, b"a" * present, length=length, width=64, key=mask)


def close(code=None, reason=b""):
    return frame(8, b"" if code is None else struct.pack(">H", code) + reason)


def ws_seeds():
    text = "levels κόσμε 🎵".encode()
    frag = frame(1, b"frag", fin=False) + frame(9, b"p") + frame(0, b"men", fin=False) + frame(0, b"ted")
    utf8_split = frame(1, "κ".encode()[:1], fin=False) + frame(0, "κ".encode()[1:] + b"!")
    seeds = {
        "text_hello": frame(1, b"hello"),
        "text_zero_mask": frame(1, b"hello", mask=ZERO_MASK),
        "text_utf8": frame(1, text),
        "text_empty": frame(1),
        "binary_125": frame(2, bytes(range(125))),
        "binary_126_len16": frame(2, bytes(i & 0xFF for i in range(126))),
        "binary_300_len16": frame(2, b"b" * 300),
        "binary_len64_nonminimal": frame(2, b"x" * 10, length_class=64),
        "text_len16_nonminimal": frame(1, b"hi", length_class=16),
        "ping": frame(9, b"ping"),
        "ping_125": frame(9, b"p" * 125),
        "pong": frame(10, b"pong"),
        "close_empty": close(),
        "close_1000_reason": close(1000, b"bye"),
        "close_4999": close(4999, "ok é".encode()),
        "close_one_byte": frame(8, b"\x03"),
        "close_bad_code": close(1005),
        "close_bad_reason": close(1000, b"\xff"),
        "fragmented_with_ping": frag,
        "fragmented_utf8_split": utf8_split,
        "unmasked": frame(1, b"hi", masked=False),
        "rsv1": frame(1, b"hi", rsv=4),
        "opcode_3": frame(3, b"hi"),
        "opcode_11": frame(11),
        "ping_126": frame(9, b"p" * 126),
        "ping_not_fin": frame(9, b"p", fin=False),
        "continuation_alone": frame(0, b"x"),
        "text_inside_fragmented": frame(1, b"a", fin=False) + frame(1, b"b"),
        "text_bad_utf8": frame(1, b"ab\xc3\x28"),
        "text_ends_mid_sequence": frame(1, b"ab\xe2\x82"),
        "len64_top_bit": bytes([0x82, 0xFF]) + b"\x80" + bytes(7) + MASK,
        "declared_large_partial": declared(2, 70000, 100),
        "declared_text_partial": declared(1, 5000, 40),
        "after_close": close(1000) + frame(1, b"ignored"),
        "many_frames": frame(1, b"a") + frame(2, b"bb") + frame(9) + frame(10, b"c") + frame(1, text),
    }
    for name, stream in seeds.items():
        write("ws_reader", name, b"\x00" + stream)
    stream = frag + frame(1, text) + close(1001, b"away")
    write("ws_reader", "chunks_1", b"\x10\x00" + stream)
    write("ws_reader", "chunks_2_6_13", b"\x30\x01\x05\x0c" + stream)
    write("ws_reader", "chunks_256", b"\x10\xf0" + frame(2, b"z" * 600) + frame(1, text))
    write("ws_reader", "max_message_0", b"\x01" + frame(1, b"a") + frame(1))
    write("ws_reader", "max_message_16_fragments", b"\x03" + frame(2, b"x" * 10, fin=False) + frame(0, b"y" * 10))
    write("ws_reader", "max_message_126", b"\x05" + frame(2, b"x" * 126) + frame(2, b"x" * 127))
    write("ws_reader", "max_message_unlimited", b"\x07" + declared(2, 1 << 40, 20))
    # Invalid UTF-8 in a frame still arriving, then (bit 3) more input as to a closing worker.
    bad = frame(1, b"abcd\xffrest")[:6 + 5]
    write("ws_reader", "bad_utf8_partial_then_more", b"\x18\x0a" + bad + frame(1, b"hi"))


# --- utf8: [split count in the low 4 bits] [split lengths] [text] ---

def utf8_seeds():
    samples = {
        "ascii": b"plain ascii text, the common case",
        "empty": b"",
        "greek": "κόσμε".encode(),
        "emoji": "music 🎵 and 🎶".encode(),
        "boundaries_valid": "\u007f\u0080\u07ff\u0800\ufffd\uffff\U00010000\U0010ffff".encode(),
        "json": b'{"topic":"synth","seq":1234,"channels":[{"rms":-23.1,"peak":-17.9}]}',
        "json_accents": '{"name":"Dvořák — Slavonic dances","level":-12.5}'.encode(),
        "overlong_2": b"\xc0\xaf",
        "overlong_3": b"\xe0\x80\xaf",
        "overlong_4": b"\xf0\x80\x80\xaf",
        "surrogate_low": b"\xed\xa0\x80",
        "surrogate_high": b"\xed\xbf\xbf",
        "above_10ffff": b"\xf4\x90\x80\x80",
        "f5": b"\xf5\x80\x80\x80",
        "ff": b"ab\xff",
        "stray_continuation": b"a\x80b",
        "truncated_2": b"ab\xc2",
        "truncated_3": b"ab\xe2\x82",
        "truncated_4": b"ab\xf0\x9f\x8e",
        "truncated_then_ascii": b"\xe2\x82a",
    }
    for name, text in samples.items():
        write("utf8", name, b"\x00" + text)
    # Non-ASCII at and around 16- and 32-byte boundaries, for word and vector paths.
    for at in (7, 8, 15, 16, 31, 32, 63):
        write("utf8", f"ascii_then_euro_at_{at}", b"\x00" + b"a" * at + "€".encode() + b"b" * 40)
        write("utf8", f"ascii_then_bad_at_{at}", b"\x00" + b"a" * at + b"\xe2\x28\xa1" + b"b" * 40)
    write("utf8", "ascii_4k_split", b"\x03\x10\x01\xff" + b"x" * 4000 + "é".encode())
    write("utf8", "mixed_split_1_2_3", b"\x03\x01\x02\x03" + "ascii κόσμε 🎵 €".encode() * 4)
    write("utf8", "emoji_split_every_byte", b"\x01\x01" + "🎵".encode() * 8)


# --- unmask: [mask, 4 bytes] [phase | offset << 2] [payload] ---

def unmask_seeds():
    for length in (0, 1, 3, 4, 7, 15, 16, 17, 63, 64, 65, 100, 200):
        for phase, offset in ((0, 0), (3, 6), (1, 13)):
            write("unmask", f"len_{length}_phase_{phase}_offset_{offset}",
                  MASK + bytes([phase | offset << 2]) + bytes((i * 7) & 0xFF for i in range(length)))


# --- line_splitter: [max_line - 4] [split count n] [n split lengths] [text] ---

def line_splitter_seeds():
    euro = "€".encode()
    write("line_splitter", "euro_line_over_4096", b"\xfc\x00" + euro * 100 + b"\n")  # max_line 256
    write("line_splitter", "euro_split_1_2_5", b"\x08\x03\x01\x02\x05" + euro * 20 + b"\nab\r\ncd")
    write("line_splitter", "mixed_lines_crlf", b"\x00\x00" + "ok\r\nκόσμε 🎵\n\n\rx\r".encode())
    write("line_splitter", "emoji_at_the_limit", b"\x01\x01\x03" + b"a" * 3 + "🎵".encode() * 10)
    write("line_splitter", "continuation_run", b"\x00\x00" + b"\x80" * 30 + b"\n\xf8\x88\x80\x80\x80")


# --- wav_header: the file's bytes ---

def wav(fmt_tag=1, channels=2, rate=48000, bits=16, data=b"\x00\x01" * 8, data_size=None, extra=b""):
    block = channels * bits // 8
    size = len(data) if data_size is None else data_size
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + extra + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wav_header_seeds():
    write("wav_header", "pcm16_stereo", wav())
    write("wav_header", "float32_mono", wav(3, 1, 44100, 32, b"\x00\x00\x80\x3f" * 4))
    write("wav_header", "pcm24_list_chunk", wav(1, 2, 96000, 24, b"\x01" * 12, extra=b"LIST\x03\x00\x00\x00abc\x00"))
    write("wav_header", "data_size_until_the_end", wav(data_size=0xFFFFFFFF))
    write("wav_header", "data_truncated", wav(data_size=1000))
    ext = struct.pack("<HHIIHHHHI", 0xFFFE, 2, 48000, 192000, 4, 16, 22, 16, 3) + struct.pack("<H", 1) + \
        bytes([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71])
    body = b"WAVEfmt " + struct.pack("<I", len(ext)) + ext + b"data" + struct.pack("<I", 8) + b"\x00" * 8
    write("wav_header", "extensible_pcm16", b"RIFF" + struct.pack("<I", len(body)) + body)


# --- config: the TOML text of a --config file ---

def config_seeds():
    example = (HERE.parent.parent / "packaging" / "levelcast.toml").read_bytes()
    write("config", "example", example)
    write("config", "every_kind", b'port=8080\nbind="0.0.0.0"\nworkers=2\nrate=50\n'
          b'source=["a=synth:channels=3", \'b=lines:echo "x"\']\nno-echo=false\n'
          b'log-format="json"\nmax-lag=0.25\nsummary-interval=60\n# pin-cpus=""\n')
    write("config", "bad_keys", b'port = 0\n[table]\nrate = "x"\nbogus = [1, 2]\n'
          b'source = ["a=exec:cat:format=f32le"]\n')
    write("config", "cluster_auth", b'cluster="redis://alice:p%40ss@w@[::1]:6380/2"\nnode-id="n1"\n'
          b'cluster-prefix="lc"\ncluster-timeout=3\n')


def bulk(data):
    return b"$%d\r\n%s\r\n" % (len(data), data)


def array(*items):
    return b"*%d\r\n" % len(items) + b"".join(items)


def batch(node, *records):
    """A cluster batch message (push/cluster/cluster_wire.hpp)."""
    out = b"LC1" + bytes([len(node)]) + node
    for kind, topic, epoch, seq, ts, json_text, binary in records:
        out += struct.pack("<BB", kind, len(topic)) + topic + struct.pack("<QQq", epoch, seq, ts)
        out += struct.pack("<I", len(json_text)) + json_text + struct.pack("<I", len(binary)) + binary
    return out


def cluster_seeds():
    snapshot = (1, b"synth", 7, 42, 1700000000000000, b'{"topic":"synth","seq":42}', b"\x01\x00" * 14)
    heartbeat = (3, b"mic", 7, 41, 1700000000000000, b"running", b"")
    message = batch(b"node-a", snapshot, heartbeat)
    write("cluster_reply", "batch", message)
    write("cluster_reply", "message_push", array(bulk(b"message"), bulk(b"lc:live"), bulk(message)))
    write("cluster_reply", "pong_push", array(bulk(b"pong"), bulk(b"")))
    entry = array(bulk(b"42-0"), array(bulk(b"t"), bulk(b"17"), bulk(b"e"), bulk(b"7"), bulk(b"j"), bulk(b"{}"),
                                       bulk(b"b"), bulk(b"\x01")))
    write("cluster_reply", "xrange", array(entry, entry))
    write("cluster_reply", "hgetall", array(*(bulk(x) for x in (b"node", b"A", b"kind", b"synth", b"rate", b"50",
                                                                b"channels", b"2", b"fields", b"rms,peak",
                                                                b"bands_hz", b"31.5,63", b"binary", b"1"))))
    write("cluster_reply", "lease", b":1\r\n$6\r\nnode-b\r\n-ERR no\r\n")
    write("cluster_reply", "smembers", array(bulk(b"synth"), bulk(b"a b"), b":3\r\n"))
    # hiredis 0.14 allocates what an array header announces: refused above 2^20 elements.
    write("cluster_reply", "huge_array", b"*1999999994\r\n$1\r\nA\r\n")


# --- jwt: [mode: 0 token, 1 payload (signed HS256), 2 base64url] [bytes] ---

JWT_SECRET = b"levelcast-fuzz-secret-0123456789abcdef"


def b64url(data):
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def hs256(header, payload, secret=JWT_SECRET):
    import hashlib
    import hmac
    signing_input = b64url(header) + b"." + b64url(payload)
    return signing_input + b"." + b64url(hmac.new(secret, signing_input, hashlib.sha256).digest())


def jwt_seeds():
    header = b'{"alg":"HS256","typ":"JWT"}'
    payload = b'{"exp":1900000000,"nbf":1600000000,"sub":"ops","topics":["mic","cam*"]}'
    write("jwt", "valid_hs256", b"\0" + hs256(header, payload))
    write("jwt", "expired_hs256", b"\0" + hs256(header, b'{"exp":1600000000}'))
    write("jwt", "alg_none", b"\0" + b64url(b'{"alg":"none"}') + b"." + b64url(payload) + b".")
    write("jwt", "crit", b"\0" + hs256(b'{"alg":"HS256","crit":["exp"]}', payload))
    write("jwt", "es256_kid", b"\0" + b64url(b'{"alg":"ES256","kid":"ec"}') + b"." +
          b64url(payload) + b"." + b64url(bytes(64)))
    write("jwt", "rs256_kid", b"\0" + b64url(b'{"alg":"RS256","kid":"rsa"}') + b"." +
          b64url(payload) + b"." + b64url(bytes(256)))
    write("jwt", "trailing", b"\0" + hs256(header, payload) + b".x")
    write("jwt", "signed_claims", b"\1" + payload)
    write("jwt", "signed_aud", b"\1" +
          b'{"exp":1900000000,"aud":["a","b"],"topics":["*"]}')
    write("jwt", "signed_dup", b"\1" + b'{"exp":1900000000,"exp":1}')
    write("jwt", "b64", b"\2" + b"eyJhbGciOiJIUzI1NiJ9")


def main():
    for target in ("http_request", "ws_reader", "utf8", "unmask", "line_splitter", "config", "jwt", "wav_header",
                   "cluster_reply"):
        shutil.rmtree(ROOT / target, ignore_errors=True)
        (ROOT / target).mkdir(parents=True)
    http_seeds()
    ws_seeds()
    utf8_seeds()
    unmask_seeds()
    line_splitter_seeds()
    config_seeds()
    jwt_seeds()
    wav_header_seeds()
    cluster_seeds()


if __name__ == "__main__":
    main()
