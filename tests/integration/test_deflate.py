"""permessage-deflate with real clients: Python websockets (which offers it by default) and
Node ws (perMessageDeflate). Snapshots are compressed once per format, whatever the number of
subscribers, and decode to exactly what plain subscribers get."""

import asyncio
import json
import subprocess
import unittest

import harness
import rawclient

RATE = 50
NODE_CLIENT = r"""
const WebSocket = require('/usr/share/nodejs/ws');
const ws = new WebSocket(process.argv[1], {perMessageDeflate: true});
const seqs = [];
setTimeout(() => { console.error('deadline'); process.exit(1); }, 10000).unref();
ws.on('message', (data) => {
  seqs.push(JSON.parse(data.toString()).seq);
  if (seqs.length === 10) {
    console.log(JSON.stringify({extensions: ws.extensions, seqs}));
    ws.close();
  }
});
ws.on('close', () => process.exit(seqs.length === 10 ? 0 : 1));
"""


def compressed_snapshots(port):
    return rawclient.scrape_metrics(port)["levelcast_frames_compressed_total"]


class Deflate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # --deflate-min-bytes 0: every snapshot of both formats is compressed.
        cls.server = harness.launch(cls, "--rate", RATE, "--deflate", "--deflate-min-bytes", 0,
                                    "--source", "synth=synth:bands=third,loudness=msi")

    def test_python_websockets_negotiates_it_and_reads_the_same_snapshots(self):
        async def scenario():
            async with harness.connect(self.server, "/levels") as compressed, \
                    harness.connect(self.server, "/levels", compression=None) as plain:
                extensions = (compressed.response_headers.get("Sec-WebSocket-Extensions"),
                              plain.response_headers.get("Sec-WebSocket-Extensions"))
                got = {}
                for ws, name in ((compressed, "compressed"), (plain, "plain")):
                    got[name] = {}
                    for _ in range(20):
                        text, snapshot = await harness.recv_snapshot(ws)
                        got[name][snapshot["seq"]] = text
            return extensions, got

        (offered, not_offered), got = harness.run(scenario())
        self.assertIn("permessage-deflate", offered)
        self.assertIn("server_no_context_takeover", offered)
        self.assertNotIn("client_max_window_bits", offered)
        self.assertIsNone(not_offered)
        common = set(got["compressed"]) & set(got["plain"])
        self.assertTrue(common, "the two clients saw no common seq")
        for seq in common:
            self.assertEqual(got["plain"][seq], got["compressed"][seq], f"seq {seq}")

    def test_node_ws_with_per_message_deflate(self):
        out = subprocess.run(["node", "-e", NODE_CLIENT, self.server.url("/levels")],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(0, out.returncode, out.stderr)
        result = json.loads(out.stdout)
        self.assertEqual("permessage-deflate", result["extensions"].split(";")[0])
        seqs = result["seqs"]
        self.assertEqual(list(range(seqs[0], seqs[0] + 10)), seqs)

    def test_one_compression_per_snapshot_and_format_whatever_the_subscribers(self):
        async def scenario():
            clients = [harness.connect(self.server, path) for path in
                       ["/levels"] * 5 + ["/levels?format=binary"] * 5]
            opened = [await c.__aenter__() for c in clients]
            try:
                for ws in opened:
                    await harness.within(ws.recv(), 5, "a snapshot")
                before_snapshots = rawclient.scrape_metrics(self.server.port)["levelcast_snapshots_total"]
                before = compressed_snapshots(self.server.port)
                await asyncio.sleep(0.5)  # the scenario: ten subscribers for a while
                after_snapshots = rawclient.scrape_metrics(self.server.port)["levelcast_snapshots_total"]
                after = compressed_snapshots(self.server.port)
            finally:
                for c in clients:
                    await c.__aexit__(None, None, None)
            return after - before, after_snapshots - before_snapshots

        compressed, snapshots = harness.run(scenario())
        self.assertGreater(snapshots, 5)
        # Scraped one after the other, the two counters may be a snapshot apart.
        self.assertLessEqual(abs(compressed - 2 * snapshots), 2, (compressed, snapshots))

    def test_frames_on_the_wire_are_compressed(self):
        with rawclient.RawWebSocket(self.server.port, "/levels",
                                    extra_headers=[("Sec-WebSocket-Extensions", "permessage-deflate")]) as ws:
            rsv1 = [ws.recv_raw_frame()[0] & 0x40 for _ in range(5)]
        self.assertTrue(all(rsv1), "every snapshot frame has RSV1")


class NoDeflate(unittest.TestCase):
    def test_without_the_option_the_offer_is_declined(self):
        server = harness.launch(self, "--rate", RATE)

        async def scenario():
            async with harness.connect(server, "/levels") as ws:
                await harness.recv_snapshot(ws)
                return ws.response_headers.get("Sec-WebSocket-Extensions")

        self.assertIsNone(harness.run(scenario()))


if __name__ == "__main__":
    harness.main()
