/* Relais — the help conversation without page loads.
 *
 * Without JavaScript every answer is a POST to /aide and the server answers
 * with the whole page. With it, the same form is posted with fetch and the
 * conversation is swapped in place: no navigation, so the tab's history does
 * not grow, focus moves to the new question and a live region announces it.
 * Nothing is stored: the progress stays in the form's sealed token.
 * ES5 plus fetch; where fetch or DOMParser is missing, the plain form works.
 */
(function () {
  'use strict';

  if (!window.fetch || !window.DOMParser || !window.FormData) { return; }
  var area = document.getElementById('conversation-area');
  var live = document.getElementById('conversation-live');
  if (!area) { return; }
  var busy = false;

  function announce(text) {
    if (!live) { return; }
    // Emptied first so that the same question twice is announced again.
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function focusQuestion() {
    var error = document.getElementById('question-error');
    var field = document.getElementById('answer-field');
    var question = document.getElementById('question');
    // Where a page without JavaScript lands (/aide#question): the question
    // at the top, clear of the exit bar (the stylesheet's scroll margins).
    if (question && question.scrollIntoView) { question.scrollIntoView({ block: 'start' }); }
    if (error && field) { field.focus(); return; }
    if (question) { question.focus(); }
  }

  function encode(form, submitter) {
    var pairs = [];
    var elements = form.elements;
    for (var i = 0; i < elements.length; i++) {
      var el = elements[i];
      if (!el.name || el.disabled || el.type === 'submit' || el.type === 'button') { continue; }
      if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) { continue; }
      pairs.push(encodeURIComponent(el.name) + '=' + encodeURIComponent(el.value));
    }
    if (submitter && submitter.name) {
      pairs.push(encodeURIComponent(submitter.name) + '=' + encodeURIComponent(submitter.value));
    }
    return pairs.join('&').replace(/%20/g, '+');
  }

  var lastSubmitter = null;
  document.addEventListener('click', function (event) {
    var target = event.target;
    while (target && target.nodeName !== 'BUTTON') { target = target.parentNode; }
    if (target && target.form && target.form.id === 'conversation') { lastSubmitter = target; }
  }, true);

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.id !== 'conversation') { return; }
    var submitter = event.submitter || lastSubmitter;
    // A button leading elsewhere (sending the report) is a plain navigation.
    if (submitter && submitter.hasAttribute('formaction')) { return; }
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    lastSubmitter = null;
    var body = encode(form, submitter);
    form.setAttribute('aria-busy', 'true');
    window.fetch(form.getAttribute('action'), {
      method: 'POST',
      body: body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Relais-Fragment': '1' },
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error'
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, 'text/html');
      var next = page.getElementById('conversation-area');
      var said = page.getElementById('conversation-live');
      if (!next) { throw new Error('no conversation in the answer'); }
      area.innerHTML = next.innerHTML;
      busy = false;
      focusQuestion();
      announce(said ? said.getAttribute('data-announce') || '' : '');
    }).catch(function () {
      // The plain form still works: send it the ordinary way.
      busy = false;
      form.removeAttribute('aria-busy');
      if (submitter && submitter.name) {
        var hidden = document.createElement('input');
        hidden.type = 'hidden';
        hidden.name = submitter.name;
        hidden.value = submitter.value;
        form.appendChild(hidden);
      }
      HTMLFormElement.prototype.submit.call(form);
    });
  });
}());
