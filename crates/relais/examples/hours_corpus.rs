//! Evaluates the opening-hours corpus of `tests/data/opening_hours` the way
//! Relais does, one JSON object per line (expression, moment, state, next
//! change within two weeks), at Montreuil-sur-Mer (Pas-de-Calais, school
//! zone B), for `.ci/opening-hours.mjs` to compare with the reference
//! implementation. Run by `.ci/opening-hours.sh`:
//!
//! ```sh
//! cargo run -q -p relais --example hours_corpus > relais.jsonl
//! ```

use std::path::Path;

use relais::directory::communes::Point;
use relais::directory::hours::{Hours, OpenState, Place};
use serde_json::json;

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/opening_hours");
    let read = |name: &str| {
        std::fs::read_to_string(data.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let (corpus, moments) = (read("corpus.tsv"), read("moments.tsv"));
    let first_column = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .filter_map(|line| line.split('\t').next().map(str::to_owned))
            .collect()
    };
    let moments: Vec<jiff::civil::DateTime> = first_column(&moments)
        .iter()
        .map(|m| m.parse().unwrap_or_else(|e| panic!("{m}: {e}")))
        .collect();
    let montreuil = Place::new(
        "62",
        Some(Point {
            lat: 50.4637,
            lon: 1.7635,
        }),
    );
    for expression in first_column(&corpus) {
        let hours = Hours::parse(&expression);
        for at in &moments {
            let (state, next) = match &hours {
                Err(_) => ("error", None),
                Ok(hours) => {
                    let state = match hours.state_at(*at, &montreuil) {
                        OpenState::Open => "open",
                        OpenState::OpensAt(_) | OpenState::UnsureFrom(..) | OpenState::Closed => {
                            "closed"
                        }
                        OpenState::Unknown(_) => "unknown",
                    };
                    (state, hours.next_change_at(*at, &montreuil))
                }
            };
            let next = next.map(|n| n.strftime("%Y-%m-%dT%H:%M").to_string());
            println!(
                "{}",
                json!({ "expression": expression, "at": at.strftime("%Y-%m-%dT%H:%M").to_string(), "state": state, "next": next })
            );
        }
    }
}
