/* Voice kiosk. Shows and reads aloud what /kiosk/api/... returns; no rules or replies of its own. */
(() => {
  "use strict";
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, props = {}, ...kids) => {
    const node = Object.assign(document.createElement(tag), props);
    kids.forEach((k) => node.append(k));
    return node;
  };
  const cfg = { idle_seconds: 90, warn_seconds: 15, tts: "server", speech: false };
  let sender = null, busy = false, lastTurn = null;
  let lastActivity = Date.now(), speechGen = 0, speaking = false;
  window.kioskSpoken = []; // [{mode, text}] — what was read aloud, for diagnostics and tests

  // ---- talking to the gateway ------------------------------------------------------------
  async function post(path, body, contentType = "application/json") {
    let res;
    try {
      res = await fetch(path, { method: "POST", headers: { "Content-Type": contentType },
        body: contentType === "application/json" ? JSON.stringify(body) : body });
    } catch (e) {
      throw new Error("网络断了，请请工作人员帮忙。");
    }
    let data = {};
    try { data = await res.json(); } catch (e) { /* not JSON */ }
    if (!res.ok) throw Object.assign(new Error(data.detail || "出了点问题，请再试一次。"), { status: res.status });
    return data;
  }

  async function step(fn) {
    if (busy) return;
    busy = true;
    stopSpeech();
    document.body.classList.add("busy");
    $("#notice").textContent = "";
    try {
      show(await fn());
    } catch (e) {
      $("#notice").textContent = e.message;
      speak([{ text: e.message, voice: e.message }], []);
      if (e.status === 404) reset(false);
    } finally {
      busy = false;
      document.body.classList.remove("busy");
    }
  }

  const start = () => step(async () => {
    const turn = await post("/kiosk/api/session", {});
    sender = turn.sender;
    return turn;
  });
  const choose = (text) => step(() => post("/kiosk/api/message", { sender, text }));

  // ---- showing a turn ----------------------------------------------------------------------
  function show(turn) {
    lastTurn = turn;
    document.body.dataset.state = turn.result ? "result" : "talk";
    $("#start").hidden = true;
    $("#talk").hidden = false;
    $("#repeat").hidden = $("#restart").hidden = false;
    $("#heard").textContent = turn.heard ? `您说的是：“${turn.heard}”` : "";
    const nodes = turn.messages.filter((m) => m.text).map((m) => {
      const p = el("p", { className: "msg", textContent: m.text });
      p.dataset.testid = "bot-message";
      p.dataset.voice = m.voice;
      return p;
    });
    $("#messages").replaceChildren(...nodes);
    renderResult(turn.result);
    const buttons = turn.messages.flatMap((m) => m.buttons || []);
    $("#choices").replaceChildren(...buttons.map((b) => {
      const btn = el("button", { className: "choice", textContent: b.title });
      btn.dataset.testid = "choice";
      btn.addEventListener("click", () => choose(b.payload));
      return btn;
    }));
    const offered = turn.asking && buttons.some((b) => b.payload.includes(`"${turn.asking.fact}"`));
    showKeypad(turn.asking && turn.asking.type === "int" && !offered ? turn.asking : null);
    $("#mic").hidden = !cfg.speech;
    speak(turn.messages.filter((m) => m.text), nodes);
  }

  function renderResult(result) {
    const box = $("#result");
    box.hidden = !result;
    if (!result) return box.replaceChildren();
    const list = (title, cards, testid) => {
      const ul = el("ul", {});
      ul.dataset.testid = testid;
      cards.forEach((c) => ul.append(el("li", {}, el("b", { textContent: c.name }), c.amount ? el("span", { textContent: ` ${c.amount}` }) : "")));
      return [el("h2", { textContent: title }), ul];
    };
    box.replaceChildren(...(result.eligible.length ? list("可以享受", result.eligible, "kiosk-eligible") : []),
      ...(result.possible.length ? list("可能可以享受（请找工作人员核实）", result.possible, "kiosk-possible") : []));
  }

  // ---- keypad for numbers (e.g. age) when the bot offers no buttons ------------------------
  let keypadFact = null;
  function showKeypad(asking) {
    keypadFact = asking;
    $("#keypad").hidden = !asking;
    $("#keypad-value").textContent = "";
    if (asking) $("#keypad-label").textContent = asking.label + "：";
  }
  function buildKeypad() {
    const keys = $("#keypad .keys");
    for (const k of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "删除", "确定"]) {
      const b = el("button", { className: "key", textContent: k });
      b.dataset.testid = `key-${k}`;
      b.addEventListener("click", () => {
        const out = $("#keypad-value");
        if (k === "删除") out.textContent = out.textContent.slice(0, -1);
        else if (k === "确定") {
          if (!out.textContent || !keypadFact) return;
          const facts = { [keypadFact.fact]: parseInt(out.textContent, 10) };
          step(() => post("/kiosk/api/facts", { sender, facts }));
        } else if (out.textContent.length < 3) out.textContent += k;
      });
      keys.append(b);
    }
  }

  // ---- reading aloud ---------------------------------------------------------------------
  // split a message into parts of at most `max` characters, at sentence ends, else at commas
  function chunks(text, max = 120) {
    const out = [];
    for (let part of text.match(/[^。！？；]+[。！？；]*/g) || []) {
      while (part.length > max) {
        const head = part.slice(0, max);
        const at = Math.max(head.lastIndexOf("，"), head.lastIndexOf("、"), head.lastIndexOf("："));
        const cut = at > max / 4 ? at + 1 : max;
        out.push(part.slice(0, cut));
        part = part.slice(cut);
      }
      if (out.length && (out[out.length - 1] + part).length <= max) out[out.length - 1] += part;
      else if (part) out.push(part);
    }
    return out;
  }

  let pending = []; // prefetched <audio> elements of the turn being read
  function stopSpeech() {
    speechGen += 1;
    speaking = false;
    for (const a of pending) { a.pause(); a.removeAttribute("src"); a.load(); }
    pending = [];
    if (window.speechSynthesis) window.speechSynthesis.cancel();
  }

  function speakBrowser(text) {
    return new Promise((resolve) => {
      if (!window.speechSynthesis) return resolve(false);
      const u = new SpeechSynthesisUtterance(text);
      u.lang = "zh-CN";
      u.rate = 0.85;
      const timer = setTimeout(() => resolve(true), Math.max(2000, text.length * 400));
      u.onend = u.onerror = () => { clearTimeout(timer); resolve(true); };
      window.kioskSpoken.push({ mode: "browser", text });
      window.speechSynthesis.speak(u);
    });
  }

  function fetchAudio(text, node) {
    const audio = new Audio();
    audio.preload = "auto";
    audio.addEventListener("loadeddata", () => { if (node && node.dataset.audio === "pending") node.dataset.audio = "loaded"; });
    audio.failed = new Promise((resolve) => audio.addEventListener("error", () => resolve(true)));
    audio.src = "/api/tts?text=" + encodeURIComponent(text);
    audio.load();
    pending.push(audio);
    return audio;
  }

  function playServer(audio, text) {
    return new Promise((resolve) => {
      window.kioskSpoken.push({ mode: "server", text });
      audio.addEventListener("ended", () => resolve(true));
      audio.failed.then(() => {
        if (!audio.getAttribute("src")) return resolve(true); // stopped on purpose
        cfg.tts = "browser"; // the gateway cannot speak: use the browser's voice from now on
        speakBrowser(text).then(resolve);
      });
      if (audio.error) return; // already failed: handled above
      audio.play().catch(() => { if (!audio.error) resolve(false); }); // autoplay refused: the text is on screen
    });
  }

  async function speak(messages, nodes) {
    stopSpeech();
    const gen = speechGen;
    if (cfg.tts === "off") return;
    // fetch every part of every message at once (no gaps), then play them in order
    const plan = messages.map((m, i) => {
      if (nodes[i]) nodes[i].dataset.audio = "pending";
      const parts = chunks(m.voice || m.text);
      if (nodes[i]) nodes[i].dataset.parts = JSON.stringify(parts);
      return parts.map((text) => ({ text, audio: cfg.tts === "server" ? fetchAudio(text, nodes[i]) : null }));
    });
    speaking = true;
    for (let i = 0; i < plan.length; i += 1) {
      for (const part of plan[i]) {
        if (gen !== speechGen) return;
        await (part.audio && cfg.tts === "server" ? playServer(part.audio, part.text) : speakBrowser(part.text));
      }
      if (gen !== speechGen) return;
      if (nodes[i]) nodes[i].dataset.audio = "done";
    }
    speaking = false;
    lastActivity = Date.now();
  }

  // ---- leaving: idle timeout, 重新开始, closing the page --------------------------------------
  function reset(tellServer = true) {
    stopSpeech();
    if (sender && tellServer) {
      fetch("/kiosk/api/end", { method: "POST", keepalive: true, headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender }) }).catch(() => {});
    }
    sender = null;
    lastTurn = null;
    ["#messages", "#choices", "#result"].forEach((s) => $(s).replaceChildren());
    ["#heard", "#notice"].forEach((s) => { $(s).textContent = ""; });
    showKeypad(null);
    $("#talk").hidden = $("#idle").hidden = true;
    $("#repeat").hidden = $("#restart").hidden = true;
    $("#start").hidden = false;
    document.body.dataset.state = "start";
  }

  function checkIdle() {
    if (document.body.dataset.state === "start") return;
    if (speaking) lastActivity = Date.now(); // the visitor is listening
    const idle = (Date.now() - lastActivity) / 1000;
    const left = Math.ceil(cfg.idle_seconds - idle);
    if (left <= 0) return reset();
    $("#idle").hidden = left > cfg.warn_seconds;
    $("#countdown").textContent = left;
  }

  // ---- microphone (only when a speech recogniser is configured) ------------------------------
  let recorder = null;
  async function toggleMic() {
    if (recorder) return recorder.stop();
    let stream;
    try { stream = await navigator.mediaDevices.getUserMedia({ audio: true }); } catch (e) {
      $("#notice").textContent = "话筒用不了，请按屏幕上的按钮。";
      return;
    }
    stopSpeech();
    const parts = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (ev) => parts.push(ev.data);
    recorder.onstop = () => {
      stream.getTracks().forEach((t) => t.stop());
      const blob = new Blob(parts, { type: recorder.mimeType || "audio/webm" });
      recorder = null;
      $("#mic span").textContent = "按一下，说话";
      $("#mic").classList.remove("on");
      step(() => post(`/kiosk/api/listen?sender=${encodeURIComponent(sender)}`, blob, blob.type || "audio/webm"));
    };
    recorder.start();
    $("#mic span").textContent = "正在听… 说完再按一下";
    $("#mic").classList.add("on");
    setTimeout(() => { if (recorder) recorder.stop(); }, 8000);
  }

  // ---- start -----------------------------------------------------------------------------
  ["pointerdown", "keydown", "touchstart"].forEach((t) => document.addEventListener(t, () => {
    lastActivity = Date.now();
    $("#idle").hidden = true;
  }, { passive: true }));
  $("#start-btn").addEventListener("click", start);
  $("#restart").addEventListener("click", () => { reset(); start(); });
  $("#repeat").addEventListener("click", () => {
    if (!lastTurn) return;
    speak(lastTurn.messages.filter((m) => m.text), [...document.querySelectorAll("[data-testid=bot-message]")]);
  });
  $("#stay").addEventListener("click", () => { $("#idle").hidden = true; });
  $("#mic").addEventListener("click", toggleMic);
  window.addEventListener("pagehide", () => {
    if (sender) navigator.sendBeacon("/kiosk/api/end", JSON.stringify({ sender }));
  });
  buildKeypad();
  fetch("/kiosk/api/config").then((r) => r.json()).then((c) => Object.assign(cfg, c)).catch(() => {});
  setInterval(checkIdle, 250);
})();
