"""A perf profile of the server at saturation, before and after issue 10: `perf record -g` on
the server through the measured window, its top symbols, and with `perf stat` the system calls
and io_uring requests per delivery (deliveries counted by the server's own
levelcast_messages_sent_total over the same seconds)."""
import re
import subprocess
import time
from pathlib import Path

from . import procs
from .limits import http_get, metric
from .runner import measured_run
from .systems import LEVELCAST_BEFORE, LEVELCAST_URING, System
from .targets import alternate, document_for

EVENTS = ("raw_syscalls:sys_enter", "io_uring:io_uring_submit_req")
TOP = 25
SEND_MODE = tuple(o if o != "io_uring" else "send" for o in LEVELCAST_URING.options)
SYSTEMS = (LEVELCAST_URING, LEVELCAST_BEFORE,
           System("levelcast-send", "levelcast", SEND_MODE, "levelcast (send, 1 worker)"),
           System("levelcast-before-send", "levelcast", SEND_MODE,
                  "levelcast 6dc5447 (send, 1 worker)", binary=LEVELCAST_BEFORE.binary))


def perf_window(server, warmup, seconds, data_path):
    """After the warm-up, records `seconds` of the server: call graph, event counts and the
    messages it sent meanwhile."""
    time.sleep(warmup)
    began = time.monotonic()
    sent0 = metric(http_get(server.port, "/metrics"), "levelcast_messages_sent_total")
    stat = procs.spawn(["perf", "stat", "-x", ",", "-e", ",".join(EVENTS), "-p",
                        str(server.pid), "--", "sleep", f"{seconds:g}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    record = procs.spawn(["perf", "record", "-g", "-F", "999", "-o", str(data_path), "-p",
                          str(server.pid), "--", "sleep", f"{seconds:g}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    record.wait(timeout=seconds + 30)
    _, err = stat.communicate(timeout=seconds + 30)
    sent1 = metric(http_get(server.port, "/metrics"), "levelcast_messages_sent_total")
    elapsed = time.monotonic() - began
    for proc in (stat, record):
        procs.forget(proc)
    counts = {}
    for line in err.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2] in EVENTS and fields[0].strip().isdigit():
            counts[fields[2]] = int(fields[0])
    # perf's start and exit widen the interval between the two samples: the deliveries during
    # perf's `seconds` are the server's rate over that interval times `seconds`.
    sent = ((sent1 or 0) - (sent0 or 0)) * seconds / elapsed
    result = {"seconds": seconds, "deliveries": round(sent), "counts": counts,
              "metrics_interval_s": round(elapsed, 2)}
    if sent > 0:
        result["per_delivery"] = {name: round(count / sent, 5) for name, count in counts.items()}
    return result


def top_symbols(data_path, limit=TOP):
    """The self-time share of the hottest symbols: [[percent, symbol], ...]."""
    out = subprocess.run(["perf", "report", "-i", str(data_path), "--stdio", "--no-children",
                          "--sort", "symbol", "-g", "none", "--percent-limit", "0.5"],
                         capture_output=True, text=True, timeout=300).stdout
    rows = []
    for line in out.splitlines():
        match = re.match(r"\s*([0-9.]+)%\s+(\[[.kgu]\]\s+.*?)(\s+-\s+-)?\s*$", line)
        if match:
            rows.append([float(match.group(1)), match.group(2)[:120]])
    return rows[:limit]


def profile(cfg, connections=10000, rate=30):
    profile_cfg = type(cfg)(**{**cfg.__dict__, "reps": 1})
    stamp = time.strftime("%H%M%S")

    def one(system, rep):
        data = Path("/tmp") / f"levelcast-perf-{stamp}-{system.name}.data"
        run = measured_run(system, cfg, "fanout", connections, rate, rep,
                           probe_fn=lambda server: perf_window(server, cfg.warmup,
                                                               cfg.duration - 1, data))
        run["top_symbols"] = top_symbols(data)
        run["perf_data"] = str(data)
        return run

    runs = alternate(profile_cfg, list(SYSTEMS), one)
    summary = {r["system"]: {"per_delivery": (r.get("probe") or {}).get("per_delivery"),
                             "deliveries_per_s": (r.get("load") or {}).get("rate_per_s"),
                             "messages_per_read": (r.get("load") or {}).get("messages_per_read"),
                             "server_cpu_us_per_delivery": ((r.get("load") or {}).get("server")
                                                            or {}).get("cpu_us_per_message"),
                             "top_symbols": r["top_symbols"][:12]} for r in runs}
    return document_for("profile", cfg, {"connections": connections, "rate_hz": rate,
                                        "perf": "record -g -F 999; stat -e " + ",".join(EVENTS)},
                        runs, summary)
