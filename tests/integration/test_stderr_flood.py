"""A command that floods its stderr does not flood the log (issue 11, item 7): its lines are
forwarded at most LineRateLimit's rate (a burst of 100, then 20 a second), the rest counted and
reported as suppressed, and the log grows by a bounded number of bytes per second."""

import os
import time
import unittest

import harness

BURST, PER_SECOND = 100, 20
LINE = "flooding the log with this line"


class StderrFlood(unittest.TestCase):
    def test_a_flood_is_rate_limited_and_the_suppressed_lines_counted(self):
        started = time.monotonic()
        server = harness.launch(self, "--source", f"flood=lines:yes '{LINE}' >&2")
        # Two reports (at most one a second): the flood went on past the burst.
        harness.poll_until(lambda: server._captured("stderr").count("stderr lines suppressed") >= 2,
                           10, "two reports of suppressed lines")
        log = server._captured("stderr")
        elapsed = time.monotonic() - started
        forwarded = log.count(f"source flood: {LINE}")
        allowed = BURST + PER_SECOND * (elapsed + 1)
        self.assertLessEqual(forwarded, allowed, f"{forwarded} lines forwarded in {elapsed:.1f} s")
        # Every log line here is well under 200 bytes; `yes` alone writes megabytes a second.
        self.assertLess(len(log.encode()), 200 * (allowed + 50), f"log of {len(log)} bytes")
        suppressed = [line for line in log.splitlines() if "stderr lines suppressed" in line]
        counts = [int(line.split("source flood: ")[1].split()[0]) for line in suppressed]
        self.assertTrue(all(n > 0 for n in counts), suppressed)


if __name__ == "__main__":
    harness.main()
