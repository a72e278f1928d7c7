//! The opening-hours reader on any text: it must never panic, and hours it
//! accepts must answer "open now?" at any time without panicking — the
//! orientation asks it of every service it ranks, on every request.

#![no_main]

use jiff::Span;
use jiff::civil::{DateTime, date};
use libfuzzer_sys::fuzz_target;
use relais::directory::hours::{Hours, OpenState};

/// Times to ask at: an ordinary weekday, a public holiday (Christmas), a
/// Sunday night before a week, the night of a daylight-saving change, a
/// 29 February, New Year's midnight and the last minute of a year.
const AT: &[DateTime] = &[
    date(2026, 12, 1).at(10, 0, 0, 0),
    date(2026, 12, 25).at(10, 0, 0, 0),
    date(2026, 12, 6).at(23, 59, 0, 0),
    date(2027, 3, 28).at(2, 30, 0, 0),
    date(2028, 2, 29).at(12, 0, 0, 0),
    date(2027, 1, 1).at(0, 0, 0, 0),
    date(2027, 12, 31).at(23, 59, 0, 0),
];

fuzz_target!(|raw: &str| {
    let Ok(hours) = Hours::parse(raw) else {
        return;
    };
    for &at in AT {
        if let OpenState::OpensAt(next) = hours.state(at) {
            // "Opens at" is a promise about the next two weeks.
            let horizon = at.saturating_add(Span::new().days(14));
            assert!(
                at < next && next <= horizon,
                "{raw:?} at {at}: opens at {next}"
            );
        }
    }
});
