"""500 concurrent /levels subscribers all receive the same run of snapshots.

Every client must see the same ten consecutive seqs, and (the frame is encoded
once) byte-identical text for each of them.
"""

import asyncio
import unittest

import harness
import rawclient

CLIENTS = 500
RUN = 10
RATE = 10  # low enough that one Python process can read 500 streams
CONNECTING_AT_ONCE = 50


async def subscribe(server, gate, received, plan):
    """Append (seq, text) to `received` until plan['last'] is known and reached."""
    async with gate:
        ws = await harness.connect(server)
    try:
        while plan["last"] is None or not received or received[-1][0] < plan["last"]:
            text, snapshot = await harness.recv_snapshot(ws, timeout=10)
            received.append((snapshot["seq"], text))
    finally:
        await ws.close()


async def fan_out(server):
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    plan = {"last": None}
    streams = [[] for _ in range(CLIENTS)]
    async with harness.background(*(subscribe(server, gate, stream, plan)
                                    for stream in streams)) as tasks:
        def all_subscribed():
            harness.raise_failures(tasks)
            return all(streams)
        await harness.async_poll_until(all_subscribed, 40, f"{CLIENTS} clients to get a snapshot")
        first = max(stream[-1][0] for stream in streams) + 1
        plan["last"] = first + RUN - 1
        await harness.within(asyncio.gather(*tasks), 20, f"all clients to reach seq {plan['last']}")
    return first, streams


class FanOut(unittest.TestCase):
    def test_five_hundred_clients_see_the_same_seq_run(self):
        server = harness.launch(self, "--rate", RATE, "--workers", 2)
        first, streams = harness.run(fan_out(server))
        wanted = list(range(first, first + RUN))
        texts = {}
        for index, stream in enumerate(streams):
            run = [(seq, text) for seq, text in stream if first <= seq < first + RUN]
            self.assertEqual(wanted, [seq for seq, _ in run],
                             f"client {index} missed part of the run; saw {[s for s, _ in stream]}")
            for seq, text in run:
                texts.setdefault(seq, set()).add(text)
        for seq, variants in texts.items():
            self.assertEqual(1, len(variants), f"seq {seq} reached clients as different texts")
        # All closed: the gauge falls back to at most the scrape's own connection.
        rawclient.scrape_until(server.port, lambda s: s["levelcast_connections"] <= 1, 15,
                               f"levelcast_connections to drop after {CLIENTS} clients left")


if __name__ == "__main__":
    harness.main()
