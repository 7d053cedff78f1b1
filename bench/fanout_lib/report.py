"""Medians, spreads and ratios of runs, the results files, and the plot."""
import json
import statistics
import time
from pathlib import Path

from . import procs

RESULTS = procs.REPO / "bench" / "results"


def stats(values):
    """Median and spread of the values that exist; None when there are none."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4),
            "max": round(max(values), 4), "n": len(values), "sum": round(sum(values), 4)}


def median(entry):
    return entry["median"] if entry else None


def ratio(a, b):
    return round(a / b, 3) if a is not None and b not in (None, 0) else None


def paired_ratios(runs_a, runs_b, metric):
    """Ratio of `metric` between runs of the same repetition: its median and range."""
    by_rep = {r["rep"]: metric(r) for r in runs_b}
    values = [ratio(metric(r), by_rep.get(r["rep"])) for r in runs_a]
    return stats(values)


# The figures of one fanout run that the summaries use; None where the run has none.
def delivered_per_s(run):
    return (run.get("load") or {}).get("rate_per_s")


def cpu_us_per_message(run):
    server = (run.get("load") or {}).get("server") or {}
    return server.get("cpu_us_per_message")


def server_cpu(run):
    server = (run.get("load") or {}).get("server") or {}
    return server.get("cpu_s_per_s")


def client_cpu_percent(run):
    return (run.get("load") or {}).get("client_cpu_percent")


def p50_ms(run):
    return (run.get("load") or {}).get("latency_p50_ms")


def p99_ms(run):
    return (run.get("load") or {}).get("latency_p99_ms")


def delivery(run):
    return (run.get("load") or {}).get("delivery_ratio")


def per_read(run):
    return (run.get("load") or {}).get("messages_per_read")


def seq_gaps(run):
    return (run.get("load") or {}).get("seq_gaps")


def client_saturated(run):
    """1 when levelcast-load reported itself saturated (the figure may be the client's)."""
    load = run.get("load")
    return None if load is None else int(bool(load.get("client_saturated")))


FANOUT_FIGURES = {
    "deliveries_per_s": delivered_per_s,
    "server_cpu_us_per_delivery": cpu_us_per_message,
    "server_cpu_s_per_s": server_cpu,
    "client_cpu_percent": client_cpu_percent,
    "p50_ms": p50_ms,
    "p99_ms": p99_ms,
    "delivery_ratio": delivery,
    "messages_per_read": per_read,
    "seq_gaps": seq_gaps,
    "client_saturated": client_saturated,
}


def summarize_fanout(runs):
    return {name: stats([f(r) for r in runs]) for name, f in FANOUT_FIGURES.items()}


def write_json(name, document, tag):
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{tag}.json"
    path.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")
    procs.log(f"wrote {path.relative_to(procs.REPO)}")
    return path


def date_tag(quick):
    return time.strftime("%Y-%m-%d") + ("-quick" if quick else "")


def plot_matrix(document, path):
    """Four panels against N: highest sustained rate, deliveries/s there, server CPU per delivery
    and p99 latency at the fixed-load rate. Bars span the repetitions' min..max."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = document["summary"]
    panels = [
        (None, "max_rate_hz", "highest sustained rate (Hz): >= 99 % delivered,\n"
                              "zero gaps, p99 <= 2 periods + 50 ms"),
        ("at_max", "deliveries_per_s", "deliveries/s at the highest sustained rate"),
        ("at_max", "messages_per_read", "messages per read there (reported, not limited)"),
        ("baseline", "server_cpu_us_per_delivery",
         "server CPU per delivery (us)\nat ~100k deliveries/s"),
        ("baseline", "p99_ms", "p99 latency (ms)\nat ~100k deliveries/s"),
        ("baseline", "client_cpu_percent", "load client CPU (% of a core)\nat ~100k deliveries/s"),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(16, 9))
    styles = {"levelcast": "o-", "levelcast-send": "o--", "node": "s-", "node-raw": "s--",
              "floor-send": "^:", "floor-uring": "v:"}
    for ax, (section, key, title) in zip(axes.flat, panels):
        for system, per_n in summary.items():
            xs, ys, lo, hi = [], [], [], []
            for n_text, entry in sorted(per_n.items(), key=lambda kv: int(kv[0])):
                value = (entry.get(section) or {}).get(key) if section else entry.get(key)
                if value is None:
                    continue
                xs.append(int(n_text))
                ys.append(value["median"])
                lo.append(value["median"] - value["min"])
                hi.append(value["max"] - value["median"])
            if xs:
                ax.errorbar(xs, ys, yerr=[lo, hi], fmt=styles.get(system, "o-"), capsize=3,
                            label=system)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("connections")
        ax.grid(True, alpha=0.3)
        if key in ("max_rate_hz", "deliveries_per_s", "p99_ms"):
            ax.set_yscale("log")
    axes.flat[0].legend(fontsize=8)
    machine = document["machine"]
    fig.suptitle(f"levelcast fan-out, {document['tag']}: server on CPU 0 (1 worker), "
                 f"levelcast-load on CPU 1; {machine['nproc']} x {machine['cpu_model']}, "
                 f"kernel {machine['kernel']}; medians of {document['config']['reps']}",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    procs.log(f"wrote {Path(path).resolve().relative_to(procs.REPO)}")


def compact(value):
    """A summary as short text: stats as "median [min..max]", the rest as they are."""
    if isinstance(value, dict) and "median" in value:
        return f"{value['median']:g} [{value['min']:g}..{value['max']:g}]"
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items()}
    return value


def print_summary(document):
    if document["suite"] != "matrix":
        print(json.dumps(compact(document["summary"]), indent=1))
        return
    for system, per_n in document["summary"].items():
        for n_text, entry in per_n.items():
            base = entry["baseline"]
            print(f"{system:<15} N={n_text:<6} at {entry['baseline_rate_hz']:>4} Hz: server "
                  f"{compact(base['server_cpu_us_per_delivery'])} us/delivery, p99 "
                  f"{compact(base['p99_ms'])} ms, client {compact(base['client_cpu_percent'])}%;"
                  f" max rate {entry['max_rate_hz'].get('per_rep')} Hz, client there "
                  f"{compact(entry['at_max']['client_cpu_percent'])}% (saturated in "
                  f"{compact(entry['at_max']['client_saturated'])} of the runs)")
    for n_text, pairs in document["ratios"].items():
        for pair, entry in pairs.items():
            cpu = entry["cpu_per_delivery"]
            print(f"N={n_text:<6} {pair:<28} CPU/delivery {cpu['of_medians']} "
                  f"(paired {compact(cpu['paired'])}), p99 {entry['p99']['of_medians']}")
