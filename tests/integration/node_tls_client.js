// Receives COUNT snapshots over wss:// with Debian's node-ws (Node's https/tls underneath),
// trusting the test CA, and prints their seq numbers as JSON.
// Usage: node node_tls_client.js wss://localhost:PORT/levels CA.pem COUNT
// Exit status 0 on success, 1 with a reason on stderr; a deadline bounds the run.
'use strict';

const fs = require('fs');
const WebSocket = require('/usr/share/nodejs/ws');

const DEADLINE_MS = 15000;
const [url, caPath, countArg] = process.argv.slice(2);
const count = Number(countArg);

function fail(reason) {
  process.stderr.write(`node_tls_client: ${reason}\n`);
  process.exit(1);
}

if (!url || !caPath || !(count > 0)) fail('usage: node_tls_client.js URL CA COUNT');
setTimeout(() => fail(`deadline of ${DEADLINE_MS} ms passed`), DEADLINE_MS).unref();

const seqs = [];
const ws = new WebSocket(url, { ca: fs.readFileSync(caPath) });
ws.on('error', (error) => fail(`socket error: ${error.message}`));
ws.on('close', (code) => {
  if (seqs.length < count) fail(`closed with ${code} after ${seqs.length} messages`);
});
ws.on('message', (data, isBinary) => {
  if (isBinary) return;
  const message = JSON.parse(data.toString());
  if (message.seq === undefined) return;
  seqs.push(message.seq);
  if (seqs.length === count) {
    process.stdout.write(JSON.stringify(seqs));
    ws.close(1000);
    process.exitCode = 0;
  }
});
