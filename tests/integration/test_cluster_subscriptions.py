"""The cluster's relay against subscriptions that die: Redis answering nobody for a while (the
relay's pings go unanswered), and Redis killing a stalled subscriber for its 1 kB pubsub output
limit. What edge subscribers see stays contiguous."""

import os
import signal
import unittest

import cluster_nodes as cn
import harness
import redis_server
from test_cluster_faults import contiguous_across


class DeadSubscriptions(unittest.TestCase):
    def setUp(self):
        self.redis = redis_server.launch(self)

    def test_a_silent_subscription_is_detected_and_filled(self):
        # Redis answers nobody for 3.5 s: the relay's pings go unanswered, it resubscribes after
        # two silent heartbeats, and fills what it missed (a 10 s window covers the outage).
        window = 1000
        cn.node(self, self.redis, "P", prefix="quiet", history=window)
        edge = cn.node(self, self.redis, "Q", prefix="quiet", sources=(), history=window)
        cn.wait_topic(edge, "s")

        async def scenario():
            async with harness.connect(edge, "/levels/s") as b:
                await contiguous_across(self, b, lambda: self.redis.cli("CLIENT", "PAUSE", 3500, "ALL"), count=650)
        cn.run(scenario())
        self.assertGreaterEqual(cn.metric(edge, "levelcast_cluster_reconnects_total"), 1)

    def test_a_1kb_pubsub_output_limit_causes_no_gap(self):
        # A topic of 1.3 kB messages at 500/s, so that a stalled reader's output piles up fast,
        # and a window (--history) of 10 s on owner and edge, longer than the stall. The edge's
        # subscribers may queue the whole burst that follows (no latest-wins drop, no skip).
        window = 5000
        cn.node(self, self.redis, "F", sources=("big=synth:bands=128",), rate=500, history=window)
        edge = cn.node(self, self.redis, "E", "--max-queued-frames", 4096, "--max-queued-bytes", 1 << 28,
                       "--max-lag", 0, sources=(), history=window)
        cn.wait_topic(edge, "big")

        async def scenario():
            async with harness.connect(edge, "/levels/big", max_queue=None) as b:
                messages = await cn.read(b, 20)
                self.stall_past_the_limit(edge)
                deadline = harness.Deadline(10, "the edge to resubscribe")
                while cn.metric(edge, "levelcast_cluster_reconnects_total") < 1:
                    deadline.check()
                    messages += await cn.read(b, 50)
                messages += await cn.read(b, 200)
            seqs = cn.snapshot_seqs(messages)
            self.assertTrue(harness.consecutive(seqs), seqs)
        cn.run(scenario())

    def stall_past_the_limit(self, edge):
        """With a 1 kB pubsub limit, the edge stops reading (SIGSTOP) until Redis kills its
        subscription for the output piling up (beyond Redis's own 16 kB reply buffer)."""
        self.redis.cli("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1024 1024 0")
        subscribers = lambda: self.redis.cli("CLIENT", "LIST", "TYPE", "pubsub").count("cmd=")
        before = subscribers()
        os.kill(edge.pid, signal.SIGSTOP)
        try:
            harness.poll_until(lambda: subscribers() < before, 10, "Redis to kill the stalled subscription")
        finally:
            os.kill(edge.pid, signal.SIGCONT)


if __name__ == "__main__":
    harness.main()
