"""lines: topics with long lines of multi-byte characters (cut only between characters, never
dropped), the max_line= option, and ?format=json ({"seq":N,"line":"..."})."""

import json
import os
import tempfile
import unittest

import harness
import rawclient

EURO_LINE = "€" * 1667  # 5,001 bytes of UTF-8: once cut inside a character at byte 4,096 and lost


def topics(server):
    return {t["name"]: t for t in json.loads(rawclient.http_request(server.port, "/topics").body)["topics"]}


async def read(server, path, count):
    async with harness.connect(server, path) as ws:
        return [await harness.within(ws.recv(), 5, "a line") for _ in range(count)]


class LongLines(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="levelcast-lines-")
        self.addCleanup(self.dir.cleanup)
        self.text = os.path.join(self.dir.name, "text")
        with open(self.text, "w", encoding="utf-8") as f:
            f.write(f"short\n{EURO_LINE}\n{'x' * 70000}\n")

    def launch(self, options=""):
        # The replay of ?since=0 holds every line at once: room for them in the subscriber's queue.
        server = harness.launch(self, "--max-queued-bytes", 1 << 20,
                                "--source", f"log=lines:cat {self.text}:restart=never{options}")
        harness.poll_until(lambda: topics(server)["log"]["state"] == "ended", 10, "the command to end")
        return server

    def test_a_long_line_of_multibyte_characters_arrives_whole(self):
        server = self.launch()
        self.assertEqual(["text", "json"], topics(server)["log"]["formats"])
        # Up to the default max_line (65,536 bytes) a line is one message; beyond, pieces.
        messages = harness.run(read(server, "/levels/log?since=0", 4))
        self.assertEqual(["short", EURO_LINE, "x" * 65536, "x" * (70000 - 65536)], messages)

    def test_max_line_cuts_between_characters_and_json_numbers_the_pieces(self):
        server = self.launch(",max_line=4096")
        messages = harness.run(read(server, "/levels/log?since=0&format=json", 4))
        objects = [json.loads(m) for m in messages]
        self.assertEqual([1, 2, 3, 4], [o["seq"] for o in objects])
        self.assertEqual("short", objects[0]["line"])
        self.assertEqual(4095, len(objects[1]["line"].encode()))  # 1,365 characters, then the rest
        self.assertEqual(EURO_LINE, objects[1]["line"] + objects[2]["line"])
        self.assertEqual("x" * 4096, objects[3]["line"])
        self.assertEqual(400, rawclient.http_request(server.port, "/levels/log?format=binary",
                                                     headers=rawclient.upgrade_headers()).status)


if __name__ == "__main__":
    harness.main()
