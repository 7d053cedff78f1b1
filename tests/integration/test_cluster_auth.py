"""The cluster with a Redis that asks for a password (redis-server --requirepass, and an ACL user):
nodes log in on every connection and reconnection; a wrong or missing password is one clear log
line, never the password, and the node keeps serving its local topics and retrying; --print-config
shows the password REDACTED."""

import unittest

import cluster_nodes as cn
import harness
import redis_server

PASSWORD = "pw-7f3a@x"  # an @ in it, raw: the last @ ends the password
USER_PASSWORD = "user-pw-51c9"


def url(redis, userinfo):
    return f"redis://{userinfo}@127.0.0.1:{redis.port}"


class ClusterAuth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = redis_server.launch(cls, password=PASSWORD)
        cls.redis.cli("ACL", "SETUSER", "edge", "on", f">{USER_PASSWORD}", "~lc:*", "&lc:*", "+@all")
        cls.owner = cn.node(cls, cls.redis, "A")

    def test_an_acl_user_joins_and_gets_the_owner_s_topic(self):
        edge = cn.node(self, self.redis, "B", url=url(self.redis, f"edge:{USER_PASSWORD}"), sources=())
        self.assertEqual("A", cn.wait_topic(edge, "s")["node"])
        # The relay fills the topic before it counts itself connected: the gauge may lag.
        harness.poll_until(lambda: cn.metric(edge, "levelcast_cluster_connected") == 1, 10, "the connected gauge")

    def test_an_acl_user_joins_through_the_unix_socket(self):
        socket_url = f"unix://edge:{USER_PASSWORD}@{self.redis.socket_path}"
        edge = cn.node(self, self.redis, "U", url=socket_url, sources=())
        self.assertEqual("A", cn.wait_topic(edge, "s")["node"])

    def test_every_reconnection_logs_in_again(self):
        edge = cn.node(self, self.redis, "C", sources=())
        cn.wait_topic(edge, "s")
        published = cn.metric(self.owner, "levelcast_cluster_published_total")

        async def scenario():
            async with harness.connect(edge, "/levels/s") as b:
                messages = await cn.read(b, 20)
                for kind in ("pubsub", "normal"):  # the relays' subscriptions, then every other connection
                    self.redis.cli("CLIENT", "KILL", "TYPE", kind)
                messages += await cn.read(b, 100, timeout=15)
            seqs = cn.snapshot_seqs(messages)
            self.assertTrue(harness.consecutive(seqs), seqs)
        cn.run(scenario())
        self.assertGreaterEqual(cn.metric(edge, "levelcast_cluster_reconnects_total"), 1)
        harness.poll_until(lambda: cn.metric(self.owner, "levelcast_cluster_published_total") > published + 50, 10,
                           "the owner's publisher to write again")

    def test_a_killed_command_connection_alone_reconnects_the_relay(self):
        # Redis drops the relay's command connection but not its subscription: the relay cannot
        # fill a gap without it, so it reconnects both (and logs in again).
        edge = cn.node(self, self.redis, "K", sources=())
        cn.wait_topic(edge, "s")

        async def scenario():
            async with harness.connect(edge, "/levels/s") as b:
                messages = await cn.read(b, 20)
                self.redis.cli("CLIENT", "KILL", "TYPE", "normal")
                messages += await cn.read(b, 100, timeout=15)
            seqs = cn.snapshot_seqs(messages)
            self.assertTrue(harness.consecutive(seqs), seqs)
        cn.run(scenario())
        harness.poll_until(lambda: cn.metric(edge, "levelcast_cluster_reconnects_total") >= 1, 10, "K to reconnect")
        self.assertIn("cluster relay: the command connection broke; reconnecting", edge.stderr_tail(200))

    def test_a_wrong_password_is_logged_and_retried_without_crashing(self):
        node = cn.node(self, self.redis, "W", url=url(self.redis, ":wrong-secret-9d2e"), sources=("w=synth",))
        harness.poll_until(lambda: "WRONGPASS" in node.stderr_tail(), 10, "the log line")
        cn.wait_topic(node, "w")  # its local topic is served
        self.assertEqual(0, cn.metric(node, "levelcast_cluster_connected"))
        log = node.stderr_tail()
        self.assertIn(f"cluster relay: redis://127.0.0.1:{self.redis.port}/0: AUTH: WRONGPASS", log)
        self.assertNotIn("wrong-secret", log)
        # It keeps trying: once Redis takes its password (an ACL user named like it), it joins.
        self.redis.cli("ACL", "SETUSER", "default", ">wrong-secret-9d2e")
        self.addCleanup(self.redis.cli, "ACL", "SETUSER", "default", "<wrong-secret-9d2e")
        harness.poll_until(lambda: cn.metric(node, "levelcast_cluster_connected") == 1, 15, "W to join")
        self.assertNotIn("wrong-secret", node.stderr_tail(200))

    def test_no_password_says_that_redis_asks_for_one(self):
        node = cn.node(self, self.redis, "N", url=f"redis://127.0.0.1:{self.redis.port}", sources=())
        harness.poll_until(lambda: "NOAUTH" in node.stderr_tail(), 10, "the log line")
        self.assertEqual(0, cn.metric(node, "levelcast_cluster_connected"))
        self.assertNotIn(PASSWORD, node.stderr_tail(200))

    def test_print_config_redacts_the_password(self):
        done = harness.run_server_command(["--cluster", f"redis://alice:{USER_PASSWORD}@h:7000/2", "--print-config"])
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertIn('cluster="redis://alice:REDACTED@h:7000/2"', done.stdout)
        self.assertNotIn(USER_PASSWORD, done.stdout)


if __name__ == "__main__":
    harness.main()
