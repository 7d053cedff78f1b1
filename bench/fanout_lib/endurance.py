"""Issue 11's endurance suites, run once each against levelcast (io_uring, one worker):

- soak: 10,000 subscribers at 10 Hz for 10 minutes. Passes when every snapshot arrives in
  order (zero seq gaps, >= 99 % delivered) and the server's RSS at the end of the window is
  within 1 % of its RSS at the start (after the warm-up); RSS and fds sampled every 15 s.
- churn: 1,000 connects/s for 60 s (levelcast-load --mode connect: 64 slots each connecting,
  upgrading to /levels and closing with 1000), the server broadcasting at 10 Hz. The baseline
  is taken after a WARM_S s churn of the same kind (the first connections size the allocator's
  arenas and the server's pools once; the figures before it are recorded too). Passes when, once
  the load has gone, the server's fds are back to the baseline and its RSS is within
  RSS_SLACK_KIB of it.
"""
import time

from . import procs
from .runner import measured_run
from .systems import LEVELCAST_URING
from .targets import document_for

SAMPLE_EVERY_S = 15
RSS_DRIFT_LIMIT = 0.01
RSS_SLACK_KIB = 2048  # allocator pages kept after 60,000 connections: a bound, not a leak
SETTLE_S = 20
WARM_S = 5


def sampler(server, seconds):
    """[[t, rss KiB, fds], ...] every SAMPLE_EVERY_S s for `seconds`, the last at the end."""
    began, series = time.monotonic(), []
    while True:
        elapsed = time.monotonic() - began
        series.append([round(elapsed), server.rss_kib(), procs.fd_count(server.pid)])
        if elapsed >= seconds:
            return series
        time.sleep(min(SAMPLE_EVERY_S, max(0.0, seconds - elapsed)))


def soak(cfg, connections=10000, rate=10, minutes=10.0):
    soak_cfg = type(cfg)(**{**cfg.__dict__, "duration": minutes * 60, "warmup": 10.0, "reps": 1})
    # The sampler ends with the window, so that the load's report waits for it.
    run = measured_run(LEVELCAST_URING, soak_cfg, "fanout", connections, rate, 1,
                       probe_fn=lambda server: sampler(server, soak_cfg.warmup
                                                       + soak_cfg.duration - 1))
    load = run.get("load") or {}
    server = load.get("server") or {}
    start, end = server.get("rss_start_mib"), server.get("rss_end_mib")
    drift = (end - start) / start if start and end is not None else None
    summary = {
        "rss_window_start_mib": start, "rss_window_end_mib": end,
        "rss_drift": round(drift, 5) if drift is not None else None,
        "seq_gaps": load.get("seq_gaps"), "delivery_ratio": load.get("delivery_ratio"),
        "p99_ms": load.get("latency_p99_ms"), "messages": load.get("messages"),
        "client_cpu_percent": load.get("client_cpu_percent"),
        "client_saturated": load.get("client_saturated"),
        "server_cpu_us_per_delivery": server.get("cpu_us_per_message"),
        "series_t_rss_kib_fds": run.get("probe"),
    }
    summary["pass"] = bool(drift is not None and abs(drift) < RSS_DRIFT_LIMIT
                           and load.get("seq_gaps") == 0 and run.get("pass"))
    procs.log(f"soak: RSS {start} -> {end} MiB (drift {drift}), gaps {load.get('seq_gaps')}, "
              f"delivered {load.get('delivery_ratio')}: {'pass' if summary['pass'] else 'FAIL'}")
    return document_for("soak", soak_cfg, {"connections": connections, "rate_hz": rate,
                                          "rss_drift_limit": RSS_DRIFT_LIMIT}, [run], summary)


def churn(cfg, slots=64, connect_rate=1000, seconds=60.0):
    churn_cfg = type(cfg)(**{**cfg.__dict__, "duration": seconds, "warmup": 2.0, "reps": 1})

    def before(server):
        cold = {"fds": procs.fd_count(server.pid), "rss_kib": server.rss_kib()}
        warm = procs.load_argv("connect", server.port, slots, WARM_S, 0.5,
                               connect_rate=connect_rate, source_ips=8)
        procs.run_load(warm, procs.load_timeout(slots, WARM_S, 0.5, connect_rate))
        time.sleep(1)
        server.baseline = {"fds": procs.fd_count(server.pid), "rss_kib": server.rss_kib(),
                           "before_warm_up": cold}
        return []

    def after(server):
        """Waits up to SETTLE_S s for the fds to come back, then takes both figures."""
        deadline = time.monotonic() + SETTLE_S
        while (procs.fd_count(server.pid) or 0) > server.baseline["fds"] \
                and time.monotonic() < deadline:
            time.sleep(0.5)
        return {"baseline": server.baseline, "fds": procs.fd_count(server.pid),
                "rss_kib": server.rss_kib()}

    run = measured_run(LEVELCAST_URING, churn_cfg, "connect", slots, 10, 1,
                       connect_rate=connect_rate, source_ips=8, before=before, after=after)
    load = run.get("load") or {}
    figures = run.get("after") or {}
    base = figures.get("baseline") or {}
    summary = {
        "handshakes": load.get("handshakes"), "handshakes_per_s": load.get("rate_per_s"),
        "failed": sum(load.get(k, 0) for k in ("connect_failed", "handshake_failed",
                                               "not_started", "dropped")),
        "fds_before": base.get("fds"), "fds_after": figures.get("fds"),
        "rss_before_kib": base.get("rss_kib"), "rss_after_kib": figures.get("rss_kib"),
        "client_cpu_percent": load.get("client_cpu_percent"),
        "client_saturated": load.get("client_saturated"),
    }
    rss_delta = (figures.get("rss_kib") or 0) - (base.get("rss_kib") or 0)
    summary["rss_delta_kib"] = rss_delta
    summary["pass"] = bool(base and figures.get("fds") == base.get("fds")
                           and rss_delta <= RSS_SLACK_KIB and not summary["failed"])
    procs.log(f"churn: {summary['handshakes']} handshakes ({summary['handshakes_per_s']}/s), "
              f"fds {base.get('fds')} -> {figures.get('fds')}, RSS {base.get('rss_kib')} -> "
              f"{figures.get('rss_kib')} KiB: {'pass' if summary['pass'] else 'FAIL'}")
    return document_for("churn", churn_cfg, {"slots": slots, "connect_rate": connect_rate,
                                            "rss_slack_kib": RSS_SLACK_KIB}, [run], summary)
