"""Issue 10's targets: levelcast at saturation against the commit before it and the floor.

Each repetition, with the systems taking turns in a rotating order:
- at 10,000 and at 19,000 connections, each system's highest sustained rate (the ladder search
  of the matrix, from 20 Hz and 10 Hz); the runs at 20 Hz give the p99 and gaps at 10,000 x 20;
- ordinary load, levelcast against the previous commit only: 10,000 x 10 Hz (CPU per delivery)
  and 1,000 x 100 Hz (p99), whose ratios within the repetition are the "within 5 %" figures;
- the batched yardstick: the floor forced to k frames per system call per socket at 10,000
  connections (k = 1, 3, 8), the physical cost of a delivery at that backlog.
Every figure sits next to levelcast-load's CPU and whether it saturated.
"""
from . import report
from .matrix import search_one_n
from .runner import measured_run
from .systems import FLOOR_URING, LEVELCAST_BEFORE, LEVELCAST_URING, floor_batch
from .targets import alternate, document_for

SEARCH_SYSTEMS = (LEVELCAST_URING, LEVELCAST_BEFORE, FLOOR_URING)
SEARCHES = ((10000, 20), (19000, 10))  # (connections, first rate)
ORDINARY = ((10000, 10), (1000, 100))
YARDSTICK = (10000, 30, (1, 3, 8))     # connections, rate, frames per call
MAX_STEPS = 5


def saturation(cfg):
    runs = []
    for rep in range(1, cfg.reps + 1):
        for connections, start_hz in SEARCHES:
            search_one_n(cfg, list(SEARCH_SYSTEMS), connections, rep, runs, start_hz=start_hz,
                         max_steps=MAX_STEPS)
    ordinary = [LEVELCAST_URING, LEVELCAST_BEFORE]
    for connections, rate in ORDINARY:
        runs += tagged(alternate(cfg, ordinary, lambda s, rep: measured_run(
            s, cfg, "fanout", connections, rate, rep)), "ordinary")
    connections, rate, frames = YARDSTICK
    floors = [floor_batch(k) for k in frames]
    runs += yardstick_runs(type(cfg)(**{**cfg.__dict__, "reps": 1}))
    summary = summarize(runs)
    config = {"searches": [list(s) for s in SEARCHES], "ordinary": [list(p) for p in ORDINARY],
              "yardstick": {"connections": connections, "rate_hz": rate,
                            "frames_per_call": list(frames)},
              "systems": {s.name: s.label for s in (*SEARCH_SYSTEMS, *floors)},
              "criterion": ">= 99 % delivered, zero seq gaps, p99 <= 2 periods + 50 ms"}
    return document_for("saturation", cfg, config, runs, summary)


def yardstick_runs(cfg):
    connections, rate, frames = YARDSTICK
    return tagged(alternate(cfg, [floor_batch(k) for k in frames], lambda s, rep: measured_run(
        s, cfg, "fanout", connections, rate, rep)), "yardstick")


def yardstick(cfg):
    """The batched yardstick alone, cfg.reps times: the floor at k frames per call."""
    runs = yardstick_runs(cfg)
    names = sorted({r["system"] for r in runs})
    summary = {name: report.summarize_fanout([r for r in runs if r["system"] == name])
               for name in names}
    return document_for("yardstick", cfg, {"connections": YARDSTICK[0], "rate_hz": YARDSTICK[1],
                                           "frames_per_call": list(YARDSTICK[2])}, runs, summary)


def at_20hz(cfg, connections=10000, rate=20):
    """10,000 x 20 Hz alone, cfg.reps alternating runs of levelcast, the previous commit and
    the floor: issue 10's "p99 <= 100 ms, zero gaps" with more repetitions than the search."""
    runs = alternate(cfg, list(SEARCH_SYSTEMS), lambda s, rep: measured_run(
        s, cfg, "fanout", connections, rate, rep))
    summary = {}
    for system in SEARCH_SYSTEMS:
        mine = [r for r in runs if r["system"] == system.name]
        summary[system.name] = {**report.summarize_fanout(mine),
                                "passed": sum(r["pass"] for r in mine),
                                "p99_per_rep": [report.p99_ms(r) for r in mine]}
    return document_for("p99-20hz", cfg, {"connections": connections, "rate_hz": rate}, runs,
                        summary)


def tagged(runs, part):
    for run in runs:
        run["part"] = part
    return runs


def summarize(runs):
    summary = {"max_rate_hz": {}, "at_10000x20": {}, "ordinary": {}, "yardstick": {}}
    for connections, _ in SEARCHES:
        per_system = {}
        for system in SEARCH_SYSTEMS:
            mine = [r for r in runs if r["system"] == system.name and r["n"] == connections
                    and "search" in r]
            best = {}
            for run in mine:
                best[run["rep"]] = run["search"]["max_rate_hz"]
            at_max = [r for r in mine if best.get(r["rep"]) and r["rate"] == best[r["rep"]]]
            per_system[system.name] = {
                "max_rate_hz": {**(report.stats(best.values()) or {}),
                                "per_rep": [best[k] for k in sorted(best)]},
                "at_max": report.summarize_fanout(at_max),
                "steps": [[r["rep"], r["rate"], r["pass"], r["why"]] for r in mine],
            }
        summary["max_rate_hz"][str(connections)] = per_system
    for system in SEARCH_SYSTEMS:
        at20 = [r for r in runs if r["system"] == system.name and r["n"] == 10000
                and r["rate"] == 20 and "search" in r]
        summary["at_10000x20"][system.name] = {**report.summarize_fanout(at20),
                                               "passed": sum(r["pass"] for r in at20)}
    for connections, rate in ORDINARY:
        point = [r for r in runs if r.get("part") == "ordinary" and r["n"] == connections
                 and r["rate"] == rate]
        new = [r for r in point if r["system"] == LEVELCAST_URING.name]
        before = [r for r in point if r["system"] == LEVELCAST_BEFORE.name]
        summary["ordinary"][f"{connections}x{rate}"] = {
            LEVELCAST_URING.name: report.summarize_fanout(new),
            LEVELCAST_BEFORE.name: report.summarize_fanout(before),
            "new/before cpu_per_delivery": report.paired_ratios(new, before,
                                                                report.cpu_us_per_message),
            "new/before p99": report.paired_ratios(new, before, report.p99_ms),
        }
    for run in runs:
        if run.get("part") == "yardstick":
            summary["yardstick"][run["system"]] = report.summarize_fanout([run])
    return summary
