//! Aggregate counters: how many times something happened on a day in a
//! territory. This is the only trace the public side leaves before a person
//! consents to send anything: a number, never a row per person.

use jiff::civil::Date;

use crate::storage::Db;
use crate::with_pool;

/// One counter's value on one day.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DayCount {
    /// Civil date, `YYYY-MM-DD`.
    pub day: String,
    /// The event counted.
    pub event: String,
    /// How many times it happened.
    pub count: i64,
}

/// A counter name: lowercase ASCII letters, digits, `-` and `:`, at most 64
/// characters, so that nothing a person typed can ever become one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event(&'static str);

impl Event {
    /// Checks the name once, where it is written in the code.
    pub const fn new(name: &'static str) -> Self {
        let bytes = name.as_bytes();
        assert!(
            !bytes.is_empty() && bytes.len() <= 64,
            "an event name has 1 to 64 characters"
        );
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            assert!(
                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b':',
                "an event name uses a-z, 0-9, '-' and ':'"
            );
            i += 1;
        }
        Self(name)
    }

    /// The name as stored.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// Adds one to the counter of `event` on `day` in `territory`.
pub async fn increment(db: &Db, day: Date, territory: &str, event: Event) -> sqlx::Result<()> {
    let day = day.to_string();
    with_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO counters (day, territory, event, count) VALUES ($1, $2, $3, 1)
             ON CONFLICT (day, territory, event) DO UPDATE SET count = counters.count + 1",
        )
        .bind(&day)
        .bind(territory)
        .bind(event.as_str())
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// The counters of `territory` from `first` to `last` inclusive, by day then
/// event.
pub async fn between(
    db: &Db,
    territory: &str,
    first: Date,
    last: Date,
) -> sqlx::Result<Vec<DayCount>> {
    let (first, last) = (first.to_string(), last.to_string());
    with_pool!(db, pool => {
        sqlx::query_as::<_, DayCount>(
            "SELECT day, event, count FROM counters
             WHERE territory = $1 AND day >= $2 AND day <= $3
             ORDER BY day, event",
        )
        .bind(territory)
        .bind(&first)
        .bind(&last)
        .fetch_all(pool)
        .await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_are_checked_when_written() {
        assert_eq!(
            Event::new("conversation-started").as_str(),
            "conversation-started"
        );
        assert!(std::panic::catch_unwind(|| Event::new("Hello world")).is_err());
    }
}
