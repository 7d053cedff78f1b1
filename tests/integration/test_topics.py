"""Topics, formats and resume: /topics, /levels/NAME, ?format=binary and ?since=SEQ."""

import json
import struct
import unittest

import harness
import rawclient

RATE = 100
CHANNELS = 2
HISTORY = 30
HEADER = struct.Struct("<BBHHHQqf")  # the documented 28-byte binary header


def decode_binary(message):
    version, flags, channels, bands, _, seq, ts, rate = HEADER.unpack_from(message, 0)
    per_channel = 3 if flags & 4 else 2
    levels = struct.unpack_from(f"<{channels * per_channel}h", message, HEADER.size)
    null = -32768
    values = [None if v == null else v / 100 for v in levels]
    return {"version": version, "flags": flags, "seq": seq, "ts": ts, "rate": rate,
            "channels": [values[i:i + per_channel] for i in range(0, len(values), per_channel)],
            "bands": bands}


class TopicRoutes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls, "--rate", RATE, "--channels", CHANNELS,
                                    "--history", HISTORY)

    def get(self, path):
        return rawclient.http_request(self.server.port, path)

    def test_topics_lists_the_default_synth_topic(self):
        response = self.get("/topics")
        self.assertEqual(200, response.status)
        self.assertIn("application/json", response.headers.get("content-type", ""))
        listing = json.loads(response.body)
        self.assertEqual("synth", listing["default"])
        [topic] = listing["topics"]
        self.assertEqual(("synth", "synth", RATE, CHANNELS, "running"),
                         (topic["name"], topic["kind"], topic["rate"], topic["channels"],
                          topic["state"]))
        self.assertIn("rms", topic["fields"])
        self.assertEqual(["json", "binary"], topic["formats"])
        harness.poll_until(lambda: json.loads(self.get("/topics").body)["topics"][0]["last_seq"] > 0,
                           5, "last_seq to rise")

    def test_bad_subscriptions_are_refused_before_the_upgrade(self):
        upgrade = rawclient.upgrade_headers()
        for path, status in [("/levels/nope", 404), ("/levels/", 404),
                             ("/levels?format=xml", 400), ("/levels?since=abc", 400),
                             ("/levels?since=-1", 400)]:
            response = rawclient.http_request(self.server.port, path, headers=upgrade)
            self.assertEqual(status, response.status, path)

    def test_named_topic_is_the_default_stream(self):
        async def scenario():
            async with harness.connect(self.server, "/levels/synth") as ws:
                return [(await harness.recv_snapshot(ws))[1] for _ in range(5)]
        snapshots = harness.run(scenario())
        self.assertTrue(all(s["topic"] == "synth" for s in snapshots))
        self.assertTrue(harness.consecutive([s["seq"] for s in snapshots]))

    def test_binary_frames_carry_the_same_levels_as_json(self):
        async def scenario():
            async with harness.connect(self.server, "/levels?format=binary") as binary, \
                       harness.connect(self.server, "/levels") as text:
                frames = [await harness.within(binary.recv(), 5, "binary") for _ in range(10)]
                snapshots = [(await harness.recv_snapshot(text))[1] for _ in range(10)]
                return frames, snapshots
        frames, snapshots = harness.run(scenario())
        decoded = [decode_binary(f) for f in frames]
        self.assertTrue(all(isinstance(f, bytes) for f in frames))
        self.assertTrue(harness.consecutive([d["seq"] for d in decoded]))
        by_seq = {s["seq"]: s for s in snapshots}
        compared = 0
        for d in decoded:
            self.assertEqual((1, CHANNELS * 4 + 28), (d["version"], len(frames[0])))
            self.assertEqual(RATE, d["rate"])
            if d["seq"] not in by_seq:
                continue
            for (rms, peak), channel in zip(d["channels"], by_seq[d["seq"]]["channels"]):
                self.assertAlmostEqual(channel["rms"], rms, delta=0.051)
                self.assertAlmostEqual(channel["peak"], peak, delta=0.051)
            compared += 1
        self.assertGreater(compared, 0, "no common seq between the two streams")


class Resume(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls, "--rate", RATE, "--history", HISTORY)

    def stream(self, path, count):
        async def scenario():
            async with harness.connect(self.server, path, max_queue=None) as ws:
                return [(await harness.recv_snapshot(ws))[1] for _ in range(count)]
        return harness.run(scenario())

    def latest_seq(self):
        return self.stream("/levels", 1)[0]["seq"]

    def test_resume_within_the_window_loses_nothing(self):
        since = self.latest_seq() - 10
        seqs = [s["seq"] for s in self.stream(f"/levels?since={since}", 20)]
        self.assertEqual(list(range(since + 1, since + 21)), seqs)

    def test_resume_beyond_the_window_says_how_many_were_missed(self):
        harness.poll_until(lambda: self.latest_seq() > HISTORY + 5, 10, "history to fill")
        messages = self.stream("/levels?since=1", 5)
        event = messages[0]
        self.assertEqual(("synth", "missed"), (event["topic"], event["event"]))
        oldest = messages[1]["seq"]
        self.assertEqual(oldest - 2, event["count"])
        self.assertTrue(harness.consecutive([m["seq"] for m in messages[1:]]))

    def test_a_since_from_the_future_starts_afresh(self):
        latest = self.latest_seq()
        first = self.stream(f"/levels?since={latest + 100000}", 1)[0]
        self.assertGreaterEqual(first["seq"], latest)
        self.assertNotIn("event", first)


if __name__ == "__main__":
    harness.main()
