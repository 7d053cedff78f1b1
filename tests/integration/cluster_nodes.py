"""Shared plumbing for the cluster tests: levelcast nodes joined through one Redis, and readers
of what their subscribers receive. Every wait has a deadline."""

import asyncio
import json
import struct

import harness
import rawclient

RATE = 100
HISTORY = 200
TIMEOUT = 2  # --cluster-timeout: a silent owner is stalled after it


def node(owner, redis, node_id, *extra, prefix="lc", sources=("s=synth",), rate=RATE, history=HISTORY, url=None):
    """A levelcast node in the cluster at `redis` (or at `url`), stopped with `owner`'s cleanups."""
    options = ["--cluster", url or redis.url, "--node-id", node_id, "--cluster-prefix", prefix,
               "--rate", rate, "--history", history, "--workers", 1,
               "--cluster-timeout", TIMEOUT, *extra]
    for source in sources:
        options += ["--source", source]
    return harness.launch(owner, *options)


def topics(server):
    return {t["name"]: t for t in json.loads(rawclient.http_request(server.port, "/topics").body)["topics"]}


def wait_topic(server, name, timeout=10, state=None):
    """Waits until `server` lists topic `name` (in `state`, when given) with a seq; returns it."""
    def listed():
        topic = topics(server).get(name)
        ok = topic is not None and topic["last_seq"] > 0 and (state is None or topic["state"] == state)
        return topic if ok else None
    return harness.poll_until(listed, timeout, f"topic {name} on port {server.port}")


def metric(server, name):
    return rawclient.scrape_metrics(server.port).get(name, 0)


def seq_of(message):
    """The seq of a snapshot (JSON text or binary), None for an event."""
    if isinstance(message, bytes):
        return struct.unpack_from("<Q", message, 8)[0]
    parsed = json.loads(message)
    return parsed.get("seq")


async def read(ws, count, timeout=10):
    """The next `count` messages."""
    deadline = harness.Deadline(timeout, f"{count} messages")
    return [await harness.within(ws.recv(), deadline.left(), "a message") for _ in range(count)]


async def read_until(ws, predicate, timeout=10, what="a message"):
    """Messages up to and including the first for which predicate(message) holds."""
    deadline = harness.Deadline(timeout, what)
    messages = []
    while True:
        messages.append(await harness.within(ws.recv(), deadline.left(), what))
        if predicate(messages[-1]):
            return messages


def events(messages):
    return [json.loads(m)["event"] for m in messages if isinstance(m, str) and "event" in json.loads(m)]


def snapshot_seqs(messages):
    return [s for s in map(seq_of, messages) if s is not None]


def run(coroutine):
    return asyncio.run(coroutine)
