"""A lines: topic through the cluster: an edge's clients get the owner's lines, the same text and
the same {"seq":N,"line":"..."} objects, and ?since= resumes on the edge as on the owner."""

import json
import unittest

import cluster_nodes as cn
import harness
import redis_server

# One numbered line every 20 ms, with a multi-byte character so that bytes, not only ASCII, travel.
COMMAND = 'i=0; while :; do i=$((i+1)); echo "line $i: é"; sleep 0.02; done'


def numbers(lines):
    return [int(line.split()[1].rstrip(":")) for line in lines]


class ClusterLines(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = redis_server.launch(cls)
        cls.owner = cn.node(cls, cls.redis, "A", sources=(f"log=lines:{COMMAND}",))
        cls.edge = cn.node(cls, cls.redis, "B", sources=())
        cn.wait_topic(cls.edge, "log")

    def since_both(self, query, count=20):
        """`count` messages from owner and edge, both resumed from the edge's last seq."""
        since = cn.topics(self.edge)["log"]["last_seq"]
        harness.poll_until(lambda: cn.topics(self.owner)["log"]["last_seq"] >= since, 5, "the owner at since")

        async def scenario():
            path = f"/levels/log?since={since}{query}"
            async with harness.connect(self.owner, path) as a, harness.connect(self.edge, path) as b:
                return await cn.read(a, count), await cn.read(b, count)
        return since, *cn.run(scenario())

    def test_the_edge_lists_the_topic_as_the_owner_does(self):
        owner, edge = cn.topics(self.owner)["log"], cn.topics(self.edge)["log"]
        self.assertEqual(("lines", ["text", "json"], "A"), (edge["kind"], edge["formats"], edge["node"]))
        self.assertEqual(owner["formats"], edge["formats"])

    def test_text_lines_on_the_edge_are_the_owner_s_from_since_on(self):
        _, owner, edge = self.since_both("")
        self.assertEqual(owner, edge)
        self.assertTrue(all(line.endswith(": é") for line in edge), edge)
        self.assertTrue(harness.consecutive(numbers(edge)), edge)

    def test_json_lines_carry_the_same_seq_and_bytes_on_the_edge(self):
        since, owner, edge = self.since_both("&format=json")
        self.assertEqual(owner, edge)
        objects = [json.loads(m) for m in edge]
        self.assertEqual(list(range(since + 1, since + 21)), [o["seq"] for o in objects])
        self.assertTrue(harness.consecutive(numbers(o["line"] for o in objects)), objects)

    def test_a_reader_of_the_owner_resumes_on_the_edge(self):
        async def scenario():
            async with harness.connect(self.owner, "/levels/log?format=json") as a:
                last = json.loads((await cn.read(a, 5))[-1])["seq"]
            await harness.async_poll_until(lambda: cn.topics(self.edge)["log"]["last_seq"] >= last, 5, "B at last")
            async with harness.connect(self.edge, f"/levels/log?format=json&since={last}") as b:
                return last, [json.loads(m)["seq"] for m in await cn.read(b, 20)]
        last, seqs = cn.run(scenario())
        self.assertEqual(list(range(last + 1, last + 21)), seqs)


if __name__ == "__main__":
    harness.main()
