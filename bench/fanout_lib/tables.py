"""Markdown tables from results files, for docs/PERFORMANCE.md and docs/TUNING.md:
`bench/fanout tables bench/results/*.json`. Every cell is "median (min-max)" over the
repetitions."""
import json
from pathlib import Path


def cell(entry, digits=1, scale=1.0):
    if not entry:
        return "-"
    m, lo, hi = (entry[k] * scale for k in ("median", "min", "max"))
    if entry.get("n", 1) == 1 or lo == hi:
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f})"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def matrix_tables(doc):
    out = []
    header = ["system", "N", "rate Hz", "server CPU us/delivery", "server CPU s/s",
              "client CPU %", "p50 ms", "p99 ms", "delivered %", "msg/read",
              "max sustained Hz (reps)", "deliveries/s there", "client CPU % there",
              "client saturated there"]
    rows = []
    for n_text in map(str, doc["config"]["connections"]):
        for system, per_n in doc["summary"].items():
            entry = per_n.get(n_text)
            if not entry:
                continue
            b = entry["baseline"]
            rows.append([system, n_text, entry["baseline_rate_hz"],
                         cell(b["server_cpu_us_per_delivery"], 2),
                         cell(b["server_cpu_s_per_s"], 2), cell(b["client_cpu_percent"], 0),
                         cell(b["p50_ms"]), cell(b["p99_ms"]),
                         cell(b["delivery_ratio"], 1, 100), cell(b["messages_per_read"], 2),
                         f"{entry['max_rate_hz']['median']:g} {entry['max_rate_hz']['per_rep']}",
                         cell(entry["at_max"]["deliveries_per_s"], 0),
                         cell(entry["at_max"]["client_cpu_percent"], 0),
                         saturated_cell(entry["at_max"].get("client_saturated"))])
    out.append(table(header, rows))
    rows = []
    for n_text, pairs in doc["ratios"].items():
        for pair, entry in pairs.items():
            rows.append([n_text, pair, entry["cpu_per_delivery"]["of_medians"],
                         cell(entry["cpu_per_delivery"]["paired"], 2),
                         entry["p99"]["of_medians"], cell(entry["p99"]["paired"], 2)])
    out.append(table(["N", "ratio", "CPU/delivery (of medians)", "CPU/delivery (per rep)",
                      "p99 (of medians)", "p99 (per rep)"], rows))
    return out


def saturated_cell(entry):
    """How many of the runs found levelcast-load saturated: "no", or "k of n" in bold."""
    if not entry:
        return "-"
    count = round(entry.get("sum", entry["median"] * entry["n"]))
    return "no" if count == 0 else f"**{count} of {entry['n']}**"


def fanout_rows(summary, names):
    rows = []
    for name in names:
        s = summary[name]
        rows.append([name, cell(s["server_cpu_us_per_delivery"], 2),
                     cell(s["server_cpu_s_per_s"], 2), cell(s["client_cpu_percent"], 0),
                     cell(s["p50_ms"], 2), cell(s["p99_ms"], 2),
                     cell(s["delivery_ratio"], 2, 100), cell(s["messages_per_read"], 2),
                     cell(s.get("seq_gaps"), 0), saturated_cell(s.get("client_saturated"))])
    return rows


FANOUT_HEADER = ["system", "server CPU us/delivery", "server CPU s/s", "client CPU %", "p50 ms",
                 "p99 ms", "delivered %", "msg/read", "seq gaps", "client saturated"]


def suite_tables(doc):
    suite, summary = doc["suite"], doc["summary"]
    if suite == "matrix":
        return matrix_tables(doc)
    if suite == "latency":
        names = [k for k in summary if k != "ratios"]
        ratios = [[pair, v["p99_of_medians"], cell(v["p99_paired"], 2), v["p50_of_medians"]]
                  for pair, v in summary["ratios"].items()]
        return [table(FANOUT_HEADER, fanout_rows(summary, names)),
                table(["ratio", "p99 (of medians)", "p99 (per rep)", "p50 (of medians)"], ratios)]
    if suite == "idle-rss":
        return [table(["system", "RSS before connections KiB", "RSS growth KiB per connection"],
                      [[k, cell(v["rss_idle_kib"], 0), cell(v["rss_growth_kib_per_connection"], 3)]
                       for k, v in summary.items()])]
    if suite in ("handshake", "echo"):
        what, plural = ("handshake", "handshakes") if suite == "handshake" else ("echo", "echoes")
        rows = []
        for name, s in summary.items():
            if name.startswith("ratio"):
                continue
            rows.append([name, cell(s[f"server_cpu_us_per_{what}"], 1),
                         cell(s[f"{plural}_per_s"], 0), cell(s["client_cpu_percent"], 0),
                         cell(s["p99_ms"], 2)])
        return [table(["system", f"server CPU us per {what}", f"{plural}/s", "client CPU %",
                       "p99 ms"], rows) + f"\n\nlevelcast/node: {summary['ratio_levelcast_node']}"]
    if suite == "slow-consumers":
        header = FANOUT_HEADER + ["RSS window start-end MiB", "dropped during load"]
        rows = []
        for name, s in summary.items():
            row = fanout_rows(summary, [name])[0]
            row += [f"{cell(s['rss_window_start_mib'], 1)} - {cell(s['rss_window_end_mib'], 1)}",
                    cell(s["dropped_during_load"], 0)]
            rows.append(row)
        return [table(header, rows)]
    if suite == "tuning":
        out = []
        for point, per_system in summary.items():
            rows = fanout_rows(per_system, list(per_system))
            for row, name in zip(rows, per_system):
                row.append(f"{per_system[name]['passed']}/{doc['config']['reps']}")
            out.append(f"**{point} Hz**\n\n" + table(FANOUT_HEADER + ["runs passed"], rows))
        return out
    if suite == "backlog":
        return [backlog_table(summary)]
    if suite == "saturation":
        return saturation_tables(doc)
    if suite in ("yardstick", "p99-20hz"):
        names = list(summary)
        rows = fanout_rows(summary, names)
        if suite == "p99-20hz":
            for row, name in zip(rows, names):
                row += [f"{summary[name]['passed']}/{doc['config']['reps']}",
                        " ".join(f"{v:.0f}" for v in summary[name]["p99_per_rep"] if v)]
            return [table(FANOUT_HEADER + ["runs passed", "p99 per run ms"], rows)]
        return [table(FANOUT_HEADER, rows)]
    if suite == "profile":
        return [profile_table(summary)]
    if suite in ("soak", "churn"):
        rows = [[k, v] for k, v in summary.items() if not k.startswith("series")]
        return [table(["figure", "value"], rows)]
    return ["```\n" + json.dumps(summary, indent=1) + "\n```"]


def saturation_tables(doc):
    """Issue 10's suite: the highest sustained rates, 10,000 x 20 Hz, ordinary load (with the
    new/before ratios within each repetition) and the batched yardstick."""
    summary, out = doc["summary"], []
    rows = []
    for n_text, per_system in summary["max_rate_hz"].items():
        for name, entry in per_system.items():
            at = entry["at_max"]
            rate = entry["max_rate_hz"]
            rows.append([n_text, name, f"{rate.get('median', 0):g} {rate['per_rep']}",
                         cell(at["deliveries_per_s"], 0), cell(at["p99_ms"], 1),
                         cell(at["messages_per_read"], 2),
                         cell(at["server_cpu_us_per_delivery"], 2),
                         cell(at["client_cpu_percent"], 0),
                         saturated_cell(at.get("client_saturated"))])
    out.append(table(["N", "system", "max sustained Hz (reps)", "deliveries/s there",
                      "p99 ms there", "msg/read there", "server CPU us/delivery there",
                      "client CPU % there", "client saturated there"], rows))
    names = list(summary["at_10000x20"])
    rows = fanout_rows(summary["at_10000x20"], names)
    for row, name in zip(rows, names):
        row.append(f"{summary['at_10000x20'][name]['passed']}/{doc['config']['reps']}")
    out.append("**10,000 x 20 Hz**\n\n" + table(FANOUT_HEADER + ["runs passed"], rows))
    for point, entry in summary["ordinary"].items():
        names = [k for k in entry if "/" not in k]
        text = table(FANOUT_HEADER, fanout_rows(entry, names))
        text += (f"\n\nnew/before per repetition: CPU per delivery "
                 f"{cell(entry['new/before cpu_per_delivery'], 3)}, p99 "
                 f"{cell(entry['new/before p99'], 3)}")
        out.append(f"**ordinary load, {point} Hz**\n\n" + text)
    names = list(summary["yardstick"])
    out.append("**the batched yardstick** (floor, k frames per SENDMSG per socket)\n\n"
               + table(FANOUT_HEADER, fanout_rows(summary["yardstick"], names)))
    return out


def profile_table(summary):
    rows = []
    for name, entry in summary.items():
        per = entry.get("per_delivery") or {}
        top = "; ".join(f"{pct:.1f} % {sym.split('] ', 1)[-1]}"
                        for pct, sym in entry["top_symbols"][:6])
        rows.append([name, f"{entry['deliveries_per_s'] or 0:.0f}",
                     f"{entry['messages_per_read'] or 0:.2f}",
                     f"{entry['server_cpu_us_per_delivery'] or 0:.2f}",
                     f"{per.get('raw_syscalls:sys_enter', 0):.4f}",
                     f"{per.get('io_uring:io_uring_submit_req', 0):.3f}", top])
    return table(["system", "deliveries/s", "msg/read", "server CPU us/delivery",
                  "system calls per delivery", "io_uring requests per delivery",
                  "top symbols (self)"], rows)


def backlog_table(summary):
    """Overload: delivered, median latency, and the probe's median latency second by second
    (one row per repetition joined by ' / '): flat = bounded, rising = queueing."""
    rows = []
    for name, s in summary.items():
        series = []
        for rep in s["probe_per_second"]:
            series.append(" ".join(f"{p50:.0f}" for _, count, p50 in (rep or []) if count > 1)
                          or "-")
        rows.append([name, cell(s["delivery_ratio"], 1, 100), cell(s["p50_ms"], 0),
                     " / ".join(series)])
    return table(["system", "delivered %", "p50 ms", "probe p50 ms, second by second"], rows)


def micro_table(doc):
    """A Google Benchmark JSON (levelcast-microbench --benchmark_out): the medians."""
    rows = [[b["run_name"], f"{b['real_time']:.0f} {b['time_unit']}",
             f"{b.get('items_per_second', 0):.0f}"]
            for b in doc["benchmarks"] if b.get("aggregate_name") == "median"]
    return [table(["benchmark", "real time (median)", "items/s"], rows)]


def print_tables(paths):
    for path in paths:
        doc = json.loads(Path(path).read_text())
        if "benchmarks" in doc:
            print(f"### micro ({Path(path).name})\n")
            print(micro_table(doc)[0] + "\n")
            continue
        print(f"### {doc['suite']} ({Path(path).name})\n")
        for text in suite_tables(doc):
            print(text + "\n")
