#!/usr/bin/env node
// e2e.levelcast_js: web/levelcast.js under Node, without a browser: both decoders against the
// documented layouts, and the subscription's URLs, states and back-off against a fake
// WebSocket and fetch. Standard library only (node:test).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const levelcast = require(path.join(__dirname, "../../web/levelcast.js"));

// Writes a binary snapshot exactly as docs/WEB.md lays it out.
function encodeBinary({ seq, ts, rate, channels, loudness, bands, peakHold, range }) {
  const flags = (loudness ? 1 : 0) | (bands ? 2 : 0) | (peakHold ? 4 : 0) | (range ? 8 : 0);
  const size = 28 + channels.length * (peakHold ? 6 : 4) + (loudness ? 8 : 0) + (bands ? bands.length * 2 : 0) +
               (range ? 6 : 0);
  const view = new DataView(new ArrayBuffer(size));
  const centi = (v) => (v === null ? -32768 : Math.round(v * 100));
  view.setUint8(0, 1);
  view.setUint8(1, flags);
  view.setUint16(2, channels.length, true);
  view.setUint16(4, bands ? bands.length : 0, true);
  view.setUint16(6, 0, true);
  view.setBigUint64(8, BigInt(seq), true);
  view.setBigInt64(16, BigInt(ts), true);
  view.setFloat32(24, rate, true);
  let at = 28;
  for (const c of channels) {
    view.setInt16(at, centi(c.rms), true);
    view.setInt16(at + 2, centi(c.peak), true);
    if (peakHold) view.setInt16(at + 4, centi(c.peak_hold), true);
    at += peakHold ? 6 : 4;
  }
  if (loudness) {
    for (const key of ["momentary", "short_term", "integrated", "true_peak"]) {
      view.setInt16(at, centi(loudness[key]), true);
      at += 2;
    }
  }
  for (const b of bands || []) {
    view.setInt16(at, centi(b), true);
    at += 2;
  }
  for (const key of range ? ["range", "max_momentary", "max_short_term"] : []) {
    view.setInt16(at, centi(range[key]), true);
    at += 2;
  }
  return view.buffer;
}

test("decodeBinary reads every field of the layout", () => {
  const frame = encodeBinary({
    seq: 1234, ts: 1763712000123456, rate: 50, peakHold: true,
    channels: [{ rms: -23.1, peak: -17.9, peak_hold: -12.5 }, { rms: null, peak: null, peak_hold: null }],
    loudness: { momentary: -23, short_term: -23.1, integrated: null, true_peak: -1.2 },
    bands: [-40.5, -32768 / 100 + 0.01, -3],
  });
  const s = levelcast.decodeBinary(frame, "mic");
  assert.equal(s.topic, "mic");
  assert.equal(s.seq, 1234);
  assert.equal(s.ts, 1763712000123456);
  assert.equal(s.rate, 50);
  assert.deepEqual(s.channels, [{ rms: -23.1, peak: -17.9, peak_hold: -12.5 },
                                { rms: null, peak: null, peak_hold: null }]);
  assert.deepEqual(s.loudness, { momentary: -23, short_term: -23.1, integrated: null, true_peak: -1.2 });
  assert.deepEqual(s.bands, [-40.5, -327.67, -3]);
});

test("decodeBinary reads the loudness range and maxima after the bands (flag 8)", () => {
  const s = levelcast.decodeBinary(encodeBinary({
    seq: 2, ts: 0, rate: 10, channels: [{ rms: -20, peak: -17 }],
    loudness: { momentary: -23, short_term: null, integrated: -23.5, true_peak: null },
    bands: [-30], range: { range: 10.5, max_momentary: -20, max_short_term: null },
  }), "t");
  assert.deepEqual(s.loudness, { momentary: -23, short_term: null, integrated: -23.5, true_peak: null,
                                 range: 10.5, max_momentary: -20, max_short_term: null });
  assert.deepEqual(s.bands, [-30]);
});

test("decodeBinary leaves out what the flags do not announce", () => {
  const s = levelcast.decodeBinary(encodeBinary({ seq: 1, ts: 0, rate: 12.5, channels: [{ rms: -6, peak: 0 }] }), "t");
  assert.deepEqual(s.channels, [{ rms: -6, peak: 0 }]);
  assert.equal(s.rate, 12.5);
  assert.equal("loudness" in s, false);
  assert.equal("bands" in s, false);
});

test("decodeBinary refuses short frames and unknown versions", () => {
  const frame = encodeBinary({ seq: 1, ts: 0, rate: 1, channels: [{ rms: -6, peak: 0 }] });
  assert.throws(() => levelcast.decodeBinary(frame.slice(0, 20), "t"), /too short/);
  assert.throws(() => levelcast.decodeBinary(frame.slice(0, 30), "t"), /truncated/);
  new DataView(frame).setUint8(0, 2);
  assert.throws(() => levelcast.decodeBinary(frame, "t"), /version 2/);
});

test("decodeText returns snapshots and events as sent", () => {
  const text = '{"topic":"synth","seq":3,"ts":5,"rate":50,"channels":[{"rms":-23.1,"peak":null}]}';
  assert.deepEqual(levelcast.decodeText(text).channels, [{ rms: -23.1, peak: null }]);
  assert.deepEqual(levelcast.decodeText('{"topic":"mic","event":"missed","count":4}'),
                   { topic: "mic", event: "missed", count: 4 });
});

// A WebSocket stand-in: records what was opened; the test plays the server.
class FakeSocket {
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.closedWith = null;
    FakeSocket.opened.push(this);
  }
  close(code) {
    this.closedWith = code;
  }
  open() { this.onopen(); }
  message(data) { this.onmessage({ data }); }
  drop(code = 1006) { this.onclose({ code }); }
}
FakeSocket.opened = [];

function fakeFetch(answer) {
  return async (url, init) => {
    fakeFetch.lastInit = init;
    if (answer === "unreachable") throw new TypeError("Failed to fetch");
    if (answer === 404) return { ok: false, status: 404, json: async () => ({}) };
    return { ok: true, status: 200, json: async () => answer };
  };
}

// Waits (with a deadline) for the subscription to open its n-th socket.
async function nthSocket(n) {
  const deadline = Date.now() + 5000;
  while (FakeSocket.opened.length < n) {
    if (Date.now() > deadline) throw new Error(`socket ${n} never opened`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return FakeSocket.opened[n - 1];
}

function withFakes(fetchAnswer) {
  FakeSocket.opened = [];
  global.WebSocket = FakeSocket;
  global.fetch = fakeFetch(fetchAnswer);
}

test("a server with /topics gets binary frames and ?since= on reconnection", async () => {
  withFakes({ default: "synth", topics: [{ name: "synth" }] });
  const snapshots = [];
  const states = [];
  const events = [];
  const sub = levelcast.subscribe("http://127.0.0.1:8080/", "mic", (s) => snapshots.push(s),
                                  { minDelayMs: 8, maxDelayMs: 32 });
  sub.onstate = (s) => states.push(s);
  sub.onevent = (e) => events.push(e);
  const first = await nthSocket(1);
  assert.equal(first.url, "ws://127.0.0.1:8080/levels/mic?format=binary");
  first.open();
  assert.equal(sub.state.state, "live");
  assert.equal(sub.state.format, "binary");
  first.message(encodeBinary({ seq: 7, ts: 1, rate: 50, channels: [{ rms: -20, peak: -10 }] }));
  first.message('{"topic":"mic","event":"ended"}');
  assert.equal(snapshots.length, 1);
  assert.equal(snapshots[0].topic, "mic");
  assert.equal(sub.lastSeq, 7);
  assert.deepEqual(events, [{ topic: "mic", event: "ended" }]);

  // Each failed attempt doubles the ceiling (8, 16, 32, 32 ms); the delay is drawn in its upper half.
  const ceilings = [8, 16, 32, 32];
  for (let i = 0; i < ceilings.length; i++) {
    FakeSocket.opened[i].drop();
    assert.equal(sub.state.state, "reconnecting");
    assert.ok(sub.state.delayMs >= ceilings[i] / 2 && sub.state.delayMs <= ceilings[i],
              `attempt ${i}: ${sub.state.delayMs} ms`);
    const next = await nthSocket(i + 2);
    assert.equal(next.url, "ws://127.0.0.1:8080/levels/mic?format=binary&since=7");
  }
  // A snapshot resets the back-off.
  const fifth = FakeSocket.opened[4];
  fifth.open();
  fifth.message(encodeBinary({ seq: 8, ts: 1, rate: 50, channels: [] }));
  fifth.drop();
  assert.ok(sub.state.delayMs <= 8, `after a snapshot: ${sub.state.delayMs} ms`);
  await nthSocket(6);
  assert.deepEqual(states.slice(0, 3).map((s) => s.state), ["connecting", "live", "reconnecting"]);

  sub.close();
  assert.equal(FakeSocket.opened[5].closedWith, 1000);
  assert.equal(sub.state.state, "closed");
  FakeSocket.opened[5].drop();  // a late close event does not bring it back
  assert.equal(sub.state.state, "closed");
});

test("a token provider is asked before each connection and again at once on 4001", async () => {
  withFakes({ default: "mic", topics: [{ name: "mic" }] });
  const issued = [];
  const provider = async () => {
    issued.push(`jwt${issued.length + 1}`);
    return issued[issued.length - 1];
  };
  const sub = levelcast.subscribe("http://127.0.0.1:8080", "mic", () => {},
                                  { token: provider, minDelayMs: 5000, maxDelayMs: 10000 });
  const first = await nthSocket(1);
  assert.deepEqual(first.protocols, ["levelcast.v1", "levelcast.bearer.jwt1"]);
  assert.deepEqual(fakeFetch.lastInit.headers, { Authorization: "Bearer jwt1" });
  first.open();
  first.message('{"topic":"mic","seq":41,"ts":1,"rate":50,"channels":[]}');
  first.drop(4001);  // the token expired: no back-off (5 s here), a new token, resume after 41
  assert.equal(sub.state.delayMs, 0);
  const second = await nthSocket(2);
  assert.deepEqual(second.protocols, ["levelcast.v1", "levelcast.bearer.jwt2"]);
  assert.equal(second.url, "ws://127.0.0.1:8080/levels/mic?format=binary&since=41");
  sub.close();
});

test("a token provider that fails is retried with back-off", async () => {
  withFakes(404);
  let calls = 0;
  const sub = levelcast.subscribe("", "mic", () => {}, {
    token: async () => { if (++calls === 1) throw new Error("no token service"); return "t"; },
    minDelayMs: 8, maxDelayMs: 16,
  });
  const socket = await nthSocket(1);
  assert.equal(calls, 2);
  assert.deepEqual(socket.protocols, ["levelcast.v1", "levelcast.bearer.t"]);
  sub.close();
});

test("a server without /topics gets JSON on /levels and no ?since=", async () => {
  withFakes(404);
  const snapshots = [];
  const sub = levelcast.subscribe("ws://localhost:9000", null, (s) => snapshots.push(s),
                                  { minDelayMs: 2, maxDelayMs: 4 });
  const first = await nthSocket(1);
  assert.equal(first.url, "ws://localhost:9000/levels");
  first.open();
  first.message('{"topic":"synth","seq":41,"ts":1,"rate":50,"channels":[{"rms":-3.5,"peak":-1}]}');
  assert.equal(snapshots[0].topic, "synth");
  assert.equal(sub.state.format, "json");
  first.drop();
  assert.equal((await nthSocket(2)).url, "ws://localhost:9000/levels");
  sub.close();
});

test("a topic whose formats leave out binary gets JSON, and still resumes", async () => {
  withFakes({ default: "old", topics: [{ name: "old", formats: ["json"] }] });
  const sub = levelcast.subscribe("http://h:1", null, () => {}, { minDelayMs: 2, maxDelayMs: 4 });
  const first = await nthSocket(1);
  assert.equal(first.url, "ws://h:1/levels");
  first.open();
  first.message('{"topic":"old","seq":5,"ts":1,"rate":50,"channels":[]}');
  first.drop();
  assert.equal((await nthSocket(2)).url, "ws://h:1/levels?since=5");
  sub.close();
});

test("when /topics cannot be asked (another origin), JSON is tried anyway", async () => {
  withFakes("unreachable");
  const sub = levelcast.subscribe("https://example.test", "synth", () => {}, {});
  assert.equal((await nthSocket(1)).url, "wss://example.test/levels/synth");
  sub.close();
});

test("close() before the first connection opens nothing", async () => {
  withFakes(404);
  const sub = levelcast.subscribe("http://127.0.0.1:1", "", () => {});
  sub.close();
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(FakeSocket.opened.length, 0);
  assert.equal(sub.state.state, "closed");
});

// An EventSource stand-in, like FakeSocket: the test plays the server's event stream.
class FakeEventSource {
  constructor(url) {
    this.url = url;
    this.listeners = {};
    this.closed = false;
    FakeEventSource.opened.push(this);
  }
  addEventListener(name, listener) { this.listeners[name] = listener; }
  close() { this.closed = true; }
  open() { this.onopen(); }
  message(data) { this.onmessage({ data }); }
  event(name, data) { this.listeners[name]({ data }); }
  fail() { this.onerror(); }
}
FakeEventSource.opened = [];

async function nthEventSource(n) {
  const deadline = Date.now() + 5000;
  while (FakeEventSource.opened.length < n) {
    if (Date.now() > deadline) throw new Error(`event source ${n} never opened`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return FakeEventSource.opened[n - 1];
}

test("auto falls back to SSE after two WebSockets that never open, and resumes there", async () => {
  withFakes({ default: "synth", topics: [{ name: "synth" }] });
  FakeEventSource.opened = [];
  global.EventSource = FakeEventSource;
  try {
    const snapshots = [];
    const events = [];
    const sub = levelcast.subscribe("http://h:1", "synth", (s) => snapshots.push(s),
                                    { minDelayMs: 2, maxDelayMs: 4, token: () => "T" });
    sub.onevent = (e) => events.push(e);
    const first = await nthSocket(1);
    first.open();  // a WebSocket that opened once: no reason to give up on it
    first.message(encodeBinary({ seq: 3, ts: 1, rate: 50, channels: [] }));
    first.drop();
    (await nthSocket(2)).drop();  // then two that never open: blocked on the way
    (await nthSocket(3)).drop();
    const events1 = await nthEventSource(1);
    assert.equal(events1.url, "http://h:1/events/synth?since=3&access_token=T");
    events1.open();
    assert.equal(sub.state.state, "live");
    assert.equal(sub.state.transport, "sse");
    assert.equal(sub.state.format, "json");
    events1.message('{"topic":"synth","seq":4,"ts":1,"rate":50,"channels":[]}');
    events1.event("ended", '{"topic":"synth","event":"ended"}');
    assert.deepEqual(snapshots.map((s) => s.seq), [3, 4]);
    assert.deepEqual(events, [{ topic: "synth", event: "ended" }]);
    events1.fail();  // our back-off and ?since=, not the browser's retry
    assert.ok(events1.closed);
    assert.equal((await nthEventSource(2)).url, "http://h:1/events/synth?since=4&access_token=T");
    assert.equal(FakeSocket.opened.length, 3, "no WebSocket after the fallback");
    sub.close();
    assert.ok(FakeEventSource.opened[1].closed);
  } finally {
    delete global.EventSource;
  }
});

test("transport: 'sse' goes straight to /events; 'websocket' never falls back", async () => {
  withFakes({ default: "synth", topics: [{ name: "synth" }] });
  FakeEventSource.opened = [];
  global.EventSource = FakeEventSource;
  try {
    const sse = levelcast.subscribe("http://h:1", "", () => {}, { transport: "sse" });
    assert.equal((await nthEventSource(1)).url, "http://h:1/events");
    sse.close();
    const ws = levelcast.subscribe("http://h:1", "synth", () => {},
                                   { transport: "websocket", minDelayMs: 2, maxDelayMs: 4 });
    for (let i = 1; i <= 4; i++) (await nthSocket(i)).drop();
    await nthSocket(5);
    assert.equal(FakeEventSource.opened.length, 1);
    ws.close();
  } finally {
    delete global.EventSource;
  }
});
