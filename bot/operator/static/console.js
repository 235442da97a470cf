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
  const calls = new Map(); // sender -> {panel, tab, holder, state, busy}
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
    // a button of its own beside the tab (a button inside a button is neither focusable nor announced)
    const close = el("button", { type: "button", className: "close", title: "结束此通话", textContent: "×" });
    close.setAttribute("aria-label", `结束通话 ${counter}`);
    close.dataset.testid = "close-call";
    close.addEventListener("click", () => endCall(sender));
    tab.addEventListener("click", () => activate(sender));
    const holder = el("span", { className: "tab-holder" }, tab, close);
    holder.setAttribute("role", "presentation");
    $("#tabs").append(holder);
    $("#calls").append(panel);
    const call = { panel, tab, holder, state: null, busy: false };
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
    call.holder.remove();
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
    const read = state.read || { kind: "question", lines: [] };
    question.dataset.kind = read.kind;
    question.replaceChildren(...read.lines.map((t) => el("p", { textContent: t })));
    if (!read.lines.length) question.append(el("p", { className: "muted", textContent: "（助手没有新的话，请把来电人的话打在下面。）" }));
    // the rest of the turn (side answers, the long result text) stays at hand, outside the box
    const shown = new Set(read.kind === "question" ? read.lines : []);
    const rest = q.messages.filter((m) => m.text && !shown.has(m.text));
    const more = $("[data-testid=also-said]", p);
    more.hidden = !rest.length;
    $("ol", more).replaceChildren(...rest.map((m) => el("li", { textContent: m.text })));

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
    renderResult(p, state.result, state.change);
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

  const NAV_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"]);

  function buildProfileForm(call) {
    const form = $("[data-testid=profile]", call.panel);
    call.controls = {};
    for (const spec of schema) {
      const control = makeControl(spec);
      const id = `f-${call.panel.dataset.sender.split(":")[1]}-${spec.name}`;
      control.id = id;
      control.dataset.testid = `fact-${spec.name}`;
      const badge = el("span", { className: "badge" });
      const error = el("span", { className: "field-error", id: `${id}-error` });
      error.dataset.testid = `error-${spec.name}`;
      error.setAttribute("role", "alert");
      control.setAttribute("aria-describedby", error.id);
      const label = el("label", { className: "label", textContent: spec.label, htmlFor: id });
      if (spec.type === "list") { // a group of checkboxes: the label names the group
        label.id = `${id}-label`;
        control.setAttribute("role", "group");
        control.setAttribute("aria-labelledby", label.id);
      }
      const row = el("div", { className: "row unknown" }, label, control, badge, error);
      row.dataset.fact = spec.name;
      const entry = { spec, control, row, badge, error, pending: false };
      const commit = () => {
        entry.pending = false;
        row.classList.remove("pending");
        const value = readControl(spec, control);
        if (value === null || Number.isNaN(value)) return; // cannot set back to unknown
        if (saved(call, spec.name) === JSON.stringify(value)) return; // nothing changed
        setFact(call, entry, value);
      };
      if (spec.type === "int" && !spec.values.length) {
        const save = el("button", { type: "button", className: "small", textContent: "改" });
        save.setAttribute("aria-label", `保存${spec.label}`);
        save.dataset.testid = `save-${spec.name}`;
        save.addEventListener("click", commit);
        control.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); commit(); } });
        row.insertBefore(save, badge);
      } else if (control.tagName === "SELECT") {
        // Chromium fires `change` on every arrow key of a closed drop-down: a value reached by keys
        // is only a choice in progress, committed by Enter or by leaving the field
        let keyed = false;
        control.addEventListener("keydown", (ev) => {
          if (NAV_KEYS.has(ev.key) || (ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && ev.key !== " ")) keyed = true;
          if (ev.key === "Enter" && entry.pending) { ev.preventDefault(); commit(); }
          if (ev.key === "Escape" && entry.pending) { entry.pending = false; row.classList.remove("pending"); restore(call, entry); }
        });
        control.addEventListener("change", () => {
          if (keyed) { keyed = false; entry.pending = true; row.classList.add("pending"); badge.textContent = "按回车确认"; return; }
          commit();
        });
        control.addEventListener("blur", () => { keyed = false; if (entry.pending) commit(); });
      } else {
        control.addEventListener("change", commit);
      }
      call.controls[spec.name] = entry;
      form.append(row);
    }
  }

  function saved(call, name) {
    const fact = call.state && call.state.profile.known.find((f) => f.name === name);
    return fact ? JSON.stringify(fact.value) : null;
  }

  function restore(call, entry) {
    const fact = call.state && call.state.profile.known.find((f) => f.name === entry.spec.name);
    writeControl(entry.spec, entry.control, fact ? fact.value : null);
    renderBadge(entry, fact, (call.state && call.state.profile.matters) || []);
  }

  // an edit: refused → the field stays red with the reason next to it and its old value back
  function setFact(call, entry, value) { // one edit after the other, none dropped
    call.edits = (call.edits || Promise.resolve()).then(() => saveFact(call, entry, value));
    return call.edits;
  }

  async function saveFact(call, entry, value) {
    const sender = call.panel.dataset.sender;
    while (call.busy) await new Promise((ok) => setTimeout(ok, 50)); // a message to the bot under way
    call.busy = true;
    call.panel.classList.add("busy");
    const status = $("[data-testid=status]", call.panel);
    status.textContent = "请稍候…";
    try {
      const state = await api("POST", `/operator/api/calls/${encodeURIComponent(sender)}/facts`, { facts: { [entry.spec.name]: value } });
      markInvalid(entry, "");
      render(call, state);
      status.textContent = "";
    } catch (e) {
      status.textContent = "";
      markInvalid(entry, e.message);
      restore(call, entry);
    } finally {
      call.busy = false;
      call.panel.classList.remove("busy");
    }
  }

  function markInvalid(entry, reason) {
    entry.row.classList.toggle("invalid", !!reason);
    entry.control.setAttribute("aria-invalid", reason ? "true" : "false");
    entry.error.textContent = reason;
  }

  function renderBadge(entry, fact, matters) {
    const { spec, row, badge } = entry;
    const name = spec.name;
    row.classList.toggle("known", !!fact && !row.classList.contains("invalid"));
    row.classList.toggle("unknown", !fact);
    row.classList.toggle("matters", !fact && matters.includes(name));
    badge.textContent = row.classList.contains("invalid") ? "未保存" : fact ? "已知" : matters.includes(name) ? "未知·影响结果" : "未知";
    badge.title = !fact && matters.includes(name) ? "问清这一项，结果可能会变" : "";
  }

  function renderProfile(call, profile) {
    const known = Object.fromEntries(profile.known.map((f) => [f.name, f]));
    const matters = profile.matters || [];
    for (const entry of Object.values(call.controls)) {
      const fact = known[entry.spec.name];
      const { spec, control } = entry;
      if (!entry.pending) writeControl(spec, control, fact ? fact.value : null);
      renderBadge(entry, fact, matters);
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
    return title ? [el("h3", { textContent: title }), list] : [list];
  }

  function renderResult(p, result, change) {
    const box = $("[data-testid=result]", p);
    const changed = el("p", { className: "change", textContent: change || "" });
    changed.dataset.testid = "result-change";
    changed.setAttribute("role", "status");
    changed.hidden = !change;
    if (!result) { // before a result is told there is no result to compare
      box.replaceChildren(el("p", { className: "muted", textContent: "问完问题后，这里显示老人可以享受的服务。" }));
      return;
    }
    const labels = result.labels || {};
    const money = new Set(result.money_ids || []);
    const paying = result.eligible.filter((c) => money.has(c.id));
    const other = result.eligible.filter((c) => !money.has(c.id));
    box.replaceChildren(changed);
    if (result.headline) {
      const h = el("p", { className: "headline", textContent: result.headline });
      h.dataset.testid = "headline";
      box.append(h);
    }
    if (paying.length) box.append(...serviceList(labels.money || "", paying, "eligible"));
    if (other.length || !paying.length) box.append(...serviceList(labels.other || "", other, "eligible"));
    if (result.possible.length) box.append(...serviceList(labels.possible || "", result.possible, "possible"));
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
