"""Upgrades without a gap (issue 16): with --reuse-port a new levelcast binds the port while the
old one still serves; SIGTERM to the old one closes its clients with 1001, and each is served
again by the new one within 2 s of that close, resuming with ?since=, none refused."""

import asyncio
import signal
import socket
import unittest

import harness
import rawclient

CLIENTS = 20
BACK_WITHIN = 2.0  # seconds from the old server's close frame to the new server's snapshot


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ReusePort(unittest.TestCase):
    def test_clients_of_the_old_process_are_served_by_the_new_one(self):
        port = free_port()
        old = harness.launch(self, "--reuse-port", "--rate", 50, port=port)

        async def client(first_snapshot_seen):
            ws = await harness.connect(old)
            _, snapshot = await harness.recv_snapshot(ws)
            first_snapshot_seen.release()
            last_seq = snapshot["seq"]
            try:
                while True:
                    _, snapshot = await harness.recv_snapshot(ws, timeout=30)
                    last_seq = snapshot["seq"]
            except Exception as closed:  # noqa: BLE001 - the close is what we wait for
                code = closed.rcvd.code if getattr(closed, "rcvd", None) else None
            # Reconnect at once, as the page does, to the same address.
            async def back():
                again = await harness.connect(old, f"/levels?since={last_seq}")
                await harness.recv_snapshot(again)
                return again
            again = await harness.within(back(), BACK_WITHIN, "a snapshot from the new process")
            return code, again

        async def scenario():
            seen = asyncio.Semaphore(0)
            tasks = [asyncio.create_task(client(seen)) for _ in range(CLIENTS)]
            for _ in range(CLIENTS):
                await harness.within(seen.acquire(), 10, "every client's first snapshot")
            # Started from this thread, not a worker thread: the harness ties the server's life
            # to the thread that started it (PR_SET_PDEATHSIG). The clients wait meanwhile.
            new = harness.launch(self, "--reuse-port", "--rate", 50, port=port)
            old.send_signal(signal.SIGTERM)
            results = await harness.within(asyncio.gather(*tasks), 20, "every client to come back")
            samples = await asyncio.to_thread(rawclient.scrape_metrics, new.port)
            for _, ws in results:
                await ws.close()
            return [code for code, _ in results], samples

        codes, samples = harness.run(scenario())
        self.assertEqual([1001] * CLIENTS, codes)
        # Every client, plus the /metrics request itself.
        self.assertGreaterEqual(samples["levelcast_connections"], CLIENTS)
        self.assertEqual(0, old.wait(harness.SHUTDOWN_DEADLINE))


if __name__ == "__main__":
    harness.main()
