//! The envelope of a referral, as docs/crypto.md defines it: a random
//! referral key `K` per referral, the report and every message encrypted
//! with it (AES-256-GCM), and `K` wrapped with HPKE (RFC 9180: DHKEM(X25519,
//! HKDF-SHA256), HKDF-SHA256, AES-256-GCM) for each recipient.
//!
//! The server seals; it opens only with the person's key, which exists only
//! while a request carrying her receipt is answered. A professional's
//! private key never reaches the server unwrapped: their browser opens.

use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use hpke::aead::AesGcm256;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable as _, Kem as _, OpModeR, OpModeS, Serializable as _};
use sha2::Sha256;

use crate::storage::{MessageId, ReferralId};

/// The HPKE `info` of a wrapped referral key.
pub const KEY_INFO: &[u8] = b"relais/v1/referral-key";
/// Length of an encapsulated key, then of the sealed referral key.
const ENC_LEN: usize = 32;
const WRAPPED_LEN: usize = ENC_LEN + 32 + 16;
/// Length of an AES-GCM nonce.
const NONCE_LEN: usize = 12;

type Kem = X25519HkdfSha256;

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Author {
    /// The person who sent the referral.
    Person,
    /// A member of the receiving organisation.
    Professional,
}

impl Author {
    /// The stored code, also bound into the message's associated data.
    pub fn code(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Professional => "professional",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "person" => Some(Self::Person),
            "professional" => Some(Self::Professional),
            _ => None,
        }
    }
}

impl TryFrom<String> for Author {
    type Error = crate::storage::UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::parse(&code).ok_or(crate::storage::UnknownCode {
            what: "message author",
            code,
        })
    }
}

/// Why something could not be opened or read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Not base64url, or not the expected length.
    #[error("the value is not encoded as expected")]
    Encoding,
    /// The key, the associated data or the ciphertext does not match.
    #[error("the value cannot be opened with this key")]
    Open,
}

/// A recipient's X25519 public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey(<Kem as hpke::Kem>::PublicKey);

impl PublicKey {
    /// Reads 32 raw bytes in base64url.
    pub fn parse(text: &str) -> Result<Self, EnvelopeError> {
        let bytes = decode(text.trim())?;
        <Kem as hpke::Kem>::PublicKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| EnvelopeError::Encoding)
    }

    /// The 32 raw bytes in base64url.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.to_bytes())
    }
}

/// An X25519 private key held by the server for a moment: the person's,
/// derived from her receipt, or a test's.
#[derive(Clone)]
pub struct PrivateKey(<Kem as hpke::Kem>::PrivateKey);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(***)")
    }
}

impl PrivateKey {
    /// The key whose 32 raw bytes are `bytes` (clamped by X25519).
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(<Kem as hpke::Kem>::PrivateKey::from_bytes(bytes).expect("any 32 bytes are a key"))
    }

    /// A fresh random key pair.
    pub fn generate() -> (Self, PublicKey) {
        let (private, public) = Kem::gen_keypair();
        (Self(private), PublicKey(public))
    }

    /// Its public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(Kem::sk_to_pk(&self.0))
    }
}

/// The key of one referral. Erasing every wrapped copy erases the referral.
pub struct ReferralKey([u8; 32]);

impl Drop for ReferralKey {
    fn drop(&mut self) {
        // Best effort: the plaintext key does not outlive its use.
        self.0 = [0; 32];
        std::hint::black_box(&self.0);
    }
}

impl std::fmt::Debug for ReferralKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReferralKey(***)")
    }
}

impl ReferralKey {
    /// A fresh random key.
    pub fn random() -> Self {
        let mut key = [0; 32];
        getrandom::fill(&mut key).expect("the system gives random bytes");
        Self(key)
    }

    /// Wraps this key for `recipient`: base64url(enc ‖ ct), 80 bytes.
    pub fn wrap_for(&self, recipient: &PublicKey, id: &ReferralId) -> String {
        let (enc, sealed) = hpke::single_shot_seal::<AesGcm256, HkdfSha256, Kem>(
            &OpModeS::Base,
            &recipient.0,
            KEY_INFO,
            &self.0,
            id.as_str().as_bytes(),
        )
        .expect("sealing 32 bytes to a valid key succeeds");
        let mut out = Vec::with_capacity(WRAPPED_LEN);
        out.extend_from_slice(&enc.to_bytes());
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Opens a copy wrapped for `key`.
    pub fn unwrap(wrapped: &str, key: &PrivateKey, id: &ReferralId) -> Result<Self, EnvelopeError> {
        let bytes = decode(wrapped)?;
        if bytes.len() != WRAPPED_LEN {
            return Err(EnvelopeError::Encoding);
        }
        let (enc, sealed) = bytes.split_at(ENC_LEN);
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc)
            .map_err(|_| EnvelopeError::Encoding)?;
        let opened = hpke::single_shot_open::<AesGcm256, HkdfSha256, Kem>(
            &OpModeR::Base,
            &key.0,
            &enc,
            KEY_INFO,
            sealed,
            id.as_str().as_bytes(),
        )
        .map_err(|_| EnvelopeError::Open)?;
        let key: [u8; 32] = opened.try_into().map_err(|_| EnvelopeError::Open)?;
        Ok(Self(key))
    }

    /// The key's check value for referral `id`: base64url(HMAC-SHA256(K,
    /// "relais/v1/key-check/" ‖ id)). Stored with the referral, it lets the
    /// server see that a browser re-wrapping the key holds the right one,
    /// without ever learning it.
    pub fn check(&self, id: &ReferralId) -> String {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.0)
            .expect("HMAC takes any key length");
        mac.update(format!("relais/v1/key-check/{id}").as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Encrypts the report of referral `id`.
    pub fn seal_report(&self, id: &ReferralId, report: &[u8]) -> String {
        self.seal(report, &report_aad(id))
    }

    /// Decrypts the report of referral `id`.
    pub fn open_report(&self, id: &ReferralId, blob: &str) -> Result<Vec<u8>, EnvelopeError> {
        self.open(blob, &report_aad(id))
    }

    /// Encrypts a message of referral `id`.
    pub fn seal_message(
        &self,
        id: &ReferralId,
        message_id: &MessageId,
        author: Author,
        text: &str,
    ) -> String {
        self.seal(text.as_bytes(), &message_aad(id, message_id, author))
    }

    /// Decrypts a message of referral `id`.
    pub fn open_message(
        &self,
        id: &ReferralId,
        message_id: &MessageId,
        author: Author,
        blob: &str,
    ) -> Result<String, EnvelopeError> {
        let bytes = self.open(blob, &message_aad(id, message_id, author))?;
        String::from_utf8(bytes).map_err(|_| EnvelopeError::Open)
    }

    fn seal(&self, plaintext: &[u8], aad: &[u8]) -> String {
        let mut nonce = [0; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the system gives random bytes");
        let sealed = Aes256Gcm::new(&self.0.into())
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("AES-GCM encrypts any message under 64 GB");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    fn open(&self, blob: &str, aad: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
        let bytes = decode(blob)?;
        if bytes.len() < NONCE_LEN + 16 {
            return Err(EnvelopeError::Encoding);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| EnvelopeError::Encoding)?;
        Aes256Gcm::new(&self.0.into())
            .decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad })
            .map_err(|_| EnvelopeError::Open)
    }
}

fn report_aad(id: &ReferralId) -> Vec<u8> {
    format!("relais/v1/report/{id}").into_bytes()
}

fn message_aad(id: &ReferralId, message_id: &MessageId, author: Author) -> Vec<u8> {
    format!("relais/v1/message/{id}/{message_id}/{}", author.code()).into_bytes()
}

fn decode(text: &str) -> Result<Vec<u8>, EnvelopeError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| EnvelopeError::Encoding)
}

/// The X25519 public values of small order (and 0, 1, p − 1, p, p + 1),
/// little-endian, top bit cleared: an encapsulated key equal to one of them
/// makes a shared secret anyone can compute, so no honest sender uses one.
const SMALL_ORDER: [[u8; 32]; 7] = [
    [0; 32],
    {
        let mut one = [0; 32];
        one[0] = 1;
        one
    },
    [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ],
    [
        0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
        0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
        0x11, 0x57,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

/// Whether `wrapped` is shaped like a copy of a referral key: base64url of
/// an HPKE encapsulated key (an X25519 public value not of small order)
/// then 32 sealed bytes and their tag. What is sealed inside only its
/// recipient can tell; the key check tells the server the sender held K.
pub fn is_wrapped_key(wrapped: &str) -> bool {
    let Ok(bytes) = decode(wrapped) else {
        return false;
    };
    if bytes.len() != WRAPPED_LEN {
        return false;
    }
    let mut enc = [0u8; ENC_LEN];
    enc.copy_from_slice(&bytes[..ENC_LEN]);
    enc[31] &= 0x7f;
    !SMALL_ORDER.contains(&enc)
        && <Kem as hpke::Kem>::EncappedKey::from_bytes(&bytes[..ENC_LEN]).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_only_with_its_private_key_and_its_referral_id() {
        let (private, public) = PrivateKey::generate();
        let (other, _) = PrivateKey::generate();
        let key = ReferralKey::random();
        let id = ReferralId::new();
        let wrapped = key.wrap_for(&public, &id);
        assert_eq!(decode(&wrapped).unwrap().len(), 80);
        let opened = ReferralKey::unwrap(&wrapped, &private, &id).unwrap();
        assert_eq!(opened.0, key.0);
        assert_eq!(
            ReferralKey::unwrap(&wrapped, &other, &id).unwrap_err(),
            EnvelopeError::Open
        );
        assert_eq!(
            ReferralKey::unwrap(&wrapped, &private, &ReferralId::new()).unwrap_err(),
            EnvelopeError::Open
        );
    }

    #[test]
    fn a_report_and_a_message_are_bound_to_their_referral_and_author() {
        let key = ReferralKey::random();
        let id = ReferralId::new();
        let report = key.seal_report(&id, b"{\"version\":1}");
        assert_eq!(key.open_report(&id, &report).unwrap(), b"{\"version\":1}");
        assert!(key.open_report(&ReferralId::new(), &report).is_err());
        let message_id = MessageId::new();
        let message = key.seal_message(&id, &message_id, Author::Professional, "Bonjour");
        assert_eq!(
            key.open_message(&id, &message_id, Author::Professional, &message)
                .unwrap(),
            "Bonjour"
        );
        assert!(
            key.open_message(&id, &message_id, Author::Person, &message)
                .is_err()
        );
        assert!(
            key.open_message(&id, &MessageId::new(), Author::Professional, &message)
                .is_err()
        );
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        let (private, _) = PrivateKey::generate();
        let key = ReferralKey::random();
        let id = ReferralId::new();
        for text in ["", "!!", "AAAA", &"A".repeat(107)] {
            assert!(ReferralKey::unwrap(text, &private, &id).is_err());
            assert!(key.open_report(&id, text).is_err());
        }
        assert!(PublicKey::parse("AAAA").is_err());
    }

    #[test]
    fn a_public_key_reads_back_what_it_writes() {
        let (private, public) = PrivateKey::generate();
        assert_eq!(PublicKey::parse(&public.encode()).unwrap(), public);
        assert_eq!(private.public_key(), public);
    }

    /// An RNG that hands out fixed bytes: the RFC's ephemeral key material.
    struct Fixed(Vec<u8>);

    impl hpke::rand_core::TryRng for Fixed {
        type Error = std::convert::Infallible;

        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            unreachable!("HPKE asks for bytes")
        }

        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            unreachable!("HPKE asks for bytes")
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            let taken: Vec<u8> = self.0.drain(..dst.len()).collect();
            dst.copy_from_slice(&taken);
            Ok(())
        }
    }

    impl hpke::rand_core::TryCryptoRng for Fixed {}

    fn vector(name: &str) -> serde_json::Value {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn bytes(value: &serde_json::Value) -> Vec<u8> {
        hex::decode(value.as_str().unwrap()).unwrap()
    }

    /// Checks a base-mode vector: the recipient's key pair, decapsulation
    /// and the key schedule (through the exported values), every printed
    /// ciphertext opened, and with the ephemeral key material, every one
    /// sealed again byte for byte.
    fn check_vector<A: hpke::aead::Aead>(v: &serde_json::Value) {
        let info = bytes(&v["info"]);
        let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(&bytes(&v["skRm"])).unwrap();
        assert_eq!(Kem::sk_to_pk(&sk).to_bytes().to_vec(), bytes(&v["pkRm"]));
        if let Some(ikm) = v.get("ikmR") {
            // The crate keeps the scalar clamped: compare the public keys.
            let (_, public) = Kem::derive_keypair(&bytes(ikm));
            assert_eq!(public.to_bytes().to_vec(), bytes(&v["pkRm"]));
        }
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&bytes(&v["pkEm"])).unwrap();
        let mut receiver =
            hpke::setup_receiver::<A, HkdfSha256, Kem>(&OpModeR::Base, &sk, &enc, &info).unwrap();
        for export in v["exports"].as_array().unwrap() {
            let mut out = vec![0; usize::try_from(export["L"].as_u64().unwrap()).unwrap()];
            receiver
                .export(&bytes(&export["exporter_context"]), &mut out)
                .unwrap();
            assert_eq!(out, bytes(&export["exported_value"]));
        }
        let printed: std::collections::BTreeMap<u64, &serde_json::Value> = v["encryptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["seq"].as_u64().unwrap(), e))
            .collect();
        let last = *printed.keys().last().unwrap();
        // The sender, when the vector gives the ephemeral key material.
        let mut sender = v.get("ikmE").map(|ikm| {
            let (enc, sender) = hpke::setup_sender_with_rng::<A, HkdfSha256, Kem>(
                &OpModeS::Base,
                &Kem::sk_to_pk(&sk),
                &info,
                &mut Fixed(bytes(ikm)),
            )
            .unwrap();
            assert_eq!(enc.to_bytes().to_vec(), bytes(&v["enc"]));
            sender
        });
        let filler_aad = b"not printed";
        for seq in 0..=last {
            let printed = printed.get(&seq);
            let sealed = sender.as_mut().map(|s| match printed {
                Some(e) => s.seal(&bytes(&e["pt"]), &bytes(&e["aad"])).unwrap(),
                None => s.seal(b"filler", filler_aad).unwrap(),
            });
            match (printed, sealed) {
                (Some(e), sealed) => {
                    if let Some(sealed) = sealed {
                        assert_eq!(sealed, bytes(&e["ct"]), "seal, seq {seq}");
                    }
                    let opened = receiver.open(&bytes(&e["ct"]), &bytes(&e["aad"]));
                    assert_eq!(opened.unwrap(), bytes(&e["pt"]), "open, seq {seq}");
                }
                (None, Some(filler)) => {
                    assert_eq!(receiver.open(&filler, filler_aad).unwrap(), b"filler");
                }
                // Without the sender, only the consecutive start is opened.
                (None, None) => break,
            }
        }
    }

    #[test]
    fn a_copy_of_the_key_is_recognised_and_random_or_degenerate_bytes_are_not() {
        let key = ReferralKey::random();
        let (_, public) = PrivateKey::generate();
        let id = ReferralId::new();
        assert!(is_wrapped_key(&key.wrap_for(&public, &id)));
        assert!(!is_wrapped_key(&URL_SAFE_NO_PAD.encode([0u8; 80])));
        let mut one = [0u8; 80];
        one[0] = 1;
        assert!(!is_wrapped_key(&URL_SAFE_NO_PAD.encode(one)));
        let mut p_plus_one = [0xffu8; 80];
        p_plus_one[0] = 0xee;
        p_plus_one[31] = 0xff; // the top bit does not count
        assert!(!is_wrapped_key(&URL_SAFE_NO_PAD.encode(p_plus_one)));
        assert!(!is_wrapped_key(&URL_SAFE_NO_PAD.encode([7u8; 79])));
        assert!(!is_wrapped_key("not base64!"));
    }

    #[test]
    fn the_key_check_is_the_same_for_the_same_key_and_referral_only() {
        let key = ReferralKey::random();
        let id = ReferralId::new();
        assert_eq!(key.check(&id), key.check(&id));
        assert_ne!(key.check(&id), key.check(&ReferralId::new()));
        assert_ne!(key.check(&id), ReferralKey::random().check(&id));
        assert_eq!(URL_SAFE_NO_PAD.decode(key.check(&id)).unwrap().len(), 32);
    }

    #[test]
    fn the_rfc_9180_x25519_vector_passes() {
        check_vector::<hpke::aead::AesGcm128>(&vector("rfc9180-a1.json"));
    }

    #[test]
    fn the_cfrg_vector_of_our_suite_passes() {
        check_vector::<AesGcm256>(&vector("hpke-x25519-aes256.json"));
    }
}
