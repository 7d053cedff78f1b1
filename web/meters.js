/* meters.js: the page at /. Lists the topics (GET /topics; a server without it gets one panel
 * for its default topic at /levels), subscribes to each through levelcast.js, and draws one
 * meter per channel on a canvas. Messages only store the latest snapshot; every animation
 * frame draws from what is stored, so drawing runs at the display's rate whatever the
 * snapshot rate, and a burst of messages costs no extra drawing. */
(function () {
  "use strict";

  // A server that wants a bearer token: open the page as /#token=JWT (the fragment never
  // leaves the browser, so the token is in no request line or log).
  const pageToken = new URLSearchParams(location.hash.slice(1)).get("token");
  const FLOOR_DB = -60;
  const GREEN_BELOW_DB = -18;
  const RED_ABOVE_DB = -6;
  const CLIP_DB = -0.1;
  const HOLD_MS = 1500;
  const HOLD_FALL_DB_PER_S = 20;
  const BAR_FALL_DB_PER_S = 36;  // bars rise at once and fall smoothly between snapshots
  const CLIP_SHOW_MS = 2000;
  const TEXT_EVERY_MS = 100;     // numbers are for reading: ten updates a second is plenty
  const RATE_WINDOW_MS = 2000;
  const SCALE_MARKS = [0, -3, -6, -12, -18, -24, -30, -40, -50, -60];
  const SPECTRUM_FLOOR_DB = -90;
  const METER_TOP = 14;          // room for the clip light
  const METER_BOTTOM = 6;

  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();
  const COLORS = {
    green: color("--green"), yellow: color("--yellow"), red: color("--red"),
    line: color("--line"), muted: color("--muted"), text: color("--text"),
  };
  const SCALE_WIDTH = parseFloat(color("--scale-width"));
  const COLUMN_GAP = parseFloat(color("--column-gap"));

  function dbOrFloor(v) { return v === null || v === undefined ? -Infinity : v; }
  function clampDb(v, floor) { return Math.max(floor, Math.min(0, v)); }
  function formatDb(v) {
    if (v === null || v === undefined) return "–";
    return (v < 0 ? "−" : "") + Math.abs(v).toFixed(1);
  }
  function channelName(index, count) {
    if (count === 2) return index === 0 ? "L" : "R";
    return count === 1 ? "mono" : String(index + 1);
  }
  function formatHz(hz) { return hz >= 1000 ? (hz / 1000).toFixed(hz % 1000 ? 1 : 0) + "k" : String(Math.round(hz)); }

  // Sizes the canvas's backing store to its CSS box and device pixels; returns the CSS size.
  function fitCanvas(canvas, ctx) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { width, height };
  }

  // One channel's displayed values: what the bar, the peak and the held peak show this frame.
  class ChannelBallistics {
    constructor() {
      this.bar = -Infinity;
      this.peak = -Infinity;
      this.hold = -Infinity;
      this.heldAt = 0;
      this.clipAt = -Infinity;
    }

    update(channel, now, dt) {
      const rms = dbOrFloor(channel && channel.rms);
      const peak = dbOrFloor(channel && channel.peak);
      this.bar = rms >= this.bar ? rms : Math.max(rms, this.bar - BAR_FALL_DB_PER_S * dt);
      this.peak = peak >= this.peak ? peak : Math.max(peak, this.peak - BAR_FALL_DB_PER_S * dt);
      if (channel && channel.peak_hold !== undefined) {
        this.hold = dbOrFloor(channel.peak_hold);  // the server holds it for us
      } else if (peak >= this.hold) {
        this.hold = peak;
        this.heldAt = now;
      } else if (now - this.heldAt > HOLD_MS) {
        this.hold = Math.max(peak, this.hold - HOLD_FALL_DB_PER_S * dt);
      }
      if (peak >= CLIP_DB) this.clipAt = now;
    }
  }

  class MeterDrawing {
    constructor(canvas) {
      this.canvas = canvas;
      this.ctx = canvas.getContext("2d");
    }

    y(db, height) {
      const span = height - METER_TOP - METER_BOTTOM;
      return METER_TOP + (-clampDb(db, FLOOR_DB) / -FLOOR_DB) * span;
    }

    draw(meters, now) {
      const ctx = this.ctx;
      const { width, height } = fitCanvas(this.canvas, ctx);
      ctx.clearRect(0, 0, width, height);
      this.drawScale(width, height);
      const count = meters.length;
      const column = (width - SCALE_WIDTH - COLUMN_GAP * count) / Math.max(1, count);
      const barWidth = Math.max(6, Math.min(44, column * 0.6));
      meters.forEach((meter, i) => {
        const x = SCALE_WIDTH + COLUMN_GAP * (i + 1) + column * i + (column - barWidth) / 2;
        this.drawBar(meter, x, barWidth, height, now);
      });
    }

    drawScale(width, height) {
      const ctx = this.ctx;
      ctx.font = "10px system-ui, sans-serif";
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      for (const mark of SCALE_MARKS) {
        const y = Math.round(this.y(mark, height)) + 0.5;
        ctx.fillStyle = COLORS.muted;
        ctx.fillText(String(mark), SCALE_WIDTH - 6, y);
        ctx.strokeStyle = COLORS.line;
        ctx.beginPath();
        ctx.moveTo(SCALE_WIDTH, y);
        ctx.lineTo(width, y);
        ctx.stroke();
      }
    }

    // The three zones, dim where the level does not reach, lit up to `level`.
    drawZones(x, w, from, to, height, alpha) {
      const zones = [[FLOOR_DB, GREEN_BELOW_DB, COLORS.green], [GREEN_BELOW_DB, RED_ABOVE_DB, COLORS.yellow],
                     [RED_ABOVE_DB, 0, COLORS.red]];
      const ctx = this.ctx;
      ctx.globalAlpha = alpha;
      for (const [low, high, fill] of zones) {
        const bottom = Math.max(low, from);
        const top = Math.min(high, to);
        if (top <= bottom) continue;
        ctx.fillStyle = fill;
        const y0 = this.y(top, height);
        ctx.fillRect(x, y0, w, this.y(bottom, height) - y0);
      }
      ctx.globalAlpha = 1;
    }

    drawBar(meter, x, w, height, now) {
      const ctx = this.ctx;
      this.drawZones(x, w, FLOOR_DB, 0, height, 0.13);
      this.drawZones(x, w, FLOOR_DB, meter.peak, height, 0.4);
      this.drawZones(x, w, FLOOR_DB, meter.bar, height, 1);
      if (meter.hold > FLOOR_DB) {
        const zone = meter.hold > RED_ABOVE_DB ? COLORS.red : meter.hold > GREEN_BELOW_DB ? COLORS.yellow : COLORS.text;
        ctx.fillStyle = zone;
        ctx.fillRect(x - 2, Math.round(this.y(meter.hold, height)) - 1, w + 4, 2);
      }
      ctx.fillStyle = now - meter.clipAt < CLIP_SHOW_MS ? COLORS.red : COLORS.line;
      ctx.fillRect(x, 2, w, METER_TOP - 6);
    }
  }

  class SpectrumDrawing {
    constructor(canvas) {
      this.canvas = canvas;
      this.ctx = canvas.getContext("2d");
    }

    draw(bands, bandsHz) {
      const ctx = this.ctx;
      const { width, height } = fitCanvas(this.canvas, ctx);
      ctx.clearRect(0, 0, width, height);
      const labelRoom = bandsHz.length ? 12 : 0;
      const plot = height - labelRoom;
      const step = width / Math.max(1, bands.length);
      bands.forEach((db, i) => {
        const level = clampDb(dbOrFloor(db), SPECTRUM_FLOOR_DB);
        const h = (1 - level / SPECTRUM_FLOOR_DB) * plot;
        ctx.fillStyle = level > RED_ABOVE_DB ? COLORS.red : level > GREEN_BELOW_DB ? COLORS.yellow : COLORS.green;
        ctx.fillRect(i * step + 1, plot - h, Math.max(1, step - 2), h);
      });
      ctx.fillStyle = COLORS.muted;
      ctx.font = "10px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      const every = Math.max(1, Math.ceil(bandsHz.length / 8));
      bandsHz.forEach((hz, i) => {
        if (i % every === 0) ctx.fillText(formatHz(hz), i * step + step / 2, height);
      });
    }
  }

  // One topic: its subscription, the latest snapshot, and its section of the page.
  class TopicPanel {
    constructor(info) {
      this.info = info;
      this.latest = null;
      this.drawnSeq = -1;
      this.arrivals = [];
      this.meters = [];
      this.readouts = [];
      this.delayMs = null;
      this.ended = info.state === "ended";  // until a snapshot says otherwise
      this.missed = 0;
      this.resetNote = "";
      this.textAt = 0;
      this.buildDom(info);
      this.subscription = levelcast.subscribe("", info.name, (s) => this.receive(s),
                                              pageToken ? { token: () => pageToken } : {});
      this.subscription.onevent = (event) => this.event(event);
    }

    buildDom(info) {
      const template = document.getElementById("topic-template");
      this.root = template.content.firstElementChild.cloneNode(true);
      this.root.dataset.topic = info.name || "";
      const find = (selector) => this.root.querySelector(selector);
      this.el = {
        name: find(".name"), kind: find(".kind"), state: find(".state"), readouts: find(".readouts"),
        loudness: find(".loudness"), spectrum: find("canvas.spectrum"), rate: find(".rate"),
        seq: find(".seq"), delay: find(".delay"), format: find(".format"), event: find(".event"),
      };
      this.el.name.textContent = info.name || "default topic";
      this.el.kind.textContent = info.kind && info.kind !== info.name ? info.kind : "";
      this.el.reset = find("button.reset");
      this.el.reset.hidden = !info.reset_loudness;
      this.el.reset.addEventListener("click", () => this.resetLoudness());
      this.meterDrawing = new MeterDrawing(find("canvas.meters"));
      this.spectrumDrawing = new SpectrumDrawing(this.el.spectrum);
      document.getElementById("topics").appendChild(this.root);
    }

    receive(snapshot) {
      this.latest = snapshot;
      this.ended = false;
      this.arrivals.push(performance.now());
    }

    // POST /topics/NAME/reset-loudness; the server answers every subscriber with an event.
    async resetLoudness() {
      this.el.reset.disabled = true;
      try {
        // Under access control the page's token must cover the topic.
        const response = await fetch("/topics/" + encodeURIComponent(this.info.name) + "/reset-loudness", {
          method: "POST", headers: pageToken ? { Authorization: "Bearer " + pageToken } : {},
        });
        if (!response.ok) this.resetNote = "reset refused (" + response.status + ")";
      } catch (e) {
        this.resetNote = "reset failed";
      } finally {
        this.el.reset.disabled = false;
      }
    }

    event(event) {
      if (event.event === "loudness-reset") this.resetNote = "loudness reset at " + new Date().toLocaleTimeString();
      if (event.event === "ended") this.ended = true;
      if (event.event === "missed") this.missed += event.count || 0;
    }

    // The readout row under the meters: one column per channel, lined up with the bars.
    buildReadouts(count) {
      const box = this.el.readouts;
      this.root.style.setProperty("--channels", Math.max(1, count));
      box.replaceChildren();
      const label = document.createElement("div");
      label.className = "label";
      label.innerHTML = "<span>rms</span><span>peak</span>";
      box.appendChild(label);
      this.readouts = [];
      for (let i = 0; i < count; i++) {
        const cell = document.createElement("div");
        cell.className = "channel";
        cell.innerHTML = '<output class="rms">–</output><output class="peak">–</output><span class="muted"></span>';
        cell.lastChild.textContent = channelName(i, count);
        box.appendChild(cell);
        this.readouts.push({ rms: cell.querySelector(".rms"), peak: cell.querySelector(".peak") });
      }
      this.meters = Array.from({ length: count }, () => new ChannelBallistics());
    }

    frame(now, dt) {
      const s = this.latest;
      const channels = s ? s.channels : [];
      if (channels.length !== this.meters.length) this.buildReadouts(channels.length);
      this.meters.forEach((meter, i) => meter.update(channels[i], now, dt));
      if (s && s.seq !== this.drawnSeq) {
        this.drawnSeq = s.seq;
        this.delayMs = Date.now() - s.ts / 1000;  // from measurement to the frame that shows it
      }
      this.meterDrawing.draw(this.meters, now);
      const bands = s && Array.isArray(s.bands) ? s.bands : null;
      this.el.spectrum.hidden = !bands;
      if (bands) this.spectrumDrawing.draw(bands, this.info.bands_hz || []);
      if (now - this.textAt >= TEXT_EVERY_MS) {
        this.textAt = now;
        this.updateText(now);
      }
    }

    // Snapshots received per second over the last two seconds; null until a second of them.
    measuredRate(now) {
      while (this.arrivals.length && now - this.arrivals[0] > RATE_WINDOW_MS) this.arrivals.shift();
      const n = this.arrivals.length;
      const span = n ? this.arrivals[n - 1] - this.arrivals[0] : 0;
      return span >= RATE_WINDOW_MS / 2 ? (n - 1) * 1000 / span : null;
    }

    updateText(now) {
      const s = this.latest;
      if (s && s.topic && !this.info.name) this.el.name.textContent = s.topic;
      this.readouts.forEach((out, i) => {
        const channel = s && s.channels[i];
        out.rms.textContent = formatDb(channel ? channel.rms : null);
        out.peak.textContent = formatDb(channel ? channel.peak : null);
      });
      const rate = this.measuredRate(now);
      this.el.rate.textContent = rate !== null ? rate.toFixed(1) : s ? String(s.rate) : "–";
      this.el.rate.title = s ? "announced: " + s.rate + "/s" : "";
      this.el.seq.textContent = s ? String(s.seq) : "–";
      this.el.delay.textContent = this.delayMs !== null ? String(Math.round(this.delayMs)) : "–";
      const st = this.subscription.state;
      this.el.format.textContent = st.transport === "sse" ? st.format + " over SSE" : st.format;
      this.updateLoudness(s);
      const staleMs = Math.max(1000, s ? 3000 / s.rate : 1000);
      const last = this.arrivals[this.arrivals.length - 1];
      this.root.classList.toggle("stale", !last || now - last > staleMs);
      const notes = [];
      if (this.ended) notes.push("the source has ended");
      if (this.missed) notes.push("missed " + this.missed + " snapshots");
      if (this.resetNote) notes.push(this.resetNote);
      this.el.event.textContent = notes.join(" · ");
      showState(this.el.state, this.ended ? { state: "ended" } : this.subscription.state);
    }

    updateLoudness(s) {
      const loudness = s && s.loudness;
      this.el.loudness.hidden = !loudness;
      if (!loudness) return;
      for (const key of ["momentary", "short_term", "integrated", "true_peak"]) {
        this.el.loudness.querySelector("." + key).textContent = formatDb(loudness[key]);
      }
      // Range and maxima only where the topic measures them (binary snapshots carry all three
      // when they carry one, so /topics decides).
      const fields = this.info.fields;
      for (const box of this.el.loudness.querySelectorAll("[data-field]")) {
        const value = loudness[box.dataset.field];
        box.hidden = value === undefined || (Array.isArray(fields) && !fields.includes("loudness." + box.dataset.field));
        if (value !== undefined) box.querySelector("output").textContent = formatDb(value);
      }
    }
  }

  function stateText(state) {
    const via = state.via ? " (" + state.via + ")" : "";
    if (state.state !== "reconnecting") return state.state + via;
    const seconds = Math.max(0, (state.retryAt - Date.now()) / 1000);
    return "reconnecting in " + seconds.toFixed(1) + " s" + via;
  }

  function showState(element, state) {
    const text = stateText(state);
    if (element.dataset.state !== state.state) element.dataset.state = state.state;
    if (element.textContent !== text) element.textContent = text;
  }

  const panels = [];

  // The page's badge: live when every topic is; otherwise the one that is furthest from it.
  // A topic that fell back to Server-Sent Events (WebSocket blocked on the way) says so.
  function overallState() {
    const order = ["reconnecting", "connecting", "closed", "live"];
    let worst = { state: "connecting", retryAt: 0 };
    const sse = panels.some((panel) => panel.subscription.state.transport === "sse");
    let rank = panels.length ? order.length : 1;
    for (const panel of panels) {
      const state = panel.subscription.state;
      const r = order.indexOf(state.state);
      if (r < rank) {
        rank = r;
        worst = state;
      }
    }
    return sse ? Object.assign({}, worst, { via: "SSE" }) : worst;
  }

  let lastFrame = 0;
  function loop(now) {
    const dt = lastFrame ? Math.min(0.25, (now - lastFrame) / 1000) : 0;
    lastFrame = now;
    for (const panel of panels) panel.frame(now, dt);
    showState(document.getElementById("connection"), overallState());
    requestAnimationFrame(loop);
  }

  async function start() {
    document.getElementById("server").textContent = location.host;
    const list = await levelcast.topics("", pageToken);
    let infos = [{ name: "", kind: "" }];
    if (list && Array.isArray(list.topics) && list.topics.length) {
      infos = list.topics.slice().sort((a, b) => (b.name === list.default) - (a.name === list.default));
    }
    for (const info of infos) panels.push(new TopicPanel(info));
    requestAnimationFrame(loop);
  }

  start();
})();
