//! Integration tests of the flow engine.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly where an unwrap fails; helpers included"
)]

// The modules live in `tests/it/`, where Cargo does not take each file for
// a test binary of its own: one binary links faster and runs everything.
#[path = "it/engine.rs"]
mod engine;
#[path = "it/properties.rs"]
mod properties;
#[path = "it/support.rs"]
mod support;
#[path = "it/transcripts.rs"]
mod transcripts;
#[path = "it/validation.rs"]
mod validation;

use std::collections::{BTreeSet, HashMap};

/// Crates that would tie the engine to the web, a database or cryptography.
const FORBIDDEN: &[&str] = &[
    "axum",
    "hyper",
    "tower",
    "tower-http",
    "http",
    "reqwest",
    "askama",
    "tokio",
    "mio",
    "sqlx",
    "sqlx-core",
    "libsqlite3-sys",
    "rusqlite",
    "postgres",
    "tokio-postgres",
    "hpke",
    "aes-gcm",
    "chacha20poly1305",
    "x25519-dalek",
    "ring",
    "aws-lc-rs",
    "openssl",
    "argon2",
    "sha2",
    "hmac",
    "rustls",
];

#[test]
fn the_flow_engine_depends_on_no_web_database_or_crypto_crate() {
    let manifest_dir = env!("CARGO_MANIFEST_DIR");
    let manifest: toml::Table = std::fs::read_to_string(format!("{manifest_dir}/Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let lock: toml::Table = std::fs::read_to_string(format!("{manifest_dir}/../../Cargo.lock"))
        .unwrap()
        .parse()
        .unwrap();

    // Normal and build dependencies only: dev-dependencies never reach the
    // library. Registry packages list no dev-dependencies in Cargo.lock.
    let direct: Vec<String> = ["dependencies", "build-dependencies"]
        .iter()
        .filter_map(|section| manifest.get(*section).and_then(toml::Value::as_table))
        .flat_map(|table| table.keys().cloned())
        .collect();
    let graph = dependency_graph(&lock);
    let mut reached = BTreeSet::new();
    let mut stack = direct;
    while let Some(name) = stack.pop() {
        if reached.insert(name.clone()) {
            stack.extend(graph.get(&name).into_iter().flatten().cloned());
        }
    }

    let offending: Vec<_> = reached
        .iter()
        .filter(|name| FORBIDDEN.contains(&name.as_str()))
        .collect();
    assert!(
        offending.is_empty(),
        "crates/flow must stay pure, but depends on {offending:?}"
    );
}

/// Package name → names of its dependencies, from Cargo.lock.
fn dependency_graph(lock: &toml::Table) -> HashMap<String, Vec<String>> {
    let packages = lock["package"]
        .as_array()
        .expect("Cargo.lock lists packages");
    packages
        .iter()
        .filter_map(toml::Value::as_table)
        .map(|package| {
            let name = package["name"].as_str().unwrap().to_owned();
            let dependencies = package
                .get("dependencies")
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(toml::Value::as_str)
                // "name", "name version" or "name version (source)"
                .map(|entry| entry.split(' ').next().unwrap().to_owned())
                .collect();
            (name, dependencies)
        })
        .collect()
}
