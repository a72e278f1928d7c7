//! The server secret: 32 random bytes from which every key of the server is
//! derived, in one place ([`ServerSecret::derive`]: HKDF-SHA-256, one label
//! per [`Purpose`]), so that no two uses ever share a key and no code holds
//! the secret itself. Generated on first start into a file only its owner
//! can read (mode 0600); never logged, never shown by `Debug`.
//!
//! Secret values are compared with [`constant_time_eq`], so that the time an
//! answer takes never tells how much of a guess was right.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;

use anyhow::Context as _;
use hkdf::Hkdf;
use hmac::{Hmac, Mac as _};
use secrecy::{ExposeSecret as _, SecretBox};
use sha2::Sha256;

/// Length of the secret, in bytes.
pub const SECRET_LEN: usize = 32;

/// What a key derived from the server secret is for. Each has its own HKDF
/// label; the labels of the first keys are kept as they were, so that what
/// they sealed (TOTP secrets, receipts' lookups) still opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The conversation's sealed progress token (XChaCha20-Poly1305).
    ConversationToken,
    /// TOTP secrets at rest (XChaCha20-Poly1305).
    TotpSecrets,
    /// Recovery codes' stored HMACs.
    RecoveryCodes,
    /// The Argon2id salt of receipts (its first 16 bytes).
    ReceiptSalt,
    /// The sign-in form's stateless token (HMAC).
    SignInForm,
    /// Referral ids derived from a conversation and an organisation (HMAC).
    ReferralId,
    /// The live events the instances pass through PostgreSQL
    /// (XChaCha20-Poly1305): never written with a key the database holds.
    LiveEvents,
}

impl Purpose {
    /// Every purpose, for the test that their labels differ.
    pub const ALL: [Self; 7] = [
        Self::ConversationToken,
        Self::TotpSecrets,
        Self::RecoveryCodes,
        Self::ReceiptSalt,
        Self::SignInForm,
        Self::ReferralId,
        Self::LiveEvents,
    ];

    /// The HKDF label (`info`).
    fn label(self) -> &'static [u8] {
        match self {
            Self::ConversationToken => b"conversation progress token",
            Self::TotpSecrets => b"totp secrets",
            Self::RecoveryCodes => b"recovery codes",
            Self::ReceiptSalt => b"relais/v1/receipt-salt",
            Self::SignInForm => b"relais/v1/sign-in-form",
            Self::ReferralId => b"relais/v1/referral-id",
            Self::LiveEvents => b"relais/v1/live-events",
        }
    }
}

/// A key derived from the server secret for one purpose; not `Debug`.
pub struct DerivedKey(SecretBox<[u8; 32]>);

impl DerivedKey {
    /// The key's bytes, to give a cipher or a MAC.
    pub fn bytes(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }

    /// HMAC-SHA-256 of `parts`, one after the other, under this key.
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(self.bytes())
            .expect("HMAC takes any key length");
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

/// Whether two secret values are equal, in a time that depends on their
/// lengths only.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The server secret.
pub struct ServerSecret(SecretBox<[u8; SECRET_LEN]>);

impl fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerSecret(***)")
    }
}

impl ServerSecret {
    /// A fresh random secret, kept in memory only (tests, one-off commands).
    pub fn random() -> anyhow::Result<Self> {
        let mut bytes = Box::new([0u8; SECRET_LEN]);
        getrandom::fill(bytes.as_mut()).context("the system gave no random bytes")?;
        Ok(Self(SecretBox::new(bytes)))
    }

    /// Reads the secret at `path`, or creates it there (mode 0600) when the
    /// file does not exist yet.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                warn_if_readable_by_others(path);
                Self::parse(&text)
                    .with_context(|| format!("the secret file {} is not valid", path.display()))
            }
            Err(error) if error.kind() == ErrorKind::NotFound => Self::create(path),
            Err(error) => Err(error)
                .with_context(|| format!("could not read the secret file {}", path.display())),
        }
    }

    fn create(path: &Path) -> anyhow::Result<Self> {
        let secret = Self::random()?;
        // create_new: two instances starting together never overwrite each
        // other's secret; the loser reads the winner's.
        let mut file = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(file) => file,
            Err(error) if error.kind() == ErrorKind::AlreadyExists => {
                return Self::load_or_create(path);
            }
            Err(error) => {
                return Err(error).with_context(|| {
                    format!("could not create the secret file {}", path.display())
                });
            }
        };
        let text = format!("{}\n", hex::encode(secret.0.expose_secret()));
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("could not write the secret file {}", path.display()))?;
        tracing::info!(path = %path.display(), "generated a new server secret");
        Ok(secret)
    }

    fn parse(text: &str) -> anyhow::Result<Self> {
        let mut bytes = Box::new([0u8; SECRET_LEN]);
        hex::decode_to_slice(text.trim(), bytes.as_mut())
            .map_err(|_| anyhow::anyhow!("expected {} hexadecimal characters", SECRET_LEN * 2))?;
        Ok(Self(SecretBox::new(bytes)))
    }

    /// The key for `purpose`: HKDF-SHA-256 with the salt `relais` and the
    /// purpose's label. The only way to use the secret.
    pub fn derive(&self, purpose: Purpose) -> DerivedKey {
        let hkdf = Hkdf::<Sha256>::new(Some(b"relais"), self.0.expose_secret());
        let mut key = Box::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA-256's limit of 8160.
        hkdf.expand(purpose.label(), key.as_mut())
            .expect("a 32-byte key is a valid HKDF length");
        DerivedKey(SecretBox::new(key))
    }
}

fn warn_if_readable_by_others(path: &Path) {
    if let Ok(metadata) = std::fs::metadata(path)
        && metadata.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "the secret file can be read by other users: chmod 600 it");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_created_once_with_mode_0600_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let first = ServerSecret::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let second = ServerSecret::load_or_create(&path).unwrap();
        assert_eq!(
            first.derive(Purpose::SignInForm).bytes(),
            second.derive(Purpose::SignInForm).bytes()
        );
    }

    #[test]
    fn a_damaged_secret_file_is_refused_rather_than_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        std::fs::write(&path, "not hex").unwrap();
        let error = ServerSecret::load_or_create(&path).unwrap_err();
        assert!(format!("{error:#}").contains("hexadecimal"), "{error:#}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not hex");
    }

    #[test]
    fn every_purpose_has_a_key_of_its_own() {
        let secret = ServerSecret::random().unwrap();
        let keys: std::collections::HashSet<[u8; 32]> = Purpose::ALL
            .iter()
            .map(|p| *secret.derive(*p).bytes())
            .collect();
        assert_eq!(keys.len(), Purpose::ALL.len());
        let other = ServerSecret::random().unwrap();
        assert_ne!(
            secret.derive(Purpose::SignInForm).bytes(),
            other.derive(Purpose::SignInForm).bytes()
        );
    }

    #[test]
    fn the_first_keys_are_derived_as_they_always_were() {
        // TOTP secrets and receipts stored before `derive` existed must
        // still open: the same HKDF, salt and labels.
        let secret = ServerSecret::parse(&"ab".repeat(32)).unwrap();
        let hkdf = Hkdf::<Sha256>::new(Some(b"relais"), &[0xab; 32]);
        for (purpose, label) in [
            (Purpose::TotpSecrets, &b"totp secrets"[..]),
            (Purpose::ConversationToken, b"conversation progress token"),
            (Purpose::RecoveryCodes, b"recovery codes"),
        ] {
            let mut expected = [0u8; 32];
            hkdf.expand(label, &mut expected).unwrap();
            assert_eq!(secret.derive(purpose).bytes(), &expected);
        }
        let mut salt = [0u8; 16];
        hkdf.expand(b"relais/v1/receipt-salt", &mut salt).unwrap();
        assert_eq!(&secret.derive(Purpose::ReceiptSalt).bytes()[..16], &salt);
    }

    #[test]
    fn equal_values_compare_equal_and_others_do_not() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let secret = ServerSecret::random().unwrap();
        assert_eq!(format!("{secret:?}"), "ServerSecret(***)");
    }
}
