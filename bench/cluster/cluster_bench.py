#!/usr/bin/python3
"""The cluster's benchmarks (docs/CLUSTER.md): levelcast nodes joined through a real redis-server
on loopback, measured with levelcast-load.

  flock /work/coord/bench.lock /usr/bin/python3 bench/cluster/cluster_bench.py [--build build]
      [--runs 3] [--out bench/results/cluster-DATE.json]

1. latency: one owner (synth, 50/s) and one edge; 100 connections to each, at the same time;
   the edge's added latency is the difference of the two p50s (p99s) of now - ts, the ts being
   the same bytes on both.
2. cpu: server CPU per delivered message at 10,000 connections (10/s) on an edge against a
   standalone node (its own synth topic), alternating, one load client at a time.
3. redis: Redis's CPU with 1, 10 and 40 edge nodes (relay-only levelcast processes) for an owner
   of 20 topics at 50/s.
4. reconnect: an owner (synth, 50/s) and two edges, an SSE client on each edge; Redis is killed
   (SIGKILL by PID) and started again on the same port with its data gone. From the moment it
   answers PING again: when `levelcast_cluster_connected` reads 1 on every node, when each edge
   client receives its first snapshot, and its first live one (ts after Redis was back). Short
   outages (--outage s, repeated --restarts times), then one long outage (--idle s) during which
   every node's CPU (utime + stime) is read against an equal span with Redis up.

Servers (Redis, levelcast nodes) are pinned to CPU 0, load clients and edge fleets to CPU 1.
Every run is bounded in time; every process started here is stopped by its PID.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Procs:
    """Processes started by the benchmark; stop_all() ends them by PID."""

    def __init__(self):
        self.procs = []

    def start(self, cpu, command, **kwargs):
        proc = subprocess.Popen(["taskset", "-c", str(cpu), *map(str, command)],
                                stdin=subprocess.DEVNULL, **kwargs)
        self.procs.append(proc)
        return proc

    def stop(self, proc):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self):
        for proc in reversed(self.procs):
            self.stop(proc)
        self.procs.clear()


def wait_until(predicate, timeout, what):
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise SystemExit(f"cluster_bench: timed out waiting for {what}")
        time.sleep(0.05)


def http_get(port, path):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data.split(b"\r\n\r\n", 1)[1]


def listening(port, proc):
    if proc.poll() is not None:
        raise SystemExit(f"cluster_bench: a node exited with {proc.returncode}")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def start_node(args, procs, cpu, *options):
    """A levelcast process with one worker on CPU `cpu`; (process, port) once it listens."""
    port = free_port()
    command = [args.levelcast, "--bind", "127.0.0.1", "--port", port, "--workers", 1,
               "--log-level", "warn", *options]
    proc = procs.start(cpu, command, stdout=subprocess.DEVNULL)
    wait_until(lambda: listening(port, proc), 10, f"levelcast {' '.join(map(str, options))}")
    return proc, port


def redis_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Cluster:
    def __init__(self, args, procs):
        self.args, self.procs = args, procs
        self.redis_port = free_port()
        self.start_redis()

    def start_redis(self):
        """Starts redis-server (again, on the same port, empty) and waits until it answers PING;
        returns the monotonic time it first did."""
        self.redis = self.procs.start(0, ["redis-server", "--port", self.redis_port, "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while not redis_answers(self.redis_port):
            if time.monotonic() > end or self.redis.poll() is not None:
                raise SystemExit("cluster_bench: redis-server did not come up")
            time.sleep(0.002)
        return time.monotonic()

    def kill_redis(self):
        self.redis.send_signal(signal.SIGKILL)
        self.redis.wait(timeout=10)
        self.procs.procs.remove(self.redis)

    def node(self, cpu, node_id, *options):
        return start_node(self.args, self.procs, cpu, "--cluster", f"redis://127.0.0.1:{self.redis_port}",
                          "--node-id", node_id, *options)

    def wait_topics(self, port, count):
        wait_until(lambda: len(json.loads(http_get(port, "/topics"))["topics"]) >= count, 20,
                   f"{count} topics on port {port}")


def load(args, port, connections, duration, path="/levels", pid=None, rate=None):
    command = ["taskset", "-c", "1", args.load, "--port", port, "--connections", connections,
               "--path", path, "--duration", duration, "--warmup", 2, "--json"]
    if pid:
        command += ["--pid", pid]
    if rate:
        command += ["--expect-rate", rate]
    return subprocess.Popen(list(map(str, command)), stdout=subprocess.PIPE, text=True)


def figures(proc):
    out, _ = proc.communicate(timeout=300)
    return json.loads(out.strip().splitlines()[-1])


def bench_latency(args):
    procs = Procs()
    try:
        cluster = Cluster(args, procs)
        _, owner = cluster.node(0, "owner", "--source", "s=synth", "--rate", 50)
        _, edge = cluster.node(0, "edge")
        cluster.wait_topics(edge, 1)
        a = load(args, owner, 100, args.duration, "/levels/s")
        b = load(args, edge, 100, args.duration, "/levels/s")
        fa, fb = figures(a), figures(b)
        return {"owner_p50_ms": fa["latency_p50_ms"], "owner_p99_ms": fa["latency_p99_ms"],
                "edge_p50_ms": fb["latency_p50_ms"], "edge_p99_ms": fb["latency_p99_ms"],
                "added_p50_ms": fb["latency_p50_ms"] - fa["latency_p50_ms"],
                "added_p99_ms": fb["latency_p99_ms"] - fa["latency_p99_ms"],
                "edge_gaps": fb["seq_gaps"], "edge_duplicates": fb["duplicates"]}
    finally:
        procs.stop_all()


def bench_cpu(args, edge_mode):
    procs = Procs()
    try:
        if edge_mode:
            cluster = Cluster(args, procs)
            cluster.node(1, "owner", "--source", "s=synth", "--rate", 10)
            proc, port = cluster.node(0, "edge")
            cluster.wait_topics(port, 1)
        else:
            proc, port = start_node(args, procs, 0, "--source", "s=synth", "--rate", 10)
        f = figures(load(args, port, args.connections, args.duration, "/levels/s", pid=proc.pid, rate=10))
        return {"cpu_us_per_message": f["server"]["cpu_us_per_message"], "rate_per_s": f["rate_per_s"],
                "delivery_ratio": f["delivery_ratio"], "opened": f["opened"]}
    finally:
        procs.stop_all()


def bench_redis(args, edges):
    procs = Procs()
    try:
        cluster = Cluster(args, procs)
        sources = []
        for i in range(20):
            sources += ["--source", f"t{i}=synth:channels=2"]
        cluster.node(1, "owner", *sources, "--rate", 50, "--max-topics", 32)
        ports = [cluster.node(1, f"edge{i}")[1] for i in range(edges)]
        for port in ports:
            cluster.wait_topics(port, 20)
        time.sleep(2)
        before, start = cpu_seconds(cluster.redis.pid), time.monotonic()
        time.sleep(args.duration)
        share = (cpu_seconds(cluster.redis.pid) - before) / (time.monotonic() - start)
        return {"edges": edges, "redis_cpu_percent": round(100 * share, 2)}
    finally:
        procs.stop_all()


def cluster_connected(port):
    for line in http_get(port, "/metrics").decode().splitlines():
        if line.startswith("levelcast_cluster_connected "):
            return float(line.split()[1]) == 1
    return False


class SseReader(threading.Thread):
    """Reads /events/TOPIC from a node; `arrivals` holds (monotonic time, seq, ts) per snapshot."""

    def __init__(self, port, topic):
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.connection.request("GET", f"/events/{topic}")
        self.sock = self.connection.sock  # getresponse() lets go of it: the stream is the last reply
        self.response = self.connection.getresponse()
        self.arrivals = []
        self.start()

    def run(self):
        try:
            while line := self.response.readline():
                if line.startswith(b"data: ") and b'"seq"' in line:
                    snapshot = json.loads(line[6:])
                    self.arrivals.append((time.monotonic(), snapshot["seq"], snapshot["ts"]))
        except (OSError, ValueError):
            pass  # closed by close()

    def first_after(self, since, predicate=lambda arrival: True):
        return next((a for a in list(self.arrivals) if a[0] >= since and predicate(a)), None)

    def close(self):
        self.sock.shutdown(socket.SHUT_RDWR)
        self.join(timeout=5)


def restart_timings(cluster, nodes, readers, outage, during=None):
    """Kills Redis, runs during() once the nodes saw it go, starts Redis again after `outage` s;
    seconds from its first PONG until each node reads connected and each reader gets a snapshot
    (any, then live)."""
    cluster.kill_redis()
    killed = time.monotonic()
    wait_until(lambda: not any(cluster_connected(port) for port in nodes.values()), 10, "nodes to see Redis go")
    seen_during = during() if during else None
    time.sleep(max(0.0, outage - (time.monotonic() - killed)))
    up_wall = time.time()
    up = cluster.start_redis()
    connected = {}
    end = up + 30
    while len(connected) < len(nodes) and time.monotonic() < end:
        for name, port in nodes.items():
            if name not in connected and cluster_connected(port):
                connected[name] = time.monotonic() - up
        time.sleep(0.002)
    live = lambda arrival: arrival[2] >= up_wall * 1e6
    wait_until(lambda: all(r.first_after(up, live) for r in readers.values()), 30, "live snapshots on edges")
    return {"outage_s": round(up - killed, 3), "during": seen_during,
            "connected_s": {name: round(t, 3) for name, t in connected.items()},
            "first_snapshot_s": {n: round(r.first_after(up)[0] - up, 3) for n, r in readers.items()},
            "first_live_snapshot_s": {n: round(r.first_after(up, live)[0] - up, 3) for n, r in readers.items()}}


def cpu_over(pids, seconds):
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    start = time.monotonic()
    time.sleep(seconds)
    span = time.monotonic() - start
    return {name: round(1000 * (cpu_seconds(pid) - before[name]) / span, 2) for name, pid in pids.items()}


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def bench_reconnect(args):
    procs = Procs()
    readers = {}
    try:
        cluster = Cluster(args, procs)
        owner, owner_port = cluster.node(0, "owner", "--source", "s=synth", "--rate", 50)
        nodes, pids = {"owner": owner_port}, {"owner": owner.pid}
        for i in range(args.edges):
            proc, port = cluster.node(0, f"edge{i}")
            nodes[f"edge{i}"], pids[f"edge{i}"] = port, proc.pid
            cluster.wait_topics(port, 1)
            readers[f"edge{i}"] = SseReader(port, "s")
        wait_until(lambda: all(r.arrivals for r in readers.values()), 10, "edge clients")
        short = [restart_timings(cluster, nodes, readers, args.outage) for _ in range(args.restarts)]
        cpu_up = cpu_over(pids, args.idle)
        long = restart_timings(cluster, nodes, readers, args.idle + 1, lambda: cpu_over(pids, args.idle))
        report = {"edges": args.edges, "outage_s": args.outage, "restarts": short, "long_outage": long,
                  "cpu_ms_per_s_redis_up": cpu_up, "cpu_ms_per_s_redis_down": long.pop("during")}
        for key in ("connected_s", "first_snapshot_s", "first_live_snapshot_s"):
            report[key] = spread([max(r[key].values()) for r in short])
        return report
    finally:
        for reader in readers.values():
            reader.close()
        procs.stop_all()


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--edges", type=int, default=2, help="reconnect: edge nodes")
    parser.add_argument("--restarts", type=int, default=5, help="reconnect: short outages")
    parser.add_argument("--outage", type=float, default=1, help="reconnect: seconds of a short outage")
    parser.add_argument("--idle", type=float, default=20, help="reconnect: seconds of CPU reading")
    parser.add_argument("--only", choices=["latency", "cpu", "redis", "reconnect"], action="append")
    parser.add_argument("--out")
    args = parser.parse_args()
    args.levelcast = os.path.join(args.build, "levelcast")
    args.load = os.path.join(args.build, "bench", "load", "levelcast-load")
    only = set(args.only or ["latency", "cpu", "redis", "reconnect"])
    report = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": args.runs,
              "duration_s": args.duration}
    if "latency" in only:
        runs = [bench_latency(args) for _ in range(args.runs)]
        report["latency"] = {"runs": runs, "median_added_p50_ms": median_of(runs, "added_p50_ms"),
                             "median_added_p99_ms": median_of(runs, "added_p99_ms")}
        print(json.dumps(report["latency"]), flush=True)
    if "cpu" in only:
        runs = []
        for _ in range(args.runs):  # alternating
            runs.append({"standalone": bench_cpu(args, False), "edge": bench_cpu(args, True)})
        ratios = [r["edge"]["cpu_us_per_message"] / r["standalone"]["cpu_us_per_message"] for r in runs]
        report["cpu"] = {"connections": args.connections, "runs": runs,
                         "median_edge_over_standalone": statistics.median(ratios)}
        print(json.dumps(report["cpu"]), flush=True)
    if "redis" in only:
        report["redis"] = [bench_redis(args, n) for n in (1, 10, 40)]
        print(json.dumps(report["redis"]), flush=True)
    if "reconnect" in only:
        report["reconnect"] = bench_reconnect(args)
        print(json.dumps(report["reconnect"]), flush=True)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=1)


if __name__ == "__main__":
    sys.exit(main())
