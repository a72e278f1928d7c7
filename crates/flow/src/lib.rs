//! The questionnaire engine of Relais: parse a flow file, validate it, step
//! through it, reach an outcome.
//!
//! The help conversation ("J'ai besoin d'aide") is not written in code but
//! in a flow file (`docs/flows.md`) that a coordinator can read and change.
//! [`Flow::parse`] reads such a file and refuses it, with every problem and
//! its line, unless it holds together: every step reachable, every answer
//! leading somewhere, an outcome reachable from everywhere, every condition
//! looking at an answer that is always given before it, every [`Role`] an
//! outcome needs given by a step always answered before it. [`position`],
//! [`advance`], [`path`] and [`needs`] then step through it: a conversation
//! is only its [`Progress`], the list of answers along its path, which the
//! web side keeps sealed in a token; the engine keeps no state. The
//! application reads the answers it acts on (age, commune, needs, contact…)
//! by their role, with [`answer_with_role`], never by step id.
//!
//! Invariant: a [`Progress`] returned by [`advance`] always fits its flow
//! (replaying it from the start reaches the same step), and no function of
//! the engine panics, whatever the answers, step ids or progress it is
//! given. Property tests and a fuzz target (`fuzz/`) hold it to that.
//!
//! Architecture invariant: this crate is pure. It depends on no web,
//! database or cryptography crate, does no IO and knows nothing of HTTP, so
//! that a flow can be checked, replayed and fuzzed anywhere. A test in
//! `tests/it.rs` reads `Cargo.lock` and fails if that ever changes.

mod answer;
mod check;
mod condition;
mod engine;
mod graph;
mod mermaid;
mod model;
mod outline;
mod problem;
mod read;
mod text;
mod wording;

pub use answer::{
    CONTACT_NAME_MAX, CONTACT_TIMES_MAX, CONTACT_VALUE_MAX, TEXT_MAX, is_email, is_phone,
};
pub use engine::{
    Answer, AnswerError, Channel, Contact, Position, Progress, ProgressError, advance,
    answer_with_role, needs, path, position,
};
pub use model::{Choice, Flow, Outcome, Role, Step, StepKind};
pub use outline::{Row, Way, When, changes};
pub use problem::Problem;
pub use text::Text;
pub use wording::{Wording, reword, wordings};

/// The need codes of the directory (`docs/directory.md`), for callers that
/// have no list of their own.
pub const NEEDS: &[&str] = &[
    "legal",
    "complaint",
    "protection",
    "housing",
    "health",
    "psychological",
    "social",
    "children",
    "foreigners",
    "administrative",
    "youth",
];
