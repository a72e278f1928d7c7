//! `advance` on a fixed valid flow with any sequence of (step, answer): it
//! must never panic, and every progress it returns must fit the flow.

#![no_main]

use std::sync::LazyLock;

use flow::{Answer, Channel, Contact, Flow, Position, Progress, advance, needs, path, position};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

static FLOW: LazyLock<Flow> = LazyLock::new(|| {
    Flow::parse(include_str!("../example.toml"), flow::NEEDS).expect("the example flow is valid")
});

/// Which step a move answers: mostly real ones, so the fuzzer goes deep.
#[derive(Arbitrary, Debug)]
enum StepPick {
    Current,
    Earlier(u8),
    Any(String),
}

/// Which choice an answer names: mostly one of the step's.
#[derive(Arbitrary, Debug)]
enum ChoicePick {
    Known(u8),
    Any(String),
}

#[derive(Arbitrary, Debug)]
enum Move {
    Continue(StepPick),
    Skipped(StepPick),
    Choice(StepPick, ChoicePick),
    Choices(StepPick, Vec<ChoicePick>),
    Number(StepPick, i64),
    Commune(StepPick, String),
    Text(StepPick, String),
    Contact(StepPick, u8, String, String, bool, String),
}

fuzz_target!(|moves: Vec<Move>| {
    let flow = &*FLOW;
    let mut progress = Progress::default();
    for play in moves {
        let (pick, answer) = decode(flow, &progress, play);
        let step_id = match pick {
            StepPick::Current => match position(flow, &progress) {
                Ok(Position::Ask(step) | Position::Reached(step)) => step.id.clone(),
                Err(_) => String::new(),
            },
            StepPick::Earlier(at) => {
                let on_path = path(flow, &progress);
                if on_path.is_empty() {
                    continue;
                }
                on_path[usize::from(at) % on_path.len()].0.id.clone()
            }
            StepPick::Any(id) => id,
        };
        if let Ok(next) = advance(flow, &progress, &step_id, answer) {
            progress = next;
        }
        assert!(
            position(flow, &progress).is_ok(),
            "{progress:?} does not fit"
        );
        assert_eq!(path(flow, &progress).len(), progress.answers.len());
        let _ = needs(flow, &progress);
    }
});

fn decode(flow: &Flow, progress: &Progress, play: Move) -> (StepPick, Answer) {
    // The choices of the current step, to turn `Known(n)` into a real id.
    let choices: Vec<String> = match position(flow, progress) {
        Ok(Position::Ask(step)) => step.choices().iter().map(|c| c.id.clone()).collect(),
        _ => Vec::new(),
    };
    let choice = |pick: ChoicePick| match pick {
        ChoicePick::Known(at) if !choices.is_empty() => {
            choices[usize::from(at) % choices.len()].clone()
        }
        ChoicePick::Known(at) => at.to_string(),
        ChoicePick::Any(id) => id,
    };
    match play {
        Move::Continue(step) => (step, Answer::Continue),
        Move::Skipped(step) => (step, Answer::Skipped),
        Move::Choice(step, pick) => (step, Answer::Choice(choice(pick))),
        Move::Choices(step, picks) => (
            step,
            Answer::Choices(picks.into_iter().map(choice).collect()),
        ),
        Move::Number(step, number) => (step, Answer::Number(number)),
        Move::Commune(step, code) => (step, Answer::Commune(code)),
        Move::Text(step, text) => (step, Answer::Text(text)),
        Move::Contact(step, channel, value, times, may_leave_message, neutral_name) => {
            let channel = match channel % 4 {
                0 => Channel::Phone,
                1 => Channel::Sms,
                2 => Channel::Email,
                _ => Channel::None,
            };
            let contact = Contact {
                channel,
                value,
                times,
                may_leave_message,
                neutral_name,
            };
            (step, Answer::Contact(contact))
        }
    }
}
