//! Opening hours in OpenStreetMap syntax, read as the specification says and
//! never more hopefully: a service is "open" only when its hours say so
//! without doubt.
//!
//! Hours are read at the service's [`Place`]: in its département's time zone,
//! with its public holidays (`PH`: national, Alsace-Moselle's, each overseas
//! collectivity's) and school holidays (`SH`, by académie zone), and with its
//! coordinates for sunrise and sunset. Where Relais has no calendar (the
//! school holidays of Corsica and overseas, dates beyond the shipped data) or
//! no coordinates, the state is [`OpenState::Unknown`], never a guess.
//!
//! The `opening-hours` crate reads most of the syntax; three readings of the
//! specification it does not make are applied to the parsed expression
//! before it is evaluated (see [`Hours::parse`]): a comment without `open`
//! makes a rule unknown ("sur rendez-vous"), an open end (`18:00+`) is
//! unknown after its start, as the reference implementation guesses it, and
//! `PH Mo-Fr` (a space, not a comma) is the public holidays that fall on a
//! weekday, not every weekday.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use chrono::{Datelike as _, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use compact_calendar::CompactCalendar;
use jiff::civil::DateTime;
use opening_hours::localization::{Coordinates, Localize, NoLocation};
use opening_hours::{Context, ContextHolidays, OpeningHours, RuleKind};
use opening_hours_syntax::extended_time::ExtendedTime;
use opening_hours_syntax::rules::day::{HolidayKind, WeekDayRange};
use opening_hours_syntax::rules::time::{Time, TimeEvent, TimeSelector, TimeSpan};
use opening_hours_syntax::rules::{OpeningHoursExpression, RuleOperator, RuleSequence};

use crate::directory::communes::Point;

/// How far ahead "opens at" looks.
const HORIZON_DAYS: i64 = 14;

/// Public holidays by zone of `jours-feries-france` (tools/holidays).
const PUBLIC_HOLIDAYS: &str = include_str!("../../data/public-holidays.tsv");

/// School holidays of zones A, B and C (tools/holidays).
const SCHOOL_HOLIDAYS: &str = include_str!("../../data/school-holidays.tsv");

/// The last year any calendar is thought about: a date after the shipped
/// data and before it is "not known", one after it is past caring.
const LAST_YEAR: i32 = 2099;

/// Parsed opening hours.
#[derive(Clone, Debug)]
pub struct Hours {
    expression: OpeningHours,
    /// Rules of the form `PH Mo-Fr`, which need the place's holidays to be
    /// read as the specification says; evaluated through [`Hours::located`].
    holidays_on_weekdays: bool,
    /// A time is sunrise, sunset, dawn or dusk: without coordinates the
    /// state is unknown.
    uses_sun: bool,
}

/// Whether a service is open at a given time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenState {
    /// Open now, without doubt.
    Open,
    /// Closed now; opens without doubt at this local time (within two
    /// weeks).
    OpensAt(DateTime),
    /// Closed now; from this local time (within two weeks) the hours are not
    /// sure: a comment ("sur rendez-vous"), an open end, an `unknown` rule.
    /// Holds the comment, if any.
    UnsureFrom(DateTime, Option<Arc<str>>),
    /// Closed, and neither open nor unsure within two weeks.
    Closed,
    /// The hours do not say for sure: a comment such as « sur rendez-vous »
    /// (which it holds), an open end, an `unknown` rule, a holiday Relais has
    /// no calendar for, sun times without coordinates.
    Unknown(Option<Arc<str>>),
}

/// Where hours are read: a département (time zone, public and school
/// holidays) and a point (sun times).
#[derive(Clone, Debug)]
pub struct Place {
    local: Local,
    holidays: ContextHolidays,
    unknown: ContextHolidays,
}

impl Place {
    /// The place of a service: its commune's département, and its point (its
    /// own, or its commune's).
    pub fn new(departement: &str, point: Option<Point>) -> Self {
        let calendars = &*CALENDARS;
        let (public, public_unknown) = match public_zone(departement) {
            Some(zone) => (
                calendars.public.get(zone).cloned().unwrap_or_default(),
                calendars.after_public.clone(),
            ),
            None => (Arc::default(), calendars.always.clone()),
        };
        let (school, school_unknown) = match school_zone(departement) {
            Some(zone) => (
                calendars.school.get(&zone).cloned().unwrap_or_default(),
                calendars.after_school.clone(),
            ),
            None => (Arc::default(), calendars.always.clone()),
        };
        Self {
            local: Local {
                zone: jiff::tz::TimeZone::get(timezone_of(departement))
                    .unwrap_or(jiff::tz::TimeZone::UTC),
                coordinates: point.and_then(|p| Coordinates::new(p.lat, p.lon)),
            },
            holidays: ContextHolidays::new(public, school),
            unknown: ContextHolidays::new(public_unknown, school_unknown),
        }
    }

    fn context(&self) -> Context<Local> {
        Context::default()
            .with_holidays(self.holidays.clone())
            .with_holidays_unknown(self.unknown.clone())
            .with_locale(self.local.clone())
    }

    /// Whether the public holidays of this place hold `date`; `None` when
    /// Relais has no calendar for it.
    fn is_public_holiday(&self, date: NaiveDate) -> Option<bool> {
        if self.unknown.get_public().contains(date) {
            None
        } else {
            Some(self.holidays.get_public().contains(date))
        }
    }
}

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
        let parsed = raw.parse::<OpeningHours>().map_err(|e| e.to_string())?;
        let original = parsed.get_expression();
        let uses_sun = original.rules.iter().any(|rule| {
            rule.time_selector.spans.iter().any(|span| {
                matches!(span.range.start, Time::Variable(_))
                    || matches!(span.range.end, Time::Variable(_))
            })
        });
        let holidays_on_weekdays = holidays_on_weekdays(raw, &original);
        let explicit = explicitly_open_comments(raw);
        let (read, changed) = as_specified(&original, &explicit);
        let expression = if changed {
            // The crate builds an expression only from text: the rules read
            // as the specification says are written out and parsed again.
            match read.to_string().parse::<OpeningHours>() {
                Ok(again) => again,
                Err(_) => return Ok(Self::doubtful(parsed, uses_sun)),
            }
        } else {
            parsed
        };
        Ok(Self {
            expression,
            holidays_on_weekdays,
            uses_sun,
        })
    }

    /// Hours Relais could not read as the specification says: never open.
    fn doubtful(parsed: OpeningHours, uses_sun: bool) -> Self {
        let mut expression = (*parsed.get_expression()).clone();
        for rule in &mut expression.rules {
            if rule.kind == RuleKind::Open {
                rule.kind = RuleKind::Unknown;
            }
        }
        let expression = expression.to_string().parse().unwrap_or(parsed);
        Self {
            expression,
            holidays_on_weekdays: false,
            uses_sun,
        }
    }

    /// The state at a local time in metropolitan France, without
    /// coordinates (sun times are then unknown).
    pub fn state(&self, at: DateTime) -> OpenState {
        self.state_at(at, &Place::new(METROPOLE, None))
    }

    /// The state at a local time of `place`. Only the next two weeks are
    /// looked at: asked when the state next changes, the library would
    /// search until it does, which for `Mo-Fr 09:00-12:00 off` or `2020 Mo`
    /// is years away or never, seconds of a core for one service in one
    /// orientation.
    pub fn state_at(&self, at: DateTime, place: &Place) -> OpenState {
        if self.uses_sun && place.local.coordinates.is_none() {
            return OpenState::Unknown(None);
        }
        let naive = to_chrono(at);
        let horizon = naive + TimeDelta::days(HORIZON_DAYS);
        let Some(expression) = self.located(place, naive, horizon) else {
            return OpenState::Unknown(None);
        };
        let mut intervals = expression.iter_range(naive, horizon);
        let Some(first) = intervals.next() else {
            return OpenState::Closed;
        };
        match first.kind {
            RuleKind::Open => OpenState::Open,
            RuleKind::Unknown => OpenState::Unknown(note(&first.comment)),
            RuleKind::Closed => match intervals.find(|i| i.kind != RuleKind::Closed) {
                Some(next) if next.kind == RuleKind::Open => {
                    OpenState::OpensAt(from_chrono(next.range.start))
                }
                Some(next) => {
                    OpenState::UnsureFrom(from_chrono(next.range.start), note(&next.comment))
                }
                None => OpenState::Closed,
            },
        }
    }

    /// When the state or its comment next changes after `at` at `place`,
    /// within two weeks.
    pub fn next_change_at(&self, at: DateTime, place: &Place) -> Option<DateTime> {
        if self.uses_sun && place.local.coordinates.is_none() {
            return None;
        }
        let naive = to_chrono(at);
        let horizon = naive + TimeDelta::days(HORIZON_DAYS);
        let expression = self.located(place, naive, horizon)?;
        let mut intervals = expression.iter_range(naive, horizon);
        let first = intervals.next()?;
        intervals
            .find(|i| i.kind != first.kind || i.comment != first.comment)
            .map(|i| from_chrono(i.range.start))
    }

    /// The expression with the place's context; `PH Mo-Fr` rules get the
    /// place's holidays that fall on those weekdays, as dates, from a day
    /// before `from` to `to`. `None` when a holiday in that time is one
    /// Relais has no calendar for.
    fn located(
        &self,
        place: &Place,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Option<OpeningHours<Local>> {
        if !self.holidays_on_weekdays {
            return Some(self.expression.clone().with_context(place.context()));
        }
        let mut expression = (*self.expression.get_expression()).clone();
        let mut rules = Vec::with_capacity(expression.rules.len());
        for mut rule in expression.rules {
            match holiday_dates_on_weekdays(&rule, place, from, to)? {
                None => rules.push(rule),
                // No such holiday in the time looked at: the rule applies
                // to no day, as if it were not written.
                Some(dates) if dates.is_empty() => {}
                Some(dates) => {
                    rule.day_selector.weekday.clear();
                    rule.day_selector.monthday = dates;
                    rules.push(rule);
                }
            }
        }
        expression.rules = rules;
        let parsed = expression.to_string().parse::<OpeningHours>().ok()?;
        Some(parsed.with_context(place.context()))
    }
}

/// A regular opening, for exports that describe hours as weekly or monthly
/// recurrences (Open Referral HSDS schedules, after RFC 5545).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// Monthly when the days are the nth weekdays of the month.
    pub monthly: bool,
    /// RFC 5545 days: `MO`, `TU`…, or for a monthly slot `2WE`, `-1TH`.
    pub days: Vec<String>,
    /// Opening local time, `HH:MM`.
    pub opens: String,
    /// Closing local time, `HH:MM` (`23:59` for midnight; the next day's
    /// time for hours that go past midnight).
    pub closes: String,
}

impl Hours {
    /// The hours as regular weekly or monthly openings, when they are only
    /// that (fixed times on weekdays, whole days off, holidays off); `None`
    /// when they say more than recurrences can (dates, weeks, comments,
    /// open ends, sun times, unknown rules, holiday openings).
    pub fn regular_slots(&self) -> Option<Vec<Slot>> {
        const CODES: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
        type Spans = Vec<(ExtendedTime, ExtendedTime)>;
        let mut weekly: [Spans; 7] = Default::default();
        let mut monthly: Vec<(usize, String, Spans)> = Vec::new();
        for rule in &self.expression.get_expression().rules {
            let days = &rule.day_selector;
            if rule.operator == RuleOperator::Fallback
                || !rule.comment.is_empty()
                || rule.kind == RuleKind::Unknown
                || !days.year.is_empty()
                || !days.monthday.is_empty()
                || !days.week.is_empty()
            {
                return None;
            }
            let holidays = days
                .weekday
                .iter()
                .any(|w| matches!(w, WeekDayRange::Holiday { .. }));
            let whole_day = rule.time_selector.spans == TimeSelector::default().spans;
            if holidays {
                // Holidays off are said in the schedule's description.
                let only_holidays = days
                    .weekday
                    .iter()
                    .all(|w| matches!(w, WeekDayRange::Holiday { offset: 0, .. }));
                if rule.kind == RuleKind::Closed && whole_day && only_holidays {
                    continue;
                }
                return None;
            }
            let mut spans = Vec::new();
            for span in &rule.time_selector.spans {
                let (Time::Fixed(start), Time::Fixed(end)) = (span.range.start, span.range.end)
                else {
                    return None;
                };
                if span.open_end || span.repeats.is_some() {
                    return None;
                }
                spans.push((start, end));
            }
            // Which weekdays, and which of their occurrences in the month.
            let mut targets: Vec<(usize, Option<String>)> = Vec::new();
            if days.weekday.is_empty() {
                targets.extend((0..7).map(|d| (d, None)));
            }
            for range in &days.weekday {
                let WeekDayRange::Fixed {
                    range,
                    offset: 0,
                    nth_from_start,
                    nth_from_end,
                } = range
                else {
                    return None;
                };
                let every = nth_from_start.iter().all(|n| *n) && nth_from_end.iter().all(|n| *n);
                let nth: Vec<String> = if every {
                    Vec::new()
                } else {
                    let from_start = nth_from_start
                        .iter()
                        .enumerate()
                        .filter(|(_, on)| **on)
                        .map(|(i, _)| (i + 1).to_string());
                    let from_end = nth_from_end
                        .iter()
                        .enumerate()
                        .filter(|(_, on)| **on)
                        .map(|(i, _)| format!("-{}", i + 1));
                    from_start.chain(from_end).collect()
                };
                let (start, end) = (
                    range.start().num_days_from_monday() as usize,
                    range.end().num_days_from_monday() as usize,
                );
                let mut day = start;
                loop {
                    if nth.is_empty() {
                        targets.push((day, None));
                    } else {
                        targets.extend(
                            nth.iter()
                                .map(|n| (day, Some(format!("{n}{}", CODES[day])))),
                        );
                    }
                    if day == end {
                        break;
                    }
                    day = (day + 1) % 7;
                }
            }
            for (day, nth) in targets {
                match (nth, rule.kind) {
                    (None, RuleKind::Closed) if whole_day => weekly[day].clear(),
                    (None, RuleKind::Open) if rule.operator == RuleOperator::Additional => {
                        weekly[day].extend(spans.iter().copied());
                    }
                    (None, RuleKind::Open) => weekly[day].clone_from(&spans),
                    (Some(code), RuleKind::Open) => monthly.push((day, code, spans.clone())),
                    _ => return None,
                }
            }
        }
        // A weekday both every week and some weeks: recurrences cannot say
        // which wins.
        if monthly.iter().any(|(day, _, _)| !weekly[*day].is_empty()) {
            return None;
        }
        let time = |t: ExtendedTime| {
            if t == ExtendedTime::MIDNIGHT_24 {
                "23:59".to_owned()
            } else {
                format!("{:02}:{:02}", t.hour() % 24, t.minute())
            }
        };
        let mut slots: Vec<Slot> = Vec::new();
        let mut add =
            |monthly: bool, code: String, (opens, closes): (ExtendedTime, ExtendedTime)| {
                let (opens, closes) = (time(opens), time(closes));
                match slots
                    .iter_mut()
                    .find(|s| s.monthly == monthly && s.opens == opens && s.closes == closes)
                {
                    Some(slot) => slot.days.push(code),
                    None => slots.push(Slot {
                        monthly,
                        days: vec![code],
                        opens,
                        closes,
                    }),
                }
            };
        for (day, spans) in weekly.iter().enumerate() {
            for span in spans {
                add(false, CODES[day].to_owned(), *span);
            }
        }
        for (_, code, spans) in monthly {
            for span in spans {
                add(true, code.clone(), span);
            }
        }
        Some(slots)
    }
}

/// The comment of an interval, if it has one.
fn note(comment: &str) -> Option<Arc<str>> {
    (!comment.is_empty()).then(|| Arc::from(comment))
}

/// The expression read as the specification says, and whether that
/// changed anything: a rule whose comment is not introduced by `open` is
/// unknown; an open end is unknown from its start (or the end of its fixed
/// part) for as long as the reference implementation guesses.
fn as_specified(
    expression: &OpeningHoursExpression,
    explicitly_open: &[String],
) -> (OpeningHoursExpression, bool) {
    let mut changed = false;
    let mut rules = Vec::with_capacity(expression.rules.len());
    for rule in &expression.rules {
        let mut rule = rule.clone();
        if rule.kind == RuleKind::Open
            && !rule.comment.is_empty()
            && !explicitly_open.iter().any(|c| **c == *rule.comment)
        {
            rule.kind = RuleKind::Unknown;
            changed = true;
        }
        if !rule.time_selector.spans.iter().any(|span| span.open_end) {
            rules.push(rule);
            continue;
        }
        changed = true;
        let mut fixed = Vec::new();
        let mut tails = Vec::new();
        for span in &rule.time_selector.spans {
            if !span.open_end {
                fixed.push(span.clone());
                continue;
            }
            let starts_only = span.range.end == Time::Fixed(ExtendedTime::MIDNIGHT_24);
            let from = if starts_only {
                span.range.start
            } else {
                fixed.push(TimeSpan {
                    open_end: false,
                    ..span.clone()
                });
                span.range.end
            };
            if let Some(tail) = open_end_tail(from) {
                tails.push(tail);
            }
        }
        let tail_rule = (!tails.is_empty()).then(|| RuleSequence {
            day_selector: rule.day_selector.clone(),
            time_selector: TimeSelector::new(tails),
            kind: if rule.kind == RuleKind::Closed {
                RuleKind::Closed
            } else {
                RuleKind::Unknown
            },
            operator: RuleOperator::Additional,
            comment: rule.comment.clone(),
        });
        match tail_rule {
            Some(mut tail) if fixed.is_empty() => {
                tail.operator = rule.operator;
                rules.push(tail);
            }
            Some(tail) => {
                rule.time_selector = TimeSelector::new(fixed);
                rules.push(rule);
                rules.push(tail);
            }
            None => {
                rule.time_selector = TimeSelector::new(fixed);
                rules.push(rule);
            }
        }
    }
    (OpeningHoursExpression { rules }, changed)
}

/// The unknown time after an open end from `from`, as the reference
/// implementation guesses the closing time: until midnight, or ten hours
/// from 17:00 on, eight from 22:00 on.
fn open_end_tail(from: Time) -> Option<TimeSpan> {
    let Time::Fixed(from) = from else {
        // After a sun time: until midnight.
        return Some(TimeSpan {
            range: from..Time::Fixed(ExtendedTime::MIDNIGHT_24),
            open_end: false,
            repeats: None,
        });
    };
    let minutes = u16::from(from.hour()) * 60 + u16::from(from.minute());
    let to = if minutes >= 22 * 60 {
        minutes + 8 * 60
    } else if minutes >= 17 * 60 {
        minutes + 10 * 60
    } else {
        24 * 60
    };
    let to = ExtendedTime::new(u8::try_from(to / 60).ok()?, u8::try_from(to % 60).ok()?)?;
    (to > from).then(|| TimeSpan::fixed_range(from, to))
}

/// The comments written right after the `open` modifier: those rules are
/// open, with a comment (`Mo-Fr 09:00-17:00 open "sur rendez-vous"`).
fn explicitly_open_comments(raw: &str) -> Vec<String> {
    let mut explicit = Vec::new();
    let mut word = String::new();
    let mut last_word = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            let comment: String = chars.by_ref().take_while(|c| *c != '"').collect();
            if last_word.eq_ignore_ascii_case("open") && word.is_empty() {
                explicit.push(comment);
            }
            last_word.clear();
            word.clear();
        } else if c.is_alphanumeric() {
            word.push(c);
        } else {
            if !word.is_empty() {
                last_word = std::mem::take(&mut word);
            }
            if !c.is_whitespace() {
                last_word.clear();
            }
        }
    }
    explicit
}

/// Whether a rule says holidays and weekdays separated by a space (`PH
/// Mo-Fr`): the holidays that fall on those weekdays. The parser reads it
/// as a comma (either), so the raw text tells.
fn holidays_on_weekdays(raw: &str, expression: &OpeningHoursExpression) -> bool {
    let mixed = expression.rules.iter().any(|rule| {
        let weekday = &rule.day_selector.weekday;
        weekday
            .iter()
            .any(|w| matches!(w, WeekDayRange::Holiday { .. }))
            && weekday
                .iter()
                .any(|w| matches!(w, WeekDayRange::Fixed { .. }))
    });
    if !mixed {
        return false;
    }
    let outside_comments: String = raw.split('"').step_by(2).collect::<Vec<_>>().join(" ");
    let words: Vec<&str> = outside_comments
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let holiday = |w: &str| {
        let w = w.trim_matches(',');
        w.eq_ignore_ascii_case("PH") || w.eq_ignore_ascii_case("SH")
    };
    let weekday = |w: &str| {
        ["mo", "tu", "we", "th", "fr", "sa", "su"]
            .iter()
            .any(|d| w.to_ascii_lowercase().starts_with(d))
    };
    words.windows(2).any(|pair| {
        (holiday(pair[0]) && !pair[0].ends_with(',') && weekday(pair[1]))
            || (weekday(pair[0]) && !pair[0].ends_with(',') && holiday(pair[1]))
    })
}

/// For a rule `PH Mo-Fr …`: the dates from a day before `from` to `to` that
/// are holidays of the place and fall on those weekdays, as monthday
/// ranges. `Some(None)` when the rule is not of that form; `None` when a
/// holiday in that time is unknown.
fn holiday_dates_on_weekdays(
    rule: &RuleSequence,
    place: &Place,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Option<Option<Vec<opening_hours_syntax::rules::day::MonthdayRange>>> {
    use opening_hours_syntax::rules::day::{Date, Month, MonthdayRange, Year};
    let weekday = &rule.day_selector.weekday;
    let kinds: Vec<HolidayKind> = weekday
        .iter()
        .filter_map(|w| match w {
            WeekDayRange::Holiday { kind, offset: 0 } => Some(*kind),
            _ => None,
        })
        .collect();
    let days: Vec<&WeekDayRange> = weekday
        .iter()
        .filter(|w| matches!(w, WeekDayRange::Fixed { .. }))
        .collect();
    if kinds.is_empty() || days.is_empty() || kinds.len() + days.len() != weekday.len() {
        return Some(None);
    }
    let mut dates = Vec::new();
    let mut date = from.date() - TimeDelta::days(1);
    while date <= to.date() {
        let holiday = kinds.iter().try_fold(false, |any, kind| {
            let is = match kind {
                HolidayKind::Public => place.is_public_holiday(date)?,
                HolidayKind::School => {
                    if place.unknown.get_school().contains(date) {
                        return None;
                    }
                    place.holidays.get_school().contains(date)
                }
            };
            Some(any || is)
        })?;
        let on_weekday = days.iter().any(|range| match range {
            WeekDayRange::Fixed { range, .. } => {
                let day = date.weekday().num_days_from_monday();
                let (start, end) = (
                    range.start().num_days_from_monday(),
                    range.end().num_days_from_monday(),
                );
                if start <= end {
                    (start..=end).contains(&day)
                } else {
                    day >= start || day <= end
                }
            }
            WeekDayRange::Holiday { .. } => false,
        });
        if holiday && on_weekday {
            let fixed = Date::ymd(
                u8::try_from(date.day()).ok()?,
                Month::try_from(date.month()).ok()?,
                Year(date.year()),
            );
            dates.push(MonthdayRange::Date {
                start: (fixed, Default::default()),
                end: (fixed, Default::default()),
            });
        }
        date = date.succ_opt()?;
    }
    Some(Some(dates))
}

/// The time zone and coordinates of a place, for the library: local times
/// are naive (the place's own clock), sun times are computed at the point
/// and told in the place's time zone.
#[derive(Clone, Debug)]
struct Local {
    zone: jiff::tz::TimeZone,
    coordinates: Option<Coordinates>,
}

impl Localize for Local {
    type DateTime = NaiveDateTime;

    fn naive(&self, dt: NaiveDateTime) -> NaiveDateTime {
        dt
    }

    fn datetime(&self, naive: NaiveDateTime) -> NaiveDateTime {
        naive
    }

    fn event_time(&self, date: NaiveDate, event: TimeEvent) -> Option<NaiveTime> {
        let Some(coordinates) = self.coordinates else {
            // Never reached for an answer: hours with sun times and no
            // coordinates are unknown (see `Hours::state_at`).
            return NoLocation.event_time(date, event);
        };
        let utc = coordinates.event_time(date, event)?;
        let local = jiff::Timestamp::from_second(utc.timestamp())
            .ok()?
            .to_zoned(self.zone.clone())
            .datetime();
        NaiveTime::from_hms_opt(
            u32::from(local.hour().unsigned_abs()),
            u32::from(local.minute().unsigned_abs()),
            0,
        )
    }
}

/// The holiday calendars Relais ships, read once.
struct Calendars {
    /// Public holidays by zone of `jours-feries-france`.
    public: HashMap<String, Arc<CompactCalendar>>,
    /// School holidays by zone (`A`, `B`, `C`).
    school: HashMap<char, Arc<CompactCalendar>>,
    /// Every day after the last year of public holidays.
    after_public: Arc<CompactCalendar>,
    /// Every day after the last school holiday known (the end of the last
    /// summer holidays in the data).
    after_school: Arc<CompactCalendar>,
    /// Every day: for places Relais has no calendar for.
    always: Arc<CompactCalendar>,
}

static CALENDARS: LazyLock<Calendars> = LazyLock::new(|| {
    let rows = |text: &'static str| {
        text.lines()
            .filter(|line| !line.starts_with('#'))
            .skip(1)
            .map(|line| line.split('\t').collect::<Vec<_>>())
    };
    let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    let mut public: HashMap<String, CompactCalendar> = HashMap::new();
    let mut last_public = NaiveDate::MIN;
    for row in rows(PUBLIC_HOLIDAYS) {
        if let (Some(zone), Some(day)) = (row.first(), row.get(1).and_then(|d| date(d))) {
            public.entry((*zone).to_owned()).or_default().insert(day);
            last_public = last_public.max(day);
        }
    }
    let mut school: HashMap<char, CompactCalendar> = HashMap::new();
    let mut last_school = NaiveDate::MIN;
    for row in rows(SCHOOL_HOLIDAYS) {
        let zone = row.first().and_then(|z| z.chars().next());
        let first = row.get(1).and_then(|d| date(d));
        let last = row.get(2).and_then(|d| date(d));
        if let (Some(zone), Some(first), Some(last)) = (zone, first, last) {
            let calendar = school.entry(zone).or_default();
            for day in first.iter_days().take_while(|day| *day <= last) {
                calendar.insert(day);
            }
            last_school = last_school.max(last);
        }
    }
    let end = NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).unwrap_or(NaiveDate::MAX);
    let every_day = |from: NaiveDate| {
        let mut calendar = CompactCalendar::default();
        for day in from.iter_days().take_while(|day| *day <= end) {
            calendar.insert(day);
        }
        Arc::new(calendar)
    };
    // The last year of public holidays is whole; school holidays are known
    // up to the end of the last summer holidays in the data.
    let after_public = NaiveDate::from_ymd_opt(last_public.year() + 1, 1, 1).unwrap_or(end);
    let after_school = last_school.succ_opt().unwrap_or(end);
    let first_known = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(end);
    Calendars {
        public: public.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
        school: school.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
        after_public: every_day(after_public),
        after_school: every_day(after_school),
        always: every_day(first_known),
    }
});

/// The zone of `jours-feries-france` whose public holidays a département
/// keeps; `None` where Relais has no calendar (TAAF, Clipperton).
fn public_zone(departement: &str) -> Option<&'static str> {
    Some(match departement {
        "57" | "67" | "68" => "Alsace-Moselle",
        "971" => "Guadeloupe",
        "972" => "Martinique",
        "973" => "Guyane",
        "974" => "La Réunion",
        "975" => "Saint-Pierre-et-Miquelon",
        "976" => "Mayotte",
        "977" => "Saint-Barthélémy",
        "978" => "Saint-Martin",
        "986" => "Wallis-et-Futuna",
        "987" => "Polynésie Française",
        "988" => "Nouvelle-Calédonie",
        "984" | "989" => return None,
        _ => "Métropole",
    })
}

/// The school-holiday zone (A, B, C) of a metropolitan département, by its
/// académie (zones since 2016); `None` for Corsica and overseas, whose
/// académies have their own calendars, which Relais does not ship.
pub fn school_zone(departement: &str) -> Option<char> {
    const A: &[&str] = &[
        // Besançon, Bordeaux, Clermont-Ferrand, Dijon, Grenoble, Limoges,
        // Lyon, Poitiers.
        "25", "39", "70", "90", "24", "33", "40", "47", "64", "03", "15", "43", "63", "21", "58",
        "71", "89", "07", "26", "38", "73", "74", "19", "23", "87", "01", "42", "69", "16", "17",
        "79", "86",
    ];
    const B: &[&str] = &[
        // Aix-Marseille, Amiens, Lille, Nancy-Metz, Nantes, Nice, Normandie,
        // Orléans-Tours, Reims, Rennes, Strasbourg.
        "04", "05", "13", "84", "02", "60", "80", "59", "62", "54", "55", "57", "88", "44", "49",
        "53", "72", "85", "06", "83", "14", "27", "50", "61", "76", "18", "28", "36", "37", "41",
        "45", "08", "10", "51", "52", "22", "29", "35", "56", "67", "68",
    ];
    const C: &[&str] = &[
        // Créteil, Montpellier, Paris, Toulouse, Versailles.
        "77", "93", "94", "11", "30", "34", "48", "66", "75", "09", "12", "31", "32", "46", "65",
        "81", "82", "78", "91", "92", "95",
    ];
    if A.contains(&departement) {
        Some('A')
    } else if B.contains(&departement) {
        Some('B')
    } else if C.contains(&departement) {
        Some('C')
    } else {
        None
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
    use chrono::Timelike as _;
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

/// A value the specification refuses but that is common in the wild
/// (`Mon-Fri`, `lundi-vendredi`, an en dash, `9-17`, `9h30`, a trailing
/// `;`), corrected; `None` when no correction Relais knows of gives hours
/// that parse, or when the value needs none. Comments are left as written.
pub fn corrected(raw: &str) -> Option<String> {
    let mut fixed = String::with_capacity(raw.len());
    for (index, part) in raw.split('"').enumerate() {
        if index > 0 {
            fixed.push('"');
        }
        if index % 2 == 1 {
            fixed.push_str(part);
        } else {
            fixed.push_str(&times(&words(&part.replace(['–', '—', '‑', '−'], "-"))));
        }
    }
    let fixed = fixed
        .trim_matches(|c: char| c == ';' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (fixed != raw && Hours::parse(&fixed).is_ok()).then_some(fixed)
}

/// Day names in English or French, and a few French words, as the
/// specification writes them.
fn words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_alphabetic() {
            out.push(c);
            continue;
        }
        let mut word = String::from(c);
        while let Some(next) = chars.next_if(|c| c.is_alphabetic()) {
            word.push(next);
        }
        let code = match word.to_lowercase().as_str() {
            "monday" | "mon" | "lundi" | "lun" => "Mo",
            "tuesday" | "tue" | "tues" | "mardi" => "Tu",
            "wednesday" | "wed" | "mercredi" | "mer" => "We",
            "thursday" | "thu" | "thur" | "thurs" | "jeudi" | "jeu" => "Th",
            "friday" | "fri" | "vendredi" | "ven" => "Fr",
            "saturday" | "sat" | "samedi" | "sam" => "Sa",
            "sunday" | "sun" | "dimanche" | "dim" => "Su",
            "au" | "à" | "a" | "to" => "-",
            "et" | "and" => ",",
            "fermé" | "ferme" => "off",
            _ => "",
        };
        if code.is_empty() {
            out.push_str(&word);
        } else {
            out.push_str(code);
            // `lun.`, `mar.`: the abbreviation's full stop goes too.
            chars.next_if_eq(&'.');
        }
    }
    // `Mo - Fr`, `Mo , Tu`: the separators words became stand alone.
    out.replace(" - ", "-").replace(" , ", ",")
}

/// Times written `9`, `9h`, `9h30`, `9:30` or `09h00`, as `09:00`: an hour
/// with `h` or `:` anywhere, a bare number only as either end of a range
/// (`9-17`) right after days, a rule's start or a comma.
fn times(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    // A time was just written, then `-`: what follows ends a time range.
    let mut range_end = false;
    while i < chars.len() {
        let c = chars[i];
        let after_range = range_end && c.is_ascii_digit() && i > 0 && chars[i - 1] == '-';
        if c != '-' {
            range_end = false;
        }
        let starts_number = c.is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || "[/:-+".contains(chars[i - 1])));
        let read = if starts_number || (after_range && c.is_ascii_digit()) {
            read_time(&chars, i)
        } else {
            None
        };
        let Some((time, end, marked)) = read else {
            out.push(c);
            i += 1;
            continue;
        };
        let before: String = out.trim_end().chars().rev().take(2).collect();
        let after_days = before.is_empty()
            || before.starts_with([';', ','])
            || ["oM", "uT", "eW", "hT", "rF", "aS", "uS", "HP", "HS"].contains(&before.as_str());
        let next_is_range = chars.get(end) == Some(&'-')
            && chars.get(end + 1).is_some_and(char::is_ascii_digit)
            && read_time(&chars, end + 1).is_some();
        if marked || after_range || (after_days && next_is_range) {
            out.push_str(&time);
            range_end = !after_range && chars.get(end) == Some(&'-');
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    out
}

/// A time at `at`: `H`, `HH`, optionally followed by `h`, `h MM`, `:MM`.
/// Returns it as `HH:MM`, where it ends, and whether `h` or `:` marked it.
fn read_time(chars: &[char], at: usize) -> Option<(String, usize, bool)> {
    let digits = |from: usize| {
        chars[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let hour_len = digits(at);
    if !(1..=2).contains(&hour_len) {
        return None;
    }
    let hour: u32 = chars[at..at + hour_len]
        .iter()
        .collect::<String>()
        .parse()
        .ok()?;
    let mut end = at + hour_len;
    let mut minute = 0;
    let mut marked = false;
    if matches!(chars.get(end), Some('h' | 'H' | ':')) {
        let separator = chars[end];
        let minutes_len = digits(end + 1);
        if minutes_len == 2 {
            minute = chars[end + 1..end + 3]
                .iter()
                .collect::<String>()
                .parse()
                .ok()?;
            end += 3;
            marked = true;
        } else if separator != ':' && minutes_len == 0 {
            end += 1;
            marked = true;
        } else {
            return None;
        }
    }
    if chars.get(end).is_some_and(|c| c.is_alphanumeric()) || hour > 48 || minute > 59 {
        return None;
    }
    Some((format!("{hour:02}:{minute:02}"), end, marked))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    /// Montreuil-sur-Mer (Pas-de-Calais, school zone B).
    fn montreuil() -> Place {
        Place::new(
            "62",
            Some(Point {
                lat: 50.4637,
                lon: 1.7635,
            }),
        )
    }

    fn state(raw: &str, at: DateTime, place: &Place) -> OpenState {
        Hours::parse(raw).unwrap().state_at(at, place)
    }

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
        let place = montreuil();
        // Tuesday 1 December 2026.
        assert_eq!(
            hours.state_at(date(2026, 12, 1).at(10, 0, 0, 0), &place),
            OpenState::Open
        );
        assert_eq!(
            hours.state_at(date(2026, 12, 1).at(12, 30, 0, 0), &place),
            OpenState::OpensAt(date(2026, 12, 1).at(14, 0, 0, 0))
        );
        // Saturday evening: next opening on Monday morning.
        assert_eq!(
            hours.state_at(date(2026, 12, 5).at(21, 0, 0, 0), &place),
            OpenState::OpensAt(date(2026, 12, 7).at(9, 0, 0, 0))
        );
    }

    #[test]
    fn hours_that_never_change_are_read_within_two_weeks() {
        // Each used to take seconds: the library searched for the next
        // change, years away or never.
        let place = montreuil();
        for raw in ["Mo-Fr 09:00-12:00 off", "22:00-02:00 off", "2020 Mo", "off"] {
            assert_eq!(
                state(raw, date(2026, 12, 1).at(10, 0, 0, 0), &place),
                OpenState::Closed,
                "{raw}"
            );
        }
        assert_eq!(
            state("24/7", date(2026, 12, 1).at(3, 0, 0, 0), &place),
            OpenState::Open
        );
        // An opening more than two weeks away is not "bientôt".
        let far = Hours::parse("Jan 05 10:00-12:00").unwrap();
        assert_eq!(
            far.state_at(date(2026, 12, 1).at(10, 0, 0, 0), &place),
            OpenState::Closed
        );
        assert_eq!(
            far.state_at(date(2026, 12, 25).at(10, 0, 0, 0), &place),
            OpenState::OpensAt(date(2027, 1, 5).at(10, 0, 0, 0))
        );
    }

    #[test]
    fn a_comment_without_open_makes_the_hours_unsure_and_is_told() {
        let place = montreuil();
        let tuesday = date(2026, 12, 1).at(10, 0, 0, 0);
        assert_eq!(
            state(r#"Mo-Fr 09:00-17:00 "sur rendez-vous""#, tuesday, &place),
            OpenState::Unknown(Some("sur rendez-vous".into()))
        );
        // Saturday: closed, and unsure from Monday.
        assert_eq!(
            state(
                r#"Mo-Fr 09:00-17:00 "sur rendez-vous""#,
                date(2026, 12, 5).at(10, 0, 0, 0),
                &place
            ),
            OpenState::UnsureFrom(
                date(2026, 12, 7).at(9, 0, 0, 0),
                Some("sur rendez-vous".into())
            )
        );
        // `open` before the comment: open, the comment is a detail.
        assert_eq!(
            state(
                r#"Mo-Fr 09:00-17:00 open "sur rendez-vous""#,
                tuesday,
                &place
            ),
            OpenState::Open
        );
        assert_eq!(
            state("Mo-Fr 09:00-17:00 unknown", tuesday, &place),
            OpenState::Unknown(None)
        );
    }

    #[test]
    fn an_open_end_and_a_fallback_comment_are_never_open() {
        let place = montreuil();
        let at = |h| date(2026, 12, 1).at(h, 0, 0, 0);
        assert_eq!(
            state("Mo-Fr 10:00+", at(11), &place),
            OpenState::Unknown(None)
        );
        assert_eq!(
            state("Mo-Fr 10:00+", at(8), &place),
            OpenState::UnsureFrom(at(10), None)
        );
        // A fixed part, then unknown until the guessed closing time.
        let hours = Hours::parse("Mo-Fr 09:00-14:00+").unwrap();
        assert_eq!(hours.state_at(at(10), &place), OpenState::Open);
        assert_eq!(hours.state_at(at(15), &place), OpenState::Unknown(None));
        // From 17:00, the reference implementation guesses ten hours.
        let night = Hours::parse("Mo-Fr 18:00+").unwrap();
        assert_eq!(
            night.state_at(date(2026, 12, 2).at(3, 0, 0, 0), &place),
            OpenState::Unknown(None)
        );
        assert!(matches!(
            night.state_at(date(2026, 12, 2).at(5, 0, 0, 0), &place),
            OpenState::UnsureFrom(..)
        ));
        let saturday = date(2026, 12, 5).at(11, 0, 0, 0);
        assert_eq!(
            state(r#"Mo-Fr 09:00-17:00 || "sur appel""#, saturday, &place),
            OpenState::Unknown(Some("sur appel".into()))
        );
        assert_ne!(
            state("Mo-Fr 09:00-17:00 || closed", saturday, &place),
            OpenState::Open
        );
    }

    #[test]
    fn public_holidays_on_weekdays_are_not_every_weekday() {
        let place = montreuil();
        let hours = Hours::parse("PH Mo-Fr 10:00-12:00").unwrap();
        // An ordinary Tuesday: closed (no holiday within two weeks); the
        // Sunday before Christmas, a Friday: opens then.
        assert_eq!(
            hours.state_at(date(2026, 12, 1).at(11, 0, 0, 0), &place),
            OpenState::Closed
        );
        assert_eq!(
            hours.state_at(date(2026, 12, 20).at(11, 0, 0, 0), &place),
            OpenState::OpensAt(date(2026, 12, 25).at(10, 0, 0, 0))
        );
        assert_eq!(
            hours.state_at(date(2026, 12, 25).at(11, 0, 0, 0), &place),
            OpenState::Open
        );
        // A comma is either: every weekday and the holidays.
        assert_eq!(
            state(
                "PH,Mo-Fr 10:00-12:00",
                date(2026, 12, 1).at(11, 0, 0, 0),
                &place
            ),
            OpenState::Open
        );
    }

    #[test]
    fn each_place_keeps_its_own_public_holidays() {
        let hours = Hours::parse("Mo-Fr 08:30-18:30; PH off").unwrap();
        let strasbourg = Place::new("67", None);
        let montreuil = montreuil();
        // Christmas closes everywhere; Thursday 24 is an ordinary day.
        let christmas = date(2026, 12, 25).at(10, 0, 0, 0);
        assert_ne!(hours.state_at(christmas, &montreuil), OpenState::Open);
        assert_eq!(
            hours.state_at(date(2026, 12, 24).at(10, 0, 0, 0), &montreuil),
            OpenState::Open
        );
        // Good Friday (3 April 2026) and 26 December (a Monday in 2022)
        // are holidays in Alsace-Moselle only.
        for day in [date(2026, 4, 3), date(2022, 12, 26)] {
            let at = day.at(10, 0, 0, 0);
            assert_ne!(hours.state_at(at, &strasbourg), OpenState::Open, "{day}");
            assert_eq!(hours.state_at(at, &montreuil), OpenState::Open, "{day}");
        }
        // 20 December, abolition of slavery, in La Réunion (a Monday in 2027).
        let reunion = Place::new("974", None);
        let at = date(2027, 12, 20).at(10, 0, 0, 0);
        assert_ne!(hours.state_at(at, &reunion), OpenState::Open);
        assert_eq!(hours.state_at(at, &montreuil), OpenState::Open);
    }

    #[test]
    fn school_holidays_follow_the_zone_and_are_unknown_where_relais_has_no_calendar() {
        let hours = Hours::parse("Mo-Fr 09:00-17:00; SH off").unwrap();
        let christmas_holidays = date(2026, 12, 22).at(10, 0, 0, 0);
        let school_day = date(2026, 12, 1).at(10, 0, 0, 0);
        let montreuil = montreuil();
        assert_ne!(
            hours.state_at(christmas_holidays, &montreuil),
            OpenState::Open
        );
        assert_eq!(hours.state_at(school_day, &montreuil), OpenState::Open);
        // Spring holidays differ: zone B from 11 April 2026, zone C (Paris)
        // from 18 April.
        let spring = date(2026, 4, 14).at(10, 0, 0, 0);
        assert_ne!(hours.state_at(spring, &montreuil), OpenState::Open);
        assert_eq!(
            hours.state_at(spring, &Place::new("75", None)),
            OpenState::Open
        );
        // Corsica's académie has its own calendar, which Relais does not
        // ship; nor does it know the holidays after the data's last summer.
        assert_eq!(
            hours.state_at(school_day, &Place::new("2A", None)),
            OpenState::Unknown(None)
        );
        assert_eq!(
            hours.state_at(date(2030, 12, 3).at(10, 0, 0, 0), &montreuil),
            OpenState::Unknown(None)
        );
        // Hours that do not mention school holidays do not care.
        assert_eq!(
            state("Mo-Fr 09:00-17:00", school_day, &Place::new("2A", None)),
            OpenState::Open
        );
    }

    #[test]
    fn sun_times_are_those_of_the_place() {
        // On 1 December 2026 the sun sets at Montreuil-sur-Mer at 16:52.
        let hours = Hours::parse("sunrise-sunset").unwrap();
        let montreuil = montreuil();
        assert_eq!(
            hours.state_at(date(2026, 12, 1).at(16, 30, 0, 0), &montreuil),
            OpenState::Open
        );
        assert!(matches!(
            hours.state_at(date(2026, 12, 1).at(17, 30, 0, 0), &montreuil),
            OpenState::OpensAt(at) if at.date() == date(2026, 12, 2) && at.hour() == 8
        ));
        // Without coordinates, sun times are not guessed.
        assert_eq!(
            hours.state_at(date(2026, 12, 1).at(12, 0, 0, 0), &Place::new("62", None)),
            OpenState::Unknown(None)
        );
    }

    #[test]
    fn always_open_is_open_at_night() {
        assert_eq!(
            state("24/7", date(2026, 12, 1).at(3, 0, 0, 0), &montreuil()),
            OpenState::Open
        );
    }

    #[test]
    fn common_mistakes_get_a_correction_that_parses() {
        for (raw, fixed) in [
            ("Mon-Fri 09:00-17:00", "Mo-Fr 09:00-17:00"),
            ("lundi-vendredi 9h-12h", "Mo-Fr 09:00-12:00"),
            ("Mo-Fr 09:00–17:00", "Mo-Fr 09:00-17:00"),
            ("Mo-Fr 9-17", "Mo-Fr 09:00-17:00"),
            ("Mo-Fr 09:00-17:00;", "Mo-Fr 09:00-17:00"),
            (
                "lun. au ven. 9h30-12h et 14h-17h",
                "Mo-Fr 09:30-12:00,14:00-17:00",
            ),
            (
                "Mo-Fr 9:00-17:00; Sa 9-12",
                "Mo-Fr 09:00-17:00; Sa 09:00-12:00",
            ),
            (
                r#"Tue 14:00-16:00 "lundi–vendredi""#,
                r#"Tu 14:00-16:00 "lundi–vendredi""#,
            ),
        ] {
            assert_eq!(corrected(raw).as_deref(), Some(fixed), "{raw}");
        }
        // Numbers that are not times stay as they are.
        assert_eq!(corrected("week 1-20 Mo 09:00-12:00"), None);
        assert_eq!(corrected("Dec 24-26 off"), None);
        assert_eq!(corrected("n'importe quoi"), None);
    }

    #[test]
    fn overseas_departements_have_their_own_time_zone() {
        assert_eq!(timezone_of("974"), "Indian/Reunion");
        assert_eq!(timezone_of("2A"), "Europe/Paris");
        assert!(jiff::tz::TimeZone::get(timezone_of("973")).is_ok());
    }
}
