/* 长治市养老服务查询 — the chat page (also shown inside the widget's frame).
 * Dependency-free. The conversation (sender id + messages) is kept in localStorage, so a reload
 * keeps it; "重新开始" starts a new one. Buttons send their payload to the bot verbatim. */
(function () {
  'use strict';

  var STORE = 'czyl.chat.v1';
  var MAX_KEPT = 200;
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
    big: document.getElementById('bigmode'),
    close: document.getElementById('close')
  };
  var busy = false;
  var config = { tts_url: null };
  var serviceNames = null;

  // ---- state ------------------------------------------------------------------------------
  function newSender() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return 'web:' + Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function load() {
    try {
      var s = JSON.parse(localStorage.getItem(STORE) || 'null');
      if (s && /^web:[0-9a-f]{8,64}$/.test(s.sender) && Array.isArray(s.messages)) return s;
    } catch (e) { /* unreadable: start over */ }
    return { sender: newSender(), messages: [], big: false };
  }
  function save() {
    state.messages = state.messages.slice(-MAX_KEPT);
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
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
  function send(message, shownAs) {
    if (busy || !message) return;
    var sender = state.sender;
    var refocus = document.activeElement === el.input;  // typed: keep typing; tapped: no keyboard popping up
    var current = function () { return state.sender === sender; };  // a restart drops late answers
    if (shownAs !== null) state.messages.push({ who: 'user', text: shownAs || message });
    busy = true;
    save();
    render();
    fetch('api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sender: sender, message: message })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) throw new Error((data && data.message_zh) || KIND);
        if (!current()) return;
        (data.messages || []).forEach(function (m) {
          state.messages.push({ who: 'bot', text: m.text || '', buttons: m.buttons || [], custom: m.custom || null });
        });
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

  function restart() {
    stopSpeaking();
    state = { sender: newSender(), messages: [], big: state.big };
    busy = false;
    save();
    render();
    start();
  }

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
      audio = new Audio(config.tts_url.replace(/^\//, '') + '?text=' + encodeURIComponent(text.slice(0, 500)));
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
  el.restart.addEventListener('click', restart);
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
