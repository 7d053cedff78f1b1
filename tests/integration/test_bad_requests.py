"""HTTP answers for requests that are not a good upgrade, /healthz, and the connection cap."""

import socket
import unittest

import harness
import rawclient
import websockets


class BadRequests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls)

    def request(self, path, **options):
        return rawclient.http_request(self.server.port, path, **options)

    def assert_alive(self):
        response = self.request("/healthz")
        self.assertEqual((200, b"ok"), (response.status, response.body.strip()), response)

    def test_healthz_says_ok(self):
        self.assert_alive()

    def test_unknown_path_is_404(self):
        self.assertEqual(404, self.request("/nope").status)
        upgrade = rawclient.upgrade_headers(rawclient.new_key())
        self.assertEqual(404, self.request("/nope", headers=upgrade).status)

    def test_post_is_405(self):
        self.assertEqual(405, self.request("/levels", method="POST", body=b"x").status)

    def test_upgrade_without_key_is_400(self):
        response = self.request("/levels", headers=rawclient.upgrade_headers(key=None))
        self.assertEqual(400, response.status, response)

    def test_upgrade_to_something_else_is_400(self):
        headers = rawclient.upgrade_headers(rawclient.new_key(), upgrade="h2c")
        self.assertEqual(400, self.request("/levels", headers=headers).status)

    def test_wrong_websocket_version_is_426_naming_13(self):
        response = self.request("/levels", headers=rawclient.upgrade_headers(rawclient.new_key(), "8"))
        self.assertEqual(426, response.status, response)
        self.assertEqual("13", response.headers.get("sec-websocket-version"), response.headers)

    def test_plain_get_of_levels_is_refused(self):
        self.assertIn(self.request("/levels").status, (400, 426))

    def test_garbage_and_huge_requests_leave_the_server_up(self):
        tls_hello = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(200)
        for raw in (b"BLAH\r\n\r\n", b"GET / HTTP/1.1\r\nX: " + b"y" * 70000 + b"\r\n\r\n",
                    tls_hello + b"\r\n\r\n"):
            with self.subTest(raw[:12]):
                try:
                    response = rawclient.http_exchange(self.server.port, raw)
                    self.assertGreaterEqual(response.status, 400, response)
                except ConnectionError:
                    pass  # closing the connection is an acceptable answer too
                self.assert_alive()

    def test_half_sent_request_does_not_block_others(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as idle:
            idle.sendall(b"GET /levels HTTP/1.1\r\nHost: x\r\n")
            self.assert_alive()


class ConnectionCap(unittest.TestCase):
    def test_third_client_over_max_connections_2_gets_503(self):
        server = harness.launch(self, "--max-connections", 2)

        async def scenario():
            async with harness.connect(server) as first, harness.connect(server) as second:
                await harness.recv_snapshot(first)
                await harness.recv_snapshot(second)
                with self.assertRaises(websockets.InvalidStatusCode) as refused:
                    async with harness.connect(server):
                        pass
                self.assertEqual(503, refused.exception.status_code)
            await harness.async_poll_until(lambda: can_subscribe(server), 10,
                                           "a new client to be let in after two left")
        harness.run(scenario())


def can_subscribe(server):
    try:
        with rawclient.RawWebSocket(server.port) as ws:
            return ws.recv_frame()[1] == rawclient.OP_TEXT
    except rawclient.HandshakeRefused as refused:
        if refused.response.status == 503:
            return False
        raise


if __name__ == "__main__":
    harness.main()
