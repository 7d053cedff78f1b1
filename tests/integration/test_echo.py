"""/echo returns text and binary messages intact and in order; --no-echo removes it."""

import random
import unittest

import harness
import rawclient


async def echoed(ws, message):
    await ws.send(message)
    return await harness.within(ws.recv(), 10, "the echo")


class Echo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.launch(cls)

    def exchange(self, scenario):
        async def session():
            async with harness.connect(self.server, "/echo") as ws:
                return await scenario(ws)
        return harness.run(session())

    def test_text_message_comes_back(self):
        message = "hello, levelcast: h\u00e9llo \u2713 \U0001F50A"
        self.assertEqual(message, self.exchange(lambda ws: echoed(ws, message)))

    def test_one_mebibyte_binary_message_comes_back(self):
        message = random.Random(6455).randbytes(harness.MAX_MESSAGE)
        reply = self.exchange(lambda ws: echoed(ws, message))
        self.assertIsInstance(reply, bytes)
        self.assertEqual(len(message), len(reply))
        self.assertTrue(message == reply, "1 MiB binary message came back altered")

    def test_messages_in_sequence_keep_order_and_type(self):
        generator = random.Random(13)
        messages = []
        for index in range(40):
            if index % 2:
                messages.append(generator.randbytes(generator.randrange(0, 70000)))
            else:
                messages.append(f"message {index} " + "x" * generator.randrange(0, 200))

        async def scenario(ws):
            for message in messages:
                await ws.send(message)
            return [await harness.within(ws.recv(), 10, "an echo") for _ in messages]
        self.assertEqual(messages, self.exchange(scenario))

    def test_fragmented_message_comes_back_whole(self):
        parts = ["frag", "men", "ted \u2713"]
        self.assertEqual("".join(parts), self.exchange(lambda ws: echoed(ws, parts)))

    def test_ping_is_answered_with_pong(self):
        async def scenario(ws):
            waiter = await ws.ping(b"are you there")
            await harness.within(waiter, 10, "the pong")
            return await echoed(ws, "still here")
        self.assertEqual("still here", self.exchange(scenario))

    def test_client_close_is_answered_with_close(self):
        async def scenario(ws):
            await ws.close(1000, "bye")
            return ws.close_code
        self.assertEqual(1000, self.exchange(scenario))


class NoEcho(unittest.TestCase):
    def test_no_echo_makes_echo_404(self):
        server = harness.launch(self, "--no-echo")
        response = rawclient.http_request(server.port, "/echo",
                                        headers=rawclient.upgrade_headers(rawclient.new_key()))
        self.assertEqual(404, response.status, response)
        self.assertEqual(200, rawclient.http_request(server.port, "/healthz").status)


if __name__ == "__main__":
    harness.main()
