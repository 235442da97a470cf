/* Live hand-off, the widget's side (issue 10).
 *
 *   ElderChatHandoff.start(sender, onMessage)  // after a bot message with custom.type === "handoff"
 *   ElderChatHandoff.stop()
 *
 * Polls GET /api/chat/events?sender=…&after=N (every 2 s, slower after errors) and calls
 * onMessage(text, event) once per operator message and per notice (taken, handed back, ended);
 * event.who is "operator" or "notice", event.state the notice's state. Polling stops by itself
 * when the operator hands back or ends, or when the server knows no hand-off for this chat.
 * The last id seen is kept in sessionStorage per chat, so a reload shows nothing twice.
 * No text is logged.
 */
(function () {
  'use strict';
  var BASE = 2000, LONGEST = 30000, KEY = 'czyl.handoff.after:';
  var timer = null, running = null;

  function lastSeen(sender) {
    try { return parseInt(sessionStorage.getItem(KEY + sender) || '0', 10) || 0; } catch (e) { return 0; }
  }
  function remember(sender, id) {
    try { sessionStorage.setItem(KEY + sender, String(id)); } catch (e) { /* private mode */ }
  }
  function scriptBase() {
    // the folder this script came from, so a page elsewhere that loads /widget/handoff.js asks the gateway
    var s = document.currentScript && document.currentScript.src;
    if (!s) return '';
    try { var u = new URL(s); return u.origin === location.origin ? '' : u.origin; } catch (e) { return ''; }
  }
  var ORIGIN = scriptBase();

  function stop() {
    if (timer) clearTimeout(timer);
    timer = null;
    running = null;
  }

  function start(sender, onMessage) {
    if (!sender || typeof onMessage !== 'function') return;
    if (running && running.sender === sender) { running.onMessage = onMessage; return; }
    stop();
    var run = running = { sender: sender, onMessage: onMessage, after: lastSeen(sender), delay: BASE, seenOpen: false };

    function next(delay) { if (running === run) timer = setTimeout(poll, delay); }

    function poll() {
      timer = null;
      var url = ORIGIN + '/api/chat/events?sender=' + encodeURIComponent(run.sender) + '&after=' + run.after;
      fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' }).then(function (resp) {
        if (resp.status === 403 || resp.status === 422) { stop(); return null; }  // not this chat's id any more
        if (!resp.ok) throw new Error('HTTP ' + resp.status);
        return resp.json();
      }).then(function (data) {
        if (!data || running !== run) return;
        run.delay = BASE;
        (data.events || []).forEach(function (e) {
          if (e.id > run.after) { run.after = e.id; remember(run.sender, e.id); }
          try { run.onMessage(String(e.text || ''), e); } catch (err) { /* the page's own error */ }
        });
        var state = data.state;
        if (state === 'queued' || state === 'taken') run.seenOpen = true;
        if (state === 'returned' || state === 'closed' || (state === 'none' && run.seenOpen)) { stop(); return; }
        if (state === 'none' && run.tries === undefined) run.tries = 0;
        if (state === 'none' && ++run.tries > 5) { stop(); return; }  // no hand-off for this chat
        next(BASE);
      }).catch(function () {
        run.delay = Math.min(LONGEST, run.delay * 2);  // offline or the server busy: try again later
        next(run.delay);
      });
    }
    poll();
  }

  window.ElderChatHandoff = { start: start, stop: stop };
})();
