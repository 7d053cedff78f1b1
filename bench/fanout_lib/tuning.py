"""The settings docs/TUNING.md compares: levelcast variants at a few loads, taking turns."""
from . import report
from .runner import measured_run
from .systems import TUNING_SYSTEMS
from .targets import document_for

FULL_POINTS = ((10000, 10), (10000, 20), (1000, 100))
QUICK_POINTS = ((10000, 10),)


def tuning(cfg, systems=TUNING_SYSTEMS):
    points = QUICK_POINTS if cfg.quick else FULL_POINTS
    runs = []
    for rep in range(1, cfg.reps + 1):
        for connections, rate in points:
            shift = (rep - 1) % len(systems)
            for system in systems[shift:] + systems[:shift]:
                runs.append(measured_run(system, cfg, "fanout", connections, rate, rep))
    summary = {}
    for connections, rate in points:
        point = {}
        for system in systems:
            mine = [r for r in runs if r["system"] == system.name and r["n"] == connections
                    and r["rate"] == rate]
            point[system.name] = report.summarize_fanout(mine)
            point[system.name]["passed"] = sum(1 for r in mine if r["pass"])
        summary[f"{connections}@{rate}"] = point
    return document_for("tuning", cfg, {"points": [list(p) for p in points],
                                        "systems": {s.name: s.label for s in systems}},
                        runs, summary)
