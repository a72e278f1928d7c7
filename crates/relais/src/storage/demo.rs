//! The mark of a demonstration database: one row in `demo`, written by
//! `relais demo` alone, read by the back office to say so on every page
//! and by `relais demo` before it gives out example accounts.

use crate::storage::{Db, Tx, now_text};
use crate::{with_pool, with_tx};

/// Whether this database was made by `relais demo`.
pub async fn is_demo(db: &Db) -> sqlx::Result<bool> {
    let count = with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM demo").fetch_one(pool).await
    })?;
    Ok(count > 0)
}

/// Whether the database holds neither an account nor a territory: new, so
/// that making it a demonstration takes nothing from anyone.
pub async fn is_blank(db: &Db) -> sqlx::Result<bool> {
    let count = with_pool!(db, pool => {
        sqlx::query_scalar::<_, i64>(
            "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM territories)",
        )
        .fetch_one(pool)
        .await
    })?;
    Ok(count == 0)
}

/// Marks the database as a demonstration, for good.
pub async fn mark(tx: &mut Tx) -> sqlx::Result<()> {
    let now = now_text();
    with_tx!(tx, conn => {
        sqlx::query("INSERT INTO demo (id, created_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map(|_| ())
    })
}
