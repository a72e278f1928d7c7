//! Retention: referrals closed for more than N days (default 90) and
//! referrals nobody opened for M days (default 30) are erased, keys and
//! rows together. `relais purge` runs it once; `relais serve` runs it at
//! start and then every day.

use std::time::Duration;

use crate::backoffice::storage::AuditAction;
use crate::backoffice::storage::audit;
use crate::referral::storage;
use crate::storage::Db;
use crate::storage::timestamp_text;

/// Erases what has expired at `now`; returns how many referrals.
pub async fn purge(
    db: &Db,
    now: jiff::Timestamp,
    closed_days: u32,
    unopened_days: u32,
) -> sqlx::Result<usize> {
    let day = |days: u32| now - jiff::SignedDuration::from_hours(24 * i64::from(days));
    let expired = storage::expired(
        db,
        &timestamp_text(day(closed_days)),
        &timestamp_text(day(unopened_days)),
    )
    .await?;
    for (id, territory) in &expired {
        let mut tx = db.begin().await?;
        storage::delete(&mut tx, id).await?;
        audit(
            &mut tx,
            "relais",
            territory.as_deref(),
            AuditAction::ReferralErased,
            id,
            "retention",
        )
        .await?;
        tx.commit().await?;
    }
    Ok(expired.len())
}

/// The daily task inside `relais serve`.
pub async fn run(app: crate::referral::ReferralState) {
    loop {
        let settings = &app.settings;
        match purge(
            &app.db,
            jiff::Timestamp::now(),
            settings.retention_closed_days,
            settings.retention_unopened_days,
        )
        .await
        {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "expired referrals erased"),
            Err(error) => tracing::warn!("the retention task failed: {error}"),
        }
        tokio::time::sleep(Duration::from_secs(24 * 60 * 60)).await;
    }
}
