//! The directory-sync benchmark (`--only directory-sync`): a territory
//! (the Pas-de-Calais) synced from a generated data·inclusion file of
//! 10,000 services, first into an empty directory, then again with 1 % of
//! the services changed, against a baseline measured in the same run — a
//! plain import of the same file into another territory of the same
//! database. All of it in this process, on a SQLite file as `relais serve`
//! opens it (WAL, synchronous=FULL).

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use relais::backoffice::storage::{AuditAction, audit};
use relais::config::Settings;
use relais::directory::communes::Communes;
use relais::directory::import::{self, Format};
use relais::directory::storage;
use relais::directory::sync;
use relais::directory::territories::{Coordinator, Slug, Territory};
use relais::storage::Db;
use serde_json::json;

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

const DEPARTEMENT: &str = "62";
const HOURS: &[&str] = &[
    "Mo-Fr 09:00-12:00,14:00-17:00",
    "Tu,Th 14:00-17:30",
    "24/7",
    "Mo-Fr 08:30-18:30; PH off",
    "We 09:00-12:00; Sa 09:00-12:00",
];
const KINDS: &[&str] = &["cidff", "lawyer", "victim-support", "ccas", "shelter"];
const NEEDS: &[&str] = &["legal", "housing", "psychological", "social", "children"];

/// A data·inclusion file of `services` services (five per structure) in
/// the communes of the département; `changed` of them, spread evenly,
/// with another name and number.
fn generate(communes: &Communes, services: usize, changed: usize) -> Vec<u8> {
    let mut rng = Rng(0x5eed_d1ec_7012);
    let here: Vec<&str> = communes
        .all()
        .iter()
        .filter(|c| &*c.departement == DEPARTEMENT)
        .map(|c| &*c.insee)
        .collect();
    let every = services.checked_div(changed).unwrap_or(usize::MAX).max(1);
    let mut structures = Vec::new();
    let mut records = Vec::with_capacity(services);
    for i in 0..services {
        if i % 5 == 0 {
            structures.push(json!({
                "id": format!("s{i}"), "source": "bench", "nom": format!("Structure {i} (exemple)"),
                "telephone": format!("03210{:05}", i % 100_000),
                "relais": {"type": KINDS[rng.below(KINDS.len())]},
            }));
        }
        let edited = i % every == every - 1;
        records.push(json!({
            "id": format!("v{i}"), "source": "bench", "structure_id": format!("s{}", i - i % 5),
            "nom": if edited { format!("Service {i} (nouveau nom)") } else { format!("Service {i} (exemple)") },
            "description": "Accueil, écoute et information sur les droits (exemple).",
            "code_insee": here[rng.below(here.len())],
            "telephone": format!("032{}{:06}", if edited { 9 } else { 1 }, i % 1_000_000),
            "horaires_accueil": HOURS[rng.below(HOURS.len())],
            "modes_accueil": ["en-presentiel"],
            "date_maj": "2026-11-02",
            "relais": {"besoins": [NEEDS[rng.below(NEEDS.len())]]},
        }));
    }
    serde_json::to_vec(&json!({"structures": structures, "services": records})).unwrap_or_default()
}

fn territory(slug: &str) -> anyhow::Result<Territory> {
    Ok(Territory {
        slug: Slug::parse(slug).map_err(|e| anyhow::anyhow!("{e:?}"))?,
        name: format!("Banc d'essai {slug}"),
        neutral_url: None,
        communes: std::collections::BTreeSet::new(),
        departements: std::iter::once(DEPARTEMENT.to_owned()).collect(),
        coordinator: Coordinator::default(),
        youth_services: Vec::new(),
        hosts: std::collections::BTreeSet::new(),
        suspended: false,
    })
}

/// A sync measured: reading and comparing, then writing.
struct Measured {
    preview: Duration,
    apply: Duration,
    counts: sync::Counts,
}

async fn sync_once(
    db: &Db,
    territory: &Territory,
    communes: &Arc<Communes>,
    bytes: &[u8],
) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let plan = sync::preview(db, territory, communes, bytes.to_vec())
        .await?
        .map_err(|problems| {
            anyhow::anyhow!("the generated file is invalid: {:?}", problems.first())
        })?;
    let preview = started.elapsed();
    let started = Instant::now();
    sync::apply(db, territory.slug.as_str(), &plan, "bench", "bench.json")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Measured {
        preview,
        apply: started.elapsed(),
        counts: plan.counts,
    })
}

/// Runs the measure; returns its Markdown section.
pub fn bench(services: usize) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(services))
}

async fn run(services: usize) -> anyhow::Result<String> {
    let communes = Communes::embedded();
    let first = generate(&communes, services, 0);
    let second = generate(&communes, services, services / 100);
    let data = crate::process::tempdir("directory-sync")?;
    let settings = Settings {
        data_dir: data.clone(),
        ..Settings::default()
    };
    let db = relais::storage::open_or_create_database(&settings).await?;
    let imported = territory("banc-import")?;
    let synced = territory("banc-sync")?;
    let mut tx = db.begin().await?;
    storage::save_territory(&mut tx, &imported).await?;
    storage::save_territory(&mut tx, &synced).await?;
    tx.commit().await?;

    // Baseline: a plain import of the same file, as `relais directory
    // import` does it (read and check, then one transaction).
    eprintln!("directory sync: {services} services, a plain import first…");
    let started = Instant::now();
    let parsed = {
        let bytes = first.clone();
        let communes = Arc::clone(&communes);
        tokio::task::spawn_blocking(move || import::parse(&bytes, Format::DataInclusion, &communes))
            .await?
            .map_err(|problems| {
                anyhow::anyhow!("the generated file is invalid: {:?}", problems.first())
            })?
    };
    let mut tx = db.begin().await?;
    storage::import(&mut tx, imported.slug.as_str(), &parsed).await?;
    audit(
        &mut tx,
        "bench",
        Some("banc-import"),
        AuditAction::DirectoryImported,
        "bench.json",
        "",
    )
    .await?;
    tx.commit().await?;
    let import = started.elapsed();

    eprintln!("directory sync: first sync, then a re-sync with 1 % changed…");
    let initial = sync_once(&db, &synced, &communes, &first).await?;
    let again = sync_once(&db, &synced, &communes, &second).await?;
    db.close().await;
    let _ = std::fs::remove_dir_all(&data);

    let size = first.len();
    let ratio = |d: Duration| d.as_secs_f64() / import.as_secs_f64().max(f64::EPSILON);
    let total = |m: &Measured| m.preview + m.apply;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n### Directory sync\n\n{services} generated services in {} structures ({:.1} MB of data·inclusion JSON), \
         département {DEPARTEMENT}, SQLite file (WAL, synchronous=FULL), one audit line per change. \
         Baseline: a plain import of the same file into another territory, same run.\n",
        services.div_ceil(5),
        size as f64 / 1e6
    );
    let _ = writeln!(out, "| measure | time | vs. plain import |\n|---|---|---|");
    let _ = writeln!(
        out,
        "| plain import (baseline) | {:.2} s | 1.00 |",
        import.as_secs_f64()
    );
    for (what, m) in [("first sync", &initial), ("re-sync, 1 % changed", &again)] {
        let _ = writeln!(
            out,
            "| {what}: read, check and compare | {:.2} s | {:.2} |",
            m.preview.as_secs_f64(),
            ratio(m.preview)
        );
        let _ = writeln!(
            out,
            "| {what}: write and audit | {:.2} s | {:.2} |",
            m.apply.as_secs_f64(),
            ratio(m.apply)
        );
        let _ = writeln!(
            out,
            "| {what}: whole | {:.2} s | {:.2} |",
            total(m).as_secs_f64(),
            ratio(total(m))
        );
    }
    let _ = writeln!(
        out,
        "\nFirst sync: {} services added, {} structures added. Re-sync: {} updated, {} unchanged, {} gone.",
        initial.counts.services_added,
        initial.counts.organisations_added,
        again.counts.services_updated,
        again.counts.services_unchanged,
        again.counts.services_gone,
    );
    Ok(out)
}
