//! Helpers shared by the tests: parsing, problems, transcripts.

use std::fmt::Write as _;

use flow::{
    Answer, Channel, Contact, Flow, NEEDS, Position, Problem, Progress, StepKind, advance, path,
    position,
};

/// A small flow with every type of step, also used by the fuzz targets.
pub const EXAMPLE: &str = include_str!("../../fuzz/example.toml");

/// Parses a flow that must be valid, showing its problems otherwise.
pub fn parse(source: &str) -> Flow {
    match Flow::parse(source, NEEDS) {
        Ok(flow) => flow,
        Err(problems) => panic!("the flow should be valid:\n{}", listed(&problems)),
    }
}

/// The problems of a flow that must be refused.
pub fn problems(source: &str) -> Vec<Problem> {
    match Flow::parse(source, NEEDS) {
        Ok(_) => panic!("the flow should be refused"),
        Err(problems) => problems,
    }
}

/// The line and step of each problem, to compare with the expected ones.
pub fn places(problems: &[Problem]) -> Vec<(Option<usize>, Option<&str>)> {
    problems
        .iter()
        .map(|problem| (problem.line, problem.step.as_deref()))
        .collect()
}

/// The problems one a line, as `relais flow check` prints them.
pub fn listed(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts there is exactly one problem, at `line` in `step`, whose
/// message contains `fragment`.
#[track_caller]
pub fn assert_one_problem(source: &str, line: usize, step: Option<&str>, fragment: &str) {
    let problems = problems(source);
    assert_eq!(
        places(&problems),
        [(Some(line), step)],
        "problems:\n{}",
        listed(&problems)
    );
    assert!(
        problems[0].message.contains(fragment),
        "« {} » should contain « {fragment} »",
        problems[0].message
    );
}

/// Answers a progress step by step, panicking on a refusal.
pub fn answered(flow: &Flow, answers: &[(&str, Answer)]) -> Progress {
    answers
        .iter()
        .fold(Progress::default(), |progress, (step, answer)| {
            advance(flow, &progress, step, answer.clone())
                .unwrap_or_else(|error| panic!("{step} refused {answer:?}: {error:?}"))
        })
}

/// Plays compact answers (`"age=34"`) on a flow and tells what happened, so
/// that engine tests read as data.
///
/// An answer is written `step=value`, read according to the step's type:
/// a choice id; choice ids separated by commas for a `multiple`; a number;
/// an INSEE code; a text; `channel:value` for a contact (`none`,
/// `sms:06…`, `phone:06…`, `email:…`). A step alone (`bienvenue`) presses
/// the button; `step=-` skips. Changing an earlier answer is just answering
/// that step again.
///
/// The transcript lists the refused answers first (`refusé age=300 :
/// OutOfRange…`), then the path (`age: 34`), then where it ends:
/// `-> orientation` for a final outcome, `-> ? step` for a step to answer.
pub fn transcript(source: &str, answers: &[&str]) -> String {
    let flow = parse(source);
    let mut progress = Progress::default();
    let mut out = String::new();
    for written in answers {
        let (step_id, value) = written.split_once('=').unwrap_or((written, ""));
        let answer = match flow.step(step_id) {
            Some(step) if written.contains('=') => compact_answer(&step.kind, value),
            _ => Answer::Continue,
        };
        match advance(&flow, &progress, step_id, answer) {
            Ok(next) => progress = next,
            Err(error) => writeln!(out, "refusé {written} : {error:?}").unwrap(),
        }
    }
    for (step, answer) in path(&flow, &progress) {
        writeln!(out, "{}: {}", step.id, shown(answer)).unwrap();
    }
    match position(&flow, &progress).unwrap() {
        Position::Reached(step) => {
            write!(out, "-> {}", step.outcome().unwrap().name()).unwrap();
        }
        Position::Ask(step) => write!(out, "-> ? {}", step.id).unwrap(),
    }
    out
}

fn compact_answer(kind: &StepKind, value: &str) -> Answer {
    if value == "-" {
        return Answer::Skipped;
    }
    match kind {
        StepKind::Choice(_) => Answer::Choice(value.to_owned()),
        StepKind::Multiple(_) => Answer::Choices(
            value
                .split(',')
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        StepKind::Number { .. } => Answer::Number(value.parse().unwrap()),
        StepKind::Commune => Answer::Commune(value.to_owned()),
        StepKind::Text { .. } | StepKind::LongText { .. } => Answer::Text(value.to_owned()),
        StepKind::Contact => {
            let (channel, value) = value.split_once(':').unwrap_or((value, ""));
            let channel = match channel {
                "phone" => Channel::Phone,
                "sms" => Channel::Sms,
                "email" => Channel::Email,
                _ => Channel::None,
            };
            Answer::Contact(Contact {
                channel,
                value: value.to_owned(),
                times: String::new(),
                may_leave_message: false,
                neutral_name: String::new(),
            })
        }
        StepKind::Message | StepKind::Summary | StepKind::Outcome(_) => Answer::Continue,
    }
}

/// An answer as the transcript shows it.
pub fn shown(answer: &Answer) -> String {
    match answer {
        Answer::Continue => "ok".to_owned(),
        Answer::Skipped => "(passée)".to_owned(),
        Answer::Choice(choice) => choice.clone(),
        Answer::Choices(choices) if choices.is_empty() => "(rien)".to_owned(),
        Answer::Choices(choices) => choices.join(","),
        Answer::Number(number) => number.to_string(),
        Answer::Commune(code) => code.clone(),
        Answer::Text(text) => text.clone(),
        Answer::Contact(contact) => match contact.channel {
            Channel::None => "pas de contact".to_owned(),
            Channel::Phone => format!("téléphone {}", contact.value),
            Channel::Sms => format!("sms {}", contact.value),
            Channel::Email => format!("e-mail {}", contact.value),
        },
    }
}
