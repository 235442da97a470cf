/* 长治市养老服务查询 — the chat page (also shown inside the widget's frame).
 * Dependency-free. The conversation id is issued by the gateway (POST api/chat/session). The id and
 * the messages are kept in localStorage for at most 2 hours after the last message, so a reload keeps
 * them but a shared computer does not show the last family's answers the next day. "清除记录" wipes
 * them here and on the server at once; "重新开始" (after asking) does the same and starts again.
 * Buttons send their payload to the bot verbatim.
 *
 * The result comes as a text message (for text-only clients) and a `custom` result payload
 * (docs/contract-extensions.md): this page shows the payload instead of the text, and takes every
 * label and service name from it (`labels`, the cards). Nothing here names a service or a group. */
(function () {
  'use strict';

  var STORE = 'czyl.chat.v1';
  var MAX_KEPT = 200;
  var KEEP_MS = 2 * 60 * 60 * 1000;  // the stored chat expires 2 hours after the last message
  var SENDER_RE = /^web:[0-9a-f]{24}:[0-9a-f]{32}$/;
  var TTS_MAX = 280;                  // /api/tts reads at most 300 characters: longer texts go in parts
  var RESUME_TRIES = 8;               // after a reload during a reply: ask the server this many times
  var RESUME_PAUSE = 1200;
  var LIST_FACTS = { chronic_conditions: true };  // facts whose value is a list (contract section 2)
  // the page's own small catalogue (no service names, no result labels: those come from the payload)
  var T = {
    kind: '抱歉，系统暂时连接不上，请过几分钟再试一次。',
    retry: '重试',
    notSent: '没发出去',
    read: '朗读',
    readLabel: '朗读这条消息',
    stop: '停止朗读',
    copied: '已复制，可以粘贴给家人：',
    copyFailed: '没能自动复制，请长按下面的链接复制：',
    resuming: '正在接着刚才的对话…',
    operator: '人工客服',
    edited: '已带入您上次的答案，接着看看。',
    cleared: '记录已清除，这台设备和服务器上都不再保存刚才的对话。',
    big: '长辈模式',
    normal: '标准字号'
  };
  var SPEAKER = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 9v6h4l5 5V4L7 9H3zm13.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"/></svg>';
  var STOP = '<svg viewBox="0 0 24 24" aria-hidden="true"><rect x="5" y="5" width="14" height="14" rx="2"/></svg>';

  var embed = /[?&]embed=1\b/.test(location.search);
  var el = {
    log: document.getElementById('log'),
    live: document.getElementById('live'),
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
  var focusNext = false;   // a new bot turn arrived: move focus to it after rendering
  var keepTyping = false;  // the user typed: keep the keyboard unless the new question has buttons
  var focusRetry = false;  // a send failed: focus goes to its 重试

  // ---- state ------------------------------------------------------------------------------
  function fresh(big) { return { sender: null, messages: [], big: !!big, saved: Date.now(), pending: null }; }
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
  function postJSON(url, body) {
    return fetch(url, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) { return { resp: resp, data: data || {} }; });
    });
  }
  function newSender() {
    return postJSON('api/chat/session', {}).then(function (r) {
      if (!r.resp.ok || !r.data.sender) throw new Error(r.data.message_zh || T.kind);
      return r.data.sender;
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
  function button(cls, text, onClick) {
    var b = node('button', cls, text);
    b.type = 'button';
    if (onClick) b.addEventListener('click', onClick);
    return b;
  }

  // A read-aloud button; `label` is what it says while silent (朗读, or the payload's labels).
  function speakButton(label, getText, aria) {
    var b = button('speak');
    b.setAttribute('aria-pressed', 'false');
    b.setAttribute('data-label', label);
    if (aria) b.setAttribute('data-aria', aria);
    setSpeaking(b, false);
    b.addEventListener('click', function () { speak(getText(), b); });
    return b;
  }
  function setSpeaking(b, on) {
    var label = b.getAttribute('data-label');
    b.classList.toggle('speaking', on);
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    b.innerHTML = (on ? STOP : SPEAKER) + '<span></span>';
    b.lastChild.textContent = on ? T.stop : label;
    var aria = b.getAttribute('data-aria');
    if (aria && !on) b.setAttribute('aria-label', aria); else b.removeAttribute('aria-label');
  }

  function isResult(custom) { return !!custom && custom.type === 'result'; }
  function structured(custom) { return isResult(custom) && typeof custom.headline === 'string' && custom.labels; }

  function field(dl, label, value) {
    if (!value || (Array.isArray(value) && !value.length)) return;
    dl.appendChild(node('dt', null, label));
    var dd = node('dd');
    (Array.isArray(value) ? value : [value]).forEach(function (line, i) {
      if (i) dd.appendChild(node('br'));
      dd.appendChild(document.createTextNode(String(line)));
    });
    dl.appendChild(dd);
  }

  // One service: name, amounts and what is missing in view; why, how to apply and the citation folded.
  function serviceCard(c, labels, showOffice) {
    var card = node('article', 'card svc' + (c.money ? ' money' : '') + (c.status === 'possible' ? ' possible' : ''));
    card.setAttribute('data-id', String(c.id));
    var head = node('div', 'card-head');
    head.appendChild(node('h4', null, c.name));
    if (c.money && labels.money) head.appendChild(node('span', 'badge', labels.money));
    card.appendChild(head);
    var dl = node('dl');
    field(dl, labels.amount, c.amounts && c.amounts.length ? c.amounts : c.amount);
    if (showOffice) field(dl, labels.office, c.office || c.department);
    field(dl, labels.missing, (c.missing || []).join('、'));
    card.appendChild(dl);
    var more = node('details', 'more');
    more.appendChild(node('summary', null, labels.details));
    var dl2 = node('dl');
    field(dl2, labels.why, c.why);
    field(dl2, labels.how, c.how_to_apply);
    field(dl2, labels.office, showOffice ? null : (c.department !== c.office ? c.department : null));
    field(dl2, labels.citation, c.citation);
    more.appendChild(dl2);
    card.appendChild(more);
    if (c.spoken) card.appendChild(speakButton(labels.read_one, function () { return c.spoken; }, labels.read_one + '：' + c.name));
    return card;
  }

  function resultView(custom) {
    var labels = custom.labels || {};
    var view = node('section', 'result-view');
    var headline = node('h2', 'headline', custom.headline);
    headline.id = 'headline-' + Math.random().toString(36).slice(2);
    headline.tabIndex = -1;
    view.setAttribute('aria-labelledby', headline.id);
    view.appendChild(headline);

    var tools = node('div', 'result-tools');
    if (custom.spoken) tools.appendChild(speakButton(labels.read_all, function () { return custom.spoken; }));
    if (custom.share != null && labels.share) {
      var note = node('p', 'shared');
      note.setAttribute('role', 'status');
      tools.appendChild(button('action share', labels.share, function () { share(custom, note); }));
      view.appendChild(tools);
      view.appendChild(note);
    } else {
      view.appendChild(tools);
    }

    (custom.groups || []).forEach(function (g) {
      var sec = node('section', 'office');
      sec.appendChild(node('h3', null, g.office || g.department));
      (g.services || []).forEach(function (c) { sec.appendChild(serviceCard(c, labels, false)); });
      view.appendChild(sec);
    });
    if ((custom.possible_services || []).length) {
      var pos = node('section', 'office possible');
      pos.appendChild(node('h3', null, labels.possible));
      custom.possible_services.forEach(function (c) { pos.appendChild(serviceCard(c, labels, true)); });
      view.appendChild(pos);
    }
    if ((custom.undecided || []).length) {
      var und = node('section', 'office undecided');
      und.appendChild(node('h3', null, labels.undecided));
      var ul = node('ul');
      custom.undecided.forEach(function (u) { ul.appendChild(node('li', null, u)); });
      und.appendChild(ul);
      view.appendChild(und);
    }
    if (labels.disclaimer) view.appendChild(node('p', 'disclaimer', labels.disclaimer));
    if (labels.print) {
      var actions = node('div', 'actions');
      actions.appendChild(button('action print', labels.print, function () { printResult(view); }));
      view.appendChild(actions);
    }
    return view;
  }

  // An older result payload without the structured fields: its summary, as text.
  function legacyResult(custom) {
    var card = node('section', 'card legacy');
    card.appendChild(node('div', 'summary-text', String(custom.summary || '')));
    return card;
  }

  // Which messages are the fallback text of a structured result: the text-only bot messages just
  // before it in the same turn.
  function hiddenFallbacks(list) {
    var hidden = {};
    list.forEach(function (m, i) {
      if (m.who !== 'bot' || !structured(m.custom)) return;
      for (var j = i - 1; j >= 0; j--) {
        var p = list[j];
        if (p.who !== 'bot' || p.custom || (p.buttons && p.buttons.length) || p.operator) break;
        hidden[j] = true;
      }
    });
    return hidden;
  }

  function render() {
    var active = document.activeElement;
    var activeKey = active && active.getAttribute && active.getAttribute('data-key');
    el.log.innerHTML = '';
    var list = state.messages;
    var lastUser = -1;
    list.forEach(function (m, i) { if (m.who === 'user' && !m.failed) lastUser = i; });
    var hidden = hiddenFallbacks(list);
    var anchor = null;
    list.forEach(function (m, i) {
      if (hidden[i]) return;
      var box = node('div', 'msg ' + m.who + (m.failed ? ' failed' : '') + (m.operator ? ' operator' : ''));
      box.setAttribute('data-i', String(i));
      var custom = m.custom || null;
      if (m.operator) box.appendChild(node('div', 'who', T.operator));
      if (m.text) box.appendChild(node('div', 'bubble', m.text));
      if (m.failed) box.appendChild(node('div', 'who', T.notSent));
      var target = null;
      if (structured(custom)) {
        box.classList.add('result');
        var view = resultView(custom);
        box.appendChild(view);
        target = view.querySelector('.headline');
      } else if (isResult(custom) && custom.summary) {
        box.classList.add('result');
        box.appendChild(legacyResult(custom));
        target = box;
      }
      if (m.who === 'bot' && m.text) {
        box.appendChild(speakButton(T.read, function () { return m.text; }, T.readLabel));
        target = target || box.querySelector('.bubble');
      }
      if (m.who === 'bot' && i > lastUser && m.buttons && m.buttons.length) {
        var choices = node('div', 'choices');
        choices.setAttribute('role', 'group');
        choices.setAttribute('aria-label', '请选择');
        m.buttons.forEach(function (b, k) {
          var c = button('choice', b.title, function () { send(b.payload, b.title); });
          c.setAttribute('data-payload', b.payload);
          c.setAttribute('data-key', 'c' + i + '.' + k);
          c.disabled = busy;
          choices.appendChild(c);
        });
        box.appendChild(choices);
      }
      if (m.who === 'note' && m.retry && i === list.length - 1) {
        var again = button('action retry', T.retry, function () { retry(i); });
        again.setAttribute('data-key', 'retry');
        again.disabled = busy;
        box.appendChild(again);
      }
      // the anchor: the latest bot turn's result headline, else its question (its last bot message)
      if (m.who === 'bot' && i > lastUser && target) {
        if (!anchor || !anchor.classList.contains('headline')) anchor = target;
      }
      el.log.appendChild(box);
    });
    el.status.hidden = !busy;
    el.send.disabled = busy;
    var last = list[list.length - 1];
    place(last && last.who === 'note' && last.retry ? null : anchor);  // a failed send: its 重试 in view
    if (activeKey) {
      var same = el.log.querySelector('[data-key="' + activeKey + '"]');
      if (same) same.focus({ preventScroll: true });
    }
    if (focusRetry && !busy) {
      focusRetry = false;
      var again = el.log.querySelector('button.retry');
      if (again) { again.focus({ preventScroll: true }); announce(again.closest('.msg')); }
    }
    if (focusNext && !busy) {
      focusNext = false;
      var typedAnswer = keepTyping && !el.log.querySelector('.choice');
      if (anchor && !typedAnswer) {
        if (!anchor.hasAttribute('tabindex')) anchor.tabIndex = -1;
        anchor.focus({ preventScroll: true });
      } else {
        if (keepTyping) el.input.focus({ preventScroll: true });
        announce(anchor);
      }
      keepTyping = false;
    }
  }

  // The question (or the result's headline) stays in view: its top at the top of the log, never
  // the bottom of the log, so its buttons come below it. While waiting, the user's own message.
  function place(anchor) {
    if (busy || !anchor) { el.log.scrollTop = el.log.scrollHeight; return; }
    var top = anchor.getBoundingClientRect().top - el.log.getBoundingClientRect().top;
    el.log.scrollTop = Math.max(0, el.log.scrollTop + top - 8);
  }
  function announce(anchor) {
    if (!el.live || !anchor) return;
    el.live.textContent = '';
    setTimeout(function () { el.live.textContent = anchor.textContent; }, 50);
  }

  // ---- talking to the bot -------------------------------------------------------------------
  function post(sender, message) { return postJSON('api/chat', { sender: sender, message: message }); }

  function botMessages(list) {
    (list || []).forEach(function (m) {
      state.messages.push({ who: 'bot', text: m.text || '', buttons: m.buttons || [], custom: m.custom || null });
      if (m.custom && m.custom.type === 'handoff') startHandoff();
    });
  }

  // failed sends and their notes go once the user sends something else
  function dropFailed() {
    state.messages = state.messages.filter(function (m) { return !m.failed && !(m.who === 'note' && m.retry); });
  }

  function send(message, shownAs) {
    if (busy || !message) return;
    dropFailed();
    var mine = state;  // 清除记录 or 重新开始 replace the state: late answers are dropped
    keepTyping = document.activeElement === el.input;  // typed: keep typing; tapped: no keyboard popping up
    var current = function () { return state === mine; };
    if (shownAs !== null) state.messages.push({ who: 'user', text: shownAs || message });
    state.pending = { message: message, shown: shownAs === undefined ? message : shownAs };
    busy = true;
    save();
    render();
    var getSender = state.sender ? Promise.resolve(state.sender) : newSender();
    getSender.then(function (sender) {
      if (current()) { state.sender = sender; save(); }
      return post(sender, message).then(function (r) {
        if (r.resp.status !== 403 || r.data.error !== 'invalid_sender') return r;
        return newSender().then(function (again) {  // the id is no longer valid: a new conversation
          if (current()) { state.sender = again; save(); }
          return post(again, message);
        });
      });
    }).then(function (r) {
      if (!r.resp.ok) throw new Error(r.data.message_zh || T.kind);
      if (!current()) return;
      state.pending = null;
      botMessages(r.data.messages);
      focusNext = true;
    }).catch(function (err) {
      if (!current()) return;
      failed(err && err.message);
    }).then(function () {
      if (!current()) return;
      busy = false;
      save();
      render();
    });
  }

  // A send that got no answer: the message stays (marked), the question's buttons stay, and 重试
  // sends the very same message again.
  function failed(reason) {
    var p = state.pending;
    state.pending = null;
    var text = reason && /[\u4e00-\u9fff]/.test(reason) ? reason : T.kind;
    var last = state.messages[state.messages.length - 1];
    if (p && p.shown !== null && last && last.who === 'user') last.failed = true;
    state.messages.push({ who: 'note', text: text, retry: p ? { message: p.message, shown: p.shown } : null });
    focusRetry = true;
  }
  function retry(i) {
    var note = state.messages[i];
    if (!note || !note.retry || busy) return;
    var again = note.retry;
    dropFailed();
    send(again.message, again.shown);
  }

  // A reload while the bot was answering: ask the server for the answer (it may still be working on
  // it); if the message never arrived, offer 重试.
  function resume() {
    var p = state.pending;
    var mine = state;
    if (!state.sender) { failed(null); save(); render(); return; }
    busy = true;
    el.status.textContent = T.resuming;
    render();
    var tries = 0;
    var ask = function () {
      postJSON('api/chat/resume', { sender: state.sender, message: p.message }).then(function (r) {
        if (state !== mine) return;
        if (r.resp.ok && r.data.answered) {
          state.pending = null;
          botMessages(r.data.messages);
          focusNext = true;
          return done();
        }
        if (r.resp.ok && ++tries < RESUME_TRIES) { setTimeout(ask, RESUME_PAUSE); return; }
        failed(r.resp.ok ? null : r.data.message_zh);
        done();
      }).catch(function () { if (state === mine) { failed(null); done(); } });
    };
    var done = function () {
      busy = false;
      el.status.textContent = el.status.getAttribute('data-text');
      save();
      render();
    };
    ask();
  }

  function start() {
    if (state.pending) resume();
    else if (!state.messages.length) send('/greet', null);
    if (state.handoff) startHandoff();
  }

  // ---- the take-home page's edit link (labels.edit): /#edit:<share fragment> -----------------------
  function factsFrom(fragment) {
    var facts = {};
    fragment.split('&').forEach(function (part) {
      var eq = part.indexOf('=');
      if (eq < 1) return;
      var name = decodeURIComponent(part.slice(0, eq));
      var raw = decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' ')).slice(0, 200);
      if (!/^[a-z][a-z0-9_]{0,39}$/.test(name)) return;
      var typed = function (v) {
        if (/^(0|[1-9]\d{0,2})$/.test(v)) return Number(v);
        if (v === 'true') return true;
        if (v === 'false') return false;
        return v;
      };
      if (LIST_FACTS[name] || raw.indexOf(',') >= 0) {
        facts[name] = raw ? raw.split(',').filter(Boolean).map(typed) : [];
      } else {
        facts[name] = typed(raw);
      }
    });
    return facts;
  }
  function editFromHash() {
    var m = /^#edit:(.+)$/.exec(location.hash || '');
    if (!m || m[1].length > 2000) return false;
    var facts;
    try { facts = factsFrom(m[1]); } catch (e) { facts = {}; /* a broken link: start as usual */ }
    history.replaceState(null, '', location.pathname + location.search);
    if (!Object.keys(facts).length) return false;
    wipe().then(function () {
      state.messages.push({ who: 'note', text: T.edited });
      send('/inform' + JSON.stringify(facts), null);
    });
    return true;
  }

  // 清除记录 (at once) and 重新开始 (after asking): the conversation is wiped here and on the server
  function wipe() {
    stopSpeaking();
    hideConfirm();
    stopHandoff();
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
      state.messages.push({ who: 'note', text: T.cleared });
      render();
      start();
    });
  }
  function restart() { wipe().then(start); }
  function showConfirm() {
    el.confirm.hidden = false;
    el.restart.setAttribute('aria-expanded', 'true');
    el.confirmNo.focus();
  }
  function hideConfirm() {
    el.confirm.hidden = true;
    el.restart.setAttribute('aria-expanded', 'false');
  }

  // the page may stay open on a shared computer: the chat expires there too
  setInterval(function () {
    if (!busy && state.messages.length && expired(state)) { wipe(); start(); }
  }, 60 * 1000);

  // ---- read aloud ---------------------------------------------------------------------------
  var audio = null;
  var reading = 0;  // which reading is current: a stopped one does not go on with its next part
  function zhVoice() {
    if (!('speechSynthesis' in window)) return null;
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) if (/^zh/i.test(voices[i].lang)) return voices[i];
    return null;
  }
  function stopSpeaking() {
    reading += 1;
    if ('speechSynthesis' in window) window.speechSynthesis.cancel();
    if (audio) { audio.pause(); audio = null; }
    Array.prototype.forEach.call(document.querySelectorAll('.speak.speaking'), function (b) { setSpeaking(b, false); });
  }
  // parts of at most TTS_MAX characters, cut after a sentence's end where possible
  function parts(text) {
    var out = [];
    var rest = String(text);
    while (rest.length > TTS_MAX) {
      var cut = -1;
      for (var i = TTS_MAX; i > TTS_MAX / 2; i--) if ('。；！？\n'.indexOf(rest.charAt(i - 1)) >= 0) { cut = i; break; }
      if (cut < 0) for (var j = TTS_MAX; j > TTS_MAX / 2; j--) if ('，、 '.indexOf(rest.charAt(j - 1)) >= 0) { cut = j; break; }
      if (cut < 0) cut = TTS_MAX;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    if (rest) out.push(rest);
    return out;
  }
  function speak(text, b) {
    var wasSpeaking = b.classList.contains('speaking');
    stopSpeaking();
    if (wasSpeaking || !text) return;
    var mine = reading;
    setSpeaking(b, true);
    var finished = function () { if (mine === reading) setSpeaking(b, false); };
    var voice = zhVoice();
    if (config.tts_url && !voice) {  // no Chinese voice in this browser: the server reads it, part by part
      var queue = parts(text);
      var next = function () {
        if (mine !== reading) return;
        if (!queue.length) { finished(); return; }
        audio = new Audio(config.tts_url.replace(/^\//, '') + '?text=' + encodeURIComponent(queue.shift()));
        audio.onended = next;
        audio.onerror = finished;
        audio.play().catch(finished);
      };
      next();
      return;
    }
    if (!('speechSynthesis' in window)) { finished(); return; }
    var u = new SpeechSynthesisUtterance(text);  // the whole text: the browser has no length limit
    u.lang = 'zh-CN';
    u.rate = 0.85;
    if (voice) u.voice = voice;
    u.onend = finished;
    u.onerror = finished;
    window.speechSynthesis.speak(u);
  }

  // ---- the share button (labels.share): the take-home link --------------------------------
  function share(custom, note) {
    var url = location.origin + '/result#' + custom.share;
    var copy = function () {
      copyText(url).then(function () { shown(T.copied); }, function () { shown(T.copyFailed); });
    };
    var shown = function (text) {
      note.textContent = '';
      note.appendChild(node('span', null, text));
      var a = node('a', 'link', url);
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener';
      note.appendChild(a);
    };
    if (navigator.share) {
      navigator.share({ title: custom.headline, text: custom.headline, url: url }).catch(function (err) {
        if (!err || err.name !== 'AbortError') copy();  // cancelled by the user: nothing to do
      });
    } else {
      copy();
    }
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
  function printResult(view) {
    var box = view.closest('.msg');
    var details = view.querySelectorAll('details');
    var open = Array.prototype.map.call(details, function (d) { return d.open; });
    Array.prototype.forEach.call(details, function (d) { d.open = true; });
    document.body.classList.add('print-summary');
    box.classList.add('printing');
    var cleanup = function () {
      document.body.classList.remove('print-summary');
      box.classList.remove('printing');
      Array.prototype.forEach.call(details, function (d, i) { d.open = open[i]; });
      window.removeEventListener('afterprint', cleanup);
    };
    window.addEventListener('afterprint', cleanup);
    window.print();
    setTimeout(cleanup, 1000);
  }

  // ---- live hand-off: handoff.js (another part of the gateway) polls for the operator's messages
  var handoffLoad = null;
  function loadHandoff() {
    if (window.ElderChatHandoff) return Promise.resolve();
    if (!handoffLoad) {
      handoffLoad = new Promise(function (resolve) {
        var s = document.createElement('script');
        s.src = 'widget/handoff.js';
        s.onload = resolve;
        s.onerror = resolve;  // absent: the chat goes on without a person
        document.head.appendChild(s);
      });
    }
    return handoffLoad;
  }
  function startHandoff() {
    var mine = state;
    state.handoff = true;
    loadHandoff().then(function () {
      if (state !== mine || !window.ElderChatHandoff || !state.sender) return;
      window.ElderChatHandoff.start(state.sender, function (m, event) {
        if (state !== mine) return;
        var text = typeof m === 'string' ? m : (m && m.text) || '';
        // handed back or closed: the bot answers again; no more polling after a reload
        var ended = event && (event.state === 'returned' || event.state === 'closed');
        if (ended) state.handoff = false;
        if (!text) { save(); return; }
        state.messages.push({ who: 'bot', operator: true, text: text, buttons: (m && m.buttons) || [] });
        focusNext = true;
        save();
        render();
      });
    });
  }
  function stopHandoff() {
    if (state.handoff && window.ElderChatHandoff) {
      try { window.ElderChatHandoff.stop(); } catch (e) { /* nothing to stop */ }
    }
  }

  // ---- wiring -------------------------------------------------------------------------------
  function applyBig() {
    document.body.classList.toggle('big', !!state.big);
    el.big.setAttribute('aria-pressed', state.big ? 'true' : 'false');
    el.big.textContent = state.big ? T.normal : T.big;
  }
  el.form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = el.input.value.trim();
    if (!text || busy) return;
    el.input.value = '';
    send(text, text);
  });
  el.status.setAttribute('data-text', el.status.textContent);
  el.restart.addEventListener('click', function () { if (el.confirm.hidden) showConfirm(); else { hideConfirm(); } });
  el.confirmYes.addEventListener('click', restart);
  el.confirmNo.addEventListener('click', function () { hideConfirm(); el.restart.focus(); });
  el.clear.addEventListener('click', clearRecord);
  el.big.addEventListener('click', function () { state.big = !state.big; save(); applyBig(); render(); });
  if (embed) {
    document.body.classList.add('embed');
    el.close.hidden = false;
    var closeWidget = function () { window.parent.postMessage({ czyl: 'close' }, '*'); };
    el.close.addEventListener('click', closeWidget);
    document.addEventListener('keydown', function (ev) {
      if (ev.key !== 'Escape') return;
      if (!el.confirm.hidden) { hideConfirm(); el.restart.focus(); return; }  // Esc first closes the question
      closeWidget();
    });
    window.addEventListener('message', function (ev) {  // the widget opened again: focus the question
      if (ev.source !== window.parent || !ev.data || ev.data.czyl !== 'opened') return;
      var q = el.log.querySelector('.headline') || el.log.querySelector('.msg.bot:last-of-type .bubble');
      var focusable = q || el.input;
      if (q && !q.hasAttribute('tabindex')) q.tabIndex = -1;
      focusable.focus({ preventScroll: true });
    });
  } else {
    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && !el.confirm.hidden) { hideConfirm(); el.restart.focus(); }
    });
  }
  fetch('widget/config.json').then(function (r) { return r.json(); }).then(function (c) { config = c || config; })
    .catch(function () { /* no server read-aloud */ });
  if ('speechSynthesis' in window) window.speechSynthesis.getVoices();  // starts loading voices

  applyBig();
  render();
  if (!editFromHash()) start();
  window.addEventListener('hashchange', editFromHash);  // the edit link opened in this tab
})();
