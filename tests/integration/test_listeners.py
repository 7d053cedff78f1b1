"""Listeners and limits (issue 13, issue 11 item 11): IPv6 loopback for every route, the admin
listener, --max-connections-per-ip, monitoring at --max-connections, handshaking sockets held
to the limit, and /topics for a command that keeps exiting."""

import asyncio
import os
import re
import socket
import unittest

import websockets

import harness
import rawclient

ADMIN_LINE = re.compile(r"admin listener on http://(\S+):(\d+)/metrics")


def http6(port, path, method="GET"):
    """One request over ::1; (status, body)."""
    with socket.create_connection(("::1", port), timeout=5) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: [::1]:{port}\r\nConnection: close\r\n\r\n"
                     .encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def admin_port(server):
    match = harness.poll_until(lambda: ADMIN_LINE.search(server._captured("stderr")), 5,
                               "the admin listener line")
    return int(match.group(2))


def accept_queue(port):
    """Connections waiting in the listening socket's accept queue (/proc/net/tcp, LISTEN row)."""
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port:
                return int(fields[4].split(":")[1], 16)
    return None


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Ipv6AndAdmin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls, "--bind", "::1", "--admin-bind", "[::1]:0",
                                    "--rate", 50)
        cls.admin_port = admin_port(cls.server)

    def test_every_route_over_ipv6_loopback(self):
        port = self.server.port
        self.assertEqual(200, http6(port, "/topics")[0])
        self.assertEqual(200, http6(port, "/")[0])
        self.assertEqual(404, http6(port, "/nope")[0])
        self.assertIn(b"data:", http6_stream_start(port, "/events"))

        async def scenario():
            async with websockets.connect(f"ws://[::1]:{port}/levels", open_timeout=10) as ws:
                await harness.recv_snapshot(ws)
            async with websockets.connect(f"ws://[::1]:{port}/echo", open_timeout=10) as ws:
                await ws.send("six")
                self.assertEqual("six", await harness.within(ws.recv(), 5, "the echo"))
        asyncio.run(scenario())

    def test_admin_listener_serves_operations_only(self):
        admin, public = self.admin_port, self.server.port
        self.assertEqual(200, http6(admin, "/metrics")[0])
        self.assertEqual((200, b"ok"), http6(admin, "/healthz"))
        self.assertEqual(404, http6(admin, "/topics")[0])
        self.assertEqual(404, http6(admin, "/levels")[0])
        self.assertEqual(404, rawclient.http_request(public, "/metrics").status)
        self.assertEqual(404, rawclient.http_request(public, "/healthz").status)
        self.assertEqual(404, http6(public, "/metrics")[0])


def http6_stream_start(port, path):
    """The first bytes of an SSE stream over ::1 after its head."""
    with socket.create_connection(("::1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: [::1]:{port}\r\n\r\n".encode())
        data = b""
        while b"data:" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


class PerAddressLimit(unittest.TestCase):
    def test_fifty_connections_from_one_address_with_a_limit_of_ten(self):
        with harness.Server("--max-connections-per-ip", 10) as server:
            sockets, statuses = [], []
            try:
                for _ in range(50):
                    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                    sockets.append(sock)
                    sock.sendall(rawclient.upgrade_request(server.port, "/levels", rawclient.new_key()))
                    response, _ = rawclient.read_response_head(sock)
                    statuses.append(response.status)
                self.assertEqual([101] * 10 + [429] * 40, statuses)
                samples = rawclient.scrape_metrics(server.port)
                self.assertEqual(41, samples["levelcast_connections_rejected_per_ip_total"])  # and this scrape
            finally:
                for sock in sockets:
                    sock.close()
            # Once they are gone the address has its budget back.
            harness.poll_until(lambda: rawclient.http_request(server.port, "/topics").status == 200, 5,
                               "the address's connections to be released")


class FullServer(unittest.TestCase):
    def test_monitoring_answers_at_the_connection_limit(self):
        with harness.Server("--max-connections", 3) as server:
            sockets = [rawclient.RawWebSocket(server.port) for _ in range(3)]
            try:
                self.assertEqual(503, rawclient.http_request(server.port, "/topics").status)
                self.assertEqual(200, rawclient.http_request(server.port, "/healthz").status)
                self.assertEqual(200, rawclient.http_request(server.port, "/metrics").status)
            finally:
                for ws in sockets:
                    ws.sock.close()

    def test_handshaking_sockets_are_held_to_the_limit(self):
        limit, idle = 100, 600
        with harness.Server("--max-connections", limit, "--handshake-timeout", 60) as server:
            baseline = open_fds(server.pid)
            sockets = []
            try:
                for _ in range(idle):
                    sockets.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
                # Every socket taken from the accept queue and judged by the acceptor.
                harness.poll_until(lambda: accept_queue(server.port) == 0, 10,
                                   "the accept queue to empty")
                held = open_fds(server.pid) - baseline
                # The limit, the reserve answered 503 (64), one in flight; the rest closed at once.
                self.assertLessEqual(held, limit + 64 + 2, f"{held} descriptors held")
            finally:
                for sock in sockets:
                    sock.close()


class RestartingCommand(unittest.TestCase):
    def test_topics_shows_restarting_and_the_count(self):
        with harness.Server("--source", "flaky=exec:exit 3:rate=8000,channels=1") as server:
            def state():
                import json
                topic = json.loads(rawclient.http_request(server.port, "/topics").body)["topics"][0]
                return topic if topic["state"] == "restarting" and topic["restarts"] >= 1 else None
            topic = harness.poll_until(state, 10, "the topic to show restarting and a restart")
            self.assertEqual("exec", topic["kind"])


if __name__ == "__main__":
    harness.main()
