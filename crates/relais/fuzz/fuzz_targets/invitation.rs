//! The invitation link's token reader on any text: it must never panic, and
//! a token it accepts is exactly what Relais makes (43 base64url characters
//! of 32 bytes), so that nothing else ever reaches the database, and its
//! stored form is a SHA-256 in hexadecimal.

#![no_main]

use libfuzzer_sys::fuzz_target;
use relais::accounts::signin::InvitationToken;

fuzz_target!(|text: &str| {
    let Some(token) = InvitationToken::parse(text) else {
        return;
    };
    assert_eq!(token.as_str(), text);
    assert_eq!(text.len(), 43);
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    let hash = token.hash();
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
});
