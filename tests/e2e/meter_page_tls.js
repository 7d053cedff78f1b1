#!/usr/bin/env node
// e2e.meter_page_tls: the web page over https:// in headless Chromium, its snapshots over
// wss:// from the same origin. A test CA and an ECDSA P-256 certificate for localhost are made
// with the openssl command (tests/tls/make-test-ca); Chromium trusts exactly that certificate
// (--ignore-certificate-errors-spki-list with its key's hash), nothing else. levelcast runs TLS
// only (--no-plain). Checks that the page goes live and that its seq and meters move.
//
//   node meter_page_tls.js --server build/levelcast [--chromium /usr/bin/chromium] --source-dir DIR
"use strict";

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { Browser, ServerProcess, READ_PAGE, waitFor } = require("./meter_page.js");

function log(line) {
  process.stdout.write(line + "\n");
}

function parseArgs(argv) {
  const args = { chromium: "/usr/bin/chromium", "source-dir": path.resolve(__dirname, "../..") };
  for (let i = 0; i < argv.length; i += 2) args[argv[i].slice(2)] = argv[i + 1];
  if (!args.server) throw new Error("usage: meter_page_tls.js --server PATH [--chromium PATH]");
  return args;
}

// base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate, with the openssl command.
function spkiHash(certFile) {
  const pub = execFileSync("openssl", ["x509", "-in", certFile, "-pubkey", "-noout"]);
  const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pub });
  const digest = execFileSync("openssl", ["dgst", "-sha256", "-binary"], { input: der });
  return digest.toString("base64");
}

async function run(args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "levelcast-e2e-tls-"));
  let server = null;
  let browser = null;
  try {
    execFileSync(path.join(args["source-dir"], "tests/tls/make-test-ca"), [dir]);
    server = new ServerProcess(args.server, [], ["--tls-cert", path.join(dir, "ec.pem"),
                                                 "--tls-key", path.join(dir, "ec.key")]);
    const port = await server.start(0, 10000);
    log(`levelcast listening on wss://127.0.0.1:${port} (pid ${server.child.pid})`);
    browser = new Browser(args.chromium, ["--ignore-certificate-errors-spki-list=" + spkiHash(path.join(dir, "ec.pem"))]);
    await browser.openPage();
    const read = () => browser.evaluate(READ_PAGE);
    await browser.page("Page.navigate", { url: `https://localhost:${port}/` });
    const live = await waitFor("the page to go live over https/wss", 20000, read,
                               (p) => p.state === "live" && p.seq > 0 && p.rms.length > 0 && p.rms[0] !== "–");
    const origin = await browser.evaluate("location.protocol + '//' + location.host");
    if (origin !== `https://localhost:${port}`) throw new Error("page origin " + origin);
    log(`ok: live over ${origin}, seq ${live.seq}`);
    const moved = await waitFor("seq and meter values to change", 15000, read,
                                (p) => p.seq >= live.seq + 5 && p.rms.join() !== live.rms.join());
    log(`ok: seq ${live.seq} -> ${moved.seq}, rms [${live.rms}] -> [${moved.rms}]`);
    if (browser.pageErrors.length) throw new Error("page errors: " + browser.pageErrors.join("; "));
    log("PASS");
    return 0;
  } catch (error) {
    log("FAIL: " + (error && error.stack ? error.stack : error));
    if (browser && browser.stderr) log("chromium stderr (tail): " + browser.stderr.split("\n").slice(-15).join("\n"));
    return 1;
  } finally {
    if (browser) await browser.close();
    if (server) await server.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

run(parseArgs(process.argv.slice(2))).then((code) => process.exit(code), (error) => {
  log("FAIL: " + error);
  process.exit(1);
});
