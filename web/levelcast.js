/* levelcast.js: a small client for the live audio levels of a levelcast server.
 * Plain script, no dependencies; defines `window.levelcast` (or module.exports under Node).
 *
 *   <script src="http://HOST:8080/levelcast.js"></script>
 *   const sub = levelcast.subscribe("http://HOST:8080", "synth", (s) => {
 *     console.log(s.seq, s.channels[0].rms, s.channels[0].peak);
 *   });
 *   sub.onstate = (st) => console.log(st.state);  // "connecting", "live", "reconnecting"
 *   sub.onevent = (e) => console.log(e.event);    // "ended", "missed" (with e.count)
 *   sub.close();
 *
 * levelcast.subscribe(url, topic, onSnapshot, options) -> Subscription
 *   url         the server: "http://host:8080", "ws://host:8080" (https/wss alike), or "" for
 *               the origin of the page
 *   topic       a topic name (connects to /levels/NAME), or null / "" for the server's default
 *               topic (/levels)
 *   onSnapshot  called with each snapshot, decoded from JSON or binary frames alike:
 *               { topic, seq, ts, rate, channels: [{ rms, peak, peak_hold? }],
 *                 loudness?: { momentary, short_term, integrated, true_peak }, bands?: [dB] }
 *               ts: microseconds since the Unix epoch; rate: snapshots per second; levels in
 *               dBFS (loudness in LUFS, true_peak in dBTP); null = silence or not measured.
 *               Keys appear only when the topic carries them.
 *   options     { format: "auto" | "json" | "binary", minDelayMs: 500, maxDelayMs: 10000,
 *                 token: provider, transport: "auto" | "websocket" | "sse" }
 *               "auto" (the default) asks GET /topics before each connection: a server that
 *               has it gets ?format=binary (unless the topic's "formats" leaves it out) and,
 *               on reconnection, ?since=<last seq>; one that answers 404 (or that the page
 *               may not ask: another origin without CORS) gets plain JSON.
 *               token: for a server that wants a bearer token (docs/SECURITY.md), a function
 *               returning the token (a JWT string) or a Promise of one. It is asked before each
 *               connection, and at once again when the server closes with 4001 (the token
 *               expired): the page fetches a fresh one and resumes with ?since=, losing nothing.
 *               The token travels as the WebSocket subprotocol "levelcast.bearer.<token>" next
 *               to "levelcast.v1" (browsers cannot set headers), and to /topics as an
 *               Authorization header (and as ?access_token= to an SSE stream, which cannot
 *               carry either).
 *               transport: "websocket" always; "sse" always (GET /events/NAME through the
 *               browser's EventSource: JSON only, resumed with ?since=); "auto" (the default)
 *               WebSocket, falling back to SSE for good when a WebSocket fails twice in a row
 *               without ever opening (a proxy that strips Upgrade), while GET /topics answers.
 * Subscription
 *   close()     stops for good: closes the socket, cancels any pending reconnection
 *   onstate     hook, called with { state, attempt, delayMs, retryAt, format } on every
 *               change: "connecting", "live" (socket open), "reconnecting" (the next attempt
 *               in delayMs, at the Date.now() time retryAt), "closed" (after close());
 *               format: "json" or "binary", what the last connection asked for;
 *               transport: "websocket" or "sse", what it used
 *   onevent     hook, called with event messages: { topic, event: "ended" } or
 *               { topic, event: "missed", count }
 *   state       the last state object;  lastSeq: seq of the last snapshot (0 before any)
 * After the socket closes for any reason but close(), it reconnects after 0.5 s, doubling up to
 * 10 s, each delay drawn between half and all of that (jitter, so that the clients of a
 * restarted server do not all come back in the same millisecond). A snapshot resets the delay.
 *
 * levelcast.topics(url, token) -> Promise of { default, topics: [...] } from GET /topics, or
 *   null when the server has no /topics (404) or cannot be asked; `token` optional.
 * levelcast.decodeBinary(arrayBuffer, topic) -> snapshot (throws on a malformed frame)
 * levelcast.decodeText(string) -> snapshot or event
 */
(function (global) {
  "use strict";

  const NULL_LEVEL = -32768;  // binary: silence, or not measured
  const FLAG_LOUDNESS = 1;
  const FLAG_BANDS = 2;
  const FLAG_PEAK_HOLD = 4;
  const FLAG_RANGE = 8;  // loudness range and maxima, after the bands
  const HEADER_BYTES = 28;
  const PROBE_TIMEOUT_MS = 3000;
  const TOKEN_EXPIRED = 4001;  // the server's close code when the bearer's token runs out
  const SUBPROTOCOL = "levelcast.v1";
  const BEARER_PROTOCOL = "levelcast.bearer.";
  const SSE_EVENTS = ["ended", "missed", "loudness-reset", "stalled", "resumed"];
  const FAILURES_BEFORE_SSE = 2;  // WebSockets that never opened, in a row, before falling back

  function centi(view, offset) {
    const v = view.getInt16(offset, true);
    return v === NULL_LEVEL ? null : v / 100;
  }

  // The binary snapshot, version 1, little-endian (see docs/WEB.md for the layout).
  function decodeBinary(buffer, topic) {
    const view = new DataView(buffer);
    if (view.byteLength < HEADER_BYTES) throw new Error("levelcast: binary snapshot too short");
    const version = view.getUint8(0);
    if (version !== 1) throw new Error("levelcast: binary snapshot version " + version);
    const flags = view.getUint8(1);
    const channelCount = view.getUint16(2, true);
    const bandCount = flags & FLAG_BANDS ? view.getUint16(4, true) : 0;
    const perChannel = flags & FLAG_PEAK_HOLD ? 6 : 4;
    const size = HEADER_BYTES + channelCount * perChannel + (flags & FLAG_LOUDNESS ? 8 : 0) +
                 bandCount * 2 + (flags & FLAG_RANGE ? 6 : 0);
    if (view.byteLength < size) throw new Error("levelcast: binary snapshot truncated");
    const snapshot = {
      topic: topic,
      seq: Number(view.getBigUint64(8, true)),
      ts: Number(view.getBigInt64(16, true)),
      rate: Math.round(view.getFloat32(24, true) * 1000) / 1000,
      channels: [],
    };
    let at = HEADER_BYTES;
    for (let c = 0; c < channelCount; c++) {
      const channel = { rms: centi(view, at), peak: centi(view, at + 2) };
      if (flags & FLAG_PEAK_HOLD) channel.peak_hold = centi(view, at + 4);
      snapshot.channels.push(channel);
      at += perChannel;
    }
    if (flags & FLAG_LOUDNESS) {
      snapshot.loudness = {
        momentary: centi(view, at), short_term: centi(view, at + 2),
        integrated: centi(view, at + 4), true_peak: centi(view, at + 6),
      };
      at += 8;
    }
    if (flags & FLAG_BANDS) {
      snapshot.bands = [];
      for (let b = 0; b < bandCount; b++, at += 2) snapshot.bands.push(centi(view, at));
    }
    if (flags & FLAG_RANGE && snapshot.loudness) {
      snapshot.loudness.range = centi(view, at);
      snapshot.loudness.max_momentary = centi(view, at + 2);
      snapshot.loudness.max_short_term = centi(view, at + 4);
    }
    return snapshot;
  }

  function decodeText(text) {
    return JSON.parse(text);
  }

  // "" -> this page's origin; ws(s):// -> http(s):// for fetch, and the reverse for WebSocket.
  function httpBase(url) {
    const base = url || (global.location ? global.location.origin : "");
    return base.replace(/^ws(s?):\/\//, "http$1://").replace(/\/+$/, "");
  }

  function wsBase(url) {
    return httpBase(url).replace(/^http(s?):\/\//, "ws$1://");
  }

  async function topics(url, token) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), PROBE_TIMEOUT_MS);
    try {
      const response = await fetch(httpBase(url) + "/topics", {
        cache: "no-store", signal: controller.signal,
        headers: token ? { Authorization: "Bearer " + token } : {},
      });
      return response.ok ? await response.json() : null;
    } catch (e) {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  function backoffMs(attempt, minMs, maxMs) {
    const ceiling = Math.min(maxMs, minMs * Math.pow(2, attempt));
    return ceiling / 2 + Math.random() * ceiling / 2;
  }

  class Subscription {
    constructor(url, topic, onSnapshot, options) {
      this.url = url || "";
      this.topic = topic || "";
      this.onSnapshot = onSnapshot;
      this.format = (options && options.format) || "auto";
      this.minDelayMs = (options && options.minDelayMs) || 500;
      this.maxDelayMs = (options && options.maxDelayMs) || 10000;
      this.tokenProvider = (options && options.token) || null;
      this.transport = (options && options.transport) || "auto";
      this.wireTransport = this.transport === "sse" ? "sse" : "websocket";
      this.unopened = 0;  // WebSockets in a row that closed without opening
      this.onstate = null;
      this.onevent = null;
      this.wireFormat = "json";
      this.state = { state: "connecting", attempt: 0, delayMs: 0, retryAt: 0, format: this.wireFormat,
                     transport: this.wireTransport };
      this.lastSeq = 0;
      this.topicName = this.topic;  // the default topic's name, once known
      this.attempt = 0;
      this.socket = null;
      this.timer = null;
      this.closed = false;
      // Deferred, so that hooks set right after subscribe() returns see "connecting" too.
      Promise.resolve().then(() => this.closed || this.connect());
    }

    close() {
      this.closed = true;
      clearTimeout(this.timer);
      if (this.socket) this.socket.close(1000);
      if (this.events) this.events.close();
      this.events = null;
      this.socket = null;
      this.setState("closed");
    }

    setState(state, delayMs) {
      this.state = { state: state, attempt: this.attempt, delayMs: delayMs || 0,
                     retryAt: delayMs ? Date.now() + delayMs : 0, format: this.wireFormat,
                     transport: this.wireTransport };
      if (this.onstate) this.onstate(this.state);
    }

    async chooseFormat(token) {
      if (this.format !== "auto") return { binary: this.format === "binary", resume: false };
      const list = await topics(this.url, token);
      if (!list) return { binary: false, resume: false };
      if (!this.topicName) this.topicName = list.default || "";
      // A topic that lists its formats may leave binary out; one that does not list them has it.
      const entry = (list.topics || []).find((t) => t.name === this.topicName);
      const binary = !entry || !entry.formats || entry.formats.includes("binary");
      return { binary: binary, resume: true };
    }

    // The provider's token, or null without one; a provider that fails counts as a lost
    // connection (retried with back-off).
    async askToken() {
      if (!this.tokenProvider) return null;
      return (await this.tokenProvider()) || null;
    }

    async connect() {
      this.setState("connecting");
      let token;
      try {
        token = await this.askToken();
      } catch (e) {
        this.reconnectLater();
        return;
      }
      const choice = await this.chooseFormat(token);
      if (this.closed) return;
      if (this.wireTransport === "sse") return this.connectEvents(token, choice);
      const params = new URLSearchParams();
      if (choice.binary) params.set("format", "binary");
      if (choice.resume && this.lastSeq > 0) params.set("since", String(this.lastSeq));
      const path = this.topic ? "/levels/" + encodeURIComponent(this.topic) : "/levels";
      const query = params.toString();
      const address = wsBase(this.url) + path + (query ? "?" + query : "");
      const socket = token ? new WebSocket(address, [SUBPROTOCOL, BEARER_PROTOCOL + token])
                           : new WebSocket(address);
      socket.binaryType = "arraybuffer";
      this.socket = socket;
      this.wireFormat = choice.binary ? "binary" : "json";
      let opened = false;
      socket.onopen = () => {
        opened = true;
        this.unopened = 0;
        this.setState("live");
      };
      socket.onmessage = (e) => this.receive(e.data);
      socket.onclose = (e) => {
        if (!opened) this.countUnopened(choice);
        this.lost(socket, e && e.code);
      };
    }

    // "auto": a WebSocket that keeps failing before it opens, on a server whose /topics answers
    // (so it is up), is blocked on the way: Server-Sent Events get through where Upgrade does not.
    countUnopened(choice) {
      this.unopened++;
      if (this.transport === "auto" && choice.resume && this.unopened >= FAILURES_BEFORE_SSE &&
          typeof EventSource !== "undefined") {  // Node has none: it stays on WebSocket
        this.wireTransport = "sse";
      }
    }

    // Server-Sent Events through the browser's EventSource; reconnection stays ours (back-off,
    // ?since=), so the browser's own retry is stopped at the first error.
    connectEvents(token, choice) {
      const params = new URLSearchParams();
      if (choice.resume && this.lastSeq > 0) params.set("since", String(this.lastSeq));
      if (token) params.set("access_token", token);
      const path = this.topic ? "/events/" + encodeURIComponent(this.topic) : "/events";
      const query = params.toString();
      const events = new EventSource(httpBase(this.url) + path + (query ? "?" + query : ""));
      this.events = events;
      this.wireFormat = "json";
      events.onopen = () => this.setState("live");
      events.onmessage = (e) => this.receive(e.data);
      for (const name of SSE_EVENTS) {
        events.addEventListener(name, (e) => this.receive(e.data));
      }
      events.onerror = () => {
        events.close();
        if (this.events !== events) return;
        this.events = null;
        this.reconnectLater();
      };
    }

    receive(data) {
      const message = typeof data === "string" ? decodeText(data)
                                                : decodeBinary(data, this.topicName);
      if (message.event !== undefined) {
        if (this.onevent) this.onevent(message);
        return;
      }
      this.topicName = message.topic;
      this.lastSeq = message.seq;
      this.attempt = 0;
      this.onSnapshot(message);
    }

    lost(socket, code) {
      if (this.closed || socket !== this.socket) return;
      this.socket = null;
      this.reconnectLater(code);
    }

    reconnectLater(code) {
      if (this.closed) return;
      // An expired token is no fault: ask the provider for a new one and come back at once.
      const delay = code === TOKEN_EXPIRED && this.tokenProvider
        ? 0 : backoffMs(this.attempt, this.minDelayMs, this.maxDelayMs);
      this.attempt++;
      this.setState("reconnecting", delay);
      this.timer = setTimeout(() => this.connect(), delay);
    }
  }

  function subscribe(url, topic, onSnapshot, options) {
    return new Subscription(url, topic, onSnapshot, options);
  }

  const api = { subscribe, topics, decodeBinary, decodeText };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else global.levelcast = api;
})(typeof window !== "undefined" ? window : globalThis);
