//! The territories benchmark (`--only territories`): 100 territories, each
//! with its own published questionnaire, on one SQLite database.
//!
//! - the conversation step ("Qui vit ces violences ?") on a territory's
//!   entry (`/t/banc-050/aide`, its adapted flow), against the same step on
//!   the national entry of the same server in the same run;
//! - the server's resident memory with the demo territory alone, then with
//!   the 100 territories and their flows loaded: the difference per
//!   territory;
//! - the time from a publication committed to the database to the new
//!   wording served by a second instance of the same database.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use relais::config::Settings;
use relais::conversation::{NATIONAL_FLOW, parse_flow, storage as flows};
use relais::directory::communes::Communes;
use relais::directory::storage;
use relais::directory::territories::{Coordinator, Slug, Territory};

use crate::client::get;
use crate::process::{Guard, addr_of, resident_kib, start_relais, stop};
use crate::site::{LoadResult, conversation_at, load};

/// How many territories.
const TERRITORIES: usize = 100;
/// Rounds of the two measures of the step.
const ROUNDS: usize = 5;
/// The question each territory words its own way.
const QUESTION: &str = "Qui vit ces violences ?";

/// What the benchmark measured.
pub struct Measured {
    national: Vec<LoadResult>,
    territory: Vec<LoadResult>,
    rss_alone_kib: u64,
    rss_loaded_kib: u64,
    seen_after: Duration,
}

/// The national flow with the territory's own wording of a question.
fn adapted(slug: &str, round: usize) -> String {
    NATIONAL_FLOW.replacen(
        QUESTION,
        &format!("Qui vit ces violences ? (questionnaire {slug}, version {round})"),
        1,
    )
}

fn territory(slug: &str, insee: &str) -> anyhow::Result<Territory> {
    Ok(Territory {
        slug: Slug::parse(slug).map_err(|e| anyhow::anyhow!("{e:?}"))?,
        name: format!("Banc d'essai {slug}"),
        neutral_url: None,
        communes: std::iter::once(insee.to_owned()).collect(),
        departements: std::collections::BTreeSet::new(),
        coordinator: Coordinator::default(),
        youth_services: Vec::new(),
        hosts: std::collections::BTreeSet::new(),
        suspended: false,
    })
}

/// Publishes `source` for `slug`, as the back office does (without its
/// audit line, which the measure does not need).
async fn publish(db: &relais::storage::Db, slug: &str, source: &str) -> anyhow::Result<()> {
    let flow = parse_flow(source).map_err(|_| anyhow::anyhow!("an invalid adapted flow"))?;
    let national = parse_flow(NATIONAL_FLOW).map_err(|_| anyhow::anyhow!("the national flow"))?;
    let mut tx = db.begin().await?;
    flows::publish(
        &mut tx,
        slug,
        source,
        flow.version(),
        (national.version(), NATIONAL_FLOW),
        "bench",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Runs the measure against the release binary `relais`.
pub fn bench(relais: &Path, connections: usize, seconds: u64) -> anyhow::Result<Measured> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(run(relais, connections, Duration::from_secs(seconds)))
}

async fn warm(addr: std::net::SocketAddr, path: &str) -> anyhow::Result<()> {
    for _ in 0..50 {
        get(addr, path, false).await?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(())
}

async fn run(relais: &Path, connections: usize, duration: Duration) -> anyhow::Result<Measured> {
    let data = crate::process::tempdir("territories")?;
    // The demo territory alone.
    let (_, server) = start_relais(relais, &data).await?;
    let mut server = Guard(server);
    let addr = addr_of(&data)?;
    warm(addr, "/aide").await?;
    let rss_alone_kib = resident_kib(server.0.id())?;
    stop(&mut server.0)?;

    // 100 territories, each with its own flow.
    eprintln!("territories: {TERRITORIES} territories, each with its own questionnaire…");
    let settings = Settings {
        data_dir: data.join("relais-data"),
        ..Settings::default()
    };
    let db = relais::storage::open_or_create_database(&settings).await?;
    let communes = Communes::embedded();
    let places: Vec<String> = communes
        .all()
        .iter()
        .filter(|c| &*c.departement == "59")
        .take(TERRITORIES)
        .map(|c| c.insee.to_string())
        .collect();
    let slugs: Vec<String> = (1..=TERRITORIES).map(|n| format!("banc-{n:03}")).collect();
    for (slug, insee) in slugs.iter().zip(&places) {
        let mut tx = db.begin().await?;
        storage::save_territory(&mut tx, &territory(slug, insee)?).await?;
        tx.commit().await?;
        publish(&db, slug, &adapted(slug, 1)).await?;
    }
    let (_, server) = start_relais(relais, &data).await?;
    let mut server = Guard(server);
    let addr = addr_of(&data)?;
    for slug in &slugs {
        get(addr, &format!("/t/{slug}/aide"), false).await?;
    }
    warm(addr, "/aide").await?;
    let rss_loaded_kib = resident_kib(server.0.id())?;

    // The same step, national and on a territory's entry, in turns.
    let (national_step, _, _) = conversation_at(addr, "").await?;
    let (territory_step, _, _) = conversation_at(addr, "/t/banc-050").await?;
    let page = get(addr, "/t/banc-050/aide", false).await?;
    if page.status != 200 {
        anyhow::bail!("/t/banc-050/aide answered {}", page.status);
    }
    // Rounds of one run each, the order swapped every round, so that a
    // machine's drift (another process, the CPU's clock) weighs on both.
    let mut national = Vec::new();
    let mut territorial = Vec::new();
    for round in 0..ROUNDS {
        for territory_first in [round % 2 == 1, round % 2 == 0] {
            if territory_first {
                territorial.push(
                    load(
                        addr,
                        "/t/banc-050/aide",
                        Some(&territory_step),
                        true,
                        connections,
                        duration,
                    )
                    .await?,
                );
            } else {
                national.push(
                    load(
                        addr,
                        "/aide",
                        Some(&national_step),
                        true,
                        connections,
                        duration,
                    )
                    .await?,
                );
            }
        }
    }

    // A second instance of the same database; a publication reaches it.
    let second_data = crate::process::tempdir("territories-second")?;
    std::os::unix::fs::symlink(data.join("relais-data"), second_data.join("relais-data"))?;
    let (_, second) = start_relais(relais, &second_data).await?;
    let mut second = Guard(second);
    let second_addr = addr_of(&second_data)?;
    let wanted = "questionnaire banc-001, version 2";
    let step_page = |addr| async move {
        let (step, _, _) = conversation_at(addr, "/t/banc-001").await?;
        anyhow::Ok(step)
    };
    // The step's question is asked after "formulaire"/"age"/"danger":
    // read it where it is asked, on the second instance.
    let _ = step_page(second_addr).await?;
    publish(&db, "banc-001", &adapted("banc-001", 2)).await?;
    let published = Instant::now();
    let seen_after = loop {
        if crate::site::asks(second_addr, "/t/banc-001", wanted).await? {
            break published.elapsed();
        }
        if published.elapsed() > Duration::from_secs(30) {
            anyhow::bail!("the second instance never served the new version");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    stop(&mut second.0)?;
    stop(&mut server.0)?;
    Ok(Measured {
        national,
        territory: territorial,
        rss_alone_kib,
        rss_loaded_kib,
        seen_after,
    })
}

/// The Markdown section.
pub fn report(measured: &Measured) -> String {
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let rates = |runs: &[LoadResult]| runs.iter().map(|r| r.requests_per_second).collect();
    let (national, territory) = (
        median(rates(&measured.national)),
        median(rates(&measured.territory)),
    );
    // Each round's ratio: its two runs were measured side by side.
    let ratios: Vec<f64> = measured
        .territory
        .iter()
        .zip(&measured.national)
        .map(|(t, n)| t.requests_per_second / n.requests_per_second.max(1.0))
        .collect();
    let (lowest, highest) = (
        ratios.iter().copied().fold(f64::INFINITY, f64::min),
        ratios.iter().copied().fold(0.0_f64, f64::max),
    );
    let ratio = median(ratios);
    let per_territory = measured
        .rss_loaded_kib
        .saturating_sub(measured.rss_alone_kib) as f64
        / TERRITORIES as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n### Territories: {TERRITORIES} territories, each with its own questionnaire\n"
    );
    let _ = writeln!(out, "| measure | result | budget |\n|---|---|---|");
    let _ = writeln!(
        out,
        "| conversation step on a territory's entry, its own flow | {:.0} % of the national step on the same server (median of {ROUNDS} rounds side by side, {:.0}–{:.0} %; medians {territory:.0} and {national:.0} req/s) | ≥ 95 % |",
        100.0 * ratio,
        100.0 * lowest,
        100.0 * highest,
    );
    let _ = writeln!(
        out,
        "| resident memory, demo territory alone → {TERRITORIES} more territories with their flows | {:.1} → {:.1} MB ({per_territory:.0} KB per territory) | — |",
        measured.rss_alone_kib as f64 / 1024.0,
        measured.rss_loaded_kib as f64 / 1024.0
    );
    let _ = writeln!(
        out,
        "| a publication, committed → served by a second instance | {:.2} s (instances check every 2 s) | — |",
        measured.seen_after.as_secs_f64()
    );
    out
}
