// kampung serve: the page. It draws what the server sends (the model runs there)
// and sends the trainer's button presses and settings back. No libraries, no network
// besides its own server.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const STAGES = ["Before", "Immersion", "Investigation", "Design", "Action", "Organization", "Institution"];
  const STAGE_KEYS = ["immersion", "investigation", "design", "action", "organization"];
  const STAGE_COLOURS = ["#3b4a60", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#9b5de5", "#5f86b3"];
  const SIDE_COLOURS = ["#8ecae6", "#ffb703", "#ffffff"];
  const SPEEDS = [0.5, 1, 2, 4, 8, 15, 30, 60];
  const F = { CONTACT: 1, IDENTIFIED: 2, INTERVIEWED: 4, ATTENDED: 8, AT_MEETING: 16, PARTICIPATING: 32, MEMBER: 64, LEADER: 128 };
  const GREY = "#56657a";
  const GROUP_COLOURS = ["#8d99ae", "#6c8ebf", "#c9a227", "#7fb069", "#d17a22", "#8e7dbe"];

  // Everything the page knows; `window.kampung` lets tests read it.
  const S = {
    hello: null,
    epoch: -1,
    layoutId: -1,
    layouts: [],
    step: 0,
    steps: 0,
    state: [null, null],
    now: [null, null],
    history: [],
    said: [],
    connected: false,
    hellos: 0,
    frames: 0,
    seq: 0,
    bytes: 0,
    paints: 0,
    playing: false,
    paintMs: 0,
    errors: [],
    hover: null,
    detail: null,
  };
  window.kampung = S;

  // ---------------------------------------------------------------- the socket
  let ws = null;
  let retry = 500;
  function connect() {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      retry = 500;
      S.connected = true;
      setConn(true);
    };
    ws.onclose = () => {
      S.connected = false;
      setConn(false);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 4000);
    };
    ws.onerror = () => {};
    ws.onmessage = (ev) => {
      if (typeof ev.data === "string") onText(ev.data);
      else onBinary(ev.data);
    };
  }
  function send(msg) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
    else showError("Not connected to the server: reconnecting…");
  }
  function setConn(on) {
    const c = $("conn");
    c.textContent = on ? "● live" : "reconnecting…";
    c.className = "conn " + (on ? "on" : "off");
  }
  let errorTimer = null;
  function showError(text) {
    S.errors.push(text);
    const e = $("error");
    e.textContent = text;
    e.hidden = false;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(() => (e.hidden = true), 7000);
  }

  function onText(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (m.type === "hello") onHello(m);
    else if (m.type === "status") onStatus(m);
    else if (m.type === "error") showError(m.message);
    else if (m.type === "household") onHousehold(m);
  }

  function onBinary(buf) {
    const dv = new DataView(buf);
    const kind = dv.getUint8(0);
    if (kind === 76) onLayout(buf, dv); // 'L'
    else if (kind === 70) onFrame(buf, dv); // 'F'
  }

  function onLayout(buf, dv) {
    let o = 1;
    const id = dv.getUint32(o, true);
    o += 4;
    const count = dv.getUint8(o);
    o += 1;
    const layouts = [];
    for (let k = 0; k < count; k++) {
      const n = dv.getUint32(o, true);
      const m = dv.getUint32(o + 4, true);
      o += 8;
      const xy = new Uint16Array(buf.slice(o, o + 4 * n));
      o += 4 * n;
      const groups = new Uint8Array(buf.slice(o, o + n));
      o += n;
      const marg = new Uint8Array(buf.slice(o, o + n));
      o += n;
      const edges = new Uint32Array(buf.slice(o, o + 8 * m));
      o += 8 * m;
      layouts.push({ n, m, xy, groups, marg, edges, bg: null, bgKey: "" });
    }
    S.layoutId = id;
    S.layouts = layouts;
    draw();
  }

  function layoutOf(side) {
    return S.layouts[Math.min(side, S.layouts.length - 1)];
  }

  // A frame: the households' state in full, or only what changed since the frame
  // before (then it applies only if that frame was the last one taken).
  let stale = 0;
  function onFrame(buf, dv) {
    const epoch = dv.getUint32(1, true);
    if (!S.hello || epoch !== S.epoch) return;
    const seq = dv.getUint32(5, true);
    const step = dv.getUint32(9, true);
    const jlen = dv.getUint32(13, true);
    let o = 17;
    const info = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, o, jlen)));
    o += jlen;
    const parts = [];
    for (let side = 0; side < 2; side++) {
      const mode = dv.getUint8(o);
      const n = dv.getUint32(o + 1, true);
      o += 5;
      if (mode === 0) {
        parts.push({ full: new Uint8Array(buf.slice(o, o + 2 * n)) });
        o += 2 * n;
      } else {
        const k = dv.getUint32(o, true);
        o += 4;
        const st = S.state[side];
        if (!st || st.length !== 2 * n || seq !== S.seq + 1) {
          // A change to a state this page does not have: wait for a full frame.
          if (++stale > 40) {
            stale = 0;
            send({ type: "hello" });
          }
          return;
        }
        parts.push({ at: o, k });
        o += 6 * k;
      }
    }
    stale = 0;
    parts.forEach((p, side) => {
      if (p.full) {
        S.state[side] = p.full;
        return;
      }
      const st = S.state[side];
      for (let j = 0, a = p.at; j < p.k; j++, a += 6) {
        const i = dv.getUint32(a, true);
        st[2 * i] = dv.getUint8(a + 4);
        st[2 * i + 1] = dv.getUint8(a + 5);
      }
    });
    S.seq = seq;
    S.frames++;
    S.bytes += buf.byteLength;
    S.step = step;
    S.now = info.now;
    if (info.p) {
      if (S.history.length > step) S.history.length = step;
      while (S.history.length < step) S.history.push(S.history[S.history.length - 1] || info.p);
      S.history.push(info.p);
    }
    for (const a of info.said || []) addSaid(a);
    draw();
  }

  function onHello(h) {
    S.hello = h;
    S.hellos++;
    S.epoch = h.epoch;
    S.step = h.step;
    S.steps = h.steps;
    S.history = h.history.slice();
    S.seq = 0;
    S.said = [];
    S.now = h.now;
    $("log").innerHTML = "";
    for (const a of h.said) addSaid(a, true);
    if (!h.said.length) setBanner(null);
    $("scenario-name").textContent = h.scenario.name;
    $("meta").textContent = `${h.households[0].toLocaleString()} households · seed ${h.seed}`;
    document.querySelectorAll(".unit").forEach((e) => (e.textContent = h.unit));
    $("unit").textContent = h.unit;
    $("steps").textContent = h.steps;
    $("label0").textContent = h.labels[0];
    $("label1").textContent = h.labels[1];
    fillLessons(h);
    fillSettings(h);
    onStatus(h);
    draw();
  }

  function onStatus(m) {
    S.playing = !!m.playing;
    draw();
    $("play").classList.toggle("on", !!m.playing);
    $("pause").classList.toggle("on", !m.playing);
    $("hold").checked = !!m.hold;
    let k = SPEEDS.findIndex((s) => s >= m.speed - 1e-9);
    if (k < 0) k = SPEEDS.length - 1;
    $("speed").value = k;
    $("speed-label").textContent = `${m.speed}/s`;
  }

  // ------------------------------------------------------------- announcements
  function addSaid(a, quiet) {
    S.said.push(a);
    const li = document.createElement("li");
    li.className = ["l", "r", "b"][a.side] || "b";
    const b = document.createElement("b");
    b.textContent = `${S.hello ? S.hello.unit : "week"} ${a.step}`;
    li.appendChild(b);
    li.appendChild(document.createTextNode(a.title));
    li.title = a.text;
    const log = $("log");
    log.insertBefore(li, log.firstChild);
    while (log.children.length > 12) log.removeChild(log.lastChild);
    if (a.kind === "stage" || a.kind === "skip" || a.kind === "exit" || a.kind === "organization") setBanner(a);
  }

  function setBanner(a) {
    const b = $("banner");
    if (!a) {
      $("banner-title").textContent = "Before the organizer arrives";
      $("banner-text").textContent = "Press Play: the organizer comes to both villages.";
      b.style.borderLeftColor = STAGE_COLOURS[0];
      return;
    }
    $("banner-title").textContent = `${S.hello ? cap(S.hello.unit) : "Week"} ${a.step} · ${a.title}`;
    $("banner-text").textContent = a.text;
    b.style.borderLeftColor = a.stage != null ? STAGE_COLOURS[a.stage] : SIDE_COLOURS[a.side];
  }

  function cap(s) {
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  // ------------------------------------------------------------------ lessons
  let lessonsKey = "";
  function fillLessons(h) {
    const sel = $("lesson");
    const key = JSON.stringify(h.lessons);
    if (key !== lessonsKey) {
      lessonsKey = key;
      sel.innerHTML = "";
      const d = document.createElement("option");
      d.value = "";
      d.textContent = "The default village (no lesson)";
      sel.appendChild(d);
      for (const l of h.lessons) {
        const o = document.createElement("option");
        o.value = l.name;
        o.textContent = l.title.replace(/^Training lesson /, "Lesson ");
        sel.appendChild(o);
      }
    }
    sel.value = h.lesson ? h.lesson.name : "";
    const t = $("lesson-text");
    t.innerHTML = "";
    if (!h.lesson) {
      const p = document.createElement("p");
      p.textContent = h.scenario.description || "";
      t.appendChild(p);
      const q = document.createElement("p");
      q.className = "muted";
      q.textContent = "Pick a lesson to load its village and read its questions to the room.";
      t.appendChild(q);
      return;
    }
    const title = document.createElement("p");
    title.className = "title";
    title.textContent = h.lesson.title.replace(/^Training lesson /, "Lesson ");
    t.appendChild(title);
    // The questions for the room first; what the result shows and the rest folded.
    const ask = h.lesson.sections.filter((s) => /^ASK/.test(s.heading));
    const shows = h.lesson.sections.filter((s) => s.heading && !/^ASK/.test(s.heading));
    const rest = h.lesson.sections.filter((s) => !s.heading);
    for (const s of ask) {
      const hd = document.createElement("h4");
      hd.textContent = sentence(s.heading);
      t.appendChild(hd);
      const p = document.createElement("p");
      p.className = "ask";
      p.textContent = s.body;
      t.appendChild(p);
    }
    const fold = (label, sections) => {
      if (!sections.length) return;
      const d = document.createElement("details");
      const sm = document.createElement("summary");
      sm.textContent = label;
      d.appendChild(sm);
      for (const s of sections) {
        const p = document.createElement("p");
        p.textContent = s.body;
        d.appendChild(p);
      }
      t.appendChild(d);
    };
    for (const s of shows) fold(sentence(s.heading), [s]);
    fold("About this lesson's villages", rest);
  }

  function sentence(s) {
    return s.charAt(0) + s.slice(1).toLowerCase();
  }

  // ----------------------------------------------------------------- settings
  function fillSettings(h) {
    const s = h.settings[1];
    const box = $("stage-settings");
    if (!box.children.length) {
      STAGE_KEYS.forEach((key, k) => {
        const row = document.createElement("div");
        row.className = "stage-row";
        const name = document.createElement("span");
        name.textContent = `${k + 1} ${cap(key)}`;
        row.appendChild(name);
        const seg = document.createElement("div");
        seg.className = "seg";
        seg.id = "stage-" + key;
        for (const [mode, label] of [["planned", "Planned"], ["rushed", "Rushed"], ["skipped", "Skipped"]]) {
          const b = document.createElement("button");
          b.textContent = label;
          b.dataset.mode = mode;
          b.onclick = () => send({ type: "set", key: "stage." + key, value: mode });
          seg.appendChild(b);
        }
        row.appendChild(seg);
        box.appendChild(row);
      });
    }
    STAGE_KEYS.forEach((key, k) => {
      for (const b of $("stage-" + key).children) b.classList.toggle("on", b.dataset.mode === s.stages[k]);
      $("stage-" + key).children[1].title = `At most ${h.limits.rushed_steps} ${h.unit}s`;
    });
    $("facilitation").value = s.facilitation;
    $("targeting").value = s.targeting;
    const c = $("contacts");
    c.max = Math.max(50, s.contacts_per_step * 2);
    c.value = s.contacts_per_step;
    $("contacts-value").textContent = s.contacts_per_step;
    const e = $("exit");
    e.min = h.limits.exit_min;
    e.max = h.limits.exit_max;
    e.value = s.exit_step;
    $("exit-value").textContent = s.exit_step >= h.limits.exit_max ? `${s.exit_step} (stays to the end)` : s.exit_step;
    $("bias").value = s.systemic_bias;
    $("bias-value").textContent = s.systemic_bias.toFixed(2);
    $("capture").max = h.limits.elite_capture_max;
    $("capture").value = s.elite_capture;
    $("capture-value").textContent = s.elite_capture.toFixed(1);
  }

  function wireSettings() {
    const set = (key, value) => send({ type: "set", key, value });
    $("facilitation").onchange = (e) => set("facilitation", e.target.value);
    $("targeting").onchange = (e) => set("targeting", e.target.value);
    const slider = (id, key, label, fmt, num) => {
      const el = $(id);
      el.oninput = () => ($(label).textContent = fmt(num(el.value)));
      el.onchange = () => set(key, num(el.value));
    };
    slider("contacts", "contacts_per_step", "contacts-value", (v) => v, (v) => parseInt(v, 10));
    slider("exit", "exit_step", "exit-value", (v) => v, (v) => parseInt(v, 10));
    slider("bias", "systemic_bias", "bias-value", (v) => v.toFixed(2), parseFloat);
    slider("capture", "elite_capture", "capture-value", (v) => v.toFixed(1), parseFloat);
    $("restore").onclick = () => send({ type: "restore" });
    $("lesson").onchange = (e) => send({ type: "lesson", name: e.target.value });
    $("new-village").onclick = () => send({ type: "village", seed: $("seed").value.trim() || null });
    $("seed").onkeydown = (e) => {
      if (e.key === "Enter") $("new-village").click();
    };
    $("play").onclick = () => send({ type: "play" });
    $("pause").onclick = () => send({ type: "pause" });
    $("step-once").onclick = () => send({ type: "step" });
    $("reset").onclick = () => send({ type: "reset" });
    $("speed").oninput = (e) => ($("speed-label").textContent = `${SPEEDS[e.target.value]}/s`);
    $("speed").onchange = (e) => send({ type: "speed", value: SPEEDS[e.target.value] });
    $("hold").onchange = (e) => send({ type: "hold", value: e.target.checked });
    document.addEventListener("keydown", (e) => {
      if (e.target.tagName === "INPUT" || e.target.tagName === "SELECT") return;
      if (e.key === " ") {
        e.preventDefault();
        send({ type: $("play").classList.contains("on") ? "pause" : "play" });
      } else if (e.key === "ArrowRight") send({ type: "step" });
    });
  }

  // ------------------------------------------------------------------ drawing
  let raf = 0;
  let lastSlow = 0;
  function draw() {
    if (!raf) raf = requestAnimationFrame(paint);
  }

  function paint() {
    raf = 0;
    if (!S.hello) return;
    S.paints++;
    const t0 = performance.now();
    const stepText = String(S.step);
    if ($("step").textContent !== stepText) $("step").textContent = stepText;
    // The villages every frame; the charts and timelines at most ten times a second
    // while playing (they move a pixel at a time), always when stopped.
    const slow = t0 - lastSlow > 95 || !S.playing;
    if (slow) lastSlow = t0;
    for (let side = 0; side < 2; side++) {
      paintStages(side);
      if (slow) paintTimeline(side);
      paintVillage(side);
      paintFigures(side);
    }
    if (slow) paintCharts();
    S.paintMs += performance.now() - t0;
  }

  // Canvas sizes in CSS pixels, kept up to date by a ResizeObserver so that
  // painting never forces a layout.
  const sizes = new Map();
  const observer = new ResizeObserver((entries) => {
    for (const e of entries) sizes.set(e.target, { w: e.contentRect.width, h: e.contentRect.height });
    draw();
  });
  function fit(canvas) {
    let r = sizes.get(canvas);
    if (!r) {
      const b = canvas.getBoundingClientRect();
      r = { w: b.width, h: b.height };
      sizes.set(canvas, r);
      observer.observe(canvas);
    }
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(r.w * dpr));
    const h = Math.max(1, Math.round(r.h * dpr));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    return { w, h, dpr };
  }

  function stageOf(side) {
    return S.now && S.now[side] ? S.now[side].stage : 0;
  }

  const stagesShown = ["", ""];
  function paintStages(side) {
    const ol = $("stages" + side);
    const stage = stageOf(side);
    const modes = S.hello.settings[side].stages;
    const key = `${stage}|${modes.join()}`;
    if (stagesShown[side] === key && ol.children.length === 6) return;
    stagesShown[side] = key;
    if (ol.children.length !== 6) {
      ol.innerHTML = "";
      for (let k = 1; k <= 6; k++) {
        const li = document.createElement("li");
        li.textContent = k <= 5 ? `${k} ${STAGES[k]}` : "Institution";
        ol.appendChild(li);
      }
    }
    for (let k = 1; k <= 6; k++) {
      const li = ol.children[k - 1];
      const skipped = k <= 5 && modes[k - 1] === "skipped";
      li.className = skipped ? "skipped" : k === stage ? "now" : k < stage ? "done" : "";
      li.style.background = k === stage || (k < stage && !skipped) ? STAGE_COLOURS[k] : "";
      if (k <= 5 && modes[k - 1] === "rushed") li.textContent = `${k} ${STAGES[k]} (rushed)`;
      else li.textContent = k <= 5 ? `${k} ${STAGES[k]}` : "Institution";
    }
  }

  function paintTimeline(side) {
    const c = $("timeline" + side);
    const { w, h } = fit(c);
    const g = c.getContext("2d");
    g.clearRect(0, 0, w, h);
    g.fillStyle = "#223047";
    g.fillRect(0, 0, w, h);
    const steps = Math.max(1, S.steps);
    const x = (t) => (t / steps) * w;
    for (let t = 0; t < S.history.length; t++) {
      g.fillStyle = STAGE_COLOURS[S.history[t][side][0]];
      g.fillRect(x(t), 0, Math.ceil(x(t + 1) - x(t)) + 0.5, h);
    }
    const exit = S.hello.exit[side];
    if (exit < steps) {
      g.fillStyle = "#fff";
      g.fillRect(x(exit) - 1, 0, 2, h);
    }
    g.fillStyle = "#fff";
    g.beginPath();
    const cx = x(S.step);
    g.moveTo(cx - 5, 0);
    g.lineTo(cx + 5, 0);
    g.lineTo(cx, h * 0.6);
    g.fill();
  }

  // Colour of a household of a side in a stage: an index into a palette per stage,
  // so that households of one colour are drawn in one go.
  function palette(stage) {
    switch (stage) {
      case 1: {
        const p = [];
        for (let k = 0; k < 8; k++) p.push(mix(GREY, "#3ddc97", k / 7));
        return p;
      }
      case 2:
        return [GREY, "#6cb4ff", "#ff9f1c", "#8a5a2b"];
      case 3:
        return [GREY, "#8c7a3d", "#ffd166"];
      case 4:
        return [GREY, "#7a5968", "#ff5d8f"];
      case 5:
      case 6:
        return [GREY, "#b07cff", "#ffffff"];
      default:
        return GROUP_COLOURS;
    }
  }

  function colourIndex(stage, f, trust, group) {
    switch (stage) {
      case 1:
        return Math.min(7, Math.round((trust / 15) * 7));
      case 2:
        if (f & F.INTERVIEWED) return f & F.IDENTIFIED ? 2 : 1;
        return f & F.IDENTIFIED ? 3 : 0;
      case 3:
        return f & F.AT_MEETING ? 2 : f & F.ATTENDED ? 1 : 0;
      case 4:
        return f & F.PARTICIPATING ? 2 : f & F.ATTENDED ? 1 : 0;
      case 5:
      case 6:
        return f & F.LEADER ? 2 : f & F.MEMBER ? 1 : 0;
      default:
        return group % GROUP_COLOURS.length;
    }
  }

  function legendFor(stage) {
    const marg = margName();
    const common = `<span><i class="sq" style="background:#aab"></i>${marg} (squares)</span><span><i class="ring"></i>visited this ${S.hello.unit}</span>`;
    const item = (c, t) => `<span><i style="background:${c}"></i>${t}</span>`;
    switch (stage) {
      case 1:
        return item("#3ddc97", "trusts the organizer") + item(mix(GREY, "#3ddc97", 0.4), "some trust") + item(GREY, "not yet") + common;
      case 2:
        return item("#ff9f1c", "interviewed, found marginalized") + item("#6cb4ff", "interviewed") + item("#8a5a2b", "looks poor (not yet asked)") + common;
      case 3:
        return item("#ffd166", "at the latest musyawarah") + item("#8c7a3d", "came before") + item(GREY, "not come") + common;
      case 4:
        return item("#ff5d8f", "taking part in the action") + item("#7a5968", "came to meetings") + item(GREY, "not taking part") + common;
      case 5:
      case 6:
        return item("#ffffff", "leader") + item("#b07cff", "member") + item(GREY, "not a member") + common;
      default:
        return S.hello.groups.map((g, k) => item(GROUP_COLOURS[k % GROUP_COLOURS.length], g.name)).join("") + common;
    }
  }

  function margName() {
    const g = S.hello.groups.filter((x) => x.marginalized).map((x) => x.name);
    return g.length ? `${g.join(", ")}: marginalized` : "marginalized";
  }

  function mix(a, b, t) {
    const p = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const x = p(a);
    const y = p(b);
    const c = x.map((v, i) => Math.round(v + (y[i] - v) * t));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }

  const legendShown = ["", ""];
  function paintVillage(side) {
    const canvas = $("net" + side);
    const { w, h, dpr } = fit(canvas);
    const g = canvas.getContext("2d");
    const L = layoutOf(side);
    const st = S.state[side];
    g.clearRect(0, 0, w, h);
    if (!L || !st) return;
    const size = Math.min(w, h) - 16 * dpr;
    const ox = (w - size) / 2;
    const oy = (h - size) / 2;
    L.view = { ox, oy, size, dpr };
    const key = `${w}x${h}:${S.layoutId}`;
    if (L.bgKey !== key) {
      const bg = document.createElement("canvas");
      bg.width = w;
      bg.height = h;
      const b = bg.getContext("2d");
      b.strokeStyle = L.m > 20000 ? "rgba(140,160,190,0.07)" : "rgba(140,160,190,0.16)";
      b.lineWidth = dpr;
      b.beginPath();
      for (let e = 0; e < L.m; e++) {
        const a = L.edges[2 * e];
        const c = L.edges[2 * e + 1];
        b.moveTo(ox + (L.xy[2 * a] / 65535) * size, oy + (L.xy[2 * a + 1] / 65535) * size);
        b.lineTo(ox + (L.xy[2 * c] / 65535) * size, oy + (L.xy[2 * c + 1] / 65535) * size);
      }
      b.stroke();
      L.bg = bg;
      L.bgKey = key;
    }
    g.drawImage(L.bg, 0, 0);
    const stage = stageOf(side);
    const pal = palette(stage);
    const n = Math.min(L.n, st.length / 2);
    const r = Math.max(1.3 * dpr, Math.min(7 * dpr, (size / Math.sqrt(Math.max(1, n))) * 0.3));
    const paths = pal.map(() => new Path2D());
    const big = new Path2D();
    const rings = new Path2D();
    for (let i = 0; i < n; i++) {
      const f = st[2 * i];
      const x = ox + (L.xy[2 * i] / 65535) * size;
      const y = oy + (L.xy[2 * i + 1] / 65535) * size;
      const ci = colourIndex(stage, f, st[2 * i + 1] >> 4, L.groups[i]);
      const p = paths[ci];
      const rr = (stage >= 5 && f & F.LEADER) ? r * 1.6 : r;
      if (L.marg[i]) {
        p.rect(x - rr * 0.9, y - rr * 0.9, rr * 1.8, rr * 1.8);
      } else {
        p.moveTo(x + rr, y);
        p.arc(x, y, rr, 0, 6.2832);
      }
      if (f & F.CONTACT) {
        rings.moveTo(x + rr + 3 * dpr, y);
        rings.arc(x, y, rr + 3 * dpr, 0, 6.2832);
      }
    }
    pal.forEach((c, k) => {
      g.fillStyle = c;
      g.fill(paths[k]);
    });
    g.fill(big);
    g.strokeStyle = "#ffffff";
    g.lineWidth = 2.5 * dpr;
    g.stroke(rings);
    if (S.hover && S.hover.side === side && S.hover.index < n) {
      const i = S.hover.index;
      g.strokeStyle = SIDE_COLOURS[side];
      g.lineWidth = 3 * dpr;
      g.beginPath();
      g.arc(ox + (L.xy[2 * i] / 65535) * size, oy + (L.xy[2 * i + 1] / 65535) * size, r + 6 * dpr, 0, 6.2832);
      g.stroke();
    }
    const lk = `${stage}`;
    if (legendShown[side] !== lk) {
      legendShown[side] = lk;
      $("legend" + side).innerHTML = legendFor(stage);
    }
    if (S.hover && S.hover.side === side) showTip();
  }

  function paintFigures(side) {
    const p = S.history[S.history.length - 1];
    const now = S.now && S.now[side];
    if (!p || !now) return;
    const q = p[side];
    const pct = (x) => `${Math.round(x * 100)}%`;
    const figs = [
      [pct(q[1]), "trust organizer"],
      [pct(q[4]), "taking part"],
      [pct(now.members), "members"],
      [q[2].toFixed(2), "capacity"],
      [q[3].toFixed(2), "access gap"],
    ];
    const box = $("figures" + side);
    if (box.children.length !== figs.length) {
      box.innerHTML = figs.map(() => "<div><b></b><span></span></div>").join("");
    }
    figs.forEach(([v, t], k) => {
      const [b, span] = box.children[k].children;
      if (b.textContent !== v) b.textContent = v;
      if (span.textContent !== t) span.textContent = t;
    });
  }

  const CHARTS = [
    ["chart-trust", 1, true],
    ["chart-participation", 4, true],
    ["chart-capacity", 2, false],
    ["chart-gap", 3, false],
  ];

  function paintCharts() {
    for (const [id, k, pct] of CHARTS) paintChart($(id), k, pct);
  }

  function paintChart(c, k, pct) {
    const { w, h, dpr } = fit(c);
    const g = c.getContext("2d");
    g.clearRect(0, 0, w, h);
    const H = S.history;
    // The weeks shown grow with the run, so that the first stages are not squeezed.
    const steps = Math.max(1, Math.min(S.steps, Math.max(52, Math.ceil(H.length * 1.25))));
    let lo = 0;
    let hi = 1;
    for (const p of H) {
      for (let s = 0; s < 2; s++) {
        lo = Math.min(lo, p[s][k]);
        hi = Math.max(hi, p[s][k]);
      }
    }
    const padL = 34 * dpr;
    const padB = 16 * dpr;
    const band = 5 * dpr;
    const pw = w - padL - 4 * dpr;
    const top = 9 * dpr;
    const ph = h - padB - 2 * band - top - 2 * dpr;
    const x = (t) => padL + (t / steps) * pw;
    const y = (v) => top + ph - ((v - lo) / (hi - lo || 1)) * ph;
    // Stage shading: the left village's stages behind, both villages' in two bands.
    for (let t = 0; t < H.length; t++) {
      const s0 = H[t][0][0];
      const s1 = H[t][1][0];
      const x0 = x(t);
      const dx = Math.ceil(x(t + 1) - x0) + 0.5;
      if (s0 > 0) {
        g.fillStyle = STAGE_COLOURS[s0] + "26";
        g.fillRect(x0, top, dx, ph);
      }
      g.fillStyle = STAGE_COLOURS[s0];
      g.fillRect(x0, top + ph + 2 * dpr, dx, band - dpr);
      g.fillStyle = STAGE_COLOURS[s1];
      g.fillRect(x0, top + ph + 2 * dpr + band, dx, band - dpr);
    }
    g.strokeStyle = "#3a4a60";
    g.lineWidth = dpr;
    g.fillStyle = "#93a4b8";
    g.font = `${11 * dpr}px sans-serif`;
    g.textAlign = "right";
    g.textBaseline = "middle";
    for (const v of [lo, (lo + hi) / 2, hi]) {
      g.beginPath();
      g.moveTo(padL, y(v));
      g.lineTo(padL + pw, y(v));
      g.stroke();
      g.fillText(pct ? `${Math.round(v * 100)}%` : v.toFixed(1), padL - 4 * dpr, y(v));
    }
    for (let s = 0; s < 2; s++) {
      const exit = S.hello.exit[s];
      if (exit < steps) {
        g.strokeStyle = SIDE_COLOURS[s];
        g.setLineDash([4 * dpr, 4 * dpr]);
        g.beginPath();
        g.moveTo(x(exit), top);
        g.lineTo(x(exit), top + ph);
        g.stroke();
        g.setLineDash([]);
      }
    }
    for (let s = 1; s >= 0; s--) {
      g.strokeStyle = SIDE_COLOURS[s];
      g.lineWidth = (s === 0 ? 2.5 : 2.5) * dpr;
      g.beginPath();
      H.forEach((p, t) => (t ? g.lineTo(x(t), y(p[s][k])) : g.moveTo(x(t), y(p[s][k]))));
      g.stroke();
    }
    g.fillStyle = "#93a4b8";
    g.textBaseline = "bottom";
    g.textAlign = "left";
    g.fillText(`${S.hello.unit} 0`, padL, h);
    g.textAlign = "right";
    g.fillText(`${steps}`, padL + pw, h);
    g.textAlign = "left";
    g.textBaseline = "top";
    g.fillStyle = SIDE_COLOURS[0];
    g.fillText("left", padL + 4 * dpr, top + 2 * dpr);
    g.fillStyle = SIDE_COLOURS[1];
    g.fillText("right", padL + 34 * dpr, top + 2 * dpr);
  }

  // -------------------------------------------------------------------- hover
  let lastInspect = 0;
  function onMove(side, ev) {
    const L = layoutOf(side);
    if (!L || !L.view) return;
    const canvas = $("net" + side);
    const rect = canvas.getBoundingClientRect();
    const { ox, oy, size, dpr } = L.view;
    const px = (ev.clientX - rect.left) * dpr;
    const py = (ev.clientY - rect.top) * dpr;
    let best = -1;
    let bd = Infinity;
    for (let i = 0; i < L.n; i++) {
      const dx = ox + (L.xy[2 * i] / 65535) * size - px;
      const dy = oy + (L.xy[2 * i + 1] / 65535) * size - py;
      const d = dx * dx + dy * dy;
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    const lim = 14 * dpr;
    if (best < 0 || bd > lim * lim) {
      hideTip();
      return;
    }
    const changed = !S.hover || S.hover.side !== side || S.hover.index !== best;
    S.hover = { side, index: best, x: ev.clientX, y: ev.clientY };
    if (changed) S.detail = null;
    const t = performance.now();
    if (changed || t - lastInspect > 1000) {
      lastInspect = t;
      send({ type: "inspect", side, household: best });
    }
    draw();
  }

  function onHousehold(m) {
    if (S.hover && S.hover.side === m.side && S.hover.index === m.info.index) {
      S.detail = m.info;
      showTip();
    }
  }

  function hideTip() {
    if (S.hover) {
      S.hover = null;
      S.detail = null;
      $("tip").hidden = true;
      draw();
    }
  }

  function showTip() {
    const hv = S.hover;
    if (!hv) return;
    const L = layoutOf(hv.side);
    const st = S.state[hv.side];
    if (!L || !st) return;
    const i = hv.index;
    const f = st[2 * i];
    const g = S.hello.groups[L.groups[i]];
    const d = S.detail;
    const words = [];
    if (f & F.CONTACT) words.push(`visited by the organizer this ${S.hello.unit}`);
    if (f & F.INTERVIEWED) words.push("interviewed");
    if (f & F.IDENTIFIED) words.push("identified as marginalized");
    if (f & F.AT_MEETING) words.push("at the latest meeting");
    else if (f & F.ATTENDED) words.push("came to a meeting");
    if (f & F.PARTICIPATING) words.push("taking part in the action");
    if (f & F.LEADER) words.push("a leader");
    else if (f & F.MEMBER) words.push("a member");
    let html = `<b>Household ${i}</b> · ${g ? esc(g.name) : ""}${L.marg[i] ? " (marginalized)" : ""}<br>`;
    const trust = d ? d.trust : (st[2 * i + 1] >> 4) / 15;
    const aware = d ? d.awareness : (st[2 * i + 1] & 15) / 15;
    html += `trust in the organizer ${Math.round(trust * 100)}% · awareness ${Math.round(aware * 100)}%<br>`;
    if (d) {
      html += `resources ${d.resources.toFixed(1)} · access ${d.access.toFixed(2)} · ${d.ties} ties<br>`;
      html += `believes acting together works ${Math.round(d.efficacy * 100)}% · cares most about ${esc(d.issue)}<br>`;
    }
    const all = d && d.status && d.status.length ? d.status : words;
    html += all.length ? esc(all.join(", ")) : "<span class='muted'>not yet reached by the organizing</span>";
    const tip = $("tip");
    tip.innerHTML = html;
    tip.hidden = false;
    const x = Math.min(hv.x + 16, window.innerWidth - tip.offsetWidth - 8);
    const y = Math.min(hv.y + 16, window.innerHeight - tip.offsetHeight - 8);
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  // --------------------------------------------------------------------- start
  wireSettings();
  for (const side of [0, 1]) {
    const c = $("net" + side);
    c.addEventListener("mousemove", (e) => onMove(side, e));
    c.addEventListener("mouseleave", hideTip);
  }
  window.addEventListener("resize", draw);
  connect();
})();
