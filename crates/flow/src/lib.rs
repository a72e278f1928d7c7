//! The questionnaire engine of Relais: parse a flow file, validate it, step
//! through it, reach an outcome.
//!
//! Architecture invariant: this crate is pure. It depends on no web,
//! database or cryptography crate, does no IO and knows nothing of HTTP, so
//! that a flow can be checked, replayed and fuzzed anywhere. A test in
//! `tests/it.rs` reads `Cargo.lock` and fails if that ever changes.
