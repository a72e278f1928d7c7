//! The SQL of live help: who is on duty, who waits, who talks with whom.
//! Times, states, a language and an urgency: never a word anybody said
//! (docs/live.md). Times are UNIX seconds.

use std::collections::HashMap;

use crate::live::Ended;
use crate::storage::{Db, LiveId, OrganisationId, Tx, UserId};
use crate::{with_pool, with_tx};

/// The PostgreSQL channel the instances pass their live events on.
pub const CHANNEL: &str = "relais_live";

/// A professional's duty period, as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Duty {
    /// Their organisation.
    pub organisation_id: OrganisationId,
    /// When they took the duty.
    pub started_at: i64,
    /// The last sign of their console.
    pub seen_at: i64,
}

/// Starts `user`'s duty for `organisation` (or renews it).
pub async fn start_duty(
    tx: &mut Tx,
    user: &UserId,
    organisation: &OrganisationId,
    now: i64,
) -> sqlx::Result<()> {
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO live_duty (user_id, organisation_id, started_at, seen_at) VALUES ($1, $2, $3, $3)
             ON CONFLICT (user_id) DO UPDATE SET organisation_id = $2, seen_at = $3",
        )
        .bind(user)
        .bind(organisation)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })
}

/// Ends `user`'s duty; whether they were on duty.
pub async fn end_duty(tx: &mut Tx, user: &UserId) -> sqlx::Result<bool> {
    with_tx!(tx, conn => {
        sqlx::query("DELETE FROM live_duty WHERE user_id = $1")
            .bind(user)
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected() > 0)
    })
}

/// `user`'s duty, if they are on duty.
pub async fn duty(db: &Db, user: &UserId) -> sqlx::Result<Option<Duty>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Duty>(
            "SELECT organisation_id, started_at, seen_at FROM live_duty WHERE user_id = $1",
        )
        .bind(user)
        .fetch_optional(pool)
        .await
    })
}

/// Renews the sign of these professionals' consoles.
pub async fn touch_consoles(db: &Db, users: &[UserId], now: i64) -> sqlx::Result<()> {
    touch(db, "live_duty", "seen_at", "user_id", "TRUE", users, now).await
}

/// Renews the sign of these people's pages.
pub async fn touch_people(db: &Db, people: &[LiveId], now: i64) -> sqlx::Result<()> {
    touch(
        db,
        "live_sessions",
        "person_seen",
        "id",
        "state <> 'ended'",
        people,
        now,
    )
    .await
}

/// Sets `column` to `now` on the rows of `table` whose `key` is listed and
/// that pass `condition`.
///
/// On PostgreSQL a row being changed by another transaction (a
/// professional taking her, a duty ending) is skipped, not waited for:
/// it is renewed at the next round, well within the silence delay. A
/// statement that waited would lock the rows it had already renewed,
/// and a taking that holds one row and wants another of them would
/// deadlock with it (measured at 1,000 conversations across two
/// instances).
async fn touch<K>(
    db: &Db,
    table: &str,
    column: &str,
    key: &str,
    condition: &str,
    keys: &[K],
    now: i64,
) -> sqlx::Result<()>
where
    K: Clone + Send + for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    K: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    if keys.is_empty() {
        return Ok(());
    }
    match db {
        Db::Sqlite(pool, _) => {
            let mut query =
                sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!("UPDATE {table} SET {column} = "));
            query.push_bind(now);
            query.push(format!(" WHERE {condition} AND {key} IN ("));
            let mut list = query.separated(", ");
            for k in keys {
                list.push_bind(k.clone());
            }
            query.push(")");
            query.build().execute(pool).await.map(|_| ())
        }
        Db::Postgres(pool) => {
            let mut query = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!(
                "UPDATE {table} SET {column} = "
            ));
            query.push_bind(now);
            query.push(format!(
                " WHERE {key} IN (SELECT {key} FROM {table} WHERE {condition} AND {key} IN ("
            ));
            let mut list = query.separated(", ");
            for k in keys {
                list.push_bind(k.clone());
            }
            query.push(") FOR UPDATE SKIP LOCKED)");
            query.build().execute(pool).await.map(|_| ())
        }
    }
}

/// The professionals counted now, per organisation: on duty, and whose
/// console gave a sign since `since`.
pub async fn counted(db: &Db, since: i64) -> sqlx::Result<HashMap<OrganisationId, u32>> {
    let rows: Vec<(OrganisationId, i64)> = with_pool!(db, pool => {
        sqlx::query_as(
            "SELECT organisation_id, COUNT(*) FROM live_duty WHERE seen_at >= $1 GROUP BY organisation_id",
        )
        .bind(since)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, u32::try_from(n).unwrap_or(u32::MAX)))
        .collect())
}

/// The mean length in seconds of each organisation's last ten
/// conversations answered and ended since `since`.
pub async fn recent_lengths(db: &Db, since: i64) -> sqlx::Result<HashMap<OrganisationId, i64>> {
    let rows: Vec<(OrganisationId, i64)> = with_pool!(db, pool => {
        sqlx::query_as(
            "SELECT organisation_id, ended_at - answered_at FROM live_sessions
             WHERE state = 'ended' AND answered_at IS NOT NULL AND ended_at >= $1
             ORDER BY ended_at DESC",
        )
        .bind(since)
        .fetch_all(pool)
        .await
    })?;
    let mut lengths: HashMap<OrganisationId, Vec<i64>> = HashMap::new();
    for (organisation, length) in rows {
        let list = lengths.entry(organisation).or_default();
        if list.len() < 10 {
            list.push(length.max(0));
        }
    }
    Ok(lengths
        .into_iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(organisation, list)| {
            let n = i64::try_from(list.len()).unwrap_or(1);
            (organisation, list.iter().sum::<i64>() / n)
        })
        .collect())
}

/// A place in a queue, as stored.
#[derive(Clone, Debug)]
pub struct NewSession<'a> {
    /// The hash of her handle.
    pub id: &'a LiveId,
    /// The organisation she waits for.
    pub organisation: &'a OrganisationId,
    /// Its territory.
    pub territory: &'a str,
    /// The language of her pages.
    pub language: &'a str,
    /// She said it is urgent.
    pub urgent: bool,
    /// Now.
    pub now: i64,
}

/// Puts her in the organisation's queue.
pub async fn join(db: &Db, session: &NewSession<'_>) -> sqlx::Result<()> {
    with_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO live_sessions (id, organisation_id, territory, language, urgent, state, joined_at, person_seen)
             VALUES ($1, $2, $3, $4, $5, 'waiting', $6, $6)",
        )
        .bind(session.id)
        .bind(session.organisation)
        .bind(session.territory)
        .bind(session.language)
        .bind(session.urgent)
        .bind(session.now)
        .execute(pool)
        .await
        .map(|_| ())
    })
}

/// The first person waiting for `organisation`, given to `professional`:
/// one update that only a waiting row passes, so that two professionals
/// taking at once (on any instance) never get the same person. Her id, or
/// `None` when nobody waits.
pub async fn take_next(
    tx: &mut Tx,
    organisation: &OrganisationId,
    professional: &UserId,
    now: i64,
) -> sqlx::Result<Option<(LiveId, i64)>> {
    // A row taken by someone else between the choice and the update is
    // skipped by the update's own condition: choose again, as long as
    // someone waits. Each miss is another professional's success, so this
    // ends; a bounded number of tries left professionals with nobody while
    // people waited, when many took at once on PostgreSQL.
    loop {
        let first: Option<(LiveId, i64)> = with_tx!(tx, conn => {
            sqlx::query_as(
                "SELECT id, joined_at FROM live_sessions WHERE organisation_id = $1 AND state = 'waiting'
                 ORDER BY joined_at, id LIMIT 1",
            )
            .bind(organisation)
            .fetch_optional(&mut *conn)
            .await
        })?;
        let Some((id, joined_at)) = first else {
            return Ok(None);
        };
        let taken = with_tx!(tx, conn => {
            sqlx::query(
                "UPDATE live_sessions SET state = 'talking', professional_id = $1, answered_at = $2
                 WHERE id = $3 AND state = 'waiting'",
            )
            .bind(professional)
            .bind(now)
            .bind(&id)
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        if taken == 1 {
            return Ok(Some((id, joined_at)));
        }
    }
}

/// Ends a conversation that has not ended; whether this call ended it.
pub async fn end(db: &Db, id: &LiveId, by: Ended, now: i64) -> sqlx::Result<bool> {
    with_pool!(db, pool => {
        sqlx::query(
            "UPDATE live_sessions SET state = 'ended', ended_at = $1, ended_by = $2
             WHERE id = $3 AND state <> 'ended'",
        )
        .bind(now)
        .bind(by.code())
        .bind(id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected() == 1)
    })
}

/// A conversation that has not ended, as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Open {
    /// Its id.
    pub id: LiveId,
    /// Its organisation.
    pub organisation_id: OrganisationId,
    /// `waiting` or `talking`.
    pub state: String,
    /// The last sign of her page.
    pub person_seen: i64,
    /// The professional who took it.
    pub professional_id: Option<UserId>,
    /// The last sign of that professional's console, if on duty.
    pub professional_seen: Option<i64>,
}

/// Every conversation that has not ended.
pub async fn open(db: &Db) -> sqlx::Result<Vec<Open>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, Open>(
            "SELECT s.id, s.organisation_id, s.state, s.person_seen, s.professional_id, d.seen_at AS professional_seen
             FROM live_sessions s LEFT JOIN live_duty d ON d.user_id = s.professional_id
             WHERE s.state <> 'ended'",
        )
        .fetch_all(pool)
        .await
    })
}

/// The state of one conversation: `waiting`, `talking` or `ended`.
pub async fn state(db: &Db, id: &LiveId) -> sqlx::Result<Option<String>> {
    with_pool!(db, pool => {
        sqlx::query_scalar("SELECT state FROM live_sessions WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// Deletes the rows of conversations ended before `before`.
pub async fn forget(db: &Db, before: i64) -> sqlx::Result<u64> {
    with_pool!(db, pool => {
        sqlx::query("DELETE FROM live_sessions WHERE state = 'ended' AND ended_at < $1")
            .bind(before)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })
}

/// Publishes sealed payloads, in order, to every instance listening: one
/// statement, so one commit, for them all.
///
/// PostgreSQL serialises the commits that notify, each waiting for its
/// WAL flush: one commit a payload held 1,000 conversations across two
/// instances to 236 ms at p99. The commit does not wait for the flush
/// (`synchronous_commit` off, for this transaction only): the payloads
/// are passing signs, and one lost in a crash is read again from the
/// tables within seconds.
pub async fn notify(pool: &sqlx::PgPool, payloads: &[String]) -> sqlx::Result<()> {
    sqlx::query(
        "SELECT count(pg_notify($1, payload))
         FROM (SELECT set_config('synchronous_commit', 'off', true)) AS local,
              unnest($2::text[]) WITH ORDINALITY AS p(payload, n)",
    )
    .bind(CHANNEL)
    .bind(payloads)
    .execute(pool)
    .await
    .map(|_| ())
}

/// Listens to the instances' live events.
pub async fn listener(pool: &sqlx::PgPool) -> sqlx::Result<sqlx::postgres::PgListener> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
