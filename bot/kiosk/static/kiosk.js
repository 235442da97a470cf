/* Voice kiosk. Shows and reads aloud what /kiosk/api/... returns; no rules or replies of its own.
   The result is the structured result payload: every label and service name comes from it. */
(() => {
  "use strict";
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, props = {}, ...kids) => {
    const node = Object.assign(document.createElement(tag), props);
    kids.forEach((k) => k !== null && k !== undefined && k !== "" && node.append(k));
    return node;
  };
  const testid = (node, id) => { node.dataset.testid = id; return node; };
  // the kiosk's own few words (everything else comes from the bot and the result payload)
  const TEXT = { qr: "用手机扫一扫，把结果带回家看", items: "项", more: "还有", print: "打印" };
  const cfg = { idle_seconds: 90, warn_seconds: 15, tts: "server", speech: false, print: false };
  let sender = null, busy = false, lastTurn = null, answered = 0;
  let lastActivity = Date.now(), speechGen = 0, speaking = false, warned = false;
  window.kioskSpoken = []; // [{mode, text}] — what was read aloud, for diagnostics and tests
  window.kioskTurns = 0; // turns shown so far (tests wait for the next one)

  // ---- talking to the gateway ------------------------------------------------------------
  async function post(path, body, contentType = "application/json") {
    let res;
    try {
      res = await fetch(path, { method: "POST", headers: { "Content-Type": contentType },
        body: contentType === "application/json" ? JSON.stringify(body) : body });
    } catch (e) {
      throw new Error("网络断了，请找工作人员帮忙。");
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
      speak([{ text: e.message, voice: e.message }]);
      if (e.status === 404) reset(false);
    } finally {
      busy = false;
      document.body.classList.remove("busy");
    }
  }

  const start = () => step(async () => {
    answered = 0;
    const turn = await post("/kiosk/api/session", {});
    sender = turn.sender;
    return turn;
  });
  const answer = (path, body, contentType) => step(async () => {
    const turn = await post(path, body, contentType);
    answered += 1;
    return turn;
  });
  const choose = (text) => answer("/kiosk/api/message", { sender, text });
  const back = () => step(() => post("/kiosk/api/back", { sender }));

  // ---- showing a turn ----------------------------------------------------------------------
  function show(turn) {
    lastTurn = turn;
    window.kioskTurns += 1;
    document.body.dataset.state = turn.result ? "result" : "talk";
    $("#start").hidden = true;
    $("#talk").hidden = false;
    $("#repeat").hidden = $("#restart").hidden = false;
    $("#back").hidden = answered === 0;
    $("#heard").textContent = turn.heard ? `您说的是：“${turn.heard}”` : "";
    const shown = turn.messages.filter((m) => m.text);
    const nodes = shown.map((m) => {
      const p = testid(el("p", { className: "msg", textContent: m.text }), "bot-message");
      p.dataset.voice = m.voice;
      return p;
    });
    $("#messages").replaceChildren(...nodes);
    $("#messages").hidden = !nodes.length;
    renderResult(turn.result);
    const buttons = turn.messages.flatMap((m) => m.buttons || []);
    $("#choices").replaceChildren(...buttons.map((b) => {
      const btn = testid(el("button", { className: "choice", textContent: b.title }), "choice");
      btn.addEventListener("click", () => choose(b.payload));
      return btn;
    }));
    const offered = turn.asking && buttons.some((b) => b.payload.includes(`"${turn.asking.fact}"`));
    showKeypad(turn.asking && turn.asking.type === "int" && !offered ? turn.asking : null);
    $("#mic").hidden = !cfg.speech;
    const items = shown.map((m, i) => ({ text: m.text, voice: m.voice, node: nodes[i] }));
    if (turn.result) items.push({ text: turn.result.spoken, voice: turn.result.voice, node: $("#result .headline") });
    speak(items);
    if (turn.result) $("main").scrollTo(0, 0);
  }

  // ---- the result: headline, money cards, the rest summarised; details, reading, QR, print ---
  function renderResult(result) {
    const box = $("#result");
    box.hidden = !result;
    if (!result) return box.replaceChildren();
    const L = result.labels || {};
    const cards = (result.groups || []).flatMap((g) => g.services || []);
    const money = cards.filter((c) => c.money);
    const others = (result.groups || []).map((g) => ({ ...g, services: (g.services || []).filter((c) => !c.money) }))
      .filter((g) => g.services.length);
    const headline = testid(el("h2", { className: "headline", textContent: result.headline || "" }), "result-headline");
    const main = el("section", { className: "money" });
    if (money.length) {
      main.append(el("h3", { textContent: L.money || "" }),
        testid(el("div", { className: "cards" }, ...money.map((c) => card(c, L))), "money-cards"));
    }
    const side = el("aside", { className: "side" });
    // the other services: one line; opened, by office. With no money cards they take their place, open.
    const otherFold = others.length ? fold(L.other || "", others, L, "other-group") : null;
    if (otherFold) (money.length ? side : main).append(otherFold);
    if ((result.possible_services || []).length) {
      side.append(fold(L.possible || "", [{ office: "", services: result.possible_services }], L, "possible-group"));
    }
    if ((result.undecided || []).length) {
      side.append(el("p", { className: "undecided", textContent: `${L.undecided || ""}：${result.undecided.join("、")}` }));
    }
    side.append(takeHome(result, L));
    const body = el("div", { className: "result-body" }, main, side);
    box.replaceChildren(headline, body, el("p", { className: "disclaimer", textContent: L.disclaimer || "" }));
    if (!main.childNodes.length) main.remove();
    else if (!money.length && otherFold) otherFold.querySelector(".fold").click();
  }

  function card(c, L) {
    const details = el("div", { className: "details" });
    details.hidden = true;
    const line = (label, text) => text ? el("p", {}, el("b", { textContent: `${label}：` }), text) : null;
    details.append(...[line(L.amount, (c.amounts || []).slice(1).join("；")), line(L.why, c.why),
      line(L.how, c.how_to_apply), line(L.missing, (c.missing || []).join("、")), line(L.citation, c.citation)]
      .filter(Boolean));
    const more = testid(el("button", { className: "small-btn", textContent: L.details || "" }), "card-details");
    more.setAttribute("aria-expanded", "false");
    more.addEventListener("click", () => {
      details.hidden = !details.hidden;
      more.setAttribute("aria-expanded", String(!details.hidden));
      if (!details.hidden) details.scrollIntoView({ block: "nearest" });
    });
    const read = testid(el("button", { className: "small-btn", textContent: L.read_one || "" }), "read-card");
    read.addEventListener("click", () => speak([{ text: c.spoken, voice: c.voice || c.spoken, node: read }]));
    const node = testid(el("article", { className: "card" + (c.money ? " money-card" : "") },
      el("div", { className: "card-name", textContent: c.name }),
      (c.amounts || [])[0] ? el("div", { className: "card-amount", textContent: c.amounts[0] }) : null,
      el("div", { className: "card-office", textContent: `${L.office || ""}：${c.office || c.department || ""}` }),
      el("div", { className: "card-actions" }, read, more), details), c.money ? "money-card" : "card");
    node.dataset.id = c.id;
    return node;
  }

  // groups of cards shown as one line (title · N项); tap to open: the cards office by office (each says its office)
  function fold(title, groups, L, id) {
    const n = groups.reduce((k, g) => k + g.services.length, 0);
    const list = el("div", { className: "folded cards" }, ...groups.flatMap((g) => g.services.map((c) => card(c, L))));
    list.hidden = true;
    const head = testid(el("button", { className: "fold", textContent: `${title} · ${n}${TEXT.items}` }), id);
    head.setAttribute("aria-expanded", "false");
    head.addEventListener("click", () => {
      list.hidden = !list.hidden;
      head.setAttribute("aria-expanded", String(!list.hidden));
      if (!list.hidden) head.scrollIntoView({ block: "start" });
    });
    return el("div", { className: "group" }, head, list);
  }

  // the take-home page's QR code (its address carries the facts in the fragment, never sent to a server)
  function takeHome(result, L) {
    const box = el("div", { className: "take-home" });
    if (!result.share && result.share !== "") return box;
    const url = `${location.origin}/result#${result.share}`;
    try {
      const qr = window.qrcode(0, "M");
      qr.addData(url);
      qr.make();
      const img = testid(el("img", { className: "qr", alt: TEXT.qr, src: qr.createDataURL(6, 3) }), "result-qr");
      img.dataset.url = url;
      box.append(img, el("p", { className: "qr-hint", textContent: TEXT.qr }));
    } catch (e) { /* no generator: the screen still shows the result */ }
    if (cfg.print) {
      const btn = testid(el("button", { className: "small-btn print", textContent: L.print || TEXT.print }), "print");
      btn.addEventListener("click", () => window.print());
      box.append(btn);
    }
    return box;
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
      const b = testid(el("button", { className: "key", textContent: k }), `key-${k}`);
      b.addEventListener("click", () => {
        const out = $("#keypad-value");
        if (k === "删除") out.textContent = out.textContent.slice(0, -1);
        else if (k === "确定") {
          if (!out.textContent || !keypadFact) return;
          const facts = { [keypadFact.fact]: parseInt(out.textContent, 10) };
          answer("/kiosk/api/facts", { sender, facts });
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

  // items: [{text, voice, node}] read one after the other; `listening` false for the idle warning
  // (the countdown goes on while it is read)
  async function speak(items, listening = true) {
    stopSpeech();
    const gen = speechGen;
    if (cfg.tts === "off") return;
    // fetch every part of every item at once (no gaps), then play them in order
    const plan = items.map(({ text, voice, node }) => {
      if (node) node.dataset.audio = "pending";
      const parts = chunks(voice || text || "");
      if (node) node.dataset.parts = JSON.stringify(parts);
      return { node, parts: parts.map((t) => ({ text: t, audio: cfg.tts === "server" ? fetchAudio(t, node) : null })) };
    });
    speaking = listening;
    for (const item of plan) {
      for (const part of item.parts) {
        if (gen !== speechGen) return;
        await (part.audio && cfg.tts === "server" ? playServer(part.audio, part.text) : speakBrowser(part.text));
      }
      if (gen !== speechGen) return;
      if (item.node) item.node.dataset.audio = "done";
    }
    speaking = false;
    if (listening) lastActivity = Date.now();
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
    answered = 0;
    warned = false;
    ["#messages", "#choices", "#result"].forEach((s) => $(s).replaceChildren());
    ["#heard", "#notice"].forEach((s) => { $(s).textContent = ""; });
    showKeypad(null);
    $("#result").hidden = true;
    $("#talk").hidden = $("#idle").hidden = true;
    $("#repeat").hidden = $("#restart").hidden = $("#back").hidden = true;
    $("#start").hidden = false;
    document.body.dataset.state = "start";
  }

  function checkIdle() {
    if (document.body.dataset.state === "start") return;
    if (speaking) lastActivity = Date.now(); // the visitor is listening
    const idle = (Date.now() - lastActivity) / 1000;
    const left = Math.ceil(cfg.idle_seconds - idle);
    if (left <= 0) return reset();
    const warn = left <= cfg.warn_seconds;
    $("#idle").hidden = !warn;
    $("#countdown").textContent = left;
    if (warn && !warned) { // said aloud too: the visitor may not be looking at the screen
      warned = true;
      const ask = $("#idle-ask");
      speak([{ text: ask.dataset.voice, voice: ask.dataset.voice, node: ask }], false);
    }
  }

  function touched() {
    lastActivity = Date.now();
    if (warned) { warned = false; stopSpeech(); }
    $("#idle").hidden = true;
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
      answer(`/kiosk/api/listen?sender=${encodeURIComponent(sender)}`, blob, blob.type || "audio/webm");
    };
    recorder.start();
    $("#mic span").textContent = "正在听… 说完再按一下";
    $("#mic").classList.add("on");
    setTimeout(() => { if (recorder) recorder.stop(); }, 8000);
  }

  // ---- start -----------------------------------------------------------------------------
  ["pointerdown", "keydown", "touchstart"].forEach((t) => document.addEventListener(t, touched, { passive: true }));
  $("#start-btn").addEventListener("click", start);
  $("#restart").addEventListener("click", () => { reset(); start(); });
  $("#back").addEventListener("click", back);
  $("#repeat").addEventListener("click", () => {
    if (!lastTurn) return;
    const nodes = [...document.querySelectorAll("[data-testid=bot-message]")];
    const items = lastTurn.messages.filter((m) => m.text).map((m, i) => ({ text: m.text, voice: m.voice, node: nodes[i] }));
    if (lastTurn.result) items.push({ text: lastTurn.result.spoken, voice: lastTurn.result.voice, node: $("#result .headline") });
    speak(items);
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
