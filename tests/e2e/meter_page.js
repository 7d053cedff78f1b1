#!/usr/bin/env node
// e2e.meter_page: the web page at / in a real, headless Chromium, driven through the DevTools
// protocol over --remote-debugging-pipe (no port, no npm package: Node's standard library
// only). It starts levelcast, checks that the page goes live and that its meters and seq move,
// kills the server by PID, checks that the page says "reconnecting", restarts the server on the
// same port, and checks that the page is live and moving again.
//
//   node meter_page.js --server build/levelcast [--chromium /usr/bin/chromium]
//                      [--out DIR] [--source-dir DIR]
//
// The screenshot goes to $LEVELCAST_SCREENSHOT when set (relative to --source-dir, the
// repository), else to DIR/meter_page.png. Every wait has a deadline; nothing is timed.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--no-proxy-server", "--mute-audio", "--hide-scrollbars", "--remote-debugging-pipe",
];
const VIEWPORT = { width: 760, height: 540 };
const POLL_MS = 100;

function parseArgs(argv) {
  const args = { chromium: "/usr/bin/chromium", out: process.cwd(), "source-dir": process.cwd() };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) throw new Error("bad argument " + argv[i]);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!args.server) throw new Error("usage: meter_page.js --server PATH [--chromium PATH] [--out DIR]");
  return args;
}

function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Polls `probe` until `done(value)` holds; fails with the last value seen after `ms`.
async function waitFor(what, ms, probe, done) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (done(last)) return last;
    await pause(POLL_MS);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

function log(line) {
  process.stdout.write(line + "\n");
}

// One levelcast process. start() resolves once it prints its listening line.
// With `tls` (the --tls-cert/--tls-key options), it serves TLS only on the port it is given.
class ServerProcess {
  constructor(binary, extraArgs = [], tls = null) {
    this.binary = binary;
    this.extraArgs = extraArgs;
    this.tls = tls;
    this.child = null;
    this.exited = null;
  }

  start(port, ms) {
    const listen = this.tls ? ["--no-plain", "--tls-port", String(port), ...this.tls] : ["--port", String(port)];
    const args = ["--bind", "127.0.0.1", ...listen, "--rate", "20", "--workers", "1",
                  "--allow-reset", "--source", "synth=synth:loudness=msilx,truepeak=1",
                  ...this.extraArgs];
    const child = spawn(this.binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", resolve));
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => { stderr += d; });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error("levelcast did not listen within " + ms + " ms"));
      }, ms);
      child.stdout.on("data", (d) => {
        stdout += d;
        const m = /listening on wss?:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`levelcast exited (${code ?? signal}) before listening: ${stderr.trim()}`));
      });
    });
  }

  async kill() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    process.kill(this.child.pid, "SIGKILL");
    await this.exited;
  }
}

// The DevTools protocol over the pipe: JSON messages, each ended by a NUL byte. Chromium reads
// fd 3 and writes fd 4.
class DevTools {
  constructor(toBrowser, fromBrowser) {
    this.toBrowser = toBrowser;
    this.nextId = 1;
    this.pending = new Map();
    this.handlers = [];
    this.buffer = Buffer.alloc(0);
    fromBrowser.on("data", (chunk) => this.receive(chunk));
  }

  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let end;
    while ((end = this.buffer.indexOf(0)) >= 0) {
      const message = JSON.parse(this.buffer.subarray(0, end).toString("utf8"));
      this.buffer = this.buffer.subarray(end + 1);
      const waiter = this.pending.get(message.id);
      if (waiter) {
        this.pending.delete(message.id);
        if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
        else waiter.resolve(message.result);
      } else if (message.method) {
        for (const handler of this.handlers) handler(message);
      }
    }
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.toBrowser.write(JSON.stringify(message) + "\0");
    });
  }

  on(handler) {
    this.handlers.push(handler);
  }
}

class Browser {
  constructor(executable, extraFlags = []) {
    this.profile = fs.mkdtempSync(path.join(os.tmpdir(), "levelcast-e2e-"));
    this.child = spawn(executable, [...CHROMIUM_FLAGS, ...extraFlags, "--user-data-dir=" + this.profile,
                                    `--window-size=${VIEWPORT.width},${VIEWPORT.height}`, "about:blank"],
                       { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], detached: true });
    this.exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.stderr = "";
    this.child.stderr.on("data", (d) => { this.stderr += d; });
    this.child.stdio[3].on("error", () => {});  // a write after the browser has gone
    this.devtools = new DevTools(this.child.stdio[3], this.child.stdio[4]);
    this.pageErrors = [];
    this.session = null;
  }

  async openPage() {
    const { targetId } = await this.devtools.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.devtools.send("Target.attachToTarget", { targetId, flatten: true });
    this.session = sessionId;
    this.devtools.on((message) => {
      if (message.sessionId !== sessionId) return;
      if (message.method === "Runtime.exceptionThrown") {
        const details = message.params.exceptionDetails;
        this.pageErrors.push((details.exception && details.exception.description) || details.text);
      }
    });
    await this.page("Runtime.enable");
    await this.page("Page.enable");
    await this.page("Emulation.setDeviceMetricsOverride",
                    { ...VIEWPORT, deviceScaleFactor: 1, mobile: false });
  }

  page(method, params = {}) {
    return this.devtools.send(method, params, this.session);
  }

  async evaluate(expression) {
    const reply = await this.page("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (reply.exceptionDetails) throw new Error("evaluate: " + reply.exceptionDetails.text);
    return reply.result.value;
  }

  async screenshot(file) {
    const { data } = await this.page("Page.captureScreenshot", { format: "png" });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from(data, "base64"));
  }

  // Browser.close first; the process group (ours: detached) is killed only if it will not go.
  async close() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const closed = this.devtools.send("Browser.close").catch(() => {});
      const late = pause(10000).then(() => "late");
      if ((await Promise.race([this.exited.then(() => "exited"), closed.then(() => this.exited), late])) === "late") {
        process.kill(-this.child.pid, "SIGKILL");
        await this.exited;
      }
    }
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

// What the page shows, read from its DOM and its first meter canvas.
const READ_PAGE = `(() => {
  const badge = document.getElementById("connection");
  const topic = document.querySelector("section.topic");
  const text = (selector) => topic ? topic.querySelector(selector).textContent : "";
  const values = (selector) => topic ? [...topic.querySelectorAll(selector)].map((o) => o.textContent) : [];
  let canvasHash = 0;
  let lit = 0;
  const canvas = topic && topic.querySelector("canvas.meters");
  if (canvas && canvas.width > 0) {
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let h = 2166136261;
    for (let i = 0; i < pixels.length; i += 4) {
      h = Math.imul(h ^ pixels[i] ^ (pixels[i + 1] << 8) ^ (pixels[i + 2] << 16), 16777619);
      if (pixels[i + 3] === 255 && Math.max(pixels[i], pixels[i + 1], pixels[i + 2]) > 180) lit++;
    }
    canvasHash = h >>> 0;
  }
  return {
    state: badge ? badge.dataset.state : "", stateText: badge ? badge.textContent : "",
    topic: text(".name"), seq: Number(text(".seq")) || 0, rms: values(".readouts .rms"),
    peak: values(".readouts .peak"), rate: text(".rate"), delay: text(".delay"),
    format: text(".format"), canvasHash, lit, event: text(".event"),
    range: topic && !topic.querySelector("[data-field=range]").hidden ? text(".loudness .range") : "",
    resetShown: topic ? !topic.querySelector("button.reset").hidden : false,
  };
})()`;

async function run(args) {
  const server = new ServerProcess(args.server);
  const browser = new Browser(args.chromium);
  const shot = process.env.LEVELCAST_SCREENSHOT
    ? path.resolve(args["source-dir"], process.env.LEVELCAST_SCREENSHOT)
    : path.join(args.out, "meter_page.png");
  try {
    const port = await server.start(0, 10000);
    log(`levelcast listening on 127.0.0.1:${port} (pid ${server.child.pid})`);
    await browser.openPage();
    const read = () => browser.evaluate(READ_PAGE);
    await browser.page("Page.navigate", { url: `http://127.0.0.1:${port}/` });

    const live = await waitFor("the page to go live with values", 20000, read,
                               (p) => p.state === "live" && p.seq > 0 && p.rms.length > 0 && p.rms[0] !== "–");
    log(`ok: live, topic ${live.topic}, ${live.rms.length} channels, seq ${live.seq}, format ${live.format}`);
    const moved = await waitFor("seq, meter values and canvas to change", 15000, read,
                                (p) => p.seq >= live.seq + 5 && p.rms.join() !== live.rms.join() &&
                                       p.canvasHash !== live.canvasHash && p.lit > 0);
    log(`ok: seq ${live.seq} -> ${moved.seq}, rms [${live.rms}] -> [${moved.rms}], ` +
        `${moved.lit} lit pixels, rate ${moved.rate}/s, delay ${moved.delay} ms`);
    if (!/^-?\d+$/.test(moved.delay)) throw new Error("no delay shown: " + moved.delay);
    await browser.screenshot(shot);
    log("screenshot: " + shot);

    if (!moved.resetShown) throw new Error("no reset button on a topic that allows resets");
    await browser.evaluate(`document.querySelector("section.topic button.reset").click()`);
    const reset = await waitFor("the loudness-reset event after a click on reset", 10000, read,
                                (p) => /loudness reset at/.test(p.event));
    log(`ok: reset button -> "${reset.event}", LRA shown as "${reset.range}"`);

    await server.kill();
    log("killed levelcast (SIGKILL)");
    const lost = await waitFor("the page to show reconnecting", 15000, read,
                               (p) => p.state === "reconnecting" && /^reconnecting in \d+(\.\d)? s$/.test(p.stateText));
    log(`ok: "${lost.stateText}"`);

    const restarted = await waitFor("levelcast to listen again on the same port", 15000,
                                    () => server.start(port, 10000).then(() => true, (e) => { log(String(e)); return false; }),
                                    (ok) => ok);
    if (restarted) log(`levelcast restarted on 127.0.0.1:${port} (pid ${server.child.pid})`);
    // Live again, then a snapshot from the new server (its seq differs from the last one shown),
    // then three more.
    const back = await waitFor("the page to be live again", 30000, read, (p) => p.state === "live");
    const fresh = await waitFor("a snapshot after reconnecting", 15000, read,
                                (p) => p.state === "live" && p.seq !== back.seq);
    const again = await waitFor("seq to advance after reconnecting", 15000, read,
                                (p) => p.state === "live" && p.seq >= fresh.seq + 3);
    log(`ok: live again, seq ${fresh.seq} -> ${again.seq}`);
    if (browser.pageErrors.length) throw new Error("page errors: " + browser.pageErrors.join("; "));
    log("PASS");
    return 0;
  } catch (error) {
    log("FAIL: " + (error && error.stack ? error.stack : error));
    if (browser.pageErrors.length) log("page errors: " + browser.pageErrors.join("; "));
    if (browser.stderr) log("chromium stderr (tail): " + browser.stderr.split("\n").slice(-15).join("\n"));
    return 1;
  } finally {
    await browser.close();
    await server.kill();
  }
}

if (require.main === module) {
  run(parseArgs(process.argv.slice(2))).then((code) => process.exit(code), (error) => {
    log("FAIL: " + error);
    process.exit(1);
  });
}

module.exports = { Browser, ServerProcess, READ_PAGE, waitFor, parseArgs, log };
