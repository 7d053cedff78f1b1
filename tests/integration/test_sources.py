"""Real audio in, real meters out: pcm:- and exec: sources, lines:, topics side by side,
a stalled stdin, a source that ends, and sources that cannot start."""

import json
import math
import os
import struct
import subprocess
import tempfile
import time
import unittest

import harness
import rawclient

RATE = 10          # snapshots per second: a window is 1/10 s of audio
SAMPLE_RATE = 16000


def sine_s16le(seconds, dbfs=-20.0, frequency=1000.0, channels=1):
    amplitude = 10 ** (dbfs / 20) * 32767
    frames = int(seconds * SAMPLE_RATE)
    samples = []
    for i in range(frames):
        value = int(round(amplitude * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE)))
        samples.extend([value] * channels)
    return struct.pack(f"<{len(samples)}h", *samples)


def topics(server):
    return {t["name"]: t for t in json.loads(rawclient.http_request(server.port, "/topics").body)["topics"]}


async def receive(server, path, count, timeout=10.0):
    async with harness.connect(server, path, max_queue=None) as ws:
        return [(await harness.recv_snapshot(ws, timeout))[1] for _ in range(count)]


class PipedPcm(unittest.TestCase):
    def test_pcm_from_stdin_reads_a_minus_20_dbfs_sine_correctly(self):
        server = harness.launch(self, "--rate", RATE, "--source",
                                f"mic=pcm:-:format=s16le,rate={SAMPLE_RATE},channels=1",
                                stdin_pipe=True)

        async def scenario():
            async with harness.connect(server, "/levels/mic", max_queue=None) as ws:
                # Subscribed first; then one second of audio makes ten snapshots.
                await harness.async_poll_until(lambda: topics(server)["mic"]["subscribers"] == 1, 5,
                                               "the subscription")
                server.stdin.write(sine_s16le(1.0))
                server.stdin.flush()
                return [(await harness.recv_snapshot(ws))[1] for _ in range(RATE)]

        snapshots = harness.run(scenario())
        self.assertEqual(list(range(1, RATE + 1)), [s["seq"] for s in snapshots])
        for s in snapshots:
            self.assertEqual("mic", s["topic"])
            [channel] = s["channels"]
            self.assertAlmostEqual(-23.0, channel["rms"], delta=0.15)
            self.assertAlmostEqual(-20.0, channel["peak"], delta=0.15)

    def test_a_stalled_stdin_sends_nothing_and_burns_no_cpu(self):
        server = harness.launch(self, "--rate", RATE, "--workers", 1,
                                "--source", "mic=pcm:-:rate=16000,channels=1", stdin_pipe=True)
        cpu = harness.CpuMeter(server.pid)
        harness.poll_until(lambda: time.monotonic() - cpu.wall >= 2.0, 5, "two seconds of a stalled source")
        self.assertEqual(0, topics(server)["mic"]["last_seq"])
        self.assertLess(cpu.share(), 0.05, "the server spins while its source has no data")


class ExecAndLines(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="levelcast-src-")
        self.addCleanup(self.dir.cleanup)

    def test_exec_output_is_measured_then_the_topic_ends(self):
        audio = os.path.join(self.dir.name, "tone.raw")
        with open(audio, "wb") as f:
            f.write(sine_s16le(0.5, dbfs=-10.0, channels=2))
        server = harness.launch(self, "--rate", RATE, "--source",
                                f"tone=exec:cat {audio}:rate={SAMPLE_RATE},channels=2,restart=never")
        harness.poll_until(lambda: topics(server)["tone"]["state"] == "ended", 10, "the topic to end")
        messages = harness.run(receive(server, "/levels/tone?since=0", 6))
        self.assertEqual(list(range(1, 6)), [m["seq"] for m in messages[:5]])
        for m in messages[:5]:
            for channel in m["channels"]:
                self.assertAlmostEqual(-13.0, channel["rms"], delta=0.15)
        self.assertEqual({"topic": "tone", "event": "ended"}, messages[5])
        self.assertEqual(5, topics(server)["tone"]["last_seq"])

    def test_lines_are_broadcast_one_message_each(self):
        server = harness.launch(self, "--source",
                                "log=lines:printf 'first\\nsecond line\\nthird\\n':restart=never")
        harness.poll_until(lambda: topics(server)["log"]["state"] == "ended", 10, "the command to end")

        async def scenario():
            async with harness.connect(server, "/levels/log?since=0") as ws:
                return [await harness.within(ws.recv(), 5, "a line") for _ in range(4)]

        messages = harness.run(scenario())
        self.assertEqual(["first", "second line", "third"], messages[:3])
        self.assertEqual({"topic": "log", "event": "ended"}, json.loads(messages[3]))
        response = rawclient.http_request(server.port, "/levels/log?format=binary",
                                          headers=rawclient.upgrade_headers())
        self.assertEqual(400, response.status)


class TopicsSideBySide(unittest.TestCase):
    def test_two_topics_do_not_mix(self):
        server = harness.launch(self, "--rate", 50, "--source", "left=synth:channels=1",
                                "--source", "right=synth:channels=3,loudness=m")

        async def scenario():
            async with harness.connect(server, "/levels/left") as left, \
                       harness.connect(server, "/levels/right") as right, \
                       harness.connect(server, "/levels") as default:
                return ([(await harness.recv_snapshot(left))[1] for _ in range(10)],
                        [(await harness.recv_snapshot(right))[1] for _ in range(10)],
                        [(await harness.recv_snapshot(default))[1] for _ in range(3)])

        left, right, default = harness.run(scenario())
        self.assertTrue(all(s["topic"] == "left" and len(s["channels"]) == 1 and "loudness" not in s
                            for s in left))
        self.assertTrue(all(s["topic"] == "right" and len(s["channels"]) == 3 and "loudness" in s
                            for s in right))
        self.assertTrue(all(s["topic"] == "left" for s in default), "the first source is the default")
        self.assertTrue(harness.consecutive([s["seq"] for s in left]))
        self.assertTrue(harness.consecutive([s["seq"] for s in right]))


class BadSources(unittest.TestCase):
    def test_a_source_that_cannot_start_stops_start_up_with_one_line(self):
        with tempfile.TemporaryDirectory() as d:
            garbage = os.path.join(d, "garbage.wav")
            with open(garbage, "wb") as f:
                f.write(b"this is not a wav file at all" * 10)
            truncated = os.path.join(d, "short.wav")
            with open(truncated, "wb") as f:
                f.write(b"RIFF\x24\x00\x00\x00WAVEfmt ")
            for spec, needle in [(f"a=wav:{d}/missing.wav", "missing.wav"),
                                 (f"a=wav:{garbage}", "garbage.wav"),
                                 (f"a=wav:{truncated}", "short.wav"),
                                 ("a=pcm:-:format=u8", "format"),
                                 ("a=pcm:-:rate=12", "rate"),
                                 ("a=tape:reel", "tape")]:
                result = harness.run_server_command(["--source", spec])
                self.assertEqual(2, result.returncode, spec)
                lines = result.stderr.strip().splitlines()
                self.assertEqual(1, len(lines), result.stderr)
                self.assertIn("'a'", lines[0])
                self.assertIn(needle, lines[0])


if __name__ == "__main__":
    harness.main()
