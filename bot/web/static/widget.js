/* 长治市养老服务查询 — embeddable widget. One tag on any page:
 *   <script src="http://HOST:8000/widget.js"></script>
 * Optional attributes: data-label="按钮文字", data-open="true" (open at once).
 * It adds a large button; the chat opens in a frame served by the gateway, so the host page's
 * styles cannot shrink its large type and the conversation is kept across the host's pages. */
(function () {
  'use strict';
  if (window.__czylWidget) return;
  window.__czylWidget = true;

  var script = document.currentScript || (function () {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) if (/\/widget\.js(\?|$)/.test(all[i].src)) return all[i];
    return all[all.length - 1];
  })();
  var base = script.src.replace(/widget\.js(\?.*)?$/, '');
  var label = script.getAttribute('data-label') || '养老服务查询';
  var BRAND = '#0b3d91';

  var launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.id = 'czyl-widget-button';
  launcher.textContent = label;
  launcher.setAttribute('aria-expanded', 'false');
  setStyle(launcher, {
    position: 'fixed', right: '16px', bottom: '16px', zIndex: '2147483000',
    minHeight: '64px', padding: '12px 24px', font: 'bold 22px/1.3 "Noto Sans CJK SC","Microsoft YaHei",sans-serif',
    color: '#fff', background: BRAND, border: '3px solid #fff', borderRadius: '999px',
    boxShadow: '0 4px 14px rgba(0,0,0,.35)', cursor: 'pointer'
  });

  // Full screen on narrow or short windows: phones, and a laptop at 200 % zoom (1280 × 800 → 640 × 400)
  var FULL_WIDTH = 640;
  var FULL_HEIGHT = 560;
  var frame = null;
  function small() { return window.innerWidth <= FULL_WIDTH || window.innerHeight <= FULL_HEIGHT; }
  function layout() {
    if (!frame) return;
    var full = small();
    frame.setAttribute('data-full', full ? 'true' : 'false');
    setStyle(frame, full
      ? { left: '0', top: '0', right: '0', bottom: '0', width: '100%', height: '100%', borderRadius: '0' }
      : { left: 'auto', top: 'auto', right: '16px', bottom: '96px', width: '440px',
          height: Math.min(760, window.innerHeight - 120) + 'px', borderRadius: '16px' });
    launcher.style.display = full && isOpen() ? 'none' : '';
  }
  function isOpen() { return !!frame && frame.style.display !== 'none'; }
  function open(show) {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = 'czyl-widget-frame';
      frame.title = '长治市养老服务查询';
      frame.src = base + '?embed=1';
      frame.setAttribute('allow', 'clipboard-write; autoplay');
      setStyle(frame, { position: 'fixed', zIndex: '2147483000', border: '3px solid ' + BRAND, boxSizing: 'border-box',
        background: '#fff', boxShadow: '0 6px 24px rgba(0,0,0,.35)' });
      document.body.appendChild(frame);
    }
    frame.style.display = show ? 'block' : 'none';
    launcher.textContent = show ? '关闭' : label;
    launcher.setAttribute('aria-expanded', show ? 'true' : 'false');
    layout();
    if (show) {
      frame.focus();
      // the chat moves focus to its current question (on the first opening it does so itself)
      try { frame.contentWindow.postMessage({ czyl: 'opened' }, new URL(base, location.href).origin); } catch (e) { /* loading */ }
    } else {
      launcher.focus();  // Esc or 关闭: back to the button that opened it
    }
  }
  launcher.addEventListener('click', function () { open(!isOpen()); });
  window.addEventListener('resize', layout);
  document.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' && isOpen()) open(false);
  });
  window.addEventListener('message', function (ev) {
    if (frame && ev.source === frame.contentWindow && ev.data && ev.data.czyl === 'close') open(false);
  });

  function setStyle(n, styles) { for (var k in styles) n.style[k] = styles[k]; }
  function mount() {
    document.body.appendChild(launcher);
    if (script.getAttribute('data-open') === 'true') open(true);
  }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
