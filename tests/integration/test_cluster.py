"""The cluster through a real redis-server: what an edge's subscribers receive is what the
owner's receive (same seq, same bytes), resume works across nodes, topics are learned at run
time, and a second owner of a topic is refused."""

import concurrent.futures
import http.client
import json
import unittest

import cluster_nodes as cn
import harness
import rawclient
import redis_server


class ClusterDelivery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = redis_server.launch(cls)
        cls.owner = cn.node(cls, cls.redis, "A", sources=("s=synth", "t=synth:channels=1,bands=octave"))
        cls.edge = cn.node(cls, cls.redis, "B", sources=())
        for name in ("s", "t"):
            cn.wait_topic(cls.edge, name)

    def test_edge_lists_every_cluster_topic_with_its_owner(self):
        listed = cn.topics(self.edge)
        self.assertLessEqual({"s", "t"}, set(listed))
        self.assertEqual(("A", "running", "synth"), (listed["t"]["node"], listed["t"]["state"], listed["t"]["kind"]))
        self.assertEqual(10, len(listed["t"]["bands_hz"]))
        # The relay fills its topics before it counts itself connected: the gauge may lag.
        harness.poll_until(lambda: cn.metric(self.edge, "levelcast_cluster_connected") == 1, 10, "the connected gauge")

    def test_same_seq_gives_the_same_bytes_on_owner_and_edge(self):
        async def scenario(query):
            async with harness.connect(self.owner, "/levels/t" + query) as a, \
                       harness.connect(self.edge, "/levels/t" + query) as b:
                got_a, got_b = await cn.read(a, 40), await cn.read(b, 40)
            by_seq = {cn.seq_of(m): m for m in got_a}
            common = [m for m in got_b if cn.seq_of(m) in by_seq]
            self.assertGreater(len(common), 10, query)
            for message in common:
                self.assertEqual(by_seq[cn.seq_of(message)], message, query)
        cn.run(scenario(""))
        cn.run(scenario("?format=binary"))

    def test_server_sent_events_on_an_edge_carry_the_owner_s_bytes(self):
        def events(server, count):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", "/events/s")
            response, found, seq = connection.getresponse(), {}, None
            while len(found) < count:
                line = response.readline().decode().rstrip("\n")
                if line.startswith("id: "):
                    seq = int(line[4:])
                elif line.startswith("data: ") and seq is not None:
                    found[seq] = line
            connection.close()
            return found
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            owner_events, edge_events = pool.submit(events, self.owner, 30), pool.submit(events, self.edge, 30)
            owner, edge = owner_events.result(timeout=20), edge_events.result(timeout=20)
        common = set(owner) & set(edge)
        self.assertTrue(common)
        for seq in common:
            self.assertEqual(owner[seq], edge[seq])

    def test_resume_on_another_node_is_contiguous(self):
        async def scenario():
            async with harness.connect(self.owner, "/levels/s") as a:
                last = cn.snapshot_seqs(await cn.read(a, 5))[-1]
            # A client moving over takes longer than the relay (well under a millisecond); on
            # a slow (sanitizer) build, make sure B has seen `last` first.
            await harness.async_poll_until(lambda: cn.topics(self.edge)["s"]["last_seq"] >= last, 5, "B at last")
            async with harness.connect(self.edge, f"/levels/s?since={last}") as b:
                seqs = cn.snapshot_seqs(await cn.read(b, 30))
            self.assertEqual(last + 1, seqs[0])
            self.assertTrue(harness.consecutive(seqs), seqs)
        cn.run(scenario())

    def test_a_since_older_than_the_window_gets_the_exact_missed_count(self):
        harness.poll_until(lambda: cn.topics(self.edge)["s"]["last_seq"] > cn.HISTORY + 20, 10,
                           "the edge's window to move past seq 20")

        async def scenario():
            async with harness.connect(self.edge, "/levels/s?since=3") as b:
                first, second = await cn.read(b, 2)
            self.assertEqual(["missed"], cn.events([first]))
            self.assertEqual(cn.seq_of(second) - 3 - 1, json.loads(first)["count"])
        cn.run(scenario())

    def test_an_edge_started_late_replays_at_once(self):
        before_start = cn.topics(self.owner)["s"]["last_seq"]
        self.assertGreater(before_start, cn.HISTORY)
        late = cn.node(self, self.redis, "late", sources=())
        cn.wait_topic(late, "s")

        async def scenario():
            async with harness.connect(late, "/levels/s?since=1") as c:
                missed, *snapshots = await cn.read(c, cn.HISTORY // 2)
            count = json.loads(missed)["count"]
            seqs = cn.snapshot_seqs(snapshots)
            self.assertEqual(1 + count + 1, seqs[0])  # the exact count, then the window
            self.assertLessEqual(seqs[0], before_start)  # from before this edge existed
            self.assertTrue(harness.consecutive(seqs), seqs)
        cn.run(scenario())

    def test_an_edge_joins_through_a_unix_socket(self):
        unix_edge = harness.launch(self, "--cluster", f"unix://{self.redis.socket_path}", "--cluster-prefix", "lc",
                                   "--node-id", "U", "--workers", 1)
        self.assertEqual("A", cn.wait_topic(unix_edge, "s")["node"])

    def test_topics_beyond_max_topics_are_not_served(self):
        small = harness.launch(self, "--cluster", self.redis.url, "--cluster-prefix", "lc", "--node-id", "small",
                               "--workers", 1, "--max-topics", 1)
        harness.poll_until(lambda: "--max-topics (1) reached" in small.stderr_tail(), 10, "the log line")
        self.assertEqual(1, len(cn.topics(small)))
        served = next(iter(cn.topics(small)))
        other = ({"s", "t"} - {served}).pop()
        self.assertEqual(404, rawclient.http_request(small.port, f"/levels/{other}").status)

    def test_bad_cluster_options_exit_2_with_one_line(self):
        for options, expected in [
                (["--cluster", "http://x"], "expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or unix://"),
                (["--cluster", "redis://h:99999"], "the port must be a number from 1 to 65535"),
                (["--cluster", self.redis.url, "--node-id", "a b"], "--node-id"),
                (["--cluster-timeout", "0"], "--cluster-timeout")]:
            done = harness.run_server_command(["--port", "0", *options])
            self.assertEqual(2, done.returncode, options)
            self.assertEqual(1, len(done.stderr.splitlines()), done.stderr)
            self.assertIn(expected, done.stderr)

    def test_an_owner_that_stops_hands_its_topic_over_at_once(self):
        first = cn.node(self, self.redis, "X1", sources=("q=synth",))
        cn.wait_topic(self.edge, "q")
        first.stop()
        second = cn.node(self, self.redis, "X2", sources=("q=synth",))  # not refused
        harness.poll_until(lambda: cn.topics(self.edge)["q"]["node"] == "X2" or None, 10, "q owned by X2")
        # The lease can change hands before the new owner's first snapshot (slow under ASan).
        harness.poll_until(lambda: cn.topics(second)["q"]["last_seq"] > 0 or None, 10, "X2 to publish q")

    def test_a_second_owner_of_a_topic_is_refused(self):
        done = harness.run_server_command(
            ["--port", "0", "--bind", "127.0.0.1", "--cluster", self.redis.url, "--cluster-prefix", "lc",
             "--node-id", "C", "--source", "s=synth"])
        self.assertEqual(2, done.returncode, done.stderr)
        self.assertEqual(1, len(done.stderr.splitlines()), done.stderr)
        self.assertIn("topic 's' is owned by node 'A'", done.stderr)


if __name__ == "__main__":
    harness.main()
