#!/usr/bin/env node
// e2e.meter_page_sse: the meter page in headless Chromium, two ways.
//  1. Straight to levelcast started with --deflate: Chromium offers permessage-deflate on every
//     WebSocket, so the page is live over compressed frames (the extension is checked from the
//     page), with values moving.
//  2. Through a proxy that refuses WebSocket upgrades (as one that strips Upgrade would) and
//     passes everything else through, streaming: the page's WebSocket fails, levelcast.js falls
//     back to Server-Sent Events (EventSource), the badge says "(SSE)", and values move.
//   node meter_page_sse.js --server build/levelcast --chromium /usr/bin/chromium
"use strict";

const http = require("node:http");
const { Browser, ServerProcess, READ_PAGE, waitFor, parseArgs, log } = require("./meter_page.js");

// Forwards plain HTTP to the server, response streamed as it comes; refuses every Upgrade.
function startBlockingProxy(targetPort) {
  const proxy = http.createServer((req, res) => {
    const headers = { ...req.headers };
    delete headers.upgrade;
    const upstream = http.request({ host: "127.0.0.1", port: targetPort, method: req.method,
                                    path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
    res.on("close", () => upstream.destroy());
  });
  proxy.on("upgrade", (req, socket) => {
    socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });
  return new Promise((resolve) => proxy.listen(0, "127.0.0.1", () => resolve(proxy)));
}

async function liveAndMoving(browser, what) {
  const read = () => browser.evaluate(READ_PAGE);
  const live = await waitFor(`${what}: the page to go live with values`, 25000, read,
                             (p) => p.state === "live" && p.seq > 0 && p.rms.length > 0 && p.rms[0] !== "–");
  const moved = await waitFor(`${what}: seq and values to move`, 15000, read,
                              (p) => p.seq >= live.seq + 5 && p.rms.join() !== live.rms.join());
  return { live, moved };
}

async function run(args) {
  const server = new ServerProcess(args.server, ["--deflate", "--deflate-min-bytes", "0"]);
  const browser = new Browser(args.chromium);
  let proxy = null;
  try {
    const port = await server.start(0, 10000);
    await browser.openPage();

    await browser.page("Page.navigate", { url: `http://127.0.0.1:${port}/` });
    const direct = await liveAndMoving(browser, "direct");
    log(`ok: direct: "${direct.live.stateText}", format ${direct.live.format}, seq ${direct.live.seq} -> ${direct.moved.seq}`);
    const extensions = await browser.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket("ws://" + location.host + "/levels");
      ws.onopen = () => { resolve(ws.extensions); ws.close(); };
      ws.onerror = () => resolve("error");
    })`);
    if (!extensions.startsWith("permessage-deflate")) throw new Error("Chromium's WebSocket got extensions " + extensions);
    log(`ok: Chromium negotiated "${extensions}"`);

    proxy = await startBlockingProxy(port);
    const proxyPort = proxy.address().port;
    await browser.page("Page.navigate", { url: "about:blank" });
    await browser.page("Page.navigate", { url: `http://127.0.0.1:${proxyPort}/` });
    const fallback = await liveAndMoving(browser, "through the proxy");
    if (!fallback.moved.stateText.includes("SSE")) throw new Error("the badge does not say SSE: " + fallback.moved.stateText);
    if (!fallback.moved.format.includes("SSE")) throw new Error("the topic does not say SSE: " + fallback.moved.format);
    log(`ok: through a proxy that refuses WebSocket: "${fallback.moved.stateText}", format ` +
        `"${fallback.moved.format}", seq ${fallback.live.seq} -> ${fallback.moved.seq}`);
    log("PASS");
    return 0;
  } catch (error) {
    log("FAIL: " + (error && error.stack ? error.stack : error));
    if (browser.stderr) log("chromium stderr (tail): " + browser.stderr.split("\n").slice(-15).join("\n"));
    return 1;
  } finally {
    await browser.close();
    await server.kill();
    if (proxy) proxy.close();
  }
}

run(parseArgs(process.argv.slice(2))).then((code) => process.exit(code), (error) => {
  log("FAIL: " + error);
  process.exit(1);
});
