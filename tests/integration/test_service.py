"""Running as a service (issue 16): systemd readiness through $NOTIFY_SOCKET, SIGHUP reopening a
moved log file and taking a new log level from the config file, JSON log lines, and the
periodic activity summary."""

import json
import os
import signal
import socket
import tempfile
import unittest

import harness
import rawclient


class NotifySocket:
    """A datagram socket standing in for systemd's notification socket."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.received = []

    def wait_for(self, state, timeout=10.0):
        """Read datagrams until one holds the line `state` (e.g. READY=1); return it."""
        deadline = harness.Deadline(timeout, f"{state} on NOTIFY_SOCKET")
        while True:
            self.sock.settimeout(deadline.left())
            message = self.sock.recv(4096).decode()
            self.received.append(message)
            if state in message.split("\n"):
                return message

    def close(self):
        self.sock.close()


class Service(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="levelcast-service-")
        self.addCleanup(self.dir.cleanup)

    def test_readiness_reload_and_stop_are_notified(self):
        notify = NotifySocket(self.dir.name)
        self.addCleanup(notify.close)
        os.environ["NOTIFY_SOCKET"] = notify.path
        try:
            server = harness.launch(self)
        finally:
            del os.environ["NOTIFY_SOCKET"]
        ready = notify.wait_for("READY=1")
        self.assertIn(f"STATUS=listening on 127.0.0.1:{server.port}", ready)
        server.proc.send_signal(signal.SIGHUP)
        notify.wait_for("RELOADING=1")
        notify.wait_for("READY=1")
        self.assertEqual(0, server.stop())
        notify.wait_for("STOPPING=1")

    def test_sighup_reopens_a_moved_log_and_takes_the_new_level(self):
        log = os.path.join(self.dir.name, "levelcast.log")
        config = os.path.join(self.dir.name, "levelcast.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f'log-file = "{log}"\nlog-level = "info"\n')
        server = harness.launch(self, "--config", config)
        harness.poll_until(lambda: os.path.exists(log) and "workers" in read(log), 5, "the log file")
        self.assertEqual("", server._captured("stderr"))  # the log went to the file only

        # logrotate: move the file, edit the config, SIGHUP.
        os.rename(log, log + ".1")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f'log-file = "{log}"\nlog-level = "debug"\n')
        server.proc.send_signal(signal.SIGHUP)
        harness.poll_until(lambda: os.path.exists(log) and "reloaded: log level debug" in read(log),
                           5, "the reload line in a new log file")
        # A debug line now shows: a protocol error (an unmasked client frame).
        with rawclient.RawWebSocket(server.port, "/echo") as ws:
            ws.send_frame(0x1, b"unmasked", masked=False)
        harness.poll_until(lambda: "closing with" in read(log), 5, "a debug line after the reload")
        self.assertNotIn("reloaded", read(log + ".1"))

    def test_a_bad_config_on_sighup_keeps_the_running_configuration(self):
        config = os.path.join(self.dir.name, "levelcast.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write('log-level = "info"\n')
        server = harness.launch(self, "--config", config)
        with open(config, "w", encoding="utf-8") as f:
            f.write('log-level = "loud"\n')
        server.proc.send_signal(signal.SIGHUP)
        harness.poll_until(lambda: "keeping the running configuration" in server._captured("stderr"),
                           5, "the refused reload")
        self.assertEqual(200, rawclient.http_request(server.port, "/healthz").status)

    def test_json_log_lines_and_the_activity_summary(self):
        server = harness.launch(self, "--log-format", "json", "--summary-interval", "0.2")

        def summary():
            for line in server._captured("stderr").splitlines():
                entry = json.loads(line)  # every line is one JSON object
                if entry["message"] == "summary":
                    return entry
            return None

        entry = harness.poll_until(summary, 5, "a summary line")
        self.assertEqual("info", entry["level"])
        self.assertRegex(entry["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        for field in ("connections", "deliveries_per_s", "dropped", "skipped", "log_lines_dropped"):
            self.assertIsInstance(entry["fields"][field], (int, float), field)


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


if __name__ == "__main__":
    harness.main()
