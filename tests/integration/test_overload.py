"""A worker that falls behind the snapshot rate skips stale snapshots (latest value wins)
instead of queueing them: it stays responsive to new clients, /healthz and closing handshakes,
and what it sends stays recent. Driven by levelcast-load: 2,000 readers at 500 snapshots/s.
Since a subscriber gets every frame it is due in one write, one worker keeps up with that
(about 1,000,000 deliveries/s here), so --max-lag is set to 1 ms: a drain pass over 2,000
subscribers takes longer than that, and the frames that waited through it are stale."""

import json
import os
import subprocess
import time
import unittest

import harness
import rawclient

LOAD = os.environ.get("LEVELCAST_LOAD_BIN")
RATE = 500
CONNECTIONS = 2000


@unittest.skipUnless(LOAD and os.access(LOAD, os.X_OK), "LEVELCAST_LOAD_BIN not built")
class Overload(unittest.TestCase):
    def test_a_worker_behind_skips_stale_snapshots_and_stays_responsive(self):
        server = harness.launch(self, "--rate", RATE, "--workers", 1, "--max-lag", 0.001)
        load = subprocess.Popen(
            [LOAD, "--port", str(server.port), "--connections", str(CONNECTIONS),
             "--duration", "3", "--warmup", "1", "--expect-rate", str(RATE), "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(load.kill)
        harness.poll_until(
            lambda: rawclient.scrape_metrics(server.port)["levelcast_connections"] >= CONNECTIONS,
            20, f"{CONNECTIONS} subscribers")

        # While it is overloaded: plain requests and new subscribers are served promptly, and a
        # new subscriber's first snapshot is a recent one.
        began = time.monotonic()
        self.assertEqual(200, rawclient.http_request(server.port, "/healthz", timeout=5).status)
        with rawclient.RawWebSocket(server.port, "/levels", timeout=5) as ws:
            _, _, payload = ws.recv_frame(timeout=5)
            age_ms = time.time() * 1e3 - json.loads(payload)["ts"] / 1e3
        self.assertLess(time.monotonic() - began, 8)
        self.assertLess(age_ms, 1000, "the first snapshot was queued behind stale ones")

        out, err = load.communicate(timeout=60)
        self.assertEqual(0, load.returncode, err)
        report = json.loads(out.splitlines()[-1])
        self.assertEqual(CONNECTIONS, report["opened"])
        self.assertEqual(0, report["close_timeouts"], "closing handshakes went unanswered")
        self.assertEqual(0, report["duplicates"])
        self.assertGreater(report["seq_gaps"], 0, "nothing was skipped: not overloaded?")
        skipped = rawclient.scrape_metrics(server.port)["levelcast_frames_skipped_total"]
        self.assertGreater(skipped, 0)


if __name__ == "__main__":
    harness.main()
