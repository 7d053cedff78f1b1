#!/usr/bin/env node
// Node comparison peer for levelcast, built on Debian's node-ws.
//
//   node bench/peers/node_broadcast.js --port 0 --rate 50 [--raw] [--exit-after 60]
//                                      [--start-at-clients N]
//
// ws://HOST:PORT/levels: every --rate Hz one JSON snapshot (levelcast's 2-channel shape, about
// 125 bytes, with seq, ts in CLOCK_REALTIME microseconds, rate and channels) goes to every
// client. By default through client.send(), as a typical Node server would; with --raw one frame
// Buffer is built per tick and written to each client's socket, which is the least work Node can
// do per client.
// ws://HOST:PORT/echo: every message is sent back as it came (text or binary).
// With --tls-cert and --tls-key it serves https and wss:// instead.
// With --start-at-clients N the schedule starts once N clients are on /levels (or 60 s after
// listening), so that a benchmark's set-up does not compete with broadcasting.
// Prints "listening on ws://HOST:PORT/levels" when ready; on exit (SIGINT, SIGTERM or
// --exit-after) prints one line with the ticks sent and skipped.
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const { performance } = require('perf_hooks');
const ws = require(process.env.LEVELCAST_NODE_WS || '/usr/share/nodejs/ws');

function parseArgs(argv) {
  const options = { host: '127.0.0.1', port: 0, rate: 50, raw: false, exitAfter: 0, startAt: 0 };
  const numeric = {
    '--port': 'port', '--rate': 'rate', '--exit-after': 'exitAfter', '--start-at-clients': 'startAt',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--raw') {
      options.raw = true;
    } else if (arg === '--tls-cert' || arg === '--tls-key') {
      options[arg === '--tls-cert' ? 'tlsCert' : 'tlsKey'] = argv[++i];
    } else if (arg === '--host') {
      options.host = argv[++i];
    } else if (arg in numeric) {
      const value = Number(argv[++i]);
      if (!Number.isFinite(value) || value < 0) usage(`${arg}: not a non-negative number`);
      options[numeric[arg]] = value;
    } else {
      usage(`unknown option ${arg}`);
    }
  }
  if (options.rate <= 0) usage('--rate: must be above 0');
  if (!options.tlsCert !== !options.tlsKey) usage('--tls-cert and --tls-key go together');
  if (!Number.isInteger(options.port) || options.port > 65535) usage('--port: not a port');
  return options;
}

function usage(problem) {
  process.stderr.write(`node_broadcast: ${problem}\n` +
    'usage: node_broadcast.js [--host H] [--port P] [--rate HZ] [--raw] [--exit-after S] ' +
    '[--start-at-clients N] [--tls-cert PEM --tls-key PEM]\n');
  process.exit(2);
}

const options = parseArgs(process.argv.slice(2));

function realtimeMicros() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

let seq = 0;
// The shape and size of levelcast's 2-channel JSON snapshot (and of bench/peers/floor_send.cpp's):
// levels with one decimal that drift with seq, about 125 bytes.
function nextSnapshot() {
  seq += 1;
  const drift = 6 * Math.sin(seq * 0.05);
  const level = (db) => db.toFixed(1);
  return `{"topic":"synth","seq":${seq},"ts":${realtimeMicros()},"rate":${options.rate},` +
    `"channels":[{"rms":${level(-18 + drift)},"peak":${level(-12 + drift)}},` +
    `{"rms":${level(-21 - drift)},"peak":${level(-15 - drift)}}]}`;
}

// An unmasked final text frame, as a server sends it.
function textFrame(text) {
  const payload = Buffer.from(text);
  let header;
  if (payload.length < 126) {
    header = Buffer.from([0x81, payload.length]);
  } else if (payload.length <= 0xffff) {
    header = Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  } else {
    throw new Error('snapshot too large');
  }
  return Buffer.concat([header, payload]);
}

const levels = new ws.WebSocketServer({ noServer: true, perMessageDeflate: false });
const echo = new ws.WebSocketServer({ noServer: true, perMessageDeflate: false });
const routes = { '/levels': levels, '/echo': echo };

levels.on('connection', (client) => {
  client.on('error', () => client.terminate());
  if (scheduleStart === null && levels.clients.size >= options.startAt) startSchedule();
});
echo.on('connection', (client) => {
  client.on('error', () => client.terminate());
  client.on('message', (data, isBinary) => client.send(data, { binary: isBinary }));
});

// With --tls-cert/--tls-key: https, as a Node service offering wss:// would run (Node's tls,
// OpenSSL underneath).
const notFound = (request, response) => {
  response.writeHead(404);
  response.end();
};
const server = options.tlsCert
  ? https.createServer({ cert: fs.readFileSync(options.tlsCert), key: fs.readFileSync(options.tlsKey) },
                       notFound)
  : http.createServer(notFound);
server.on('upgrade', (request, socket, head) => {
  const target = routes[request.url.split('?')[0]];
  if (!target) {
    socket.destroy();
    return;
  }
  target.handleUpgrade(request, socket, head, (client) => target.emit('connection', client, request));
});

function broadcast() {
  const text = nextSnapshot();
  if (options.raw) {
    const frame = textFrame(text);
    for (const client of levels.clients) {
      if (client.readyState === ws.OPEN) client._socket.write(frame);
    }
  } else {
    for (const client of levels.clients) {
      if (client.readyState === ws.OPEN) client.send(text);
    }
  }
}

// Ticks run on a schedule rather than setInterval, which drifts. When the loop falls more
// than 10 ms behind, the missed ticks are skipped (and counted), as a live meter would.
const tickMs = 1000 / options.rate;
const maxCatchUp = Math.max(1, Math.ceil(10 / tickMs));
let ticksSent = 0;
let ticksSkipped = 0;
let scheduleStart = null;
let ticksDue = 0;

function pump() {
  const due = Math.floor((performance.now() - scheduleStart) / tickMs) + 1;
  let burst = 0;
  while (ticksDue < due && burst < maxCatchUp) {
    broadcast();
    ticksDue += 1;
    ticksSent += 1;
    burst += 1;
  }
  if (ticksDue < due) {
    ticksSkipped += due - ticksDue;
    ticksDue = due;
  }
  const nextMs = scheduleStart + ticksDue * tickMs;
  setTimeout(pump, Math.max(0, nextMs - performance.now()));
}

function startSchedule() {
  if (scheduleStart !== null) return;
  scheduleStart = performance.now();
  pump();
}

function shutdown() {
  process.stdout.write(`node_broadcast: ${ticksSent} ticks sent, ${ticksSkipped} skipped, ` +
    `${levels.clients.size} clients\n`);
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

server.listen({ port: options.port, host: options.host, backlog: 4096 }, () => {
  const { port } = server.address();
  process.stdout.write(`listening on ${options.tlsCert ? 'wss' : 'ws'}://${options.host}:${port}/levels\n`);
  if (options.startAt > 0) {
    setTimeout(startSchedule, 60000);
  } else {
    startSchedule();
  }
  if (options.exitAfter > 0) setTimeout(shutdown, options.exitAfter * 1000);
});
