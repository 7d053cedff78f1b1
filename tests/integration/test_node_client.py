"""Debian's node-ws client (node_snapshots.js) gets consecutive snapshots from /levels."""

import os
import subprocess
import unittest

import harness

NODE = "/usr/bin/node"
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_snapshots.js")
CHANNELS = 2


class NodeClient(unittest.TestCase):
    def test_node_ws_receives_twenty_consecutive_snapshots(self):
        server = harness.launch(self, "--rate", 100, "--channels", CHANNELS)
        result = subprocess.run([NODE, SCRIPT, server.url(), "20", str(CHANNELS)],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(0, result.returncode, result.stderr + result.stdout)


if __name__ == "__main__":
    harness.main()
