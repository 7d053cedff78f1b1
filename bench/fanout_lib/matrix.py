"""The fan-out matrix: for each N, every system's highest sustained rate, found by stepping a
ladder of rates from a fixed-load baseline, with all systems taking turns in the same run.

Each repetition covers every N. For each N every system first runs at the baseline rate (the
ladder step nearest 100,000 deliveries/s, e.g. 10 Hz at 10,000 connections), which gives the
CPU-per-delivery comparison, then steps up until a step fails issue 10's criterion (every
connection open, >= 99 % delivered, zero seq gaps, p99 <= two periods + 50 ms; messages per
read is reported, never limited); the step below is that repetition's highest sustained rate.
When the baseline fails, the search steps down until a step passes. In every round each system
still searching runs once, in an order that rotates, so noise on the machine hits all alike.
"""
from . import procs, report
from .runner import measured_run
from .systems import MATRIX_SYSTEMS

LADDER = (1, 2, 5, 10, 15, 20, 30, 40, 60, 80, 100, 150, 200, 300, 400, 600)
BASELINE_DELIVERIES = 100_000
MAX_STEPS = 8  # per system, N and repetition
FULL_N = (1000, 5000, 10000, 19000)
QUICK_N = (1000, 10000)


def baseline_index(connections):
    target = BASELINE_DELIVERIES / connections
    return min(range(len(LADDER)), key=lambda i: abs(LADDER[i] - target))


class Search:
    """One system's search at one N in one repetition: each step's verdict, by ladder index.
    It starts at `start_hz` (default: the baseline rate)."""

    def __init__(self, system, connections, start_hz=None, max_steps=MAX_STEPS):
        self.system = system
        self.baseline = LADDER.index(start_hz) if start_hz else baseline_index(connections)
        self.max_steps = max_steps
        self.passed = {}  # index -> the criterion met

    def next_index(self):
        if len(self.passed) >= self.max_steps:
            return None
        if not self.passed:
            return self.baseline
        top, bottom = max(self.passed), min(self.passed)
        if self.passed[self.baseline]:
            return top + 1 if self.passed[top] and top + 1 < len(LADDER) else None
        return bottom - 1 if not self.passed[bottom] and bottom > 0 else None

    def record(self, index, run):
        self.passed[index] = run["pass"]

    def best_index(self):
        """The highest step of the unbroken chain of passes up from the baseline, or below a
        failed baseline the first pass going down; None when nothing passed."""
        if self.passed[self.baseline]:
            index = self.baseline
            while self.passed.get(index + 1):
                index += 1
            return index
        below = [i for i, ok in self.passed.items() if ok and i < self.baseline]
        return max(below) if below else None


def search_one_n(cfg, systems, connections, rep, runs, start_hz=None, max_steps=MAX_STEPS):
    searches = [Search(system, connections, start_hz, max_steps) for system in systems]
    round_number = 0
    while True:
        due = [(s, s.next_index()) for s in searches]
        due = [(s, i) for s, i in due if i is not None]
        if not due:
            break
        shift = (rep + round_number) % len(due)
        for search, index in due[shift:] + due[:shift]:
            run = measured_run(search.system, cfg, "fanout", connections, LADDER[index], rep)
            run["baseline"] = index == search.baseline
            runs.append(run)
            search.record(index, run)
        round_number += 1
    for search in searches:
        best = search.best_index()
        for run in runs:
            if (run["system"] == search.system.name and run["n"] == connections
                    and run["rep"] == rep):
                run.setdefault("search", {})["max_rate_hz"] = LADDER[best] if best is not None else 0


def run_matrix(cfg, systems=MATRIX_SYSTEMS, ns=None):
    ns = ns or (QUICK_N if cfg.quick else FULL_N)
    document = {"suite": "matrix", "tag": cfg.tag, "machine": procs.machine_info(),
                "config": {"duration_s": cfg.duration, "warmup_s": cfg.warmup, "reps": cfg.reps,
                           "connections": list(ns), "ladder_hz": list(LADDER),
                           "baseline_deliveries_per_s": BASELINE_DELIVERIES,
                           "systems": {s.name: s.label for s in systems}},
                "runs": []}
    for rep in range(1, cfg.reps + 1):
        for connections in ns:
            procs.log(f"matrix rep {rep}/{cfg.reps}, N={connections}")
            search_one_n(cfg, systems, connections, rep, document["runs"])
    document["summary"] = summarize(document["runs"], systems, ns)
    document["ratios"] = ratios(document["runs"], ns)
    return document


def summarize(runs, systems, ns):
    """Per system and N: the figures at the baseline rate; each repetition's highest sustained
    rate and the figures of the runs at it."""
    summary = {}
    for system in systems:
        per_n = {}
        for connections in ns:
            mine = [r for r in runs if r["system"] == system.name and r["n"] == connections]
            if not mine:
                continue
            reps = sorted({r["rep"] for r in mine})
            entry = {"baseline_rate_hz": LADDER[baseline_index(connections)],
                     "baseline": report.summarize_fanout([r for r in mine if r.get("baseline")])}
            best = {rep: next(r["search"]["max_rate_hz"] for r in mine if r["rep"] == rep)
                    for rep in reps}
            entry["max_rate_hz"] = report.stats(best.values())
            entry["max_rate_hz"]["per_rep"] = [best[rep] for rep in reps]
            entry["at_max"] = report.summarize_fanout(
                [r for r in mine if r["rate"] == best[r["rep"]] and best[r["rep"]]])
            per_n[str(connections)] = entry
        summary[system.name] = per_n
    return summary


RATIO_PAIRS = (("levelcast", "node"), ("levelcast", "node-raw"), ("levelcast", "floor-send"),
               ("levelcast", "floor-uring"), ("levelcast-send", "floor-send"),
               ("levelcast-send", "node"), ("floor-uring", "floor-send"))


def ratios(runs, ns):
    """Server CPU per delivery and p99 at the baseline, one system over another: the ratio of
    the medians, and the median and range of the ratios within each repetition."""
    result = {}
    for connections in ns:
        base = [r for r in runs if r["n"] == connections and r.get("baseline")]
        per_n = {}
        for a, b in RATIO_PAIRS:
            runs_a = [r for r in base if r["system"] == a]
            runs_b = [r for r in base if r["system"] == b]
            if not runs_a or not runs_b:
                continue
            entry = {}
            for name, metric in (("cpu_per_delivery", report.cpu_us_per_message),
                                 ("p99", report.p99_ms)):
                entry[name] = {
                    "of_medians": report.ratio(report.median(report.stats(map(metric, runs_a))),
                                               report.median(report.stats(map(metric, runs_b)))),
                    "paired": report.paired_ratios(runs_a, runs_b, metric),
                }
            per_n[f"{a}/{b}"] = entry
        result[str(connections)] = per_n
    return result
