//! What the professional's screens post, each form read once into its
//! values ([`Form`]). Every field here is written by our pages or by
//! `static/js/pro.js`, never typed at length: anything off is a 400 before
//! any work, and what is left for a handler to check (a key that must be
//! well-formed, a copy for each member) is typed already.

use crate::backoffice::CSRF;
use crate::referral::storage::{KeyRecord, Status};
use crate::storage::{MessageId, OrganisationId, UserId};
use crate::web::error::AppError;
use crate::web::form::{Code, Field, Fields, Form, Spec};

/// Longest reply, in base64url characters of ciphertext.
pub const MAX_BODY: usize = 64 * 1024;

/// A professional's key pair, the private half wrapped in the browser.
pub static KEY: Spec = Spec::new(&[
    CSRF,
    Field::one("public_key", 64),
    Field::one("salt", 32),
    Field::one("iterations", 12),
    Field::one("nonce", 32),
    Field::one("wrapped", 128),
]);
/// Take in hand, or close.
pub static STATUS: Spec = Spec::new(&[CSRF, Field::one("statut", 16)]);
/// A reply, sealed in the browser.
pub static REPLY: Spec = Spec::new(&[
    CSRF,
    Field::one("message_id", 32),
    Field::one("body", MAX_BODY),
]);
/// Which organisation to wrap for.
pub static RECIPIENTS: Spec = Spec::new(&[Field::one("organisation", 64)]);
/// A transfer: the organisation, and the key wrapped for each of its
/// members.
pub static TRANSFER: Spec = Spec::new(&[
    CSRF,
    Field::one("organisation", 64),
    Field::one("keys", MAX_BODY),
    Field::one("check", 64),
]);
/// Copies of referral keys re-wrapped for a colleague.
pub static GRANT: Spec = Spec::new(&[
    CSRF,
    Field::one("recipient", 64),
    Field::one("keys", crate::backoffice::FORM_LIMIT - 1024),
]);
/// A territory's recovery public key (replacing one must be confirmed).
pub static RECOVERY: Spec = Spec::new(&[
    CSRF,
    Field::one("public_key", 64),
    Field::one("confirmer", 3),
]);
/// A deliberate act: confirmed.
pub static CONFIRMED: Spec = Spec::new(&[CSRF, Field::one("confirmer", 3)]);

impl Form for KeyRecord {
    const SPEC: &'static Spec = &KEY;

    fn parse(fields: &Fields) -> Result<Self, AppError> {
        Ok(Self {
            public_key: fields.text("public_key"),
            salt: fields.text("salt"),
            iterations: fields
                .value("iterations")
                .parse()
                .map_err(|_| AppError::BadRequest)?,
            nonce: fields.text("nonce"),
            wrapped: fields.text("wrapped"),
        })
    }
}

/// What a professional decides about a referral: the two statuses a person
/// can give (the others follow from what happens).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision(pub Status);

impl Code for Decision {
    const CODES: &'static [(&'static str, Self)] = &[
        ("accepted", Self(Status::Accepted)),
        ("closed", Self(Status::Closed)),
    ];
}

impl Form for Decision {
    const SPEC: &'static Spec = &STATUS;

    fn parse(fields: &Fields) -> Result<Self, AppError> {
        fields.code("statut")
    }
}

/// A reply, sealed in the browser under an id it chose.
#[derive(Debug)]
pub struct Reply {
    /// The message's id, bound into its ciphertext.
    pub message_id: MessageId,
    /// nonce ‖ AES-256-GCM, base64url.
    pub sealed: String,
}

impl Form for Reply {
    const SPEC: &'static Spec = &REPLY;

    fn parse(fields: &Fields) -> Result<Self, AppError> {
        Ok(Self {
            message_id: fields.text("message_id").into(),
            sealed: fields.text("body"),
        })
    }
}

/// Where a referral is to be sent on.
#[derive(Debug)]
pub struct Recipients {
    /// The receiving organisation.
    pub organisation: OrganisationId,
}

impl Form for Recipients {
    const SPEC: &'static Spec = &RECIPIENTS;

    fn parse(fields: &Fields) -> Result<Self, AppError> {
        Ok(Self {
            organisation: fields.text("organisation").into(),
        })
    }
}

/// A transfer, with the key wrapped for each member there.
#[derive(Debug)]
pub struct Transfer {
    /// The receiving organisation.
    pub organisation: OrganisationId,
    /// JSON: `[{recipient, wrapped}]`.
    pub keys: String,
    /// The key's check value, proving the browser opened it.
    pub check: String,
}

impl Form for Transfer {
    const SPEC: &'static Spec = &TRANSFER;

    fn parse(fields: &Fields) -> Result<Self, AppError> {
        Ok(Self {
            organisation: fields.text("organisation").into(),
            keys: fields.text("keys"),
            check: fields.text("check"),
        })
    }
}

/// Copies of referral keys for a colleague: access given.
#[derive(Debug)]
pub struct Access {
    /// The colleague's account.
    pub recipient: UserId,
    /// JSON: `[[referral id, wrapped, check]]`.
    pub keys: String,
}

impl Form for Access {
    const SPEC: &'static Spec = &GRANT;

    fn parse(fields: &Fields) -> Result<Self, AppError> {
        Ok(Self {
            recipient: fields.text("recipient").into(),
            keys: fields.text("keys"),
        })
    }
}

/// A territory's new recovery public key.
#[derive(Debug)]
pub struct Recovery {
    /// X25519, base64url, made in the browser.
    pub public_key: String,
    /// "Je confirme" ticked (needed to replace a key).
    pub confirmed: bool,
}

impl Form for Recovery {
    const SPEC: &'static Spec = &RECOVERY;

    fn parse(fields: &Fields) -> Result<Self, AppError> {
        Ok(Self {
            public_key: fields.text("public_key"),
            confirmed: fields.ticked("confirmer"),
        })
    }
}

/// A deliberate act, "Je confirme" ticked or not.
#[derive(Debug)]
pub struct Confirmed(pub bool);

impl Form for Confirmed {
    const SPEC: &'static Spec = &CONFIRMED;

    fn parse(fields: &Fields) -> Result<Self, AppError> {
        Ok(Self(fields.ticked("confirmer")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::form::read_form;

    #[test]
    fn a_decision_is_one_of_the_two_a_professional_makes() {
        let Decision(status) = read_form(b"csrf=x&statut=closed").unwrap();
        assert_eq!(status, Status::Closed);
        for forged in [&b"csrf=x&statut=sent"[..], b"csrf=x&statut=", b"csrf=x"] {
            assert!(matches!(
                read_form::<Decision>(forged),
                Err(AppError::BadRequest)
            ));
        }
    }

    #[test]
    fn a_key_with_iterations_that_are_not_a_number_is_refused() {
        let body = b"csrf=x&public_key=k&salt=s&iterations=lots&nonce=n&wrapped=w";
        assert!(matches!(
            read_form::<KeyRecord>(body),
            Err(AppError::BadRequest)
        ));
        let body = b"csrf=x&public_key=k&salt=s&iterations=600000&nonce=n&wrapped=w";
        assert_eq!(read_form::<KeyRecord>(body).unwrap().iterations, 600_000);
    }
}
