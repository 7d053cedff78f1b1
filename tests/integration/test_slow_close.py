"""--slow-close-after closes a subscriber that takes no snapshot, and only that one."""

import unittest

import harness
import rawclient

RATE = 1000
CHANNELS = 32  # big frames fill a stalled socket's buffers within a second or two


def open_connections(port):
    return rawclient.scrape_metrics(port)["levelcast_connections"]


class SlowClose(unittest.TestCase):
    def test_a_stalled_subscriber_is_closed_and_a_reading_one_is_not(self):
        server = harness.launch(self, "--rate", RATE, "--channels", CHANNELS, "--workers", 1,
                                "--slow-close-after", "1", "--close-timeout", "1")
        port = server.port

        async def scenario():
            seqs = []

            async def follow(ws):
                while True:
                    seqs.append((await harness.recv_snapshot(ws, timeout=10))[1]["seq"])

            with rawclient.RawWebSocket(port, rcvbuf=4096) as stalled:
                async with harness.connect(server) as ws, harness.background(follow(ws)):
                    # stalled + normal + the scrape itself = 3; the stalled one must go.
                    await harness.async_poll_until(lambda: open_connections(port) == 3, 10,
                                                   "both subscribers connected")
                    await harness.async_poll_until(lambda: open_connections(port) == 2, 20,
                                                   "the stalled subscriber to be closed")
                    first = len(seqs)
                    await harness.async_poll_until(lambda: len(seqs) > first + 20, 10,
                                                   "the reading subscriber to keep receiving")
                    self.assertTrue(harness.consecutive(seqs), "the reading client lost snapshots")
                stalled.sock.settimeout(10)
                while stalled.sock.recv(65536):  # drains what was in flight, then sees EOF
                    pass

        harness.run(scenario())


if __name__ == "__main__":
    harness.main()
