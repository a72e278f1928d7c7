//! The integration tests of the `relais` crate: one binary, one module per
//! concern. Run on in-memory SQLite by default; `.ci/run` runs them again on
//! PostgreSQL and with a headless browser (see `helpers/mod.rs`,
//! `browser/`). What the test modules share lives in `helpers/`, one
//! client per role; no test module imports from another.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly where an unwrap fails; helpers included"
)]

mod architecture;
mod backoffice;
mod bounds;
mod browser;
mod canary;
mod cli;
mod conversation;
mod data_inclusion;
mod directory;
mod helpers;
mod http;
mod live;
mod opening_hours;
mod referral;
mod sheets;
mod storage;
mod sync;
mod territories;
mod territory_voice;
