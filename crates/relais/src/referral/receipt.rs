//! Receipts: the 16 digits a person keeps to follow her request.
//!
//! Only an Argon2id hash of the receipt is stored (its `lookup`). The same
//! computation gives the person's X25519 key, which receives a wrapped copy
//! of the referral key: with her receipt she can read the replies, and the
//! server, without it, cannot. Salt and parameters: docs/crypto.md.

use std::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use hkdf::Hkdf;
use sha2::Sha256;

use crate::referral::envelope::PrivateKey;
use crate::secret::{Purpose, ServerSecret};

/// Digits in a receipt.
pub const DIGITS: usize = 16;
/// Argon2id memory, in KiB. Light on purpose: a receipt has 53 bits of
/// entropy and the salt comes from the server secret, so a stolen database
/// alone cannot be searched at all, and with the secret each guess still
/// costs this much; the server must also hash hundreds per second.
const MEMORY_KIB: u32 = 4 * 1024;
/// Argon2id passes.
const PASSES: u32 = 1;

/// A receipt: 16 decimal digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Receipt(String);

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receipt(***)")
    }
}

impl Receipt {
    /// A fresh random receipt.
    pub fn generate() -> Self {
        let mut digits = String::with_capacity(DIGITS);
        while digits.len() < DIGITS {
            let mut byte = [0u8; 1];
            getrandom::fill(&mut byte).expect("the system gives random bytes");
            // 250 = 25 × 10: keep only bytes that map evenly to a digit.
            if byte[0] < 250 {
                digits.push(char::from(b'0' + byte[0] % 10));
            }
        }
        Self(digits)
    }

    /// Reads what a person typed: 16 digits, with any spaces, dots or
    /// dashes between them.
    pub fn parse(text: &str) -> Option<Self> {
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}' | '\u{202f}'))
            .collect();
        (digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(Self(digits))
    }

    /// The 16 digits, in four groups of four: "1234 5678 9012 3456".
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|group| std::str::from_utf8(group).expect("ASCII digits"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a receipt opens: its stored trace and the person's key.
#[derive(Debug)]
pub struct Derived {
    /// The only stored trace of the receipt: hex of 32 bytes.
    pub lookup: String,
    /// The person's private key.
    pub key: PrivateKey,
}

/// Derives lookups and keys from receipts.
pub struct Hasher {
    salt: [u8; 16],
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("receipt::Hasher(***)")
    }
}

impl Hasher {
    /// The hasher of this installation.
    pub fn new(secret: &ServerSecret) -> Self {
        let mut salt = [0; 16];
        salt.copy_from_slice(&secret.derive(Purpose::ReceiptSalt).bytes()[..16]);
        Self { salt }
    }

    /// Argon2id of the receipt, then its two halves apart. CPU-bound (a few
    /// milliseconds): call it off the async executor.
    pub fn derive(&self, receipt: &Receipt) -> Derived {
        let params = Params::new(MEMORY_KIB, PASSES, 1, Some(64)).expect("valid parameters");
        let mut hash = [0u8; 64];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(receipt.0.as_bytes(), &self.salt, &mut hash)
            .expect("Argon2id hashes 16 bytes with a 16-byte salt");
        let (lookup, seed) = hash.split_at(32);
        let mut key = [0; 32];
        Hkdf::<Sha256>::new(None, seed)
            .expand(b"relais/v1/person-key", &mut key)
            .expect("32 bytes is a valid HKDF length");
        let derived = Derived {
            lookup: hex::encode(lookup),
            key: PrivateKey::from_bytes(&key),
        };
        key = [0; 32];
        hash = [0; 64];
        std::hint::black_box((&key, &hash));
        derived
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_has_sixteen_digits_shown_four_by_four() {
        let receipt = Receipt::generate();
        assert_eq!(receipt.0.len(), 16);
        let grouped = receipt.grouped();
        assert_eq!(grouped.len(), 19);
        assert_eq!(grouped.split(' ').count(), 4);
        assert_eq!(Receipt::parse(&grouped), Some(receipt));
    }

    #[test]
    fn a_typed_receipt_may_have_spaces_dots_or_dashes_but_nothing_else() {
        let expected = Receipt("1234567890123456".to_owned());
        for typed in [
            "1234567890123456",
            "1234 5678 9012 3456",
            " 1234-5678-9012-3456 ",
            "12.34.56.78.90.12.34.56",
        ] {
            assert_eq!(Receipt::parse(typed), Some(expected.clone()), "{typed}");
        }
        for typed in [
            "",
            "123456789012345",
            "12345678901234567",
            "1234 5678 9012 345a",
        ] {
            assert_eq!(Receipt::parse(typed), None, "{typed}");
        }
    }

    #[test]
    fn the_same_receipt_gives_the_same_lookup_and_key_and_another_does_not() {
        let hasher = Hasher::new(&ServerSecret::random().unwrap());
        let receipt = Receipt::generate();
        let first = hasher.derive(&receipt);
        let again = hasher.derive(&receipt);
        assert_eq!(first.lookup, again.lookup);
        assert_eq!(first.key.public_key(), again.key.public_key());
        let other = hasher.derive(&Receipt::generate());
        assert_ne!(first.lookup, other.lookup);
        assert_eq!(first.lookup.len(), 64);
    }

    #[test]
    fn another_installation_derives_something_else_from_the_same_receipt() {
        let receipt = Receipt::generate();
        let here = Hasher::new(&ServerSecret::random().unwrap()).derive(&receipt);
        let there = Hasher::new(&ServerSecret::random().unwrap()).derive(&receipt);
        assert_ne!(here.lookup, there.lookup);
    }

    #[test]
    fn the_debug_form_shows_no_digit() {
        let receipt = Receipt::generate();
        assert!(!format!("{receipt:?}").chars().any(|c| c.is_ascii_digit()));
    }
}
