//! Passwords of professionals and coordinators: the rules a new password
//! must follow, and Argon2id hashing.
//!
//! Rules, after current guidance (NIST SP 800-63B, ANSSI): at least 12
//! characters; not one of the passwords people use most (nor one of them
//! with a few digits or signs around it); not containing the e-mail. No
//! composition rules and no forced rotation: they make passwords weaker.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::work::{self, Class};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;
/// Memory of one hash, in KiB: 64 MiB, the floor of current guidance.
pub const MEMORY_KIB: u32 = 64 * 1024;

/// Keyboard rows (QWERTY, AZERTY) and the alphabet, in order.
const SEQUENCES: &[&str] = &[
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "abcdefghijklmnopqrstuvwxyz",
    "zyxwvutsrqponmlkjihgfedcba",
];

const COMMON: &str = include_str!("../../data/common-passwords.txt");

static COMMON_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
});

/// Why a new password is refused (shown next to the field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Weak {
    /// Fewer than [`MIN_LENGTH`] characters.
    #[error("too short")]
    TooShort,
    /// One of the passwords people use most.
    #[error("too common")]
    Common,
    /// It contains the e-mail or its name part.
    #[error("contains the e-mail")]
    ContainsEmail,
}

/// Checks a new password against the rules.
pub fn check_new(password: &str, email: &str) -> Result<(), Weak> {
    if password.chars().count() < MIN_LENGTH {
        return Err(Weak::TooShort);
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if lower.contains(&email.to_lowercase())
        || (local.chars().count() >= 4 && lower.contains(&local))
    {
        return Err(Weak::ContainsEmail);
    }
    // "marseille2024!" is "marseille" with something around it.
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    let repeated = lower.chars().all(|c| lower.starts_with(c));
    // "qwertyuiopasdf", "azertyuiop123", "abcdefghijkl": a walk along the
    // keyboard or the alphabet.
    let walk = core.chars().count() >= 6 && SEQUENCES.iter().any(|s| s.contains(core));
    if repeated
        || walk
        || COMMON_SET.contains(lower.as_str())
        || (core.chars().count() >= 4 && COMMON_SET.contains(core))
    {
        return Err(Weak::Common);
    }
    Ok(())
}

fn argon2() -> Argon2<'static> {
    // 64 MiB, 3 passes, 1 lane: the second recommendation of RFC 9106.
    let params = Params::new(MEMORY_KIB, 3, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> String {
    argon2()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .expect("hashing a password with valid parameters succeeds")
}

fn verify_now(password: &str, stored: &str) -> bool {
    match argon2::password_hash::phc::PasswordHash::new(stored) {
        Ok(hash) => argon2().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// The PHC string of a password's Argon2id hash, with a random salt: for
/// someone past a secret (an invitation's link), off the async workers
/// (`work::run`: each hash takes 64 MiB and a core for a moment, so a burst
/// waits its turn instead of exhausting memory or stalling the pages).
pub async fn hash(password: &str) -> String {
    let password = password.to_owned();
    work::run(Class::Staff, move || hash_now(&password)).await
}

/// Whether `password` matches a stored hash: a sign-in attempt, in the
/// class of work anyone can send.
pub async fn verify(password: &str, stored: &str) -> bool {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    work::run(Class::SignIn, move || verify_now(&password, &stored)).await
}

/// Spends the time of one verification, so that an unknown e-mail answers
/// as slowly as a wrong password.
pub async fn waste_one_verification() {
    static DUMMY: LazyLock<String> = LazyLock::new(|| hash_now("relais-never-a-password"));
    work::run(Class::SignIn, || verify_now("not the password", &DUMMY)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_uncommon_password_is_accepted() {
        assert_eq!(
            check_new("voilier bleu sous la pluie", "anne@example.org"),
            Ok(())
        );
    }

    #[test]
    fn a_short_common_or_personal_password_is_refused() {
        assert_eq!(check_new("court", "a@example.org"), Err(Weak::TooShort));
        assert_eq!(
            check_new("qwertyuiopasdfgh", "a@example.org"),
            Err(Weak::Common)
        );
        assert_eq!(
            check_new("Marseille2024!!", "a@example.org"),
            Err(Weak::Common)
        );
        assert_eq!(
            check_new("aaaaaaaaaaaaaa", "a@example.org"),
            Err(Weak::Common)
        );
        assert_eq!(
            check_new("dupont.claire-1984", "dupont.claire@example.org"),
            Err(Weak::ContainsEmail)
        );
    }

    #[test]
    fn a_hash_is_argon2id_with_64_mib_and_verifies() {
        let stored = hash_now("voilier bleu sous la pluie");
        assert!(stored.starts_with("$argon2id$v=19$m=65536,"), "{stored}");
        assert!(verify_now("voilier bleu sous la pluie", &stored));
        assert!(!verify_now("voilier bleu sous la plui", &stored));
        assert!(!verify_now("x", "not a hash"));
    }
}
