//! Relais: one door to help for people facing domestic violence.
//!
//! The library holds the whole application; `main.rs` only parses the
//! command line. See ARCHITECTURE.md for the map.

pub mod accounts;
pub mod app;
pub mod backoffice;
pub mod cli;
pub mod config;
pub mod conversation;
pub mod directory;
pub mod live;
pub mod overview;
pub mod referral;
pub mod secret;
pub mod sheets;
pub mod storage;
pub mod telemetry;
pub mod web;
pub mod work;
