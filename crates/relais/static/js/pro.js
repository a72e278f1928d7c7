/* Relais — the referral screens of the back office.
 *
 * Every page here works on ciphertext that the server hands over, and hands
 * back only ciphertext: the professional's private key is unwrapped in this
 * browser with their passphrase, a referral is decrypted here, a reply is
 * encrypted here (docs/crypto.md; the cryptography is in crypto.js).
 *  - /pro/cle: creates the key pair, wraps the private key with the
 *    passphrase, and posts the public key and the wrapped key.
 *  - /pro/demandes/{id}: opens the referral, lays out the report, decrypts
 *    the messages; encrypts replies; re-wraps the referral key for another
 *    organisation's members on transfer.
 *  - /pro/acces and the recovery key page: re-wrap referral keys for a
 *    colleague, with one's own key or with the territory's recovery key.
 * Plaintext is never put in a form field that is sent, nor stored.
 *
 * Once unlocked, the private key is kept in this browser's IndexedDB as a
 * non-extractable CryptoKey (it cannot be read back out, only used), for 30
 * minutes after its last use and 12 hours at most, like the session: a
 * report then opens in one click. Signing out erases it (Clear-Site-Data,
 * and here too).
 */
(function () {
  'use strict';

  var C = window.RelaisCrypto;
  var $ = function (id) { return document.getElementById(id); };
  var warning = $('secure-warning');
  if (!C || !window.isSecureContext) {
    if (warning) { warning.hidden = false; }
    return;
  }

  function say(el, text) { if (el) { el.textContent = text; } }

  function field(form, name) { return form.querySelector('input[name="' + name + '"]'); }

  // ------------------------------------------------ the remembered key
  var IDLE = 30 * 60 * 1000;
  var LONGEST = 12 * 60 * 60 * 1000;
  function database() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open('relais-pro', 1);
      request.onupgradeneeded = function () { request.result.createObjectStore('keys'); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  async function keyStore(mode, action) {
    var db = await database();
    return new Promise(function (resolve, reject) {
      var transaction = db.transaction('keys', mode);
      var request = action(transaction.objectStore('keys'));
      transaction.oncomplete = function () { db.close(); resolve(request.result); };
      transaction.onerror = function () { db.close(); reject(transaction.error); };
    });
  }
  async function remember(publicKey, privateKey) {
    var now = Date.now();
    try {
      await keyStore('readwrite', function (s) {
        return s.put({ publicKey: publicKey, key: privateKey, born: now, until: now + IDLE }, 'private');
      });
    } catch (error) { /* not remembered: the phrase is asked next time */ }
  }
  async function remembered(publicKey) {
    try {
      var entry = await keyStore('readonly', function (s) { return s.get('private'); });
      var now = Date.now();
      if (!entry || entry.publicKey !== publicKey || now > entry.until || now > entry.born + LONGEST) { return null; }
      entry.until = now + IDLE;
      await keyStore('readwrite', function (s) { return s.put(entry, 'private'); });
      return entry.key;
    } catch (error) { return null; }
  }
  async function forget() {
    try { await keyStore('readwrite', function (s) { return s.delete('private'); }); } catch (error) { /* nothing kept */ }
  }
  document.querySelectorAll('form[action="/pro/deconnexion"]').forEach(function (form) {
    form.addEventListener('submit', function () { forget(); });
  });

  function failure(error) {
    if (error && error.name === 'WrongPassphrase') {
      return 'Cette phrase secrète ne correspond pas à votre clé. Vérifiez-la et réessayez.';
    }
    return 'Une erreur est survenue dans le navigateur. Rechargez la page et réessayez.';
  }

  // ---------------------------------------------------------------- /pro/cle
  var keyForm = $('key-form');
  if (keyForm) {
    keyForm.addEventListener('submit', async function (event) {
      event.preventDefault();
      var status = $('key-status');
      var first = $('passphrase').value;
      var again = $('passphrase-again').value;
      if (first.length < 12) { say(status, 'La phrase secrète doit compter au moins 12 caractères.'); return; }
      if (first !== again) { say(status, 'Les deux phrases ne sont pas identiques.'); return; }
      say(status, 'Création de votre clé… (quelques secondes)');
      try {
        var pair = await C.generateKeyPair();
        var iterations = Math.max(600000, Number(keyForm.dataset.minIterations) || 0);
        var record = await C.wrapPrivateKey(pair.privateKey, first, iterations);
        field(keyForm, 'public_key').value = C.b64url.encode(pair.publicKey);
        field(keyForm, 'salt').value = record.salt;
        field(keyForm, 'iterations').value = String(record.iterations);
        field(keyForm, 'nonce').value = record.nonce;
        field(keyForm, 'wrapped').value = record.wrapped;
        var publicKey = C.b64url.encode(pair.publicKey);
        await remember(publicKey, await C.unwrapPrivateKey(Object.assign({ public_key: publicKey }, record), first));
        $('passphrase').value = '';
        $('passphrase-again').value = '';
        HTMLFormElement.prototype.submit.call(keyForm);
      } catch (error) {
        say(status, failure(error));
      }
    });
  }

  // ------------------------------------------------------ /pro/demandes/{id}
  var referral = $('referral');
  if (referral) {
    var sealed = JSON.parse(referral.dataset.sealed);
    var unlock = $('unlock');
    var key = null; // the referral key, once opened

    var printButton = $('print');
    if (printButton) {
      printButton.hidden = false;
      printButton.addEventListener('click', function () { window.print(); });
    }

    if (!sealed.wrapped) {
      say($('unlock-status'), "Vous n'avez pas encore accès à cette demande : un·e collègue qui y a accès peut vous le donner depuis la page « Demandes ».");
      unlock.querySelector('button').disabled = true;
    }

    var el = function (tag, text, className) {
      var node = document.createElement(tag);
      if (text !== undefined && text !== null) { node.textContent = String(text); }
      if (className) { node.className = className; }
      return node;
    };

    var showReport = function (report) {
      var article = $('report');
      article.textContent = '';
      var head = el('header');
      head.appendChild(el('h2', 'Récit de ' + (report.name || 'la personne (prénom non donné)')));
      var day = String(report.sent_on).split('-').reverse().join('/');
      var meta = el('p', 'Envoyé le ' + day + ' à ' + report.organisation +
        (report.language !== 'fr' ? ' · écrit en ' + ({ en: 'anglais', ar: 'arabe' }[report.language] || report.language) : ''), 'hint');
      head.appendChild(meta);
      if (report.urgent) { head.appendChild(el('p', "La personne dit que c'est urgent.", 'urgent')); }
      article.appendChild(head);

      var facts = el('dl', null, 'report-facts');
      var fact = function (label, value) {
        if (!value) { return; }
        facts.appendChild(el('dt', label));
        facts.appendChild(el('dd', value));
      };
      fact('Commune', report.commune);
      fact('Besoins', (report.needs || []).join(', '));
      article.appendChild(facts);

      var section = function (title, lines) {
        if (!lines || !lines.length) { return; }
        article.appendChild(el('h3', title));
        var list = el('dl', null, 'report-lines');
        lines.forEach(function (line) {
          list.appendChild(el('dt', line.question));
          var dd = el('dd', line.answer);
          if (line.answer_original && line.answer_original !== line.answer) {
            dd.appendChild(el('span', 'Ses mots : ' + line.answer_original, 'original'));
          }
          list.appendChild(dd);
        });
        article.appendChild(list);
      };
      section('Comment la contacter sans danger', report.contact);
      if (report.free_text) {
        article.appendChild(el('h3', 'Ce qu\'elle veut vous dire'));
        article.appendChild(el('p', report.free_text, 'free-text'));
      }
      section('Ses réponses', report.answers);
      if (report.conversation && report.conversation.length) {
        article.appendChild(el('h3', 'La conversation en direct'));
        var talk = el('ol', null, 'live-messages');
        report.conversation.forEach(function (m) {
          var item = el('li', null, 'bubble ' + (m.from === 'professional' ? 'me' : 'bot'));
          item.appendChild(el('p', (m.from === 'professional' ? 'Votre structure' : 'La personne') + ' — ' + m.at, 'hint'));
          item.appendChild(el('p', m.text, 'free-text'));
          talk.appendChild(item);
        });
        article.appendChild(talk);
      }
      article.hidden = false;
    };

    var showMessages = async function () {
      var list = $('message-list');
      list.textContent = '';
      for (var i = 0; i < sealed.messages.length; i++) {
        var m = sealed.messages[i];
        var item = el('li', null, 'bubble ' + (m.author === 'professional' ? 'me' : 'bot'));
        item.appendChild(el('p', (m.author === 'professional' ? 'Votre structure' : 'La personne') + ' — ' + m.at, 'hint'));
        try {
          item.appendChild(el('p', await C.decryptMessage(key, sealed.id, m.id, m.author, m.body), 'free-text'));
        } catch (error) {
          item.appendChild(el('p', 'Ce message ne peut pas être lu.', 'error'));
        }
        list.appendChild(item);
      }
      $('thread').hidden = false;
    };

    var openWith = async function (privateKey) {
      key = await C.openReferralKey(sealed.wrapped, privateKey, sealed.id);
      showReport(await C.decryptReport(key, sealed.id, sealed.report));
      await showMessages();
      unlock.hidden = true;
      say($('unlock-status'), '');
      $('report').setAttribute('tabindex', '-1');
      $('report').focus();
    };

    unlock.addEventListener('submit', async function (event) {
      event.preventDefault();
      var status = $('unlock-status');
      say(status, 'Ouverture…');
      try {
        var privateKey = await C.unwrapPrivateKey(sealed.key, $('passphrase').value);
        $('passphrase').value = '';
        await remember(sealed.key.public_key, privateKey);
        await openWith(privateKey);
      } catch (error) {
        say(status, failure(error));
      }
    });

    if (sealed.wrapped) {
      remembered(sealed.key.public_key).then(function (privateKey) {
        if (privateKey) { return openWith(privateKey); }
        return null;
      }).catch(function () { /* the phrase is asked */ });
    }

    var replyForm = $('reply-form');
    if (replyForm) {
      replyForm.addEventListener('submit', async function (event) {
        event.preventDefault();
        var text = $('reply-text').value.trim();
        if (!key) { say($('unlock-status'), "Ouvrez d'abord la demande avec votre phrase secrète."); return; }
        if (!text) { return; }
        var messageId = C.newMessageId();
        field(replyForm, 'message_id').value = messageId;
        field(replyForm, 'body').value = await C.encryptMessage(key, sealed.id, messageId, 'professional', text);
        HTMLFormElement.prototype.submit.call(replyForm);
      });
    }

    var transferForm = $('transfer-form');
    if (transferForm) {
      transferForm.addEventListener('submit', async function (event) {
        event.preventDefault();
        if (!key) { say($('unlock-status'), "Ouvrez d'abord la demande avec votre phrase secrète."); return; }
        var organisation = $('transfer-organisation').value;
        var response = await fetch(transferForm.dataset.recipients + '?organisation=' + encodeURIComponent(organisation),
          { credentials: 'same-origin' });
        if (!response.ok) { say($('unlock-status'), failure()); return; }
        var recipients = await response.json();
        var keys = [];
        for (var i = 0; i < recipients.length; i++) {
          keys.push({ recipient: recipients[i].recipient,
            wrapped: await C.sealReferralKey(key, recipients[i].public_key, sealed.id) });
        }
        field(transferForm, 'keys').value = JSON.stringify(keys);
        field(transferForm, 'check').value = await C.keyCheck(key, sealed.id);
        HTMLFormElement.prototype.submit.call(transferForm);
      });
    }
  }

  // ---------------------------- /pro/acces and the recovery key's page
  async function rewrap(grants, privateKey, action, csrf, status) {
    var given = 0;
    for (var i = 0; i < grants.length; i++) {
      var grant = grants[i];
      var keys = [];
      for (var j = 0; j < grant.keys.length; j++) {
        var id = grant.keys[j][0];
        var opened = await C.openReferralKey(grant.keys[j][1], privateKey, id);
        keys.push([id, await C.sealReferralKey(opened, grant.public_key, id), await C.keyCheck(opened, id)]);
      }
      var body = new URLSearchParams({ csrf: csrf, recipient: grant.recipient, keys: JSON.stringify(keys) });
      var response = await fetch(action, { method: 'POST', body: body, credentials: 'same-origin' });
      if (!response.ok) { throw new Error('refused'); }
      given += keys.length;
      say(status, given + ' accès donné(s)…');
    }
    window.location.reload();
  }

  var grantForm = $('grant-form');
  if (grantForm) {
    remembered(JSON.parse(grantForm.dataset.key).public_key).then(function (privateKey) {
      if (privateKey) {
        $('passphrase').required = false;
        $('passphrase').parentNode.hidden = true;
      }
    });
    grantForm.addEventListener('submit', async function (event) {
      event.preventDefault();
      var status = $('grant-status');
      say(status, 'Ouverture de votre clé…');
      try {
        var record = JSON.parse(grantForm.dataset.key);
        var privateKey = await remembered(record.public_key);
        if (!privateKey) {
          privateKey = await C.unwrapPrivateKey(record, $('passphrase').value);
          await remember(record.public_key, privateKey);
        }
        $('passphrase').value = '';
        await rewrap(JSON.parse(grantForm.dataset.sealed), privateKey, grantForm.dataset.action, grantForm.dataset.csrf, status);
      } catch (error) {
        say(status, failure(error));
      }
    });
  }

  var generate = $('recovery-generate');
  if (generate) {
    generate.addEventListener('click', async function () {
      var form = $('recovery-create');
      var pair = await C.generateKeyPair();
      field(form, 'public_key').value = C.b64url.encode(pair.publicKey);
      $('recovery-text').value = await C.exportRecoveryKey(pair.privateKey);
      $('recovery-show').hidden = false;
      generate.hidden = true;
      $('recovery-text').focus();
    });
  }

  var recoveryGrant = $('recovery-grant');
  if (recoveryGrant) {
    recoveryGrant.addEventListener('submit', async function (event) {
      event.preventDefault();
      var status = $('recovery-status');
      try {
        var privateKey = await C.importRecoveryKey($('recovery-input').value);
        $('recovery-input').value = '';
        await rewrap(JSON.parse(recoveryGrant.dataset.sealed), privateKey, recoveryGrant.dataset.action, recoveryGrant.dataset.csrf, status);
      } catch (error) {
        say(status, 'Cette clé de secours ne permet pas d\'ouvrir ces demandes. Vérifiez que vous avez collé la clé entière.');
      }
    });
  }
}());
