/* The hand-off desk in the operator console: the queue of chats waiting for a person, and the
 * chat an operator has taken (profile and transcript so far, live messages, hand back / end).
 * Renders what /operator/api/handoff/... returns; the same operator token as the console. */
(() => {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const el = (tag, props = {}, ...kids) => {
    const node = Object.assign(document.createElement(tag), props);
    kids.forEach((k) => node.append(k));
    return node;
  };
  const CHANNELS = { web: "网页", wx: "微信" };
  const STATES = { queued: "等待中", taken: "已接手", returned: "已交回助手", closed: "已结束" };
  const WHO = { user: "用户：", operator: "我：", notice: "（提示）" };
  const OPEN_KEY = "opHandoff";
  let current = sessionStorage.getItem(OPEN_KEY) || null; // the case shown on the right
  let after = 0, timer = null, busy = false;

  function token() { return sessionStorage.getItem("opToken") || ""; }
  function loggedIn() { return !!token() && $("#login").hidden; }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method, headers: { "Content-Type": "application/json", "X-Operator-Token": token() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = {};
    try { data = await res.json(); } catch (e) { /* not JSON */ }
    if (!res.ok) { const err = new Error(data.detail || "出错了，请稍后再试。"); err.status = res.status; throw err; }
    return data;
  }

  const minutes = (s) => (s < 60 ? "不到1分钟" : `${Math.floor(s / 60)}分钟`);

  function renderQueue(data) {
    const box = $("#handoff");
    box.hidden = !data.enabled;
    if (!data.enabled) return;
    $("[data-testid=handoff-count]").textContent = `（${data.cases.length}）`;
    $("[data-testid=handoff-hours]").textContent =
      `人工时间：${data.hours}` + (data.open ? "（现在在服务时间）" : "（现在不在服务时间，用户会看到部门联系方式）");
    const list = $("[data-testid=handoff-queue]");
    list.replaceChildren();
    if (!data.cases.length) list.append(el("li", { className: "muted", textContent: "现在没有人在等。" }));
    for (const c of data.cases) {
      const li = el("li", { className: `case ${c.state}` },
        el("span", { className: "what", textContent: `${CHANNELS[c.channel] || c.channel}用户 · ${STATES[c.state]} · 已等${minutes(c.waiting_seconds)}` }));
      li.dataset.case = c.id;
      li.dataset.testid = "handoff-case";
      const label = c.state === "queued" ? "接手" : "打开";
      const btn = el("button", { type: "button", className: c.state === "queued" ? "primary" : "", textContent: label });
      btn.dataset.testid = c.state === "queued" ? "handoff-take" : "handoff-open";
      btn.addEventListener("click", () => (c.state === "queued" ? take(c.id) : open(c.id)));
      li.append(btn);
      list.append(li);
    }
  }

  function line(m) {
    const li = el("li", { className: m.who, textContent: (WHO[m.who] || "") + m.text });
    li.dataset.id = m.id;
    return li;
  }

  function renderCase(data, fresh) {
    const chat = $("[data-testid=handoff-chat]");
    chat.hidden = false;
    chat.dataset.case = data.id;
    $("[data-testid=handoff-state]").textContent =
      `${CHANNELS[data.channel] || data.channel}用户 · ${STATES[data.state]}` +
      (data.wechat_window_seconds != null ? ` · 微信还能回复${minutes(data.wechat_window_seconds)}` : "");
    if (fresh) {
      const facts = $("[data-testid=handoff-profile]");
      facts.replaceChildren(...(data.profile ? data.profile.known : []).map((f) => el("li", { textContent: `${f.label}：${f.value_label}` })));
      if (!facts.children.length) facts.append(el("li", { className: "muted", textContent: data.profile ? "还没有了解到资料。" : "资料暂时读不到。" }));
      if (data.headline) facts.append(el("li", { className: "headline", textContent: `助手的结果：${data.headline}` }));
      $("[data-testid=handoff-transcript]").replaceChildren(
        ...(data.transcript || []).map((t) => el("li", { className: t.who, textContent: (t.who === "bot" ? "助手：" : "用户：") + t.text })));
      $("[data-testid=handoff-messages]").replaceChildren();
    }
    const live = $("[data-testid=handoff-messages]");
    for (const m of data.messages || []) {
      if (live.querySelector(`li[data-id="${m.id}"]`)) continue;
      live.append(line(m));
      after = Math.max(after, m.id);
    }
    const open = data.state === "taken";
    $("[data-testid=handoff-form]").querySelectorAll("textarea, button").forEach((b) => { b.disabled = !open; });
  }

  async function open(id, fresh = true) {
    current = id;
    sessionStorage.setItem(OPEN_KEY, id);
    if (fresh) after = 0;
    try { renderCase(await api("GET", `/operator/api/handoff/${encodeURIComponent(id)}?after=${fresh ? 0 : after}`), fresh); }
    catch (e) { say(e.message); if (e.status === 404) closePanel(); }
  }

  async function take(id) {
    try {
      const data = await api("POST", `/operator/api/handoff/${encodeURIComponent(id)}/take`);
      current = id;
      sessionStorage.setItem(OPEN_KEY, id);
      after = 0;
      renderCase(data, true);
      say("已接手，助手暂停回答这个用户。");
      $("[data-testid=handoff-text]").focus();
    } catch (e) { say(e.message); }
    refresh();
  }

  function closePanel() {
    current = null;
    sessionStorage.removeItem(OPEN_KEY);
    $("[data-testid=handoff-chat]").hidden = true;
  }

  function say(text) { $("[data-testid=handoff-status]").textContent = text; }

  async function finish(kind) {
    if (!current || busy) return;
    busy = true;
    try {
      await api("POST", `/operator/api/handoff/${encodeURIComponent(current)}/${kind}`);
      await open(current, false);
      say(kind === "resume" ? "已交回助手，用户再说话时由助手回答。" : "对话已结束。");
    } catch (e) { say(e.message); }
    busy = false;
    refresh();
  }

  async function refresh() {
    clearTimeout(timer);
    if (loggedIn()) {
      try {
        renderQueue(await api("GET", "/operator/api/handoff"));
        if (current) await open(current, !$("[data-testid=handoff-chat]").dataset.case || $("[data-testid=handoff-chat]").dataset.case !== current);
      } catch (e) { if (e.status === 401 || e.status === 503) $("#handoff").hidden = true; }
    }
    timer = setTimeout(refresh, 2500);
  }

  $("[data-testid=handoff-form]").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const box = $("[data-testid=handoff-text]");
    const text = box.value.trim();
    if (!text || !current || busy) return;
    busy = true;
    try {
      const m = await api("POST", `/operator/api/handoff/${encodeURIComponent(current)}/send`, { text });
      box.value = "";
      say("");
      if (!$(`[data-testid=handoff-messages] li[data-id="${m.id}"]`)) $("[data-testid=handoff-messages]").append(line(m));
      after = Math.max(after, m.id);
    } catch (e) { say(e.message); }
    busy = false;
  });
  $("[data-testid=handoff-text]").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("[data-testid=handoff-form]").requestSubmit(); }
  });
  $("[data-testid=handoff-resume]").addEventListener("click", () => finish("resume"));
  $("[data-testid=handoff-close]").addEventListener("click", () => finish("close"));
  refresh();
})();
