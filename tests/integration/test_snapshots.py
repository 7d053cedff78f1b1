"""A Python `websockets` client on /levels gets well-formed, consecutive snapshots."""

import unittest

import harness

RATE = 100
CHANNELS = 3
COUNT = 20


class SnapshotStream(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls, "--rate", RATE, "--channels", CHANNELS)

    def receive(self, count):
        async def scenario():
            async with harness.connect(self.server) as ws:
                return [await harness.recv_snapshot(ws) for _ in range(count)]
        return harness.run(scenario())

    def test_twenty_consecutive_snapshots_keep_the_schema(self):
        messages = self.receive(COUNT)
        for text, snapshot in messages:
            self.assertEqual([], harness.snapshot_problems(text, snapshot, CHANNELS, RATE), text)
        seqs = [snapshot["seq"] for _, snapshot in messages]
        self.assertTrue(harness.consecutive(seqs), f"seqs not consecutive: {seqs}")
        stamps = [snapshot["ts"] for _, snapshot in messages]
        self.assertEqual(sorted(stamps), stamps, "ts went backwards")


class LateSubscriber(unittest.TestCase):
    # One worker: each worker keeps its own latest snapshot, and under load one may be a frame
    # behind another, so across workers a later connection can start one seq earlier (seen
    # once under ctest -j3).
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls, "--rate", RATE, "--channels", CHANNELS, "--workers", 1)

    receive = SnapshotStream.receive

    def test_a_late_subscriber_gets_the_latest_snapshot_at_once(self):
        first = self.receive(2)
        later = self.receive(1)
        self.assertGreaterEqual(later[0][1]["seq"], first[-1][1]["seq"])


class SendMode(unittest.TestCase):
    def test_both_write_paths_deliver_consecutive_snapshots(self):
        for mode in ("send", "io_uring"):
            with self.subTest(mode=mode):
                server = harness.launch(self, "--rate", RATE, "--send-mode", mode)

                async def scenario():
                    async with harness.connect(server) as ws:
                        return [(await harness.recv_snapshot(ws))[1]["seq"] for _ in range(COUNT)]
                seqs = harness.run(scenario())
                self.assertTrue(harness.consecutive(seqs), f"{mode}: {seqs}")


class ChannelCount(unittest.TestCase):
    def test_channels_option_sets_the_entry_count(self):
        server = harness.launch(self, "--rate", RATE, "--channels", 1)

        async def scenario():
            async with harness.connect(server) as ws:
                return await harness.recv_snapshot(ws)
        text, snapshot = harness.run(scenario())
        self.assertEqual([], harness.snapshot_problems(text, snapshot, 1, RATE), text)


if __name__ == "__main__":
    harness.main()
