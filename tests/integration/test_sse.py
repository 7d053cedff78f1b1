"""Server-Sent Events: GET /events[/NAME] streams the same snapshots as /levels, with id = seq.

Real peers: curl -N, and a Python reader that parses the event stream as a browser does
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
"""

import json
import os
import signal
import socket
import subprocess
import tempfile
import unittest

import harness
import rawclient

RATE = 50
HISTORY = 40


class EventStream:
    """A raw HTTP client of one /events stream: parses events, as dicts with the fields the
    spec dispatches (id, event, data), and the comment lines it saw."""

    def __init__(self, port, path, headers=()):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
        self.response, leftover = rawclient.read_response_head(self.sock, 5)
        self.buffer = leftover
        self.comments = []
        self.retry = None

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _line(self, deadline):
        while b"\n" not in self.buffer:
            self.sock.settimeout(deadline.left())
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the stream ended")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8")

    def next_event(self, timeout=5.0):
        deadline = harness.Deadline(timeout, "an event")
        event = {}
        while True:
            line = self._line(deadline)
            if line == "":
                if "data" in event:
                    return event
                event = {}
                continue
            if line.startswith(":"):
                self.comments.append(line)
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "retry":
                self.retry = int(value)
            elif name == "data":
                event["data"] = event["data"] + "\n" + value if "data" in event else value
            else:
                event[name] = value


class ServerSentEvents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls, "--rate", RATE, "--history", HISTORY, "--ping-interval", 0.3,
                                    "--source", "synth=synth")

    def test_the_stream_carries_snapshots_with_their_seq_as_id(self):
        with EventStream(self.server.port, "/events/synth") as stream:
            self.assertEqual(200, stream.response.status)
            self.assertEqual("text/event-stream", stream.response.headers["content-type"])
            self.assertEqual("*", stream.response.headers["access-control-allow-origin"])
            self.assertNotIn("content-length", stream.response.headers)
            events = [stream.next_event() for _ in range(20)]
            self.assertEqual(2000, stream.retry)
        seqs = [int(e["id"]) for e in events]
        self.assertEqual(list(range(seqs[0], seqs[0] + 20)), seqs)
        for e in events:
            snapshot = json.loads(e["data"])
            self.assertEqual(int(e["id"]), snapshot["seq"])
            self.assertEqual("synth", snapshot["topic"])

    def test_last_event_id_resumes_without_loss_and_pings_keep_it_alive(self):
        with EventStream(self.server.port, "/events") as first:
            seen = [int(first.next_event()["id"]) for _ in range(5)]
        with EventStream(self.server.port, "/events", [("Last-Event-ID", seen[-1])]) as again:
            resumed = [int(again.next_event()["id"]) for _ in range(30)]
            self.assertIn(": ping", again.comments, "no comment within 0.6 s at --ping-interval 0.3")
        self.assertEqual(list(range(seen[-1] + 1, seen[-1] + 31)), resumed)

    def test_a_since_older_than_the_history_gets_a_missed_event_first(self):
        harness.poll_until(lambda: json.loads(rawclient.http_request(self.server.port, "/topics").body)
                           ["topics"][0]["last_seq"] > HISTORY + 10, 10, "the history to fill")
        with EventStream(self.server.port, "/events/synth?since=1") as stream:
            missed = stream.next_event()
            first = stream.next_event()
        self.assertEqual("missed", missed.get("event"))
        count = json.loads(missed["data"])["count"]
        self.assertGreater(count, 0)
        self.assertEqual(1 + count + 1, int(first["id"]), "the missed count is exact")

    def test_bad_requests(self):
        port = self.server.port
        self.assertEqual(404, rawclient.http_request(port, "/events/nope").status)
        self.assertEqual(400, rawclient.http_request(port, "/events?since=x").status)
        self.assertEqual(400, rawclient.http_request(port, "/events", headers=[("Last-Event-ID", "-3")]).status)
        self.assertEqual(405, rawclient.http_request(port, "/events", method="POST").status)

    def test_curl_reads_the_stream(self):
        out = subprocess.run(["curl", "-sN", "--max-time", "1", f"http://127.0.0.1:{self.server.port}/events/synth"],
                             capture_output=True, text=True, timeout=10).stdout
        ids = [int(line[4:]) for line in out.splitlines() if line.startswith("id: ")]
        self.assertGreater(len(ids), 10, out[:300])
        self.assertEqual(list(range(ids[0], ids[0] + len(ids))), ids)

    def test_subscribers_are_counted_per_transport(self):
        with EventStream(self.server.port, "/events/synth") as stream:
            stream.next_event()
            metrics = rawclient.scrape_metrics(self.server.port)
            self.assertGreaterEqual(metrics['levelcast_subscribers{transport="sse"}'], 1)
            self.assertGreater(metrics["levelcast_sse_events_encoded_total"], 0)


class SseEnded(unittest.TestCase):
    def test_an_ended_topic_ends_the_stream_and_then_answers_204(self):
        with tempfile.TemporaryDirectory(prefix="levelcast-sse-") as folder:
            fifo = os.path.join(folder, "lines")
            os.mkfifo(fifo)
            server = harness.launch(self, "--source", f"short=lines:cat {fifo}:restart=never")
            with EventStream(server.port, "/events/short") as stream:
                rawclient.scrape_until(server.port, lambda s: s['levelcast_subscribers{transport="sse"}'] >= 1,
                                       5, "the stream to subscribe")
                with open(fifo, "w") as lines:  # the command ends when this closes
                    lines.write("1\n2\n3\n4\n5\n")
                events = [stream.next_event() for _ in range(6)]
            self.assertEqual(["1", "2", "3", "4", "5"], [e["data"] for e in events[:5]])
            self.assertEqual(["1", "2", "3", "4", "5"], [e["id"] for e in events[:5]])
            self.assertEqual("ended", events[5].get("event"))
            self.assertEqual(204, rawclient.http_request(server.port, "/events/short").status)


class SseSlowReader(unittest.TestCase):
    def test_a_stream_nobody_reads_is_closed_after_slow_close(self):
        server = harness.launch(self, "--rate", 1000, "--channels", 32, "--slow-close-after", 1)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", server.port))
        self.addCleanup(sock.close)
        sock.sendall(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
        key = 'levelcast_subscribers{transport="sse"}'
        rawclient.scrape_until(server.port, lambda s: s[key] == 1, 5, "the stream to subscribe")
        rawclient.scrape_until(server.port, lambda s: s[key] == 0 and s["levelcast_connections"] <= 1, 15,
                               "the server to close the stream nobody reads")


class SseShutdown(unittest.TestCase):
    def test_sigterm_ends_streams_with_what_was_written(self):
        server = harness.Server("--rate", RATE).start()
        try:
            with EventStream(server.port, "/events") as stream:
                stream.next_event()
                server.send_signal(signal.SIGTERM)
                with self.assertRaises(ConnectionError):
                    for _ in range(10_000):
                        stream.next_event(timeout=5)
            self.assertEqual(0, server.wait(5))
        finally:
            server.stop(check=False)


if __name__ == "__main__":
    harness.main()
