"""SIGTERM and SIGINT close every WebSocket with 1001 and exit 0 in time."""

import asyncio
import signal
import unittest

import harness

LEVELS_CLIENTS = 3


class Shutdown(unittest.TestCase):
    def check_signal_closes_clients(self, sig):
        server = harness.launch(self, "--rate", 100)

        async def scenario():
            clients = [await harness.connect(server) for _ in range(LEVELS_CLIENTS)]
            echo = await harness.connect(server, "/echo")
            for ws in clients:
                await harness.recv_snapshot(ws)
            await echo.send("before shutdown")
            self.assertEqual("before shutdown", await harness.within(echo.recv(), 5, "the echo"))
            server.send_signal(sig)
            return await harness.within(
                asyncio.gather(*(harness.close_code(ws) for ws in [*clients, echo])),
                harness.SHUTDOWN_DEADLINE, "every client to be closed")

        codes = harness.run(scenario())
        status = server.wait(harness.SHUTDOWN_DEADLINE)
        self.assertEqual([1001] * (LEVELS_CLIENTS + 1), codes,
                         "close codes (None: no close frame) of 3 /levels and 1 /echo client")
        self.assertEqual(0, status, f"exit status after {sig.name}; stderr:\n{server.stderr_tail()}")

    def test_sigterm_closes_clients_with_1001_and_exits_0(self):
        self.check_signal_closes_clients(signal.SIGTERM)

    def test_sigint_closes_clients_with_1001_and_exits_0(self):
        self.check_signal_closes_clients(signal.SIGINT)

    def test_idle_server_exits_0_on_sigterm(self):
        server = harness.launch(self)
        server.send_signal(signal.SIGTERM)
        self.assertEqual(0, server.wait(harness.SHUTDOWN_DEADLINE), server.stderr_tail())


if __name__ == "__main__":
    harness.main()
