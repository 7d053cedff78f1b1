"""Group 6: UTF-8 in text messages (RFC 6455 5.6 and 8.1, RFC 3629).

6.1-6.4 are written out: empty and fragmented text, code points split across
fragments, fail-fast inside and across frames. 6.5-6.23 send one sample each, taken
from the sections of Markus Kuhn's UTF-8 decoder stress test: valid samples must be
echoed, invalid ones closed with 1007. 6.24 sends each invalid sample that is already
hopeless before the message ends as an unfinished fragment and expects 1007 without
the rest (fail fast). `viable_prefix` encodes Unicode Table 3-7, and the sample
table is checked against Python's strict decoder when this module loads.
"""
from case import binary, chopped, closes, cont, echo, text, ws_case
from wire import BINARY, TEXT

KOSME = bytes.fromhex("cebae1bdb9cf83cebcceb5")      # "κόσμε"
HELLO = "Hello-µ@ßöäüàá-UTF-8!!".encode()
BROKEN = KOSME + bytes.fromhex("eda080") + b"edited"  # a lone surrogate inside
TREE = "𤭢".encode()                                   # U+24B62, four bytes


def h(hexes):
    return [bytes.fromhex(x) for x in hexes.split()]


def utf8(code_points):
    return [chr(cp).encode() for cp in code_points]


LAST_BYTE_MISSING = h("c0 e080 f08080 f8808080 fc80808080 df efbf f7bfbf fbbfbfbf fdbfbfbfbf")
HIGH, LOW = h("eda080 edadbf edae80 edafbf"), h("edb080 edbfbf")
NONCHARACTERS = utf8([0xFFFE, 0xFFFF] + [plane << 16 | low for plane in range(1, 17)
                                         for low in (0xFFFE, 0xFFFF)])

# (title, samples, valid); valid None: decided per sample by Python's strict decoder
SECTIONS = [
    ("valid sample", [b"hello$world", "hello¢world".encode(), "hello€world".encode(),
                      b"hello" + TREE + b"world", KOSME], True),
    ("prefix of kosme", [KOSME[:i] for i in range(1, len(KOSME) + 1)], None),
    ("first sequence of its length", h("00 c280 e0a080 f0908080"), True),
    ("first 5/6-byte sequence (beyond Unicode)", h("f888808080 fc8480808080"), False),
    ("last sequence of its length", h("7f dfbf efbfbf f48fbfbf"), True),
    ("last 4/5/6-byte sequence (beyond Unicode)", h("f7bfbfbf fbbfbfbfbf fdbfbfbfbfbf"), False),
    ("boundary U+D7FF, U+E000, U+FFFD, U+10FFFF, U+110000",
     h("ed9fbf ee8080 efbfbd f48fbfbf f4908080"), None),
    ("unexpected continuation bytes", h("80 bf 80bf 80bf80 80bf80bf 80bf80bf80 80bf80bf80bf")
     + [bytes(range(0x80, 0xC0))], False),
    ("lonely start bytes, each followed by a space",
     [b"".join(bytes([b, 0x20]) for b in range(lo, hi + 1))
      for lo, hi in ((0xC0, 0xDF), (0xE0, 0xEF), (0xF0, 0xF7), (0xF8, 0xFB), (0xFC, 0xFD))],
     False),
    ("sequence missing its last byte", LAST_BYTE_MISSING, False),
    ("concatenated incomplete sequences", [b"".join(LAST_BYTE_MISSING)], False),
    ("impossible bytes", h("fe ff fefeffff"), False),
    ("overlong '/'", h("c0af e080af f08080af f8808080af fc80808080af"), False),
    ("maximum overlong", h("c1bf e09fbf f08fbfbf f887bfbfbf fc83bfbfbfbf"), False),
    ("overlong NUL", h("c080 e08080 f0808080 f880808080 fc8080808080"), False),
    ("single UTF-16 surrogate", h("eda080 edadbf edae80 edafbf edb080 edbe80 edbfbf"), False),
    ("paired UTF-16 surrogates", [hi + lo for hi in HIGH for lo in LOW], False),
    ("noncharacter (valid UTF-8)", NONCHARACTERS, True),
    ("special U+FFF9..U+FFFF", utf8(range(0xFFF9, 0x10000)), True),
]
FIRST_TABLE_SECTION = 5

# First byte ranges and the range allowed for the byte after it (Unicode Table 3-7).
LEADS = [((0xC2, 0xDF), 1, (0x80, 0xBF)), ((0xE0, 0xE0), 2, (0xA0, 0xBF)),
         ((0xE1, 0xEC), 2, (0x80, 0xBF)), ((0xED, 0xED), 2, (0x80, 0x9F)),
         ((0xEE, 0xEF), 2, (0x80, 0xBF)), ((0xF0, 0xF0), 3, (0x90, 0xBF)),
         ((0xF1, 0xF3), 3, (0x80, 0xBF)), ((0xF4, 0xF4), 3, (0x80, 0x8F))]


def lead(byte):
    return next(((need, second) for (lo, hi), need, second in LEADS if lo <= byte <= hi),
                None)


def viable_prefix(data):
    """True while `data` can still be the start of valid UTF-8."""
    i = 0
    while i < len(data):
        if data[i] < 0x80:
            i += 1
            continue
        rule = lead(data[i])
        if rule is None:
            return False
        need, (lo, hi) = rule
        for k, byte in enumerate(data[i + 1:i + 1 + need]):
            if not (lo <= byte <= hi if k == 0 else 0x80 <= byte <= 0xBF):
                return False
        i += need + 1
    return True


def is_valid(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def table():
    """[(section number, title, sample, valid)], validated against Python's decoder."""
    rows = []
    for number, (title, samples, valid) in enumerate(SECTIONS, FIRST_TABLE_SECTION):
        for sample in samples:
            ok = is_valid(sample) if valid is None else valid
            assert ok == is_valid(sample), f"table says {ok} for {sample.hex()}"
            assert viable_prefix(sample) or not ok, sample.hex()
            rows.append((number, title, sample, ok))
    return rows


def sample_cases():
    cases, counters, fail_fast = [], {}, 0
    for number, title, sample, ok in table():
        counters[number] = counters.get(number, 0) + 1
        shown = sample.hex() if len(sample) <= 12 else f"{sample[:6].hex()}...({len(sample)} B)"
        outcome = echo(TEXT, sample) if ok else closes(1007)
        cases.append(ws_case(f"6.{number}.{counters[number]}", f"{title}: {shown}",
                             text(sample), outcome))
        if not ok and not viable_prefix(sample):
            fail_fast += 1
            cases.append(ws_case(f"6.24.{fail_fast}", f"fail fast, unfinished message: {shown}",
                                 text(sample, fin=False), closes(1007)))
    return cases


def fragments_of(data, size):
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    return b"".join(text(c, fin=False) if i == 0 else cont(c, fin=i == len(chunks) - 1)
                    for i, c in enumerate(chunks))


def split_text(data, at):
    return text(data[:at], fin=False) + cont(data[at:])


def written_cases():
    whole = text(BROKEN)
    return [
        ws_case("6.1.1", "empty text message", text(b""), echo(TEXT, b"")),
        ws_case("6.1.2", "empty fragments around valid text",
                text(b"", fin=False) + cont(KOSME, fin=False) + cont(b""), echo(TEXT, KOSME)),
        ws_case("6.2.1", "multi-byte text in one frame", text(HELLO), echo(TEXT, HELLO)),
        ws_case("6.2.2", "multi-byte text split on code points", split_text(HELLO, 8),
                echo(TEXT, HELLO)),
        ws_case("6.2.3", "multi-byte text in one-byte fragments", fragments_of(HELLO, 1),
                echo(TEXT, HELLO)),
        ws_case("6.2.4", "kosme in one-byte fragments", fragments_of(KOSME, 1),
                echo(TEXT, KOSME)),
        ws_case("6.2.5", "4-byte code point split 1|3", split_text(TREE, 1), echo(TEXT, TREE)),
        ws_case("6.2.6", "4-byte code point split 2|2", split_text(TREE, 2), echo(TEXT, TREE)),
        ws_case("6.2.7", "4-byte code point split 3|1", split_text(TREE, 3), echo(TEXT, TREE)),
        ws_case("6.2.8", "2-byte code point split, sent byte by byte",
                chopped(split_text("κ".encode(), 1)), echo(TEXT, "κ".encode())),
        ws_case("6.3.1", "lone surrogate in one frame", text(BROKEN), closes(1007)),
        ws_case("6.3.2", "lone surrogate in one-byte fragments", fragments_of(BROKEN, 1),
                closes(1007)),
        ws_case("6.4.1", "fail fast: U+110000 fragment, rest never sent",
                text(KOSME, fin=False), cont(bytes.fromhex("f4908080"), fin=False),
                closes(1007)),
        ws_case("6.4.2", "fail fast: f4 ends one fragment, 90 starts the next",
                text(KOSME + b"\xf4", fin=False), cont(b"\x90", fin=False), closes(1007)),
        ws_case("6.4.3", "fail fast inside one frame whose payload is cut short",
                whole[:6 + len(KOSME) + 2], closes(1007)),
        ws_case("6.4.4", "fail fast inside one frame, bad byte sent alone",
                whole[:6 + len(KOSME) + 1], whole[6 + len(KOSME) + 1:6 + len(KOSME) + 2],
                closes(1007)),
        ws_case("6.4.5", "sequence cut off at the end of the message", text(b"\xce"),
                closes(1007)),
        ws_case("6.4.6", "sequence cut off by an empty final fragment",
                text(b"\xe2\x82", fin=False) + cont(b""), closes(1007)),
        ws_case("6.4.7", "binary messages are not UTF-8 checked", binary(BROKEN),
                echo(BINARY, BROKEN)),
    ]


CASES = written_cases() + sample_cases()
