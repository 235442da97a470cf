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

  var frame = null;
  function layout() {
    if (!frame) return;
    var small = window.innerWidth < 560;
    setStyle(frame, small
      ? { left: '0', top: '0', right: '0', bottom: '0', width: '100%', height: '100%', borderRadius: '0' }
      : { left: 'auto', top: 'auto', right: '16px', bottom: '96px', width: '440px',
          height: Math.min(760, window.innerHeight - 120) + 'px', borderRadius: '16px' });
    launcher.style.display = small && isOpen() ? 'none' : '';
  }
  function isOpen() { return !!frame && frame.style.display !== 'none'; }
  function open(show) {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = 'czyl-widget-frame';
      frame.title = '长治市养老服务查询';
      frame.src = base + '?embed=1';
      frame.setAttribute('allow', 'clipboard-write; autoplay');
      setStyle(frame, { position: 'fixed', zIndex: '2147483000', border: '3px solid ' + BRAND,
        background: '#fff', boxShadow: '0 6px 24px rgba(0,0,0,.35)' });
      document.body.appendChild(frame);
    }
    frame.style.display = show ? 'block' : 'none';
    launcher.textContent = show ? '关闭' : label;
    launcher.setAttribute('aria-expanded', show ? 'true' : 'false');
    layout();
    if (show) frame.focus();
  }
  launcher.addEventListener('click', function () { open(!isOpen()); });
  window.addEventListener('resize', layout);
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
