"""A bad command line gives one stderr line naming the option and exit status 2."""

import subprocess
import unittest

import harness

EXIT_DEADLINE = 5.0  # a rejected command line should end at once; this bounds a wrong start

# (arguments, a word the message must contain)
BAD = [
    (["--port", "abc"], "port"),
    (["--port", "70000"], "port"),
    (["--workers", "0"], "workers"),
    (["--rate", "0"], "rate"),
    (["--rate", "-5"], "rate"),
    (["--channels", "zero"], "channels"),
    (["--max-connections", "many"], "max-connections"),
    (["--log-level", "loud"], "log-level"),
    (["--pin-cpus", "abc"], "pin-cpus"),
    (["--max-lag", "-1"], "max-lag"),
    (["--slow-close-after", "soon"], "slow-close-after"),
    (["--send-mode", "carrier-pigeon"], "send-mode"),
    (["--bogus"], "bogus"),
    (["--config", "/nonexistent/levelcast.toml"], "config"),
    (["--log-format", "xml"], "log-format"),
    (["--log-file", "/nonexistent/dir/levelcast.log"], "log-file"),
    (["--summary-interval", "-1"], "summary-interval"),
]


class BadOptions(unittest.TestCase):
    def run_server(self, arguments):
        # Bound to 127.0.0.1 and port 0 unless the case sets them (CLI11 may refuse a
        # repeated option), so a wrongly accepted value starts nothing public.
        defaults = [] if "--port" in arguments else ["--port", "0"]
        try:
            return harness.run_server_command(["--bind", "127.0.0.1", *defaults, *arguments],
                                              timeout=EXIT_DEADLINE)
        except subprocess.TimeoutExpired:
            self.fail(f"{arguments} did not end the process within {EXIT_DEADLINE:g} s")

    def test_bad_values_exit_2_with_one_line(self):
        for arguments, word in BAD:
            with self.subTest(arguments=arguments):
                result = self.run_server(arguments)
                self.assertEqual(2, result.returncode, result)
                lines = result.stderr.splitlines()
                self.assertEqual(1, len(lines), f"stderr should be one line: {result.stderr!r}")
                self.assertIn(word, lines[0])
                self.assertNotIn("listening", result.stdout)

    def test_version_and_help_exit_0(self):
        for option in ("--version", "--help"):
            with self.subTest(option=option):
                result = self.run_server([option])
                self.assertEqual(0, result.returncode, result)
                self.assertTrue(result.stdout.strip(), f"{option} printed nothing on stdout")


if __name__ == "__main__":
    harness.main()
