#!/usr/bin/env node
// e2e.meter_page_auth: the meter page against a server that wants a bearer token, in headless
// Chromium. Without a token the page never goes live (the server answers 401); opened as
// /#token=JWT it sends the token as the WebSocket subprotocol "levelcast.bearer.<jwt>" (a
// browser cannot set headers), is answered "levelcast.v1", and shows live values.
//   node meter_page_auth.js --server build/levelcast --chromium /usr/bin/chromium
"use strict";

const { execFileSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { Browser, ServerProcess, READ_PAGE, waitFor, parseArgs, log } = require("./meter_page.js");

async function run(args) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "levelcast-e2e-auth-"));
  const secretFile = path.join(folder, "secret");
  fs.writeFileSync(secretFile, crypto.randomBytes(48).toString("base64"));
  const server = new ServerProcess(args.server, ["--auth-hmac-secret-file", secretFile]);
  const browser = new Browser(args.chromium);
  try {
    const port = await server.start(0, 10000);
    const token = execFileSync(args.server, ["token", "--secret-file", secretFile, "--topics", "*",
                                             "--ttl", "600"]).toString().trim();
    await browser.openPage();
    const read = () => browser.evaluate(READ_PAGE);
    await browser.page("Page.navigate", { url: `http://127.0.0.1:${port}/` });
    const refused = await waitFor("the page without a token to keep reconnecting", 15000, read,
                                  (p) => p.state === "reconnecting");
    log(`ok: without a token: "${refused.stateText}"`);

    await browser.page("Page.navigate", { url: "about:blank" });
    await browser.page("Page.navigate", { url: `http://127.0.0.1:${port}/#token=${token}` });
    await waitFor("the page with the token to load", 10000,
                  () => browser.evaluate("location.hash.length"), (n) => n > 7);
    const live = await waitFor("the page with a token to go live with values", 20000, read,
                               (p) => p.state === "live" && p.seq > 0 && p.rms.length > 0 && p.rms[0] !== "–");
    log(`ok: live with the subprotocol token, topic ${live.topic}, seq ${live.seq}`);
    const protocol = await browser.evaluate(`new Promise((resolve) => {
      const ws = new WebSocket("ws://" + location.host + "/levels",
                               ["levelcast.v1", "levelcast.bearer." + ${JSON.stringify(token)}]);
      ws.onopen = () => { resolve(ws.protocol); ws.close(); };
      ws.onerror = () => resolve("error");
    })`);
    if (protocol !== "levelcast.v1") throw new Error("the server answered subprotocol " + protocol);
    log("ok: the server answered levelcast.v1");
    // The reset button posts with the page's token, which covers every topic.
    if (!live.resetShown) throw new Error("no reset button for a token that covers the topic");
    await browser.evaluate(`document.querySelector("section.topic button.reset").click()`);
    const reset = await waitFor("the loudness-reset event after a click on reset", 10000, read,
                                (p) => /loudness reset at/.test(p.event));
    log(`ok: reset with the token -> "${reset.event}"`);
    log("PASS");
    return 0;
  } catch (error) {
    log("FAIL: " + (error && error.stack ? error.stack : error));
    if (browser.stderr) log("chromium stderr (tail): " + browser.stderr.split("\n").slice(-15).join("\n"));
    return 1;
  } finally {
    await browser.close();
    await server.kill();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

run(parseArgs(process.argv.slice(2))).then((code) => process.exit(code), (error) => {
  log("FAIL: " + error);
  process.exit(1);
});
