/* Relais — the professional's console kept current (docs/live.md). A
 * WebSocket brings the queue and the messages; a message is sent on it
 * without reloading; the title changes and a short tone plays when someone
 * arrives (Web Audio: no file). The socket is the console's sign of life:
 * closed, the professional stops being counted within a minute. */
(function () {
  'use strict';
  var queue = document.getElementById('live-queue');
  if (!queue || !window.WebSocket) { return; }
  var list = document.getElementById('live-messages');
  var write = document.getElementById('live-write');
  var title = document.title, socket = null, tries = 0, known = -1, shown = {};

  function tone() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      var audio = new Context(), osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 660; gain.gain.value = 0.08;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.25);
    } catch (e) { /* no sound: the title says it */ }
  }
  function id() {
    var a = new Uint8Array(12); window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function bubble(m) {
    var li = document.createElement('li');
    li.className = 'bubble ' + (m.mine ? 'me' : 'bot');
    var meta = document.createElement('p');
    meta.className = 'hint';
    meta.textContent = (m.mine ? 'Vous' : 'La personne') + ' · ' + m.at;
    var text = document.createElement('p');
    text.className = 'free-text'; text.dir = 'auto'; text.textContent = m.text;
    li.appendChild(meta); li.appendChild(text);
    return li;
  }
  function send(frame) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(frame)); }
  }
  function open() {
    socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + queue.getAttribute('data-socket'));
    socket.onopen = function () { tries = 0; };
    socket.onmessage = function (event) {
      var f = JSON.parse(event.data);
      if (f.type === 'queue') {
        var focused = document.activeElement && document.activeElement.id;
        queue.innerHTML = f.html;
        if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
        if (known >= 0 && f.waiting > known) { tone(); }
        known = f.waiting;
        document.title = f.waiting ? '(' + f.waiting + ') Quelqu\u2019un attend \u2014 ' + title : title;
      } else if (f.type === 'message' && list) {
        if (!shown[f.id]) { shown[f.id] = bubble(f); list.appendChild(shown[f.id]); }
        if (!f.mine) { send({ type: 'seen', ids: [f.id] }); }
      } else if (f.type === 'delivered') {
        f.ids.forEach(function (i) { if (shown[i]) { shown[i].firstChild.textContent += ' · reçu'; } });
      } else if (f.type === 'reload') {
        location.reload();
      }
    };
    socket.onclose = function () {
      tries += 1;
      setTimeout(open, Math.min(8000, 500 * Math.pow(2, tries)));
    };
  }
  if (list && write) {
    // The page drew the messages: the socket draws them again, from empty.
    list.textContent = '';
  }
  if (write) {
    write.addEventListener('submit', function (event) {
      event.preventDefault();
      var area = write.elements.texte, text = area.value.replace(/^\s+|\s+$/g, '');
      if (!text) { return; }
      send({ type: 'send', id: id(), text: text });
      area.value = '';
      area.focus();
    });
  }
  setInterval(function () { send({ type: 'ping' }); }, 10000);
  open();
})();
