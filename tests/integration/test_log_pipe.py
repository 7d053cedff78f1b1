"""A log output nobody reads never stops the server (issue 11, item 2): with stderr a full pipe,
SIGTERM still closes every client with 1001 and the process exits 0 in the grace period; lines
that did not fit are counted in levelcast_log_lines_dropped_total."""

import asyncio
import fcntl
import os
import signal
import subprocess
import tempfile
import unittest

import harness
import rawclient

CLIENTS = 3


def full_pipe():
    """A pipe whose write end is full (nobody will read it): (read end, write end)."""
    read_end, write_end = os.pipe()
    flags = fcntl.fcntl(write_end, fcntl.F_GETFL)
    fcntl.fcntl(write_end, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    try:
        while True:
            os.write(write_end, b"x" * 65536)
    except BlockingIOError:
        pass
    fcntl.fcntl(write_end, fcntl.F_SETFL, flags)  # the server gets a blocking, full pipe
    return read_end, write_end


class LogIntoAFullPipe(unittest.TestCase):
    def test_sigterm_closes_clients_and_exits_with_stderr_stuck(self):
        read_end, write_end = full_pipe()
        self.addCleanup(os.close, read_end)
        workdir = tempfile.TemporaryDirectory(prefix="levelcast-it-")
        self.addCleanup(workdir.cleanup)
        stdout_path = os.path.join(workdir.name, "stdout")
        with open(stdout_path, "wb") as stdout:
            # --log-level debug: every closed connection is a log line as well.
            proc = subprocess.Popen(
                [harness.server_path(), "--bind", "127.0.0.1", "--port", "0", "--rate", "100",
                 "--log-level", "debug", "--summary-interval", "0.001"],
                stdin=subprocess.DEVNULL, stdout=stdout, stderr=write_end,
                preexec_fn=harness._die_with_parent)
        os.close(write_end)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))

        def listening_port():
            with open(stdout_path, encoding="utf-8") as out:
                line = out.readline()
            match = harness.LISTEN_LINE.match(line.strip())
            if proc.poll() is not None:
                raise AssertionError(f"server exited with {proc.returncode}")
            return int(match.group(1)) if match else None

        port = harness.poll_until(listening_port, harness.STARTUP_DEADLINE, "the listening line")

        class Target:  # what harness.connect needs
            def url(self, path):
                return f"ws://127.0.0.1:{port}{path}"

        async def scenario():
            clients = [await harness.connect(Target()) for _ in range(CLIENTS)]
            for ws in clients:
                await harness.recv_snapshot(ws)
            # The summary lines pile up behind the stuck pipe until they no longer fit.
            samples = await asyncio.to_thread(
                rawclient.scrape_until, port,
                lambda s: s.get("levelcast_log_lines_dropped_total", 0) > 0, 15,
                "log lines to be dropped")
            self.assertGreater(samples["levelcast_log_lines_dropped_total"], 0)
            proc.send_signal(signal.SIGTERM)
            return await harness.within(
                asyncio.gather(*(harness.close_code(ws) for ws in clients)),
                harness.SHUTDOWN_DEADLINE, "every client to be closed")

        codes = harness.run(scenario())
        self.assertEqual([1001] * CLIENTS, codes)
        try:
            status = proc.wait(harness.SHUTDOWN_DEADLINE)
        except subprocess.TimeoutExpired:
            self.fail("the server did not exit with its stderr stuck")
        self.assertEqual(0, status)


if __name__ == "__main__":
    harness.main()
