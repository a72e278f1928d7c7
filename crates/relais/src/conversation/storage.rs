//! A territory's own questionnaire, in the database: the draft its
//! coordinator edits, the versions she published (never changed once
//! written), the one in use, and the national flows versions were adapted
//! from (docs/flows.md, "Le questionnaire d'un territoire").

use crate::storage::{Db, Tx, now_text};
use crate::{with_pool, with_tx};

/// A territory's draft.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Draft {
    /// The flow file as last saved.
    pub source: String,
    /// Digest of the national flow it started from.
    pub national: String,
    /// Who saved it (their e-mail).
    pub updated_by: String,
    /// When (UTC).
    pub updated_at: String,
}

/// A published version.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Version {
    /// Its territory.
    pub territory: String,
    /// 1, 2, … in its territory.
    pub number: i64,
    /// The flow file.
    pub source: String,
    /// The flow's digest, as tokens name it.
    pub digest: String,
    /// Digest of the national flow it was adapted from.
    pub national: String,
    /// Who published it (their e-mail).
    pub published_by: String,
    /// When (UTC).
    pub published_at: String,
}

/// The version each territory uses, as every instance loads them.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct InUse {
    /// The territory.
    pub territory: String,
    /// The version in use; `None`: the national flow.
    pub number: Option<i64>,
}

/// The territory's draft, if she saved one.
pub async fn draft(db: &Db, territory: &str) -> sqlx::Result<Option<Draft>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Draft>(
            "SELECT source, national, updated_by, updated_at FROM flow_drafts WHERE territory = $1",
        )
        .bind(territory)
        .fetch_optional(pool)
        .await
    })
}

/// Saves the territory's draft (one per territory: the last save).
pub async fn save_draft(
    tx: &mut Tx,
    territory: &str,
    source: &str,
    national: &str,
    by: &str,
) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO flow_drafts (territory, source, national, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (territory) DO UPDATE SET source = $2, national = $3, updated_by = $4, updated_at = $5",
        )
        .bind(territory)
        .bind(source)
        .bind(national)
        .bind(by)
        .bind(&now)
        .execute(&mut *conn)
        .await
        .map(drop)
    })
}

/// Every version of the territory, newest first.
pub async fn versions(db: &Db, territory: &str) -> sqlx::Result<Vec<Version>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Version>(
            "SELECT territory, number, source, digest, national, published_by, published_at
             FROM flow_versions WHERE territory = $1 ORDER BY number DESC",
        )
        .bind(territory)
        .fetch_all(pool)
        .await
    })
}

/// The version in use in the territory, if it uses one of its own.
pub async fn in_use(db: &Db, territory: &str) -> sqlx::Result<Option<i64>> {
    let number: Option<Option<i64>> = with_pool!(db, pool => {
        sqlx::query_scalar("SELECT number FROM territory_flows WHERE territory = $1")
            .bind(territory)
            .fetch_optional(pool)
            .await
    })?;
    Ok(number.flatten())
}

/// Publishes `source` as the territory's next version and puts it in
/// use; keeps the national flow it was adapted from. Returns its number.
pub async fn publish(
    tx: &mut Tx,
    territory: &str,
    source: &str,
    digest: &str,
    national: (&str, &str),
    by: &str,
) -> sqlx::Result<i64> {
    let now = now_text();
    let (national_digest, national_source) = national;
    with_tx!(tx, conn => {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(number) FROM flow_versions WHERE territory = $1")
                .bind(territory)
                .fetch_one(&mut *conn)
                .await?;
        let number = last.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO national_flows (digest, source) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING",
        )
        .bind(national_digest)
        .bind(national_source)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO flow_versions (territory, number, source, digest, national, published_by, published_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(territory)
        .bind(number)
        .bind(source)
        .bind(digest)
        .bind(national_digest)
        .bind(by)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO territory_flows (territory, number, revision, changed_at)
             VALUES ($1, $2, (SELECT COALESCE(MAX(revision), 0) + 1 FROM territory_flows), $3)
             ON CONFLICT (territory) DO UPDATE SET number = $2,
                 revision = (SELECT COALESCE(MAX(revision), 0) + 1 FROM territory_flows), changed_at = $3",
        )
        .bind(territory)
        .bind(number)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
        Ok(number)
    })
}

/// Puts the national flow back in use in the territory (its versions are
/// kept).
pub async fn use_national(tx: &mut Tx, territory: &str) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO territory_flows (territory, number, revision, changed_at)
             VALUES ($1, NULL, (SELECT COALESCE(MAX(revision), 0) + 1 FROM territory_flows), $2)
             ON CONFLICT (territory) DO UPDATE SET number = NULL,
                 revision = (SELECT COALESCE(MAX(revision), 0) + 1 FROM territory_flows), changed_at = $2",
        )
        .bind(territory)
        .bind(&now)
        .execute(&mut *conn)
        .await
        .map(drop)
    })
}

/// The national flow of that digest, as a version was adapted from it.
pub async fn national(db: &Db, digest: &str) -> sqlx::Result<Option<String>> {
    with_pool!(db, pool => {
        sqlx::query_scalar("SELECT source FROM national_flows WHERE digest = $1")
            .bind(digest)
            .fetch_optional(pool)
            .await
    })
}

/// The revision of the flows in use: it grows with every publication, so
/// that an instance that knows it has nothing to reload.
pub async fn revision(db: &Db) -> sqlx::Result<i64> {
    with_pool!(db, pool => {
        sqlx::query_scalar("SELECT COALESCE(MAX(revision), 0) FROM territory_flows")
            .fetch_one(pool)
            .await
    })
}

/// What every instance loads: the version in use in each territory, and
/// the versions a conversation under way may still be on (in use at some
/// moment since `since`, UTC: a version is in use until the next one is
/// published, or until the territory goes back to the national flow).
pub async fn loaded(db: &Db, since: &str) -> sqlx::Result<Vec<Version>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Version>(
            "SELECT v.territory, v.number, v.source, v.digest, v.national, v.published_by, v.published_at
             FROM flow_versions v
             JOIN territory_flows f ON f.territory = v.territory
             WHERE v.number = f.number
                OR EXISTS (SELECT 1 FROM flow_versions n
                           WHERE n.territory = v.territory AND n.number = v.number + 1 AND n.published_at >= $1)
                OR (f.changed_at >= $1 AND v.number = (SELECT MAX(p.number) FROM flow_versions p
                                                        WHERE p.territory = v.territory))
             ORDER BY v.territory, v.number",
        )
        .bind(since)
        .fetch_all(pool)
        .await
    })
}

/// The version each territory uses.
pub async fn all_in_use(db: &Db) -> sqlx::Result<Vec<InUse>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, InUse>("SELECT territory, number FROM territory_flows")
            .fetch_all(pool)
            .await
    })
}
