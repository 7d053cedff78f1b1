"""One measured run: start a server, point levelcast-load at it, stop it, judge the figures."""
import time
from dataclasses import dataclass

from . import procs

# A rate is sustained (issue 10) when every connection opened and none was dropped, at least
# MIN_DELIVERY of the snapshots due arrived, the reading clients saw no seq gap, and the p99
# latency stays within two periods plus LATENCY_SLACK_MS: a server that finishes each round
# within its period always meets that, one whose backlog grows does not. Messages per read is
# reported, never limited: snapshots that arrive together, earlier than they would have one by
# one, are not stale.
MIN_DELIVERY = 0.99
LATENCY_SLACK_MS = 50


def latency_bound_ms(rate):
    return 2000.0 / rate + LATENCY_SLACK_MS


@dataclass
class Config:
    duration: float = 8.0
    warmup: float = 2.0
    reps: int = 3
    quick: bool = False
    quiet_threshold: float = 0.2  # share of both CPUs others may use before a run waits
    max_wait: float = 60.0        # longest wait for a quiet machine before each run
    tag: str = ""
    points: tuple = ()            # tls-cpu: (connections, rate) pairs instead of its defaults


def judge(report, connections, rate):
    """(passed, reason) for a fanout run, by the criterion above."""
    if not report:
        return False, "no report"
    failed = report["connect_failed"] + report["handshake_failed"] + report["not_started"]
    if report["opened"] < connections or failed:
        return False, f"{report['opened']} of {connections} opened"
    if report["dropped"]:
        return False, f"{report['dropped']} connections dropped"
    if (report.get("delivery_ratio") or 0) < MIN_DELIVERY:
        return False, f"delivery {report.get('delivery_ratio') or 0:.2%}"
    if report.get("seq_gaps"):
        return False, f"{report['seq_gaps']} seq gaps"
    if (report.get("latency_p99_ms") or 1e9) > latency_bound_ms(rate):
        return False, f"p99 {report.get('latency_p99_ms')} ms over {latency_bound_ms(rate):.0f}"
    return True, "ok"


def client_note(report):
    """How busy levelcast-load was: its CPU, and SATURATED when it may be the ceiling."""
    report = report or {}
    text = f"client {report.get('client_cpu_percent') or 0:.0f}%"
    return text + (" SATURATED" if report.get("client_saturated") else "")


def core_note(record):
    """The server core in the window, when sampled: its softirq share, and what was left over,
    idle or taken by niced work (others' builds yield to the server, which runs at nice -10,
    so that share is what the server did not need)."""
    core = record.get("server_core")
    if not core:
        return ""
    return (f" (core: {core['softirq']:.0%} softirq, "
            f"{core['idle'] + core['nice']:.0%} idle or niced)")


def describe(record):
    load = record.get("load") or {}
    server = load.get("server") or {}
    verdict = "pass" if record.get("pass") else f"FAIL ({record.get('why')})"
    counters = record.get("server_counters") or {}
    if counters.get("frames_skipped_total") or counters.get("messages_dropped_total"):
        verdict += (f" [server skipped {counters.get('frames_skipped_total'):.0f} frames, "
                    f"replaced {counters.get('messages_dropped_total'):.0f}]")
    return (f"{record['system']:<17} N={record['n']:<6} {record['rate']:>6g} Hz rep {record['rep']}: "
            f"{load.get('rate_per_s') or 0:>9.0f}/s deliv {load.get('delivery_ratio') or 0:6.2%} "
            f"gaps {load.get('seq_gaps')} {load.get('messages_per_read') or 0:.2f}/read p50 {load.get('latency_p50_ms') or 0:.2f} "
            f"p99 {load.get('latency_p99_ms') or 0:.2f} ms | server {server.get('cpu_us_per_message') or 0:.2f} us "
            f"{server.get('cpu_s_per_s') or 0:.2f} s/s{core_note(record)} | {client_note(load)} "
            f"| load avg "
            f"{record.get('loadavg', '?')} | {verdict}")


# Where a levelcast run's seq gaps come from: frames a worker skipped past --max-lag, or
# snapshots replaced for a subscriber past its queued-frames bound.
COUNTERS = ("frames_skipped_total", "messages_dropped_total", "messages_sent_total")


def server_counters(port):
    from .limits import http_get, metric  # limits imports this module
    try:
        text = http_get(port, "/metrics")
    except OSError:
        return None
    return {name: metric(text, f"levelcast_{name}") for name in COUNTERS}


def measured_run(system, cfg, mode, connections, rate, rep, load_extra=(), server_more=(),
                 connect_rate=None, before=None, probe_fn=None, after=None, path=None,
                 source_ips=None):
    """Starts `system` at `rate`, runs levelcast-load in `mode` against it, stops the server.
    Hooks, each given the server: `before` runs before the load and returns sockets to close
    after it; `probe_fn` runs once the load has its connections open; `after` once the load is
    done. The results of the last two are recorded as "probe" and "after"."""
    record = {"system": system.name, "mode": mode, "n": connections, "rate": rate, "rep": rep,
              "started": time.strftime("%H:%M:%S")}
    record["background"] = procs.wait_for_quiet(cfg.quiet_threshold, cfg.max_wait)
    record["loadavg"] = procs.loadavg()
    record["levelcast_built"] = procs.binaries()["levelcast"]
    began = time.monotonic()
    if system.kind == "node" and mode == "fanout":
        # Node saturated by broadcasting cannot finish the handshakes in time (no figures at
        # all); it starts its schedule once every connection is open. levelcast and the floor
        # broadcast from the start: this favours Node, never levelcast.
        server_more = (*server_more, "--start-at-clients", str(connections))
    server = system.start(rate, server_more)
    try:
        record["rss_idle_kib"] = server.rss_kib()
        argv = procs.load_argv(mode, server.port, connections, cfg.duration, cfg.warmup,
                               pid=server.pid, expect_rate=rate if mode == "fanout" else None,
                               path=path or (system.path if mode == "fanout" else None),
                               connect_rate=connect_rate, source_ips=source_ips,
                               extra=load_extra)
        timeout = procs.load_timeout(connections, cfg.duration, cfg.warmup, connect_rate)
        limit = procs.setup_limit(connections) if mode == "fanout" else None
        kept = before(server) if before else None
        try:
            core = procs.CoreSampler(procs.SERVER_CPU, cfg.warmup, cfg.duration)

            def on_setup():
                core.start()
                return probe_fn(server) if probe_fn else None

            report, status, err, probe = procs.run_load(argv, timeout, limit, on_setup)
            record["server_core"] = core.result()
        finally:
            for sock in kept or ():
                sock.close()
        if probe is not None:
            record["probe"] = probe
        record["rss_after_kib"] = server.rss_kib()
        if system.kind == "levelcast":
            record["server_counters"] = server_counters(server.port)
        if after:
            record["after"] = after(server)
    finally:
        record["server_output"] = server.stop()
    record["load"] = report
    record["load_status"] = status
    if status != 0:
        record["load_stderr"] = err
    record["wall_s"] = round(time.monotonic() - began, 1)
    if mode == "fanout":
        record["pass"], record["why"] = judge(report, connections, rate)
        record["client_saturated"] = bool((report or {}).get("client_saturated"))
        procs.log(describe(record))
    return record
