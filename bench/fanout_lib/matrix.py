"""The fan-out matrix: for each N, every system's highest sustained rate, found by stepping up a
ladder of rates from a fixed-load baseline, with all systems taking turns in the same run.

Each repetition covers every N. For each N every system first runs at the baseline rate (the
ladder step nearest 100,000 deliveries/s, e.g. 10 Hz at 10,000 connections), which gives the
CPU-per-delivery comparison, then steps up until a step fails; the step below it is that
repetition's highest sustained rate. When the baseline fails, it steps down. Later repetitions
jump to the step earlier ones reached (and check the one above). In every round each system
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
    """One system's search at one N in one repetition: the steps that passed and failed."""

    def __init__(self, system, connections, hint):
        self.system = system
        self.baseline = baseline_index(connections)
        self.hint = hint  # a ladder index earlier runs reached, or None
        self.passed = set()
        self.failed = set()
        self.tries = 0

    def next_index(self):
        if self.tries >= MAX_STEPS:
            return None
        lo = max(self.passed) if self.passed else None
        hi = min(self.failed) if self.failed else None
        if lo is None:
            if not self.failed:
                return self.baseline
            return hi - 1 if hi > 0 else None
        if hi is None:
            step = lo + 1
            if self.hint is not None and self.hint > step:
                step = self.hint
            return step if step < len(LADDER) else None
        return hi - 1 if hi > lo + 1 else None

    def record(self, index, passed):
        self.tries += 1
        (self.passed if passed else self.failed).add(index)

    def best_rate(self):
        return LADDER[max(self.passed)] if self.passed else 0


def capacity_hint(found, system, connections):
    """A starting step from the deliveries/s the system sustained at another N."""
    for other_n, rate in sorted(found.get(system.name, {}).items(), reverse=True):
        if rate:
            capacity = rate * other_n
            fits = [i for i, r in enumerate(LADDER) if r * connections <= capacity]
            return fits[-1] if fits else None
    return None


def search_one_n(cfg, systems, connections, rep, hints, found, runs):
    searches = []
    for system in systems:
        hint = hints.get((system.name, connections))
        if hint is None:
            hint = capacity_hint(found, system, connections)
        searches.append(Search(system, connections, hint))
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
            search.record(index, run["pass"])
        round_number += 1
    for search in searches:
        found.setdefault(search.system.name, {})[connections] = search.best_rate()
        if search.passed:
            hints[(search.system.name, connections)] = max(search.passed)


def run_matrix(cfg, systems=MATRIX_SYSTEMS, ns=None):
    ns = ns or (QUICK_N if cfg.quick else FULL_N)
    document = {"suite": "matrix", "tag": cfg.tag, "machine": procs.machine_info(),
                "config": {"duration_s": cfg.duration, "warmup_s": cfg.warmup, "reps": cfg.reps,
                           "connections": list(ns), "ladder_hz": list(LADDER),
                           "baseline_deliveries_per_s": BASELINE_DELIVERIES,
                           "systems": {s.name: s.label for s in systems}},
                "runs": []}
    hints = {}
    for rep in range(1, cfg.reps + 1):
        found = {}
        for connections in ns:
            procs.log(f"matrix rep {rep}/{cfg.reps}, N={connections}")
            search_one_n(cfg, systems, connections, rep, hints, found, document["runs"])
    document["summary"] = summarize(document["runs"], systems, ns)
    document["ratios"] = ratios(document["runs"], ns)
    return document


def summarize(runs, systems, ns):
    summary = {}
    for system in systems:
        per_n = {}
        for connections in ns:
            mine = [r for r in runs if r["system"] == system.name and r["n"] == connections]
            if not mine:
                continue
            baseline = [r for r in mine if r.get("baseline")]
            best = {}
            for r in mine:
                if r["pass"] and r["rate"] > best.get(r["rep"], {"rate": 0})["rate"]:
                    best[r["rep"]] = r
            reps = sorted({r["rep"] for r in mine})
            at_max = [best[rep] for rep in reps if rep in best]
            entry = {
                "baseline_rate_hz": LADDER[baseline_index(connections)],
                "baseline": report.summarize_fanout(baseline),
                "max_rate_hz": report.stats([best[rep]["rate"] if rep in best else 0
                                             for rep in reps]),
                "at_max": report.summarize_fanout(at_max),
            }
            entry["max_rate_hz"]["per_rep"] = [best[rep]["rate"] if rep in best else 0
                                               for rep in reps]
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
