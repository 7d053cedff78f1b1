"""Good option values take effect: --workers, --pin-cpus, --log-level off."""

import os
import unittest

import harness
import rawclient


def serves_a_snapshot(server):
    with rawclient.RawWebSocket(server.port) as ws:
        return ws.recv_frame()[1] == rawclient.OP_TEXT


class Options(unittest.TestCase):
    def test_workers_sets_the_per_worker_series(self):
        server = harness.launch(self, "--workers", 3)
        samples = rawclient.scrape_metrics(server.port)
        workers = {name for name in samples if name.startswith("levelcast_worker_connections{")}
        self.assertEqual({f'levelcast_worker_connections{{worker="{i}"}}' for i in range(3)},
                         workers)

    @unittest.skipUnless(len(os.sched_getaffinity(0)) >= 2 and 1 in os.sched_getaffinity(0),
                         "needs CPU 1")
    def test_pin_cpus_pins_a_worker(self):
        server = harness.launch(self, "--workers", 1, "--pin-cpus", "1")
        self.assertTrue(serves_a_snapshot(server))
        threads = harness.thread_cpu_lists(server.pid)
        pinned = [name for name, lists in threads.items() if "1" in lists]
        self.assertTrue(pinned, f"no thread is pinned to CPU 1: {threads}")

    def test_log_level_off_keeps_stderr_empty(self):
        server = harness.launch(self, "--log-level", "off")
        self.assertTrue(serves_a_snapshot(server))
        rawclient.http_request(server.port, "/nope")  # something a log might mention
        server.stop()
        self.assertEqual("", server.stderr_text)


if __name__ == "__main__":
    harness.main()
