//! The directory and orientation: every commune of France, territories, an
//! audited directory of organisations and services per territory, and the
//! engine that names the right contacts.
//!
//! The directory lives in the database; queries are answered from an
//! in-memory [`orientation::Index`], rebuilt when the directory's version
//! changes (checked every few seconds, so that a change made by another
//! instance or by `relais directory import` shows up everywhere).

pub mod cells;
pub mod commands;
pub mod communes;
pub mod contact;
pub mod export;
pub mod hours;
pub mod hsds;
pub mod import;
pub mod live_hours;
pub mod model;
pub mod office;
pub mod orientation;
pub mod routes;
pub mod screens;
pub mod storage;
pub mod sync;
pub mod sync_screens;
pub mod territories;
pub mod territory_screens;
pub mod views;
pub mod vocabulary;
pub mod voice;

use crate::web::Web;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::directory::communes::Communes;
use crate::directory::orientation::Index;
use crate::storage::Db;

/// What the directory's handlers reach, public and back office.
#[derive(Clone, Debug)]
pub struct DirectoryState {
    /// The toolkit's state.
    pub web: Web,
    /// The directory and its orientation index.
    pub directory: Arc<Directory>,
}

crate::capability_state!(DirectoryState);

/// The demo territory, loaded into an empty database by `relais serve`.
pub const DEMO_TERRITORY: &str = include_str!("../../../../content/territories/montreuillois.toml");
/// The demo territory's directory.
pub const DEMO_DIRECTORY: &[u8] =
    include_bytes!("../../../../content/territories/montreuillois.csv");
/// The second territory of `relais demo`, and its directory.
pub const DEMO_SECOND_TERRITORY: &str =
    include_str!("../../../../content/territories/boulonnais.toml");
/// The second demo territory's directory.
pub const DEMO_SECOND_DIRECTORY: &[u8] =
    include_bytes!("../../../../content/territories/boulonnais.csv");

/// The current index, shared by every request.
#[derive(Debug)]
pub struct Directory {
    current: RwLock<(i64, Arc<Index>)>,
}

impl Directory {
    /// Loads the directory and builds the index.
    pub async fn load(db: &Db) -> sqlx::Result<Self> {
        let (version, index) = build(db).await?;
        Ok(Self {
            current: RwLock::new((version, Arc::new(index))),
        })
    }

    /// The index to answer a request with.
    pub fn index(&self) -> Arc<Index> {
        let current = self
            .current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(&current.1)
    }

    /// Rebuilds the index if the directory changed since it was built.
    pub async fn refresh(&self, db: &Db) -> sqlx::Result<bool> {
        let version = storage::version(db).await?;
        let known = self
            .current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0;
        if version == known {
            return Ok(false);
        }
        let (version, index) = build(db).await?;
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = (version, Arc::new(index));
        tracing::info!(
            version,
            services = self.index().len(),
            "orientation index rebuilt"
        );
        Ok(true)
    }

    /// Checks for changes every `period`, forever.
    pub async fn keep_fresh(self: Arc<Self>, db: Db, period: Duration) {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = self.refresh(&db).await {
                tracing::warn!(%error, "could not check the directory for changes");
            }
        }
    }
}

/// Reads everything and builds an index, with the version read first (a
/// change during the build is caught at the next check).
async fn build(db: &Db) -> sqlx::Result<(i64, Index)> {
    let version = storage::version(db).await?;
    let centroids = storage::centroids(db).await?;
    let communes = Communes::with_centroids(&centroids);
    let territories = storage::territories(db).await?;
    let (organisations, services) = storage::directory(db, None).await?;
    let voices = storage::voices(db).await?;
    let mut index = crate::work::run(crate::work::Class::Staff, move || {
        Index::build(communes, territories, &organisations, &services)
    })
    .await;
    index.set_voices(voices);
    Ok((version, index))
}

/// Loads the second territory of `relais demo` and its directory, unless
/// it exists. Returns whether it did.
pub async fn load_second_demo_territory(db: &Db) -> anyhow::Result<bool> {
    let communes = Communes::embedded();
    let territory = territories::parse_territory_file(DEMO_SECOND_TERRITORY, &communes).map_err(
        |problems| {
            anyhow::anyhow!(
                "the second demo territory is invalid: {}",
                problems.join("; ")
            )
        },
    )?;
    if storage::territory(db, territory.slug.as_str())
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let parsed = import::parse(DEMO_SECOND_DIRECTORY, import::Format::Csv, &communes).map_err(
        |problems| {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            anyhow::anyhow!(
                "the second demo directory is invalid: {}",
                problems.join("; ")
            )
        },
    )?;
    let mut tx = db.begin().await?;
    storage::save_territory(&mut tx, &territory).await?;
    storage::import(&mut tx, territory.slug.as_str(), &parsed).await?;
    tx.commit().await?;
    Ok(true)
}

/// Loads the demo territory and its directory when no territory exists.
/// Returns whether it did.
pub async fn load_demo_if_empty(db: &Db) -> anyhow::Result<bool> {
    if !storage::has_no_territory(db).await? {
        return Ok(false);
    }
    let communes = Communes::embedded();
    let territory =
        territories::parse_territory_file(DEMO_TERRITORY, &communes).map_err(|problems| {
            anyhow::anyhow!("the demo territory is invalid: {}", problems.join("; "))
        })?;
    let parsed =
        import::parse(DEMO_DIRECTORY, import::Format::Csv, &communes).map_err(|problems| {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("the demo directory is invalid: {}", problems.join("; "))
        })?;
    let mut tx = db.begin().await?;
    storage::save_territory(&mut tx, &territory).await?;
    storage::import(&mut tx, territory.slug.as_str(), &parsed).await?;
    tx.commit().await?;
    tracing::info!(
        territory = territory.slug.as_str(),
        services = parsed.services.len(),
        "loaded the demo territory"
    );
    Ok(true)
}
