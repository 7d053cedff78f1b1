// Node `ws` with a token in each place it may travel (test_access.py runs it):
//   node node_auth.js PORT TOKEN
// Prints one line per attempt: "header mic", "subprotocol levelcast.v1 mic", "query mic",
// "none 401". Exits 1 on anything unexpected or after 20 s.
"use strict";
const WebSocket = require("/usr/share/nodejs/ws");

const [port, token] = process.argv.slice(2);
const base = `ws://127.0.0.1:${port}/levels/mic`;
setTimeout(() => { console.error("timed out"); process.exit(1); }, 20000).unref();

function firstTopic(url, protocols, options) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    ws.on("unexpected-response", (req, res) => { resolve(`${res.statusCode}`); req.destroy(); });
    ws.on("error", reject);
    ws.on("message", (data) => {
      const protocol = ws.protocol ? `${ws.protocol} ` : "";
      resolve(protocol + JSON.parse(data.toString()).topic);
      ws.terminate();
    });
  });
}

(async () => {
  console.log("header " + await firstTopic(base, [], { headers: { Authorization: `Bearer ${token}` } }));
  console.log("subprotocol " + await firstTopic(base, ["levelcast.v1", `levelcast.bearer.${token}`]));
  console.log("query " + await firstTopic(`${base}?access_token=${token}`));
  console.log("none " + await firstTopic(base));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
