"""Group 11: keep-alive (RFC 6455 5.5.2, 7.1.1), on the "keepalive" server, which runs
with a short --ping-interval and --idle-timeout.

The server pings every ping interval; a client that sends nothing at all (not even a
pong) for the idle timeout is closed with 1001, and if it does not answer that close
either, TCP ends after the close timeout. Any client traffic keeps it open.
"""
import time

from case import MARGIN, Case, Fail, echo, expect_eof, next_frame, open_ws
from wire import CLOSE, PING, PONG, TEXT, Eof, Reset, Timeout, frame

SERVER = "keepalive"


def keepalive_case(case_id, title, body, route="/echo"):
    def run(env):
        info = env.server(SERVER)
        conn = open_ws(info, route)
        try:
            body(conn, info)
        finally:
            conn.close()

    return Case(case_id, title, run, SERVER)


def gets_ping(conn, info):
    deadline = time.monotonic() + 2 * info.seconds("ping-interval", 1) + MARGIN
    f = next_frame(conn, deadline, keep=(PING,))
    if f.opcode != PING:
        raise Fail(f"got {f.describe()}")


def closed_when_silent(conn, info):
    """Read without answering anything until the 1001 close (then expect the end of TCP
    within the close timeout) or the end of TCP."""
    deadline = time.monotonic() + (info.seconds("idle-timeout", 3)
                                   + info.seconds("close-timeout", 1) + MARGIN)
    while True:
        try:
            f = conn.read_frame(deadline)
        except (Eof, Reset):
            return
        except Timeout:
            raise Fail("got no close and TCP stayed open past idle + close timeout") from None
        if f.opcode == CLOSE:
            if f.close_code() != 1001:
                raise Fail(f"got {f.describe()}")
            expect_eof(conn, info, f.describe())
            return


def stays_open(conn, info, answer):
    """For twice the idle timeout, hand every server ping to `answer`; then an echo
    must still work."""
    end = time.monotonic() + 2 * info.seconds("idle-timeout", 3)
    while time.monotonic() < end:
        try:
            f = conn.read_frame(end)
        except Timeout:
            break
        except (Eof, Reset):
            raise Fail("got the connection ended while the client was active") from None
        if f.opcode == CLOSE:
            raise Fail(f"got {f.describe()} while the client was active")
        if f.opcode == PING:
            answer(conn, f)
    conn.send(frame(TEXT, b"still here"))
    echo(TEXT, b"still here")(conn, info)


def answers_pongs(conn, info):
    stays_open(conn, info, lambda c, ping: c.send(frame(PONG, ping.payload)))


def sends_data(conn, info):
    def tick(c, ping):
        c.send(frame(TEXT, b"tick"))
        echo(TEXT, b"tick")(c, info)
    stays_open(conn, info, tick)


CASES = [
    keepalive_case("11.1", "server pings an idle /echo client -> ping", gets_ping),
    keepalive_case("11.2", "server pings an idle /levels client -> ping", gets_ping,
                   route="/levels"),
    keepalive_case("11.3", "client silent past --idle-timeout -> 1001, TCP ends",
                   closed_when_silent),
    keepalive_case("11.4", "/levels client silent past --idle-timeout -> 1001, TCP ends",
                   closed_when_silent, route="/levels"),
    keepalive_case("11.5", "client answering pings past 2x idle timeout -> stays open",
                   answers_pongs),
    keepalive_case("11.6", "client sending data, no pongs, past 2x idle timeout -> stays open",
                   sends_data),
]
