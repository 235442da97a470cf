/* The take-home result page: /result#<share>.
 *
 * The facts live in the address's fragment, which the browser never sends. This script reads
 * location.hash, POSTs the facts to /api/result (the server coerces them by the fact types and runs
 * the chat's own result builder for today's list) and shows the answer. Every service name and
 * group label comes from the answer (`labels`, the cards); the page's own sentences come from the
 * server's small catalogue in #texts. Nothing is stored in the browser either.
 */
(function () {
  'use strict';

  var T = JSON.parse(document.getElementById('texts').textContent);
  var $ = function (id) { return document.getElementById(id); };

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : m;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* "age=83&economic_status=minimum_living" → {age: "83", …}; null when it cannot be read. */
  function parseShare(hash) {
    var text = String(hash || '').replace(/^#/, '');
    var facts = {};
    var parts = text.split('&');
    for (var i = 0; i < parts.length; i += 1) {
      if (!parts[i]) continue;
      var at = parts[i].indexOf('=');
      if (at < 1) return null;
      try {
        facts[decodeURIComponent(parts[i].slice(0, at))] = decodeURIComponent(parts[i].slice(at + 1));
      } catch (e) {
        return null; // a cut-off %-escape
      }
    }
    return facts;
  }

  function showProblem(text, hint) {
    $('status').hidden = true;
    $('result').hidden = true;
    $('problem-text').textContent = text;
    $('problem-hint').textContent = hint || '';
    $('problem').hidden = false;
    $('page').setAttribute('aria-busy', 'false');
  }

  function chineseDate(iso) {
    var p = String(iso).split('-');
    return fill(T.date_format, { y: +p[0], m: +p[1], d: +p[2] });
  }

  function line(labelText, value, className) {
    var p = el('p', className || 'line');
    p.appendChild(el('span', 'label', labelText + '：'));
    p.appendChild(el('span', 'value', value));
    return p;
  }

  function card(c, labels, opts) {
    var box = el('article', 'card' + (c.money ? ' pays' : ''));
    box.setAttribute('data-id', c.id);
    box.appendChild(el('h4', 'name', c.name));
    if (c.amounts && c.amounts.length) {
      var ul = el('ul', 'amounts');
      ul.setAttribute('aria-label', labels.amount);
      c.amounts.forEach(function (a) { ul.appendChild(el('li', null, a)); });
      box.appendChild(ul);
    }
    if (opts.office) box.appendChild(line(labels.office, c.office || c.department)); // else: the section's heading
    if (c.why) box.appendChild(line(labels.why, c.why, 'line why'));
    if (c.missing && c.missing.length) box.appendChild(line(labels.missing, c.missing.join('、'), 'line missing'));
    if (c.how_to_apply) box.appendChild(line(labels.how, c.how_to_apply));
    box.appendChild(line(labels.citation, c.citation, 'line citation'));
    return box;
  }

  function render(view) {
    var labels = view.labels || {};
    var list = view.list || {};
    if (list.title) {
      $('title').textContent = fill(T.heading, { title: list.title });
      document.title = $('title').textContent;
    }
    if (list.number) { $('list-number').textContent = fill(T.list_number, { number: list.number }); $('list-number').hidden = false; }
    if (list.overlay && list.overlay.title) {
      $('overlay').textContent = fill(T.overlay, { title: list.overlay.title });
      $('overlay').hidden = false;
    }
    $('date').textContent = fill(T.date_line, { date: chineseDate(view.date) });
    $('date').hidden = false;

    var dl = $('facts');
    dl.textContent = '';
    (view.facts || []).forEach(function (f) {
      var row = el('div', 'fact');
      row.setAttribute('data-fact', f.name);
      row.appendChild(el('dt', null, f.label));
      row.appendChild(el('dd', null, f.value_label));
      dl.appendChild(row);
    });

    $('headline').textContent = view.headline;

    var cards = [];
    (view.groups || []).forEach(function (g) { cards = cards.concat(g.services); });
    var money = cards.filter(function (c) { return c.money; });
    $('money-heading').textContent = labels.money;
    var moneyBox = document.querySelector('#money .cards');
    moneyBox.textContent = '';
    money.forEach(function (c) { moneyBox.appendChild(card(c, labels, { office: true })); });
    $('money').hidden = !money.length;

    // the other services, one section per office (the payload's groups, in its order)
    $('other-heading').textContent = labels.other;
    var offices = $('offices');
    offices.textContent = '';
    (view.groups || []).forEach(function (g) {
      var rest = g.services.filter(function (c) { return !c.money; });
      if (!rest.length) return;
      var section = el('section', 'office');
      section.appendChild(el('h3', null, g.office));
      if (g.office.indexOf(g.department) < 0) section.appendChild(el('p', 'dept', g.department));
      var box = el('div', 'cards');
      rest.forEach(function (c) { box.appendChild(card(c, labels, {})); });
      section.appendChild(box);
      offices.appendChild(section);
    });
    $('other').hidden = !offices.children.length;

    $('possible-heading').textContent = labels.possible;
    var possibleBox = document.querySelector('#possible .cards');
    possibleBox.textContent = '';
    (view.possible_services || []).forEach(function (c) { possibleBox.appendChild(card(c, labels, { office: true })); });
    $('possible').hidden = !(view.possible_services || []).length;

    $('disclaimer').textContent = labels.disclaimer;
    $('print').textContent = labels.print;
    $('edit').textContent = labels.edit;
    $('edit').setAttribute('href', '/#edit:' + view.share);

    drawQr(location.href);
    $('status').hidden = true;
    $('problem').hidden = true;
    $('result').hidden = false;
    $('page').setAttribute('aria-busy', 'false');
  }

  /* The QR code of this very page, fragment included (made here: the address never leaves the browser). */
  function drawQr(url) {
    var box = $('qr-code');
    box.textContent = '';
    box.setAttribute('data-qr-text', url);
    qrcode.stringToBytes = qrcode.stringToBytesFuncs['UTF-8'];
    var qr = qrcode(0, 'M');
    qr.addData(url, 'Byte');
    qr.make();
    box.setAttribute('data-qr-modules', qr.getModuleCount());
    box.innerHTML = qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true, alt: T.qr_alt });
  }

  function load() {
    var facts = parseShare(location.hash);
    if (facts === null) return showProblem(T.broken_link, T.bad_link_hint);
    if (!Object.keys(facts).length) return showProblem(T.no_facts);
    var date = new URLSearchParams(location.search).get('date');
    var url = '/api/result' + (date ? '?date=' + encodeURIComponent(date) : '');
    $('status').hidden = false;
    $('page').setAttribute('aria-busy', 'true');
    fetch(url, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ facts: facts }),
      cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer'
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (res.ok && body && body.type === 'result') return render(body);
        if (res.status === 400 || res.status === 413) {
          return showProblem(fill(T.bad_link, { message: body.message_zh || '' }), T.bad_link_hint);
        }
        return showProblem(body.message_zh || T.unavailable);
      });
    }).catch(function () { showProblem(T.unavailable); });
  }

  $('print').addEventListener('click', function () { window.print(); });
  window.addEventListener('hashchange', load);
  load();
})();
