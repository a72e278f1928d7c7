//! Stepping through a flow: where a conversation stands, answering a step,
//! changing an earlier answer.
//!
//! A conversation is only its `Progress`, the answers along its path; the
//! engine keeps no state. Every function replays the answers from the start,
//! so a progress that does not fit the flow (another version, a forged
//! token) is noticed, and the engine never hands back a progress that does
//! not fit.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::answer::accept;
use crate::model::{Flow, Role, Step, StepKind};

/// The person's answers along her path, in order.
///
/// Serialised with short names: the web side seals it in a token that
/// travels in every request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Each answer with the id of the step it answers.
    #[serde(rename = "a")]
    pub answers: Vec<(String, Answer)>,
}

/// An answer to one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// A message, a summary, or the button of an emergency outcome.
    #[serde(rename = "k")]
    Continue,
    /// An optional step skipped.
    #[serde(rename = "s")]
    Skipped,
    /// The id of the chosen answer.
    #[serde(rename = "c")]
    Choice(String),
    /// The ids of the ticked answers (possibly none when optional).
    #[serde(rename = "m")]
    Choices(Vec<String>),
    /// A whole number.
    #[serde(rename = "n")]
    Number(i64),
    /// An INSEE code, resolved and checked by the caller; the engine checks
    /// only its shape: 5 ASCII letters or digits.
    #[serde(rename = "i")]
    Commune(String),
    /// A `text` or `long_text` answer, trimmed by the engine.
    #[serde(rename = "t")]
    Text(String),
    /// How she may be contacted safely.
    #[serde(rename = "p")]
    Contact(Contact),
}

/// How a person may be contacted safely.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Telephone, SMS, e-mail, or not at all.
    #[serde(rename = "c")]
    pub channel: Channel,
    /// The phone number (phone, SMS) or e-mail address; empty for none.
    #[serde(rename = "v")]
    pub value: String,
    /// Safe times, free text, at most 200 characters.
    #[serde(rename = "t")]
    pub times: String,
    /// Whether a message may be left.
    #[serde(rename = "m")]
    pub may_leave_message: bool,
    /// The name a professional introduces themselves with, at most 60
    /// characters; may be empty.
    #[serde(rename = "n")]
    pub neutral_name: String,
}

/// How a person may be contacted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    #[serde(rename = "p")]
    Phone,
    #[serde(rename = "s")]
    Sms,
    #[serde(rename = "e")]
    Email,
    #[serde(rename = "n")]
    None,
}

/// Where a conversation stands.
#[derive(Clone, Copy, Debug)]
pub enum Position<'a> {
    /// A step to answer: every step but a final outcome, including an
    /// emergency outcome (it has a button and a next).
    Ask(&'a Step),
    /// A final outcome: youth, orientation or leave.
    Reached(&'a Step),
}

impl<'a> Position<'a> {
    /// The step, whichever the position.
    pub fn step(&self) -> &'a Step {
        match self {
            Position::Ask(step) | Position::Reached(step) => step,
        }
    }
}

/// Why an answer is refused. The web side turns each into a calm message
/// next to the field.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AnswerError {
    /// The step is neither the current one nor earlier on the path (or the
    /// progress itself does not fit the flow: `position` tells why).
    #[error("the step is neither the current step nor earlier on the path")]
    NotOnPath,
    /// An empty answer to a step that is not optional.
    #[error("the step is not optional and the answer is empty")]
    Required,
    #[error("the step has no choice `{0}`")]
    UnknownChoice(String),
    #[error("the number is not between {min} and {max}")]
    OutOfRange { min: i64, max: i64 },
    #[error("the text is longer than {max} characters")]
    TooLong { max: usize },
    #[error("a commune is answered with its INSEE code: 5 ASCII letters or digits")]
    BadCommune,
    #[error("a phone, SMS or e-mail contact needs a number or an address")]
    ContactValueMissing,
    #[error("the phone number is not 10 digits starting with 0, nor + and 8 to 15 digits")]
    ContactPhone,
    #[error("the e-mail address is not of the form name@domain.tld")]
    ContactEmail,
    #[error("the contact's {field} is longer than {max} characters")]
    ContactTooLong { field: &'static str, max: usize },
    /// The kind of answer does not fit the step, e.g. a number for a choice.
    #[error("this kind of answer does not fit the step")]
    WrongKind,
    /// The conversation already reached a final outcome.
    #[error("the conversation already reached a final outcome")]
    Finished,
}

/// Why a progress does not fit a flow.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProgressError {
    /// The answer recorded for `step` does not fit: the step is not the one
    /// the path reaches there, is unknown, comes after a final outcome, or
    /// the answer itself is not one the step accepts.
    #[error("the progress does not fit the flow at step `{step}`")]
    Mismatch { step: String },
}

/// Replays the answers from the start and tells where the conversation
/// stands; an error when they do not fit the flow (e.g. a token from
/// another version of it).
pub fn position<'a>(flow: &'a Flow, progress: &Progress) -> Result<Position<'a>, ProgressError> {
    let replay = Replay::of(flow, &progress.answers);
    if let Some(step) = replay.mismatch {
        return Err(ProgressError::Mismatch { step });
    }
    let step = &flow.steps[replay.current];
    Ok(if step.is_final() {
        Position::Reached(step)
    } else {
        Position::Ask(step)
    })
}

/// Answers `step_id` and returns the new progress.
///
/// `step_id` is the current step, or an earlier step on the path. Changing
/// an earlier answer keeps the answers of the steps still on the new path
/// and drops the others: the path is replayed from the changed step, and
/// stops at the first step that has no kept answer. Each kept answer is used
/// once, so a loop in the flow cannot make the replay loop.
///
/// Pure, and never panics on any input.
pub fn advance(
    flow: &Flow,
    progress: &Progress,
    step_id: &str,
    answer: Answer,
) -> Result<Progress, AnswerError> {
    let replay = Replay::of(flow, &progress.answers);
    if replay.mismatch.is_some() {
        return Err(AnswerError::NotOnPath);
    }
    let current = &flow.steps[replay.current];
    if current.id == step_id && !current.is_final() {
        let answer = accept(current, answer)?;
        let mut answers = progress.answers.clone();
        answers.push((step_id.to_owned(), answer));
        return Ok(Progress { answers });
    }
    // The latest answer of that step: a loop may have asked it twice.
    let Some(changed) = replay
        .entries
        .iter()
        .rposition(|(step, _)| flow.steps[*step].id == step_id)
    else {
        return Err(if current.is_final() {
            AnswerError::Finished
        } else {
            AnswerError::NotOnPath
        });
    };
    let answer = accept(&flow.steps[replay.entries[changed].0], answer)?;

    let mut answers = progress.answers[..changed].to_vec();
    answers.push((step_id.to_owned(), answer));
    let mut kept: Vec<(String, Answer)> = progress.answers[changed + 1..].to_vec();
    loop {
        let replay = Replay::of(flow, &answers);
        if replay.mismatch.is_some() {
            // A kept answer was valid for its step and still is; this only
            // guards the invariant that the result fits.
            answers.pop();
            break;
        }
        let step = &flow.steps[replay.current];
        if step.is_final() {
            break;
        }
        let Some(at) = kept.iter().position(|(id, _)| *id == step.id) else {
            break;
        };
        answers.push(kept.remove(at));
    }
    Ok(Progress { answers })
}

/// The steps on the path with their answers, in order, for the transcript
/// and the summary. Stops where the progress stops fitting the flow.
pub fn path<'a>(flow: &'a Flow, progress: &'a Progress) -> Vec<(&'a Step, &'a Answer)> {
    Replay::of(flow, &progress.answers)
        .entries
        .into_iter()
        .map(|(step, answer)| (&flow.steps[step], answer))
        .collect()
}

/// The answer of the step that carries `role`, if that step is on the
/// current path: the application reads the age, the commune, the needs,
/// the name, the contact and the message this way, never by step id.
///
/// `None` when no step has the role, or when the path does not (or not
/// yet) go through it; [`Answer::Skipped`] when she skipped an optional
/// step. When a loop asked the step more than once, the latest answer.
/// Like [`path`], stops where the progress stops fitting the flow.
pub fn answer_with_role<'a>(
    flow: &'a Flow,
    progress: &'a Progress,
    role: Role,
) -> Option<&'a Answer> {
    let step = flow.step_with_role(role)?;
    path(flow, progress)
        .into_iter()
        .rev()
        .find(|(answered, _)| answered.id == step.id)
        .map(|(_, answer)| answer)
}

/// The needs revealed by the answers on the path: need codes, each once, in
/// the order they first appear.
pub fn needs(flow: &Flow, progress: &Progress) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut needs = Vec::new();
    for (step, answer) in path(flow, progress) {
        let chosen: Vec<&str> = match answer {
            Answer::Choice(choice) => vec![choice.as_str()],
            Answer::Choices(choices) => choices.iter().map(String::as_str).collect(),
            _ => continue,
        };
        for choice in step.choices() {
            if !chosen.contains(&choice.id.as_str()) {
                continue;
            }
            for need in &choice.needs {
                if seen.insert(need.as_str()) {
                    needs.push(need.clone());
                }
            }
        }
    }
    needs
}

/// The answers of a progress replayed from the start.
struct Replay<'p> {
    /// Each step answered, with its answer, as far as the answers fit.
    entries: Vec<(usize, &'p Answer)>,
    /// The step reached after the last fitting answer.
    current: usize,
    /// The step id of the first answer that does not fit, if any.
    mismatch: Option<String>,
}

impl<'p> Replay<'p> {
    fn of(flow: &Flow, answers: &'p [(String, Answer)]) -> Replay<'p> {
        let mut replay = Replay {
            entries: Vec::with_capacity(answers.len()),
            current: flow.start,
            mismatch: None,
        };
        for (id, answer) in answers {
            let step = &flow.steps[replay.current];
            let fits = step.id == *id
                && !step.is_final()
                && accept(step, answer.clone()).as_ref() == Ok(answer);
            let next = if fits {
                replay.entries.push((replay.current, answer));
                next_step(flow, replay.current, &replay.entries)
            } else {
                None
            };
            match next {
                Some(next) => replay.current = next,
                None => {
                    if fits {
                        // A checked flow always has a way on; keep the path
                        // consistent if it ever did not.
                        replay.entries.pop();
                    }
                    replay.mismatch = Some(id.clone());
                    break;
                }
            }
        }
        replay
    }
}

/// The step after `step`, just answered (the last of `entries`): the first
/// rule whose condition holds, else the chosen answer's next, else the
/// step's own next.
fn next_step(flow: &Flow, step: usize, entries: &[(usize, &Answer)]) -> Option<usize> {
    let answer_of = |target: usize| {
        entries
            .iter()
            .rev()
            .find(|(answered, _)| *answered == target)
            .map(|(_, answer)| *answer)
    };
    let current = &flow.steps[step];
    if let Some(rule) = current
        .rules
        .iter()
        .find(|rule| rule.condition.holds(answer_of))
    {
        return Some(rule.next);
    }
    if let (StepKind::Choice(choices), Some(Answer::Choice(chosen))) =
        (&current.kind, answer_of(step))
        && let Some(next) = choices
            .iter()
            .find(|choice| choice.id == *chosen)
            .and_then(|choice| choice.next)
    {
        return Some(next);
    }
    current.next
}
