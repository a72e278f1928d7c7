//! Second factor: time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30
//! seconds, one step of tolerance either way), the QR code that enrols an
//! authenticator app (drawn on the server as SVG: no script), and recovery
//! codes shown once.
//!
//! The TOTP secret is kept sealed (XChaCha20-Poly1305, key derived from the
//! server secret); recovery codes are kept as HMACs under another derived
//! key, so a copy of the database alone opens neither.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use totp_rs::{Algorithm, Builder, Totp};

use crate::secret::{DerivedKey, Purpose, ServerSecret};

/// Digits of a code.
const DIGITS: u8 = 6;
/// Seconds per step.
const STEP: u64 = 30;
/// Issuer shown in authenticator apps.
const ISSUER: &str = "Relais";
/// How many recovery codes an account gets.
pub const RECOVERY_CODES: usize = 10;

/// Keys derived from the server secret for the second factor.
pub struct Keys {
    seal: XChaCha20Poly1305,
    recovery: DerivedKey,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("totp::Keys(***)")
    }
}

impl Keys {
    /// Derives the keys (HKDF-SHA-256, one purpose each).
    pub fn new(secret: &ServerSecret) -> Self {
        Self {
            seal: XChaCha20Poly1305::new(secret.derive(Purpose::TotpSecrets).bytes().into()),
            recovery: secret.derive(Purpose::RecoveryCodes),
        }
    }

    /// Seals a TOTP secret for storage.
    pub fn seal(&self, totp_secret: &[u8]) -> String {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).expect("random bytes");
        let sealed = self
            .seal
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: totp_secret,
                    aad: b"relais totp secret v1",
                },
            )
            .expect("encryption of 20 bytes succeeds");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Opens a stored TOTP secret.
    pub fn open(&self, stored: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(stored).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().ok()?;
        self.seal
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: b"relais totp secret v1",
                },
            )
            .ok()
    }

    /// The stored form of a recovery code.
    pub fn recovery_hash(&self, code: &str) -> String {
        let normalised: String = code
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        hex::encode(self.recovery.mac(&[normalised.as_bytes()]))
    }
}

/// A new random TOTP secret (160 bits, as RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    getrandom::fill(&mut secret).expect("random bytes");
    secret
}

fn totp(secret: &[u8], account: &str) -> Option<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(STEP)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account.replace(':', " "))
        .build()
        .ok()
}

/// Checks a code at `now` (unix seconds); returns the step it belongs to,
/// which must be later than the last step used, so that a code is never
/// accepted twice.
pub fn verify(secret: &[u8], account: &str, code: &str, now: u64, last_step: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret, account)?;
    let current = now / STEP;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .filter(|step| *step > last_step)
        .find(|step| {
            crate::secret::constant_time_eq(
                totp.generate(step * STEP).to_string().as_bytes(),
                code.as_bytes(),
            )
        })
}

/// The code at `now`, for tests and the browser test.
pub fn code_at(secret: &[u8], account: &str, now: u64) -> String {
    totp(secret, account)
        .map(|t| t.generate(now).to_string())
        .unwrap_or_default()
}

/// The secret as authenticator apps take it typed in (base32).
pub fn secret_text(secret: &[u8]) -> String {
    let text = base32_encode(secret);
    text.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn base32_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The enrolment QR code, as an SVG element to put in the page.
pub fn qr_svg(secret: &[u8], account: &str) -> String {
    let Some(url) = totp(secret, account).and_then(|t| t.to_url().ok()) else {
        return String::new();
    };
    let Ok(code) = qrcode::QrCode::new(url.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // Inline in the page: drop the XML declaration.
    svg.split_once("<svg").map_or(svg.clone(), |(_, rest)| {
        format!("<svg role=\"img\" aria-label=\"QR code\"{rest}")
    })
}

/// New recovery codes, as shown once: `abcd-efgh-jkmn`.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| readable_random(12, 4))
        .collect()
}

/// `length` random characters a person can read out and type without
/// confusing them (no `i`, `l`, `o`, `0`, `1`), in groups of `group`
/// joined by dashes: `abcd-efgh-jkmn`.
pub fn readable_random(length: usize, group: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = vec![0u8; length];
    getrandom::fill(&mut bytes).expect("random bytes");
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    chars
        .chunks(group)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_accepted_once_in_its_step_and_never_again() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, "a@example.org", now);
        let step = verify(&secret, "a@example.org", &code, now, 0).expect("the code of now");
        assert_eq!(
            verify(&secret, "a@example.org", &code, now, step),
            None,
            "a replayed code"
        );
        assert_eq!(verify(&secret, "a@example.org", "000000x", now, 0), None);
    }

    #[test]
    fn a_code_from_the_previous_step_is_still_accepted_but_not_older() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let previous = code_at(&secret, "a@example.org", now - 30);
        assert!(verify(&secret, "a@example.org", &previous, now, 0).is_some());
        let old = code_at(&secret, "a@example.org", now - 90);
        assert!(verify(&secret, "a@example.org", &old, now, 0).is_none());
    }

    #[test]
    fn the_secret_is_stored_sealed() {
        let keys = Keys::new(&ServerSecret::random().unwrap());
        let secret = new_secret();
        let stored = keys.seal(&secret);
        assert_eq!(keys.open(&stored), Some(secret));
        let other = Keys::new(&ServerSecret::random().unwrap());
        assert_eq!(other.open(&stored), None);
    }

    #[test]
    fn recovery_codes_are_random_and_their_hash_ignores_case_and_dashes() {
        let keys = Keys::new(&ServerSecret::random().unwrap());
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_ne!(codes[0], codes[1]);
        assert_eq!(
            keys.recovery_hash(&codes[0]),
            keys.recovery_hash(&codes[0].to_uppercase().replace('-', " "))
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_element() {
        let svg = qr_svg(&new_secret(), "a@example.org");
        assert!(svg.starts_with("<svg role=\"img\""), "{}", &svg[..60]);
        assert!(!svg.contains("<?xml"));
    }

    #[test]
    fn the_secret_reads_as_base32_groups() {
        assert_eq!(secret_text(b"\x00\x00\x00\x00\x00"), "AAAA AAAA");
    }
}
