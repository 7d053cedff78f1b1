"""README.md shows the same command-line reference as `levelcast --help`."""

import os
import re
import subprocess
import unittest

import harness

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")


class ReadmeHelp(unittest.TestCase):
    def test_readme_carries_the_help_text_verbatim(self):
        help_text = subprocess.run([harness.server_path(), "--help"], capture_output=True,
                                   text=True, timeout=10, check=True).stdout.rstrip("\n")
        with open(README, encoding="utf-8") as f:
            readme = f.read()
        block = re.search(r"This is `levelcast --help`.*?\n```\n(.*?)\n```", readme, re.S)
        self.assertIsNotNone(block, "README has no command-line block")
        self.assertEqual(help_text, block.group(1),
                         "README's command line differs from --help: paste the new text in")

    def test_readme_starts_with_the_two_set_up_commands(self):
        with open(README, encoding="utf-8") as f:
            commands = [line.split()[0] for line in f.read().split("\n\n")[1].splitlines()]
        self.assertEqual(["scripts/run", "scripts/test"], commands)


if __name__ == "__main__":
    harness.main()
