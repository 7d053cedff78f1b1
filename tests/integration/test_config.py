"""--config FILE (TOML, through CLI11) and --print-config (issue 16): the printed configuration
read back changes nothing, the command line wins over the file, and every bad file gives one
line naming the file, the line and the key, with exit status 2."""

import json
import os
import tempfile
import unittest

import harness
import rawclient

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "packaging", "levelcast.toml")


class ConfigFile(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="levelcast-config-")
        self.addCleanup(self.dir.cleanup)

    def write(self, text, name="levelcast.toml"):
        path = os.path.join(self.dir.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run_ok(self, *options):
        result = harness.run_server_command([str(o) for o in options])
        self.assertEqual(0, result.returncode, result.stderr)
        return result.stdout

    def test_print_config_read_back_gives_the_same_configuration(self):
        for options in ([], ["--rate", "20", "--no-echo", "--log-format", "json", "--allow-reset", "--deflate",
                             "--source", "a=synth:channels=3", "--source", 'b=lines:echo "hi there"']):
            with self.subTest(options=options):
                printed = self.run_ok(*options, "--print-config")
                self.assertIn("port=8080", printed)
                again = self.run_ok("--config", self.write(printed), "--print-config")
                self.assertEqual(printed, again)

    def test_the_command_line_wins_over_the_file(self):
        path = self.write("rate = 20\nchannels = 3\n")
        printed = self.run_ok("--config", path, "--rate", "30", "--print-config")
        self.assertIn("\nrate=30\n", printed)
        self.assertIn("\nchannels=3\n", printed)
        server = harness.launch(self, "--config", path)
        topics = json.loads(rawclient.http_request(server.port, "/topics").body)
        self.assertEqual(20, topics["topics"][0]["rate"])
        self.assertEqual(3, topics["topics"][0]["channels"])

    def test_bad_files_name_the_file_the_line_and_the_key(self):
        cases = [
            ("port = 0\n\nbogus = 1\n", 3, "bogus"),
            ("rate = 0\n", 1, "rate"),
            ("# a comment\nrate = \"fast\"\n", 2, "rate"),
            ("port = 1\nport = 2\n", 1, "port"),
            ("port = 0\n[server]\nrate = 10\n", 2, "server"),
            ("log-level = \"loud\"\n", 1, "log-level"),
            ("source = [\"x=nosuchkind:y\"]\n", 1, "source"),
        ]
        for text, line, key in cases:
            with self.subTest(text=text):
                path = self.write(text)
                result = harness.run_server_command(["--config", path])
                self.assertEqual(2, result.returncode, result)
                lines = result.stderr.splitlines()
                self.assertEqual(1, len(lines), result.stderr)
                self.assertIn(f"{path}:{line}: key '{key}'", lines[0])
                self.assertNotIn("listening", result.stdout)

    def test_a_missing_file_is_named(self):
        path = os.path.join(self.dir.name, "absent.toml")
        result = harness.run_server_command(["--config", path])
        self.assertEqual(2, result.returncode)
        self.assertIn("--config", result.stderr)
        self.assertIn(path, result.stderr)

    def test_the_packaged_example_is_valid(self):
        printed = self.run_ok("--config", EXAMPLE, "--print-config")
        self.assertIn("reuse-port=true", printed)


if __name__ == "__main__":
    harness.main()
