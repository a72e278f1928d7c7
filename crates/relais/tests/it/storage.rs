//! Storage, on whichever engine the suite runs against: in-memory SQLite by
//! default, PostgreSQL when `RELAIS_TEST_DATABASE_URL` is set.

use jiff::civil::date;
use relais::storage::counters::{self, DayCount, Event};

use crate::helpers::{DATABASE_URL_VAR, in_ci, test_db};

const STARTED: Event = Event::new("conversation-started");
const YOUTH: Event = Event::new("outcome:youth");

#[tokio::test]
async fn the_suite_runs_on_every_engine_ci_provides() {
    let db = test_db().await;
    if in_ci() {
        // `.ci/run` runs the suite twice; this says which run this is, and
        // fails if the PostgreSQL run silently fell back to SQLite.
        let wants_postgres = std::env::var(DATABASE_URL_VAR).is_ok_and(|url| !url.is_empty());
        assert_eq!(
            db.engine(),
            if wants_postgres { "postgres" } else { "sqlite" }
        );
    }
    db.ping().await.unwrap();
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let db = test_db().await;
    assert_eq!(db.migrate().await.unwrap(), 0);
}

#[tokio::test]
async fn a_counter_starts_at_one_and_adds_up_per_day_territory_and_event() {
    let db = test_db().await;
    let monday = date(2026, 11, 30);
    let tuesday = date(2026, 12, 1);
    counters::increment(&db, monday, "montreuillois", STARTED)
        .await
        .unwrap();
    counters::increment(&db, monday, "montreuillois", STARTED)
        .await
        .unwrap();
    counters::increment(&db, monday, "montreuillois", YOUTH)
        .await
        .unwrap();
    counters::increment(&db, tuesday, "montreuillois", STARTED)
        .await
        .unwrap();
    counters::increment(&db, monday, "autre", STARTED)
        .await
        .unwrap();

    let counts = counters::between(&db, "montreuillois", monday, tuesday)
        .await
        .unwrap();

    let row = |day: &str, event: &str, count| DayCount {
        day: day.to_owned(),
        event: event.to_owned(),
        count,
    };
    assert_eq!(
        counts,
        vec![
            row("2026-11-30", "conversation-started", 2),
            row("2026-11-30", "outcome:youth", 1),
            row("2026-12-01", "conversation-started", 1),
        ]
    );
}

#[tokio::test]
async fn counters_outside_the_period_are_left_out() {
    let db = test_db().await;
    counters::increment(&db, date(2026, 1, 31), "t", STARTED)
        .await
        .unwrap();
    counters::increment(&db, date(2026, 2, 1), "t", STARTED)
        .await
        .unwrap();
    counters::increment(&db, date(2026, 3, 1), "t", STARTED)
        .await
        .unwrap();

    let february = counters::between(&db, "t", date(2026, 2, 1), date(2026, 2, 28))
        .await
        .unwrap();

    assert_eq!(february.len(), 1);
    assert_eq!(february[0].day, "2026-02-01");
}

#[tokio::test]
async fn concurrent_increments_are_all_counted() {
    let db = test_db().await;
    let day = date(2026, 11, 28);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { counters::increment(&db, day, "t", STARTED).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let counts = counters::between(&db, "t", day, day).await.unwrap();
    assert_eq!(counts[0].count, 20);
}

/// Every table of a migrated database, with its columns, sorted.
async fn tables_and_columns(db: &relais::storage::Db) -> Vec<(String, String)> {
    let mut columns: Vec<(String, String)> = match db {
        relais::storage::Db::Sqlite(pool, _) => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        relais::storage::Db::Postgres(pool) => sqlx::query_as(
            "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    columns.sort();
    columns
}

#[tokio::test]
async fn sqlite_and_postgresql_make_the_same_tables_with_the_same_columns() {
    let sqlite = relais::storage::Db::connect(
        &relais::config::DatabaseTarget::Url("sqlite::memory:".to_owned().into()),
        1,
    )
    .await
    .unwrap();
    sqlite.migrate().await.unwrap();
    let expected = tables_and_columns(&sqlite).await;
    assert!(
        expected
            .iter()
            .any(|(table, column)| table == "referrals" && column == "report"),
        "the SQLite schema is read: {expected:?}"
    );
    let db = test_db().await;
    if db.engine() != "postgres" {
        // The comparison needs the PostgreSQL run of `.ci/run`; on SQLite
        // the schema is compared with itself, which says nothing.
        return;
    }
    let actual = tables_and_columns(&db).await;
    let only_sqlite: Vec<_> = expected.iter().filter(|c| !actual.contains(c)).collect();
    let only_postgres: Vec<_> = actual.iter().filter(|c| !expected.contains(c)).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the migrations differ: only on SQLite {only_sqlite:?}, only on PostgreSQL {only_postgres:?}"
    );
}
