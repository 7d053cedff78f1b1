"""Starting and stopping the measured processes, one load run, and the machine's state.

Every process started here is recorded by PID and stopped by PID (SIGTERM, then SIGKILL);
nothing is stopped by name. The server is pinned to SERVER_CPU with taskset, levelcast-load to
LOAD_CPU, both at nice NICE. Every run is bounded: the servers that can exit by themselves are given
--exit-after, and every wait has a timeout.
"""
import json
import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
LEVELCAST = BUILD / "levelcast"
LOAD = BUILD / "bench" / "load" / "levelcast-load"
FLOOR = BUILD / "bench" / "peers" / "levelcast-floor"
NODE_PEER = REPO / "bench" / "peers" / "node_broadcast.js"
# The previous commit's server for before/after runs (issue 10's suite).
BEFORE_BINARY = os.environ.get("BEFORE_BINARY", "/work/coord/base/levelcast")
SERVER_CPU = 0
LOAD_CPU = 1
# Server and load client run at this priority, so that background work on the shared machine
# (fuzzers, builds) takes only what they leave. Each runs in a session of its own, whose
# autogroup gets this nice too: with autogroups on, the kernel shares a CPU between sessions
# first, and a process's own nice counts only inside its session.
NICE = -10


def spawn(argv, **options):
    """Popen in a new session whose autogroup runs at NICE; the process is recorded."""
    proc = subprocess.Popen(argv, start_new_session=True, stdin=subprocess.DEVNULL, text=True,
                            **options)
    _started[proc.pid] = proc
    try:
        Path(f"/proc/{proc.pid}/autogroup").write_text(str(NICE))
    except OSError:
        pass  # no autogroups: the nice on the command line does it
    return proc

_LISTENING = re.compile(r"listening on wss?://[^:/]+:(\d+)/")
_started = {}  # pid -> Popen, for stop_all() on the way out


def log(text):
    print(time.strftime("%H:%M:%S ") + text, flush=True)


def build(targets=("levelcast", "levelcast-load", "levelcast-floor")):
    """Configures a Release build in build/ if there is none, then builds the targets."""
    if not (BUILD / "build.ninja").exists():
        subprocess.run(["cmake", "-S", str(REPO), "-B", str(BUILD), "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=Release"], check=True)
    subprocess.run(["cmake", "--build", str(BUILD), "-j2", "--target", *targets], check=True)


class Server:
    """One server process under test, pinned to SERVER_CPU; knows its PID and port."""

    def __init__(self, name, argv, ready_timeout=15.0, pinned=True):
        self.name = name
        pin = ["taskset", "-c", str(SERVER_CPU)] if pinned else []
        self.argv = [*pin, "nice", "-n", str(NICE), *map(str, argv)]
        self.stderr_path = Path("/tmp") / f"levelcast-bench-{os.getpid()}-{name}.err"
        with open(self.stderr_path, "w") as err:
            # taskset and nice exec the server: the PID is the server's
            self.proc = spawn(self.argv, stdout=subprocess.PIPE, stderr=err, cwd=REPO)
        self.pid = self.proc.pid
        self.port = self._wait_for_port(ready_timeout)
        self.output = ""

    def _wait_for_port(self, timeout):
        deadline = time.monotonic() + timeout
        seen = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    break
                seen += line
                match = _LISTENING.search(line)
                if match:
                    return int(match.group(1))
            elif self.proc.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"{self.name} did not start: {seen!r} {self.stderr_tail()}")

    def rss_kib(self):
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        return int(match.group(1)) if match else None

    def stderr_tail(self):
        try:
            return self.stderr_path.read_text()[-400:]
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                out, _ = self.proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                out, _ = self.proc.communicate(timeout=10)
        else:
            out, _ = self.proc.communicate(timeout=10)
        self.output = (out or "").strip()
        _started.pop(self.pid, None)
        try:
            self.stderr_path.unlink()
        except OSError:
            pass
        return self.output


def forget(proc):
    """A process started by spawn() that has ended: no longer stopped by stop_all()."""
    _started.pop(proc.pid, None)


def free_port():
    """A loopback TCP port nothing listens on now (for servers that cannot take port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User plus system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def stop_all():
    for pid, proc in list(_started.items()):
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        _started.pop(pid, None)


def load_argv(mode, port, connections, duration, warmup, pid=None, expect_rate=None,
              path=None, connect_rate=None, source_ips=None, extra=()):
    """The levelcast-load command line, pinned to LOAD_CPU with one thread. Above 10,000
    connections they come from 4 source addresses, so that one port range never runs short."""
    source_ips = source_ips or (1 if connections <= 10000 else 4)
    argv = ["taskset", "-c", str(LOAD_CPU), "nice", "-n", str(NICE), str(LOAD), "--mode", mode, "--port", str(port),
            "--connections", str(connections), "--duration", str(duration),
            "--warmup", str(warmup), "--threads", "1", "--source-ips", str(source_ips), "--json"]
    if pid:
        argv += ["--pid", str(pid)]
    if expect_rate:
        argv += ["--expect-rate", f"{expect_rate:g}"]
    if path:
        argv += ["--path", path]
    if connect_rate:
        argv += ["--connect-rate", f"{connect_rate:g}"]
    return argv + list(extra)


def parse_load_output(stdout):
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


def run_load(argv, timeout, setup_limit=None, on_setup=None):
    """Runs levelcast-load to the end; returns (its JSON report or None, exit status, stderr).
    When the tool has not opened its connections within `setup_limit` s, it is stopped: a server
    that cannot take the connections while it broadcasts fails the run (no report). Once they
    are open, `on_setup()` runs (in another thread) and its result is returned fourth."""
    proc = spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines, result = [], {}
    set_up = threading.Event()

    def read_stderr():
        for line in proc.stderr:
            lines.append(line)
            if "connections open after" in line and not set_up.is_set():
                set_up.set()
                if on_setup:
                    result["probe"] = on_setup()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    out_parts = []
    writer = threading.Thread(target=lambda: out_parts.append(proc.stdout.read()), daemon=True)
    writer.start()
    began = time.monotonic()
    killed = None
    while proc.poll() is None:
        elapsed = time.monotonic() - began
        if setup_limit and not set_up.is_set() and elapsed > setup_limit:
            killed = f"set-up not finished after {setup_limit:g} s"
        elif elapsed > timeout:
            killed = f"killed after the {timeout:g} s timeout"
        if killed:
            proc.kill()
            break
        time.sleep(0.1)
    proc.wait(timeout=10)
    _started.pop(proc.pid, None)
    writer.join(timeout=10)
    reader.join(timeout=10)
    err = "".join(lines).strip()[-600:]
    if killed:
        err += f"\n(bench/fanout: levelcast-load {killed})"
    report = parse_load_output(out_parts[0] if out_parts else "")
    return report, proc.returncode, err, result.get("probe")


def setup_limit(connections):
    """Seconds levelcast-load may take to open `connections` while the server broadcasts:
    every server here opens 10,000 in 2-3 s when it is not saturated."""
    return 15 + connections / 1000


def load_timeout(connections, duration, warmup, connect_rate=None):
    """Set-up (pacing plus the tool's 12 s stall limit), window, 5 s close grace and margin."""
    pacing = connections / connect_rate if connect_rate else 0
    return pacing + 12 + 30 + warmup + duration + 5 + 15


def cpu_busy_fractions(interval=1.0):
    """Shares of all CPUs busy during `interval` s (nothing of ours runs while this samples):
    (at normal priority, niced). Niced work (fuzzers, say) yields to ours, which runs at NICE."""
    def sample():
        values = list(map(int, Path("/proc/stat").read_text().splitlines()[0].split()[1:9]))
        user, nice, system, idle, iowait, irq, softirq, steal = values
        return sum(values), user + system + irq + softirq + steal, nice

    total0, busy0, nice0 = sample()
    time.sleep(interval)
    total1, busy1, nice1 = sample()
    total = max(1, total1 - total0)
    return (busy1 - busy0) / total, (nice1 - nice0) / total


CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def cpu_times(cpu):
    """The jiffies of one CPU from /proc/stat, by CPU_FIELDS."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{cpu} "):
            return list(map(int, line.split()[1:9]))
    return [0] * len(CPU_FIELDS)


class CoreSampler:
    """How the server's core spent a window: started when the load's connections are open, it
    samples /proc/stat after the warm-up and again near the window's end, in its own thread.
    The server's own CPU figure leaves out the softirq of the loopback delivery, which the
    kernel charges to the core; this shows it, and whether the core had any idle time."""

    def __init__(self, cpu, warmup, duration):
        self.cpu, self.warmup, self.duration = cpu, warmup, duration
        self.shares = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def _run(self):
        time.sleep(self.warmup)
        first = cpu_times(self.cpu)
        time.sleep(max(0.5, self.duration - 0.5))
        delta = [b - a for a, b in zip(first, cpu_times(self.cpu))]
        total = max(1, sum(delta))
        self.shares = {name: round(v / total, 3) for name, v in zip(CPU_FIELDS, delta)}

    def result(self):
        """The shares, or None when the window never began (or was cut short)."""
        if self.thread.ident is None:
            return None
        self.thread.join(timeout=self.warmup + self.duration + 5)
        return self.shares


_gave_up = {"at": -1e9}  # when a wait last ended with the machine still busy
RETRY_WAITING_AFTER_S = 300


def wait_for_quiet(threshold, max_wait):
    """Waits (up to max_wait s) until other processes, niced or not, use less than `threshold`
    of the CPUs: our priority wins CPU time back from them, but not the caches. After a wait
    that ended with the machine still busy, runs go ahead without waiting for the next
    RETRY_WAITING_AFTER_S s (a long fuzzing job would otherwise double the time); taking turns
    spreads that noise over all systems. Returns what the last sample saw, which every run
    records."""
    busy, niced = cpu_busy_fractions()
    waited = 0
    if time.monotonic() - _gave_up["at"] < RETRY_WAITING_AFTER_S:
        max_wait = 0
    while busy + niced > threshold and waited < max_wait:
        if waited == 0:
            log(f"  machine busy ({busy:.0%} + {niced:.0%} niced of the CPUs in use by others);"
                f" waiting up to {max_wait:g} s")
        time.sleep(4)
        waited += 5
        busy, niced = cpu_busy_fractions()
    if busy + niced > threshold and max_wait > 0:
        _gave_up["at"] = time.monotonic()
    return {"others_busy": round(busy, 3), "others_niced": round(niced, 3), "waited_s": waited}


def loadavg():
    """The 1-minute load average: others compile on this machine, each run records it."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError):
        return None


def machine_info():
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text()
    mem = re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.M)

    def read(path):
        try:
            return Path(path).read_text().strip()
        except OSError:
            return None

    def command(*argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=10,
                                  cwd=REPO).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return None

    ws_version = None
    try:
        ws_version = json.loads(Path("/usr/share/nodejs/ws/package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model.group(1).strip() if model else None,
        "kernel": os.uname().release,
        "mem_total_mib": int(mem.group(1)) // 1024 if mem else None,
        "open_file_limit": command("sh", "-c", "ulimit -n"),
        "ip_local_port_range": read("/proc/sys/net/ipv4/ip_local_port_range"),
        "somaxconn": read("/proc/sys/net/core/somaxconn"),
        "node": command("node", "--version"),
        "node_ws": ws_version,
        "liburing": command("pkg-config", "--modversion", "liburing"),
        "git_commit": command("git", "rev-parse", "HEAD"),
        "git_dirty_files": command("git", "status", "--porcelain", "--untracked-files=no"),
        "loadavg_at_start": read("/proc/loadavg"),
        "server_cpu": SERVER_CPU,
        "load_cpu": LOAD_CPU,
        "binaries": binaries(),
    }


def binaries():
    """When each measured binary was built: the build directory is shared, and a rebuild in
    the middle of a suite shows here and in every run's record."""
    built = {}
    for path in (LEVELCAST, LOAD, FLOOR):
        try:
            built[path.name] = time.strftime("%Y-%m-%d %H:%M:%S",
                                             time.localtime(path.stat().st_mtime))
        except OSError:
            built[path.name] = None
    return built
