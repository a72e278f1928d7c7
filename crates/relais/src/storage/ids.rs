//! The identifiers of the rows the application keeps, one type each.
//!
//! An id is text in the database and in addresses, but a `UserId` is not an
//! `OrganisationId`: a function that takes both cannot be called with the
//! two swapped. An id is made from text only where text comes in (a path, a
//! form, a row, a file), with `From<String>`; [`new`](UserId::new) draws a
//! fresh one.
//!
//! ```compile_fail
//! use relais::storage::{OrganisationId, UserId};
//! fn missing_for(organisation: &OrganisationId, user: &UserId) {}
//! let (organisation, user) = (OrganisationId::new(), UserId::new());
//! missing_for(&user, &organisation); // swapped: does not compile
//! ```

use std::fmt;

/// Declares an id type: text underneath, stored and shown as it is.
macro_rules! id {
    ($(#[$doc:meta])* $name:ident, $bytes:literal) => {
        $(#[$doc])*
        #[derive(
            Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Deserialize, serde::Serialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(String);

        impl $name {
            /// A fresh id, drawn at random.
            pub fn new() -> Self {
                Self(random_hex::<$bytes>())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        // Hashes and compares as its text: a map keyed by ids is looked up
        // with the text of a path or a form.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id!(
    /// An organisation (a *structure*) of a directory.
    OrganisationId,
    8
);
id!(
    /// A service an organisation offers.
    ServiceId,
    8
);
id!(
    /// A back-office account.
    UserId,
    8
);
id!(
    /// A referral: the report she sent and everything that follows it. Its
    /// 16 bytes also bind every sealed text to it.
    ReferralId,
    16
);
id!(
    /// One message of a referral's exchange.
    MessageId,
    16
);
id!(
    /// A notification in the outbox; also its e-mail's Message-ID.
    NotificationId,
    16
);
id!(
    /// A live conversation, from her place in a queue to its end: the
    /// hash of the handle only her page holds (`live::Handle`).
    LiveId,
    16
);

/// `N` random bytes in lowercase hexadecimal.
fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    // The system's randomness failing is not something to recover from.
    getrandom::fill(&mut bytes).expect("the system gives random bytes");
    hex::encode(bytes)
}

impl ReferralId {
    /// Whether it looks like an id of ours: 32 lowercase hexadecimal
    /// characters. Anything else is refused before the database is asked.
    pub fn is_well_formed(&self) -> bool {
        is_lower_hex(&self.0, 32)
    }
}

impl MessageId {
    /// Whether it looks like an id of ours (see [`ReferralId::is_well_formed`]).
    pub fn is_well_formed(&self) -> bool {
        is_lower_hex(&self.0, 32)
    }
}

fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_have_the_length_of_their_kind_and_differ() {
        assert_eq!(UserId::new().as_str().len(), 16);
        assert_eq!(ReferralId::new().as_str().len(), 32);
        assert_ne!(ReferralId::new(), ReferralId::new());
        assert!(ReferralId::new().is_well_formed());
        assert!(!ReferralId::from("../../etc").is_well_formed());
        assert!(!ReferralId::from("ABCDEF0123456789ABCDEF0123456789").is_well_formed());
    }

    #[test]
    fn an_id_reads_from_a_path_as_its_text() {
        let id: OrganisationId = serde_json::from_str("\"org-1\"").unwrap();
        assert_eq!(id, "org-1");
        assert_eq!(id.to_string(), "org-1");
    }
}
