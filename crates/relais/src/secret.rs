//! The server secret: 32 random bytes from which the keys that seal tokens
//! are derived. Generated on first start into a file only its owner can
//! read (mode 0600); never logged, never shown by `Debug`.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;

use anyhow::Context as _;
use secrecy::{ExposeSecret as _, SecretBox};

/// Length of the secret, in bytes.
pub const SECRET_LEN: usize = 32;

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

    /// The raw bytes, for key derivation only.
    pub fn expose(&self) -> &[u8; SECRET_LEN] {
        self.0.expose_secret()
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
        assert_eq!(first.expose(), second.expose());
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
    fn debug_never_shows_the_secret() {
        let secret = ServerSecret::random().unwrap();
        assert_eq!(format!("{secret:?}"), "ServerSecret(***)");
    }
}
