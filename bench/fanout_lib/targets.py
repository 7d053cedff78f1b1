"""The suites behind the per-operation targets of issue 6, each run with its systems taking
turns: latency, idle RSS per connection, handshakes and echo."""
from . import procs, report
from .runner import measured_run
from .systems import FLOOR_SEND, FLOOR_URING, LEVELCAST_SEND, LEVELCAST_URING, NODE, NODE_RAW


def alternate(cfg, systems, run_one):
    """Runs run_one(system, rep) for every system, cfg.reps times, in a rotating order."""
    runs = []
    for rep in range(1, cfg.reps + 1):
        shift = (rep - 1) % len(systems)
        for system in systems[shift:] + systems[:shift]:
            runs.append(run_one(system, rep))
    return runs


def by_system(runs, systems, figures):
    return {s.name: {name: report.stats([f(r) for r in runs if r["system"] == s.name])
                     for name, f in figures.items()} for s in systems}


def document_for(suite, cfg, config, runs, summary):
    return {"suite": suite, "tag": cfg.tag, "machine": procs.machine_info(),
            "config": {"duration_s": cfg.duration, "warmup_s": cfg.warmup, "reps": cfg.reps,
                       **config},
            "runs": runs, "summary": summary}


def latency(cfg, connections=1000, rate=100):
    systems = [LEVELCAST_URING, LEVELCAST_SEND, NODE, NODE_RAW, FLOOR_SEND, FLOOR_URING]
    runs = alternate(cfg, systems, lambda s, rep: measured_run(s, cfg, "fanout", connections,
                                                               rate, rep))
    summary = by_system(runs, systems, report.FANOUT_FIGURES)
    lc = [r for r in runs if r["system"] == "levelcast"]
    summary["ratios"] = {
        f"levelcast/{other}": {
            "p99_of_medians": report.ratio(summary["levelcast"]["p99_ms"]["median"],
                                           summary[other]["p99_ms"]["median"]),
            "p99_paired": report.paired_ratios(lc, [r for r in runs if r["system"] == other],
                                               report.p99_ms),
            "p50_of_medians": report.ratio(summary["levelcast"]["p50_ms"]["median"],
                                           summary[other]["p50_ms"]["median"]),
        } for other in ("node", "node-raw", "floor-send", "floor-uring")}
    return document_for("latency", cfg, {"connections": connections, "rate_hz": rate}, runs,
                        summary)


def rss_growth_run(system, cfg, connections, rate, rep, load_extra=()):
    """A short fanout run that records the server's RSS growth per connection: its RSS once the
    connections are open (sampled at the start of the load's window) minus its RSS before."""
    short = type(cfg)(**{**cfg.__dict__, "duration": 3.0, "warmup": 1.0})
    run = measured_run(system, short, "fanout", connections, rate, rep, load_extra=load_extra)
    server = (run.get("load") or {}).get("server") or {}
    if server.get("rss_start_mib") is not None and run.get("rss_idle_kib"):
        growth_kib = server["rss_start_mib"] * 1024 - run["rss_idle_kib"]
        run["rss_growth_kib_per_connection"] = round(growth_kib / connections, 3)
    return run


def idle_rss(cfg, connections=10000, rate=0.2):
    """RSS growth per connection: the server's RSS once the N connections are open (the load
    client samples it at the start of its window) minus its RSS before any connection."""
    systems = [LEVELCAST_URING, NODE, FLOOR_SEND]
    runs = alternate(cfg, systems, lambda s, rep: rss_growth_run(s, cfg, connections, rate, rep))
    summary = {s.name: {
        "rss_idle_kib": report.stats([r.get("rss_idle_kib") for r in runs
                                      if r["system"] == s.name]),
        "rss_growth_kib_per_connection": report.stats(
            [r.get("rss_growth_kib_per_connection") for r in runs if r["system"] == s.name]),
    } for s in systems}
    return document_for("idle-rss", cfg, {"connections": connections, "rate_hz": rate}, runs,
                        summary)


def server_cpu_per_operation(run):
    return ((run.get("load") or {}).get("server") or {}).get("cpu_us_per_message")


def handshakes(cfg, slots=64, connect_rate=2000):
    """Server CPU per handshake: levelcast-load --mode connect (connect, upgrade, close 1000)
    paced below what either server can take, so the figure is CPU, not a queue."""
    systems = [LEVELCAST_URING, NODE, FLOOR_SEND]
    runs = alternate(cfg, systems, lambda s, rep: measured_run(
        s, cfg, "connect", slots, 1, rep, connect_rate=connect_rate,
        source_ips=8))
    figures = {"server_cpu_us_per_handshake": server_cpu_per_operation,
               "handshakes_per_s": report.delivered_per_s,
               "client_cpu_percent": report.client_cpu_percent,
               "p99_ms": report.p99_ms}
    summary = by_system(runs, systems, figures)
    summary["ratio_levelcast_node"] = report.ratio(
        report.median(summary["levelcast"]["server_cpu_us_per_handshake"]),
        report.median(summary["node"]["server_cpu_us_per_handshake"]))
    return document_for("handshake", cfg, {"slots": slots, "connect_rate": connect_rate,
                                           "broadcast_rate_hz": 1}, runs, summary)


def echo(cfg, connections=100, size=128):
    """Server CPU per echoed message: 100 connections with one message in flight each."""
    systems = [LEVELCAST_URING, NODE]
    runs = alternate(cfg, systems, lambda s, rep: measured_run(
        s, cfg, "echo", connections, 1, rep,
        load_extra=("--in-flight", "1", "--size", str(size))))
    figures = {"server_cpu_us_per_echo": server_cpu_per_operation,
               "echoes_per_s": report.delivered_per_s,
               "server_cpu_s_per_s": report.server_cpu,
               "client_cpu_percent": report.client_cpu_percent,
               "p50_ms": report.p50_ms, "p99_ms": report.p99_ms}
    summary = by_system(runs, systems, figures)
    summary["ratio_levelcast_node"] = report.ratio(
        report.median(summary["levelcast"]["server_cpu_us_per_echo"]),
        report.median(summary["node"]["server_cpu_us_per_echo"]))
    return document_for("echo", cfg, {"connections": connections, "in_flight": 1,
                                      "size": size, "broadcast_rate_hz": 1}, runs, summary)
