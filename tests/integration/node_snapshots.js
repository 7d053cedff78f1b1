// Receives COUNT snapshots from a levelcast /levels URL with Debian's node-ws and
// checks that their seq numbers are consecutive and the fields are there.
// Usage: node node_snapshots.js ws://127.0.0.1:PORT/levels COUNT CHANNELS
// Exit status 0 on success, 1 with a reason on stderr otherwise; a deadline
// bounds the whole run.
'use strict';

const WebSocket = require('/usr/share/nodejs/ws');

const DEADLINE_MS = 15000;
const [url, countArg, channelsArg] = process.argv.slice(2);
const count = Number(countArg);
const channels = Number(channelsArg);

function fail(reason) {
  process.stderr.write(`node_snapshots: ${reason}\n`);
  process.exit(1);
}

function problemsOf(snapshot) {
  const problems = [];
  if (snapshot.topic !== 'synth') problems.push(`topic ${snapshot.topic}`);
  if (!Number.isInteger(snapshot.seq) || snapshot.seq < 1) problems.push(`seq ${snapshot.seq}`);
  if (!Number.isInteger(snapshot.ts)) problems.push(`ts ${snapshot.ts}`);
  if (!Array.isArray(snapshot.channels) || snapshot.channels.length !== channels) {
    problems.push(`channels ${JSON.stringify(snapshot.channels)}`);
  }
  return problems;
}

if (!url || !(count > 0) || !(channels > 0)) fail('usage: node_snapshots.js URL COUNT CHANNELS');
setTimeout(() => fail(`deadline of ${DEADLINE_MS} ms passed`), DEADLINE_MS).unref();

const seqs = [];
const ws = new WebSocket(url);
ws.on('error', (error) => fail(`socket error: ${error.message}`));
ws.on('close', (code) => {
  if (seqs.length < count) fail(`closed with ${code} after ${seqs.length} messages`);
});
ws.on('message', (data, isBinary) => {
  if (isBinary) fail('binary message on /levels');
  const text = data.toString('utf8');
  let snapshot;
  try {
    snapshot = JSON.parse(text);
  } catch (error) {
    fail(`not JSON: ${text}`);
  }
  const problems = problemsOf(snapshot);
  if (problems.length > 0) fail(`bad snapshot (${problems.join(', ')}): ${text}`);
  seqs.push(snapshot.seq);
  if (seqs.length < count) return;
  for (let i = 1; i < seqs.length; i += 1) {
    if (seqs[i] !== seqs[i - 1] + 1) fail(`seqs not consecutive: ${seqs.join(',')}`);
  }
  process.stdout.write(`node_snapshots: ${count} consecutive from seq ${seqs[0]}\n`);
  ws.close(1000);
  process.exit(0);
});
