"""A real redis-server for the cluster tests: started on a free loopback port with no
persistence, stopped by PID. Commands go through redis-cli (Debian's redis-tools, which
redis-server depends on).

Owns: the redis-server child process. Every wait has a deadline.
"""

import os
import socket
import subprocess
import tempfile

import harness

REDIS_SERVER = "/usr/bin/redis-server"
REDIS_CLI = "/usr/bin/redis-cli"


def free_port():
    """A loopback TCP port nobody listens on now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, port=None, password=None):
        self.port = port or free_port()
        self.password = password  # --requirepass: the default user's; redis-cli logs in with it
        self.proc = None
        self._dir = None

    @property
    def url(self):
        login = f":{self.password}@" if self.password else ""
        return f"redis://{login}127.0.0.1:{self.port}"

    @property
    def socket_path(self):
        return os.path.join(self._dir.name, "redis.sock")

    def start(self):
        self._dir = tempfile.TemporaryDirectory(prefix="levelcast-redis-")
        log = open(os.path.join(self._dir.name, "redis.log"), "wb")
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self._dir.name, "--unixsocket", self.socket_path,
             "--unixsocketperm", "700", *(["--requirepass", self.password] if self.password else [])],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=harness._die_with_parent)
        log.close()
        harness.poll_until(self._answers, 10, f"redis-server on port {self.port}", interval=0.05)
        return self

    def _answers(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"redis-server exited with {self.proc.returncode}")
        return self.cli("PING", check=False) == "PONG"

    def cli(self, *args, check=True):
        """One command through redis-cli; its output, stripped."""
        login = ["--no-auth-warning", "-a", self.password] if self.password else []
        done = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(self.port), *login, *map(str, args)],
                              capture_output=True, text=True, timeout=10)
        if check and done.returncode != 0:
            raise AssertionError(f"redis-cli {args}: {done.stderr}")
        return done.stdout.strip()

    def stop(self):
        """SIGTERM by PID, SIGKILL after 5 s; idempotent."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        self._dir.cleanup()
        self._dir = None


def launch(owner, port=None, password=None):
    """Start a RedisServer and register its stop with a TestCase (instance or class)."""
    server = RedisServer(port, password).start()
    if isinstance(owner, type):
        owner.addClassCleanup(server.stop)
    else:
        owner.addCleanup(server.stop)
    return server
