//! Opening hours in OpenStreetMap syntax, evaluated in the local time of the
//! service's commune, with French public holidays (`PH off`).

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use jiff::civil::DateTime;
use opening_hours::localization::Country;
use opening_hours::{Context, ContextHolidays, OpeningHours, RuleKind};

/// How far ahead "opens at" looks.
const HORIZON_DAYS: i64 = 14;

/// Parsed opening hours.
#[derive(Clone, Debug)]
pub struct Hours(OpeningHours);

/// Whether a service is open at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenState {
    /// Open now.
    Open,
    /// Closed now; opens at this local time (within two weeks).
    OpensAt(DateTime),
    /// Closed, and no opening within two weeks.
    Closed,
    /// The hours are not known.
    Unknown,
}

static HOLIDAYS: LazyLock<ContextHolidays> = LazyLock::new(|| Country::FR.holidays());

impl Hours {
    /// Parses opening hours; the error says what is wrong.
    pub fn parse(raw: &str) -> Result<Self, String> {
        // The `opening-hours` parser trips its own debug assertion on a
        // repetition period of exactly 24:00 (`10:00-11:00/24:00`, found
        // by the fuzzer): refuse it first, as it would refuse it anyway.
        let day_period = raw
            .split('/')
            .skip(1)
            .any(|after| after.trim_start().starts_with("24:00"));
        if day_period {
            return Err("une période de répétition doit être plus courte que 24:00".to_owned());
        }
        let hours = raw.parse::<OpeningHours>().map_err(|e| e.to_string())?;
        Ok(Self(hours.with_context(
            Context::default().with_holidays(HOLIDAYS.clone()),
        )))
    }

    /// The state at a local time. Only the next two weeks are looked at:
    /// asked when the state next changes, the library would search until
    /// it does, which for `Mo-Fr 09:00-12:00 off` or `2020 Mo` is years away
    /// or never, seconds of a core for one service in one orientation.
    pub fn state(&self, at: DateTime) -> OpenState {
        let naive = to_chrono(at);
        let horizon = naive + chrono::TimeDelta::days(HORIZON_DAYS);
        let mut intervals = self.0.iter_range(naive, horizon);
        match intervals.next().map(|first| first.kind) {
            Some(RuleKind::Open) => OpenState::Open,
            Some(RuleKind::Unknown) => OpenState::Unknown,
            Some(RuleKind::Closed) => match intervals.find(|i| i.kind != RuleKind::Closed) {
                Some(next) if next.kind == RuleKind::Open => {
                    OpenState::OpensAt(from_chrono(next.range.start))
                }
                _ => OpenState::Closed,
            },
            None => OpenState::Closed,
        }
    }
}

fn to_chrono(at: DateTime) -> NaiveDateTime {
    let date = NaiveDate::from_ymd_opt(
        i32::from(at.year()),
        u32::from(at.month().unsigned_abs()),
        u32::from(at.day().unsigned_abs()),
    )
    .unwrap_or_default();
    let time = NaiveTime::from_hms_opt(
        u32::from(at.hour().unsigned_abs()),
        u32::from(at.minute().unsigned_abs()),
        0,
    )
    .unwrap_or_default();
    NaiveDateTime::new(date, time)
}

fn from_chrono(at: NaiveDateTime) -> DateTime {
    use chrono::{Datelike as _, Timelike as _};
    let narrow = |n: u32| i8::try_from(n).unwrap_or(0);
    jiff::civil::date(
        i16::try_from(at.year()).unwrap_or(9999),
        narrow(at.month()),
        narrow(at.day()),
    )
    .at(narrow(at.hour()), narrow(at.minute()), 0, 0)
}

/// The IANA time zone of a département (overseas ones have their own).
pub fn timezone_of(departement: &str) -> &'static str {
    match departement {
        "971" => "America/Guadeloupe",
        "972" => "America/Martinique",
        "973" => "America/Cayenne",
        "974" => "Indian/Reunion",
        "975" => "America/Miquelon",
        "976" => "Indian/Mayotte",
        "977" => "America/St_Barthelemy",
        "978" => "America/Marigot",
        "984" => "Indian/Kerguelen",
        "986" => "Pacific/Wallis",
        "987" => "Pacific/Tahiti",
        "988" => "Pacific/Noumea",
        "989" => "Pacific/Pitcairn",
        _ => "Europe/Paris",
    }
}

/// The département whose clock counts what belongs to no territory (the
/// national counts): Paris, metropolitan France's time.
pub const METROPOLE: &str = "75";

/// The local time now in a département.
pub fn now_in(departement: &str) -> DateTime {
    let zone = jiff::tz::TimeZone::get(timezone_of(departement)).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(zone).datetime()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn a_repetition_period_of_a_whole_day_is_refused_without_a_panic() {
        // Seed `regression-period-24`: the library's debug assertion fired.
        for raw in ["Mo-Fr 7:30-34:24/24:00", "Mo 10:00-11:00/ 24:00"] {
            assert!(Hours::parse(raw).is_err(), "{raw}");
        }
        assert!(Hours::parse("Mo 10:00-11:00/23:59").is_ok());
    }

    #[test]
    fn a_service_is_open_during_its_hours_and_says_when_it_opens_otherwise() {
        let hours = Hours::parse("Mo-Fr 09:00-12:00,14:00-17:00").unwrap();
        // Tuesday 1 December 2026.
        assert_eq!(
            hours.state(date(2026, 12, 1).at(10, 0, 0, 0)),
            OpenState::Open
        );
        assert_eq!(
            hours.state(date(2026, 12, 1).at(12, 30, 0, 0)),
            OpenState::OpensAt(date(2026, 12, 1).at(14, 0, 0, 0))
        );
        // Saturday evening: next opening on Monday morning.
        assert_eq!(
            hours.state(date(2026, 12, 5).at(21, 0, 0, 0)),
            OpenState::OpensAt(date(2026, 12, 7).at(9, 0, 0, 0))
        );
    }

    #[test]
    fn hours_that_never_change_are_read_within_two_weeks() {
        // Each used to take seconds: the library searched for the next
        // change, years away or never.
        for raw in [
            "Mo-Fr 09:00-12:00 off",
            "22:00-02:00 off",
            "week1-53SH",
            "2020 Mo",
            "off",
        ] {
            let hours = Hours::parse(raw).unwrap();
            assert_eq!(
                hours.state(date(2026, 12, 1).at(10, 0, 0, 0)),
                OpenState::Closed,
                "{raw}"
            );
        }
        let always = Hours::parse("24/7").unwrap();
        assert_eq!(
            always.state(date(2026, 12, 1).at(3, 0, 0, 0)),
            OpenState::Open
        );
        // An opening more than two weeks away is not "bientôt".
        let far = Hours::parse("Jan 05 10:00-12:00").unwrap();
        assert_eq!(
            far.state(date(2026, 12, 1).at(10, 0, 0, 0)),
            OpenState::Closed
        );
        assert_eq!(
            far.state(date(2026, 12, 25).at(10, 0, 0, 0)),
            OpenState::OpensAt(date(2027, 1, 5).at(10, 0, 0, 0))
        );
    }

    #[test]
    fn french_public_holidays_close_a_service_marked_ph_off() {
        let hours = Hours::parse("Mo-Fr 08:30-18:30; PH off").unwrap();
        // Friday 25 December 2026 is Christmas.
        assert_ne!(
            hours.state(date(2026, 12, 25).at(10, 0, 0, 0)),
            OpenState::Open
        );
        assert_eq!(
            hours.state(date(2026, 12, 24).at(10, 0, 0, 0)),
            OpenState::Open
        );
    }

    #[test]
    fn always_open_is_open_at_night() {
        let hours = Hours::parse("24/7").unwrap();
        assert_eq!(
            hours.state(date(2026, 12, 1).at(3, 0, 0, 0)),
            OpenState::Open
        );
    }

    #[test]
    fn overseas_departements_have_their_own_time_zone() {
        assert_eq!(timezone_of("974"), "Indian/Reunion");
        assert_eq!(timezone_of("2A"), "Europe/Paris");
        assert!(jiff::tz::TimeZone::get(timezone_of("973")).is_ok());
    }
}
