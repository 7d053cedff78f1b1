"""The TLS suites of issue 12: levelcast over wss:// against itself over ws:// and against Node
ws over https, the systems taking turns as everywhere else. Certificates (ECDSA P-256) are
made once per suite with the openssl command (tests/tls/make-test-ca).

    tls-cpu        server CPU per delivery at 1,000 (100 Hz) and 10,000 (10 Hz) connections
                   (--points 1000x30,10000x3: other points, for a machine those saturate)
    tls-idle-rss   RSS growth per idle connection, 10,000 connections, TLS and plain
    tls-handshake  full TLS 1.3 handshakes (ECDSA P-256) and resumed ones, unpaced, per second
                   and server CPU per handshake
    tls-storm      broadcast p99 at 1,000 TLS subscribers, 100 Hz, while 500 new TLS clients/s
                   connect (a second levelcast-load, connect mode), against the same without
"""
import subprocess
import tempfile

from . import procs, report
from .runner import measured_run
from .systems import LEVELCAST_URING, System
from .targets import (alternate, by_system, document_for, rss_growth_run,
                      server_cpu_per_operation)

MAKE_TEST_CA = procs.REPO / "tests" / "tls" / "make-test-ca"
_ca_dir = None


def certificates():
    """(cert, key) of the ECDSA P-256 test certificate, made once per process."""
    global _ca_dir
    if _ca_dir is None:
        _ca_dir = tempfile.TemporaryDirectory(prefix="levelcast-bench-tls-")
        subprocess.run([str(MAKE_TEST_CA), _ca_dir.name], check=True, timeout=60)
    return f"{_ca_dir.name}/ec.pem", f"{_ca_dir.name}/ec.key"


def tls_systems():
    cert, key = certificates()
    tls_options = ("--no-plain", "--tls-port", "0", "--tls-cert", cert, "--tls-key", key)
    levelcast_tls = System("levelcast-tls", "levelcast",
                           ("--workers", "1", "--pin-cpus", "0", *tls_options),
                           "levelcast over TLS (io_uring, 1 worker)")
    node_https = System("node-https", "node", ("--tls-cert", cert, "--tls-key", key),
                        "Node ws over https, client.send() loop")
    return LEVELCAST_URING, levelcast_tls, node_https


def load_extra(system):
    return ("--tls",) if system.name != "levelcast" else ()


def fanout_figures():
    return {"server_cpu_us": report.cpu_us_per_message, "server_cpu_s_per_s": report.server_cpu,
            "delivered": report.delivery, "p50_ms": report.p50_ms, "p99_ms": report.p99_ms,
            "client_cpu_percent": report.client_cpu_percent}


def tls_cpu(cfg):
    systems = list(tls_systems())
    out = {}
    runs_all = []
    points = cfg.points or ((1000, 100), (10000, 10))
    for connections, rate in points:
        runs = alternate(cfg, systems, lambda s, rep: measured_run(
            s, cfg, "fanout", connections, rate, rep, load_extra=load_extra(s)))
        runs_all += runs
        summary = by_system(runs, systems, fanout_figures())
        lc = [r for r in runs if r["system"] == "levelcast-tls"]
        summary["ratios"] = {
            f"levelcast-tls/{other}": {
                "cpu_of_medians": report.ratio(report.median(summary["levelcast-tls"]["server_cpu_us"]),
                                               report.median(summary[other]["server_cpu_us"])),
                "cpu_paired": report.paired_ratios(lc, [r for r in runs if r["system"] == other],
                                                   report.cpu_us_per_message),
            } for other in ("levelcast", "node-https")}
        out[f"{connections}x{rate:g}"] = summary
    return document_for("tls-cpu", cfg, {"points": [f"{n}x{r:g}" for n, r in points]}, runs_all, out)


def tls_idle_rss(cfg, connections=10000, rate=0.2):
    systems = list(tls_systems()[:2])
    runs = alternate(cfg, systems, lambda s, rep: rss_growth_run(s, cfg, connections, rate, rep,
                                                                 load_extra(s)))
    summary = {s.name: {"rss_growth_kib_per_connection": report.stats(
        [r.get("rss_growth_kib_per_connection") for r in runs if r["system"] == s.name]),
        "opened": report.stats([(r.get("load") or {}).get("opened") for r in runs
                                if r["system"] == s.name])} for s in systems}
    summary["tls_minus_plain_kib"] = round(
        report.median(summary["levelcast-tls"]["rss_growth_kib_per_connection"])
        - report.median(summary["levelcast"]["rss_growth_kib_per_connection"]), 3)
    return document_for("tls-idle-rss", cfg, {"connections": connections, "rate_hz": rate},
                        runs, summary)


def tls_handshakes(cfg, slots=64):
    """Unpaced connect mode (connect, TLS, upgrade, close) with 64 concurrent slots: the server's
    core saturates, so handshakes/s is its capacity; resumed ones offer the last ticket."""
    _, levelcast_tls, _ = tls_systems()
    full = System("full", levelcast_tls.kind, levelcast_tls.options, "full TLS 1.3 handshakes")
    resumed = System("resumed", levelcast_tls.kind, levelcast_tls.options, "resumed (tickets)")
    systems = [full, resumed]
    runs = alternate(cfg, systems, lambda s, rep: measured_run(
        s, cfg, "connect", slots, 1, rep, source_ips=8,
        load_extra=("--tls", "--tls-resume") if s.name == "resumed" else ("--tls",)))
    figures = {"handshakes_per_s": report.delivered_per_s,
               "server_cpu_us_per_handshake": server_cpu_per_operation,
               "server_cpu_s_per_s": report.server_cpu,
               "client_cpu_percent": report.client_cpu_percent,
               "resumed": lambda r: (r.get("load") or {}).get("tls_resumed"),
               "p99_ms": report.p99_ms}
    return document_for("tls-handshake", cfg, {"slots": slots}, runs,
                        by_system(runs, systems, figures))


class _Storm:
    """A second levelcast-load connecting TLS clients at `rate`/s for the whole run; close()
    stops it by its PID (measured_run closes what `before` returned)."""

    def __init__(self, port, rate, seconds):
        argv = [*procs.load_argv("connect", port, 64, seconds, 0, connect_rate=rate,
                                 extra=("--tls",))]
        self.proc = procs.spawn(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def tls_storm(cfg, connections=1000, rate=100, storm_rate=500):
    _, levelcast_tls, _ = tls_systems()
    quiet = System("no-storm", levelcast_tls.kind, levelcast_tls.options, "1,000 TLS subscribers")
    storm = System("storm", levelcast_tls.kind, levelcast_tls.options,
                   f"the same, {storm_rate} new TLS clients/s")
    systems = [quiet, storm]
    seconds = cfg.duration + cfg.warmup + 20

    def one(system, rep):
        before = (lambda server: [_Storm(server.port, storm_rate, seconds)]) if system.name == "storm" else None
        return measured_run(system, cfg, "fanout", connections, rate, rep, load_extra=("--tls",),
                            before=before)

    runs = alternate(cfg, systems, one)
    summary = by_system(runs, systems, {**fanout_figures(),
                                        "tls_handshakes": lambda r: None})
    summary["p99_storm_over_quiet"] = {
        "of_medians": report.ratio(report.median(summary["storm"]["p99_ms"]),
                                   report.median(summary["no-storm"]["p99_ms"])),
        "paired": report.paired_ratios([r for r in runs if r["system"] == "storm"],
                                       [r for r in runs if r["system"] == "no-storm"], report.p99_ms)}
    return document_for("tls-storm", cfg, {"connections": connections, "rate_hz": rate,
                                           "storm_connects_per_s": storm_rate}, runs, summary)
