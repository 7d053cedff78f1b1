"""The cluster's faults, each with a real redis-server: Redis away at start, Redis restarting
with its data gone, an owner dying and returning, a subscription killed by Redis (CLIENT KILL,
a 1 kB pubsub output limit). What edge subscribers see stays contiguous and seq never restarts
while the owner lives."""

import json
import os
import signal
import unittest

import cluster_nodes as cn
import harness
import redis_server


async def contiguous_across(test, ws, fault, count=150):
    """Reads `count` messages from `ws`, causing `fault()` after the first 20; asserts that the
    snapshots among them are contiguous; returns all of them."""
    messages = await cn.read(ws, 20)
    fault()
    messages += await cn.read(ws, count - 20, timeout=15)
    seqs = cn.snapshot_seqs(messages)
    test.assertTrue(harness.consecutive(seqs), seqs)
    return messages


class RedisAway(unittest.TestCase):
    def test_nodes_start_without_redis_and_join_once_it_is_up(self):
        redis = redis_server.RedisServer()  # not started yet
        self.addCleanup(redis.stop)
        owner = cn.node(self, redis, "A")
        edge = cn.node(self, redis, "B", sources=())
        cn.wait_topic(owner, "s")  # local topics are served
        self.assertEqual(0, cn.metric(owner, "levelcast_cluster_connected"))
        redis.start()
        cn.wait_topic(edge, "s", timeout=15)
        harness.poll_until(lambda: cn.metric(owner, "levelcast_cluster_connected") == 1, 10, "A's relay")


class RedisFaults(unittest.TestCase):
    def setUp(self):
        self.redis = redis_server.launch(self)
        self.owner = cn.node(self, self.redis, "A")
        self.edge = cn.node(self, self.redis, "B", sources=())
        cn.wait_topic(self.edge, "s")

    def test_redis_restarting_without_its_data_loses_nothing(self):
        def restart():
            self.redis.stop()
            self.redis.start()

        async def scenario():
            async with harness.connect(self.edge, "/levels/s") as b:
                return await contiguous_across(self, b, restart, count=250)
        seqs = cn.snapshot_seqs(cn.run(scenario()))
        self.assertGreater(seqs[-1], 250)  # seq went on from where it was
        self.assertGreaterEqual(cn.metric(self.edge, "levelcast_cluster_reconnects_total"), 1)
        self.assertGreaterEqual(cn.metric(self.edge, "levelcast_cluster_gaps_filled_total"), 1)

    def test_client_kill_of_the_subscriptions_causes_no_gap(self):
        async def scenario():
            async with harness.connect(self.edge, "/levels/s") as b:
                await contiguous_across(self, b, lambda: self.redis.cli("CLIENT", "KILL", "TYPE", "pubsub"))
        cn.run(scenario())
        self.assertGreaterEqual(cn.metric(self.edge, "levelcast_cluster_reconnects_total"), 1)

    def test_a_1kb_pubsub_output_limit_causes_no_gap(self):
        # big: 31 bands at 1000 snapshots/s, so that a stalled reader's output piles up fast.
        cn.node(self, self.redis, "F", sources=("big=synth:bands=third",), rate=1000)
        cn.wait_topic(self.edge, "big")

        async def scenario():
            async with harness.connect(self.edge, "/levels/big") as b:
                messages = await cn.read(b, 20)
                self.stall_edge_past_the_limit()
                deadline = harness.Deadline(10, "the edge to resubscribe")
                while cn.metric(self.edge, "levelcast_cluster_reconnects_total") < 1:
                    deadline.check()
                    messages += await cn.read(b, 50)
                messages += await cn.read(b, 200)
            seqs = cn.snapshot_seqs(messages)
            self.assertTrue(harness.consecutive(seqs), seqs)
        cn.run(scenario())

    def stall_edge_past_the_limit(self):
        """With a 1 kB pubsub limit, the edge stops reading (SIGSTOP) until Redis kills its
        subscription for the output piling up (beyond Redis's own 16 kB reply buffer)."""
        self.redis.cli("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1024 1024 0")
        subscribers = lambda: self.redis.cli("CLIENT", "LIST", "TYPE", "pubsub").count("cmd=")
        before = subscribers()
        os.kill(self.edge.pid, signal.SIGSTOP)
        try:
            harness.poll_until(lambda: subscribers() < before, 10, "Redis to kill the stalled subscription")
        finally:
            os.kill(self.edge.pid, signal.SIGCONT)

    def test_a_dead_owner_stalls_its_topics_until_it_returns(self):
        async def scenario():
            async with harness.connect(self.edge, "/levels/s") as b:
                before = cn.snapshot_seqs(await cn.read(b, 10))
                self.owner.stop(sig=signal.SIGKILL, check=False)
                stalled = await cn.read_until(b, lambda m: "stalled" in cn.events([m]), what="stalled")
                self.assertEqual("stalled", cn.topics(self.edge)["s"]["state"])
                owner = cn.node(self, self.redis, "A")
                resumed = await cn.read_until(b, lambda m: "resumed" in cn.events([m]), what="resumed")
                after = cn.snapshot_seqs(await cn.read(b, 10))
                self.assertGreater(after[0], max(before + cn.snapshot_seqs(stalled)))
                self.assertTrue(harness.consecutive(after), after)
                return owner, resumed
        owner, resumed = cn.run(scenario())
        self.assertEqual({"topic": "s", "event": "resumed"}, json.loads(resumed[-1]))
        self.assertEqual("running", cn.topics(self.edge)["s"]["state"])


if __name__ == "__main__":
    harness.main()
