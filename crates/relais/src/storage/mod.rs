//! Storage: one code path for SQLite and PostgreSQL.
//!
//! [`Db`] holds a pool of either kind. Queries are written once, in SQL that
//! both engines accept (`$1` placeholders, `ON CONFLICT`, `BIGINT`, `TEXT`),
//! and run through [`with_pool!`], which type-checks the same body against
//! each driver. A dialect arm is the exception and says why.
//!
//! A change that must land whole (a change and its audit line, a referral
//! and its notifications) goes through a [`Tx`], the transaction of either
//! engine, with [`with_tx!`]; dropping a `Tx` without
//! [`commit`](Tx::commit) rolls everything back.
//!
//! Migrations live in `migrations/sqlite` and `migrations/postgres` with the
//! same versions and descriptions; a test fails when the two lists differ. A
//! migration is never edited once it has landed: a fix is a new migration,
//! added to both folders.

pub mod counters;
pub mod demo;
mod ids;

pub use ids::{LiveId, MessageId, NotificationId, OrganisationId, ReferralId, ServiceId, UserId};

use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::Path;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret as _;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use anyhow::Context as _;

use crate::config::{DatabaseTarget, Settings};

/// Migrations for the embedded SQLite database.
pub static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
/// Migrations for PostgreSQL; same versions as [`SQLITE_MIGRATIONS`].
pub static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// A pool on the database, whichever engine it is.
#[derive(Clone, Debug)]
pub enum Db {
    /// The embedded database: one file, or memory in tests; with the queue
    /// of its writers.
    Sqlite(SqlitePool, Arc<Writers>),
    /// PostgreSQL, for several instances behind a load balancer.
    Postgres(PgPool),
}

/// Runs the same body with the pool of either engine.
///
/// ```text
/// with_pool!(db, pool => sqlx::query("SELECT 1").execute(pool).await)
/// ```
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::storage::Db::Sqlite($pool, _) => $body,
            $crate::storage::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs the same body with the connection of a transaction of either
/// engine: `$conn` is the `&mut` connection to pass as `&mut *$conn`.
///
/// ```text
/// with_tx!(tx, conn => sqlx::query("DELETE FROM t").execute(&mut *conn).await)
/// ```
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::storage::Tx::Sqlite(transaction, _) => {
                let $conn = &mut **transaction;
                $body
            }
            $crate::storage::Tx::Postgres(transaction) => {
                let $conn = &mut **transaction;
                $body
            }
        }
    };
}

/// A transaction on either engine. Every write that must land together with
/// another (a change and its audit line, a referral and its notifications)
/// goes through one; nothing is written unless [`Tx::commit`] returns.
#[derive(Debug)]
pub enum Tx {
    /// SQLite, with this process's turn to write.
    Sqlite(
        sqlx::Transaction<'static, sqlx::Sqlite>,
        tokio::sync::OwnedMutexGuard<()>,
    ),
    /// PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// One writer at a time on SQLite. SQLite takes one writer anyway; the
/// others would wait in its busy handler, which sleeps up to 100 ms between
/// tries: queueing them here instead keeps the slowest writes fast (measured
/// on referral submissions: p99 from 186 to 53 ms, BENCHMARKS.md).
/// PostgreSQL needs no such queue. Each pool has its own: two databases in
/// one process (tests) do not wait for each other.
#[derive(Debug, Default)]
pub struct Writers(Arc<tokio::sync::Mutex<()>>);

impl Tx {
    /// Makes every change of the transaction durable, at once.
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(transaction, _turn) => transaction.commit().await,
            Self::Postgres(transaction) => transaction.commit().await,
        }
    }
}

/// Why the database could not be opened or prepared.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The URL names an engine we do not support.
    #[error("the database URL must start with sqlite: or postgres:")]
    UnsupportedScheme,
    /// The engine refused the URL or the connection.
    #[error("could not connect to the database")]
    Connect(#[source] sqlx::Error),
    /// A migration failed; the database is left as it was before it.
    #[error("could not apply the database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens a pool on the target, creating the SQLite file if needed.
    pub async fn connect(target: &DatabaseTarget, max_connections: u32) -> Result<Self, OpenError> {
        match target {
            DatabaseTarget::SqliteFile(path) => Self::sqlite_file(path, max_connections).await,
            DatabaseTarget::Url(url) => {
                let url = url.expose_secret();
                if url.starts_with("postgres:") || url.starts_with("postgresql:") {
                    let options = PgConnectOptions::from_str(url).map_err(OpenError::Connect)?;
                    Self::postgres(options, max_connections).await
                } else if url.starts_with("sqlite:") {
                    let options =
                        SqliteConnectOptions::from_str(url).map_err(OpenError::Connect)?;
                    Self::sqlite(options, max_connections).await
                } else {
                    Err(OpenError::UnsupportedScheme)
                }
            }
        }
    }

    /// Opens (and creates) the SQLite file at `path`.
    pub async fn sqlite_file(path: &Path, max_connections: u32) -> Result<Self, OpenError> {
        Self::sqlite(SqliteConnectOptions::new().filename(path), max_connections).await
    }

    async fn sqlite(
        options: SqliteConnectOptions,
        max_connections: u32,
    ) -> Result<Self, OpenError> {
        let in_memory = options.get_filename() == Path::new(":memory:");
        let options = options
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // FULL: a commit is on disk (fsync) before we acknowledge it.
            .synchronous(SqliteSynchronous::Full)
            // Erased rows are overwritten, not left in free pages: erasing a
            // referral's wrapped keys must leave nothing to recover.
            .pragma("secure_delete", "on");
        let (options, pool) = if in_memory {
            // Every connection to ":memory:" is a database of its own: keep
            // exactly one, for the life of the pool.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
            (options, pool)
        } else {
            let options = options.journal_mode(SqliteJournalMode::Wal);
            (
                options,
                SqlitePoolOptions::new().max_connections(max_connections),
            )
        };
        let pool = pool
            .connect_with(options)
            .await
            .map_err(OpenError::Connect)?;
        Ok(Self::Sqlite(pool, Arc::default()))
    }

    /// Opens a pool on PostgreSQL.
    pub async fn postgres(
        options: PgConnectOptions,
        max_connections: u32,
    ) -> Result<Self, OpenError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(OpenError::Connect)?;
        Ok(Self::Postgres(pool))
    }

    /// Applies the migrations not yet applied; returns how many there were.
    pub async fn migrate(&self) -> Result<usize, OpenError> {
        let before = self.applied_migrations().await;
        match self {
            Self::Sqlite(pool, _) => SQLITE_MIGRATIONS.run(pool).await,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
        .map_err(OpenError::Migrate)?;
        Ok(self.applied_migrations().await.saturating_sub(before))
    }

    /// How many migrations the database has recorded (0 on a new one).
    async fn applied_migrations(&self) -> usize {
        // The table does not exist before the first migration: that is zero.
        let count = with_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await
        });
        count.map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }

    /// Begins a transaction that will write. On SQLite it waits for this
    /// process's turn to write, then takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so that a transaction that read first never fails to
    /// upgrade to a writer.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        match self {
            Self::Sqlite(pool, writers) => {
                let turn = Arc::clone(&writers.0).lock_owned().await;
                let transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(Tx::Sqlite(transaction, turn))
            }
            Self::Postgres(pool) => Ok(Tx::Postgres(pool.begin().await?)),
        }
    }

    /// Answers whether the database responds; used by `/healthz`.
    pub async fn ping(&self) -> sqlx::Result<()> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    /// The engine's name, for logs and `relais config`.
    pub fn engine(&self) -> &'static str {
        match self {
            Self::Sqlite(..) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await);
    }
}

/// Opens the database that an earlier `relais serve` or `relais migrate`
/// made, applying pending migrations: what every command that reads or
/// writes data does first. When there is none, it refuses, saying where it
/// looked, instead of making an empty one: a command run in the wrong
/// folder would otherwise answer from an empty database as if all was well.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    if let Some(file) = missing_sqlite_file(settings) {
        let shown = std::path::absolute(&file).unwrap_or(file);
        let how = match settings.database_url {
            Some(_) => format!(
                "database_url, {}",
                settings.origin("database_url").french("database_url")
            ),
            None => format!(
                "data_dir = {}, {}",
                settings.data_dir.display(),
                settings.origin("data_dir").french("data_dir")
            ),
        };
        anyhow::bail!(
            "aucune base de données Relais à {} ({how}). Lancez la commande dans le dossier où tourne relais serve, ou indiquez le dossier des données ({}) ; relais migrate crée une base neuve.",
            shown.display(),
            crate::config::Origin::how_to_set("data_dir"),
        );
    }
    open_or_create_database(settings).await
}

/// The SQLite file the settings name, when it does not exist yet (never
/// for PostgreSQL, whose database the operator creates, nor in memory).
fn missing_sqlite_file(settings: &Settings) -> Option<std::path::PathBuf> {
    let file = match settings.database() {
        DatabaseTarget::SqliteFile(path) => path,
        DatabaseTarget::Url(url) => {
            let url = url.expose_secret();
            if !url.starts_with("sqlite:") {
                return None;
            }
            let options = SqliteConnectOptions::from_str(url).ok()?;
            let file = options.get_filename();
            if file == Path::new(":memory:") || url.contains(":memory:") {
                return None;
            }
            file.to_path_buf()
        }
    };
    (!file.exists()).then_some(file)
}

/// Opens the database the settings name, making it (and the data
/// directory) when it does not exist, and applies pending migrations: what
/// `relais serve`, `relais migrate` and `relais demo` do, and only they.
pub async fn open_or_create_database(settings: &Settings) -> anyhow::Result<Db> {
    let target = settings.database();
    if let DatabaseTarget::SqliteFile(_) = target {
        create_private_dir(&settings.data_dir)?;
    }
    let db = Db::connect(&target, settings.database_max_connections)
        .await
        .with_context(|| format!("could not open the database {target:?}"))?;
    let applied = db
        .migrate()
        .await
        .context("could not prepare the database")?;
    if applied > 0 {
        tracing::info!(applied, engine = db.engine(), "applied database migrations");
    }
    Ok(db)
}

/// Creates `dir` readable by its owner only (0700); warns when an existing
/// directory is open to others.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    match std::fs::metadata(dir) {
        Ok(metadata) => {
            if metadata.permissions().mode() & 0o077 != 0 {
                tracing::warn!(dir = %dir.display(), "the data directory can be read by other users: chmod 700 it");
            }
            Ok(())
        }
        Err(_) => std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("could not create the data directory {}", dir.display())),
    }
}

/// A stored code that no value of its type has: reading the row fails,
/// rather than guess (a default could hand out a right nobody gave).
#[derive(Debug, thiserror::Error)]
#[error("unknown stored {what} {code:?}")]
pub struct UnknownCode {
    /// What the code stands for.
    pub what: &'static str,
    /// The code found.
    pub code: String,
}

/// The current time as stored.
pub fn now_text() -> String {
    timestamp_text(jiff::Timestamp::now())
}

/// A timestamp as stored: UTC, to the second, so that text order is time
/// order on both engines.
pub fn timestamp_text(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_directory_is_created_private() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("relais-data");
        create_private_dir(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn sqlite_and_postgres_have_the_same_migrations() {
        let describe = |migrator: &Migrator| {
            migrator
                .iter()
                .map(|m| (m.version, m.description.to_string(), m.migration_type))
                .collect::<Vec<_>>()
        };
        let sqlite = describe(&SQLITE_MIGRATIONS);
        let postgres = describe(&POSTGRES_MIGRATIONS);
        assert!(!sqlite.is_empty(), "no migration found");
        assert_eq!(
            sqlite, postgres,
            "migrations/sqlite and migrations/postgres differ"
        );
    }
}
