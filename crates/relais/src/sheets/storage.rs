//! A territory's own versions of sheets. Every save is a new version; the
//! highest is in force, the others are kept as history.

use crate::storage::{Db, Tx};
use crate::{with_pool, with_tx};

/// Which sheet: slug, language, variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SheetKey<'a> {
    /// The sheet's slug.
    pub slug: &'a str,
    /// `fr` or `en`.
    pub language: &'a str,
    /// The easy-to-read variant.
    pub easy_to_read: bool,
}

/// One saved version of an override.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Version {
    /// 1, 2, 3…
    pub version: i64,
    /// UTC timestamp.
    pub created_at: String,
    /// Who saved it.
    pub created_by: String,
    /// The whole sheet as saved.
    pub source: String,
}

/// An override in force, for listings.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Current {
    /// Territory.
    pub territory: String,
    /// Sheet slug.
    pub slug: String,
    /// Language.
    pub language: String,
    /// Easy-to-read variant.
    pub easy_to_read: bool,
    /// The sheet as saved.
    pub source: String,
}

/// Saves a new version of a territory's sheet; returns its number.
pub async fn save(
    tx: &mut Tx,
    territory: &str,
    key: SheetKey<'_>,
    source: &str,
    by: &str,
) -> sqlx::Result<i64> {
    let now = jiff::Timestamp::now().to_string();
    with_tx!(tx, conn => {
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(version) FROM sheet_overrides
             WHERE territory = $1 AND slug = $2 AND language = $3 AND easy_to_read = $4",
        )
        .bind(territory)
        .bind(key.slug)
        .bind(key.language)
        .bind(key.easy_to_read)
        .fetch_one(&mut *conn)
        .await?;
        let version = last.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO sheet_overrides (territory, slug, language, easy_to_read, version, source, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(territory)
        .bind(key.slug)
        .bind(key.language)
        .bind(key.easy_to_read)
        .bind(version)
        .bind(source)
        .bind(&now)
        .bind(by)
        .execute(&mut *conn)
        .await?;
        Ok(version)
    })
}

/// The version in force of a territory's sheet, if it has one.
pub async fn current(db: &Db, territory: &str, key: SheetKey<'_>) -> sqlx::Result<Option<String>> {
    with_pool!(db, pool => {
        sqlx::query_scalar(
            "SELECT source FROM sheet_overrides
             WHERE territory = $1 AND slug = $2 AND language = $3 AND easy_to_read = $4
             ORDER BY version DESC LIMIT 1",
        )
        .bind(territory)
        .bind(key.slug)
        .bind(key.language)
        .bind(key.easy_to_read)
        .fetch_optional(pool)
        .await
    })
}

/// Every version of a territory's sheet, newest first.
pub async fn history(db: &Db, territory: &str, key: SheetKey<'_>) -> sqlx::Result<Vec<Version>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Version>(
            "SELECT version, created_at, created_by, source FROM sheet_overrides
             WHERE territory = $1 AND slug = $2 AND language = $3 AND easy_to_read = $4
             ORDER BY version DESC",
        )
        .bind(territory)
        .bind(key.slug)
        .bind(key.language)
        .bind(key.easy_to_read)
        .fetch_all(pool)
        .await
    })
}

/// Every override in force, in every territory.
pub async fn all_current(db: &Db) -> sqlx::Result<Vec<Current>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Current>(
            "SELECT o.territory, o.slug, o.language, o.easy_to_read, o.source FROM sheet_overrides o
             WHERE o.version = (SELECT MAX(version) FROM sheet_overrides m
                                WHERE m.territory = o.territory AND m.slug = o.slug
                                  AND m.language = o.language AND m.easy_to_read = o.easy_to_read)
             ORDER BY o.territory, o.slug, o.language",
        )
        .fetch_all(pool)
        .await
    })
}
