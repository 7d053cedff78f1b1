"""The meter over real connections: POST /topics/NAME/reset-loudness (the reset restarts
integrated loudness and maxima; subscribers get the event, binary ones as a text frame, SSE
streams as `event: loudness-reset`), and the
edge cases a careless input brings: --rate above the sample rate, NaN and infinite samples, a
WAV whose data size says "until the end"."""

import json
import math
import os
import struct
import tempfile
import unittest

import ebu_signals
import harness
import rawclient
from test_sse import EventStream

RATE = 10  # snapshots per second: a window is 100 ms
SAMPLE_RATE = 48000


def topics(server):
    return {t["name"]: t for t in json.loads(rawclient.http_request(server.port, "/topics").body)["topics"]}


def reset(server, name, method="POST"):
    return rawclient.http_request(server.port, f"/topics/{name}/reset-loudness", method=method).status


async def read_until_ended(ws, timeout=10.0):
    messages = []
    while not messages or messages[-1] != {"topic": "mic", "event": "ended"}:
        message = await harness.within(ws.recv(), timeout, "the topic's messages up to 'ended'")
        messages.append(json.loads(message) if isinstance(message, str) else message)
    return messages


class LoudnessReset(unittest.TestCase):
    def test_a_reset_restarts_integrated_and_maxima_and_is_announced(self):
        server = harness.launch(self, "--rate", RATE, "--allow-reset", "--source",
                                f"mic=pcm:-:rate={SAMPLE_RATE},channels=2,loudness=mix", "--source",
                                "plain=synth", stdin_pipe=True)
        self.assertTrue(topics(server)["mic"]["reset_loudness"])
        self.assertNotIn("reset_loudness", topics(server)["plain"])

        async def scenario():
            async with harness.connect(server, "/levels/mic", max_queue=None) as text, \
                       harness.connect(server, "/levels/mic?format=binary", max_queue=None) as binary:
                await harness.async_poll_until(lambda: topics(server)["mic"]["subscribers"] == 3, 5,
                                               "the subscriptions")
                server.stdin.write(ebu_signals.stereo_steps([(-15, 5)]))
                server.stdin.flush()
                await harness.async_poll_until(lambda: topics(server)["mic"]["last_seq"] == 50, 10,
                                               "the first five seconds")
                self.assertEqual(204, reset(server, "mic"))
                server.stdin.write(ebu_signals.stereo_steps([(-23, 5)]))
                server.stdin.close()
                return await read_until_ended(text), await read_until_ended(binary)

        with EventStream(server.port, "/events/mic") as sse:
            text, binary = harness.run(scenario())
            sse_events = [sse.next_event() for _ in range(101)]
        event = {"topic": "mic", "event": "loudness-reset"}
        self.assertEqual({"event": "loudness-reset", "data": json.dumps(event, separators=(",", ":"))},
                         sse_events[50], "SSE streams get the event too, between the same snapshots")
        self.assertEqual(["50", "51"], [sse_events[49].get("id"), sse_events[51].get("id")])
        seqs = [m.get("seq", m.get("event")) for m in text]
        self.assertEqual(list(range(1, 51)) + ["loudness-reset"] + list(range(51, 101)) + ["ended"], seqs)
        self.assertEqual(event, text[50])
        self.assertIn(event, binary, "binary subscribers get the event as a text frame")
        before, last = text[49]["loudness"], text[-2]["loudness"]
        self.assertAlmostEqual(-15.0, before["integrated"], delta=0.1)
        self.assertAlmostEqual(-15.0, before["max_momentary"], delta=0.1)
        # Without the reset the five seconds at -15 would hold integrated near -17 and the
        # maxima at -15.
        self.assertAlmostEqual(-23.0, last["integrated"], delta=0.15)  # one decimal in JSON
        self.assertAlmostEqual(-23.0, last["max_momentary"], delta=0.1)
        self.assertAlmostEqual(-23.0, last["max_short_term"], delta=0.1)

    def test_the_reset_route_answers_404_405_and_403_when_off(self):
        server = harness.launch(self, "--allow-reset", "--source", "mic=synth:loudness=i",
                                "--source", "plain=synth:loudness=ms")
        self.assertEqual(204, reset(server, "mic"))
        self.assertEqual(404, reset(server, "nosuch"))
        self.assertEqual(404, reset(server, "plain"), "momentary and short-term have nothing to reset")
        self.assertEqual(405, reset(server, "mic", "GET"))
        off = harness.launch(self, "--source", "mic=synth:loudness=i")
        self.assertEqual(403, reset(off, "mic"))
        self.assertNotIn("reset_loudness", topics(off)["mic"])


class MeterEdgeCases(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="levelcast-meter-")
        self.addCleanup(self.dir.cleanup)

    def test_a_rate_above_the_sample_rate_stops_start_up(self):
        low = os.path.join(self.dir.name, "low.wav")
        with open(low, "wb") as f:
            f.write(ebu_signals.wav_bytes(b"\0\0" * 8000, 1, rate=8000))
        for spec in (f"a=wav:{low}", "a=pcm:-:rate=8000,channels=1"):
            result = harness.run_server_command(["--rate", "9000", "--source", spec])
            self.assertEqual(2, result.returncode, spec)
            lines = result.stderr.strip().splitlines()
            self.assertEqual(1, len(lines), result.stderr)
            self.assertIn("'a'", lines[0])
            self.assertIn("sample rate of 8000 Hz", lines[0])

    def test_non_finite_samples_read_as_full_scale_and_are_counted(self):
        server = harness.launch(self, "--rate", RATE, "--source",
                                f"mic=pcm:-:format=f32le,rate={SAMPLE_RATE},channels=1,loudness=m",
                                stdin_pipe=True)
        window = SAMPLE_RATE // RATE
        tone = [0.1 * math.sin(2 * math.pi * 1000 * n / SAMPLE_RATE) for n in range(window)]
        blocks = [[math.nan] * window, [math.inf] * window, [-math.inf] * window,
                  [math.nan if n % 100 == 0 else s for n, s in enumerate(tone)]] + [tone] * 10
        for block in blocks:
            server.stdin.write(struct.pack(f"<{window}f", *block))
        server.stdin.close()
        harness.poll_until(lambda: topics(server)["mic"]["state"] == "ended", 10, "the input to be read")

        async def scenario():
            async with harness.connect(server, "/levels/mic?since=0") as ws:
                return [(await harness.recv_snapshot(ws))[1] for _ in blocks]

        snapshots = harness.run(scenario())
        for s in snapshots[:3]:
            self.assertEqual({"rms": 0.0, "peak": 0.0}, s["channels"][0], "full scale, not silence")
        self.assertEqual(0.0, snapshots[3]["channels"][0]["peak"])
        self.assertIsNotNone(snapshots[3]["channels"][0]["rms"])
        # No NaN stuck in the loudness filters: a second of the tone reads as a -20 dBFS sine.
        self.assertAlmostEqual(-23.0, snapshots[-1]["loudness"]["momentary"], delta=0.15)
        samples = rawclient.scrape_metrics(server.port)
        self.assertEqual(3 * window + window // 100, samples["levelcast_bad_samples_total"])

    def test_a_wav_whose_data_size_says_until_the_end_is_read_to_the_end(self):
        path = ebu_signals.write_wav(os.path.join(self.dir.name, "stream.wav"),
                                     ebu_signals.stereo_steps([(-20, 1.0)]), 2, data_size=0xFFFFFFFF)
        server = harness.launch(self, "--no-realtime", "--rate", RATE, "--source", f"s=wav:{path}")
        harness.poll_until(lambda: topics(server)["s"]["state"] == "ended", 10, "the file to be played")
        self.assertEqual(RATE, topics(server)["s"]["last_seq"])


if __name__ == "__main__":
    harness.main()
