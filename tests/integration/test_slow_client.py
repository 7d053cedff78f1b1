"""Subscribers that stop reading neither slow the others nor grow the server.

Slow clients use a raw socket with a tiny receive buffer: they complete the
handshake, then read nothing for HOLD seconds. Meanwhile a normal client must
see every seq, the server's RSS must stay bounded and messages_dropped_total
must rise (latest value wins). When a slow client reads again it must reach
the newest snapshots, skipping what was replaced.
"""

import asyncio
import contextlib
import json
import unittest

import harness
import rawclient

# About 1 MB/s per subscriber: Linux lets a stalled socket's send buffer grow
# to tcp_wmem's maximum (4 MiB here) before the server sees backpressure, so
# drops start after a few seconds, not at once.
RATE = 1000
CHANNELS = 32
SLOW_CLIENTS = 5
HOLD = 5.0  # how long the slow clients read nothing (the scenario, not a wait)
RSS_GROWTH_LIMIT_KIB = 20 * 1024
DROPPED = "levelcast_messages_dropped_total"


async def follow(ws, seqs):
    while True:
        _, snapshot = await harness.recv_snapshot(ws, timeout=10)
        seqs.append(snapshot["seq"])


def catch_up(slow, newest, deadline_s=15.0, max_frames=200_000):
    """Read the stalled client until it sees a seq >= newest; return what it saw."""
    deadline = harness.Deadline(deadline_s, "the stalled client to catch up")
    seqs = []
    for _ in range(max_frames):
        _, opcode, payload = slow.recv_frame(deadline.left())
        if opcode == rawclient.OP_TEXT:
            seqs.append(json.loads(payload)["seq"])
            if seqs[-1] >= newest:
                return seqs
    raise AssertionError(f"slow client never reached seq {newest}; last {seqs[-5:]}")


class SlowSubscriber(unittest.TestCase):
    def test_stalled_readers_do_not_hurt_a_normal_one(self):
        server = harness.launch(self, "--rate", RATE, "--channels", CHANNELS, "--workers", 1)
        port = server.port

        async def scenario():
            seqs = []
            async with harness.connect(server) as ws, \
                    harness.background(follow(ws, seqs)) as readers:
                await harness.async_poll_until(lambda: len(seqs) >= 10 or readers[0].done(),
                                               10, "the normal client's first snapshots")
                rss_before = harness.rss_kib(server.pid)
                cpu = harness.CpuMeter(server.pid)
                with contextlib.ExitStack() as stalled:
                    slow = [stalled.enter_context(rawclient.RawWebSocket(port, rcvbuf=4096))
                            for _ in range(SLOW_CLIENTS)]
                    dropped_before = rawclient.scrape_metrics(port)[DROPPED]
                    await asyncio.sleep(HOLD)
                    await asyncio.to_thread(
                        rawclient.scrape_until, port, lambda s: s[DROPPED] > dropped_before,
                        25, "messages_dropped_total to rise")
                    rss_after = harness.rss_kib(server.pid)
                    cpu_share = cpu.share()
                    self.assertFalse(readers[0].done(), "the normal client stopped receiving")
                    caught_up = await asyncio.to_thread(catch_up, slow[0], seqs[-1])
            return seqs, rss_before, rss_after, cpu_share, caught_up

        seqs, rss_before, rss_after, cpu_share, caught_up = harness.run(scenario())
        gaps = [(a, b) for a, b in zip(seqs, seqs[1:]) if b != a + 1]
        self.assertEqual([], gaps[:10], f"normal client missed seqs ({len(gaps)} gaps)")
        self.assertLess(rss_after - rss_before, RSS_GROWTH_LIMIT_KIB,
                        f"RSS grew from {rss_before} KiB to {rss_after} KiB")
        self.assertLess(cpu_share, harness.CpuMeter.SPIN_LIMIT,
                        "server CPU seconds per second while clients stall")
        self.assertFalse(harness.consecutive(caught_up),
                         "the stalled client got every snapshot: nothing was replaced")


if __name__ == "__main__":
    harness.main()
