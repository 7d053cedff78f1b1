"""The server survives hostile load: running out of descriptors, an echo flood.

Neither is spelled out in the contract; both follow from "a client must not
slow others and server RSS stays bounded".
"""

import asyncio
import contextlib
import signal
import socket
import time
import unittest

import harness
import rawclient

MAX_FDS = 64
CONNECTIONS = 100  # well past MAX_FDS
EXHAUSTED_HOLD = 2.0  # how long the descriptors stay used up (the scenario, not a wait)
FLOOD_MESSAGES = 64  # of 1 MiB each
RSS_GROWTH_LIMIT_KIB = 32 * 1024


def healthy(port):
    try:
        response = rawclient.http_request(port, "/healthz", timeout=2)
    except (ConnectionError, TimeoutError):
        return False
    return response.status == 200


def gets_snapshots(server, count=3):
    async def scenario():
        async with harness.connect(server) as ws:
            return [await harness.recv_snapshot(ws) for _ in range(count)]
    return len(harness.run(scenario())) == count


class DescriptorExhaustion(unittest.TestCase):
    def test_server_outlives_running_out_of_descriptors(self):
        server = harness.launch(self, "--workers", 1, max_fds=MAX_FDS)
        request = rawclient.upgrade_request(server.port, "/levels", rawclient.new_key())
        with contextlib.ExitStack() as held:
            for _ in range(CONNECTIONS):
                sock = held.enter_context(socket.create_connection(("127.0.0.1", server.port), 5))
                with contextlib.suppress(ConnectionError):
                    sock.sendall(request)
            cpu = harness.CpuMeter(server.pid)
            time.sleep(EXHAUSTED_HOLD)
            share = cpu.share()
            self.assertIsNone(server.proc.poll(), "the server died out of descriptors")
        self.assertLess(share, harness.CpuMeter.SPIN_LIMIT,
                        "server CPU seconds per second while out of descriptors")
        harness.poll_until(lambda: healthy(server.port), 15, "/healthz once descriptors are back")
        self.assertTrue(gets_snapshots(server))


class EchoFlood(unittest.TestCase):
    def test_client_that_sends_but_never_reads_is_bounded(self):
        server = harness.launch(self, "--workers", 1)
        rss_before = harness.rss_kib(server.pid)
        with rawclient.RawWebSocket(server.port, "/echo", rcvbuf=4096) as flood:
            sent = flood.flood(bytes(harness.MAX_MESSAGE), FLOOD_MESSAGES)
            rss_after = harness.rss_kib(server.pid)
            self.assertTrue(gets_snapshots(server), "a /levels client starved during the flood")
        self.assertLess(rss_after - rss_before, RSS_GROWTH_LIMIT_KIB,
                        f"RSS grew from {rss_before} to {rss_after} KiB after {sent} MiB "
                        "of echo requests the client never read back")


class ShutdownWithStalledClient(unittest.TestCase):
    def test_sigterm_exits_0_even_if_a_client_cannot_take_the_close(self):
        server = harness.launch(self, "--workers", 1)

        async def scenario(flood):
            async with harness.connect(server) as ws:
                await harness.recv_snapshot(ws)
                await asyncio.to_thread(flood.flood, bytes(harness.MAX_MESSAGE), FLOOD_MESSAGES)
                server.send_signal(signal.SIGTERM)
                return await harness.within(harness.close_code(ws), harness.SHUTDOWN_DEADLINE,
                                            "the normal client to be closed")

        with rawclient.RawWebSocket(server.port, "/echo", rcvbuf=4096) as flood:
            code = harness.run(scenario(flood))
            status = server.wait(harness.SHUTDOWN_DEADLINE)
        self.assertEqual(1001, code)
        self.assertEqual(0, status, f"exit status with a stalled client; {server.stderr_tail()}")


if __name__ == "__main__":
    harness.main()
