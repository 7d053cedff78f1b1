"""Signals an operator (or a careless script) sends do not kill the server, and its commands
never outlive it (issue 11, item 1): SIGHUP reloads, SIGUSR1, SIGUSR2 and SIGALRM are logged and
ignored, SIGTERM closes every client with 1001 and ends every exec:/lines: child, and a server
killed with -9 leaves no child behind."""

import asyncio
import os
import signal
import unittest

import harness
import proctree
import rawclient

HARMLESS = (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM)
CLIENTS = 10
# Commands that fork (a pipeline, a loop) so that grandchildren are checked too.
SOURCES = ["--source", "s=synth",
           "--source", "tick=lines:while :; do echo tick; sleep 0.05; done",
           "--source", "pipe=exec:sleep 1000 | cat"]


def wait_for_log(server, text, timeout=5.0):
    harness.poll_until(lambda: text in server._captured("stderr"), timeout, f"'{text}' in the log")


def wait_for_children(test, server, count):
    found = harness.poll_until(lambda: (lambda d: d if len(d) >= count else None)(
        proctree.descendants(server.pid)), 10, f"{count} processes under the server")
    test.addCleanup(kill_leftovers, found)  # when the test fails, it leaves nothing running
    return found


def kill_leftovers(pids):
    for pid in proctree.running(pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Signals(unittest.TestCase):
    def test_idle_server_takes_hup_usr1_usr2_alrm_and_keeps_serving(self):
        server = harness.launch(self)
        for sig in HARMLESS:
            server.proc.send_signal(sig)  # not server.send_signal: stop() must judge SIGTERM alone
        wait_for_log(server, "reloaded")
        for sig in HARMLESS[1:]:
            wait_for_log(server, f"signal {int(sig)} (")
        self.assertIsNone(server.proc.poll(), server.stderr_tail())
        self.assertEqual(200, rawclient.http_request(server.port, "/healthz").status)
        self.assertEqual(0, server.stop())

    def test_loaded_server_keeps_clients_and_children_then_stops_them_all(self):
        server = harness.launch(self, "--rate", 100, *SOURCES)
        # The two commands and what they started: at least 4 processes.
        children = wait_for_children(self, server, 4)
        guards = proctree.children(server.pid)  # the long-lived direct children, one per command
        self.assertEqual(2, len(guards), guards)

        async def scenario():
            clients = [await harness.connect(server, "/levels/s") for _ in range(CLIENTS)]
            lines = await harness.connect(server, "/levels/tick")
            for ws in clients:
                await harness.recv_snapshot(ws)
            await harness.within(lines.recv(), 5, "a line from tick")
            for sig in HARMLESS:
                server.proc.send_signal(sig)
            await asyncio.to_thread(wait_for_log, server, f"signal {int(signal.SIGALRM)} (")
            # Still served, with no close in between.
            for ws in clients:
                for _ in range(3):
                    await harness.recv_snapshot(ws)
            await harness.within(lines.recv(), 5, "a line from tick after the signals")
            self.assertEqual(guards, proctree.running(guards), "a command ended after the signals")
            server.send_signal(signal.SIGTERM)
            return await harness.within(
                asyncio.gather(*(harness.close_code(ws) for ws in [*clients, lines])),
                harness.SHUTDOWN_DEADLINE, "every client to be closed")

        codes = harness.run(scenario())
        self.assertEqual([1001] * (CLIENTS + 1), codes)
        self.assertEqual(0, server.wait(harness.SHUTDOWN_DEADLINE), server.stderr_tail())
        harness.poll_until(lambda: not proctree.running(children), 5,
                           "every child of the stopped server to be gone")

    def test_children_die_with_a_server_killed_by_sigkill(self):
        server = harness.launch(self, *SOURCES)
        children = wait_for_children(self, server, 4)
        server.send_signal(signal.SIGKILL)
        self.assertEqual(-signal.SIGKILL, server.wait(harness.SHUTDOWN_DEADLINE))
        harness.poll_until(lambda: not proctree.running(children), 5,
                           f"the children {children} of a killed server to be gone")


if __name__ == "__main__":
    harness.main()
