//! The report: what the person said, put into words a professional reads in
//! one glance, in French, and in her language when she used another one.
//! Built in memory from the conversation's progress, serialised to JSON,
//! sealed at once (docs/crypto.md, "The report").

use flow::{Answer, Progress, Role, StepKind};
use serde::{Deserialize, Serialize};

use crate::conversation::answers::{answer_text, commune_of, needs_latest_first};
use crate::referral::ReferralState;
use crate::storage::ReferralId;
use crate::web::i18n::Lang;

/// The format version, also in the associated data of the envelope.
pub const VERSION: u32 = 1;

/// One question and its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The question, in French.
    pub question: String,
    /// The answer, in French.
    pub answer: String,
    /// The question as she read it, when not in French.
    pub question_original: Option<String>,
    /// The answer as she read it, when not in French.
    pub answer_original: Option<String>,
}

/// A report, version 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`VERSION`].
    pub version: u32,
    /// The referral's id.
    pub id: ReferralId,
    /// The day it was sent, YYYY-MM-DD.
    pub sent_on: String,
    /// The language she used: fr, en or ar.
    pub language: String,
    /// She said it is urgent.
    pub urgent: bool,
    /// The organisation she chose.
    pub organisation: String,
    /// Her commune and its postcode, "Montreuil-sur-Mer (62170)".
    pub commune: Option<String>,
    /// The first name or pseudonym she gave.
    pub name: Option<String>,
    /// Her needs, in French, hers first.
    pub needs: Vec<String>,
    /// How to contact her safely.
    pub contact: Vec<Line>,
    /// The other answers, in the order asked.
    pub answers: Vec<Line>,
    /// What she wants to say to the professional, in her words.
    pub free_text: Option<String>,
}

/// What the person chose on the sending page.
#[derive(Debug)]
pub struct Choices<'a> {
    /// The referral's id.
    pub id: &'a ReferralId,
    /// The organisation's public name.
    pub organisation: &'a str,
    /// Urgent or not.
    pub urgent: bool,
    /// Her contact preferences, when she changed them on the sending page.
    pub contact: Option<&'a Answer>,
}

/// Builds the report of `progress`.
pub fn build(
    app: &ReferralState,
    lang: Lang,
    progress: &Progress,
    choices: &Choices<'_>,
) -> Report {
    let flow = &app.conversation.flow;
    let mut report = Report {
        version: VERSION,
        id: choices.id.clone(),
        sent_on: jiff::Zoned::now().date().to_string(),
        language: lang.code().to_owned(),
        urgent: choices.urgent,
        organisation: choices.organisation.to_owned(),
        commune: commune_of(&app.directory, &app.conversation.flow, progress).map(|c| {
            match c.postcodes.first() {
                Some(postcode) => format!("{} ({postcode})", c.name),
                None => c.name.to_string(),
            }
        }),
        name: None,
        needs: needs_latest_first(flow, progress)
            .into_iter()
            .map(|need| need.label().to_owned())
            .collect(),
        contact: Vec::new(),
        answers: Vec::new(),
        free_text: None,
    };
    for (step, answer) in flow::path(flow, progress) {
        let answer = match (step.role, choices.contact) {
            (Some(Role::Contact), Some(chosen)) => chosen,
            _ => answer,
        };
        match (step.role, &step.kind, answer) {
            (_, StepKind::Message | StepKind::Summary | StepKind::Outcome(_), _)
            | (_, _, Answer::Continue)
            | (Some(Role::Name | Role::Message), _, Answer::Skipped) => {}
            (Some(Role::Name), _, Answer::Text(text)) => {
                report.name = Some(text.clone());
            }
            (Some(Role::Message), _, Answer::Text(text)) => {
                report.free_text = Some(text.clone());
            }
            _ => {
                let line = Line {
                    question: step.question.get(Lang::Fr.code()).to_owned(),
                    answer: answer_text(&app.directory, Lang::Fr, step, answer),
                    question_original: (lang != Lang::Fr)
                        .then(|| step.question.get(lang.code()).to_owned()),
                    answer_original: (lang != Lang::Fr)
                        .then(|| answer_text(&app.directory, lang, step, answer)),
                };
                if step.role == Some(Role::Contact) {
                    report.contact.push(line);
                } else {
                    report.answers.push(line);
                }
            }
        }
    }
    report
}
