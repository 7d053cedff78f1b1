"""The cluster's faults, each with a real redis-server: Redis away at start, Redis restarting
with its data gone, an owner dying and returning, a subscription killed by Redis (CLIENT KILL,
a 1 kB pubsub output limit). What edge subscribers see stays contiguous and seq never restarts
while the owner lives."""

import json
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

    def test_flushall_and_a_restarted_owner_start_a_new_epoch_on_edges(self):
        async def scenario():
            async with harness.connect(self.edge, "/levels/s") as b:
                old_newest = cn.snapshot_seqs(await cn.read(b, 60))[-1]
                self.owner.stop(sig=signal.SIGKILL, check=False)
                self.redis.cli("FLUSHALL")
                cn.node(self, self.redis, "A")
                await cn.read_until(b, lambda m: cn.seq_of(m) == 1, what="seq 1 of the new epoch")
                seqs = [1] + cn.snapshot_seqs(await cn.read(b, 20))
                self.assertTrue(harness.consecutive(seqs), seqs)
            # The edge's history holds the new epoch only: a resume within it is contiguous,
            # and a since from the old epoch starts afresh.
            async with harness.connect(self.edge, "/levels/s?since=2") as c:
                resumed = await cn.read(c, 10)
            self.assertEqual([], cn.events(resumed))
            self.assertEqual(list(range(3, 13)), cn.snapshot_seqs(resumed))
            async with harness.connect(self.edge, f"/levels/s?since={old_newest}") as d:
                [first] = await cn.read(d, 1)
            self.assertLess(cn.seq_of(first), old_newest)
        cn.run(scenario())


if __name__ == "__main__":
    harness.main()
