/* Relais — the referral's encryption in the professional's browser.
 *
 * docs/crypto.md is the format; the server follows it with the Rust `hpke`
 * crate, byte for byte. WebCrypto has X25519, AES-GCM, PBKDF2 and HMAC but no
 * HPKE, and its HKDF fuses Extract and Expand: RFC 9180 base mode is built
 * here on HMAC. It imports raw X25519 private keys only as PKCS#8: a fixed
 * 16-byte prefix, then the 32 bytes. A classic script (assets have hashed
 * names) setting globalThis.RelaisCrypto, or nothing without WebCrypto.
 * Bytes are Uint8Array, base64url (no padding) where they travel. Async but
 * the first line:
 *   b64url.encode/decode, hex.encode/decode, randomBytes(n), newMessageId()
 *   supported(): X25519 here?  generateKeyPair() -> {publicKey, privateKey}
 *   wrapPrivateKey(privateKey, passphrase, iterations = 600000)
 *     -> {salt, iterations, nonce, wrapped}
 *   unwrapPrivateKey(record, passphrase, extractable = false) -> CryptoKey
 *   exportRecoveryKey(privateKey) -> text; importRecoveryKey(text, extractable)
 *   sealReferralKey(K, publicKey, id) -> wrapped
 *   openReferralKey(wrapped, privateKey, id) -> K
 *   keyCheck(K, id) -> base64url(HMAC-SHA256(K, "relais/v1/key-check/" + id))
 *   encryptReport(K, id, report) / decryptReport(K, id, blob) -> report
 *   encryptMessage(K, id, messageId, author, text) -> blob
 *   decryptMessage(K, id, messageId, author, blob) -> text
 *   hpke.deriveKeyPair(ikm) -> {sk, pk, privateKey}
 *   hpke.setupBaseS({pkR, info, aead, skE}) -> context with enc
 *   hpke.setupBaseR({enc, skR, info, aead}) -> context: seal(aad, pt),
 *     open(aad, ct), export(ctx, L), seq and the key schedule's values
 *   hpke.sealBase({pkR, info, aad, pt, aead, skE}) -> {enc, ct}
 *   hpke.openBase({enc, skR, info, aad, ct, aead}) -> pt
 * aead: 2 for AES-256-GCM (ours, default), 1 for AES-128-GCM (RFC vectors);
 * skR, skE: CryptoKey or 32 bytes; no skE, a fresh ephemeral key.
 * Errors are named WrongPassphrase (GCM cannot tell a damaged record from a
 * wrong passphrase), DecryptError, InvalidKey, EncodingError or TypeError.
 */
(function (root) {
  'use strict';

  const c = root.crypto;
  if (!c || !c.subtle) { return; }
  const subtle = c.subtle;
  const X = { name: 'X25519' };
  const NONE = new Uint8Array(0);
  const utf8 = (s) => new TextEncoder().encode(s);
  const fromUtf8 = (b) => new TextDecoder('utf-8', { fatal: true }).decode(b);
  const fail = (name, message) => Object.assign(new Error(message), { name });
  const randomBytes = (n) => c.getRandomValues(new Uint8Array(n));
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => { out.set(p, at); return at + p.length; }, 0);
    return out;
  }
  function i2osp(n, w) { // n as w big-endian bytes
    const out = new Uint8Array(w);
    for (let i = w - 1; n > 0; i--) { out[i] = n % 256; n = Math.floor(n / 256); }
    return out;
  }
  const b64url = {
    encode(b) {
      let s = '';
      for (const x of b) { s += String.fromCharCode(x); } // no spread: reports can be long
      return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    },
    decode(s) { // strict: one spelling per value
      let out = null;
      try { out = Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0)); } catch (e) { /* below */ }
      if (!/^[\w-]*$/.test(s) || !out || b64url.encode(out) !== s) { throw fail('EncodingError', 'bad base64url'); }
      return out;
    },
  };
  const hex = {
    encode: (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''),
    decode(s) {
      if (!/^([\da-f]{2})*$/i.test(s)) { throw fail('EncodingError', 'bad hex'); }
      return Uint8Array.from(s.match(/../g) || [], (h) => parseInt(h, 16));
    },
  };

  // HKDF-SHA256 (RFC 5869). An empty salt is 32 zero bytes, as HMAC would
  // pad an empty key, which WebCrypto refuses.
  async function hmac(key, data) {
    const k = await subtle.importKey('raw', key.length ? key : new Uint8Array(32),
      { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await subtle.sign('HMAC', k, data));
  }
  async function expand(prk, info, length) {
    const out = [NONE];
    while (out.length * 32 < length + 32) { out.push(await hmac(prk, concat(out[out.length - 1], info, [out.length]))); }
    return concat(...out).slice(0, length);
  }
  const V1 = utf8('HPKE-v1');
  const extractL = (suite, salt, label, ikm) => hmac(salt, concat(V1, suite, utf8(label), ikm));
  const expandL = (suite, prk, label, info, L) => expand(prk, concat(i2osp(L, 2), V1, suite, utf8(label), info), L);

  // DHKEM(X25519, HKDF-SHA256)
  const KEM = concat(utf8('KEM'), [0, 0x20]);
  const PKCS8 = hex.decode('302e020100300506032b656e04220420');
  const importSk = (sk, extractable) => subtle.importKey('pkcs8', concat(PKCS8, sk), X, extractable, ['deriveBits']);
  const toKey = async (sk) => (sk instanceof Uint8Array ? importSk(sk, false) : sk);
  async function dh(sk, pk) {
    const pub = await subtle.importKey('raw', pk, X, true, []);
    const out = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pub }, sk, 256));
    if (out.every((x) => x === 0)) { throw fail('DecryptError', 'bad X25519 public key'); }
    return out;
  }
  const pkOf = (sk) => dh(sk, concat([9], new Uint8Array(31))); // X25519(sk, 9), even unextractable
  async function kemSecret(dhOut, enc, pkRm) {
    return expandL(KEM, await extractL(KEM, NONE, 'eae_prk', dhOut), 'shared_secret', concat(enc, pkRm), 32);
  }
  async function deriveKeyPair(ikm) {
    const sk = await expandL(KEM, await extractL(KEM, NONE, 'dkp_prk', ikm), 'sk', NONE, 32);
    const privateKey = await importSk(sk, false);
    return { sk, pk: await pkOf(privateKey), privateKey };
  }

  const gcm = async (op, key, iv, aad, data) =>
    new Uint8Array(await subtle[op]({ name: 'AES-GCM', iv, additionalData: aad }, key, data));
  const aesKey = (raw) => subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  async function open(key, iv, aad, ct) {
    try { return await gcm('decrypt', key, iv, aad, ct); } catch (e) { throw fail('DecryptError', 'cannot decrypt'); }
  }

  // Base mode key schedule: no PSK, HKDF-SHA256, AES-GCM.
  async function keySchedule(aead, sharedSecret, info) {
    const Nk = { 1: 16, 2: 32 }[aead];
    if (!Nk) { throw new TypeError('aead: 1 or 2'); }
    const suite = concat(utf8('HPKE'), [0, 0x20, 0, 1, 0, aead]);
    const keyScheduleContext = concat([0], await extractL(suite, NONE, 'psk_id_hash', NONE),
      await extractL(suite, NONE, 'info_hash', info));
    const secret = await extractL(suite, sharedSecret, 'secret', NONE);
    const k = (label, L) => expandL(suite, secret, label, keyScheduleContext, L);
    const key = await k('key', Nk);
    const baseNonce = await k('base_nonce', 12);
    const exporterSecret = await k('exp', 32);
    const aes = await aesKey(key);
    const nonce = () => i2osp(ctx.seq, 12).map((x, i) => x ^ baseNonce[i]);
    const ctx = {
      sharedSecret, keyScheduleContext, secret, key, baseNonce, exporterSecret, seq: 0,
      async seal(aad, pt) { const ct = await gcm('encrypt', aes, nonce(), aad, pt); ctx.seq++; return ct; },
      async open(aad, ct) { const pt = await open(aes, nonce(), aad, ct); ctx.seq++; return pt; },
      export: (context, L) => expandL(suite, exporterSecret, 'sec', context, L),
    };
    return ctx;
  }
  const hpke = {
    deriveKeyPair,
    async setupBaseS({ pkR, info, aead = 2, skE }) {
      const sk = skE ? await toKey(skE) : (await subtle.generateKey(X, false, ['deriveBits'])).privateKey;
      const enc = await pkOf(sk);
      return Object.assign(await keySchedule(aead, await kemSecret(await dh(sk, pkR), enc, pkR), info), { enc });
    },
    async setupBaseR({ enc, skR, info, aead = 2 }) {
      const sk = await toKey(skR);
      return keySchedule(aead, await kemSecret(await dh(sk, enc), enc, await pkOf(sk)), info);
    },
    async sealBase(o) { const s = await hpke.setupBaseS(o); return { enc: s.enc, ct: await s.seal(o.aad, o.pt) }; },
    async openBase(o) { return (await hpke.setupBaseR(o)).open(o.aad, o.ct); },
  };

  // Relais, after docs/crypto.md.
  const KEY_AAD = utf8('relais/v1/private-key');
  const INFO = utf8('relais/v1/referral-key');
  const RECOVERY = 'RELAIS-RECOVERY-1:';
  const bytes = (v) => (typeof v === 'string' ? b64url.decode(v) : v);
  function hexId(s, what) {
    if (!/^[\da-f]{32}$/.test(s)) { throw new TypeError(what + ': 32 lowercase hex characters'); }
    return s;
  }
  // Always the 48 bytes of docs/crypto.md, whatever the browser exports.
  const pkcs8Of = async (key) => concat(PKCS8, b64url.decode((await subtle.exportKey('jwk', key)).d));
  async function importPkcs8(p, extractable) {
    if (p.length !== 48 || PKCS8.some((x, i) => p[i] !== x)) { throw fail('InvalidKey', 'not an X25519 key'); }
    try { return await subtle.importKey('pkcs8', p, X, extractable, ['deriveBits']); } finally { p.fill(0); }
  }
  async function passphraseKey(passphrase, salt, iterations) {
    if (!Number.isSafeInteger(iterations) || iterations < 1) { throw new TypeError('iterations'); }
    const base = await subtle.importKey('raw', utf8(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
    return subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base,
      { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  }
  function kKey(K) {
    if (!(K instanceof Uint8Array) || K.length !== 32) { throw new TypeError('K: 32 bytes'); }
    return aesKey(K);
  }
  async function sealBlob(K, aad, pt) { // nonce || AES-256-GCM(K, nonce, pt, aad)
    const nonce = randomBytes(12);
    return b64url.encode(concat(nonce, await gcm('encrypt', await kKey(K), nonce, aad, pt)));
  }
  async function openBlob(K, aad, blob) {
    const b = b64url.decode(blob);
    return open(await kKey(K), b.subarray(0, 12), aad, b.subarray(12));
  }
  const reportAad = (id) => utf8('relais/v1/report/' + hexId(id, 'id'));
  function messageAad(id, messageId, author) {
    if (author !== 'person' && author !== 'professional') { throw new TypeError('author'); }
    return utf8(['relais/v1/message', hexId(id, 'id'), hexId(messageId, 'messageId'), author].join('/'));
  }

  root.RelaisCrypto = Object.freeze({
    b64url, hex, randomBytes, hpke,
    newMessageId: () => hex.encode(randomBytes(16)),
    supported: () => subtle.generateKey(X, false, ['deriveBits']).then(() => true, () => false),
    async generateKeyPair() {
      const { publicKey, privateKey } = await subtle.generateKey(X, true, ['deriveBits']);
      return { publicKey: new Uint8Array(await subtle.exportKey('raw', publicKey)), privateKey };
    },
    async wrapPrivateKey(privateKey, passphrase, iterations = 600000) {
      const salt = randomBytes(16);
      const nonce = randomBytes(12);
      const key = await passphraseKey(passphrase, salt, iterations);
      const p = await pkcs8Of(privateKey);
      const wrapped = await gcm('encrypt', key, nonce, KEY_AAD, p);
      p.fill(0);
      return { salt: b64url.encode(salt), iterations, nonce: b64url.encode(nonce), wrapped: b64url.encode(wrapped) };
    },
    async unwrapPrivateKey(record, passphrase, extractable = false) {
      const key = await passphraseKey(passphrase, b64url.decode(record.salt), record.iterations);
      let p;
      try { p = await open(key, b64url.decode(record.nonce), KEY_AAD, b64url.decode(record.wrapped)); } catch (e) {
        throw fail('WrongPassphrase', 'wrong passphrase');
      }
      return importPkcs8(p, extractable);
    },
    async exportRecoveryKey(privateKey) {
      const p = await pkcs8Of(privateKey);
      const text = RECOVERY + b64url.encode(p);
      p.fill(0);
      return text;
    },
    async importRecoveryKey(text, extractable = false) { // spaces, line breaks ignored
      const t = String(text).replace(/\s+/g, '');
      let p = null;
      try { p = t.startsWith(RECOVERY) && b64url.decode(t.slice(RECOVERY.length)); } catch (e) { /* below */ }
      if (!p) { throw fail('InvalidKey', 'not a Relais recovery key'); }
      return importPkcs8(p, extractable);
    },
    async sealReferralKey(K, publicKey, id) {
      const pkR = bytes(publicKey);
      if (K.length !== 32 || pkR.length !== 32) { throw new TypeError('K, public key: 32 bytes'); }
      const { enc, ct } = await hpke.sealBase({ pkR, info: INFO, aad: utf8(hexId(id, 'id')), pt: K });
      return b64url.encode(concat(enc, ct)); // 32 + 48 bytes
    },
    async openReferralKey(wrapped, privateKey, id) {
      const w = bytes(wrapped);
      if (w.length !== 80) { throw fail('DecryptError', 'a wrapped key is 80 bytes'); }
      return hpke.openBase({ enc: w.subarray(0, 32), ct: w.subarray(32), skR: privateKey, info: INFO, aad: utf8(hexId(id, 'id')) });
    },
    async keyCheck(K, id) {
      if (!(K instanceof Uint8Array) || K.length !== 32) { throw new TypeError('K: 32 bytes'); }
      return b64url.encode(await hmac(K, utf8('relais/v1/key-check/' + hexId(id, 'id'))));
    },
    async encryptReport(K, id, report) { return sealBlob(K, reportAad(id), utf8(JSON.stringify(report))); },
    async decryptReport(K, id, blob) { return JSON.parse(fromUtf8(await openBlob(K, reportAad(id), blob))); },
    async encryptMessage(K, id, messageId, author, text) { return sealBlob(K, messageAad(id, messageId, author), utf8(text)); },
    async decryptMessage(K, id, messageId, author, blob) { return fromUtf8(await openBlob(K, messageAad(id, messageId, author), blob)); },
  });
})(globalThis);
