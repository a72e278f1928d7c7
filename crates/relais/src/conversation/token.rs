//! The sealed progress token: a conversation's answers, encrypted and
//! authenticated with a key derived from the server secret, carried in the
//! page's form. Nothing about the person is stored on the server before she
//! consents to send something; the token is all there is.
//!
//! Format: base64url of `1 || nonce (24 bytes) || XChaCha20-Poly1305
//! ciphertext` of a JSON `{"f": flow version, "t": unix seconds, "p":
//! progress, "c": conversation id}`. The conversation id is random, made at
//! the first question and carried to the end ("Recommencer" makes another):
//! a finished conversation sends at most one referral per organisation. The associated data names the format, so a token of another
//! kind never opens as this one. A token is refused after two hours without
//! an answer, and when the flow changed since it was sealed.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use flow::Progress;
use serde::{Deserialize, Serialize};

use crate::secret::{Purpose, ServerSecret};

/// How long a conversation may stay without an answer.
pub const LIFETIME_SECS: i64 = 2 * 60 * 60;
/// The format's version byte.
const FORMAT: u8 = 1;
/// Associated data: what this ciphertext is.
const AAD: &[u8] = b"relais conversation progress v1";
/// A sealed token longer than this is refused before any work (the longest
/// path with every free text at its limit is far shorter).
pub const MAX_TOKEN_LEN: usize = 32 * 1024;

/// Why a token was refused. None of them says more to the visitor than
/// "start again".
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token at all (truncated, not base64, too long).
    #[error("malformed token")]
    Malformed,
    /// It does not open with our key: altered, or sealed by another server.
    #[error("token does not authenticate")]
    Tampered,
    /// More than two hours since the last answer.
    #[error("token expired")]
    Expired,
    /// Sealed for another version of the flow.
    #[error("token sealed for another flow version")]
    OtherFlow,
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    f: String,
    t: i64,
    p: Progress,
    /// Empty in tokens sealed before it existed.
    #[serde(default)]
    c: String,
}

/// A conversation's identity: 16 random bytes in hexadecimal, in its token
/// only. Nothing about the person; it only tells two sendings of the same
/// conversation apart from two conversations.
#[derive(Clone, PartialEq, Eq)]
pub struct ConversationId(String);

impl std::fmt::Debug for ConversationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConversationId(***)")
    }
}

impl ConversationId {
    /// A new conversation.
    pub fn new() -> Self {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the system gives random bytes");
        Self(hex::encode(bytes))
    }

    /// The id, to derive from.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ConversationId {
    fn default() -> Self {
        Self::new()
    }
}

/// Seals and opens progress tokens.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(***)")
    }
}

impl Sealer {
    /// A sealer with a key derived from the server secret (HKDF-SHA-256,
    /// with a purpose of its own, so that other keys derived from the same
    /// secret never coincide with it).
    pub fn new(secret: &ServerSecret) -> Self {
        let key = secret.derive(Purpose::ConversationToken);
        Self {
            cipher: XChaCha20Poly1305::new(key.bytes().into()),
        }
    }

    /// Seals a conversation's progress and identity, stamped with the flow's
    /// version and the time.
    pub fn seal(
        &self,
        flow_version: &str,
        now: i64,
        progress: &Progress,
        conversation: &ConversationId,
    ) -> String {
        let plaintext = serde_json::to_vec(&Sealed {
            f: flow_version.to_owned(),
            t: now,
            p: progress.clone(),
            c: conversation.0.clone(),
        })
        .expect("progress serialises");
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).expect("the system gives random bytes");
        let ciphertext = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &plaintext,
                    aad: AAD,
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any message of this size");
        let mut bytes = Vec::with_capacity(1 + nonce.len() + ciphertext.len());
        bytes.push(FORMAT);
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Opens a token sealed for `flow_version` within the last two hours:
    /// its progress and its conversation.
    pub fn open(
        &self,
        token: &str,
        flow_version: &str,
        now: i64,
    ) -> Result<(Progress, ConversationId), TokenError> {
        let (version, progress, conversation) = self.open_any(token, now)?;
        if version != flow_version {
            return Err(TokenError::OtherFlow);
        }
        Ok((progress, conversation))
    }

    /// Opens a token sealed within the last two hours, for whichever flow:
    /// the flow's version, the progress and the conversation.
    pub fn open_any(
        &self,
        token: &str,
        now: i64,
    ) -> Result<(String, Progress, ConversationId), TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| TokenError::Malformed)?;
        let Some((&format, rest)) = bytes.split_first() else {
            return Err(TokenError::Malformed);
        };
        if format != FORMAT || rest.len() < 24 + 16 {
            return Err(TokenError::Malformed);
        }
        let (nonce, ciphertext) = rest.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| TokenError::Malformed)?;
        let plaintext = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: AAD,
                },
            )
            .map_err(|_| TokenError::Tampered)?;
        let sealed: Sealed =
            serde_json::from_slice(&plaintext).map_err(|_| TokenError::Tampered)?;
        if now.saturating_sub(sealed.t) > LIFETIME_SECS || sealed.t > now.saturating_add(300) {
            return Err(TokenError::Expired);
        }
        let conversation = if sealed.c.is_empty() {
            ConversationId::new()
        } else {
            ConversationId(sealed.c)
        };
        Ok((sealed.f, sealed.p, conversation))
    }
}

#[cfg(test)]
mod tests {
    use flow::Answer;

    use super::*;

    fn progress() -> Progress {
        Progress {
            answers: vec![
                ("age".to_owned(), Answer::Number(34)),
                ("message".to_owned(), Answer::Text("bonjour".to_owned())),
            ],
        }
    }

    #[test]
    fn a_sealed_token_opens_to_the_same_progress() {
        let sealer = Sealer::new(&ServerSecret::random().unwrap());
        let conversation = ConversationId::new();
        let token = sealer.seal("v1", 1_000, &progress(), &conversation);
        assert_eq!(
            sealer.open(&token, "v1", 1_060),
            Ok((progress(), conversation))
        );
    }

    #[test]
    fn the_token_reveals_nothing_of_the_answers() {
        let sealer = Sealer::new(&ServerSecret::random().unwrap());
        let token = sealer.seal("v1", 1_000, &progress(), &ConversationId::new());
        let raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        assert!(!String::from_utf8_lossy(&raw).contains("bonjour"));
        assert_ne!(
            token,
            sealer.seal("v1", 1_000, &progress(), &ConversationId::new()),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn an_altered_token_is_refused() {
        let sealer = Sealer::new(&ServerSecret::random().unwrap());
        let token = sealer.seal("v1", 1_000, &progress(), &ConversationId::new());
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(
            sealer.open(&URL_SAFE_NO_PAD.encode(bytes), "v1", 1_000),
            Err(TokenError::Tampered)
        );
        assert_eq!(
            sealer.open("not a token", "v1", 1_000),
            Err(TokenError::Malformed)
        );
        assert_eq!(sealer.open("", "v1", 1_000), Err(TokenError::Malformed));
    }

    #[test]
    fn a_token_from_another_server_is_refused() {
        let ours = Sealer::new(&ServerSecret::random().unwrap());
        let theirs = Sealer::new(&ServerSecret::random().unwrap());
        let token = theirs.seal("v1", 1_000, &progress(), &ConversationId::new());
        assert_eq!(ours.open(&token, "v1", 1_000), Err(TokenError::Tampered));
    }

    #[test]
    fn a_token_expires_two_hours_after_the_last_answer() {
        let sealer = Sealer::new(&ServerSecret::random().unwrap());
        let token = sealer.seal("v1", 1_000, &progress(), &ConversationId::new());
        assert!(sealer.open(&token, "v1", 1_000 + LIFETIME_SECS).is_ok());
        assert_ne!(ConversationId::new(), ConversationId::new());
        assert_eq!(
            sealer.open(&token, "v1", 1_001 + LIFETIME_SECS),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn a_token_is_bound_to_the_flow_version() {
        let sealer = Sealer::new(&ServerSecret::random().unwrap());
        let token = sealer.seal("v1", 1_000, &progress(), &ConversationId::new());
        assert_eq!(sealer.open(&token, "v2", 1_000), Err(TokenError::OtherFlow));
    }
}
