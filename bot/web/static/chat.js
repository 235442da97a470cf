/* 长治市养老服务查询 — the chat page (also shown inside the widget's frame).
 * Dependency-free. The conversation id is issued by the gateway (POST api/chat/session). The id and
 * the messages are kept in localStorage for at most 2 hours after the last message, so a reload keeps
 * them but a shared computer does not show the last family's answers the next day. "清除记录" wipes
 * them here and on the server at once; "重新开始" (after asking) does the same and starts again.
 * Buttons send their payload to the bot verbatim. */
(function () {
  'use strict';

  var STORE = 'czyl.chat.v1';
  var MAX_KEPT = 200;
  var KEEP_MS = 2 * 60 * 60 * 1000;  // the stored chat expires 2 hours after the last message
  var SENDER_RE = /^web:[0-9a-f]{24}:[0-9a-f]{32}$/;
  var KIND = '抱歉，系统暂时连接不上，请过几分钟再试一次。';
  var SPEAKER = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 9v6h4l5 5V4L7 9H3zm13.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"/></svg>';

  var embed = /[?&]embed=1\b/.test(location.search);
  var el = {
    log: document.getElementById('log'),
    input: document.getElementById('input'),
    send: document.getElementById('send'),
    form: document.getElementById('composer'),
    status: document.getElementById('status'),
    restart: document.getElementById('restart'),
    clear: document.getElementById('clear'),
    confirm: document.getElementById('confirm'),
    confirmYes: document.getElementById('confirm-yes'),
    confirmNo: document.getElementById('confirm-no'),
    big: document.getElementById('bigmode'),
    close: document.getElementById('close')
  };
  var busy = false;
  var config = { tts_url: null };
  var serviceNames = null;

  // ---- state ------------------------------------------------------------------------------
  function fresh(big) { return { sender: null, messages: [], big: !!big, saved: Date.now() }; }
  function expired(s) { return !s.saved || Date.now() - s.saved > KEEP_MS; }
  function load() {
    var s = null;
    try { s = JSON.parse(localStorage.getItem(STORE) || 'null'); } catch (e) { s = null; /* unreadable */ }
    if (!s || typeof s !== 'object') return fresh(false);
    if (!SENDER_RE.test(s.sender || '') || !Array.isArray(s.messages) || expired(s)) {
      if (SENDER_RE.test(s.sender || '')) forgetOnServer(s.sender);  // old chat: gone here and there
      try { localStorage.removeItem(STORE); } catch (e) { /* private mode */ }
      return fresh(s.big);
    }
    return s;
  }
  function save() {
    state.messages = state.messages.slice(-MAX_KEPT);
    state.saved = Date.now();
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function forgetOnServer(sender) {
    if (!sender) return Promise.resolve();
    return fetch('api/chat/forget', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, keepalive: true,
      body: JSON.stringify({ sender: sender })
    }).catch(function () { /* the server deletes old conversations itself */ });
  }
  function newSender() {
    return fetch('api/chat/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (data) {
          if (!resp.ok || !data.sender) throw new Error((data && data.message_zh) || KIND);
          return data.sender;
        });
      });
  }
  var state = load();

  // ---- rendering ----------------------------------------------------------------------------
  function node(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  function speakButton(getText) {
    var b = node('button', 'speak');
    b.type = 'button';
    b.innerHTML = SPEAKER + '<span>朗读</span>';
    b.setAttribute('aria-label', '朗读这条消息');
    b.addEventListener('click', function () { speak(getText(), b); });
    return b;
  }

  function nameOf(id) {
    return (serviceNames && serviceNames[id]) || ('第 ' + id + ' 项服务');
  }

  function resultCard(custom) {
    var card = node('section', 'card');
    card.setAttribute('aria-label', '查询结果');
    card.appendChild(node('h2', null, '查询结果'));
    var groups = [['ok', '可以申请', custom.eligible || []], ['maybe', '可能可以，还需确认', custom.possible || []]];
    groups.forEach(function (g) {
      if (!g[2].length) return;
      card.appendChild(node('h3', g[0], g[1] + '（' + g[2].length + ' 项）：'));
      var ul = node('ul', g[0] === 'ok' ? 'eligible' : 'possible');
      g[2].forEach(function (id) { ul.appendChild(node('li', null, nameOf(id))); });
      card.appendChild(ul);
    });
    var text = summaryText(custom);
    var details = node('details', 'more');
    details.appendChild(node('summary', null, '详细说明（每项的原因、找哪个部门）'));
    details.appendChild(node('div', 'summary-text', text));
    details.open = text.length <= 300;  // a long record stays folded; print and copy use all of it
    card.appendChild(details);
    var actions = node('div', 'actions');
    var print = node('button', 'action print', '打印结果');
    print.type = 'button';
    print.addEventListener('click', function () { printCard(card.parentNode); });
    var copy = node('button', 'action copy', '复制结果');
    copy.type = 'button';
    var done = node('span', 'copied');
    done.setAttribute('role', 'status');
    copy.addEventListener('click', function () {
      copyText(text).then(function () { done.textContent = '已复制，可以粘贴给家人'; },
        function () { done.textContent = '没能复制，请长按文字手动复制'; });
    });
    actions.appendChild(print);
    actions.appendChild(copy);
    actions.appendChild(done);
    card.appendChild(actions);
    if (!serviceNames) loadServiceNames();
    return card;
  }

  function summaryText(custom) {
    if (custom.summary) return String(custom.summary);
    var lines = ['长治市养老服务查询结果'];
    if ((custom.eligible || []).length) lines.push('可以申请：' + custom.eligible.map(nameOf).join('、'));
    if ((custom.possible || []).length) lines.push('可能可以：' + custom.possible.map(nameOf).join('、'));
    return lines.join('\n');
  }

  function render() {
    el.log.innerHTML = '';
    var lastUser = -1;
    state.messages.forEach(function (m, i) { if (m.who === 'user') lastUser = i; });
    state.messages.forEach(function (m, i) {
      var box = node('div', 'msg ' + m.who);
      if (m.text) box.appendChild(node('div', 'bubble', m.text));
      var custom = m.custom || null;
      if (custom && custom.type === 'result') {
        box.classList.add('result');
        box.appendChild(resultCard(custom));
      }
      if (m.who === 'bot' && (m.text || (custom && custom.type === 'result'))) {
        box.appendChild(speakButton(function () {
          return [m.text, custom && custom.type === 'result' ? summaryText(custom) : ''].join('\n');
        }));
      }
      if (m.who === 'bot' && i > lastUser && m.buttons && m.buttons.length) {
        var choices = node('div', 'choices');
        choices.setAttribute('role', 'group');
        choices.setAttribute('aria-label', '请选择');
        m.buttons.forEach(function (b) {
          var c = node('button', 'choice', b.title);
          c.type = 'button';
          c.setAttribute('data-payload', b.payload);
          c.disabled = busy;
          c.addEventListener('click', function () { send(b.payload, b.title); });
          choices.appendChild(c);
        });
        box.appendChild(choices);
      }
      el.log.appendChild(box);
    });
    el.status.hidden = !busy;
    el.send.disabled = busy;
    el.log.scrollTop = el.log.scrollHeight;
  }

  // ---- talking to the bot -------------------------------------------------------------------
  function post(sender, message) {
    return fetch('api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sender: sender, message: message })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        return { resp: resp, data: data };
      });
    });
  }

  function send(message, shownAs) {
    if (busy || !message) return;
    var mine = state;  // 清除记录 or 重新开始 replace the state: late answers are dropped
    var refocus = document.activeElement === el.input;  // typed: keep typing; tapped: no keyboard popping up
    var current = function () { return state === mine; };
    if (shownAs !== null) state.messages.push({ who: 'user', text: shownAs || message });
    busy = true;
    save();
    render();
    var getSender = state.sender ? Promise.resolve(state.sender) : newSender();
    getSender.then(function (sender) {
      if (current()) { state.sender = sender; save(); }
      return post(sender, message).then(function (r) {
        if (r.resp.status !== 403 || (r.data && r.data.error) !== 'invalid_sender') return r;
        return newSender().then(function (again) {  // the id is no longer valid: a new conversation
          if (current()) { state.sender = again; save(); }
          return post(again, message);
        });
      });
    }).then(function (r) {
      if (!r.resp.ok) throw new Error((r.data && r.data.message_zh) || KIND);
      if (!current()) return;
      (r.data.messages || []).forEach(function (m) {
        state.messages.push({ who: 'bot', text: m.text || '', buttons: m.buttons || [], custom: m.custom || null });
      });
    }).catch(function (err) {
      if (!current()) return;
      var text = err && err.message && /[\u4e00-\u9fff]/.test(err.message) ? err.message : KIND;
      state.messages.push({ who: 'note', text: text });
    }).then(function () {
      if (!current()) return;
      busy = false;
      save();
      render();
      if (refocus) el.input.focus();
    });
  }

  function start() {
    if (!state.messages.length) send('/greet', null);
  }

  // 清除记录 (at once) and 重新开始 (after asking): the conversation is wiped here and on the server
  function wipe() {
    stopSpeaking();
    hideConfirm();
    var old = state.sender;
    var big = state.big;
    state = fresh(big);
    busy = false;
    try { localStorage.removeItem(STORE); } catch (e) { /* private mode */ }
    render();
    return forgetOnServer(old);
  }
  function clearRecord() {
    wipe().then(function () {
      state.messages.push({ who: 'note', text: '记录已清除，这台设备和服务器上都不再保存刚才的对话。' });
      render();
      start();
    });
  }
  function restart() {
    wipe().then(start);
  }
  function showConfirm() {
    el.confirm.hidden = false;
    el.confirmYes.focus();
  }
  function hideConfirm() { el.confirm.hidden = true; }

  // the page may stay open on a shared computer: the chat expires there too
  setInterval(function () {
    if (!busy && state.messages.length && expired(state)) { wipe(); start(); }
  }, 60 * 1000);

  // ---- read aloud ---------------------------------------------------------------------------
  var audio = null;
  function zhVoice() {
    if (!('speechSynthesis' in window)) return null;
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) if (/^zh/i.test(voices[i].lang)) return voices[i];
    return null;
  }
  function stopSpeaking() {
    if ('speechSynthesis' in window) window.speechSynthesis.cancel();
    if (audio) { audio.pause(); audio = null; }
    Array.prototype.forEach.call(document.querySelectorAll('.speak.speaking'), function (b) { b.classList.remove('speaking'); });
  }
  function speak(text, button) {
    var wasSpeaking = button.classList.contains('speaking');
    stopSpeaking();
    if (wasSpeaking || !text) return;
    button.classList.add('speaking');
    var finished = function () { button.classList.remove('speaking'); };
    var voice = zhVoice();
    if (config.tts_url && !voice) {  // no Chinese voice in this browser: the server reads it
      audio = new Audio(config.tts_url.replace(/^\//, '') + '?text=' + encodeURIComponent(text.slice(0, 300)));
      audio.onended = finished;
      audio.onerror = finished;
      audio.play().catch(finished);
      return;
    }
    if (!('speechSynthesis' in window)) { finished(); return; }
    var u = new SpeechSynthesisUtterance(text);
    u.lang = 'zh-CN';
    u.rate = 0.85;
    if (voice) u.voice = voice;
    u.onend = finished;
    u.onerror = finished;
    window.speechSynthesis.speak(u);
  }

  // ---- summary: print and copy --------------------------------------------------------------
  function printCard(box) {
    var details = box.querySelector('details');
    var wasOpen = details && details.open;
    if (details) details.open = true;
    document.body.classList.add('print-summary');
    box.classList.add('printing');
    var cleanup = function () {
      document.body.classList.remove('print-summary');
      box.classList.remove('printing');
      if (details) details.open = wasOpen;
      window.removeEventListener('afterprint', cleanup);
    };
    window.addEventListener('afterprint', cleanup);
    window.print();
    setTimeout(cleanup, 1000);
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }
  function legacyCopy(text) {
    return new Promise(function (resolve, reject) {
      var ta = node('textarea');
      ta.value = text;
      ta.setAttribute('readonly', '');
      ta.style.position = 'fixed';
      ta.style.opacity = '0';
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (ok) resolve(); else reject(new Error('copy'));
    });
  }

  function loadServiceNames() {
    serviceNames = {};
    fetch('api/services').then(function (r) { return r.ok ? r.json() : []; }).then(function (list) {
      (list || []).forEach(function (s) { serviceNames[s.id] = s.name; });
      render();
    }).catch(function () { /* ids stay as numbers */ });
  }

  // ---- wiring -------------------------------------------------------------------------------
  function applyBig() {
    document.body.classList.toggle('big', !!state.big);
    el.big.setAttribute('aria-pressed', state.big ? 'true' : 'false');
    el.big.textContent = state.big ? '标准字号' : '长辈模式';
  }
  el.form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = el.input.value.trim();
    if (!text || busy) return;
    el.input.value = '';
    send(text, text);
  });
  el.restart.addEventListener('click', function () { if (state.messages.length > 1) showConfirm(); else restart(); });
  el.confirmYes.addEventListener('click', restart);
  el.confirmNo.addEventListener('click', function () { hideConfirm(); el.restart.focus(); });
  el.clear.addEventListener('click', clearRecord);
  el.big.addEventListener('click', function () { state.big = !state.big; save(); applyBig(); render(); });
  if (embed) {
    document.body.classList.add('embed');
    el.close.hidden = false;
    el.close.addEventListener('click', function () { window.parent.postMessage({ czyl: 'close' }, '*'); });
  }
  fetch('widget/config.json').then(function (r) { return r.json(); }).then(function (c) { config = c || config; })
    .catch(function () { /* no server read-aloud */ });
  if ('speechSynthesis' in window) window.speechSynthesis.getVoices();  // starts loading voices

  applyBig();
  render();
  start();
})();
