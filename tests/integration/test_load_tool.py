"""levelcast-load, the benchmark client, against a real levelcast: every mode reports what it
measured in its JSON line, checks what it receives, and exits with the documented status.
These assert behaviour (counts, checks, exit codes), not speed."""

import json
import os
import socket
import subprocess
import unittest

import harness
import tls_fixture

RATE = 50
LOAD = os.environ.get("LEVELCAST_LOAD_BIN")


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_load(*options, timeout=30):
    """Runs levelcast-load to its end; returns (exit status, the JSON report or None, stderr)."""
    done = subprocess.run([LOAD, "--json", *map(str, options)], capture_output=True, text=True,
                          timeout=timeout, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, json.loads(lines[-1]) if lines else None, done.stderr


@unittest.skipUnless(LOAD and os.access(LOAD, os.X_OK), "LEVELCAST_LOAD_BIN not built")
class LoadTool(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls, "--rate", RATE, "--workers", 2)
        cls.port = cls.server.url().split(":")[2].split("/")[0]

    def fanout(self, *extra):
        status, report, err = run_load("--port", self.port, "--connections", 20,
                                       "--duration", 1, "--warmup", 0.3, "--expect-rate", RATE,
                                       "--pid", self.server.pid, *extra)
        self.assertEqual(status, 0, err)
        self.assertEqual(report["opened"], 20)
        self.assertGreater(report["messages"], 0)
        for check in ("seq_gaps", "duplicates", "unparsed", "protocol_errors", "dropped"):
            self.assertEqual(report[check], 0, check)
        self.assertGreaterEqual(report["messages_per_read"], 1.0)
        self.assertGreater(report["latency_p99_ms"], 0)
        self.assertGreaterEqual(report["server"]["cpu_s_per_s"], 0)  # clock ticks: may read 0
        self.assertEqual(report["server"]["pid"], self.server.pid)
        return report

    def test_fanout_reads_and_checks_json_snapshots(self):
        report = self.fanout()
        self.assertIsNone(report["client_busy_percent"])

    def test_fanout_reads_binary_snapshots(self):
        self.fanout("--path", "/levels?format=binary")

    def test_busy_poll_reports_the_share_spent_on_traffic(self):
        report = self.fanout("--busy-poll")
        self.assertGreater(report["client_busy_percent"], 0)
        self.assertLessEqual(report["client_busy_percent"], 100)
        self.assertGreaterEqual(report["client_capacity_per_s"], report["rate_per_s"])

    def test_echo_round_trips(self):
        status, report, err = run_load("--mode", "echo", "--port", self.port, "--connections", 5,
                                       "--in-flight", 2, "--size", 128, "--duration", 1,
                                       "--warmup", 0.2)
        self.assertEqual(status, 0, err)
        self.assertGreater(report["messages"], 0)
        self.assertEqual(report["protocol_errors"], 0)

    def test_connect_counts_handshakes(self):
        status, report, err = run_load("--mode", "connect", "--port", self.port,
                                       "--connections", 4, "--connect-rate", 200,
                                       "--duration", 1, "--warmup", 0)
        self.assertEqual(status, 0, err)
        self.assertGreater(report["handshakes"], 0)
        self.assertEqual(report["handshake_failed"], 0)

    def test_failed_connections_exit_1(self):
        status, report, _ = run_load("--port", free_port(), "--connections", 3,
                                     "--duration", 0.2, "--warmup", 0)
        self.assertEqual(status, 1)
        self.assertEqual(report["connect_failed"], 3)

    def test_tls_modes_and_resumed_handshakes(self):
        ca = tls_fixture.TestCa()
        self.addCleanup(ca.cleanup)
        with harness.Server("--rate", RATE, "--no-plain", *ca.server_options("ec")) as server:
            status, report, err = run_load("--tls", "--port", server.tls_port, "--connections", 20,
                                           "--duration", 1, "--warmup", 0.3)
            self.assertEqual(status, 0, err)
            self.assertTrue(report["url"].startswith("wss://"))
            self.assertEqual(report["opened"], 20)
            self.assertGreater(report["messages"], 0)
            for check in ("seq_gaps", "duplicates", "unparsed", "protocol_errors", "dropped"):
                self.assertEqual(report[check], 0, check)
            status, report, err = run_load("--tls", "--tls-resume", "--mode", "connect",
                                           "--port", server.tls_port, "--connections", 4,
                                           "--duration", 1, "--warmup", 0.2)
            self.assertEqual(status, 0, err)
            self.assertGreater(report["handshakes"], 0)
            self.assertGreater(report["tls_resumed"], 0)
            status, report, err = run_load("--tls", "--mode", "echo", "--port", server.tls_port,
                                           "--connections", 2, "--size", 20000,
                                           "--duration", 0.5, "--warmup", 0.1)
            self.assertEqual(status, 0, err)
            self.assertGreater(report["messages"], 0)

    def test_bad_option_is_one_line_and_exit_2(self):
        for options in (["--port", "0"], ["--port", self.port, "--mode", "spray"],
                        ["--port", self.port, "--connections", "0"],
                        ["--port", self.port, "--tls-resume"]):
            status, _, err = run_load(*options)
            self.assertEqual(status, 2, options)
            self.assertEqual(len(err.strip().splitlines()), 1, err)


if __name__ == "__main__":
    harness.main()
