"""The limits suites: 19,000 connections and the 503 at --max-connections, and slow consumers
(subscribers that never read) beside 10,000 that do."""
import base64
import os
import re
import socket
import time

from . import report
from .runner import measured_run
from .systems import LEVELCAST_URING, System
from .targets import alternate, document_for


def upgrade(port, path="/levels", timeout=5.0, source="127.0.0.1", rcvbuf=None):
    """Sends one upgrade request from `source`; returns (the reply's status line, the socket).
    With rcvbuf, a slow consumer: a receive buffer that small and a 536-byte MSS, because over
    loopback's 64 KiB MSS the server's send buffer grows to 4 MiB and a never-reading socket
    would take an hour to fill at 10 Hz; with 536 bytes it fills in about 40 s."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    if rcvbuf:
        return None, sock  # a slow consumer: it never reads, not even the 101
    reply = b""
    try:
        while b"\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    except OSError as error:
        return f"error: {error}", sock
    return reply.split(b"\r\n")[0].decode(errors="replace"), sock


def http_get(port, path, timeout=5.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply.decode(errors="replace")


def metric(text, name):
    match = re.search(rf"^{name}(?:{{[^}}]*}})?\s+([0-9.e+]+)$", text, re.M)
    return float(match.group(1)) if match else None


def max_connections(cfg, connections=19000):
    """19,000 subscribers on one levelcast (fd limit 20,000) with --max-connections 19000; one
    more connection during the window must get a 503, and once the load has left, a new
    upgrade must get a 101 again."""
    short = type(cfg)(**{**cfg.__dict__, "duration": 5.0, "warmup": 1.0})

    def probe(server):
        time.sleep(0.5)
        status, sock = upgrade(server.port, source="127.0.0.9")
        sock.close()
        return {"over_limit_status": status, "rss_kib_with_all_open": server.rss_kib()}

    def after(server):
        time.sleep(1)  # the load client's closes settle
        status, sock = upgrade(server.port)
        sock.close()
        return {"status_after_load_left": status}

    runs = alternate(cfg, [LEVELCAST_URING], lambda system, rep: measured_run(
        system, short, "fanout", connections, 1, rep,
        server_more=("--max-connections", str(connections)),
        probe_fn=probe, after=after))
    summary = {
        "opened": [(r.get("load") or {}).get("opened") for r in runs],
        "failed": [sum((r.get("load") or {}).get(k, 0) for k in
                       ("connect_failed", "handshake_failed", "not_started")) for r in runs],
        "over_limit_status": [(r.get("probe") or {}).get("over_limit_status") for r in runs],
        "status_after_load_left": [(r.get("after") or {}).get("status_after_load_left")
                                   for r in runs],
        "rss_mib_with_all_open": report.stats(
            [((r.get("probe") or {}).get("rss_kib_with_all_open") or 0) / 1024 for r in runs]),
        "server_cpu_s_per_s_at_1hz": report.stats([report.server_cpu(r) for r in runs]),
    }
    return document_for("max-connections", cfg, {"connections": connections,
                                                  "max_connections_option": connections}, runs,
                        summary)


def slow_consumers(cfg, connections=10000, rate=10, slow=100, close_after=2):
    """10,000 subscribers that read, alone and beside 100 that never read (a 4 KiB receive
    buffer, not even the 101 read), with and without --slow-close-after: delivery, p99 and the
    server's RSS."""
    base = LEVELCAST_URING
    # Long enough a warm-up that the slow ones' buffers are full (or closed) before the window.
    cfg = type(cfg)(**{**cfg.__dict__, "warmup": max(cfg.warmup, 4.0)})
    conditions = [
        (System("alone", "levelcast", base.options, "10,000 readers"), 0),
        (System("with-slow", "levelcast", base.options, f"+ {slow} that never read"), slow),
        (System("with-slow-closed", "levelcast",
                base.options + ("--slow-close-after", str(close_after)),
                f"+ {slow} that never read, --slow-close-after {close_after}"), slow),
    ]
    slow_of = {system.name: count for system, count in conditions}

    def open_slow(server, count, close_after_s):
        """Opens the slow ones and waits until the server holds a replaced snapshot for each
        (their kernel buffers are full), and with --slow-close-after until it has closed them."""
        sockets = [upgrade(server.port, source="127.0.0.7", rcvbuf=4096)[1]
                   for _ in range(count)]
        began = time.monotonic()
        while count and time.monotonic() - began < 70:
            time.sleep(1)
            if (metric(http_get(server.port, "/metrics"), "levelcast_messages_dropped_total")
                    or 0) >= count:
                break
        filled = time.monotonic() - began
        if count and close_after_s:
            time.sleep(close_after_s + 2)
        text = http_get(server.port, "/metrics")
        server.slow_setup = {"fill_s": round(filled, 1),
                             "connections_before_load": metric(text, "levelcast_connections"),
                             "dropped_before_load": metric(text, "levelcast_messages_dropped_total")}
        return sockets

    def after(server):
        text = http_get(server.port, "/metrics")
        figures = {name: metric(text, f"levelcast_{name}") for name in
                   ("connections", "messages_dropped_total", "messages_sent_total")}
        return {**figures, **getattr(server, "slow_setup", {})}

    def one(system, rep):
        count = slow_of[system.name]
        close_after_s = close_after if "--slow-close-after" in system.options else 0
        return measured_run(system, cfg, "fanout", connections, rate, rep, after=after,
                            before=lambda s: open_slow(s, count, close_after_s))

    runs = alternate(cfg, [system for system, _ in conditions], one)
    figures = dict(report.FANOUT_FIGURES)
    figures["rss_window_start_mib"] = lambda r: ((r.get("load") or {}).get("server") or {}).get(
        "rss_start_mib")
    figures["rss_window_end_mib"] = lambda r: ((r.get("load") or {}).get("server") or {}).get(
        "rss_end_mib")
    figures["rss_after_mib"] = lambda r: (r.get("rss_after_kib") or 0) / 1024
    figures["dropped_during_load"] = lambda r: (
        ((r.get("after") or {}).get("messages_dropped_total") or 0)
        - ((r.get("after") or {}).get("dropped_before_load") or 0))
    summary = {system.name: {name: report.stats([f(r) for r in runs
                                                 if r["system"] == system.name])
                             for name, f in figures.items()} for system, _ in conditions}
    return document_for("slow-consumers", cfg,
                        {"connections": connections, "rate_hz": rate, "slow": slow,
                         "slow_close_after_s": close_after,
                         "conditions": {s.name: s.label for s, _ in conditions}}, runs, summary)


def latency_series(port, seconds, source="127.0.0.11"):
    """One extra subscriber that reads for `seconds` and returns, per second, how many snapshots
    it got and their median latency (now - ts) in ms: whether a server falls further behind."""
    status, sock = upgrade(port, source=source)
    if "101" not in (status or ""):
        sock.close()
        return {"status": status}
    sock.settimeout(1.0)
    buffer, series, began = b"", {}, time.time()
    while time.time() - began < seconds:
        try:
            chunk = sock.recv(65536)
        except OSError:
            continue
        if not chunk:
            break
        buffer += chunk
        for match in re.finditer(rb'"ts":(\d+),', buffer):
            second = int(time.time() - began)
            series.setdefault(second, []).append(time.time() * 1e3 - int(match.group(1)) / 1e3)
        buffer = buffer[buffer.rfind(b"}") + 1:] if b"}" in buffer else buffer
    sock.close()
    return {"per_second": [[s, len(v), round(sorted(v)[len(v) // 2], 1)]
                           for s, v in sorted(series.items())]}


def backlog(cfg, connections=5000, rate=40):
    """Above every system's capacity: does latency stay bounded (ticks skipped or snapshots
    replaced) or grow for as long as the overload lasts (every snapshot queued)? An extra
    subscriber records its latency second by second through the window. levelcast runs with
    its default --max-lag (0.25 s) and with 0.05 s."""
    from .systems import FLOOR_URING, LEVELCAST_SEND, NODE_RAW
    short_lag = System("levelcast-lag-0.05", "levelcast", LEVELCAST_URING.options +
                       ("--max-lag", "0.05"), "levelcast (io_uring, 1 worker), --max-lag 0.05")
    systems = [LEVELCAST_URING, short_lag, LEVELCAST_SEND, FLOOR_URING, NODE_RAW]
    seconds = cfg.warmup + cfg.duration

    runs = alternate(cfg, systems, lambda system, rep: measured_run(
        system, cfg, "fanout", connections, rate, rep,
        probe_fn=lambda server: latency_series(server.port, seconds)))
    summary = {s.name: {
        "p50_ms": report.stats([report.p50_ms(r) for r in runs if r["system"] == s.name]),
        "delivery_ratio": report.stats([report.delivery(r) for r in runs
                                        if r["system"] == s.name]),
        "probe_per_second": [(r.get("probe") or {}).get("per_second") for r in runs
                             if r["system"] == s.name],
    } for s in systems}
    return document_for("backlog", cfg, {"connections": connections, "rate_hz": rate}, runs,
                        summary)
