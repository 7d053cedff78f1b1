"""Starts one levelcast process for the suite and stops it by its PID.

The server prints `levelcast listening on ws://HOST:PORT/levels` when ready; its stderr
goes to a temporary log so a chatty server can never block on a full pipe. If the
server rejects one of our options at start-up (an option not implemented yet), that
option is dropped and the start retried, so the remaining cases can still run; the
dropped options are reported.
"""
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time

READY = re.compile(r"levelcast listening on ws://([0-9.]+):(\d+)/")
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


class StartError(Exception):
    pass


class ServerProcess:
    """Owns one child process and its log file. Used from the main thread only."""

    def __init__(self, path, name, options):
        self.path, self.name = path, name
        self.options = dict(options)
        self.dropped = []
        self.proc = None
        self.log = None
        self.exit_code_before_stop = None

    def start(self):
        """Start, retrying without rejected options; returns (host, port)."""
        for _ in range(len(self.options) + 1):
            ready = self._start_once()
            if ready:
                return ready
            rejected = [opt for opt in self.options if f"--{opt}" in self.log_text()]
            if not rejected:
                break
            for opt in rejected:
                self.dropped.append(opt)
                del self.options[opt]
        raise StartError(f"server '{self.name}' did not start:\n{self.log_tail(20)}")

    def _start_once(self):
        self.exit_code_before_stop = None
        self.log = tempfile.TemporaryFile(mode="w+b", prefix=f"levelcast-{self.name}-")
        argv = [self.path, "--bind", "127.0.0.1", "--port", "0"]
        for opt, value in self.options.items():
            argv += [f"--{opt}"] + ([] if value is None else [str(value)])  # None: a flag
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.log)
        lines = queue.Queue()
        threading.Thread(target=_drain, args=(self.proc.stdout, lines), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            if line is None:
                break
            match = READY.search(line.decode(errors="replace"))
            if match:
                return match.group(1), int(match.group(2))
        self.stop()
        return None

    def stop(self):
        """SIGTERM, then SIGKILL if it lingers. Records an exit that came before."""
        if self.proc is None:
            return
        code = self.proc.poll()
        if code is not None:
            self.exit_code_before_stop = code
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
        self.proc = None

    def log_text(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def log_tail(self, lines):
        return "\n".join(self.log_text().splitlines()[-lines:])


def _drain(stream, lines):
    for line in iter(stream.readline, b""):
        lines.put(line)
    lines.put(None)
