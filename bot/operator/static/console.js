/* Hotline operator console. Renders what /operator/api/... returns; no rules of its own. */
(() => {
  "use strict";
  const TOKEN_KEY = "opToken", CALLS_KEY = "opCalls";
  const $ = (sel, root = document) => root.querySelector(sel);
  const el = (tag, props = {}, ...kids) => {
    const node = Object.assign(document.createElement(tag), props);
    kids.forEach((k) => node.append(k));
    return node;
  };
  let token = sessionStorage.getItem(TOKEN_KEY) || "";
  let schema = [];
  const calls = new Map(); // sender -> {panel, tab, state, busy}
  let active = null, counter = 0;

  class AuthError extends Error {}

  async function api(method, path, body) {
    let res;
    try {
      res = await fetch(path, {
        method, headers: { "Content-Type": "application/json", "X-Operator-Token": token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new Error("网络连接不上，请检查网络后再试。");
    }
    let data = {};
    try { data = await res.json(); } catch (e) { /* not JSON */ }
    if (res.status === 401 || res.status === 503 && /OPERATOR_TOKEN/.test(data.detail || "")) {
      showLogin(data.detail || "口令不正确");
      throw new AuthError(data.detail);
    }
    if (!res.ok) throw new Error(data.detail || "出错了，请稍后再试。");
    return data;
  }

  // ---- login ---------------------------------------------------------------------------
  function showLogin(message) {
    $("#login").hidden = false;
    $("#new-call").hidden = $("#logout").hidden = true;
    $("#login-error").textContent = message || "";
    $("#token").focus();
  }

  async function login(candidate) {
    token = candidate;
    try {
      schema = (await api("GET", "/operator/api/facts")).facts;
    } catch (e) {
      if (!(e instanceof AuthError)) showLogin(e.message);
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    $("#login").hidden = true;
    $("#new-call").hidden = $("#logout").hidden = false;
    const saved = JSON.parse(sessionStorage.getItem(CALLS_KEY) || "[]");
    for (const sender of saved) {
      if (calls.has(sender)) continue;
      try { addCall(await api("GET", `/operator/api/calls/${encodeURIComponent(sender)}`)); } catch (e) { /* gone */ }
    }
    updateChrome();
  }

  // ---- calls and tabs ------------------------------------------------------------------
  function save() { sessionStorage.setItem(CALLS_KEY, JSON.stringify([...calls.keys()])); }

  function updateChrome() {
    $("#tabs").hidden = calls.size === 0;
    $("#empty").hidden = calls.size !== 0 || !$("#login").hidden;
  }

  function activate(sender) {
    active = sender;
    for (const [id, call] of calls) {
      const on = id === sender;
      call.tab.setAttribute("aria-selected", on);
      call.tab.classList.toggle("active", on);
      call.panel.classList.toggle("active", on);
    }
  }

  function addCall(state) {
    const sender = state.sender;
    counter += 1;
    const panel = $("#call-template").content.firstElementChild.cloneNode(true);
    panel.dataset.sender = sender;
    const tab = el("button", { className: "tab", type: "button", role: "tab" },
      el("span", { textContent: `通话 ${counter}` }), el("small", { textContent: sender.split(":")[1].slice(0, 8), title: "会话编号 " + sender }));
    tab.dataset.sender = sender;
    tab.dataset.testid = "tab";
    const close = el("span", { className: "close", title: "结束此通话", textContent: "×" });
    close.dataset.testid = "close-call";
    tab.append(close);
    tab.addEventListener("click", (ev) => (ev.target === close ? endCall(sender) : activate(sender)));
    $("#tabs").append(tab);
    $("#calls").append(panel);
    const call = { panel, tab, state: null, busy: false };
    calls.set(sender, call);
    buildProfileForm(call);
    wirePanel(call, sender);
    render(call, state);
    activate(sender);
    save();
    updateChrome();
  }

  async function newCall() {
    try { addCall(await api("POST", "/operator/api/calls")); }
    catch (e) { if (!(e instanceof AuthError)) alert(e.message); }
  }

  async function endCall(sender) {
    const call = calls.get(sender);
    if (!call || !confirm("结束这个通话？结束后资料会清除，请先复制摘要。")) return;
    try { await api("POST", `/operator/api/calls/${encodeURIComponent(sender)}/end`); } catch (e) { /* still close */ }
    call.panel.remove();
    call.tab.remove();
    calls.delete(sender);
    save();
    if (active === sender && calls.size) activate([...calls.keys()].pop());
    updateChrome();
  }

  async function act(call, sender, path, body) {
    if (call.busy) return;
    call.busy = true;
    call.panel.classList.add("busy");
    $("[data-testid=status]", call.panel).textContent = "请稍候…";
    try {
      render(call, await api("POST", `/operator/api/calls/${encodeURIComponent(sender)}/${path}`, body));
      $("[data-testid=status]", call.panel).textContent = "";
    } catch (e) {
      $("[data-testid=status]", call.panel).textContent = e.message;
    } finally {
      call.busy = false;
      call.panel.classList.remove("busy");
    }
  }

  function wirePanel(call, sender) {
    const p = call.panel;
    $("form.said", p).addEventListener("submit", (ev) => {
      ev.preventDefault();
      const box = $("[data-testid=said]", p);
      const text = box.value.trim();
      if (!text) return;
      box.value = "";
      act(call, sender, "say", { text });
    });
    $("[data-testid=said]", p).addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("form.said", p).requestSubmit(); }
    });
    $("[data-testid=copy-summary]", p).addEventListener("click", () => copySummary(p));
    call.setFact = (name, value) => act(call, sender, "facts", { facts: { [name]: value } });
    call.say = (text) => act(call, sender, "say", { text });
  }

  // ---- rendering -----------------------------------------------------------------------
  function render(call, state) {
    call.state = state;
    const p = call.panel;
    const q = state.question;
    $("[data-testid=asking]", p).textContent = q.asking_label ? `正在了解：${q.asking_label}` : (state.result ? "结果已得出" : "");
    const question = $("[data-testid=question]", p);
    question.replaceChildren(...q.messages.filter((m) => m.text).map((m) => el("p", { textContent: m.text })));
    if (!q.messages.length) question.append(el("p", { className: "muted", textContent: "（助手没有新的话，请把来电人的话打在下面。）" }));

    const answers = $("[data-testid=answers]", p);
    answers.replaceChildren();
    let n = 0;
    for (const m of q.messages) {
      for (const b of m.buttons || []) {
        n += 1;
        const btn = el("button", { type: "button", className: "answer", textContent: b.title, title: `Alt+${n}` });
        btn.dataset.testid = "answer";
        btn.dataset.payload = b.payload;
        btn.addEventListener("click", () => call.say(b.payload));
        answers.append(btn);
      }
    }
    renderQuick(call, q);
    renderProfile(call, state.profile);
    renderResult(p, state.result);
    $("[data-testid=summary]", p).value = state.summary;
    $("[data-testid=copied]", p).textContent = "";
    $("[data-testid=transcript]", p).replaceChildren(
      ...state.transcript.map((t) => el("li", { className: t.who, textContent: (t.who === "bot" ? "助手：" : "来电人：") + t.text })));
  }

  function renderQuick(call, q) {
    const form = $("[data-testid=quick-input]", call.panel);
    const spec = q.input;
    const offered = q.messages.some((m) => (m.buttons || []).some((b) => spec && b.payload.includes(`"${spec.name}"`)));
    form.hidden = !spec || offered;
    form.replaceChildren();
    if (form.hidden) return;
    const control = makeControl(spec);
    const btn = el("button", { type: "submit", textContent: "填入" });
    form.append(el("label", { textContent: `直接填写${spec.label}：` }, control), btn);
    form.onsubmit = (ev) => {
      ev.preventDefault();
      const value = readControl(spec, control);
      if (value !== null && value !== "") call.setFact(spec.name, value);
    };
  }

  function makeControl(spec) {
    if (spec.type === "list") {
      const box = el("span", { className: "checks" });
      for (const v of spec.values) {
        const cb = el("input", { type: "checkbox", value: v.value });
        box.append(el("label", {}, cb, v.label));
      }
      return box;
    }
    if (spec.type === "int" && !spec.values.length) {
      return el("input", { type: "number", min: spec.min, max: spec.max, step: 1, inputMode: "numeric" });
    }
    const select = el("select", {}, el("option", { value: "", textContent: "未知" }));
    for (const v of spec.values) select.append(el("option", { value: String(v.value), textContent: v.label }));
    return select;
  }

  function readControl(spec, control) {
    if (spec.type === "list") return [...control.querySelectorAll("input:checked")].map((c) => c.value);
    const raw = control.value;
    if (raw === "") return null;
    if (spec.type === "int") return parseInt(raw, 10);
    if (spec.type === "bool") return raw === "true";
    return raw;
  }

  function writeControl(spec, control, value) {
    if (spec.type === "list") {
      control.querySelectorAll("input").forEach((c) => { c.checked = (value || []).includes(c.value); });
    } else {
      control.value = value === undefined || value === null ? "" : String(value);
    }
  }

  function buildProfileForm(call) {
    const form = $("[data-testid=profile]", call.panel);
    call.controls = {};
    for (const spec of schema) {
      const control = makeControl(spec);
      control.dataset.testid = `fact-${spec.name}`;
      const badge = el("span", { className: "badge" });
      const row = el("div", { className: "row unknown" }, el("label", { className: "label", textContent: spec.label }), control, badge);
      row.dataset.fact = spec.name;
      const commit = () => {
        const value = readControl(spec, control);
        if (value === null || Number.isNaN(value)) return; // cannot set back to unknown
        call.setFact(spec.name, value);
      };
      if (spec.type === "int" && !spec.values.length) {
        const save = el("button", { type: "button", className: "small", textContent: "改" });
        save.dataset.testid = `save-${spec.name}`;
        save.addEventListener("click", commit);
        control.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); commit(); } });
        row.insertBefore(save, badge);
      } else {
        control.addEventListener("change", commit);
      }
      call.controls[spec.name] = { spec, control, row, badge };
      form.append(row);
    }
  }

  function renderProfile(call, profile) {
    const known = Object.fromEntries(profile.known.map((f) => [f.name, f]));
    const matters = profile.matters || [];
    for (const [name, { spec, control, row, badge }] of Object.entries(call.controls)) {
      const fact = known[name];
      writeControl(spec, control, fact ? fact.value : null);
      row.classList.toggle("known", !!fact);
      row.classList.toggle("unknown", !fact);
      row.classList.toggle("matters", !fact && matters.includes(name));
      badge.textContent = fact ? "已知" : matters.includes(name) ? "未知·影响结果" : "未知";
      badge.title = !fact && matters.includes(name) ? "问清这一项，结果可能会变" : "";
      if (control.tagName === "SELECT") control.options[0].disabled = !!fact;
    }
    const open = profile.unknown.filter((f) => matters.includes(f.name)).length;
    $("[data-testid=profile-counts]", call.panel).textContent =
      `已知 ${profile.known.length} 项，未知 ${profile.unknown.length} 项` + (profile.matters ? `（其中 ${open} 项可能影响结果）` : "");
  }

  function serviceList(title, cards, testid) {
    const list = el("ul", {});
    list.dataset.testid = testid;
    for (const c of cards) {
      const li = el("li", {}, el("b", { textContent: `${c.id}. ${c.name}` }));
      li.dataset.id = c.id;
      if (c.amount) li.append(el("span", { className: "amount", textContent: ` ${c.amount}` }));
      if (c.department) li.append(el("span", { className: "dept", textContent: ` · ${c.department}` }));
      list.append(li);
    }
    if (!cards.length) list.append(el("li", { className: "muted", textContent: "暂无" }));
    return [el("h3", { textContent: title }), list];
  }

  function renderResult(p, result) {
    const box = $("[data-testid=result]", p);
    if (!result) {
      box.replaceChildren(el("p", { className: "muted", textContent: "问完问题后，这里显示老人可以享受的服务。" }));
      return;
    }
    box.replaceChildren(...serviceList("可以享受", result.eligible, "eligible"));
    if (result.possible.length) box.append(...serviceList("可能可以享受（还需核实）", result.possible, "possible"));
    if (result.summary) box.append(el("p", { className: "readout", textContent: result.summary }));
    if (result.stale) box.append(el("p", { className: "warn", textContent: "资料已改动，助手的结果可能需要更新：请继续回答助手的问题。" }));
  }

  async function copySummary(p) {
    const area = $("[data-testid=summary]", p);
    const done = (msg) => { $("[data-testid=copied]", p).textContent = msg; };
    try {
      await navigator.clipboard.writeText(area.value);
      done("已复制，可粘贴到通话记录");
    } catch (e) {
      area.select();
      done(document.execCommand("copy") ? "已复制，可粘贴到通话记录" : "请按 Ctrl+C 复制选中的文字");
    }
  }

  // ---- start -----------------------------------------------------------------------------
  $("#login-form").addEventListener("submit", (ev) => { ev.preventDefault(); login($("#token").value.trim()); });
  $("#new-call").addEventListener("click", newCall);
  $("#logout").addEventListener("click", () => { sessionStorage.clear(); location.reload(); });
  $("#side-by-side").addEventListener("change", (ev) => $("#calls").classList.toggle("side", ev.target.checked));
  document.addEventListener("keydown", (ev) => {
    if (!ev.altKey || !active || !/^[1-9]$/.test(ev.key)) return;
    const btn = calls.get(active).panel.querySelectorAll("[data-testid=answer]")[Number(ev.key) - 1];
    if (btn) { ev.preventDefault(); btn.click(); }
  });
  if (token) login(token); else showLogin("");
  updateChrome();
})();
