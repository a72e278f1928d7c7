//! The receipt reader on any text: it must never panic, a receipt it
//! accepts holds the digits typed, in order, and its grouped form (what the
//! person is shown) reads back to the same receipt.

#![no_main]

use libfuzzer_sys::fuzz_target;
use relais::referral::receipt::{DIGITS, Receipt};

fuzz_target!(|text: &str| {
    let Some(receipt) = Receipt::parse(text) else {
        return;
    };
    let grouped = receipt.grouped();
    assert_eq!(grouped.len(), DIGITS + DIGITS / 4 - 1, "{grouped}");
    let typed: String = text.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(grouped.replace(' ', ""), typed);
    assert!(
        Receipt::parse(&grouped) == Some(receipt),
        "{grouped} reads back differently"
    );
});
