/* Relais — quick exit, and a visit that takes a single place in history.
 *
 * Without JavaScript the exit button is a plain link to /sortie, which clears
 * site data and redirects to the neutral site; Back then returns to the pages
 * seen before, one by one (no server can take entries out of the tab's
 * history), each answer of the conversation as the browser's own "send the
 * form again?" page, since no page is ever stored. With it:
 *  - the button, or Shift pressed three times within 5 seconds, blanks the
 *    page in the same frame and replaces this history entry with the neutral
 *    site, so that Back does not show Relais;
 *  - on `pageshow` (including a return from the back/forward cache) the page
 *    is reset, and left again if it had been left;
 *  - links within the site replace the current entry instead of adding one.
 * Written in ES5 so that it runs on old, cheap phones. Stores nothing.
 */
(function () {
  'use strict';

  var exitLink = document.getElementById('exit');
  // A live conversation's page without an end loads this script in its
  // body: once is enough.
  if (!exitLink || window.relaisExit) { return; }
  window.relaisExit = true;
  var neutralUrl = exitLink.getAttribute('data-exit-url') || 'about:blank';
  var live = document.getElementById('exit-live');
  var root = document.documentElement;
  var left = false;

  function leave() {
    left = true;
    // Blank first: the class hides the body at the next style pass, before
    // the browser paints again or starts the navigation.
    root.className += ' exiting';
    document.title = '';
    // A live conversation says she left (live.js), before the page goes.
    try { document.dispatchEvent(new Event('relais:exit')); } catch (e) {}
    try {
      window.location.replace(neutralUrl);
    } catch (error) {
      window.location.href = neutralUrl;
    }
  }

  exitLink.addEventListener('click', function (event) {
    event.preventDefault();
    leave();
  });

  /* Shift three times within five seconds. Counted on keydown of Shift,
   * left or right alike (by `key`, not `code`). Ignored: auto-repeat, IME
   * composition, and a second keydown of a Shift key not yet released (some
   * on-screen keyboards send two) unless it has been held for over a second
   * (a lost keyup). Any other key resets the count, so typing capitals never
   * leaves the site. */
  var WINDOW_MS = 5000;
  var STUCK_MS = 1000;
  var presses = [];
  var held = {};

  function announce(remaining) {
    if (!live) { return; }
    var text = remaining === 2 ? live.getAttribute('data-two')
      : remaining === 1 ? live.getAttribute('data-one') : '';
    live.textContent = text || '';
  }

  function isShift(event) {
    return event.key === 'Shift' || event.keyCode === 16;
  }

  function isModifier(event) {
    return event.key === 'Control' || event.key === 'Alt' || event.key === 'Meta' ||
      event.key === 'AltGraph' || event.key === 'CapsLock';
  }

  function reset() {
    presses = [];
    held = {};
    announce(0);
  }

  document.addEventListener('keydown', function (event) {
    if (event.isComposing || event.keyCode === 229) { return; }
    if (!isShift(event)) {
      if (!isModifier(event) && presses.length) { reset(); }
      return;
    }
    if (event.repeat) { return; }
    var now = Date.now();
    var side = event.code || 'Shift';
    if (held[side] && now - held[side] < STUCK_MS) { return; }
    held[side] = now;
    var recent = [];
    for (var i = 0; i < presses.length; i++) {
      if (now - presses[i] < WINDOW_MS) { recent.push(presses[i]); }
    }
    recent.push(now);
    presses = recent;
    if (presses.length >= 3) {
      reset();
      leave();
    } else {
      announce(3 - presses.length);
    }
  }, true);

  document.addEventListener('keyup', function (event) {
    if (isShift(event)) { held[event.code || 'Shift'] = 0; }
  }, true);

  window.addEventListener('pageshow', function () {
    reset();
    if (left) {
      // Shown again from the back/forward cache after leaving: leave again.
      leave();
      return;
    }
    root.className = root.className.replace(/\s*\bexiting\b/g, '');
  });

  /* One place in history: links within the site replace the current entry. */
  document.addEventListener('click', function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) { return; }
    var node = event.target;
    while (node && node.nodeName !== 'A') { node = node.parentNode; }
    if (!node || node === exitLink || node.hasAttribute('download') ||
        (node.getAttribute('target') && node.getAttribute('target') !== '_self')) { return; }
    var href = node.getAttribute('href');
    if (!href || href.charAt(0) !== '/' || href.charAt(1) === '/') { return; }
    event.preventDefault();
    window.location.replace(href);
  });
}());
