"""The benchmark tools themselves: levelcast-floor's batched yardstick (k frames per system call
per socket, both write paths) against levelcast-load, and bench/fanout's verdict (issue 10's
criterion) and rate search. These assert behaviour, not speed."""

import json
import os
import re
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from fanout_lib import matrix, procs, runner  # noqa: E402

FLOOR = os.environ.get("LEVELCAST_FLOOR_BIN")
LOAD = os.environ.get("LEVELCAST_LOAD_BIN")
RATE = 50


def report(**changes):
    """A levelcast-load JSON report of a clean run at 10,000 x 20 Hz, with `changes`."""
    base = {"opened": 10000, "connect_failed": 0, "handshake_failed": 0, "not_started": 0,
            "dropped": 0, "delivery_ratio": 0.999, "seq_gaps": 0, "latency_p99_ms": 80.0,
            "messages_per_read": 1.0, "client_saturated": False}
    return {**base, **changes}


class Verdict(unittest.TestCase):
    def test_a_clean_run_passes(self):
        self.assertEqual(runner.judge(report(), 10000, 20), (True, "ok"))

    def test_messages_per_read_is_never_limited(self):
        self.assertTrue(runner.judge(report(messages_per_read=5.0), 10000, 20)[0])

    def test_one_seq_gap_fails(self):
        passed, why = runner.judge(report(seq_gaps=1), 10000, 20)
        self.assertFalse(passed)
        self.assertIn("gap", why)

    def test_p99_over_two_periods_and_50_ms_fails(self):
        self.assertEqual(runner.latency_bound_ms(20), 150.0)
        self.assertTrue(runner.judge(report(latency_p99_ms=150.0), 10000, 20)[0])
        self.assertFalse(runner.judge(report(latency_p99_ms=151.0), 10000, 20)[0])

    def test_short_delivery_or_a_missing_connection_fails(self):
        self.assertFalse(runner.judge(report(delivery_ratio=0.989), 10000, 20)[0])
        self.assertFalse(runner.judge(report(opened=9999), 10000, 20)[0])
        self.assertFalse(runner.judge(None, 10000, 20)[0])

    def test_a_saturated_client_is_said(self):
        self.assertIn("SATURATED", runner.client_note(report(client_saturated=True)))
        self.assertNotIn("SATURATED", runner.client_note(report()))


class CoreSampler(unittest.TestCase):
    def test_shares_of_the_core_in_the_window(self):
        sampler = procs.CoreSampler(0, 0.1, 0.6)
        self.assertIsNone(sampler.result())  # never started: no window
        sampler.start()
        shares = sampler.result()
        self.assertEqual(set(shares), set(procs.CPU_FIELDS))
        self.assertAlmostEqual(sum(shares.values()), 1.0, delta=0.01)
        self.assertIn("softirq", runner.core_note({"server_core": shares}))


class RateSearch(unittest.TestCase):
    def search(self, limit_hz, start_hz=20):
        """Runs a search against a system that sustains every rate up to limit_hz."""
        search = matrix.Search(None, 10000, start_hz=start_hz, max_steps=6)
        steps = []
        while (index := search.next_index()) is not None:
            steps.append(matrix.LADDER[index])
            search.record(index, {"pass": matrix.LADDER[index] <= limit_hz})
        best = search.best_index()
        return steps, matrix.LADDER[best] if best is not None else 0

    def test_steps_up_to_the_first_failure(self):
        self.assertEqual(self.search(40), ([20, 30, 40, 60], 40))

    def test_steps_down_below_a_failed_start(self):
        self.assertEqual(self.search(10), ([20, 15, 10], 10))

    def test_bounded_and_zero_when_nothing_passes(self):
        steps, best = self.search(0)
        self.assertEqual(best, 0)
        self.assertLessEqual(len(steps), 6)


@unittest.skipUnless(FLOOR and LOAD, "levelcast-floor and levelcast-load not built")
class FloorBatch(unittest.TestCase):
    def run_floor(self, *options):
        floor = subprocess.Popen([FLOOR, "--port", "0", "--rate", str(RATE), "--exit-after", "30",
                                  *map(str, options)], stdout=subprocess.PIPE, text=True)
        try:
            port = re.search(r":(\d+)/levels", floor.stdout.readline()).group(1)
            done = subprocess.run([LOAD, "--json", "--port", port, "--connections", "20",
                                   "--expect-rate", str(RATE), "--duration", "1.2",
                                   "--warmup", "0.3"], capture_output=True, text=True,
                                  timeout=30, check=False)
            self.assertEqual(done.returncode, 0, done.stderr)
            return json.loads(done.stdout.splitlines()[-1])
        finally:
            floor.terminate()
            self.assertIn("rounds", floor.communicate(timeout=10)[0])
            self.assertEqual(floor.returncode, 0)  # under ASan: no leak, no error

    def test_three_frames_per_call_arrive_whole_in_order(self):
        for mode in ("send", "io_uring"):
            with self.subTest(mode=mode):
                load = self.run_floor("--mode", mode, "--batch", 3)
                self.assertEqual(load["opened"], 20)
                for check in ("seq_gaps", "duplicates", "unparsed", "protocol_errors"):
                    self.assertEqual(load[check], 0, check)
                self.assertGreater(load["messages"], 0)
                # The three frames of a round leave in one call: a read finds them together.
                self.assertGreaterEqual(load["messages_per_read"], 2.5)

    def test_one_frame_per_round_by_default(self):
        load = self.run_floor("--mode", "io_uring")
        self.assertEqual(load["seq_gaps"], 0)
        self.assertLess(load["messages_per_read"], 2.0)

    def test_a_batch_out_of_range_is_refused(self):
        for bad in ("0", "65", "x"):
            done = subprocess.run([FLOOR, "--batch", bad], capture_output=True, text=True,
                                  timeout=10, check=False)
            self.assertEqual(done.returncode, 2, bad)
            self.assertIn("--batch", done.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]])
