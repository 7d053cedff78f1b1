"""Who may listen (issue 13): origins, bearer tokens in each place they may travel, the classic
attacks on JWT verification, topic rights, expiry while connected (4001, then a lossless resume)
and `levelcast token`. Python websockets, Node ws and raw HTTP against one server."""

import asyncio
import json
import os
import socket
import subprocess
import tempfile
import time
import unittest

import websockets

import authtokens
import harness
import rawclient

ORIGIN = "http://studio.example"


def upgrade(port, path, headers=(), origin=None):
    """A raw WebSocket handshake; the HttpResponse (101 or a refusal)."""
    extra = list(rawclient.upgrade_headers(rawclient.new_key())) + list(headers)
    if origin is not None:
        extra.append(("Origin", origin))
    return rawclient.http_request(port, path, headers=extra)


class AccessControl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory(prefix="levelcast-access-")
        cls.keys = authtokens.KeyFolder(cls.folder.name)
        cls.server = harness.launch(
            cls, "--source", "mic=synth:channels=1,loudness=i", "--source", "cam=synth:channels=1",
            "--rate", 50, "--allowed-origin", ORIGIN, "--allowed-origin", "https://*.example.org",
            "--auth-leeway", 0, "--log-level", "debug", *cls.keys.server_options())
        cls.addClassCleanup(cls.folder.cleanup)

    def token(self, topics=("*",), ttl=600, **extra):
        return authtokens.hs256(self.keys.secret, authtokens.claims(topics, ttl, **extra))

    def status(self, path, token=None, origin=None, headers=()):
        extra = list(headers)
        if token is not None:
            extra.append(("Authorization", f"Bearer {token}"))
        return upgrade(self.server.port, path, extra, origin).status

    def test_token_in_each_place(self):
        port, token = self.server.port, self.token(["mic"])
        self.assertEqual(101, self.status("/levels/mic", token))
        self.assertEqual(101, self.status(f"/levels/mic?access_token={token}"))
        self.assertEqual(101, self.status("/levels/mic", headers=[
            ("Sec-WebSocket-Protocol", f"levelcast.v1, levelcast.bearer.{token}")]))
        # A cookie counts only from a listed origin.
        cookie = [("Cookie", f"theme=dark; levelcast_token={token}")]
        self.assertEqual(101, self.status("/levels/mic", origin=ORIGIN, headers=cookie))
        self.assertEqual(401, self.status("/levels/mic", headers=cookie))
        self.assertEqual(403, self.status("/levels/mic", origin="http://evil.example", headers=cookie))
        response = upgrade(port, "/levels/mic")
        self.assertEqual(401, response.status)
        self.assertTrue(response.headers["www-authenticate"].startswith("Bearer"))

    def test_subprotocol_answer_is_levelcast_v1_only(self):
        token = self.token(["mic"])

        async def scenario():
            async with harness.connect(self.server, "/levels/mic",
                                       subprotocols=["levelcast.v1", f"levelcast.bearer.{token}"]) as ws:
                self.assertEqual("levelcast.v1", ws.subprotocol)
                _, snapshot = await harness.recv_snapshot(ws)
                self.assertEqual("mic", snapshot["topic"])
        asyncio.run(scenario())

    def test_python_websockets_with_an_authorization_header(self):
        async def scenario():
            headers = {"Authorization": f"Bearer {self.token(['cam*'])}"}
            async with harness.connect(self.server, "/levels/cam", extra_headers=headers) as ws:
                _, snapshot = await harness.recv_snapshot(ws)
                self.assertEqual("cam", snapshot["topic"])
        asyncio.run(scenario())

    def test_es256_and_rs256_tokens(self):
        body = authtokens.claims(["mic"])
        self.assertEqual(101, self.status("/levels/mic", self.keys.es256(body)))
        self.assertEqual(101, self.status("/levels/mic", self.keys.rs256(body)))
        self.assertEqual(101, self.status("/levels/mic", self.keys.es256(body, kid=None)))
        self.assertEqual(401, self.status("/levels/mic", self.keys.es256(body, kid="studio-rsa")))

    def test_answers(self):
        self.assertEqual(401, self.status("/levels/mic", self.token(ttl=-10)))  # expired
        self.assertEqual(403, self.status("/levels/cam", self.token(["mic"])))
        self.assertEqual(404, self.status("/levels/nope", self.token()))
        self.assertEqual(401, self.status("/levels/nope"))
        self.assertEqual(401, rawclient.http_request(self.server.port, "/topics").status)
        response = rawclient.http_request(self.server.port, "/topics", headers=[
            ("Authorization", f"Bearer {self.token()}")])
        self.assertEqual(200, response.status)
        self.assertEqual(200, rawclient.http_request(self.server.port, "/healthz").status)
        events = rawclient.http_request(self.server.port, "/events/cam", headers=[
            ("Authorization", f"Bearer {self.token(['mic'])}")])
        self.assertEqual(403, events.status)
        self.assertEqual(401, rawclient.http_request(self.server.port, "/events/cam").status)

    def test_a_loudness_reset_needs_a_token_that_covers_the_topic(self):
        def post(token=None):
            headers = [("Authorization", f"Bearer {token}")] if token else []
            return rawclient.http_request(self.server.port, "/topics/mic/reset-loudness", method="POST",
                                          headers=headers).status
        self.assertEqual(401, post())
        self.assertEqual(401, post(self.token(ttl=-10)))
        self.assertEqual(403, post(self.token(["cam"])))
        self.assertEqual(204, post(self.token(["mic"])))

    def test_classic_attacks(self):
        body = authtokens.claims(["mic"])
        start = authtokens.signing_input({"alg": "none", "typ": "JWT"}, body)
        self.assertEqual(401, self.status("/levels/mic", start + "."))
        # HS256 whose "secret" is the RS256 public key: the RSA key checks RS256 only.
        confused = authtokens.hs256(self.keys.public_pem(), body, {"alg": "HS256", "kid": "studio-rsa"})
        self.assertEqual(401, self.status("/levels/mic", confused))
        confused = authtokens.hs256(self.keys.public_pem(), body)
        self.assertEqual(401, self.status("/levels/mic", confused))
        # A payload granting everything, with the signature of one granting mic.
        good = self.token(["mic"])
        forged = authtokens.signing_input({"alg": "HS256", "typ": "JWT"},
                                          authtokens.claims(["*"])).split(".")[1]
        head, _, signature = good.split(".")
        self.assertEqual(401, self.status("/levels/cam", f"{head}.{forged}.{signature}"))
        self.assertEqual(401, self.status("/levels/mic", good[:-6]))
        self.assertEqual(401, self.status("/levels/mic", good + ".x"))
        crit = authtokens.hs256(self.keys.secret, body, {"alg": "HS256", "crit": ["exp"]})
        self.assertEqual(401, self.status("/levels/mic", crit))

    def test_origins(self):
        token = self.token()
        self.assertEqual(101, self.status("/levels/mic", token, origin=ORIGIN))
        self.assertEqual(101, self.status("/levels/mic", token, origin="https://a.example.org"))
        self.assertEqual(101, self.status("/levels/mic", token))  # no Origin: a program
        self.assertEqual(403, self.status("/levels/mic", token, origin="http://evil.example"))
        self.assertEqual(403, self.status("/levels/mic", token, origin="https://a.b.example.org"))
        self.assertEqual(403, self.status("/levels/mic", token, origin="null"))
        self.assertEqual(403, self.status("/echo", origin="http://evil.example"))
        # Refused before the upgrade, and before the token is looked at.
        self.assertEqual(403, self.status("/levels/mic", origin="http://evil.example"))

    def test_event_streams_name_the_allowed_origin(self):
        def head(origin):
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as sock:
                sock.sendall(f"GET /events/mic HTTP/1.1\r\nHost: t\r\nOrigin: {origin}\r\n"
                             f"Authorization: Bearer {self.token()}\r\n\r\n".encode())
                return rawclient.read_response_head(sock, 5)[0]
        allowed = head(ORIGIN)
        self.assertEqual(200, allowed.status)
        self.assertEqual(ORIGIN, allowed.headers["access-control-allow-origin"])
        self.assertEqual("Origin", allowed.headers["vary"])
        self.assertEqual(403, head("http://evil.example").status)

    def test_query_token_is_never_logged(self):
        token = self.token(["mic"])
        self.assertEqual(101, self.status(f"/levels/mic?access_token={token}"))
        self.assertEqual(401, self.status(f"/levels/mic?access_token={token[:-3]}"))
        signature = token.rsplit(".", 1)[1]
        harness.poll_until(lambda: "refused /levels/mic: bad signature" in self.server._captured("stderr"),
                           5, "the refusal in the log")
        self.assertNotIn(signature, self.server._captured("stderr"))

    def test_expiry_closes_with_4001_then_a_resume_loses_nothing(self):
        async def scenario():
            seen = []
            exp = int(time.time()) + 2
            token = authtokens.hs256(self.keys.secret, {"exp": exp, "topics": ["mic"]})
            async with harness.connect(self.server, "/levels/mic",
                                       extra_headers={"Authorization": f"Bearer {token}"}) as ws:
                try:
                    while True:
                        seen.append(json.loads(await harness.within(ws.recv(), 10, "a snapshot"))["seq"])
                except websockets.ConnectionClosed as closed:
                    code, reason = closed.rcvd.code, closed.rcvd.reason
                    late = time.time() - exp
            self.assertEqual((4001, "token expired"), (code, reason))
            # Closed at exp within the worker's sweep (a quarter second) and the machine's noise.
            self.assertLess(late, 3.0, "4001 came far after exp")
            fresh = self.token(["mic"])
            async with harness.connect(self.server, f"/levels/mic?since={seen[-1]}",
                                       extra_headers={"Authorization": f"Bearer {fresh}"}) as ws:
                for _ in range(5):
                    seen.append(json.loads(await harness.within(ws.recv(), 5, "a resumed snapshot"))["seq"])
            self.assertTrue(harness.consecutive(seen), f"a gap across the reconnect: {seen}")
        asyncio.run(scenario())

    def test_node_ws_with_each_token_place(self):
        token = self.token(["mic"])
        script = os.path.join(os.path.dirname(__file__), "node_auth.js")
        result = subprocess.run(["node", script, str(self.server.port), token], capture_output=True,
                                text=True, timeout=30)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        self.assertEqual(["header mic", "subprotocol levelcast.v1 mic", "query mic", "none 401"],
                         result.stdout.split("\n")[:4])

    def test_token_command(self):
        result = harness.run_server_command(["token", "--secret-file", self.keys.secret_file,
                                             "--topics", "mic,cam*", "--ttl", "60", "--sub", "ops"])
        self.assertEqual(0, result.returncode, result.stderr)
        token = result.stdout.strip()
        self.assertEqual(101, self.status("/levels/cam", token))
        payload = json.loads(authtokens.base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        self.assertEqual((["mic", "cam*"], "ops"), (payload["topics"], payload["sub"]))
        self.assertLessEqual(payload["exp"] - time.time(), 61)
        bad = harness.run_server_command(["token", "--secret-file", self.keys.secret_file])
        self.assertEqual(2, bad.returncode)
        self.assertEqual(1, len(bad.stderr.strip().splitlines()))


class AccessOptions(unittest.TestCase):
    def test_bad_keys_stop_start_up(self):
        with tempfile.TemporaryDirectory() as folder:
            short = os.path.join(folder, "short")
            with open(short, "w") as f:
                f.write("tooshort\n")
            for options in (["--auth-hmac-secret-file", short],
                            ["--auth-public-key", short],
                            ["--allowed-origin", "example.com"],
                            ["--admin-bind", "localhost"],
                            ["--bind", "localhost"],
                            ["--bind", "::1", "--admin-bind", "::1:9100"]):
                result = harness.run_server_command(["--port", "0", *options])
                self.assertEqual(2, result.returncode, options)
                self.assertEqual(1, len(result.stderr.strip().splitlines()), result.stderr)


if __name__ == "__main__":
    harness.main()
