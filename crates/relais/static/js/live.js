/* Relais — "Parler maintenant" with JavaScript (docs/live.md).
 * The join form opens a WebSocket instead of loading a page; after a lost
 * network the socket opens again, resumes with the handle (kept in memory
 * only) and sends again what was not acknowledged. Quick exit sends a
 * beacon first. Without WebSocket, the form is posted as without script.
 * ES5, stores nothing. */
(function () {
  'use strict';
  var form = document.getElementById('live-join');
  var template = document.getElementById('live-room-template');
  if (!form || !template || !window.WebSocket || !window.JSON) { return; }
  var words = document.getElementById('live-words');
  var handle = null, socket = null, over = false, tries = 0, fallback = true;
  var pending = {}, shown = {}, sending = [];
  var room, list, status, proposal, end;

  function url() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + form.getAttribute('data-socket');
  }
  function id() {
    var a = new Uint8Array(12); window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function send(frame) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }
  function bubble(m) {
    var li = document.createElement('li');
    li.className = 'bubble ' + (m.mine ? 'me' : 'bot');
    var meta = document.createElement('p');
    meta.className = 'hint';
    meta.textContent = words.getAttribute(m.mine ? 'data-me' : 'data-them') + ' · ' + (m.at || '');
    var text = document.createElement('p');
    text.className = 'free-text'; text.dir = 'auto'; text.textContent = m.text;
    li.appendChild(meta); li.appendChild(text);
    return li;
  }
  function show() {
    var offer = document.getElementById('live-offer');
    offer.parentNode.replaceChild(template.content.cloneNode(true), offer);
    room = document.getElementById('live-room');
    list = document.getElementById('live-messages');
    status = document.getElementById('live-status');
    proposal = document.getElementById('live-proposal');
    end = document.getElementById('live-end');
    document.getElementById('live-write').addEventListener('submit', function (event) {
      event.preventDefault();
      var area = this.elements.texte, text = area.value.replace(/^\s+|\s+$/g, '');
      if (!text || over) { return; }
      var m = { id: id(), text: text, mine: true, at: '' };
      pending[m.id] = m; shown[m.id] = bubble(m); list.appendChild(shown[m.id]);
      area.value = '';
      send({ type: 'send', id: m.id, text: text });
    });
    document.getElementById('live-leave').addEventListener('click', function () {
      send({ type: 'leave' });
    });
    proposal.addEventListener('click', function (event) {
      var answer = event.target.getAttribute('data-answer');
      if (!answer) { return; }
      send({ type: 'consent', answer: answer === 'yes' });
      proposal.hidden = true;
    });
    room.focus();
  }
  function receive(event) {
    var f = JSON.parse(event.data);
    if (f.type === 'joined') {
      if (!handle) { handle = f.h; fallback = false; show(); }
      tries = 0;
      for (var k in pending) { send({ type: 'send', id: k, text: pending[k].text }); }
    } else if (f.type === 'state') {
      status.textContent = f.text;
    } else if (f.type === 'message') {
      if (!shown[f.id]) { shown[f.id] = bubble(f); list.appendChild(shown[f.id]); }
      if (!f.mine) { send({ type: 'seen', ids: [f.id] }); }
      if (f.mine && pending[f.id]) { delete pending[f.id]; }
    } else if (f.type === 'delivered') {
      f.ids.forEach(function (i) {
        delete pending[i];
        if (shown[i]) { shown[i].firstChild.textContent += ' · ' + words.getAttribute('data-delivered'); }
      });
    } else if (f.type === 'proposal') {
      proposal.firstChild.textContent = f.text; proposal.hidden = false;
    } else if (f.type === 'receipt') {
      var r = end.querySelector('.receipt');
      r.firstChild.textContent = f.code; r.hidden = false; r.nextSibling.hidden = false;
    } else if (f.type === 'ended') {
      if (fallback) { over = true; form.submit(); return; }
      over = true; proposal.hidden = true;
      end.firstChild.textContent = f.text; end.hidden = false;
      if (f.callback) { document.getElementById('live-callback').hidden = false; }
      document.getElementById('live-write').hidden = true;
      socket.close();
    }
  }
  function open(first) {
    socket = new WebSocket(url());
    socket.onopen = function () { send(first()); };
    socket.onmessage = receive;
    socket.onclose = function () {
      if (over) { return; }
      if (!handle) { if (fallback) { over = true; form.submit(); } return; }
      if (status) { status.textContent = words.getAttribute('data-lost'); }
      tries += 1;
      setTimeout(function () { open(function () { return { type: 'resume', h: handle }; }); },
        Math.min(8000, 500 * Math.pow(2, tries)));
    };
  }
  var share = 'non';
  form.addEventListener('click', function (event) {
    if (event.target.name === 'partage') { share = event.target.value; }
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var partage = form.querySelector('input[name=partage]');
    if (!partage) { partage = document.createElement('input'); partage.type = 'hidden'; partage.name = 'partage'; form.appendChild(partage); }
    partage.value = share;
    open(function () {
      return { type: 'join', t: form.elements.t.value, organisation: form.elements.organisation.value, share: share === 'oui' };
    });
  });
  setInterval(function () { send({ type: 'ping' }); }, 10000);
  document.addEventListener('relais:exit', function () {
    if (handle && navigator.sendBeacon) {
      navigator.sendBeacon(form.getAttribute('data-beacon'), new URLSearchParams({ h: handle }));
    }
  });
})();
