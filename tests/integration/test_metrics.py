"""/metrics exposes the contract's series and they move as the traffic does."""

import asyncio
import unittest

import harness
import rawclient

CLIENTS = 20
RATE = 100
WORKERS = 2
WINDOW = 50  # snapshots to watch the counters over
NAMES = ("levelcast_connections", "levelcast_connections_accepted_total",
         "levelcast_snapshots_total", "levelcast_frames_encoded_total",
         "levelcast_messages_sent_total", "levelcast_bytes_sent_total",
         "levelcast_messages_dropped_total")


def worker_connections(samples):
    return {name: value for name, value in samples.items()
            if name.startswith("levelcast_worker_connections{")}


def connected(samples, count):
    """The gauges agree on `count` clients (+1 if the scrape itself is counted)."""
    gauge = samples["levelcast_connections"]
    return count <= gauge <= count + 1 and sum(worker_connections(samples).values()) == gauge


async def drain(ws, smallest):
    while True:
        text, _ = await harness.recv_snapshot(ws, timeout=10)
        smallest[0] = min(smallest[0], len(text))


class Metrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls, "--rate", RATE, "--workers", WORKERS)

    def scrape(self):
        return rawclient.scrape_metrics(self.server.port)

    def test_exposition_names_every_series(self):
        response = rawclient.http_request(self.server.port, "/metrics")
        self.assertEqual(200, response.status)
        self.assertTrue(response.headers.get("content-type", "").startswith("text/plain"),
                        response.headers)
        self.assertIn("# TYPE levelcast_connections gauge", response.body.decode())
        samples = self.scrape()
        for name in NAMES:
            self.assertIn(name, samples)
        self.assertEqual({f'levelcast_worker_connections{{worker="{i}"}}' for i in range(WORKERS)},
                         set(worker_connections(samples)))

    def test_each_snapshot_is_encoded_once(self):
        def equal_scrape():
            samples = self.scrape()
            encoded = samples["levelcast_frames_encoded_total"]
            snapshots = samples["levelcast_snapshots_total"]
            self.assertLessEqual(abs(encoded - snapshots), 1, samples)
            return snapshots > 0 and encoded == snapshots
        harness.poll_until(equal_scrape, 5, "frames_encoded_total == snapshots_total")

    def test_counters_follow_the_fan_out(self):
        port = self.server.port

        async def scenario():
            clients = [await harness.connect(self.server) for _ in range(CLIENTS)]
            smallest = [1 << 30]
            try:
                async with harness.background(*(drain(ws, smallest) for ws in clients)) as readers:
                    before = await asyncio.to_thread(
                        rawclient.scrape_until, port, lambda s: connected(s, CLIENTS), 10,
                        f"the gauges to count {CLIENTS} clients")
                    target = before["levelcast_snapshots_total"] + WINDOW
                    after = await asyncio.to_thread(
                        rawclient.scrape_until, port,
                        lambda s: s["levelcast_snapshots_total"] >= target, 10,
                        f"{WINDOW} more snapshots")
                    self.assertFalse(any(r.done() for r in readers), "a client stopped receiving")
            finally:
                await asyncio.gather(*(ws.close() for ws in clients))
            return before, after, smallest[0]

        before, after, smallest = harness.run(scenario())
        delta = {name: after[name] - before[name] for name in NAMES}
        snapshots = delta["levelcast_snapshots_total"]
        sent = delta["levelcast_messages_sent_total"]
        self.assertGreaterEqual(sent, 0.9 * CLIENTS * snapshots, delta)
        self.assertLessEqual(sent, CLIENTS * (snapshots + 2), delta)
        self.assertGreaterEqual(delta["levelcast_bytes_sent_total"], sent * smallest, delta)
        self.assertGreaterEqual(after["levelcast_connections_accepted_total"], CLIENTS)
        rawclient.scrape_until(port, lambda s: connected(s, 0), 10,
                             "the gauges to return to no clients")


if __name__ == "__main__":
    harness.main()
