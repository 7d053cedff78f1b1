"""The systems under test: how to start each one broadcasting at a given rate.

Every system listens on 127.0.0.1 on a free port (--port 0), serves ws://.../levels with the same
snapshot shape (levelcast's 2-channel JSON, about 125 bytes) and prints
"listening on ws://HOST:PORT/levels". The servers are pinned to one CPU by procs.Server.
"""
from dataclasses import dataclass, field

from . import procs

# A server that can stop by itself does, this long after starting, whatever happens to us.
EXIT_AFTER_S = 600


@dataclass(frozen=True)
class System:
    name: str
    kind: str           # levelcast, node or floor
    options: tuple = ()  # extra command-line options
    label: str = ""
    path: str = "/levels"
    taskset: bool = True  # False: not pinned (the tuning runs that measure pinning)
    binary: str = ""      # levelcast only: another build (the previous commit's), default ours
    extra: dict = field(default_factory=dict, compare=False)

    def argv(self, rate, more=()):
        rate_text = f"{rate:g}"
        if self.kind == "levelcast":
            return [self.binary or procs.LEVELCAST, "--bind", "127.0.0.1", "--port", "0", "--rate", rate_text,
                    "--log-level", "warn", *self.options, *more]
        if self.kind == "node":
            return ["node", procs.NODE_PEER, "--port", "0", "--rate", rate_text,
                    "--exit-after", str(EXIT_AFTER_S), *self.options, *more]
        if self.kind == "floor":
            return [procs.FLOOR, "--port", "0", "--rate", rate_text,
                    "--exit-after", str(EXIT_AFTER_S), *self.options, *more]
        raise ValueError(self.kind)

    def start(self, rate, more=()):
        return procs.Server(self.name, self.argv(rate, more), pinned=self.taskset)


LEVELCAST_URING = System("levelcast", "levelcast",
                         ("--workers", "1", "--pin-cpus", "0", "--send-mode", "io_uring"),
                         "levelcast (io_uring, 1 worker)")
LEVELCAST_SEND = System("levelcast-send", "levelcast",
                        ("--workers", "1", "--pin-cpus", "0", "--send-mode", "send"),
                        "levelcast (send, 1 worker)")
# The binary of the commit before issue 10 (one frame per system call, frames skipped when
# behind), kept for before/after runs: BEFORE_BINARY, or /work/coord/base/levelcast.
LEVELCAST_BEFORE = System("levelcast-before", "levelcast", LEVELCAST_URING.options,
                          "levelcast 6dc5447 (before issue 10; io_uring, 1 worker)",
                          binary=procs.BEFORE_BINARY)
NODE = System("node", "node", (), "Node ws, client.send() loop")
NODE_RAW = System("node-raw", "node", ("--raw",), "Node ws, raw socket writes")
FLOOR_SEND = System("floor-send", "floor", ("--mode", "send"), "floor: plain send() loop")
FLOOR_URING = System("floor-uring", "floor", ("--mode", "io_uring"),
                     "floor: one io_uring submission per round, the frames due in one "
                     "SENDMSG per socket when behind")


def floor_batch(frames, mode="io_uring"):
    """The batched yardstick: a round every `frames` ticks, exactly the frames in one call per
    socket (a round that is behind skips ticks rather than write more)."""
    return System(f"floor-{'uring' if mode == 'io_uring' else mode}-x{frames}", "floor",
                  ("--mode", mode, "--batch", str(frames), "--catch-up", str(frames)),
                  f"floor: {frames} frames per {'SENDMSG' if mode == 'io_uring' else 'sendmsg()'}"
                  " per socket, forced")

MATRIX_SYSTEMS = (LEVELCAST_URING, LEVELCAST_SEND, NODE, NODE_RAW, FLOOR_SEND, FLOOR_URING)
BY_NAME = {s.name: s for s in MATRIX_SYSTEMS}

# The settings docs/TUNING.md compares, all against the matrix's machine layout.
TUNING_SYSTEMS = (
    LEVELCAST_URING,
    LEVELCAST_SEND,
    System("workers2-cpu0", "levelcast",
           ("--workers", "2", "--pin-cpus", "0"), "io_uring, --workers 2 --pin-cpus 0"),
    System("no-pin-cpus", "levelcast", ("--workers", "1",),
           "io_uring, --workers 1, no --pin-cpus (taskset only)"),
    System("binary", "levelcast", ("--workers", "1", "--pin-cpus", "0"),
           "io_uring, 1 worker, ?format=binary", path="/levels?format=binary"),
    System("defaults-unpinned", "levelcast", (),
           "defaults (--workers = 2 CPUs), no taskset: shares CPU 1 with the client",
           taskset=False),
)
