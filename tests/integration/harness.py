"""Shared plumbing for levelcast's integration tests.

Owns: the server process a test starts (start, wait for the listening line,
stop by PID, always clean up), /proc readers (RSS, CPU time, thread
affinity), polling with deadlines, and the Python `websockets` client with
the project's settings. Byte-level clients (raw HTTP, raw WebSocket,
/metrics) are in rawclient.py.

Every wait here has a deadline; nothing sleeps as a means of synchronisation.
Run with Debian's /usr/bin/python3, which has python3-websockets 10.4.
"""

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import unittest

try:
    import websockets
except ImportError:  # pragma: no cover - wrong interpreter
    sys.exit("harness: the 'websockets' module is missing; run with /usr/bin/python3")

LISTEN_LINE = re.compile(r"^levelcast listening on (?:wss?)://127\.0\.0\.1:(\d+)/levels$")
STARTUP_DEADLINE = 10.0
# The contract says 2 s; the slack is for a loaded two-core CI machine.
SHUTDOWN_DEADLINE = 5.0
MAX_MESSAGE = 1 << 20

_server_path = None


def server_path():
    if _server_path is None:
        raise RuntimeError("harness.main() was not called; no server binary known")
    return _server_path


def main():
    """Parse --server PATH (or $LEVELCAST_BIN), then run the caller's unittest cases."""
    global _server_path
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--server", default=os.environ.get("LEVELCAST_BIN"))
    args, rest = parser.parse_known_args()
    if not args.server:
        sys.exit("harness: pass --server PATH or set LEVELCAST_BIN")
    _server_path = os.path.abspath(args.server)
    if not os.access(_server_path, os.X_OK):
        sys.exit(f"harness: server binary {_server_path} is missing or not executable")
    unittest.main(module="__main__", argv=[sys.argv[0], *rest], verbosity=2)


# ---------------------------------------------------------------- deadlines

class Deadline:
    """A point `timeout` seconds ahead, naming what is awaited.

    check() fails the test once it has passed; left() gives the socket timeout
    for the next read, so that loops over reads end at the deadline too.
    """

    def __init__(self, timeout, what):
        self.timeout, self.what = timeout, what
        self.end = time.monotonic() + timeout

    def left(self):
        """Seconds left, for a socket timeout; TimeoutError once none are."""
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no progress from {self.what} within {self.timeout:g} s")
        return remaining

    def check(self):
        if time.monotonic() >= self.end:
            raise AssertionError(f"timed out after {self.timeout:g} s waiting for {self.what}")


def poll_until(predicate, timeout, what, interval=0.02):
    """Call predicate until it returns something truthy; return that value."""
    deadline = Deadline(timeout, what)
    while not (value := predicate()):
        deadline.check()
        time.sleep(interval)
    return value


async def async_poll_until(predicate, timeout, what, interval=0.02):
    """poll_until for coroutines: yields to the event loop between calls."""
    deadline = Deadline(timeout, what)
    while not (value := predicate()):
        deadline.check()
        await asyncio.sleep(interval)
    return value


# ---------------------------------------------------------------- the server

def _die_with_parent():
    """Runs in the child before exec: SIGKILL it if the test process dies first."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def run_server_command(options, timeout=10.0):
    """Run the binary with exactly `options` to completion; return CompletedProcess.

    For option checks: the process is killed if it outlives `timeout`.
    """
    return subprocess.run(
        [server_path(), *options], stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=timeout, preexec_fn=_die_with_parent)


class Server:
    """One levelcast process on 127.0.0.1 and an OS-chosen port.

    Owns the child process and its captured stdout/stderr files. Not thread safe:
    use it from the thread that started it (the parent-death signal is tied to
    that thread).
    """

    def __init__(self, *options, max_fds=None, stdin_pipe=False, port=0):
        """`options` follow --bind/--port; `max_fds` lowers the child's RLIMIT_NOFILE;
        `stdin_pipe` gives the test the server's stdin (self.stdin) to write audio into;
        `port` is 0 (any free port) unless a test needs a given one."""
        self.options = [str(o) for o in options]
        self.requested_port = port
        self.max_fds = max_fds
        self.stdin_pipe = stdin_pipe
        self.proc = None
        self.port = None       # the plain listener (None with --no-plain)
        self.tls_port = None   # the TLS listener (with --tls-cert)
        self._dir = None
        self._stop_signal = None
        self.stderr_text = None  # all of stderr, kept once stopped

    @property
    def pid(self):
        return self.proc.pid

    @property
    def stdin(self):
        return self.proc.stdin

    def url(self, path="/levels"):
        return f"ws://127.0.0.1:{self.port}{path}"

    def start(self):
        self._dir = tempfile.TemporaryDirectory(prefix="levelcast-it-")
        out_path = os.path.join(self._dir.name, "stdout")
        err_path = os.path.join(self._dir.name, "stderr")
        # Frames are never skipped for lag unless a test asks (--max-lag): under a sanitizer on
        # a loaded machine a worker can fall 250 ms behind, and the tests that count seqs would
        # then see the lag policy's gaps instead of what they test.
        lag = [] if "--max-lag" in self.options else ["--max-lag", "0"]
        command = [server_path(), "--bind", "127.0.0.1", "--port", str(self.requested_port),
                   *lag, *self.options]
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            stdin = subprocess.PIPE if self.stdin_pipe else subprocess.DEVNULL
            self.proc = subprocess.Popen(command, stdin=stdin, stdout=out,
                                         stderr=err, preexec_fn=self._prepare_child)
        try:
            self.port = poll_until(self._listening_port, STARTUP_DEADLINE,
                                   f"the listening line from {' '.join(command)}")
            if "--no-plain" in self.options:
                self.port = None
        except BaseException:
            self.stop(check=False)
            raise
        return self

    def _prepare_child(self):
        _die_with_parent()
        if self.max_fds is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.max_fds, self.max_fds))

    def _listening_lines(self):
        """How many listening lines to expect: ws:// unless --no-plain, wss:// with TLS."""
        return ("--no-plain" not in self.options) + ("--tls-cert" in self.options)

    def _listening_port(self):
        written = self._captured("stdout")
        lines = written.split("\n")[:-1]
        if len(lines) >= self._listening_lines():
            ports = {}
            for line in lines[:self._listening_lines()]:
                match = LISTEN_LINE.match(line.rstrip("\r"))
                if not match:
                    raise AssertionError(f"unexpected stdout line {line!r}")
                ports["wss" if "wss://" in line else "ws"] = int(match.group(1))
            self.tls_port = ports.get("wss")
            return ports.get("ws", self.tls_port)
        if self.proc.poll() is not None:
            raise AssertionError(
                f"server exited with {self.proc.returncode} before listening; "
                f"stderr:\n{self.stderr_tail()}")
        return None

    def _captured(self, stream):
        """What the process wrote to "stdout" or "stderr" (stderr is kept after stop)."""
        if self._dir is None:
            return (self.stderr_text or "") if stream == "stderr" else ""
        with open(os.path.join(self._dir.name, stream), encoding="utf-8",
                  errors="replace") as captured:
            return captured.read()

    def stderr_tail(self, lines=30):
        return "".join(self._captured("stderr").splitlines(keepends=True)[-lines:])

    def send_signal(self, sig):
        self._stop_signal = sig
        self.proc.send_signal(sig)

    def wait(self, timeout):
        """Return the exit status, or None if still running after `timeout` s."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGTERM, check=True):
        """Signal the process by PID, wait, SIGKILL as a fallback; idempotent.

        With `check`, raise if the process crashed before being asked to stop,
        died of another signal, or ignored `sig` until the deadline.
        """
        if self.proc is None:
            return None
        problem = None
        status = self.proc.poll()
        if status is not None:
            if self._stop_signal is None:
                problem = f"server exited on its own with status {status}"
            # Otherwise the test signalled it and judges the status itself.
        else:
            self.send_signal(sig)
            status = self.wait(SHUTDOWN_DEADLINE)
            if status is None:
                self.proc.kill()
                status = self.proc.wait()
                problem = f"server ignored {sig.name} for {SHUTDOWN_DEADLINE:g} s"
            elif status not in (0, -sig):
                problem = f"server stopped with status {status} after {sig.name}"
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        extra = self._captured("stdout").splitlines()[self._listening_lines():]
        if extra and problem is None:
            problem = f"stdout should hold only the listening line; also: {extra[:3]}"
        self.stderr_text = self._captured("stderr")
        tail = self.stderr_tail()
        self._dir.cleanup()
        self._dir = None
        self.proc = None
        if check and problem:
            raise AssertionError(f"{problem}; stderr tail:\n{tail}")
        return status

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop(check=exc[0] is None)


def launch(owner, *options, **settings):
    """Start a Server and register its stop with a TestCase (instance or class)."""
    server = Server(*options, **settings).start()
    if isinstance(owner, type):
        owner.addClassCleanup(server.stop)
    else:
        owner.addCleanup(server.stop)
    return server


# ---------------------------------------------------------------- /proc

def rss_kib(pid):
    """Resident set size of `pid` in KiB, from /proc/PID/status."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS in /proc/{pid}/status")


def thread_cpu_lists(pid):
    """{thread name: [Cpus_allowed_list, ...]} for every thread of `pid`."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm", encoding="utf-8") as comm:
                name = comm.read().strip()
            with open(f"/proc/{pid}/task/{tid}/status", encoding="ascii") as status:
                allowed = next(line.split()[1] for line in status
                               if line.startswith("Cpus_allowed_list:"))
        except FileNotFoundError:
            continue  # the thread ended meanwhile
        threads.setdefault(name, []).append(allowed)
    return threads


class CpuMeter:
    """The CPU share (CPU seconds per wall second) a process has used since creation."""

    # A thread spinning on a ready fd takes a whole core; the honest work in
    # these tests is a few per cent, and about a third in a TSan build.
    SPIN_LIMIT = 0.75

    def __init__(self, pid):
        self.pid = pid
        self.cpu = cpu_seconds(pid)
        self.wall = time.monotonic()

    def share(self):
        return (cpu_seconds(self.pid) - self.cpu) / (time.monotonic() - self.wall)


def cpu_seconds(pid):
    """User plus system CPU time of `pid`, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    # fields[0] is stat's 3rd field (state); utime and stime are its 14th and 15th.
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- websockets client

def connect(server, path="/levels", **options):
    """A `websockets` client connection; client pings are off to keep traffic predictable."""
    settings = {"max_size": 2 * MAX_MESSAGE, "open_timeout": 10, "close_timeout": 2,
                "ping_interval": None}
    settings.update(options)
    return websockets.connect(server.url(path), **settings)


async def recv_snapshot(ws, timeout=5.0):
    """Next /levels message as (raw text, parsed object)."""
    text = await within(ws.recv(), timeout, "a /levels message")
    if not isinstance(text, str):
        raise AssertionError(f"/levels sent a binary message: {text[:80]!r}")
    return text, json.loads(text)


_DBFS = re.compile(r'"(rms|peak)"\s*:\s*(null|-?\d+\.\d)\s*(?=[,}])')


def snapshot_problems(text, snapshot, channels, rate):
    """List what is wrong with one /levels message; empty when it keeps the contract."""
    problems = []
    if snapshot.get("topic") != "synth":
        problems.append(f"topic {snapshot.get('topic')!r} is not 'synth'")
    seq, ts = snapshot.get("seq"), snapshot.get("ts")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        problems.append(f"seq {seq!r} is not a positive integer")
    if not isinstance(ts, int) or abs(ts / 1e6 - time.time()) > 60:
        problems.append(f"ts {ts!r} is not microseconds near now ({time.time():.0f} s)")
    if snapshot.get("rate") != rate:
        problems.append(f"rate {snapshot.get('rate')!r} is not {rate}")
    levels = snapshot.get("channels")
    if not isinstance(levels, list) or len(levels) != channels:
        return problems + [f"channels {levels!r} is not a list of {channels}"]
    for index, level in enumerate(levels):
        for field in ("rms", "peak"):
            value = level.get(field, "missing") if isinstance(level, dict) else "missing"
            if value is not None and (isinstance(value, (bool, str)) or value > 0):
                problems.append(f"channels[{index}].{field} = {value!r} is not a dBFS number <= 0 or null")
    found = _DBFS.findall(text)
    if len(found) != 2 * channels:
        problems.append(f"not every rms/peak is written as null or with one decimal: {text}")
    return problems


async def close_code(ws):
    """Read until the connection closes; the code of the server's close frame, or None.

    Reading (rather than wait_closed) keeps the client's queue from filling and
    pausing the socket before the close frame arrives.
    """
    try:
        while True:
            await ws.recv()
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


def consecutive(seqs):
    """True when seqs is a run of integers each one more than the last."""
    return all(b == a + 1 for a, b in zip(seqs, seqs[1:]))


@contextlib.asynccontextmanager
async def background(*coroutines):
    """Run coroutines as tasks for the length of the block, then cancel them.

    Yields the tasks; a task that ended with an exception re-raises it here.
    """
    tasks = [asyncio.create_task(coroutine) for coroutine in coroutines]
    try:
        yield tasks
        raise_failures(tasks)
    finally:
        for task in tasks:
            task.cancel()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=5)
            if pending:
                raise AssertionError(f"{len(pending)} background tasks ignored cancellation")


def raise_failures(tasks):
    """Re-raise the exception of the first task that ended with one."""
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception():
            raise task.exception()


async def within(awaitable, timeout, what):
    """Await with a deadline; fails naming `what` when it passes.

    asyncio.timeout rather than wait_for: on Python 3.11, wait_for can swallow
    a cancellation that races with its result, and a cancelled reader then
    keeps running.
    """
    try:
        async with asyncio.timeout(timeout):
            return await awaitable
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout:g} s waiting for {what}") from None


def run(coroutine):
    return asyncio.run(coroutine)
